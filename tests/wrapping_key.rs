//! Wrapping key generation and export, every spec.

mod common;
use common::StuckAtZeroRng;
use kms_import::{Error, WrappingKeySpec, WrappingPrivateKey, WrappingPublicKey};
use rand::{SeedableRng, rngs::ChaCha20Rng};

#[test]
fn every_spec_round_trips_through_pkcs8_and_spki() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    for &spec in WrappingKeySpec::ALL {
        let key = WrappingPrivateKey::generate(spec, &mut rng).unwrap();
        assert_eq!(key.spec(), spec);
        let pkcs8 = key.to_pkcs8_der().unwrap();
        let again = WrappingPrivateKey::from_pkcs8_der(&pkcs8).unwrap();
        assert_eq!(again.spec(), spec);
        assert_eq!(again.public_key(), key.public_key());
        let spki = key.public_key().to_der();
        let public = WrappingPublicKey::from_der(&spki).unwrap();
        assert_eq!(public.spec(), spec);
        assert_eq!(public.to_der(), spki);
        let debug = format!("{key:?}");
        assert_eq!(debug, format!("WrappingPrivateKey({spec}, [REDACTED])"));
    }
}

#[test]
fn sm2_spki_is_id_ec_public_key_with_the_sm2_curve_and_an_uncompressed_point() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let spki = WrappingPrivateKey::generate(WrappingKeySpec::Sm2, &mut rng)
        .unwrap()
        .public_key()
        .to_der();
    // SEQUENCE { SEQUENCE { id-ecPublicKey, 1.2.156.10197.1.301 }, BIT STRING { 04 || x || y } }
    let prefix = hex::decode("3059301306072a8648ce3d020106082a811ccf5501822d034200").unwrap();
    assert_eq!(spki.len(), 91);
    assert_eq!(&spki[..prefix.len()], prefix.as_slice());
    assert_eq!(spki[prefix.len()], 0x04);
}

#[test]
fn rsa_spki_is_rsa_encryption_with_null_parameters() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let spki = WrappingPrivateKey::generate(WrappingKeySpec::Rsa2048, &mut rng)
        .unwrap()
        .public_key()
        .to_der();
    // SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }, 294 bytes.
    let algorithm = hex::decode("300d06092a864886f70d0101010500").unwrap();
    assert_eq!(spki.len(), 294);
    assert_eq!(&spki[4..4 + algorithm.len()], algorithm.as_slice());
    // ... ending in e = 65537.
    assert_eq!(&spki[spki.len() - 5..], &[0x02, 0x03, 0x01, 0x00, 0x01]);
}

#[test]
fn a_broken_rng_is_an_error_not_a_hang() {
    assert_eq!(
        WrappingPrivateKey::generate(WrappingKeySpec::Sm2, &mut StuckAtZeroRng).unwrap_err(),
        Error::Rng
    );
}

#[test]
fn a_2047_bit_rsa_public_key_is_not_an_rsa_2048_wrapping_key() {
    let dir = std::env::temp_dir().join(format!("kms-import-2047-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let private = dir.join("k.pem");
    let public = dir.join("k.der");
    let run = |args: &[&str]| std::process::Command::new("openssl").args(args).output();
    let Ok(out) = run(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2047",
        "-out",
        private.to_str().unwrap(),
    ]) else {
        eprintln!("SKIPPED: openssl not found");
        return;
    };
    assert!(out.status.success(), "{out:?}");
    let out = run(&[
        "pkey",
        "-in",
        private.to_str().unwrap(),
        "-pubout",
        "-outform",
        "DER",
        "-out",
        public.to_str().unwrap(),
    ])
    .unwrap();
    assert!(out.status.success(), "{out:?}");
    let der = std::fs::read(&public).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    // 2047 bits still take 256 bytes: the byte length alone would call it RSA_2048.
    assert!(matches!(
        WrappingPublicKey::from_der(&der),
        Err(Error::InvalidKey(_))
    ));
}
