//! Key and token inputs in whichever form people have them, detected by content.
//!
//! Issue 5: "Where a public key or private key is read, accept DER, PEM, or base64 text of the DER
//! (what `aws kms get-parameters-for-import --query PublicKey --output text` prints)", and
//! "`--import-token` also accepts the base64 text exactly as `get-parameters-for-import` printed
//! it". As a convenience the whole JSON that `get-parameters-for-import` prints is accepted too:
//! the field asked for is taken from it.

use base64ct::{Base64, Encoding};
use kms_import::KeyMaterial;

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
}

impl Field {
    fn json_name(self) -> Option<&'static str> {
        match self {
            Field::PublicKey => Some("PublicKey"),
            Field::ImportToken => Some("ImportToken"),
            Field::PrivateKey => None,
        }
    }

    fn pem_labels(self) -> &'static [&'static str] {
        match self {
            Field::PublicKey => &["PUBLIC KEY"],
            Field::PrivateKey => &["PRIVATE KEY"],
            Field::ImportToken => &[],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Field::PublicKey => "public key",
            Field::PrivateKey => "private key",
            Field::ImportToken => "import token",
        }
    }
}

/// Decodes `input` (a file's bytes) into the bytes it carries. The result is wiped on drop.
pub fn decode(input: &[u8], field: Field) -> Result<KeyMaterial, String> {
    match detect(input, field) {
        Form::Binary => Ok(KeyMaterial::from_slice(input)),
        Form::Pem => decode_pem(input, field),
        Form::Base64 => decode_base64(input).ok_or_else(|| {
            format!(
                "the {} is neither DER, PEM nor base64 text",
                field.describe()
            )
        }),
        Form::Json => decode_json(input, field),
    }
}

/// Detects the form by content: DER starts with a SEQUENCE tag (0x30) and is never valid text of
/// the other forms; PEM has its armour; JSON starts with `{`; base64 is the base64 alphabet and
/// whitespace only. Anything else is taken as binary (an import token is opaque bytes).
pub fn detect(input: &[u8], field: Field) -> Form {
    let text = input.trim_ascii();
    if text.starts_with(b"-----BEGIN ") {
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

/// RFC 7468 armour: the first `-----BEGIN label-----` block, label checked, RFC 1421 style
/// headers (`Proc-Type: ...`, i.e. an encrypted legacy key) refused.
fn decode_pem(input: &[u8], field: Field) -> Result<KeyMaterial, String> {
    let text = core::str::from_utf8(input)
        .map_err(|_| format!("the {} PEM is not text", field.describe()))?;
    let start = text.find("-----BEGIN ").unwrap_or(0) + "-----BEGIN ".len();
    let rest = &text[start..];
    let label_end = rest
        .find("-----")
        .ok_or_else(|| format!("the {} PEM has no BEGIN line", field.describe()))?;
    let label = &rest[..label_end];
    let body = &rest[label_end + 5..];
    let end_line = format!("-----END {label}-----");
    let body_end = body
        .find(&end_line)
        .ok_or_else(|| format!("the {} PEM has no `{end_line}` line", field.describe()))?;
    if !field.pem_labels().contains(&label) {
        return Err(pem_label_hint(label, field));
    }
    let body = &body[..body_end];
    if body.contains(':') {
        return Err(format!(
            "the {} PEM has headers (an encrypted legacy key?); decrypt it with `openssl pkcs8 -topk8 -nocrypt` first",
            field.describe()
        ));
    }
    decode_base64(body.as_bytes())
        .ok_or_else(|| format!("the {} PEM body is not valid base64", field.describe()))
}

fn pem_label_hint(label: &str, field: Field) -> String {
    let wanted = field.pem_labels().first().copied().unwrap_or("");
    let hint = match label {
        "RSA PUBLIC KEY" => "; convert it with `openssl rsa -RSAPublicKey_in -pubout`",
        "RSA PRIVATE KEY" | "EC PRIVATE KEY" => {
            "; convert it with `openssl pkcs8 -topk8 -nocrypt -outform DER`"
        }
        "ENCRYPTED PRIVATE KEY" => "; decrypt it with `openssl pkcs8 -nocrypt`... first",
        _ => "",
    };
    format!(
        "expected a PEM `{wanted}` for the {}, found `{label}`{hint}",
        field.describe()
    )
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
            let got = decode(input, Field::PublicKey).unwrap();
            assert_eq!(got.as_bytes(), &der);
        }
    }

    #[test]
    fn wrong_pem_label_is_refused_with_a_hint() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMAMCAQU=\n-----END RSA PRIVATE KEY-----\n";
        let err = decode(pem.as_bytes(), Field::PrivateKey).unwrap_err();
        assert!(err.contains("openssl pkcs8 -topk8"), "{err}");
    }

    #[test]
    fn binary_token_is_taken_as_is() {
        let token = [0x01u8, 0xff, 0x00, 0x30, b'A'];
        let got = decode(&token, Field::ImportToken).unwrap();
        assert_eq!(got.as_bytes(), &token);
    }
}
