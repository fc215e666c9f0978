//! SM2PKE through the public API: every malformed ciphertext — truncations, byte flips, BER,
//! non-minimal or negative INTEGERs, C1 off the curve or non-canonical, empty C2, C3 of the wrong
//! size — fails as the one opaque `Error::InvalidCiphertext`, without a panic.

mod sm2_support;

use kms_import::{Error, WrappingKeySpec, WrappingPrivateKey};
use pkcs8::DecodePrivateKey;
use rand::{Rng, SeedableRng, rngs::ChaCha20Rng};
use sm2::elliptic_curve::Group;
use sm2::elliptic_curve::point::AffineCoordinates;
use sm2::elliptic_curve::sec1::{FromSec1Point, ToSec1Point};
use sm2_support::{FixedRng, SM2PKE, unhex};
use sm3::Digest;

/// Components of a ciphertext, re-encoded by hand so each test breaks exactly one thing.
struct Parts {
    x1: Vec<u8>,
    y1: Vec<u8>,
    c3: Vec<u8>,
    c2: Vec<u8>,
}

fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match contents.len() {
        n @ 0..=0x7f => out.push(n as u8),
        n @ 0x80..=0xff => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(contents);
    out
}

/// Minimal DER INTEGER contents of an unsigned big-endian value.
fn uint(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut v = bytes[start..].to_vec();
    if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    v
}

impl Parts {
    /// Builds the DER with the INTEGER contents given verbatim.
    fn der_raw(&self, x1: &[u8], y1: &[u8]) -> Vec<u8> {
        let mut body = tlv(0x02, x1);
        body.extend(tlv(0x02, y1));
        body.extend(tlv(0x04, &self.c3));
        body.extend(tlv(0x04, &self.c2));
        tlv(0x30, &body)
    }
    fn der(&self) -> Vec<u8> {
        self.der_raw(&uint(&self.x1), &uint(&self.y1))
    }
}

/// A key and a valid ciphertext made with a known k, so tests can rebuild a correct C3.
struct Fixture {
    key: WrappingPrivateKey,
    public: sm2::PublicKey,
    secret: sm2::SecretKey,
    k: [u8; 32],
    parts: Parts,
}

/// C2 and C3 for message `m` given the shared point (x2, y2) = [k]PB = [dB]C1.
fn seal_with_shared(shared: &sm2::AffinePoint, m: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (x2, y2) = (shared.x(), shared.y());
    let mut t = Vec::new();
    for counter in 1u32.. {
        if t.len() >= m.len() {
            break;
        }
        let block = sm3::Sm3::new().chain_update(x2).chain_update(y2);
        t.extend(block.chain_update(counter.to_be_bytes()).finalize());
    }
    let c2 = m.iter().zip(&t).map(|(a, b)| a ^ b).collect();
    let c3 = sm3::Sm3::new()
        .chain_update(x2)
        .chain_update(m)
        .chain_update(y2)
        .finalize();
    (c2, c3.to_vec())
}

/// C2 and C3 for `m` encrypted to `public` with ephemeral scalar `k`.
fn sm3_kdf_and_tag(public: &sm2::PublicKey, k: &[u8; 32], m: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let k = sm2::NonZeroScalar::try_from(&k[..]).unwrap();
    seal_with_shared(&(public.to_projective() * *k).to_affine(), m)
}

fn fixture() -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(32918);
    let key = WrappingPrivateKey::generate(WrappingKeySpec::Sm2, &mut rng).unwrap();
    let secret = sm2::SecretKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
    let public = secret.public_key();
    let mut k = [0u8; 32];
    rng.fill_bytes(&mut k);
    let der = key
        .public_key()
        .wrap_key_material(
            SM2PKE,
            b"32 bytes of AES-256 key material",
            &mut FixedRng::new(k.to_vec()),
        )
        .unwrap();
    let c1 =
        sm2::ProjectivePoint::mul_by_generator(&*sm2::NonZeroScalar::try_from(&k[..]).unwrap())
            .to_affine();
    let (c2, c3) = sm3_kdf_and_tag(&public, &k, b"32 bytes of AES-256 key material");
    let parts = Parts {
        x1: c1.x().to_vec(),
        y1: c1.y().to_vec(),
        c3,
        c2,
    };
    assert_eq!(
        parts.der(),
        der,
        "hand-built DER must equal ours before we break it"
    );
    Fixture {
        key,
        public,
        secret,
        k,
        parts,
    }
}

fn refused(key: &WrappingPrivateKey, ct: &[u8], what: &str) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    assert_eq!(
        key.unwrap_key_material(SM2PKE, ct, &mut rng).err(),
        Some(Error::InvalidCiphertext),
        "{what}"
    );
}

#[test]
fn every_truncation_and_every_byte_flip_is_unwrap() {
    let f = fixture();
    let der = f.parts.der();
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    assert!(f.key.unwrap_key_material(SM2PKE, &der, &mut rng).is_ok());
    for cut in 0..der.len() {
        refused(&f.key, &der[..cut], &format!("truncated to {cut}"));
    }
    for i in 0..der.len() {
        for mask in [0x01, 0x80, 0xff] {
            let mut bad = der.clone();
            bad[i] ^= mask;
            refused(&f.key, &bad, &format!("byte {i} ^ {mask:#04x}"));
        }
    }
}

#[test]
fn malformed_der_is_unwrap() {
    let f = fixture();
    let p = &f.parts;
    let good = p.der();
    let mut with_trailing = good.clone();
    with_trailing.push(0x00);
    refused(&f.key, &with_trailing, "trailing byte");
    // Non-minimal INTEGERs: a 0x00 in front of a byte without the high bit; x1 from our own
    // fixture is re-padded whichever way its high bit falls.
    let mut padded_x1 = vec![0, 0];
    padded_x1.extend(&p.x1);
    refused(
        &f.key,
        &p.der_raw(&padded_x1, &uint(&p.y1)),
        "x1 with two leading zeros",
    );
    let mut padded_y1 = vec![0];
    padded_y1.extend(uint(&p.y1));
    if padded_y1[1] == 0 {
        padded_y1.insert(0, 0);
    }
    refused(
        &f.key,
        &p.der_raw(&uint(&p.x1), &padded_y1),
        "y1 with a redundant leading zero",
    );
    // Negative x1 (high bit set, no pad).
    let mut neg = p.x1.clone();
    neg[0] |= 0x80;
    refused(&f.key, &p.der_raw(&neg, &uint(&p.y1)), "negative x1");
    // BER: long-form length where short would do, indefinite length.
    let mut long_form = vec![0x30, 0x81];
    long_form.extend(&good[1..]);
    if good[1] < 0x80 {
        refused(&f.key, &long_form, "non-minimal SEQUENCE length");
    }
    let mut indefinite = vec![0x30, 0x80];
    indefinite.extend(&good[2..]);
    indefinite.extend([0, 0]);
    refused(&f.key, &indefinite, "indefinite length");
    // Fields in the C1C2C3 order.
    let mut body = tlv(0x02, &uint(&p.x1));
    body.extend(tlv(0x02, &uint(&p.y1)));
    body.extend(tlv(0x04, &p.c2));
    body.extend(tlv(0x04, &p.c3));
    refused(&f.key, &tlv(0x30, &body), "C2 before C3");
    // Raw C1C3C2 instead of DER.
    let mut raw = vec![0x04];
    raw.extend(p.x1.iter().chain(&p.y1).chain(&p.c3).chain(&p.c2));
    refused(&f.key, &raw, "raw C1C3C2");
}

#[test]
fn bad_c1_c2_c3_is_unwrap() {
    let f = fixture();
    let p = &f.parts;
    let with = |x1: &[u8], y1: &[u8], c3: &[u8], c2: &[u8]| {
        Parts {
            x1: x1.to_vec(),
            y1: y1.to_vec(),
            c3: c3.to_vec(),
            c2: c2.to_vec(),
        }
        .der()
    };
    // C1 not on the curve.
    let mut y_plus_1 = p.y1.clone();
    y_plus_1[31] ^= 1;
    refused(
        &f.key,
        &with(&p.x1, &y_plus_1, &p.c3, &p.c2),
        "C1 off the curve",
    );
    // C1 = (0, 0): what some encoders write for the point at infinity.
    refused(
        &f.key,
        &with(&[0; 32], &[0; 32], &p.c3, &p.c2),
        "C1 = (0, 0)",
    );
    // x1 ≥ p: x1 = x + p for a curve point (x, y) with small x, i.e. a non-canonical encoding
    // of a valid point.
    let field_p = unhex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF");
    let (x_small, point) = (0u8..=255)
        .find_map(|x| {
            let mut compressed = [0u8; 33];
            compressed[0] = 0x02;
            compressed[32] = x;
            let point =
                sm2::elliptic_curve::sec1::Sec1Point::<sm2::Sm2>::from_bytes(compressed).ok()?;
            Option::<sm2::AffinePoint>::from(sm2::AffinePoint::from_sec1_point(&point))
                .map(|a| (x, a))
        })
        .expect("a point with x < 256");
    // x + p, big-endian with carry (p < 2^256 − 2^224, so the sum still fits in 32 bytes).
    let mut x_plus_p = field_p.clone();
    let mut carry = u16::from(x_small);
    for byte in x_plus_p.iter_mut().rev() {
        let sum = u16::from(*byte) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    // A ciphertext with C1 = (x, y) made with the private key ([dB]C1 = [k]PB), so that only the
    // encoding of x1 can make it fail.
    let y = point.to_sec1_point(false).y().unwrap().to_vec();
    let shared = (sm2::ProjectivePoint::from(point) * *f.secret.to_nonzero_scalar()).to_affine();
    let (c2, c3) = seal_with_shared(&shared, b"material");
    let mut x = [0u8; 32];
    x[31] = x_small;
    let canonical = with(&x, &y, &c3, &c2);
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    assert_eq!(
        f.key
            .unwrap_key_material(SM2PKE, &canonical, &mut rng)
            .unwrap()
            .as_bytes(),
        b"material"
    );
    refused(&f.key, &with(&x_plus_p, &y, &c3, &c2), "x1 = x + p");
    refused(&f.key, &with(&field_p, &p.y1, &p.c3, &p.c2), "x1 = p");
    // Empty C2 with the C3 a correct implementation computes for it: only the empty-C2 rule
    // refuses this (see tests/sm2_dependency_defects.rs for a library that accepts it).
    let (_, c3_empty) = sm3_kdf_and_tag(&f.public, &f.k, b"");
    refused(&f.key, &with(&p.x1, &p.y1, &c3_empty, &[]), "empty C2");
    // C3 of 31 and 33 bytes, and 0.
    refused(
        &f.key,
        &with(&p.x1, &p.y1, &p.c3[..31], &p.c2),
        "C3 of 31 bytes",
    );
    let mut c3_33 = p.c3.clone();
    c3_33.push(0);
    refused(&f.key, &with(&p.x1, &p.y1, &c3_33, &p.c2), "C3 of 33 bytes");
    refused(&f.key, &with(&p.x1, &p.y1, &[], &p.c2), "C3 empty");
    // C2 longer than MAX_MATERIAL_LEN.
    let long_c2 = vec![0u8; kms_import::limits::MAX_MATERIAL_LEN + 1];
    refused(&f.key, &with(&p.x1, &p.y1, &p.c3, &long_c2), "C2 too long");
    // C2 one byte short or long (C3 then fails).
    refused(
        &f.key,
        &with(&p.x1, &p.y1, &p.c3, &p.c2[1..]),
        "C2 missing a byte",
    );
    let mut c2_long = p.c2.clone();
    c2_long.push(0);
    refused(
        &f.key,
        &with(&p.x1, &p.y1, &p.c3, &c2_long),
        "C2 with an extra byte",
    );
}

#[test]
fn c3_differing_in_first_or_last_byte_fails_alike() {
    let f = fixture();
    for i in [0, 31] {
        let mut c3 = f.parts.c3.clone();
        c3[i] ^= 0x01;
        let p = &f.parts;
        let der = Parts {
            x1: p.x1.clone(),
            y1: p.y1.clone(),
            c3,
            c2: p.c2.clone(),
        }
        .der();
        refused(&f.key, &der, &format!("C3 byte {i} flipped"));
    }
}

#[test]
fn wrap_refuses_empty_material() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let key = WrappingPrivateKey::generate(WrappingKeySpec::Sm2, &mut rng).unwrap();
    assert_eq!(
        key.public_key().wrap_key_material(SM2PKE, &[], &mut rng),
        Err(Error::MaterialLength { len: 0 })
    );
}
