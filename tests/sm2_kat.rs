//! SM2PKE through the public API: known-answer tests from `test-vectors/sm2_encryption_kat.json`
//! (GB/T 32918.5 Annex C fixed-k encryption, decrypt-only vectors from emmansun/gmsm and
//! RustCrypto), interop both ways with the `sm2` crate's `pke` module as an outside oracle, and
//! fresh randomness. Malformed ciphertexts are in `tests/sm2_malformed.rs`.

mod sm2_support;

use kms_import::{Error, WrappingKeySpec, WrappingPrivateKey, WrappingPublicKey};
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand::{Rng, SeedableRng, rngs::ChaCha20Rng};
use serde::Deserialize;
use sm2::pke::{DecryptingKey, EncryptingKey};
use sm2_support::{FixedRng, SM2PKE, unhex};
use spki::EncodePublicKey;

#[derive(Deserialize)]
struct KatFile {
    #[serde(rename = "numberOfTests")]
    number_of_tests: usize,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    id: String,
    curve: String,
    hash: String,
    private_key: String,
    public_key: String,
    plaintext: String,
    k: Option<String>,
    ciphertext: Ciphertext,
}

#[derive(Deserialize)]
struct Ciphertext {
    asn1_der_gmt0009: String,
}

fn kat_file() -> KatFile {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-vectors/sm2_encryption_kat.json"
    );
    let file: KatFile =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read KAT file"))
            .expect("parse KAT file");
    assert_eq!(file.vectors.len(), file.number_of_tests);
    file
}

/// The vectors this crate can run (sm2p256v1 with SM3); prints a note naming the others.
fn usable_vectors() -> Vec<Vector> {
    let (usable, skipped): (Vec<_>, Vec<_>) = kat_file()
        .vectors
        .into_iter()
        .partition(|v| v.curve == "sm2p256v1" && v.hash == "SM3");
    let skipped: Vec<&str> = skipped.iter().map(|v| v.id.as_str()).collect();
    println!(
        "note: skipping SM2 vectors on the GB/T 32918.4 Annex A test curve (the code is fixed to \
         sm2p256v1 and takes no curve parameters): {skipped:?}"
    );
    assert_eq!(
        skipped,
        [
            "gbt32918.4-annexA-testcurve-encrypt",
            "openssl-testcurve-encrypt-sha256"
        ],
        "only the two test-curve vectors may be skipped"
    );
    assert_eq!(usable.len(), 4);
    usable
}

fn private_key_from_scalar(scalar_hex: &str) -> (WrappingPrivateKey, sm2::SecretKey) {
    let secret = sm2::SecretKey::from_slice(&unhex(scalar_hex)).expect("scalar in [1, n-1]");
    let pkcs8 = secret.to_pkcs8_der().expect("PKCS#8");
    let key = WrappingPrivateKey::from_pkcs8_der(pkcs8.as_bytes()).expect("our PKCS#8 import");
    assert_eq!(key.spec(), WrappingKeySpec::Sm2);
    (key, secret)
}

fn public_key_from_sec1(sec1_hex: &str) -> WrappingPublicKey {
    let public = sm2::PublicKey::from_sec1_bytes(&unhex(sec1_hex)).expect("SEC1 point");
    let spki = public.to_public_key_der().expect("SPKI");
    WrappingPublicKey::from_der(spki.as_bytes()).expect("our SPKI import")
}

#[test]
fn fixed_k_encrypt_kats_reproduce_the_der_byte_for_byte() {
    let mut ran = 0;
    for v in usable_vectors() {
        let Some(k) = &v.k else { continue };
        let public = public_key_from_sec1(&v.public_key);
        let (private, secret) = private_key_from_scalar(&v.private_key);
        assert_eq!(private.public_key(), public, "{}: key pair mismatch", v.id);
        let expected = unhex(&v.ciphertext.asn1_der_gmt0009);
        let mut rng = FixedRng::new(unhex(k));
        let ours = public
            .wrap_key_material(SM2PKE, &unhex(&v.plaintext), &mut rng)
            .expect("wrap");
        assert_eq!(rng.used, 32, "{}: k is one 32-byte draw", v.id);
        assert_eq!(
            hex::encode_upper(&ours),
            hex::encode_upper(&expected),
            "{}",
            v.id
        );
        // The oracle draws k the same way and agrees.
        let theirs = EncryptingKey::new(secret.public_key())
            .encrypt_der(&mut FixedRng::new(unhex(k)), &unhex(&v.plaintext))
            .expect("sm2::pke encrypt_der");
        assert_eq!(theirs, expected, "{}: oracle", v.id);
        ran += 1;
    }
    assert_eq!(
        ran, 1,
        "the GB/T 32918.5 Annex C vector is the one sm2p256v1 fixed-k KAT"
    );
}

#[test]
fn decrypt_kats() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x5332);
    for v in usable_vectors() {
        let (private, secret) = private_key_from_scalar(&v.private_key);
        assert_eq!(
            private.public_key(),
            public_key_from_sec1(&v.public_key),
            "{}",
            v.id
        );
        let der = unhex(&v.ciphertext.asn1_der_gmt0009);
        let plaintext = private
            .unwrap_key_material(SM2PKE, &der, &mut rng)
            .expect(&v.id);
        assert_eq!(plaintext.as_bytes(), &unhex(&v.plaintext)[..], "{}", v.id);
        let oracle = DecryptingKey::new(secret)
            .decrypt_der(&der)
            .expect("oracle");
        assert_eq!(oracle, unhex(&v.plaintext), "{}: oracle", v.id);
    }
}

#[test]
fn same_k_same_bytes_as_the_oracle() {
    for seed in 0..24u64 {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let key = WrappingPrivateKey::generate(WrappingKeySpec::Sm2, &mut rng).unwrap();
        let secret = sm2::SecretKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
        let len = [1, 2, 31, 32, 33, 64, 65, 121, 1190][seed as usize % 9];
        let mut material = vec![0u8; len];
        rng.fill_bytes(&mut material);
        let k_seed = rng.next_u64();
        let ours = key
            .public_key()
            .wrap_key_material(SM2PKE, &material, &mut ChaCha20Rng::seed_from_u64(k_seed))
            .unwrap();
        let theirs = EncryptingKey::new(secret.public_key())
            .encrypt_der(&mut ChaCha20Rng::seed_from_u64(k_seed), &material)
            .unwrap();
        assert_eq!(ours, theirs, "seed {seed}, {len} bytes");
    }
}

#[test]
fn interop_with_the_oracle_both_ways() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    for len in [
        1,
        16,
        32,
        33,
        48,
        100,
        1217,
        kms_import::limits::MAX_MATERIAL_LEN,
    ] {
        let key = WrappingPrivateKey::generate(WrappingKeySpec::Sm2, &mut rng).unwrap();
        let secret = sm2::SecretKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
        let mut material = vec![0u8; len];
        rng.fill_bytes(&mut material);
        // Ours → theirs.
        let ours = key
            .public_key()
            .wrap_key_material(SM2PKE, &material, &mut rng)
            .unwrap();
        let oracle = DecryptingKey::new(secret.clone());
        assert_eq!(oracle.decrypt_der(&ours).unwrap(), material, "{len}");
        // Theirs → ours.
        let theirs = EncryptingKey::new(secret.public_key())
            .encrypt_der(&mut rng, &material)
            .unwrap();
        assert_eq!(
            key.unwrap_key_material(SM2PKE, &theirs, &mut rng)
                .unwrap()
                .as_bytes(),
            &material[..]
        );
        // And ours → ours.
        assert_eq!(
            key.unwrap_key_material(SM2PKE, &ours, &mut rng)
                .unwrap()
                .as_bytes(),
            &material[..]
        );
    }
}

#[test]
fn generated_key_round_trip_and_fresh_randomness() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let key = WrappingPrivateKey::generate(WrappingKeySpec::Sm2, &mut rng).unwrap();
    let public = WrappingPublicKey::from_der(&key.public_key().to_der()).unwrap();
    let a = public
        .wrap_key_material(SM2PKE, b"the same material", &mut rng)
        .unwrap();
    let b = public
        .wrap_key_material(SM2PKE, b"the same material", &mut rng)
        .unwrap();
    assert_ne!(a, b, "k must be fresh per encryption");
    for ct in [&a, &b] {
        assert_eq!(
            key.unwrap_key_material(SM2PKE, ct, &mut rng)
                .unwrap()
                .as_bytes(),
            b"the same material"
        );
    }
    let other = WrappingPrivateKey::generate(WrappingKeySpec::Sm2, &mut rng).unwrap();
    assert_eq!(
        other.unwrap_key_material(SM2PKE, &a, &mut rng).err(),
        Some(Error::InvalidCiphertext)
    );
}
