//! Inputs that look like a key or a token but are another thing a user holds: recognised, and
//! refused with what to do instead.
//!
//! - the JSON of `aws kms get-public-key`: a KMS key's own public key, never a wrapping key;
//! - the aws CLI's `--output text` (tab-separated) and `--output table` layouts;
//! - PKCS#1 and SEC1 keys, in PEM or DER, with the exact `openssl` command that converts them;
//! - encrypted PKCS#8 (and OpenSSL's legacy encrypted PEM), with the command that decrypts it.
//!
//! Every quoted piece of input goes through [`crate::display`].

use std::path::Path;

use crate::Origin;
use crate::display;

/// Fields only `get-public-key` prints next to `PublicKey`.
const GET_PUBLIC_KEY_FIELDS: [&str; 6] = [
    "KeyUsage",
    "KeySpec",
    "CustomerMasterKeySpec",
    "EncryptionAlgorithms",
    "SigningAlgorithms",
    "KeyAgreementAlgorithms",
];

/// The aws CLI's text and table layouts, and `get-public-key`'s JSON; `field` is the AWS field
/// wanted (`PublicKey`, `ImportToken`), for the `--query` to suggest.
pub fn aws_cli_output(input: &[u8], field: &str) -> Option<String> {
    if !is_text(input) {
        return None;
    }
    let text = std::str::from_utf8(input).ok()?.trim();
    let query = format!("`aws kms get-parameters-for-import ... --query {field} --output text`");
    if text.starts_with('{') {
        return get_public_key_json(text);
    }
    let first = text.lines().next().unwrap_or("");
    let table = (first.starts_with('-') && !first.starts_with("-----BEGIN"))
        || first.starts_with('+')
        || first.starts_with('|');
    if table
        && text
            .lines()
            .any(|l| l.starts_with('|') && l.matches('|').count() >= 2)
    {
        return Some(format!(
            "this is the aws CLI's `--output table` layout, not the value; ask for the value \
             alone: {query}"
        ));
    }
    // Several non-empty fields on a line, tab-separated (a stray tab around one value is not).
    let tabulated = text
        .lines()
        .any(|line| line.split('\t').filter(|f| !f.trim().is_empty()).count() >= 2);
    if tabulated {
        let what = if ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"]
            .iter()
            .any(|usage| text.contains(usage))
        {
            " of `aws kms get-public-key` (a KMS key's own public key, not a wrapping key)"
        } else {
            ""
        };
        return Some(format!(
            "this is the aws CLI's `--output text`{what}: several tab-separated fields; ask for \
             the one field: {query}"
        ));
    }
    None
}

/// `{"KeyId": ..., "PublicKey": ..., "KeySpec": ..., "KeyUsage": ...}`.
fn get_public_key_json(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = value.as_object()?;
    if !object.contains_key("PublicKey") || object.contains_key("ImportToken") {
        return None;
    }
    GET_PUBLIC_KEY_FIELDS
        .iter()
        .find(|f| object.contains_key(**f))?;
    let shown = |name: &str| {
        object
            .get(name)
            .and_then(|v| v.as_str())
            .map(|s| format!(" {name} {}", display::value(s)))
            .unwrap_or_default()
    };
    Some(format!(
        "this is the JSON of `aws kms get-public-key`:{}{}{}: the public key of a KMS key itself, \
         not a wrapping key; use the PublicKey that `aws kms get-parameters-for-import` returns",
        shown("KeyId"),
        shown("KeySpec"),
        shown("KeyUsage")
    ))
}

/// Printable ASCII and whitespace only.
fn is_text(input: &[u8]) -> bool {
    input
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
}

/// Key formats that are not the one KMS takes, in DER or named by their PEM label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyForm {
    /// PKCS#1 `RSAPrivateKey` (RFC 8017 A.1.2), `BEGIN RSA PRIVATE KEY`.
    Pkcs1Private,
    /// SEC1 `ECPrivateKey` (RFC 5915), `BEGIN EC PRIVATE KEY`.
    Sec1Private,
    /// PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5208 §6), `BEGIN ENCRYPTED PRIVATE KEY`.
    EncryptedPkcs8,
    /// A PEM key with `Proc-Type: 4,ENCRYPTED` headers (OpenSSL's legacy encryption).
    LegacyEncrypted,
    /// PKCS#1 `RSAPublicKey` (RFC 8017 A.1.1), `BEGIN RSA PUBLIC KEY`.
    Pkcs1Public,
}

impl KeyForm {
    /// The form a PEM label names.
    pub fn from_pem_label(label: &str) -> Option<Self> {
        Some(match label {
            "RSA PRIVATE KEY" => KeyForm::Pkcs1Private,
            "EC PRIVATE KEY" => KeyForm::Sec1Private,
            "ENCRYPTED PRIVATE KEY" => KeyForm::EncryptedPkcs8,
            "RSA PUBLIC KEY" => KeyForm::Pkcs1Public,
            _ => return None,
        })
    }

    /// Recognises the form from DER: the whole input is one SEQUENCE of the form's first fields.
    pub fn from_der(der: &[u8]) -> Option<Self> {
        let (0x30, body, []) = tlv(der)? else {
            return None;
        };
        let (tag1, first, rest) = tlv(body)?;
        let (tag2, _, rest2) = tlv(rest)?;
        match (tag1, first, tag2) {
            // { SEQUENCE { OID, ... }, OCTET STRING } and nothing more.
            (0x30, [0x06, ..], 0x04) if rest2.is_empty() => Some(KeyForm::EncryptedPkcs8),
            // { INTEGER 1, OCTET STRING privateKey, ... }
            (0x02, [1], 0x04) => Some(KeyForm::Sec1Private),
            // { INTEGER 0 (or 1: multi-prime), INTEGER n, INTEGER e, ... (9 or more) }
            (0x02, [0] | [1], 0x02) if count(body) >= 9 => Some(KeyForm::Pkcs1Private),
            // { INTEGER n, INTEGER e }
            (0x02, _, 0x02) if rest2.is_empty() && first.len() > 64 => Some(KeyForm::Pkcs1Public),
            _ => None,
        }
    }

    /// Why it is refused and the `openssl` command that converts it; `pem_label` is the PEM
    /// label the input had (`None`: DER), `origin` where it is (the command names the files).
    pub fn refusal(self, pem_label: Option<&str>, origin: &Origin) -> String {
        let encoding = match pem_label {
            Some(label) => format!("PEM `{}`", display::value(label)),
            None => "DER".to_owned(),
        };
        let (what, verb) = match self {
            KeyForm::Pkcs1Private => (
                format!("a PKCS#1 RSAPrivateKey ({encoding}), not PKCS#8"),
                "convert it",
            ),
            KeyForm::Sec1Private => (
                format!("a SEC1 ECPrivateKey ({encoding}), not PKCS#8"),
                "convert it",
            ),
            KeyForm::EncryptedPkcs8 => (
                format!("an encrypted PKCS#8 key ({encoding})"),
                "decrypt it (openssl asks for the passphrase)",
            ),
            KeyForm::LegacyEncrypted => (
                "a key under OpenSSL's legacy PEM encryption (Proc-Type: 4,ENCRYPTED)".to_owned(),
                "decrypt it into PKCS#8 (openssl asks for the passphrase)",
            ),
            KeyForm::Pkcs1Public => (
                format!("a PKCS#1 RSAPublicKey ({encoding}), not a SubjectPublicKeyInfo"),
                "convert it",
            ),
        };
        format!(
            "this is {what}; {verb}: `{}`",
            self.command(pem_label.is_some(), origin)
        )
    }

    /// The exact command, with the file names when the input is a file.
    pub fn command(self, pem: bool, origin: &Origin) -> String {
        let (program, out_ext) = match self {
            KeyForm::Pkcs1Public => ("openssl rsa -RSAPublicKey_in", "spki.der"),
            _ => ("openssl pkcs8 -topk8 -nocrypt", "pkcs8.der"),
        };
        let inform = if pem { "" } else { " -inform DER" };
        let pubout = if self == KeyForm::Pkcs1Public {
            " -pubout"
        } else {
            ""
        };
        match origin {
            Origin::File(path) => format!(
                "{program}{inform} -in {}{pubout} -outform DER -out {}",
                display::shell_word(path),
                display::shell_word(&out_path(path, out_ext))
            ),
            Origin::Stdin | Origin::Inline => {
                format!("{program}{inform}{pubout} -outform DER < KEY > KEY.{out_ext}")
            }
        }
    }
}

/// `key.pem` → `key.pkcs8.der`.
fn out_path(path: &Path, ext: &str) -> std::path::PathBuf {
    path.with_extension(ext)
}

/// One DER TLV with a definite length: (tag, contents, what follows).
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// How many TLVs `body` holds (all of it must parse).
fn count(mut body: &[u8]) -> usize {
    let mut n = 0;
    while let Some((_, _, rest)) = tlv(body) {
        n += 1;
        body = rest;
    }
    if body.is_empty() { n } else { 0 }
}

/// Whether `der` is exactly one DER SEQUENCE (a key, a certificate, ...).
pub fn is_der_sequence(der: &[u8]) -> bool {
    matches!(tlv(der), Some((0x30, _, [])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_cli_layouts_are_recognised() {
        let text = b"AQIDAHh0b2tlbg==\tarn:aws:kms:us-east-1:111122223333:key/k\t2025-01-01T00:00:00Z\tMIIBIjANBg==\n";
        assert!(
            aws_cli_output(text, "PublicKey")
                .unwrap()
                .contains("--output text")
        );
        let table =
            b"-----------------\n|  GetParametersForImport |\n+------+------+\n|  KeyId |  k |\n";
        assert!(
            aws_cli_output(table, "PublicKey")
                .unwrap()
                .contains("--output table")
        );
        let json = br#"{"KeyId": "k", "PublicKey": "MIIB", "KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}"#;
        let why = aws_cli_output(json, "PublicKey").unwrap();
        assert!(
            why.contains("get-public-key") && why.contains("KeySpec RSA_2048"),
            "{why}"
        );
        assert_eq!(aws_cli_output(b"MIIBIjANBg==", "PublicKey"), None);
        assert_eq!(aws_cli_output(b"\tMIIBIjANBg==\t\n", "PublicKey"), None);
        assert_eq!(
            aws_cli_output(br#"{"PublicKey": "MIIB"}"#, "PublicKey"),
            None
        );
    }

    #[test]
    fn der_forms() {
        // SEQUENCE { INTEGER 1, OCTET STRING {..} }
        assert_eq!(
            KeyForm::from_der(&[0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0x07]),
            Some(KeyForm::Sec1Private)
        );
        // SEQUENCE { SEQUENCE { OID }, OCTET STRING }
        assert_eq!(
            KeyForm::from_der(&[0x30, 0x08, 0x30, 0x03, 0x06, 0x01, 0x2a, 0x04, 0x01, 0x00]),
            Some(KeyForm::EncryptedPkcs8)
        );
        // PKCS#8: SEQUENCE { INTEGER 0, SEQUENCE, OCTET STRING } is none of them.
        assert_eq!(
            KeyForm::from_der(&[0x30, 0x08, 0x02, 0x01, 0x00, 0x30, 0x00, 0x04, 0x01, 0x00]),
            None
        );
        assert_eq!(KeyForm::from_der(&[0x30; 32]), None);
    }

    #[test]
    fn commands_name_the_files() {
        let origin = Origin::File("k.pem".into());
        assert_eq!(
            KeyForm::Pkcs1Private.command(true, &origin),
            "openssl pkcs8 -topk8 -nocrypt -in k.pem -outform DER -out k.pkcs8.der"
        );
        assert_eq!(
            KeyForm::Pkcs1Public.command(false, &Origin::File("r.der".into())),
            "openssl rsa -RSAPublicKey_in -inform DER -in r.der -pubout -outform DER -out r.spki.der"
        );
    }
}
