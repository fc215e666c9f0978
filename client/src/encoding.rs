//! Key and token inputs in whichever form people have them, detected by content.
//!
//! Where a public key or private key is read, DER, PEM, or base64 text of the DER (what
//! `aws kms get-parameters-for-import --query PublicKey --output text` prints) is accepted, and
//! an import token may be the base64 text exactly as `get-parameters-for-import` printed it. As
//! a convenience the whole JSON that `get-parameters-for-import` prints is accepted too: the
//! field asked for is taken from it. `EncryptedKeyMaterial` may be base64 text too,
//! and the forms `recognise` knows (aws CLI text/table output, `get-public-key`'s JSON, PKCS#1,
//! SEC1, encrypted keys) are refused with what to do instead.

use base64ct::{Base64, Encoding};
use kms_import::KeyMaterial;

use crate::Origin;
use crate::display;
use crate::recognise::{self, KeyForm};

/// The DER inside a key or token file.
pub enum Form {
    /// Raw bytes (DER, or a binary token).
    Binary,
    /// `-----BEGIN <label>-----` armour.
    Pem,
    /// Base64 text of the bytes.
    Base64,
    /// The JSON `get-parameters-for-import` prints.
    Json,
}

/// Which AWS field a file holds, to pick it out of the JSON and to name it in messages.
#[derive(Clone, Copy)]
pub enum Field {
    /// `PublicKey`: DER SubjectPublicKeyInfo.
    PublicKey,
    /// A PKCS#8 private key (no AWS field; never in the JSON).
    PrivateKey,
    /// `ImportToken`.
    ImportToken,
    /// `EncryptedKeyMaterial`: raw bytes or their base64 text.
    Ciphertext,
}

impl Field {
    fn json_name(self) -> Option<&'static str> {
        match self {
            Field::PublicKey => Some("PublicKey"),
            Field::ImportToken => Some("ImportToken"),
            Field::PrivateKey | Field::Ciphertext => None,
        }
    }

    fn pem_label(self) -> Option<&'static str> {
        match self {
            Field::PublicKey => Some("PUBLIC KEY"),
            Field::PrivateKey => Some("PRIVATE KEY"),
            Field::ImportToken | Field::Ciphertext => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Field::PublicKey => "public key",
            Field::PrivateKey => "private key",
            Field::ImportToken => "import token",
            Field::Ciphertext => "encrypted key material",
        }
    }

    /// The key forms recognised (and refused) in DER for this field.
    fn refuses(self, form: KeyForm) -> bool {
        match self {
            Field::PublicKey => form == KeyForm::Pkcs1Public,
            Field::PrivateKey => form != KeyForm::Pkcs1Public,
            Field::ImportToken | Field::Ciphertext => false,
        }
    }
}

/// Decodes `input` (a file's bytes, standard input, or an inline value) into the bytes it
/// carries, after refusing the forms `recognise` knows are something else. The result is wiped on
/// drop.
pub fn decode(input: &[u8], field: Field, origin: &Origin) -> Result<KeyMaterial, String> {
    if let Some(name) = field.json_name()
        && let Some(why) = recognise::aws_cli_output(input, name)
    {
        return Err(why);
    }
    match detect(input, field) {
        Form::Binary => {
            if let Some(form) = KeyForm::from_der(input).filter(|f| field.refuses(*f)) {
                return Err(form.refusal(None, origin));
            }
            Ok(KeyMaterial::from_slice(input))
        }
        Form::Pem => {
            let pem = pem(input)?;
            if let Some(why) = pem_refusal(&pem, field.pem_label(), field.describe(), origin) {
                return Err(why);
            }
            Ok(pem.der)
        }
        Form::Base64 => {
            let bytes = decode_base64(input).ok_or_else(|| {
                format!(
                    "the {} is neither DER, PEM nor base64 text",
                    field.describe()
                )
            })?;
            match KeyForm::from_der(bytes.as_bytes()).filter(|f| field.refuses(*f)) {
                Some(form) => Err(form.refusal(None, origin)),
                None => Ok(bytes),
            }
        }
        Form::Json => decode_json(input, field),
    }
}

/// Detects the form by content: PEM has its armour; JSON starts with `{`; base64 is the base64
/// alphabet and whitespace only (and a DER SEQUENCE, which starts with 0x30 = `0`, is base64
/// only if it decodes as such). Anything else is taken as binary (an import token or a
/// ciphertext is opaque bytes).
pub fn detect(input: &[u8], field: Field) -> Form {
    let text = input.trim_ascii();
    if text.starts_with(b"-----BEGIN ") && field.pem_label().is_some() {
        return Form::Pem;
    }
    if text.starts_with(b"{") && field.json_name().is_some() {
        return Form::Json;
    }
    let is_base64 = !text.is_empty()
        && text.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') || b.is_ascii_whitespace()
        });
    if is_base64 && (input.first() != Some(&0x30) || decode_base64(input).is_some()) {
        Form::Base64
    } else {
        Form::Binary
    }
}

/// Standard padded base64 (RFC 4648 §4), whitespace and line breaks ignored.
pub fn decode_base64(text: &[u8]) -> Option<KeyMaterial> {
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let compact = KeyMaterial::new(compact);
    let bytes = Base64::decode_vec(core::str::from_utf8(compact.as_bytes()).ok()?).ok()?;
    let bytes = KeyMaterial::new(bytes);
    (!bytes.is_empty()).then_some(bytes)
}

/// Standard padded base64 on one line, as the AWS CLI prints blobs.
pub fn encode_base64(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

/// One PEM block (RFC 7468): its label, whether it has RFC 1421 headers, and its contents.
pub struct Pem {
    /// The label of the `-----BEGIN <label>-----` line (`PUBLIC KEY`, `PRIVATE KEY`, ...).
    pub label: String,
    /// `Proc-Type: 4,ENCRYPTED` and the like: OpenSSL's legacy encrypted keys.
    pub headers: bool,
    /// The decoded body (wiped on drop: it may be a private key).
    pub der: KeyMaterial,
}

/// The first `-----BEGIN label-----` block of `input`.
pub fn pem(input: &[u8]) -> Result<Pem, String> {
    let text = core::str::from_utf8(input).map_err(|_| "the PEM is not text".to_owned())?;
    let start = text.find("-----BEGIN ").unwrap_or(0) + "-----BEGIN ".len();
    let rest = &text[start..];
    let label_end = rest
        .find("-----")
        .ok_or_else(|| "the PEM BEGIN line does not end with -----".to_owned())?;
    let label = &rest[..label_end];
    let body = &rest[label_end + 5..];
    let end_line = format!("-----END {label}-----");
    let body_end = body.find(&end_line).ok_or_else(|| {
        format!(
            "the PEM has no `-----END {}-----` line",
            display::value(label)
        )
    })?;
    let body = &body[..body_end];
    let headers = body.contains(':');
    let der = if headers {
        KeyMaterial::new(Vec::new())
    } else {
        decode_base64(body.as_bytes()).ok_or_else(|| {
            format!(
                "the body of the PEM `{}` is not valid base64",
                display::value(label)
            )
        })?
    };
    Ok(Pem {
        label: label.to_owned(),
        headers,
        der,
    })
}

/// Why a PEM block is not the `wanted` one (`None` if it is): the forms `recognise` knows with
/// the command that converts them, anything else with its label quoted, escaped.
pub fn pem_refusal(
    pem: &Pem,
    wanted: Option<&str>,
    describe: &str,
    origin: &Origin,
) -> Option<String> {
    if pem.headers {
        return Some(KeyForm::LegacyEncrypted.refusal(Some(&pem.label), origin));
    }
    if Some(pem.label.as_str()) == wanted {
        return None;
    }
    Some(match KeyForm::from_pem_label(&pem.label) {
        Some(form) => form.refusal(Some(&pem.label), origin),
        None => format!(
            "expected a PEM `{}` for the {describe}, found `{}`",
            wanted.unwrap_or("?"),
            display::value(&pem.label)
        ),
    })
}

fn decode_json(input: &[u8], field: Field) -> Result<KeyMaterial, String> {
    let name = field.json_name().unwrap_or("");
    let value: serde_json::Value = serde_json::from_slice(input)
        .map_err(|e| format!("the {} file is not valid JSON: {e}", field.describe()))?;
    let text = value
        .get(name)
        .and_then(|v| v.as_str())
        .ok_or_else(|| format!("the JSON has no string field \"{name}\""))?;
    decode_base64(text.as_bytes()).ok_or_else(|| format!("\"{name}\" is not valid base64"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_der_pem_and_json_give_the_same_bytes() {
        let der = [0x30u8, 0x03, 0x02, 0x01, 0x05];
        let b64 = encode_base64(&der);
        let pem = format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n");
        let json = format!("{{\"PublicKey\": \"{b64}\"}}");
        for input in [&der[..], b64.as_bytes(), pem.as_bytes(), json.as_bytes()] {
            let got = decode(input, Field::PublicKey, &Origin::Stdin).unwrap();
            assert_eq!(got.as_bytes(), &der);
        }
    }

    #[test]
    fn wrong_pem_label_is_refused_with_a_hint() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMAMCAQU=\n-----END RSA PRIVATE KEY-----\n";
        let err = decode(pem.as_bytes(), Field::PrivateKey, &Origin::Stdin).unwrap_err();
        assert!(err.contains("openssl pkcs8 -topk8"), "{err}");
    }

    #[test]
    fn binary_token_is_taken_as_is() {
        let token = [0x01u8, 0xff, 0x00, 0x30, b'A'];
        let got = decode(&token, Field::ImportToken, &Origin::Stdin).unwrap();
        assert_eq!(got.as_bytes(), &token);
    }

    #[test]
    fn a_pem_label_is_quoted_escaped() {
        let pem =
            "-----BEGIN \u{1b}]0;owned\u{7}-----\nMAMCAQU=\n-----END \u{1b}]0;owned\u{7}-----\n";
        let err = decode(pem.as_bytes(), Field::PublicKey, &Origin::Stdin).unwrap_err();
        assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
        assert!(err.contains("\\u{1b}]0;owned\\u{7}"), "{err}");
    }

    #[test]
    fn ciphertext_is_raw_or_base64() {
        let ct = [0x9fu8, 0x30, 0x00, 0xff, 0x41];
        let b64 = encode_base64(&ct);
        for input in [&ct[..], b64.as_bytes()] {
            let got = decode(input, Field::Ciphertext, &Origin::Stdin).unwrap();
            assert_eq!(got.as_bytes(), &ct);
        }
    }
}
