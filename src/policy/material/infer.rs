//! Which key specs a piece of key material can be for, when the caller does not say.
//!
//! A client that wraps material without being told the KMS key's spec (`kms-import wrap` without
//! `--key-spec`) still wants the matrix and the material checks to run. [`infer_key_specs`] reads
//! the *shape* of the material and names the key specs of that shape; the caller then runs
//! [`crate::matrix::check`] and [`crate::material::validate`] for each of them, so every refusal
//! is the checks' own, with their reasons.
//!
//! Shapes, and where they come from (sizes and curves are read from the per-key-spec table,
//! [`crate::material::KEY_SPECS`]):
//!
//! | material | key specs |
//! | --- | --- |
//! | PKCS#8 `rsaEncryption` (RFC 8017 A.1), modulus of 2048/3072/4096 bits | `RSA_2048`/`RSA_3072`/`RSA_4096` |
//! | PKCS#8 `rsaEncryption`, any other or unreadable modulus | all three RSA key specs |
//! | PKCS#8 `id-ecPublicKey` (RFC 5480 §2.1.1) with namedCurve secp256r1, secp384r1, secp521r1 (RFC 5480 §2.1.1.1), secp256k1 (SEC 2 §A.2), sm2p256v1 (GM/T 0006) | `ECC_NIST_P256`, `ECC_NIST_P384`, `ECC_NIST_P521`, `ECC_SECG_P256K1`, `SM2` |
//! | PKCS#8 `id-ecPublicKey` on another curve, or without a namedCurve | the five ECC and SM2 key specs |
//! | PKCS#8 with the SM2 OID 1.2.156.10197.1.301 as the algorithm | `SM2` |
//! | PKCS#8 `id-Ed25519` (RFC 8410) | `ECC_NIST_EDWARDS25519` |
//! | PKCS#8 `id-ml-dsa-44/65/87` (FIPS 204; NIST CSOR 2.16.840.1.101.3.4.3.17–19) | `ML_DSA_44/65/87` |
//! | PKCS#8 `id-alg-ml-kem-512/768/1024` (FIPS 203; NIST CSOR 2.16.840.1.101.3.4.4.1–3) | `ML_KEM_512/768/1024` |
//! | PKCS#8 with any other algorithm | none |
//! | anything else (raw bytes) | the `SYMMETRIC_DEFAULT` and `HMAC_*` key specs whose exact length in `partition` ([`KeySpec::raw_material_len`]: 32 bytes for `SYMMETRIC_DEFAULT`, 16 in `aws-cn`; 28/32/48/64 for `HMAC_224/256/384/512`) is the material's length |
//!
//! PKCS#8 shapes are named whatever the partition and whether or not KMS imports them
//! (`SM2` outside `aws-cn`, Ed25519, ML-DSA, ML-KEM), so that the checks the caller runs next say
//! *why* such material is refused rather than only that nothing fits. The PKCS#8 reading here is
//! deliberately lenient (version, attributes, trailing fields are not looked at): it only picks
//! key specs; [`crate::material::validate`] decides.

use alloc::vec::Vec;

use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Reader, SliceReader};

use crate::policy::key_spec::{EcCurve, KEY_SPECS, MaterialForm};
use crate::policy::names::{KeySpec, Partition};

use crate::policy::material::ec::{ID_EC_PUBLIC_KEY, oid as curve_oid};
use crate::policy::material::rsa::RSA_ENCRYPTION_OID as RSA_ENCRYPTION;

/// SM2 keys written with the curve OID as the algorithm (some tools do).
const SM2_CURVE: ObjectIdentifier = curve_oid(EcCurve::Sm2);
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// Algorithm OIDs that name exactly one key spec.
const ALGORITHMS: [(ObjectIdentifier, KeySpec); 8] = [
    (SM2_CURVE, KeySpec::Sm2),
    (ID_ED25519, KeySpec::EccNistEdwards25519),
    (oid("2.16.840.1.101.3.4.3.17"), KeySpec::MlDsa44),
    (oid("2.16.840.1.101.3.4.3.18"), KeySpec::MlDsa65),
    (oid("2.16.840.1.101.3.4.3.19"), KeySpec::MlDsa87),
    (oid("2.16.840.1.101.3.4.4.1"), KeySpec::MlKem512),
    (oid("2.16.840.1.101.3.4.4.2"), KeySpec::MlKem768),
    (oid("2.16.840.1.101.3.4.4.3"), KeySpec::MlKem1024),
];

/// The curves of `id-ecPublicKey` keys.
const CURVES: [EcCurve; 5] = [
    EcCurve::P256,
    EcCurve::P384,
    EcCurve::P521,
    EcCurve::Secp256k1,
    EcCurve::Sm2,
];

const fn oid(text: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(text)
}

/// The key specs `material` can be key material for in `partition`, judged by its shape alone
/// (see the module documentation for the shapes and their sources). Empty when no key spec
/// fits: raw bytes of a length no symmetric or HMAC key spec of the partition takes, or a PKCS#8
/// key of an algorithm KMS has no key spec for.
///
/// Several key specs may fit: 32 raw bytes are `SYMMETRIC_DEFAULT` or `HMAC_256` material in
/// `aws`. The result is in [`KeySpec::ALL`]'s order, without repeats. This does not check the
/// material: run [`crate::material::validate`] for each key spec returned.
pub fn infer_key_specs(partition: Partition, material: &[u8]) -> Vec<KeySpec> {
    match pkcs8_algorithm(material) {
        Some((algorithm, parameters, private_key)) => {
            pkcs8_key_specs(algorithm, parameters, private_key)
        }
        None => KeySpec::ALL
            .iter()
            .copied()
            .filter(|ks| ks.raw_material_len(partition) == Some(material.len()))
            .collect(),
    }
}

fn pkcs8_key_specs(
    algorithm: ObjectIdentifier,
    parameters: Option<AnyRef<'_>>,
    private_key: &[u8],
) -> Vec<KeySpec> {
    // The rows of the table whose material form `pick` accepts; all rows of the family if none.
    let rows = |pick: &dyn Fn(MaterialForm) -> Option<bool>| -> Vec<KeySpec> {
        let family: Vec<(KeySpec, bool)> = KEY_SPECS
            .iter()
            .filter_map(|row| pick(row.material).map(|exact| (row.key_spec, exact)))
            .collect();
        let exact: Vec<KeySpec> = family.iter().filter(|f| f.1).map(|f| f.0).collect();
        if exact.is_empty() {
            family.into_iter().map(|f| f.0).collect()
        } else {
            exact
        }
    };
    if algorithm == RSA_ENCRYPTION {
        let bits = rsa_modulus_bits(private_key);
        return rows(&|form| match form {
            MaterialForm::RsaPkcs8 { modulus_bits } => Some(Some(modulus_bits) == bits),
            _ => None,
        });
    }
    if algorithm == ID_EC_PUBLIC_KEY {
        let named = parameters.and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let curve = CURVES
            .iter()
            .copied()
            .find(|&c| Some(curve_oid(c)) == named);
        return rows(&|form| match form {
            MaterialForm::EcPkcs8 { curve: c, .. } => Some(Some(c) == curve),
            _ => None,
        });
    }
    ALGORITHMS
        .iter()
        .filter(|(a, _)| *a == algorithm)
        .map(|&(_, ks)| ks)
        .collect()
}

/// The algorithm OID, its parameters and the `privateKey` octets of something shaped like a
/// PKCS#8 `PrivateKeyInfo` (RFC 5208 §5), with nothing after it; `None` for anything else.
fn pkcs8_algorithm(der: &[u8]) -> Option<(ObjectIdentifier, Option<AnyRef<'_>>, &[u8])> {
    let mut reader = SliceReader::new(der).ok()?;
    let parsed = reader
        .sequence(|r| -> der::Result<_> {
            let _version: UintRef<'_> = r.decode()?;
            let algorithm: spki::AlgorithmIdentifierRef<'_> = r.decode()?;
            let private_key: &OctetStringRef = r.decode()?;
            // Attributes or a public key may follow; material::check judges them.
            let rest = r.remaining_len();
            r.read_slice(rest)?;
            Ok((algorithm.oid, algorithm.parameters, private_key.as_bytes()))
        })
        .ok()?;
    reader.is_finished().then_some(parsed)
}

/// The bit length of the modulus of an RFC 8017 A.1.2 `RSAPrivateKey`, if it can be read.
fn rsa_modulus_bits(der: &[u8]) -> Option<u32> {
    let mut reader = SliceReader::new(der).ok()?;
    let modulus = reader
        .sequence(|r| -> der::Result<_> {
            let _version: UintRef<'_> = r.decode()?;
            let modulus = UintRef::decode(r)?;
            let rest = r.remaining_len();
            r.read_slice(rest)?;
            Ok(modulus)
        })
        .ok()?;
    let bytes = modulus.as_bytes();
    let first = *bytes.first()?;
    let len = u32::try_from(bytes.len()).ok()?;
    Some(len * 8 - first.leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn raw_lengths_follow_the_partition() {
        use KeySpec::*;
        assert_eq!(
            infer_key_specs(Partition::Aws, &[1; 32]),
            [SymmetricDefault, Hmac256]
        );
        assert_eq!(infer_key_specs(Partition::AwsCn, &[1; 32]), [Hmac256]);
        assert_eq!(
            infer_key_specs(Partition::AwsCn, &[1; 16]),
            [SymmetricDefault]
        );
        assert_eq!(infer_key_specs(Partition::AwsUsGov, &[1; 28]), [Hmac224]);
        assert_eq!(infer_key_specs(Partition::Aws, &[1; 48]), [Hmac384]);
        assert_eq!(infer_key_specs(Partition::Aws, &[1; 64]), [Hmac512]);
        for len in [0, 1, 16, 24, 31, 33, 44, 100] {
            let none: Vec<KeySpec> = Vec::new();
            assert_eq!(
                infer_key_specs(Partition::Aws, &[1; 100][..len]),
                none,
                "{len}"
            );
        }
    }

    #[test]
    fn pkcs8_shapes_name_their_key_spec() {
        // PrivateKeyInfo { 0, { id-ecPublicKey, secp384r1 }, OCTET STRING { 0x30 0x00 } }.
        let p384 = [
            0x30, 0x19, 0x02, 0x01, 0x00, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
            0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x04, 0x02, 0x30, 0x00,
        ];
        assert_eq!(
            infer_key_specs(Partition::Aws, &p384),
            [KeySpec::EccNistP384]
        );
        // The same with an unknown curve (secp224r1): every ECC key spec, for the checks to refuse.
        let mut p224 = p384;
        p224[22] = 0x21;
        assert_eq!(infer_key_specs(Partition::Aws, &p224).len(), 5);
        // Ed25519: PrivateKeyInfo { 0, { 1.3.101.112 }, OCTET STRING { 0x04 0x00 } }.
        let ed25519 = [
            0x30, 0x0e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x02,
            0x04, 0x00,
        ];
        assert_eq!(
            infer_key_specs(Partition::Aws, &ed25519),
            [KeySpec::EccNistEdwards25519]
        );
        // Trailing bytes: not PKCS#8, and 28 bytes of it is an HMAC_224 length.
        let mut trailing = ed25519.to_vec();
        trailing.extend_from_slice(&[0; 12]);
        assert_eq!(
            infer_key_specs(Partition::Aws, &trailing),
            [KeySpec::Hmac224]
        );
    }

    #[test]
    fn rsa_modulus_size_picks_the_key_spec() {
        // RSAPrivateKey { 0, n = 2^2047 + 1 (257 bytes with the sign byte) } inside PKCS#8.
        let mut n = vec![0u8; 257];
        n[1] = 0x80;
        n[256] = 1;
        let mut rsa_key = vec![
            0x30, 0x82, 0x01, 0x08, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01,
        ];
        rsa_key.extend_from_slice(&n);
        assert_eq!(rsa_modulus_bits(&rsa_key), Some(2048));
        let mut pkcs8 = vec![0x30, 0x82, 0x01, 0x22, 0x02, 0x01, 0x00];
        pkcs8.extend_from_slice(&[
            0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05,
            0x00,
        ]);
        pkcs8.extend_from_slice(&[0x04, 0x82, 0x01, 0x0c]);
        pkcs8.extend_from_slice(&rsa_key);
        assert_eq!(infer_key_specs(Partition::Aws, &pkcs8), [KeySpec::Rsa2048]);
    }
}
