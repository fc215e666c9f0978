//! What `wrap` checks before it encrypts: with a key spec (`--key-spec`, the page's key spec), the
//! matrix and the material for that key spec; without it, the same checks for every
//! key spec the material can be for (`material::infer_key_specs`), and a refusal when it can be
//! for none. `kms-import wrap --no-check` skips this.
//!
//! Raw material that the core's material check recognises as the base64 or hex text of a
//! symmetric or HMAC key of the partition ("it looks like base64 text of 32 bytes: decode it
//! first") is refused with the core's words, even when its length happens to fit another key
//! spec: 64 hex digits are both HMAC_512's length and the hex text of a 32-byte key.

use kms_import::material::{MaterialReason, MaterialRefusal};
use kms_import::rand_core::CryptoRng;
use kms_import::{Error, KeySpec, MaterialKind, Partition, WrappingAlgorithm, WrappingKeySpec};
use kms_import::{material, matrix};

use crate::recognise::is_der_sequence;

/// The combination wrapped: partition, algorithm and the wrapping key's spec.
pub struct Wrapping {
    /// The partition whose rules apply.
    pub partition: Partition,
    /// The wrapping algorithm.
    pub algorithm: WrappingAlgorithm,
    /// The spec of the wrapping public key (read from the key itself).
    pub wrapping_key_spec: WrappingKeySpec,
}

/// Refuses what KMS would refuse, with the reason; without `key_spec`, the note to show (which
/// key specs it assumed). `rng` draws the Miller–Rabin bases of RSA material.
///
/// # Errors
/// The refusal, one reason a person can act on: the matrix's, the material check's, or that the
/// material fits no key spec.
pub fn check<R: CryptoRng + ?Sized>(
    wrapping: &Wrapping,
    key_spec: Option<KeySpec>,
    material: &[u8],
    rng: &mut R,
) -> Result<Option<String>, String> {
    if let Some(key_spec) = key_spec {
        return check_one(wrapping, key_spec, material, rng).map(|()| None);
    }
    let specs = material::infer_key_specs(wrapping.partition, material);
    let raw = specs.iter().all(|ks| {
        matches!(
            ks.material_kind(),
            MaterialKind::Symmetric | MaterialKind::Hmac
        )
    });
    if raw && let Some((text, of)) = looks_like_text(wrapping.partition, material, rng) {
        let fits = if specs.is_empty() {
            String::new()
        } else {
            format!(
                "; if these {} bytes are the key itself, pass --key-spec {}",
                material.len(),
                or_list(&specs)
            )
        };
        return Err(format!(
            "{text} (no --key-spec was given: this is text of {} material in {}{fits})",
            or_list(&of),
            wrapping.partition
        ));
    }
    if specs.is_empty() {
        return Err(fits_none(wrapping.partition, material));
    }
    let names = or_list(&specs);
    let shape = if raw {
        format!("{} bytes of raw key material", material.len())
    } else {
        "a PKCS#8 private key".to_owned()
    };
    for &key_spec in &specs {
        check_one(wrapping, key_spec, material, rng).map_err(|why| {
            format!(
                "{why} (no --key-spec was given; {shape} is {names} material, and this is the \
                 check for {key_spec}: pass --key-spec to name the KMS key's, or --no-check to \
                 wrap the bytes unchecked)"
            )
        })?;
    }
    let each = if specs.len() > 1 { "each" } else { "it" };
    Ok(Some(format!(
        "no --key-spec given: {shape} is {names} material, and the matrix and material checks \
         pass for {each} in {} (pass --key-spec to name the KMS key's)",
        wrapping.partition
    )))
}

/// The matrix, then the material, for one key spec.
fn check_one<R: CryptoRng + ?Sized>(
    wrapping: &Wrapping,
    key_spec: KeySpec,
    material: &[u8],
    rng: &mut R,
) -> Result<(), String> {
    matrix::check(
        wrapping.partition,
        wrapping.algorithm,
        wrapping.wrapping_key_spec,
        key_spec,
    )
    .map_err(|refusal| refusal.to_string())?;
    material::validate(wrapping.partition, key_spec, material, rng).map_err(|e| e.to_string())
}

/// The core's refusal of `material` as the base64 or hex text of the raw key of a key spec of
/// the partition (the detection is the core's, in `material::validate`), and every key spec whose
/// key it is the text of.
fn looks_like_text<R: CryptoRng + ?Sized>(
    partition: Partition,
    material: &[u8],
    rng: &mut R,
) -> Option<(String, Vec<KeySpec>)> {
    let refusals: Vec<(KeySpec, MaterialRefusal)> = KeySpec::ALL
        .iter()
        .filter(|ks| ks.raw_material_len(partition).is_some())
        .filter_map(
            |&ks| match material::validate(partition, ks, material, rng) {
                Err(Error::IncorrectKeyMaterial(
                    refusal @ MaterialRefusal {
                        reason:
                            MaterialReason::Length {
                                looks_like: Some(_),
                                ..
                            },
                        ..
                    },
                )) => Some((ks, refusal)),
                _ => None,
            },
        )
        .collect();
    let (_, first) = refusals.first()?;
    Some((
        first.to_string(),
        refusals.iter().map(|(ks, _)| *ks).collect(),
    ))
}

/// Why no key spec fits: the lengths the partition's raw key specs take, or that a DER
/// structure is not a private key KMS imports.
fn fits_none(partition: Partition, material: &[u8]) -> String {
    let advice = "pass --key-spec to check it against the KMS key's spec, or --no-check to wrap \
                  the bytes unchecked (for another KMS)";
    if is_der_sequence(material) {
        return format!(
            "the key material ({} bytes of DER) is not a PKCS#8 private key of a kind KMS imports \
             (RSA, ECC, SM2); {advice}",
            material.len()
        );
    }
    // The lengths, asked of the inference itself so that they are the partition's.
    let lengths: Vec<String> = (1..=64usize)
        .flat_map(|len| {
            material::infer_key_specs(partition, &vec![0u8; len])
                .into_iter()
                .map(move |ks| format!("{ks} {len}"))
        })
        .collect();
    format!(
        "{} bytes of key material fit no key spec in {partition} (raw key material: {} bytes; RSA, \
         ECC and SM2 keys: a PKCS#8 private key); {advice}",
        material.len(),
        lengths.join(", ")
    )
}

/// "A", "A or B", "A, B or C".
fn or_list(specs: &[KeySpec]) -> String {
    let names: Vec<&str> = specs.iter().map(|ks| ks.as_str()).collect();
    match names.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}
