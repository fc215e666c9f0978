//! The bodies of the cargo-fuzz targets, as ordinary library functions.
//!
//! `fuzz/fuzz_targets/*.rs` are a few lines each: they build fixed inputs once (wrapping keys, a
//! seeded RNG) and call one function here. `tests/fuzz_replay.rs` calls the same functions on every
//! file of `fuzz/corpus/` and `fuzz/regressions/` under a stable `cargo test`, so the fuzzers can
//! never drift from the code. Being inside the crate, the bodies can reach `pub(crate)` parsers.
//!
//! Each function returns normally for every input the code handles as specified. A failed
//! assertion here is a finding: it is what the fuzzer reports as a crash. That goes for every
//! `assert!`, `panic!` and `expect` in this module and its children: they are the oracles, each
//! message naming the invariant it holds the code to, not error handling. Nothing in this module
//! is part of the API: it is compiled only with the `fuzzing` feature, which `fuzz/` and this
//! crate's own tests (a dev-dependency on itself) turn on, so a normal build carries none of it.

use alloc::string::ToString;
use alloc::vec::Vec;

use rand_core::CryptoRng;

use crate::error::Error;
use crate::key::wrapping_key::{WrappingPrivateKey, WrappingPublicKey};
use crate::limits::{MAX_ENCRYPTED_KEY_MATERIAL_LEN, MAX_MATERIAL_LEN};
use crate::policy::matrix::{self, Reason, Refusal};
use crate::policy::names::{
    KeySpec, MaterialKind, Partition, WrappingAlgorithm, WrappingKeySpec, WrappingScheme,
};

mod decoders;
mod service;

/// The fixed-width modular arithmetic (`crate::arith`) behind a runtime width.
pub use crate::arith::fuzzing as arith;
pub use crate::arith::fuzzing::modexp;

pub use decoders::{kwp_unwrap, oaep_decode};
pub use service::{import_key_material_call, import_token_open, open_sealed_body};

/// `unwrap_<algorithm>`: `EncryptedKeyMaterial` straight from the attacker.
///
/// Invariants: the only failure a ciphertext can cause is the opaque
/// [`Error::InvalidCiphertext`]; a ciphertext over 6144 bytes never unwraps; what does unwrap is
/// at most [`MAX_MATERIAL_LEN`] bytes (0 bytes only from an RSAES-OAEP block, which can carry
/// an empty message). `RSAES_PKCS1_V1_5` cannot reach unwrap at all (it has no
/// [`WrappingScheme`]).
pub fn unwrap<R: CryptoRng + ?Sized>(
    key: &WrappingPrivateKey,
    algorithm: WrappingAlgorithm,
    ciphertext: &[u8],
    rng: &mut R,
) {
    let Ok(scheme) = WrappingScheme::try_from(algorithm) else {
        assert_eq!(algorithm, WrappingAlgorithm::RsaesPkcs1V15);
        return;
    };
    let outcome = key.unwrap_key_material(scheme, ciphertext, rng);
    // Errors that do not depend on the ciphertext at all.
    let fixed = matrix::check_wrapping_key(scheme, key.spec(), 0).map_err(Error::from);
    match (outcome, fixed) {
        (Ok(material), Ok(())) => {
            assert!(
                ciphertext.len() <= MAX_ENCRYPTED_KEY_MATERIAL_LEN,
                "a ciphertext over the size limit was unwrapped"
            );
            assert!(
                material.len() <= MAX_MATERIAL_LEN
                    && (!material.is_empty() || scheme.is_oaep_of_material()),
                "unwrapped material of {} bytes",
                material.len()
            );
        }
        (Err(Error::InvalidCiphertext), Ok(())) => {}
        (Err(e), Err(expected)) => assert_eq!(e, expected, "refusal of the algorithm/key pair"),
        (Err(e), Ok(())) => panic!("a ciphertext caused a descriptive error: {e:?}"),
        (Ok(_), Err(e)) => panic!("unwrapped although the algorithm is refused: {e:?}"),
    }
}

/// `roundtrip`: material × algorithm × wrapping key → wrap → unwrap gives the same bytes, or both
/// sides refuse, for the same described reason.
pub fn roundtrip<R: CryptoRng + ?Sized>(
    key: &WrappingPrivateKey,
    algorithm: WrappingAlgorithm,
    material: &[u8],
    rng: &mut R,
) {
    let Ok(scheme) = WrappingScheme::try_from(algorithm) else {
        assert_eq!(algorithm, WrappingAlgorithm::RsaesPkcs1V15);
        return;
    };
    let public = key.public_key();
    let limit = scheme.max_material_len(key.spec());
    match public.wrap_key_material(scheme, material, rng) {
        Ok(ciphertext) => {
            assert!(
                ciphertext.len() <= MAX_ENCRYPTED_KEY_MATERIAL_LEN,
                "wrap wrote {} bytes, more than KMS accepts",
                ciphertext.len()
            );
            let limit = limit.unwrap_or_else(|| panic!("wrapped under a refused pair"));
            assert!(!material.is_empty() && material.len() <= limit);
            match key.unwrap_key_material(scheme, &ciphertext, rng) {
                Ok(unwrapped) => assert!(
                    unwrapped.ct_eq(material),
                    "unwrap gave other bytes than were wrapped"
                ),
                Err(e) => panic!("our own ciphertext did not unwrap: {e:?}"),
            }
        }
        Err(e) => {
            let described = match (&e, limit) {
                // The pair itself is refused: unwrap must refuse the same way, whatever it gets.
                (Error::NotAllowed(refusal), None) => {
                    assert_eq!(refusal.reason, Reason::WrappingKeySpecMismatch);
                    let unwrap_refusal = key.unwrap_key_material(scheme, material, rng).err();
                    assert_eq!(unwrap_refusal, Some(e.clone()));
                    true
                }
                (Error::MaterialLength { len }, Some(_)) => {
                    *len == material.len() && (material.is_empty() || *len > MAX_MATERIAL_LEN)
                }
                (Error::NotAllowed(refusal), Some(limit)) => {
                    refusal.reason
                        == (Reason::MaterialTooLongForOaep {
                            material_len: material.len(),
                            limit,
                        })
                        && material.len() > limit
                }
                _ => false,
            };
            assert!(
                described,
                "wrap refused {} bytes with {e:?}",
                material.len()
            );
        }
    }
}

/// `names`: any string through every AWS enumeration. A name that parses prints back exactly; one
/// that does not is refused with the list of valid values.
pub fn names(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    macro_rules! check {
        ($($ty:ty),+) => {$(
            match text.parse::<$ty>() {
                Ok(value) => {
                    assert_eq!(value.as_str(), text);
                    assert_eq!(value.to_string(), text);
                    assert!(<$ty>::ALL.contains(&value));
                }
                Err(e) => {
                    assert!(!<$ty>::NAMES.contains(&text), "{text:?} is a valid name");
                    assert_eq!(e.valid, <$ty>::NAMES);
                    let message = e.to_string();
                    assert!(<$ty>::NAMES.iter().all(|n| message.contains(n)));
                    assert_eq!(Error::from(e).to_string(), message);
                }
            }
        )+};
    }
    check!(WrappingKeySpec, WrappingAlgorithm, KeySpec, Partition);
}

/// `matrix`: any combination of the four names. Never panics; a refusal echoes the question and
/// explains itself; an acceptance is consistent with what `wrap` will do. The answer is returned
/// so the fuzz crate can hold it against its own, naive statement of the rules.
pub fn matrix(
    partition: Partition,
    algorithm: WrappingAlgorithm,
    wrapping_key_spec: WrappingKeySpec,
    key_spec: KeySpec,
) -> Result<(), Refusal> {
    let answer = matrix::check(partition, algorithm, wrapping_key_spec, key_spec);
    assert_eq!(
        answer,
        matrix::check(partition, algorithm, wrapping_key_spec, key_spec)
    );
    match answer {
        Ok(()) => {
            assert_ne!(algorithm, WrappingAlgorithm::RsaesPkcs1V15);
            assert_ne!(key_spec.material_kind(), MaterialKind::NotImportable);
            let limit = WrappingScheme::from_algorithm(algorithm)
                .and_then(|s| s.max_material_len(wrapping_key_spec))
                .unwrap_or_else(|| panic!("accepted, but wrap refuses the pair"));
            assert!(key_spec.max_material_len(partition) <= limit);
        }
        Err(refusal) => {
            assert_eq!(
                (
                    refusal.partition,
                    refusal.wrapping_algorithm,
                    refusal.wrapping_key_spec,
                    refusal.key_spec
                ),
                (
                    Some(partition),
                    Some(algorithm),
                    Some(wrapping_key_spec),
                    Some(key_spec)
                )
            );
            // Every alternative offered is allowed where it is offered, for the same key spec.
            for s in refusal.suggestions() {
                assert_eq!(s.key_spec, key_spec);
                assert_eq!(
                    matrix::check(
                        s.partition,
                        s.wrapping_algorithm,
                        s.wrapping_key_spec,
                        s.key_spec
                    ),
                    Ok(()),
                    "suggested {s:?} for {refusal:?}"
                );
            }
            assert_eq!(
                refusal.reason == Reason::Deprecated,
                algorithm == WrappingAlgorithm::RsaesPkcs1V15
            );
            let message = refusal.to_string();
            assert!(!message.is_empty());
            assert_eq!(Error::from(refusal).to_string(), message);
        }
    }
    answer
}

/// `spki_and_pkcs8_parse`: the same bytes as a DER SubjectPublicKeyInfo and as a PKCS#8 private
/// key. Whatever is accepted re-encodes to something that reads back as the same key.
pub fn spki_and_pkcs8_parse(data: &[u8]) {
    if let Ok(public) = WrappingPublicKey::from_der(data) {
        let der = public.to_der();
        let again = WrappingPublicKey::from_der(&der)
            .unwrap_or_else(|e| panic!("our own SPKI does not read back: {e:?}"));
        assert!(again == public);
        assert_eq!(again.to_der(), der);
        assert_eq!(again.spec(), public.spec());
    }
    if let Ok(private) = WrappingPrivateKey::from_pkcs8_der(data) {
        let der = private
            .to_pkcs8_der()
            .unwrap_or_else(|e| panic!("an accepted key does not encode: {e:?}"));
        let again = WrappingPrivateKey::from_pkcs8_der(&der)
            .unwrap_or_else(|e| panic!("our own PKCS#8 does not read back: {e:?}"));
        assert_eq!(again.spec(), private.spec());
        assert!(again.public_key() == private.public_key());
        let spki: Vec<u8> = private.public_key().to_der();
        assert!(WrappingPublicKey::from_der(&spki).is_ok());
    }
}

/// `key_material_pkcs8`: material validation for a key spec. Refusals are
/// [`Error::IncorrectKeyMaterial`], or [`Error::NotAllowed`] for a key spec that takes no material
/// in the partition; accepted material has the exact length of its key spec (symmetric, HMAC) or
/// fits within [`KeySpec::max_material_len`], which is what the matrix's OAEP size rule relies on.
pub fn key_material_pkcs8<R: CryptoRng + ?Sized>(
    key_spec: KeySpec,
    partition: Partition,
    material: &[u8],
    rng: &mut R,
) {
    let answer = crate::policy::material::validate(partition, key_spec, material, rng);
    match answer {
        Ok(()) => {
            assert_ne!(key_spec.material_kind(), MaterialKind::NotImportable);
            let max = key_spec.max_material_len(partition);
            assert!(
                !material.is_empty() && material.len() <= max,
                "{key_spec} material of {} bytes accepted; the matrix assumes at most {max}",
                material.len()
            );
            if let Some(len) = key_spec.raw_material_len(partition) {
                assert_eq!(material.len(), len);
            }
        }
        Err(Error::IncorrectKeyMaterial(refusal)) => {
            assert_eq!((refusal.key_spec, refusal.partition), (key_spec, partition));
            assert!(!refusal.to_string().is_empty());
        }
        Err(Error::NotAllowed(refusal)) => assert!(
            key_spec.material_kind() == MaterialKind::NotImportable
                || !key_spec.exists_in(partition),
            "{refusal}"
        ),
        Err(other) => panic!("material check failed with {other:?}"),
    }
}

/// `sm2_ciphertext_der`: the GM/T 0009 parser. What it accepts is strict DER, so encoding the
/// fields again gives back the very same bytes; and it bounds C2 by [`MAX_MATERIAL_LEN`].
pub fn sm2_ciphertext_der(data: &[u8]) {
    if let Some(c) = crate::algorithm::sm2_ciphertext::decode(data) {
        assert!(!c.c2.is_empty() && c.c2.len() <= MAX_MATERIAL_LEN);
        let again = crate::algorithm::sm2_ciphertext::encode(&c.x1, &c.y1, c.c3, c.c2);
        assert_eq!(
            again.as_slice(),
            data,
            "SM2 ciphertext DER is not canonical"
        );
    }
}
