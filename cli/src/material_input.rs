//! The key material `wrap` encrypts, in the forms people hold it (issue 15).
//!
//! KMS takes raw bytes: the key itself for symmetric and HMAC keys, PKCS#8 DER for RSA, ECC and
//! SM2 keys. A PEM `PRIVATE KEY` (what `openssl genpkey` writes) is unmistakable, so its DER is
//! wrapped, and stderr says so. Every other form is refused with what to do instead: PKCS#1, SEC1
//! and encrypted keys with the `openssl` command; base64 text of a DER key with "decode it first".
//! Base64 or hex text of a symmetric or HMAC key of the right length is recognised by the core's
//! material check.

use std::path::Path;

use kms_import::KeyMaterial;

use crate::encoding::{decode_base64, pem, pem_refusal};
use crate::failure::{Failure, Outcome};
use crate::input::{self, KEY_MATERIAL, Origin};
use crate::output::note;
use crate::recognise::{KeyForm, is_der_sequence};

/// Reads the key material `arg` names (a regular file or `-`: it is secret).
pub fn read(arg: &Path) -> Outcome<KeyMaterial> {
    let input = input::read(arg, KEY_MATERIAL)?;
    let shown = input.origin.shown(KEY_MATERIAL);
    let refuse = |why: String| Failure::refused(format_args!("the key material {shown}: {why}"));
    let bytes = input.bytes.as_bytes();
    if bytes.trim_ascii_start().starts_with(b"-----BEGIN ") {
        let pem = pem(bytes).map_err(&refuse)?;
        if let Some(why) = pem_refusal(&pem, Some("PRIVATE KEY"), "key material", &input.origin) {
            return Err(refuse(why));
        }
        note(&format!(
            "the key material {shown} is PEM; wrapping the {}-byte PKCS#8 DER inside it, which is \
             what KMS takes",
            pem.der.len()
        ));
        return Ok(pem.der);
    }
    if let Some(form) = KeyForm::from_der(bytes).filter(|f| *f != KeyForm::Pkcs1Public) {
        return Err(refuse(form.refusal(None, &input.origin)));
    }
    if let Some(decoded) = base64_of_der(bytes) {
        return Err(refuse(format!(
            "looks like base64 text of {} bytes (a DER key without its PEM armour); KMS takes the \
             raw bytes: decode it first: `{}`",
            decoded.len(),
            decode_command(&input.origin)
        )));
    }
    Ok(input.bytes)
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
                crate::display::shell_word(path),
                crate::display::shell_word(&path.with_extension(ext))
            )
        }
        Origin::Stdin | Origin::Inline => "base64 -d < KEY.b64 > KEY.der".to_owned(),
    }
}
