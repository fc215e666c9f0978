//! Size bounds (issue 7, "Hardening"): input over KMS's limit of 6144 bytes is refused before any
//! work, with the same opaque error as every other bad ciphertext.
//!
//! "Before any work" is observed through the RNG: every RSA private-key operation is blinded and
//! draws from the caller's RNG, so an unwrap that never touched the RNG never ran RSA.

use kms_import::limits::{MAX_ENCRYPTED_KEY_MATERIAL_LEN, MAX_MATERIAL_LEN};
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
