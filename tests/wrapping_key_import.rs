//! `WrappingPrivateKey::from_pkcs8_der`: strict, validated import of wrapping keys: it
//! validates the key (consistent CRT values, point on curve) and refuses anything else
//! with a clear error.

mod key_der;

use key_der::*;
use kms_import::{Error, WrappingKeySpec, WrappingPrivateKey, WrappingScheme};

/// Refused with `InvalidKey` whose reason contains `phrase`.
fn refused(der: &[u8], phrase: &str) {
    match WrappingPrivateKey::from_pkcs8_der(der) {
        Err(Error::InvalidKey(why)) => {
            assert!(why.contains(phrase), "reason {why:?} lacks {phrase:?}")
        }
        Err(other) => panic!("expected InvalidKey containing {phrase:?}, got {other:?}"),
        Ok(key) => panic!("expected a refusal containing {phrase:?}, got {key:?}"),
    }
}

/// Imports `der`, checks the spec, and proves the key works: wrap under its public half, unwrap.
fn accepted(der: &[u8], spec: WrappingKeySpec) {
    let key = WrappingPrivateKey::from_pkcs8_der(der).expect("key refused");
    assert_eq!(key.spec(), spec);
    let algorithm = match spec {
        WrappingKeySpec::Sm2 => WrappingScheme::Sm2Pke,
        _ => WrappingScheme::RsaesOaepSha256,
    };
    let mut r = rng(1);
    let ct = key
        .public_key()
        .wrap_key_material(algorithm, &[0x5A; 32], &mut r)
        .unwrap();
    assert_eq!(
        key.unwrap_key_material(algorithm, &ct, &mut r)
            .unwrap()
            .as_bytes(),
        &[0x5A; 32]
    );
}

#[test]
fn generated_keys_round_trip_through_pkcs8() {
    for spec in [WrappingKeySpec::Rsa2048, WrappingKeySpec::Sm2] {
        let key = WrappingPrivateKey::generate(spec, &mut rng(2)).unwrap();
        let der = key.to_pkcs8_der().unwrap();
        accepted(&der, spec);
        let again = WrappingPrivateKey::from_pkcs8_der(&der).unwrap();
        assert_eq!(*again.to_pkcs8_der().unwrap(), *der);
    }
}

#[test]
fn rsa_wrapping_key_with_inconsistent_crt_values_is_refused() {
    let good = RsaFields::from_pkcs8(&rust_rsa_pkcs8(2048, 3));
    accepted(&good.to_pkcs8(), WrappingKeySpec::Rsa2048);
    refused(
        &good.clone().corrupt(QINV).to_pkcs8(),
        "qInv (coefficient) is not q^-1 mod p",
    );
    refused(
        &good.clone().corrupt(DP).to_pkcs8(),
        "dP (exponent1) is not d mod (p - 1)",
    );
    refused(
        &good.clone().corrupt(DQ).to_pkcs8(),
        "dQ (exponent2) is not d mod (q - 1)",
    );
    refused(
        &good.clone().corrupt(N).to_pkcs8(),
        "modulus is not the product",
    );
    // A wrapping key needs e = 65537 exactly (key material may use other FIPS exponents).
    let mut f = good.clone();
    f.ints[E] = vec![0x01, 0x00, 0x03];
    refused(&f.to_pkcs8(), "e = 65537");
    // Multi-prime.
    let mut fields: Vec<Vec<u8>> = vec![uint(&[1])];
    fields.extend(good.ints.iter().map(|i| uint(i)));
    fields.push(seq(&[&seq(&[&uint(&[7]), &uint(&[3]), &uint(&[5])])]));
    let refs: Vec<&[u8]> = fields.iter().map(|v| v.as_slice()).collect();
    refused(
        &pkcs8(RSA_ENCRYPTION, Some(NULL), &seq(&refs)),
        "multi-prime",
    );
}

#[test]
fn wrapping_key_der_is_strict() {
    let good = rust_rsa_pkcs8(2048, 4);
    let mut trailing = good.clone();
    trailing.push(0);
    refused(&trailing, "bytes follow the PKCS#8 structure");
    // Outer length 0x82 0x04 0xBx → 0x83 0x00 0x04 0xBx (BER, not DER).
    assert_eq!(&good[..2], &[0x30, 0x82]);
    let long_form = [&[0x30, 0x83, 0x00][..], &good[2..]].concat();
    refused(&long_form, "not a strict-DER PKCS#8");
    let fields = RsaFields::from_pkcs8(&good);
    refused(&fields.rsa_private_key(), "bare PKCS#1 RSAPrivateKey");
    refused(&[], "not a strict-DER PKCS#8");
    refused(&[0x30, 0x00], "not a strict-DER PKCS#8");
    // Ed25519 is neither RSA nor SM2.
    assert!(matches!(
        WrappingPrivateKey::from_pkcs8_der(&pkcs8("1.3.101.112", None, &octets(&[9; 32]))),
        Err(Error::InvalidKey(_))
    ));
}

#[test]
fn openssl_wrapping_keys() {
    if !have_openssl("openssl_wrapping_keys") {
        return;
    }
    for (spec, bits) in [
        (WrappingKeySpec::Rsa2048, "2048"),
        (WrappingKeySpec::Rsa3072, "3072"),
        (WrappingKeySpec::Rsa4096, "4096"),
    ] {
        let bits = format!("rsa_keygen_bits:{bits}");
        let der = genpkey_pkcs8(&["-algorithm", "RSA", "-pkeyopt", &bits]);
        accepted(&der, spec);
        let traditional = genpkey_traditional_der(&["-algorithm", "RSA", "-pkeyopt", &bits]);
        accepted(&topk8(&traditional), spec);
    }
    accepted(&genpkey_pkcs8(&["-algorithm", "SM2"]), WrappingKeySpec::Sm2);
    let small = genpkey_pkcs8(&["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]);
    refused(&small, "2048-, 3072- or 4096-bit modulus");
    let odd_size = genpkey_pkcs8(&["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2560"]);
    refused(&odd_size, "2048-, 3072- or 4096-bit modulus");
    let e65539 = genpkey_pkcs8(&[
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-pkeyopt",
        "rsa_keygen_pubexp:65539",
    ]);
    refused(&e65539, "e = 65537");
    let multi = genpkey_pkcs8(&[
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-pkeyopt",
        "rsa_keygen_primes:3",
    ]);
    refused(&multi, "multi-prime");
}
