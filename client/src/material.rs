//! The key material `wrap` encrypts, in the forms people hold it.
//!
//! KMS takes raw bytes: the key itself for symmetric and HMAC keys, PKCS#8 DER for RSA, ECC and
//! SM2 keys. A PEM `PRIVATE KEY` (what `openssl genpkey` writes) is unmistakable, so its DER is
//! wrapped, and the caller is told so (a note). Every other form is refused with what to do
//! instead: PKCS#1, SEC1 and encrypted keys with the `openssl` command; base64 text of a DER key
//! with "decode it first". Base64 or hex text of a symmetric or HMAC key of the right length is
//! recognised by the core's material check ([`crate::wrap_checks`]).

use kms_import::KeyMaterial;

use crate::Origin;
use crate::display;
use crate::encoding::{decode_base64, pem, pem_refusal};
use crate::recognise::{KeyForm, is_der_sequence};

/// Key material ready to check and wrap.
pub struct Material {
    /// The bytes KMS takes (wiped on drop).
    pub bytes: KeyMaterial,
    /// What was converted, to tell the user (the DER taken out of a PEM), never a secret.
    pub note: Option<String>,
}

/// Takes the key material `bytes` as KMS takes it, or refuses it with what to do. `shown` is how
/// messages name the input (a file name, "standard input"), `origin` where it is (the commands
/// suggested name its file).
///
/// # Errors
/// `the key material {shown}: {why}`: a PEM of another kind, PKCS#1, SEC1, an encrypted key, or
/// base64 text of a DER key.
pub fn decode(bytes: KeyMaterial, shown: &str, origin: &Origin) -> Result<Material, String> {
    let refuse = |why: String| format!("the key material {shown}: {why}");
    let raw = bytes.as_bytes();
    if raw.trim_ascii_start().starts_with(b"-----BEGIN ") {
        let pem = pem(raw).map_err(refuse)?;
        if let Some(why) = pem_refusal(&pem, Some("PRIVATE KEY"), "key material", origin) {
            return Err(refuse(why));
        }
        let note = format!(
            "the key material {shown} is PEM; wrapping the {}-byte PKCS#8 DER inside it, which is \
             what KMS takes",
            pem.der.len()
        );
        return Ok(Material {
            bytes: pem.der,
            note: Some(note),
        });
    }
    if let Some(form) = KeyForm::from_der(raw).filter(|f| *f != KeyForm::Pkcs1Public) {
        return Err(refuse(form.refusal(None, origin)));
    }
    if let Some(decoded) = base64_of_der(raw) {
        return Err(refuse(format!(
            "looks like base64 text of {} bytes (a DER key without its PEM armour); KMS takes the \
             raw bytes: decode it first: `{}`",
            decoded.len(),
            decode_command(origin)
        )));
    }
    Ok(Material { bytes, note: None })
}

/// The bytes, if `bytes` is base64 text of exactly one DER SEQUENCE.
fn base64_of_der(bytes: &[u8]) -> Option<KeyMaterial> {
    let text = bytes.trim_ascii();
    let alphabet = text.iter().all(|&b| {
        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') || b.is_ascii_whitespace()
    });
    if !alphabet {
        return None;
    }
    decode_base64(text).filter(|d| is_der_sequence(d.as_bytes()))
}

fn decode_command(origin: &Origin) -> String {
    match origin {
        Origin::File(path) => {
            let ext = if path.extension().is_some_and(|e| e == "der") {
                "decoded.der"
            } else {
                "der"
            };
            format!(
                "base64 -d < {} > {}",
                display::shell_word(path),
                display::shell_word(&path.with_extension(ext))
            )
        }
        Origin::Stdin | Origin::Inline => "base64 -d < KEY.b64 > KEY.der".to_owned(),
    }
}
