//! `material::validate` for ECC and SM2 key material built with the RustCrypto curve crates.

mod key_der;

use key_der::*;
use kms_import::{KeySpec, Partition};

use KeySpec as K;
use Partition::{Aws, AwsCn};

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
