//! `material::validate` for RSA key material: sizes, exponent, CRT consistency, structure.

mod key_der;

use key_der::*;
use kms_import::{KeySpec, Partition};

use KeySpec as K;
use Partition::{Aws, AwsCn};

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
