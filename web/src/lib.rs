//! `kms-import` in the browser: what the page (`web/www/app.js`) calls, compiled to
//! WebAssembly with wasm-bindgen.
//!
//! Every function takes strings (and the key material's bytes) and returns one JSON object as a
//! string: the answer, or `{"error": "..."}` with the reason a person can act on. Nothing crosses
//! the boundary as a JavaScript exception, and the same functions run in the native tests.
//!
//! Nothing here is a second copy of the CLI: the public key's forms, the wrong inputs recognised,
//! the key material's forms and the checks before encrypting are `kms_import_client`'s, called
//! in the order `kms-import wrap --key-spec` calls them, so a refusal reads as the CLI's. The
//! random numbers are the browser's `crypto.getRandomValues` (getrandom's `wasm_js` backend).
//! Nothing is read or sent anywhere: the page hands over the pasted text and the chosen file's
//! bytes, and gets the ciphertext back.

#![forbid(unsafe_code)]

use std::path::Path;
use std::str::FromStr;

use getrandom::SysRng;
use kms_import::rand_core::UnwrapErr;
use kms_import::{
    Error, KeyMaterial, KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec, WrappingPublicKey,
    WrappingScheme, matrix,
};
use kms_import_client::display::{self, one_line};
use kms_import_client::encoding::encode_base64;
use kms_import_client::input::{MAX_INPUT_LEN, empty, too_large};
use kms_import_client::matrix_json::Entry;
use kms_import_client::wrap_checks::{self, Wrapping};
use kms_import_client::{Origin, keys, material};
use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;

/// How the page names the pasted public key in messages (the CLI names the file or the flag).
const PUBLIC_KEY: &str = "the public key";

/// The names the page's selects offer, in the crate's order.
#[derive(Serialize)]
struct Choices {
    partitions: Vec<&'static str>,
    wrapping_algorithms: Vec<&'static str>,
    wrapping_key_specs: Vec<&'static str>,
    key_specs: Vec<&'static str>,
    /// The most bytes of key material read (the page reads one more to tell "too large").
    max_input_len: u64,
}

/// Every partition, wrapping algorithm, wrapping key spec and key spec AWS names, as the crate
/// lists them; the matrix ([`check`]) says which combinations KMS accepts.
#[wasm_bindgen]
pub fn choices() -> String {
    fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|&x| name(x)).collect()
    }
    json(Ok(Choices {
        partitions: names(Partition::ALL, Partition::as_str),
        wrapping_algorithms: names(WrappingAlgorithm::ALL, WrappingAlgorithm::as_str),
        wrapping_key_specs: names(WrappingKeySpec::ALL, WrappingKeySpec::as_str),
        key_specs: names(KeySpec::ALL, KeySpec::as_str),
        max_input_len: MAX_INPUT_LEN,
    }))
}

/// The matrix's verdict: one entry of `kms-import matrix --json`, and the wrapping key specs it
/// holds for.
#[derive(Serialize)]
struct Verdict {
    #[serde(flatten)]
    entry: Entry,
    /// The wrapping key specs KMS accepts the combination with: the one given if it does, or,
    /// when none is given (no public key yet), each one that works.
    allowed_with: Vec<&'static str>,
}

/// The matrix's verdict on one combination, as one entry of `kms-import matrix --json`
/// (`{partition, wrapping_algorithm, wrapping_key_spec, key_spec, allowed, reason, suggestions}`)
/// with `allowed_with`. `wrapping_key_spec` is empty when no public key says it yet: the entry is
/// then the longest wrapping key that works, or, if none does, the longest the algorithm takes.
#[wasm_bindgen]
pub fn check(partition: &str, algorithm: &str, wrapping_key_spec: &str, key_spec: &str) -> String {
    json((|| {
        let partition = name::<Partition>(partition)?;
        let algorithm = name::<WrappingAlgorithm>(algorithm)?;
        let key_spec = name::<KeySpec>(key_spec)?;
        let candidates = if wrapping_key_spec.is_empty() {
            WrappingKeySpec::ALL.to_vec()
        } else {
            vec![name::<WrappingKeySpec>(wrapping_key_spec)?]
        };
        let mut verdicts: Vec<(WrappingKeySpec, Result<(), matrix::Refusal>)> = candidates
            .iter()
            .map(|&wks| (wks, matrix::check(partition, algorithm, wks, key_spec)))
            .collect();
        let allowed_with = verdicts
            .iter()
            .filter(|(_, verdict)| verdict.is_ok())
            .map(|(wks, _)| wks.as_str())
            .collect();
        let takes = |wks: &WrappingKeySpec| {
            matrix::rule(algorithm).is_some_and(|rule| rule.wrapping_key_specs.contains(wks))
        };
        // `ALL` lists the longest RSA key last: look from the end. `candidates` is never empty.
        let shown = verdicts
            .iter()
            .rposition(|(_, verdict)| verdict.is_ok())
            .or_else(|| verdicts.iter().rposition(|(wks, _)| takes(wks)))
            .unwrap_or(0);
        if shown >= verdicts.len() {
            return Err("no wrapping key spec to check".to_owned());
        }
        let (wks, verdict) = verdicts.swap_remove(shown);
        Ok(Verdict {
            entry: Entry::new(partition, (algorithm, wks, key_spec), verdict),
            allowed_with,
        })
    })())
}

/// What the pasted public key is.
#[derive(Serialize)]
struct PublicKeyInfo {
    /// `RSA_2048`, `RSA_3072`, `RSA_4096` or `SM2`.
    wrapping_key_spec: &'static str,
}

/// The wrapping key spec of a pasted public key (base64 of the DER, PEM, or the whole
/// `get-parameters-for-import` JSON), or why it is not one.
#[wasm_bindgen]
pub fn public_key(text: &str) -> String {
    json(read_public_key(text).map(|key| PublicKeyInfo {
        wrapping_key_spec: key.spec().as_str(),
    }))
}

/// The result of [`wrap`].
#[derive(Serialize)]
struct Wrapped {
    /// Base64 of `EncryptedKeyMaterial`, as `aws kms import-key-material` takes it (after
    /// decoding: `fileb://EncryptedKeyMaterial.bin`).
    encrypted_key_material: String,
    wrapping_key_spec: &'static str,
    /// What was converted (the DER inside a PEM), to tell the user.
    note: Option<String>,
}

/// Checks and wraps, as `kms-import wrap --key-spec KEY_SPEC --partition PARTITION` does: the
/// algorithm, the public key, the algorithm against the public key, the key material's form, the
/// matrix and the material checks, then `wrap_key_material`. `material` is the chosen file's
/// bytes (wiped when this returns), `material_name` its name (messages, and the commands a
/// refusal suggests, name it as the CLI names a file).
#[wasm_bindgen]
pub fn wrap(
    public_key: &str,
    partition: &str,
    algorithm: &str,
    key_spec: &str,
    material: Vec<u8>,
    material_name: &str,
) -> String {
    // Wiped on drop, whatever happens next.
    let material = KeyMaterial::new(material);
    json(wrap_checked(
        public_key,
        partition,
        algorithm,
        key_spec,
        material,
        material_name,
    ))
}

fn wrap_checked(
    public_key: &str,
    partition: &str,
    algorithm: &str,
    key_spec: &str,
    material: KeyMaterial,
    material_name: &str,
) -> Result<Wrapped, String> {
    let partition = name::<Partition>(partition)?;
    let algorithm = name::<WrappingAlgorithm>(algorithm)?;
    let key_spec = name::<KeySpec>(key_spec)?;
    // `RSAES_PKCS1_V1_5` is refused before anything else is read.
    let scheme = WrappingScheme::try_from(algorithm).map_err(|r| Error::from(r).to_string())?;
    let public = read_public_key(public_key)?;
    // An algorithm for another kind of wrapping key is named as such before the material.
    matrix::check_wrapping_key(scheme, public.spec(), 1).map_err(|r| r.to_string())?;
    let material = read_material(material, material_name)?;
    let wrapping = Wrapping {
        partition,
        algorithm,
        wrapping_key_spec: public.spec(),
    };
    let mut rng = browser_rng()?;
    wrap_checks::check(
        &wrapping,
        Some(key_spec),
        material.bytes.as_bytes(),
        &mut rng,
    )?;
    let encrypted = public
        .wrap_key_material(scheme, material.bytes.as_bytes(), &mut rng)
        .map_err(|e| e.to_string())?;
    Ok(Wrapped {
        encrypted_key_material: encode_base64(&encrypted),
        wrapping_key_spec: public.spec().as_str(),
        note: material.note,
    })
}

fn read_public_key(text: &str) -> Result<WrappingPublicKey, String> {
    if text.trim().is_empty() {
        return Err(format!(
            "{PUBLIC_KEY} is empty: paste the PublicKey that `aws kms get-parameters-for-import` \
             returned (its base64 text, a PEM, or the whole JSON)"
        ));
    }
    keys::public_key(text.as_bytes(), &Origin::Inline).map_err(|why| format!("{PUBLIC_KEY}: {why}"))
}

/// The chosen file's bytes as KMS takes them (the CLI's `material_input::read` without the
/// file system: the file's name stands where the CLI shows a path).
fn read_material(bytes: KeyMaterial, file_name: &str) -> Result<material::Material, String> {
    let name = if file_name.is_empty() {
        "(a file without a name)"
    } else {
        file_name
    };
    let shown = display::path(Path::new(name));
    if bytes.is_empty() {
        return Err(empty("key material", &shown));
    }
    if bytes.len() as u64 > MAX_INPUT_LEN {
        return Err(too_large("key material", &shown));
    }
    material::decode(bytes, &shown, &Origin::File(name.into()))
}

/// The browser's `crypto.getRandomValues`, tried once so that a browser without it is a
/// message, not a trap.
fn browser_rng() -> Result<UnwrapErr<SysRng>, String> {
    let mut probe = [0u8; 16];
    getrandom::fill(&mut probe).map_err(|e| {
        format!("this browser gave no random numbers (crypto.getRandomValues: {e}); use another")
    })?;
    Ok(UnwrapErr(SysRng))
}

/// An AWS name from a select; an unknown one is refused with the valid names.
fn name<T: FromStr>(text: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    T::from_str(text).map_err(|e| e.to_string())
}

/// The answer as JSON, or `{"error": "..."}` with the message on one line, as the CLI prints it.
fn json<T: Serialize>(answer: Result<T, String>) -> String {
    #[derive(Serialize)]
    struct Refused {
        error: String,
    }
    let encoded = match answer {
        Ok(value) => serde_json::to_string(&value),
        Err(why) => serde_json::to_string(&Refused {
            error: one_line(&why),
        }),
    };
    encoded.unwrap_or_else(|_| r#"{"error":"the answer could not be encoded as JSON"}"#.to_owned())
}
