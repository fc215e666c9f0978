//! Defects of the `sm2` crate's `pke` module (version 0.14.0), one test each: part (a) shows the
//! defect is there, part (b) that this crate's API does not have it. `src/sm2_pke.rs` therefore
//! uses `sm2` for curve arithmetic only; `sm2::pke` is a dev-dependency, used as an oracle.
//!
//! If a part (a) starts failing after a dependency update, the defect was fixed upstream: keep
//! part (b), and update this file and the comment at the top of `src/sm2_pke.rs`.

mod common;
use common::StuckAtZeroRng;
use kms_import::{Error, WrappingKeySpec, WrappingPrivateKey, WrappingScheme};
use pkcs8::DecodePrivateKey;
use rand::{SeedableRng, rngs::ChaCha20Rng};
use sm2::elliptic_curve::Group;
use sm2::elliptic_curve::point::AffineCoordinates;
use sm2::pke::{Cipher, DecryptingKey, EncryptingKey};
use sm3::Digest;

const SM2PKE: WrappingScheme = WrappingScheme::Sm2Pke;

fn key_pair(seed: u64) -> (WrappingPrivateKey, sm2::SecretKey) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let key = WrappingPrivateKey::generate(WrappingKeySpec::Sm2, &mut rng).unwrap();
    let secret = sm2::SecretKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
    (key, secret)
}

fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut v = bytes[start..].to_vec();
    if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    let mut out = vec![0x02, v.len() as u8];
    out.extend(v);
    out
}

/// GM/T 0009 DER for short fields (every length below 128).
fn gmt0009(x1: &[u8], y1: &[u8], c3: &[u8], c2: &[u8]) -> Vec<u8> {
    assert!(c2.len() < 0x80 && c3.len() < 0x80);
    let mut body = der_integer(x1);
    body.extend(der_integer(y1));
    body.extend([0x04, c3.len() as u8]);
    body.extend(c3);
    body.extend([0x04, c2.len() as u8]);
    body.extend(c2);
    assert!(body.len() < 0x80);
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

/// Defect 1: `sm2::pke::DecryptingKey`'s `Debug` prints the secret scalar.
#[test]
fn debug_output_reveals_the_secret_scalar() {
    let (ours, secret) = key_pair(1);
    let scalar = secret.to_bytes();
    let (upper, lower) = (hex::encode_upper(scalar), hex::encode(scalar));
    // The PKCS#8 our key exports holds exactly this scalar.
    let pkcs8 = ours.to_pkcs8_der().unwrap();
    assert!(hex::encode(&pkcs8[..]).contains(&lower));

    // (a) The dependency prints it.
    let theirs = format!("{:?}", DecryptingKey::new(secret.clone()));
    assert!(
        theirs.contains(&upper) || theirs.contains(&lower),
        "sm2::pke::DecryptingKey's Debug no longer shows the scalar (fixed upstream?): {theirs}"
    );

    // (b) Ours does not, in either case, in `{:?}` or `{:#?}`.
    for shown in [format!("{ours:?}"), format!("{ours:#?}")] {
        assert!(
            !shown.contains(&upper) && !shown.contains(&lower),
            "{shown}"
        );
        assert!(!shown.to_lowercase().contains(&lower[..16]), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
    }
}

/// Defect 2: `sm2::pke` decrypts a ciphertext with an empty C2 (to an empty plaintext). Anyone
/// holding the public key can make one: C3 = SM3(x2 ‖ y2) with (x2, y2) = [k]PB.
#[test]
fn empty_c2_is_accepted() {
    let (ours, secret) = key_pair(2);
    let k = sm2::NonZeroScalar::try_from(&[0x42u8; 32][..]).unwrap();
    let c1 = sm2::ProjectivePoint::mul_by_generator(&*k).to_affine();
    let shared = (secret.public_key().to_projective() * *k).to_affine();
    let c3 = sm3::Sm3::new()
        .chain_update(shared.x())
        .chain_update(shared.y())
        .finalize();
    let ciphertext = gmt0009(&c1.x(), &c1.y(), &c3, &[]);

    // (a) The dependency returns Ok with an empty plaintext.
    let theirs = DecryptingKey::new(secret.clone()).decrypt_der(&ciphertext);
    assert_eq!(
        theirs.as_deref().ok(),
        Some(&[][..]),
        "sm2::pke no longer accepts an empty C2 (fixed upstream?)"
    );

    // (b) Ours refuses it, opaquely.
    let mut rng = ChaCha20Rng::seed_from_u64(0);
    assert_eq!(
        ours.unwrap_key_material(SM2PKE, &ciphertext, &mut rng)
            .err(),
        Some(Error::InvalidCiphertext)
    );
}

/// Defect 3: on a C3 mismatch `sm2::pke` returns an error but leaves the candidate plaintext
/// M' = C2 ⊕ t — the real plaintext if only C3 was tampered with — in the caller's buffer.
#[test]
fn candidate_plaintext_left_in_buffer_after_bad_c3() {
    let (ours, secret) = key_pair(3);
    let message = b"AES-256 key material, 32 bytes!!";
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut ciphertext = ours
        .public_key()
        .wrap_key_material(SM2PKE, message, &mut rng)
        .unwrap();
    // C3 sits right before C2's 2-byte header; flip its last byte.
    let c3_last = ciphertext.len() - message.len() - 3;
    ciphertext[c3_last] ^= 0x01;

    // (a) The dependency's buffer API holds the plaintext after the failure.
    use der::Decode;
    let cipher = Cipher::<'_, sm2::Sm2, sm3::Sm3>::from_der(&ciphertext).unwrap();
    let mut buf = [0u8; 32];
    let result = DecryptingKey::new(secret).decrypt_cipher_with_buf::<sm3::Sm3>(&cipher, &mut buf);
    assert!(result.is_err());
    assert_eq!(
        &buf, message,
        "sm2::pke now wipes the buffer (fixed upstream?)"
    );

    // (b) Ours returns no plaintext at all: `unwrap` is `Err(Error::InvalidCiphertext)` and the buffer it
    // decrypted into (a `Zeroizing<Vec<u8>>`) is wiped before it is dropped. The buffer-level
    // property — `out` all zero after a bad C3 — is checked by the unit tests
    // `sm2_pke::tests::out_is_zero_after_bad_c3_first_or_last_byte` and
    // `out_is_zero_after_every_failure_kind` in src/sm2_pke.rs, where `decrypt_into` is visible.
    assert_eq!(
        ours.unwrap_key_material(SM2PKE, &ciphertext, &mut rng)
            .err(),
        Some(Error::InvalidCiphertext)
    );
}

/// Defect 4: `sm2::pke` compares C3 with `!=` on a `hybrid_array::Array`, a short-circuiting
/// slice comparison whose time depends on the position of the first differing byte.
///
/// Timing is never asserted in tests (house rule), so (a) is shown from the dependency's
/// source as built here — skipped with a notice when the registry sources are not on disk —
/// and (b) structurally: ours compares with `subtle::ConstantTimeEq` (see `open_unwiped` in
/// src/sm2_pke.rs, step B6), and a C3 differing only in its first byte and one differing only
/// in its last byte both fail with the same error.
#[test]
fn c3_compared_in_variable_time() {
    // (a)
    match dependency_source("sm2-0.14.0", "src/pke/decrypting.rs") {
        Some(source) => assert!(
            source.contains("if cipher.c3 != u {"),
            "sm2 0.14.0 pke no longer compares C3 with != (fixed upstream?)"
        ),
        None => println!(
            "notice: sm2-0.14.0 sources not found under $CARGO_HOME/registry/src; \
             skipping the source check of its C3 comparison"
        ),
    }
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .expect("Cargo.lock");
    assert!(
        lock.contains("name = \"sm2\"\nversion = \"0.14.0\""),
        "sm2 is no longer 0.14.0: re-check this file's claims against the new version"
    );

    // (b)
    let (ours, _) = key_pair(4);
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let message = [7u8; 24];
    let ciphertext = ours
        .public_key()
        .wrap_key_material(SM2PKE, &message, &mut rng)
        .unwrap();
    let c3_first = ciphertext.len() - message.len() - 2 - 32;
    assert_eq!(&ciphertext[c3_first - 2..c3_first], &[0x04, 0x20]);
    assert!(
        ours.unwrap_key_material(SM2PKE, &ciphertext, &mut rng)
            .is_ok()
    );
    for at in [c3_first, c3_first + 31] {
        let mut bad = ciphertext.clone();
        bad[at] ^= 0x80;
        assert_eq!(
            ours.unwrap_key_material(SM2PKE, &bad, &mut rng).err(),
            Some(Error::InvalidCiphertext),
            "{at}"
        );
    }
}

fn dependency_source(krate: &str, file: &str) -> Option<String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo")))?;
    let registries = std::fs::read_dir(cargo_home.join("registry/src")).ok()?;
    registries
        .filter_map(Result::ok)
        .find_map(|r| std::fs::read_to_string(r.path().join(krate).join(file)).ok())
}

/// Not a defect in 0.14.0, checked so that we notice if it comes back: an empty message used to
/// make `sm2::pke` encryption loop forever (an empty t is "all zero", A5 redraws k). 0.14.0
/// refuses it; so do we.
#[test]
fn empty_message_is_refused_not_a_hang() {
    let (ours, secret) = key_pair(5);
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    assert!(
        EncryptingKey::new(secret.public_key())
            .encrypt_der(&mut rng, &[])
            .is_err()
    );
    assert_eq!(
        ours.public_key().wrap_key_material(SM2PKE, &[], &mut rng),
        Err(Error::MaterialLength { len: 0 })
    );
}

/// A related hang we guard against: a broken RNG that always yields k = 0 makes
/// `NonZeroScalar::try_generate_from_rng` (what `sm2::pke` draws k with) reject forever. Ours
/// bounds the redraws and reports `Error::Rng`. (Not run against the dependency: it would hang.)
#[test]
fn broken_rng_is_an_error_not_a_hang() {
    let (ours, _) = key_pair(6);
    assert_eq!(
        ours.public_key()
            .wrap_key_material(SM2PKE, b"x", &mut StuckAtZeroRng),
        Err(Error::Rng)
    );
}
