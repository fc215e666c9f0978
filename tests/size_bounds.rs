//! Size bounds: input over KMS's limit of 6144 bytes is refused before any
//! work, with the same opaque error as every other bad ciphertext.
//!
//! "Before any work" is observed through the RNG: every RSA private-key operation is blinded and
//! draws from the caller's RNG, so an unwrap that never touched the RNG never ran RSA.

use kms_import::limits::{MAX_ENCRYPTED_KEY_MATERIAL_LEN, MAX_IMPORT_TOKEN_LEN, MAX_MATERIAL_LEN};
use kms_import::matrix::Reason;
use kms_import::rand_core::{TryCryptoRng, TryRng};
use kms_import::{Error, WrappingAlgorithm, WrappingKeySpec, WrappingPrivateKey, WrappingScheme};
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

const LIVE: [(WrappingScheme, WrappingKeySpec); 5] = [
    (WrappingScheme::RsaesOaepSha1, WrappingKeySpec::Rsa2048),
    (WrappingScheme::RsaesOaepSha256, WrappingKeySpec::Rsa2048),
    (WrappingScheme::RsaAesKeyWrapSha1, WrappingKeySpec::Rsa2048),
    (
        WrappingScheme::RsaAesKeyWrapSha256,
        WrappingKeySpec::Rsa2048,
    ),
    (WrappingScheme::Sm2Pke, WrappingKeySpec::Sm2),
];

#[test]
fn a_6145_byte_ciphertext_is_refused_opaquely_by_every_algorithm() {
    for (algorithm, spec) in LIVE {
        let key = key(spec);
        for len in [MAX_ENCRYPTED_KEY_MATERIAL_LEN + 1, 6152, 65536, 1 << 20] {
            let mut rng = CountingRng::new();
            let result = key.unwrap_key_material(algorithm, &vec![0xA5; len], &mut rng);
            assert_eq!(
                result.err(),
                Some(Error::InvalidCiphertext),
                "{algorithm}, {len} bytes"
            );
            assert_eq!(
                rng.draws, 0,
                "{algorithm}: {len} bytes reached the RSA operation"
            );
        }
    }
}

// API v2: `unwrap_key_material` takes a `WrappingScheme`, which has no PKCS#1 v1.5 variant, so
// the deprecated algorithm cannot reach it whatever the size; the refusal is the conversion's.
#[test]
fn the_deprecated_algorithm_is_refused_whatever_the_size() {
    let refusal = WrappingScheme::try_from(WrappingAlgorithm::RsaesPkcs1V15)
        .expect_err("RSAES_PKCS1_V1_5 has no scheme");
    assert_eq!(refusal.reason, Reason::Deprecated);
    assert_eq!(
        refusal.wrapping_algorithm,
        Some(WrappingAlgorithm::RsaesPkcs1V15)
    );
    assert!(matches!(Error::from(refusal), Error::NotAllowed(r) if r.reason == Reason::Deprecated));
}

/// The counting works: a well-formed RSA_AES ciphertext of exactly 6144 bytes (256-byte RSA block
/// plus 5888 bytes of KWP) does reach the RSA operation, so the zero counts above are meaningful;
/// 8 bytes more (still aligned) do not.
#[test]
fn the_limit_is_exactly_6144_bytes() {
    let key = key(WrappingKeySpec::Rsa2048);
    for algorithm in [
        WrappingScheme::RsaAesKeyWrapSha1,
        WrappingScheme::RsaAesKeyWrapSha256,
    ] {
        let mut at_limit = vec![0u8; MAX_ENCRYPTED_KEY_MATERIAL_LEN];
        at_limit[1] = 1; // an RSA block below the modulus
        let mut rng = CountingRng::new();
        assert_eq!(
            key.unwrap_key_material(algorithm, &at_limit, &mut rng)
                .err(),
            Some(Error::InvalidCiphertext)
        );
        assert!(rng.draws > 0, "{algorithm}: 6144 bytes never reached RSA");

        let over = vec![0u8; MAX_ENCRYPTED_KEY_MATERIAL_LEN + 8];
        let mut rng = CountingRng::new();
        assert_eq!(
            key.unwrap_key_material(algorithm, &over, &mut rng).err(),
            Some(Error::InvalidCiphertext)
        );
        assert_eq!(rng.draws, 0);
    }
}

#[test]
fn material_over_the_limit_is_refused_before_wrapping() {
    let public = key(WrappingKeySpec::Rsa4096).public_key();
    for len in [0, MAX_MATERIAL_LEN + 1, MAX_ENCRYPTED_KEY_MATERIAL_LEN + 1] {
        let mut rng = CountingRng::new();
        let result =
            public.wrap_key_material(WrappingScheme::RsaAesKeyWrapSha256, &vec![3; len], &mut rng);
        assert_eq!(result.err(), Some(Error::MaterialLength { len }));
        assert_eq!(
            rng.draws, 0,
            "{len} bytes drew an AES key before being refused"
        );
    }
    // The largest material KMS takes does wrap, and its ciphertext is within KMS's limit.
    let ciphertext = public
        .wrap_key_material(
            WrappingScheme::RsaAesKeyWrapSha256,
            &vec![3; MAX_MATERIAL_LEN],
            &mut CountingRng::new(),
        )
        .expect("largest material");
    assert!(ciphertext.len() <= MAX_ENCRYPTED_KEY_MATERIAL_LEN);
}

mod service {
    use super::*;
    use kms_import::{
        GetParametersForImportRequest, ImportKeyMaterialRequest, ImportService, KeyId,
        KeyMaterialIdKey, KeyMetadata, KeySpec, KeyUsage, KmsError, Partition, SealingKeyId,
        SealingKeys, TokenSealingKey, UnixTime,
    };

    const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    fn now() -> UnixTime {
        UnixTime::from_secs(1_800_000_000).expect("time")
    }

    fn service() -> ImportService {
        ImportService::new(
            SealingKeys::new(TokenSealingKey::new(SealingKeyId(1), &[9; 32])),
            KeyMaterialIdKey::derive(&[3; 32]),
        )
    }

    fn metadata() -> KeyMetadata {
        let key_id: KeyId = KEY_ID.parse().expect("key id");
        KeyMetadata::with_key_id(
            key_id,
            Partition::Aws,
            KeySpec::SymmetricDefault,
            KeyUsage::EncryptDecrypt,
        )
    }

    #[test]
    fn a_6145_byte_import_token_is_refused_before_any_work() {
        let service = service();
        let metadata = metadata();
        for len in [MAX_IMPORT_TOKEN_LEN + 1, 1 << 20] {
            let err = service
                .open_import_token(&vec![0; len], KEY_ID, &metadata, now())
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
        let service = service();
        let metadata = metadata();
        let parameters = service.get_parameters_for_import_with_wrapping_key(
            &GetParametersForImportRequest {
                key_id: KEY_ID,
                wrapping_algorithm: WrappingAlgorithm::RsaAesKeyWrapSha256,
                wrapping_key_spec: WrappingKeySpec::Rsa2048,
            },
            &metadata,
            key(WrappingKeySpec::Rsa2048),
            now(),
            &mut CountingRng::new(),
        );
        // RSA_AES cannot carry symmetric material; use OAEP, which can.
        assert!(parameters.is_err());
        let parameters = service
            .get_parameters_for_import_with_wrapping_key(
                &GetParametersForImportRequest {
                    key_id: KEY_ID,
                    wrapping_algorithm: WrappingAlgorithm::RsaesOaepSha256,
                    wrapping_key_spec: WrappingKeySpec::Rsa2048,
                },
                &metadata,
                key(WrappingKeySpec::Rsa2048),
                now(),
                &mut CountingRng::new(),
            )
            .expect("parameters");
        let run = |ciphertext: &[u8]| {
            let mut rng = CountingRng::new();
            let result = service.import_key_material(
                &ImportKeyMaterialRequest {
                    key_id: KEY_ID,
                    import_token: &parameters.import_token,
                    encrypted_key_material: ciphertext,
                    expiration_model: Some(kms_import::ExpirationModel::KeyMaterialDoesNotExpire),
                    ..Default::default()
                },
                &metadata,
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
