//! Size bounds (issue 7, "Hardening"): input over KMS's limit of 6144 bytes is refused before any
//! work, with the same opaque error as every other bad ciphertext.
//!
//! "Before any work" is observed through the RNG: every RSA private-key operation is blinded and
//! draws from the caller's RNG, so an unwrap that never touched the RNG never ran RSA.

use kms_import::limits::{MAX_ENCRYPTED_KEY_MATERIAL_LEN, MAX_IMPORT_TOKEN_LEN, MAX_MATERIAL_LEN};
use kms_import::rand_core::{TryCryptoRng, TryRng};
use kms_import::{Error, WrappingAlgorithm, WrappingKeySpec, WrappingPrivateKey};
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;

/// A CSPRNG that counts how many times it was asked for randomness.
struct CountingRng {
    inner: ChaCha20Rng,
    draws: usize,
}

impl CountingRng {
    fn new() -> Self {
        CountingRng {
            inner: ChaCha20Rng::seed_from_u64(6144),
            draws: 0,
        }
    }
}

impl TryRng for CountingRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.draws += 1;
        self.inner.try_next_u32()
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.draws += 1;
        self.inner.try_next_u64()
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.draws += 1;
        self.inner.try_fill_bytes(dst)
    }
}

impl TryCryptoRng for CountingRng {}

fn key(spec: WrappingKeySpec) -> WrappingPrivateKey {
    let der: &[u8] = match spec {
        WrappingKeySpec::Rsa2048 => include_bytes!("../fuzz/keys/rsa2048.pk8"),
        WrappingKeySpec::Rsa4096 => include_bytes!("../fuzz/keys/rsa4096.pk8"),
        _ => include_bytes!("../fuzz/keys/sm2.pk8"),
    };
    WrappingPrivateKey::from_pkcs8_der(der).expect("fixed test key")
}

const LIVE: [(WrappingAlgorithm, WrappingKeySpec); 5] = [
    (WrappingAlgorithm::RsaesOaepSha1, WrappingKeySpec::Rsa2048),
    (WrappingAlgorithm::RsaesOaepSha256, WrappingKeySpec::Rsa2048),
    (
        WrappingAlgorithm::RsaAesKeyWrapSha1,
        WrappingKeySpec::Rsa2048,
    ),
    (
        WrappingAlgorithm::RsaAesKeyWrapSha256,
        WrappingKeySpec::Rsa2048,
    ),
    (WrappingAlgorithm::Sm2Pke, WrappingKeySpec::Sm2),
];

#[test]
fn a_6145_byte_ciphertext_is_refused_opaquely_by_every_algorithm() {
    for (algorithm, spec) in LIVE {
        let key = key(spec);
        for len in [MAX_ENCRYPTED_KEY_MATERIAL_LEN + 1, 6152, 65536, 1 << 20] {
            let mut rng = CountingRng::new();
            let result = key.unwrap(algorithm, &vec![0xA5; len], &mut rng);
            assert_eq!(
                result.err(),
                Some(Error::Unwrap),
                "{algorithm}, {len} bytes"
            );
            assert_eq!(
                rng.draws, 0,
                "{algorithm}: {len} bytes reached the RSA operation"
            );
        }
    }
}

#[test]
fn the_deprecated_algorithm_is_refused_whatever_the_size() {
    let key = key(WrappingKeySpec::Rsa2048);
    for len in [0, 256, MAX_ENCRYPTED_KEY_MATERIAL_LEN + 1] {
        let result = key.unwrap(
            WrappingAlgorithm::RsaesPkcs1V15,
            &vec![1; len],
            &mut CountingRng::new(),
        );
        assert_eq!(
            result.err(),
            Some(Error::Deprecated(WrappingAlgorithm::RsaesPkcs1V15))
        );
    }
}

/// The counting works: a well-formed RSA_AES ciphertext of exactly 6144 bytes (256-byte RSA block
/// plus 5888 bytes of KWP) does reach the RSA operation, so the zero counts above are meaningful;
/// 8 bytes more (still aligned) do not.
#[test]
fn the_limit_is_exactly_6144_bytes() {
    let key = key(WrappingKeySpec::Rsa2048);
    for algorithm in [
        WrappingAlgorithm::RsaAesKeyWrapSha1,
        WrappingAlgorithm::RsaAesKeyWrapSha256,
    ] {
        let mut at_limit = vec![0u8; MAX_ENCRYPTED_KEY_MATERIAL_LEN];
        at_limit[1] = 1; // an RSA block below the modulus
        let mut rng = CountingRng::new();
        assert_eq!(
            key.unwrap(algorithm, &at_limit, &mut rng).err(),
            Some(Error::Unwrap)
        );
        assert!(rng.draws > 0, "{algorithm}: 6144 bytes never reached RSA");

        let over = vec![0u8; MAX_ENCRYPTED_KEY_MATERIAL_LEN + 8];
        let mut rng = CountingRng::new();
        assert_eq!(
            key.unwrap(algorithm, &over, &mut rng).err(),
            Some(Error::Unwrap)
        );
        assert_eq!(rng.draws, 0);
    }
}

#[test]
fn material_over_the_limit_is_refused_before_wrapping() {
    let public = key(WrappingKeySpec::Rsa4096).public_key();
    for len in [0, MAX_MATERIAL_LEN + 1, MAX_ENCRYPTED_KEY_MATERIAL_LEN + 1] {
        let mut rng = CountingRng::new();
        let result = public.wrap(
            WrappingAlgorithm::RsaAesKeyWrapSha256,
            &vec![3; len],
            &mut rng,
        );
        assert_eq!(result.err(), Some(Error::MaterialLength { len }));
        assert_eq!(
            rng.draws, 0,
            "{len} bytes drew an AES key before being refused"
        );
    }
    // The largest material KMS takes does wrap, and its ciphertext is within KMS's limit.
    let ciphertext = public
        .wrap(
            WrappingAlgorithm::RsaAesKeyWrapSha256,
            &vec![3; MAX_MATERIAL_LEN],
            &mut CountingRng::new(),
        )
        .expect("largest material");
    assert!(ciphertext.len() <= MAX_ENCRYPTED_KEY_MATERIAL_LEN);
}

mod service {
    use super::*;
    use kms_import::{
        FingerprintKey, GetParametersForImportRequest, ImportKeyMaterialRequest, ImportSecrets,
        KeyId, KeyMetadata, KeySpec, KmsError, Partition, SealingKeyId, TokenSealingKey, UnixTime,
        get_parameters_for_import_with_wrapping_key, import_key_material, open_import_token,
    };

    const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    fn now() -> UnixTime {
        UnixTime::from_secs(1_800_000_000).expect("time")
    }

    #[test]
    fn a_6145_byte_import_token_is_refused_before_any_work() {
        let sealing_key = TokenSealingKey::new(SealingKeyId(1), &[9; 32]);
        let key_id: KeyId = KEY_ID.parse().expect("key id");
        for len in [MAX_IMPORT_TOKEN_LEN + 1, 1 << 20] {
            let err = open_import_token(&vec![0; len], &sealing_key, &key_id, now())
                .expect_err("oversized token");
            match err {
                KmsError::InvalidImportTokenException(m) => {
                    assert!(m.contains(&len.to_string()), "{m}")
                }
                other => panic!("{other:?}"),
            }
        }
    }

    /// With a valid token, an oversized `EncryptedKeyMaterial` is `InvalidCiphertextException`
    /// and never reaches the RSA operation; the same call with a well-formed ciphertext does.
    #[test]
    fn an_oversized_encrypted_key_material_never_reaches_rsa() {
        let wrapping_key = key(WrappingKeySpec::Rsa2048);
        let sealing_key = TokenSealingKey::new(SealingKeyId(1), &[9; 32]);
        let fingerprint_key = FingerprintKey::derive(&[3; 32]);
        let metadata = KeyMetadata::new(KeySpec::SymmetricDefault, Partition::Aws);
        let parameters = get_parameters_for_import_with_wrapping_key(
            &GetParametersForImportRequest {
                key_id: KEY_ID,
                wrapping_algorithm: WrappingAlgorithm::RsaAesKeyWrapSha256,
                wrapping_key_spec: WrappingKeySpec::Rsa2048,
            },
            &metadata,
            &wrapping_key,
            &sealing_key,
            now(),
            &mut CountingRng::new(),
        );
        // RSA_AES cannot carry symmetric material; use OAEP, which can.
        assert!(parameters.is_err());
        let parameters = get_parameters_for_import_with_wrapping_key(
            &GetParametersForImportRequest {
                key_id: KEY_ID,
                wrapping_algorithm: WrappingAlgorithm::RsaesOaepSha256,
                wrapping_key_spec: WrappingKeySpec::Rsa2048,
            },
            &metadata,
            &wrapping_key,
            &sealing_key,
            now(),
            &mut CountingRng::new(),
        )
        .expect("parameters");
        let secrets = ImportSecrets {
            sealing_keys: &sealing_key,
            fingerprint_key: &fingerprint_key,
        };
        let run = |ciphertext: &[u8]| {
            let mut rng = CountingRng::new();
            let result = import_key_material(
                &ImportKeyMaterialRequest {
                    key_id: KEY_ID,
                    import_token: &parameters.import_token,
                    encrypted_key_material: ciphertext,
                    expiration_model: Some(kms_import::ExpirationModel::KeyMaterialDoesNotExpire),
                    valid_to: None,
                },
                &metadata,
                None,
                &secrets,
                now(),
                &mut rng,
            );
            (result.err(), rng.draws)
        };
        for len in [MAX_ENCRYPTED_KEY_MATERIAL_LEN + 1, 1 << 20] {
            let (err, draws) = run(&vec![0x11; len]);
            assert_eq!(
                err,
                Some(KmsError::InvalidCiphertextException),
                "{len} bytes"
            );
            assert_eq!(draws, 0, "{len} bytes reached the RSA operation");
        }
        // Control: a 256-byte block below n does reach RSA (and fails opaquely).
        let mut block = vec![0u8; 256];
        block[1] = 1;
        let (err, draws) = run(&block);
        assert_eq!(err, Some(KmsError::InvalidCiphertextException));
        assert!(draws > 0);
    }
}
