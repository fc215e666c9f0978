//! `material::validate`: symmetric and HMAC lengths, key specs without import, the PKCS#8 envelope
//! and DER strictness (the ImportKeyMaterial checks). EC, RSA and OpenSSL-generated keys are
//! in `material_ec.rs`, `material_rsa.rs` and `material_openssl.rs`.

mod key_der;

use key_der::*;
use kms_import::material::MaterialReason;
use kms_import::matrix::Reason;
use kms_import::{Error, KeySpec, MaterialKind, Partition, material};

use KeySpec as K;
use Partition::{Aws, AwsCn, AwsUsGov};

// ---------- symmetric and HMAC ----------

#[test]
fn symmetric_and_hmac_need_their_exact_length() {
    // API v2: the reason is structured (`MaterialReason::Length`), checked here besides the text,
    // whose wording changed ("incorrect HMAC_224 key material: it must be exactly 28 bytes").
    let cases = [
        (
            K::SymmetricDefault,
            Aws,
            32,
            "exactly 32 bytes (an AES-256 key)",
        ),
        (
            K::SymmetricDefault,
            AwsUsGov,
            32,
            "exactly 32 bytes (an AES-256 key)",
        ),
        (
            K::SymmetricDefault,
            AwsCn,
            16,
            "exactly 16 bytes (an SM4 key",
        ),
        (K::Hmac224, Aws, 28, "exactly 28 bytes"),
        (K::Hmac256, Aws, 32, "exactly 32 bytes"),
        (K::Hmac384, AwsCn, 48, "exactly 48 bytes"),
        (K::Hmac512, Aws, 64, "exactly 64 bytes"),
    ];
    for (spec, partition, right, reason) in cases {
        for len in 0..=80usize {
            let material = vec![0xA5; len];
            if len == right {
                accepted(spec, partition, &material);
            } else {
                // Empty raw material included: it is the wrong length like any other (API v2:
                // `MaterialReason::Length { actual: 0 }`, no longer a separate "empty" refusal).
                if len == 0 {
                    refused(spec, partition, &material, "not 0");
                }
                refused(spec, partition, &material, reason);
                refused(spec, partition, &material, spec.as_str());
                match material::validate(partition, spec, &material, &mut rng(len as u64)) {
                    Err(Error::IncorrectKeyMaterial(r)) => assert!(
                        matches!(
                            r.reason,
                            MaterialReason::Length { expected, actual, .. }
                                if expected == right && actual == len
                        ),
                        "{spec} in {partition}, {len} bytes: {r:?}"
                    ),
                    other => panic!("{spec} in {partition}, {len} bytes: {other:?}"),
                }
            }
        }
        assert_eq!(spec.max_material_len(partition), right);
        assert_eq!(spec.raw_material_len(partition), Some(right));
    }
    // The AES-256 length is wrong in the China Regions and the SM4 length everywhere else.
    refused(K::SymmetricDefault, AwsCn, &[7; 32], "16 bytes");
    refused(K::SymmetricDefault, Aws, &[7; 16], "32 bytes");
}

#[test]
fn length_bound_comes_before_parsing() {
    let too_long = vec![0x30; kms_import::limits::MAX_MATERIAL_LEN + 1];
    for &spec in KeySpec::ALL {
        if spec.material_kind() == MaterialKind::NotImportable {
            // API v2: a key spec that takes no material is refused before the bytes are looked
            // at (the matrix's refusal, not IncorrectKeyMaterial).
            for material in [&too_long[..], &[]] {
                not_allowed(
                    spec,
                    AwsCn,
                    material,
                    Reason::KeySpecNotImportable,
                    "cannot receive",
                );
            }
        } else {
            refused(spec, AwsCn, &too_long, "longer than any key spec accepts");
            match spec.raw_material_len(AwsCn) {
                // API v2: empty raw material is refused as the wrong length ("..., not 0").
                Some(len) => refused(spec, AwsCn, &[], &format!("exactly {len} bytes")),
                None => refused(spec, AwsCn, &[], "empty"),
            }
        }
    }
}

#[test]
fn key_specs_without_import_and_sm2_outside_china() {
    let good_sm2 = sm2_parts(1).pkcs8_plain();
    for spec in [
        K::EccNistEdwards25519,
        K::MlDsa44,
        K::MlDsa65,
        K::MlDsa87,
        K::MlKem512,
        K::MlKem768,
        K::MlKem1024,
    ] {
        // API v2: the matrix's refusal (Error::NotAllowed), no longer IncorrectKeyMaterial.
        not_allowed(
            spec,
            Aws,
            &[1; 32],
            Reason::KeySpecNotImportable,
            "cannot receive imported key material",
        );
    }
    accepted(K::Sm2, AwsCn, &good_sm2);
    // API v2: the matrix's refusal, whose alternative names the China Regions' partition.
    for partition in [Aws, AwsUsGov] {
        not_allowed(
            K::Sm2,
            partition,
            &good_sm2,
            Reason::KeySpecNotInPartition,
            &format!("the SM2 key spec does not exist in {partition}"),
        );
        not_allowed(
            K::Sm2,
            partition,
            &good_sm2,
            Reason::KeySpecNotInPartition,
            "in aws-cn",
        );
    }
}

// ---------- PKCS#8 envelope and DER strictness ----------

#[test]
fn pkcs8_envelope_is_strict_der_with_nothing_trailing() {
    let k = p256_parts(40);
    let good = k.pkcs8_plain();
    accepted(K::EccNistP256, Aws, &good);

    let mut trailing = good.clone();
    trailing.push(0x00);
    refused(
        K::EccNistP256,
        Aws,
        &trailing,
        "bytes follow the PKCS#8 structure",
    );

    // BER long-form length for the outer SEQUENCE (0x81 0x87 is minimal; 0x82 0x00 0x87 is not).
    assert_eq!(&good[..3], &[0x30, 0x81, 0x87]);
    let long_form = [&[0x30, 0x82, 0x00, 0x87][..], &good[3..]].concat();
    refused(K::EccNistP256, Aws, &long_form, NOT_DER);
    // Long form where the short form would do (length < 128).
    let small = ec_pkcs8(P256, &ec_private_key(&k.scalar, None, None));
    assert!(small[1] < 0x80);
    let small_long = [&[0x30, 0x81][..], &small[1..]].concat();
    refused(K::EccNistP256, Aws, &small_long, NOT_DER);
    // Indefinite length (BER only).
    let indefinite = [&[0x30, 0x80][..], &small[2..], &[0, 0]].concat();
    refused(K::EccNistP256, Aws, &indefinite, NOT_DER);
    // Non-minimal INTEGER for the PKCS#8 version (02 02 00 00).
    let alg_id = seq(&[&oid(ID_EC_PUBLIC_KEY), &oid(P256)]);
    let inner = ec_private_key(&k.scalar, None, None);
    let nonminimal = seq(&[&[0x02, 0x02, 0x00, 0x00], &alg_id, &octets(&inner)]);
    refused(K::EccNistP256, Aws, &nonminimal, NOT_DER);
    // Truncated at every length.
    for len in 1..good.len() {
        assert!(matches!(
            material::validate(Aws, K::EccNistP256, &good[..len], &mut rng(len as u64)),
            Err(Error::IncorrectKeyMaterial(_))
        ));
    }
}

#[test]
fn pkcs8_version_attributes_and_bare_formats() {
    let k = p256_parts(50);
    let alg_id = seq(&[&oid(ID_EC_PUBLIC_KEY), &oid(P256)]);
    let inner = ec_private_key(&k.scalar, None, Some(&k.uncompressed));
    // RFC 5958 v2 with a [1] public key.
    let pub_bits = [&[0u8][..], &k.uncompressed].concat();
    let v2 = seq(&[&uint(&[1]), &alg_id, &octets(&inner), &tlv(0x81, &pub_bits)]);
    refused(K::EccNistP256, Aws, &v2, "only PKCS#8 version 0");
    let v2_no_pub = seq(&[&uint(&[1]), &alg_id, &octets(&inner)]);
    refused(K::EccNistP256, Aws, &v2_no_pub, "only PKCS#8 version 0");
    // Version 0 with attributes [0] (a SET OF Attribute, here one empty-valued friendlyName).
    let attribute = seq(&[
        &oid("1.2.840.113549.1.9.20"),
        &tlv(0x31, &tlv(0x1E, &[0, 0x41])),
    ]);
    let with_attrs = seq(&[
        &uint(&[0]),
        &alg_id,
        &octets(&inner),
        &tlv(0xA0, &attribute),
    ]);
    refused(
        K::EccNistP256,
        Aws,
        &with_attrs,
        "attributes are not accepted",
    );
    // Version 0 with a v2 public key.
    let v1_with_pub = seq(&[&uint(&[0]), &alg_id, &octets(&inner), &tlv(0x81, &pub_bits)]);
    refused(K::EccNistP256, Aws, &v1_with_pub, "only PKCS#8 version 0");
    // Bare SEC1 and PKCS#1.
    refused(K::EccNistP256, Aws, &inner, "bare SEC1 ECPrivateKey");
    let rsa = RsaFields::from_pkcs8(&rust_rsa_pkcs8(2048, 51));
    refused(
        K::Rsa2048,
        Aws,
        &rsa.rsa_private_key(),
        "bare PKCS#1 RSAPrivateKey",
    );
    // PEM is not DER.
    refused(
        K::EccNistP256,
        Aws,
        b"-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n",
        NOT_DER,
    );
}

#[test]
fn random_bytes_and_other_algorithms_are_refused() {
    use rand::Rng;
    let mut r = rng(60);
    for len in [1usize, 2, 31, 32, 121, 138, 1217, 4096] {
        let mut bytes = vec![0u8; len];
        r.fill_bytes(&mut bytes);
        bytes[0] = 0x04; // an OCTET STRING tag, never a SEQUENCE
        for spec in ASYMMETRIC {
            refused(spec, AwsCn, &bytes, NOT_DER);
        }
    }
    // Ed25519 PKCS#8 (RFC 8410): the envelope is fine, the algorithm is not.
    let ed25519 = pkcs8("1.3.101.112", None, &octets(&[9; 32]));
    for spec in [K::Rsa2048, K::Rsa3072, K::Rsa4096] {
        refused(spec, Aws, &ed25519, "not rsaEncryption");
    }
    for spec in [
        K::EccNistP256,
        K::EccNistP384,
        K::EccNistP521,
        K::EccSecgP256k1,
    ] {
        refused(spec, Aws, &ed25519, "not id-ecPublicKey");
    }
    refused(K::Sm2, AwsCn, &ed25519, "not id-ecPublicKey");
    // An RSA key into an EC spec and the other way round.
    let rsa = rust_rsa_pkcs8(2048, 61);
    refused(K::EccNistP256, Aws, &rsa, "not id-ecPublicKey");
    refused(
        K::Rsa2048,
        Aws,
        &p256_parts(62).crate_pkcs8,
        "not rsaEncryption",
    );
}
