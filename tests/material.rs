//! `material::check`: what each key spec accepts on import (issue 4, ImportKeyMaterial checks).
//! Keys come from the Rust crates and, when it is installed, from the `openssl` CLI.

mod key_der;

use key_der::*;
use kms_import::{Error, KeySpec, Partition, material};

use KeySpec as K;
use Partition::{Aws, AwsCn, AwsUsGov};

fn accepted(spec: KeySpec, partition: Partition, der: &[u8]) {
    assert_eq!(
        material::check(spec, partition, der),
        Ok(()),
        "{spec} in {partition}"
    );
}

/// Refused with `IncorrectKeyMaterial` whose reason contains `phrase`.
fn refused(spec: KeySpec, partition: Partition, der: &[u8], phrase: &str) {
    match material::check(spec, partition, der) {
        Err(Error::IncorrectKeyMaterial(why)) => {
            assert!(
                why.contains(phrase),
                "{spec}: reason {why:?} lacks {phrase:?}"
            )
        }
        other => {
            panic!("{spec} in {partition}: expected a refusal containing {phrase:?}, got {other:?}")
        }
    }
}

const NOT_DER: &str = "not a strict-DER PKCS#8";
const WRONG_CURVE: &str = "on another curve";
const ASYMMETRIC: [KeySpec; 8] = [
    K::Rsa2048,
    K::Rsa3072,
    K::Rsa4096,
    K::EccNistP256,
    K::EccNistP384,
    K::EccNistP521,
    K::EccSecgP256k1,
    K::Sm2,
];

// ---------- symmetric and HMAC ----------

#[test]
fn symmetric_and_hmac_need_their_exact_length() {
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
            "exactly 16 bytes (an SM4 key)",
        ),
        (
            K::Hmac224,
            Aws,
            28,
            "HMAC_224 material must be exactly 28 bytes",
        ),
        (
            K::Hmac256,
            Aws,
            32,
            "HMAC_256 material must be exactly 32 bytes",
        ),
        (
            K::Hmac384,
            AwsCn,
            48,
            "HMAC_384 material must be exactly 48 bytes",
        ),
        (
            K::Hmac512,
            Aws,
            64,
            "HMAC_512 material must be exactly 64 bytes",
        ),
    ];
    for (spec, partition, right, reason) in cases {
        for len in 0..=80usize {
            let material = vec![0xA5; len];
            if len == right {
                accepted(spec, partition, &material);
            } else if len == 0 {
                refused(spec, partition, &material, "empty");
            } else {
                refused(spec, partition, &material, reason);
            }
        }
        assert_eq!(material::max_len(spec, partition), right);
    }
    // The AES-256 length is wrong in the China Regions and the SM4 length everywhere else.
    refused(K::SymmetricDefault, AwsCn, &[7; 32], "16 bytes");
    refused(K::SymmetricDefault, Aws, &[7; 16], "32 bytes");
}

#[test]
fn length_bound_comes_before_parsing() {
    let too_long = vec![0x30; kms_import::limits::MAX_MATERIAL_LEN + 1];
    for spec in KeySpec::ALL {
        refused(*spec, AwsCn, &too_long, "longer than any key spec accepts");
        refused(*spec, AwsCn, &[], "empty");
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
        refused(spec, Aws, &[1; 32], "cannot receive imported key material");
    }
    accepted(K::Sm2, AwsCn, &good_sm2);
    refused(K::Sm2, Aws, &good_sm2, "only in the China Regions");
    refused(K::Sm2, AwsUsGov, &good_sm2, "only in the China Regions");
}

// ---------- EC keys built with the Rust crates ----------

/// Scalar and public point (uncompressed and compressed) of a fresh key.
struct EcParts {
    curve: &'static str,
    scalar: Vec<u8>,
    uncompressed: Vec<u8>,
    compressed: Vec<u8>,
    crate_pkcs8: Vec<u8>,
}

impl EcParts {
    fn pkcs8_plain(&self) -> Vec<u8> {
        ec_pkcs8(
            self.curve,
            &ec_private_key(&self.scalar, None, Some(&self.uncompressed)),
        )
    }
}

macro_rules! ec_parts_fn {
    ($name:ident, $krate:ident, $curve:expr) => {
        fn $name(seed: u64) -> EcParts {
            use $krate::elliptic_curve::Generate;
            use $krate::elliptic_curve::sec1::ToSec1Point;
            use $krate::pkcs8::EncodePrivateKey;
            let sk = $krate::SecretKey::generate_from_rng(&mut rng(seed));
            let pk = sk.public_key();
            EcParts {
                curve: $curve,
                scalar: sk.to_bytes().to_vec(),
                uncompressed: pk.to_sec1_point(false).as_bytes().to_vec(),
                compressed: pk.to_sec1_point(true).as_bytes().to_vec(),
                crate_pkcs8: sk.to_pkcs8_der().unwrap().as_bytes().to_vec(),
            }
        }
    };
}
ec_parts_fn!(p256_parts, p256, P256);
ec_parts_fn!(p384_parts, p384, P384);
ec_parts_fn!(p521_parts, p521, P521);
ec_parts_fn!(k256_parts, k256, SECP256K1);
ec_parts_fn!(sm2_parts, sm2, SM2);

fn ec_cases() -> Vec<(KeySpec, Partition, EcParts, EcParts, &'static str)> {
    vec![
        (
            K::EccNistP256,
            Aws,
            p256_parts(10),
            p256_parts(11),
            "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        ),
        (
            K::EccNistP384,
            Aws,
            p384_parts(12),
            p384_parts(13),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        ),
        (
            K::EccNistP521,
            Aws,
            p521_parts(14),
            p521_parts(15),
            "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
        ),
        (
            K::EccSecgP256k1,
            Aws,
            k256_parts(16),
            k256_parts(17),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141",
        ),
        (
            K::Sm2,
            AwsCn,
            sm2_parts(18),
            sm2_parts(19),
            "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123",
        ),
    ]
}

#[test]
fn ec_keys_of_every_curve_in_every_layout_are_accepted() {
    for (spec, partition, k, _, _) in ec_cases() {
        accepted(spec, partition, &k.crate_pkcs8);
        for params in [None, Some(k.curve)] {
            for public in [None, Some(&k.uncompressed), Some(&k.compressed)] {
                let inner = ec_private_key(&k.scalar, params, public.map(|v| v.as_slice()));
                accepted(spec, partition, &ec_pkcs8(k.curve, &inner));
            }
        }
    }
}

#[test]
fn ec_scalar_range_and_length() {
    for (spec, partition, k, _, order_hex) in ec_cases() {
        let n = hex::decode(order_hex).unwrap();
        let mut n_minus_1 = n.clone();
        *n_minus_1.last_mut().unwrap() -= 1;
        let with = |scalar: &[u8]| ec_pkcs8(k.curve, &ec_private_key(scalar, None, None));
        accepted(spec, partition, &with(&n_minus_1));
        let range = "must be in [1, n - 1]";
        refused(spec, partition, &with(&vec![0; n.len()]), range);
        refused(spec, partition, &with(&n), range);
        refused(spec, partition, &with(&vec![0xFF; n.len()]), range);
        let length = "exactly the curve's scalar length";
        refused(spec, partition, &with(&k.scalar[1..]), length);
        refused(
            spec,
            partition,
            &with(&[&[0u8][..], &k.scalar].concat()),
            length,
        );
        refused(spec, partition, &with(&[]), length);
    }
}

#[test]
fn ec_public_key_must_match_and_be_a_point() {
    for (spec, partition, k, other, _) in ec_cases() {
        let with =
            |public: &[u8]| ec_pkcs8(k.curve, &ec_private_key(&k.scalar, None, Some(public)));
        let mismatch = "does not match the private key";
        refused(spec, partition, &with(&other.uncompressed), mismatch);
        refused(spec, partition, &with(&other.compressed), mismatch);
        // The same x with the other y: on the curve, but not [d]G.
        let mut negated = k.compressed.clone();
        negated[0] ^= 0x01;
        refused(spec, partition, &with(&negated), mismatch);
        let not_a_point = "not a compressed or uncompressed point";
        let mut off_curve = k.uncompressed.clone();
        *off_curve.last_mut().unwrap() ^= 0x01;
        refused(spec, partition, &with(&off_curve), not_a_point);
        let mut hybrid = k.uncompressed.clone();
        hybrid[0] = 0x06 | (k.uncompressed.last().unwrap() & 1);
        refused(spec, partition, &with(&hybrid), not_a_point);
        refused(spec, partition, &with(&[0x00]), not_a_point);
        refused(
            spec,
            partition,
            &with(&k.uncompressed[..k.uncompressed.len() - 1]),
            not_a_point,
        );
        // A BIT STRING with unused bits is not an octet string of a point.
        let mut bits = vec![0x01];
        bits.extend_from_slice(&k.uncompressed);
        let inner = seq(&[
            &uint(&[1]),
            &octets(&k.scalar),
            &tlv(0xA1, &tlv(0x03, &bits)),
        ]);
        refused(spec, partition, &ec_pkcs8(k.curve, &inner), not_a_point);
    }
}

#[test]
fn ec_key_on_the_wrong_curve_is_refused() {
    let cases = ec_cases();
    for (spec, partition, _, _, _) in &cases {
        for (other_spec, _, k, _, _) in &cases {
            if other_spec != spec {
                refused(*spec, *partition, &k.crate_pkcs8, WRONG_CURVE);
            }
        }
    }
    // Inner parameters naming another curve than the AlgorithmIdentifier.
    let k = p256_parts(20);
    let inner = ec_private_key(&k.scalar, Some(P384), Some(&k.uncompressed));
    refused(
        K::EccNistP256,
        Aws,
        &ec_pkcs8(P256, &inner),
        "parameters name another curve",
    );
    // Parameters that are not a namedCurve OID.
    let absent = pkcs8(
        ID_EC_PUBLIC_KEY,
        None,
        &ec_private_key(&k.scalar, None, None),
    );
    refused(K::EccNistP256, Aws, &absent, "namedCurve OID");
    let null = pkcs8(
        ID_EC_PUBLIC_KEY,
        Some(NULL),
        &ec_private_key(&k.scalar, None, None),
    );
    refused(K::EccNistP256, Aws, &null, "namedCurve OID");
    let inner_null = seq(&[&uint(&[1]), &octets(&k.scalar), &tlv(0xA0, NULL)]);
    refused(
        K::EccNistP256,
        Aws,
        &ec_pkcs8(P256, &inner_null),
        "namedCurve OID",
    );
    // SM2 written with the SM2 OID as the algorithm: not what OpenSSL 3 writes; refused.
    let s = sm2_parts(21);
    let sm2_alg = pkcs8(SM2, None, &ec_private_key(&s.scalar, None, None));
    refused(K::Sm2, AwsCn, &sm2_alg, "not id-ecPublicKey");
}

#[test]
fn ec_private_key_structure_is_strict() {
    let k = p256_parts(30);
    let v = |version: u8| {
        let inner = seq(&[&uint(&[version]), &octets(&k.scalar)]);
        ec_pkcs8(P256, &inner)
    };
    refused(K::EccNistP256, Aws, &v(0), "version must be 1");
    refused(K::EccNistP256, Aws, &v(2), "version must be 1");
    // Trailing bytes inside the OCTET STRING, after the ECPrivateKey.
    let mut inner = ec_private_key(&k.scalar, None, Some(&k.uncompressed));
    inner.push(0);
    refused(K::EccNistP256, Aws, &ec_pkcs8(P256, &inner), NOT_DER);
    // An unknown [2] field inside the ECPrivateKey.
    let extra = seq(&[&uint(&[1]), &octets(&k.scalar), &tlv(0xA2, NULL)]);
    refused(K::EccNistP256, Aws, &ec_pkcs8(P256, &extra), NOT_DER);
    // Public key before parameters (wrong order).
    let swapped = seq(&[
        &uint(&[1]),
        &octets(&k.scalar),
        &tlv(0xA1, &tlv(0x03, &[&[0u8][..], &k.uncompressed].concat())),
        &tlv(0xA0, &oid(P256)),
    ]);
    refused(K::EccNistP256, Aws, &ec_pkcs8(P256, &swapped), NOT_DER);
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
            material::check(K::EccNistP256, Aws, &good[..len]),
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

// ---------- RSA ----------

#[test]
fn rsa_key_from_the_rust_crate_is_accepted_and_checked_for_size() {
    let good = rust_rsa_pkcs8(2048, 70);
    accepted(K::Rsa2048, Aws, &good);
    accepted(K::Rsa2048, AwsCn, &good);
    let size = "modulus is not the size the key spec names";
    refused(K::Rsa3072, Aws, &good, size);
    refused(K::Rsa4096, Aws, &good, size);
}

#[test]
fn rsa_components_must_be_consistent() {
    let good = RsaFields::from_pkcs8(&rust_rsa_pkcs8(2048, 71));
    accepted(K::Rsa2048, Aws, &good.to_pkcs8());
    // The `rsa` crate recomputes dP, dQ and qInv and ignores the stored ones, so it would load
    // every one of these; we must refuse them.
    let cases = [
        (QINV, "qInv (coefficient) is not q^-1 mod p"),
        (DP, "dP (exponent1) is not d mod (p - 1)"),
        (DQ, "dQ (exponent2) is not d mod (q - 1)"),
        (N, "modulus is not the product"),
        (P, "modulus is not the product"),
        (Q, "modulus is not the product"),
        (D, "dP (exponent1) is not d mod (p - 1)"),
        (E, "not the inverse of e modulo p - 1"),
    ];
    for (field, reason) in cases {
        let bad = good.clone().corrupt(field).to_pkcs8();
        refused(K::Rsa2048, Aws, &bad, reason);
        if field == QINV || field == DP || field == DQ {
            use rsa::pkcs8::DecodePrivateKey;
            let loaded = rsa::PrivateKey::from_pkcs8_der(&bad).is_ok();
            println!("rsa crate loads a key with a corrupted field {field}: {loaded}");
        }
    }
    // Out-of-range values.
    let mut f = good.clone();
    f.ints[QINV] = f.ints[P].clone(); // qInv = p ≥ p
    refused(K::Rsa2048, Aws, &f.to_pkcs8(), "qInv (coefficient)");
    let mut f = good.clone();
    f.ints[D] = vec![0];
    refused(K::Rsa2048, Aws, &f.to_pkcs8(), "0 < d < n");
    let mut f = good.clone();
    f.ints[D] = f.ints[N].clone();
    refused(K::Rsa2048, Aws, &f.to_pkcs8(), "0 < d < n");
    let mut f = good.clone();
    f.ints[D] = [&[1u8][..], &f.ints[N]].concat();
    refused(K::Rsa2048, Aws, &f.to_pkcs8(), "longer than the modulus");
    // p and q swapped: still n = p·q, but dP, dQ and qInv belong to the other order.
    let mut f = good.clone();
    f.ints.swap(P, Q);
    refused(K::Rsa2048, Aws, &f.to_pkcs8(), "dP (exponent1)");
    let mut f = good.clone();
    f.ints.swap(P, Q);
    f.ints.swap(DP, DQ);
    refused(K::Rsa2048, Aws, &f.to_pkcs8(), "qInv (coefficient)");
    // p = q.
    let mut f = good.clone();
    f.ints[Q] = f.ints[P].clone();
    refused(K::Rsa2048, Aws, &f.to_pkcs8(), "p and q must differ");
}

#[test]
fn rsa_exponent_primes_and_structure() {
    let good = RsaFields::from_pkcs8(&rust_rsa_pkcs8(2048, 72));
    let exponent = "public exponent must be odd and 2^16 < e < 2^256";
    for e in [
        &[3u8][..],
        &[0x01, 0x00, 0x00],
        &[0x01, 0x00, 0x02],
        &[0],
        &[1],
    ] {
        let mut f = good.clone();
        f.ints[E] = e.to_vec();
        refused(K::Rsa2048, Aws, &f.to_pkcs8(), exponent);
    }
    let mut f = good.clone();
    f.ints[E] = [&[1u8][..], &[0; 32]].concat(); // 2^256
    refused(K::Rsa2048, Aws, &f.to_pkcs8(), exponent);
    // A short prime (one byte dropped) breaks the half-size rule before any arithmetic.
    let mut f = good.clone();
    f.ints[P].remove(0);
    refused(
        K::Rsa2048,
        Aws,
        &f.to_pkcs8(),
        "each exactly half the modulus size",
    );
    let mut f = good.clone();
    *f.ints[Q].last_mut().unwrap() &= 0xFE;
    refused(K::Rsa2048, Aws, &f.to_pkcs8(), "must be odd");
    // Modulus with its top bit cleared: 2047 bits.
    let mut f = good.clone();
    f.ints[N][0] &= 0x7F;
    refused(K::Rsa2048, Aws, &f.to_pkcs8(), "modulus is not the size");
    // Multi-prime: version 1 with an otherPrimeInfos (here a bogus but well-formed one).
    let info = seq(&[&uint(&[7]), &uint(&[3]), &uint(&[5])]);
    let mut fields: Vec<Vec<u8>> = vec![uint(&[1])];
    fields.extend(good.ints.iter().map(|i| uint(i)));
    fields.push(seq(&[&info]));
    let refs: Vec<&[u8]> = fields.iter().map(|v| v.as_slice()).collect();
    let multi = pkcs8(RSA_ENCRYPTION, Some(NULL), &seq(&refs));
    refused(K::Rsa2048, Aws, &multi, "multi-prime");
    // Version 1 without otherPrimeInfos, and version 0 with them: malformed.
    let mut f = good.clone();
    f.version = vec![1];
    refused(
        K::Rsa2048,
        Aws,
        &f.to_pkcs8(),
        "RSAPrivateKey inside the PKCS#8 is not strict DER",
    );
    // Missing NULL parameters, or other parameters.
    let no_params = pkcs8(RSA_ENCRYPTION, None, &good.rsa_private_key());
    refused(K::Rsa2048, Aws, &no_params, "NULL parameters");
    let oid_params = pkcs8(RSA_ENCRYPTION, Some(&oid(P256)), &good.rsa_private_key());
    refused(K::Rsa2048, Aws, &oid_params, "NULL parameters");
    // RSASSA-PSS keys are another algorithm.
    let pss = pkcs8("1.2.840.113549.1.1.10", None, &good.rsa_private_key());
    refused(K::Rsa2048, Aws, &pss, "not rsaEncryption");
    // Non-minimal INTEGER (leading 00 00) for the modulus, trailing byte inside the OCTET STRING.
    let mut key = good.rsa_private_key();
    let n_tlv = uint(&good.ints[N]);
    let padded = tlv(0x02, &[&[0u8][..], &n_tlv[4..]].concat());
    let pos = key
        .windows(n_tlv.len())
        .position(|w| w == n_tlv.as_slice())
        .unwrap();
    key.splice(pos..pos + n_tlv.len(), padded);
    let body = &key[4..]; // re-wrap with the right outer length
    let nonminimal = pkcs8(RSA_ENCRYPTION, Some(NULL), &tlv(0x30, body));
    refused(
        K::Rsa2048,
        Aws,
        &nonminimal,
        "RSAPrivateKey inside the PKCS#8 is not strict DER",
    );
    let mut trailing = good.rsa_private_key();
    trailing.push(0);
    let trailing = pkcs8(RSA_ENCRYPTION, Some(NULL), &trailing);
    refused(
        K::Rsa2048,
        Aws,
        &trailing,
        "RSAPrivateKey inside the PKCS#8 is not strict DER",
    );
    // Negative modulus.
    let negative = {
        let mut parts = vec![uint(&[0]), tlv(0x02, &good.ints[N])];
        parts.extend(good.ints[1..].iter().map(|i| uint(i)));
        let refs: Vec<&[u8]> = parts.iter().map(|v| v.as_slice()).collect();
        pkcs8(RSA_ENCRYPTION, Some(NULL), &seq(&refs))
    };
    assert!(good.ints[N][0] >= 0x80);
    refused(
        K::Rsa2048,
        Aws,
        &negative,
        "RSAPrivateKey inside the PKCS#8 is not strict DER",
    );
}

// ---------- OpenSSL-generated keys ----------

#[test]
fn openssl_keys_of_every_spec() {
    if !have_openssl("openssl_keys_of_every_spec") {
        return;
    }
    // RSA: genpkey's PEM (PKCS#8), and `pkcs8 -topk8` of the traditional PKCS#1 form.
    let mut rsa_keys = Vec::new();
    for (spec, bits) in [
        (K::Rsa2048, "2048"),
        (K::Rsa3072, "3072"),
        (K::Rsa4096, "4096"),
    ] {
        let args = [
            "-algorithm",
            "RSA",
            "-pkeyopt",
            &format!("rsa_keygen_bits:{bits}"),
        ];
        let pkcs8 = genpkey_pkcs8(&args.iter().map(|s| s.as_ref()).collect::<Vec<&str>>());
        accepted(spec, Aws, &pkcs8);
        let traditional =
            genpkey_traditional_der(&args.iter().map(|s| s.as_ref()).collect::<Vec<&str>>());
        refused(spec, Aws, &traditional, "bare PKCS#1 RSAPrivateKey");
        accepted(spec, Aws, &topk8(&traditional));
        rsa_keys.push((spec, pkcs8));
    }
    // RSA-3072 into RSA_2048 and every other size mismatch.
    for (spec, _) in &rsa_keys {
        for (other, der) in &rsa_keys {
            if other != spec {
                refused(
                    *spec,
                    Aws,
                    der,
                    "modulus is not the size the key spec names",
                );
            }
        }
    }
    // e = 65539 is allowed for material; e = 3 is not.
    let e65539 = genpkey_pkcs8(&[
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-pkeyopt",
        "rsa_keygen_pubexp:65539",
    ]);
    accepted(K::Rsa2048, Aws, &e65539);
    let e3 = genpkey_pkcs8(&[
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-pkeyopt",
        "rsa_keygen_pubexp:3",
    ]);
    refused(K::Rsa2048, Aws, &e3, "2^16 < e < 2^256");
    // Multi-prime RSA from OpenSSL.
    let multi = genpkey_pkcs8(&[
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-pkeyopt",
        "rsa_keygen_primes:3",
    ]);
    refused(K::Rsa2048, Aws, &multi, "multi-prime");
    // Ed25519.
    let ed = genpkey_pkcs8(&["-algorithm", "ED25519"]);
    refused(K::Rsa2048, Aws, &ed, "not rsaEncryption");
    refused(K::EccNistP256, Aws, &ed, "not id-ecPublicKey");

    // EC: genpkey PEM, topk8 of SEC1 with and without the public key, compressed public key,
    // and explicit curve parameters (refused).
    let curves = [
        (K::EccNistP256, Aws, "P-256", "prime256v1"),
        (K::EccNistP384, Aws, "P-384", "secp384r1"),
        (K::EccNistP521, Aws, "P-521", "secp521r1"),
        (K::EccSecgP256k1, Aws, "secp256k1", "secp256k1"),
        (K::Sm2, AwsCn, "SM2", "SM2"),
    ];
    let mut ec_keys = Vec::new();
    for (spec, partition, genpkey_name, ecparam_name) in curves {
        let pkcs8 = if spec == K::Sm2 {
            genpkey_pkcs8(&["-algorithm", "SM2"])
        } else {
            genpkey_pkcs8(&[
                "-algorithm",
                "EC",
                "-pkeyopt",
                &format!("ec_paramgen_curve:{genpkey_name}"),
            ])
        };
        accepted(spec, partition, &pkcs8);
        assert!(
            pkcs8.len() <= material::max_len(spec, partition),
            "{spec}: {}",
            pkcs8.len()
        );
        let sec1 = ec_traditional(ecparam_name, &[]);
        refused(spec, partition, &sec1, "bare SEC1 ECPrivateKey");
        accepted(spec, partition, &topk8(&sec1));
        accepted(
            spec,
            partition,
            &topk8(&ec_traditional(ecparam_name, &["-no_public"])),
        );
        accepted(
            spec,
            partition,
            &topk8(&ec_traditional(ecparam_name, &["-conv_form", "compressed"])),
        );
        if spec != K::Sm2 {
            let explicit = ec_traditional(ecparam_name, &["-param_enc", "explicit"]);
            refused(spec, partition, &topk8(&explicit), "namedCurve OID");
        }
        ec_keys.push((spec, partition, pkcs8));
    }
    for (spec, partition, _) in &ec_keys {
        for (other, _, der) in &ec_keys {
            if other != spec {
                refused(*spec, *partition, der, WRONG_CURVE);
            }
        }
    }
}
