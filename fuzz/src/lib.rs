//! What the fuzz targets share: fixed wrapping keys built once, a seeded RNG, the decoding of
//! structured inputs with `arbitrary`, and a second, naive statement of the compatibility matrix.
//!
//! Every target in `fuzz_targets/` is one call to a function here, and each of those is one call
//! into `kms_import::fuzz_targets`. `tests/fuzz_replay.rs` at the crate root includes this very
//! file (`#[path]`), so a stable `cargo test` replays `corpus/` and `regressions/` through exactly
//! what the fuzzers run. Keep it free of libFuzzer.

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use kms_import::fuzz_targets as body;
use kms_import::{KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec, WrappingPrivateKey};

// Explicit paths: this file is also included by `#[path]` from the crate root's tests.
#[path = "naive_matrix.rs"]
pub mod naive_matrix;
#[path = "service.rs"]
mod service;

use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
pub use service::{
    ImportInput, KEY_ID, ServiceSecrets, import_key_material, import_token_open, issue_token,
    key_metadata, now, service,
};

/// Fixed wrapping keys of each spec (test keys made with `openssl genpkey`, PKCS#8 DER; they
/// protect nothing). Fixed so that the seed corpus, encrypted to them, stays valid.
pub const RSA_2048_PKCS8: &[u8] = include_bytes!("../keys/rsa2048.pk8");
/// See [`RSA_2048_PKCS8`].
pub const RSA_4096_PKCS8: &[u8] = include_bytes!("../keys/rsa4096.pk8");
/// See [`RSA_2048_PKCS8`].
pub const SM2_PKCS8: &[u8] = include_bytes!("../keys/sm2.pk8");

/// The wrapping keys, parsed once per process.
pub struct Keys {
    /// RSA_2048.
    pub rsa_2048: WrappingPrivateKey,
    /// RSA_4096.
    pub rsa_4096: WrappingPrivateKey,
    /// SM2.
    pub sm2: WrappingPrivateKey,
}

/// The fixed keys (parsed on first use).
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let load = |der: &[u8], spec| {
            let key = WrappingPrivateKey::from_pkcs8_der(der).expect("fixed fuzz key");
            assert_eq!(key.spec(), spec);
            key
        };
        Keys {
            rsa_2048: load(RSA_2048_PKCS8, WrappingKeySpec::Rsa2048),
            rsa_4096: load(RSA_4096_PKCS8, WrappingKeySpec::Rsa4096),
            sm2: load(SM2_PKCS8, WrappingKeySpec::Sm2),
        }
    })
}

impl Keys {
    /// The key of `spec` (RSA_3072 is not kept: RSA_2048 and RSA_4096 bracket it).
    pub fn get(&self, spec: WrappingKeySpec) -> &WrappingPrivateKey {
        match spec {
            WrappingKeySpec::Rsa4096 => &self.rsa_4096,
            WrappingKeySpec::Sm2 => &self.sm2,
            _ => &self.rsa_2048,
        }
    }
}

/// A fresh RNG with a fixed seed for every execution, so that a crash replays exactly.
pub fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(0x6b6d_735f_6675_7a7a)
}

fn unwrap_with(spec: WrappingKeySpec, algorithm: WrappingAlgorithm, data: &[u8]) {
    body::unwrap(keys().get(spec), algorithm, data, &mut rng());
}

/// `RSAES_OAEP_SHA_1` under RSA_2048.
pub fn unwrap_rsaes_oaep_sha_1(data: &[u8]) {
    unwrap_with(
        WrappingKeySpec::Rsa2048,
        WrappingAlgorithm::RsaesOaepSha1,
        data,
    );
}

/// `RSAES_OAEP_SHA_256` under RSA_2048.
pub fn unwrap_rsaes_oaep_sha_256(data: &[u8]) {
    unwrap_with(
        WrappingKeySpec::Rsa2048,
        WrappingAlgorithm::RsaesOaepSha256,
        data,
    );
}

/// `RSA_AES_KEY_WRAP_SHA_1` under RSA_2048.
pub fn unwrap_rsa_aes_key_wrap_sha_1(data: &[u8]) {
    unwrap_with(
        WrappingKeySpec::Rsa2048,
        WrappingAlgorithm::RsaAesKeyWrapSha1,
        data,
    );
}

/// `RSA_AES_KEY_WRAP_SHA_256` under RSA_2048.
pub fn unwrap_rsa_aes_key_wrap_sha_256(data: &[u8]) {
    unwrap_with(
        WrappingKeySpec::Rsa2048,
        WrappingAlgorithm::RsaAesKeyWrapSha256,
        data,
    );
}

/// `RSA_AES_KEY_WRAP_SHA_256` under RSA_4096 (slower: one variant is enough).
pub fn unwrap_rsa_aes_key_wrap_sha_256_rsa_4096(data: &[u8]) {
    unwrap_with(
        WrappingKeySpec::Rsa4096,
        WrappingAlgorithm::RsaAesKeyWrapSha256,
        data,
    );
}

/// `SM2PKE` under SM2.
pub fn unwrap_sm2pke(data: &[u8]) {
    unwrap_with(WrappingKeySpec::Sm2, WrappingAlgorithm::Sm2Pke, data);
}

/// AWS names.
pub fn names(data: &[u8]) {
    body::names(data);
}

/// DER SubjectPublicKeyInfo and PKCS#8 parsing.
pub fn spki_and_pkcs8_parse(data: &[u8]) {
    body::spki_and_pkcs8_parse(data);
}

/// One question to the compatibility matrix.
#[derive(Debug)]
pub struct MatrixInput {
    /// Partition.
    pub partition: Partition,
    /// Wrapping algorithm.
    pub algorithm: WrappingAlgorithm,
    /// Wrapping key spec.
    pub wrapping_key_spec: WrappingKeySpec,
    /// Key spec of the KMS key.
    pub key_spec: KeySpec,
}

impl<'a> Arbitrary<'a> for MatrixInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(MatrixInput {
            partition: *u.choose(Partition::ALL)?,
            algorithm: *u.choose(WrappingAlgorithm::ALL)?,
            wrapping_key_spec: *u.choose(WrappingKeySpec::ALL)?,
            key_spec: *u.choose(KeySpec::ALL)?,
        })
    }
}

/// The matrix, held against [`naive_matrix::allowed`].
pub fn matrix(data: &[u8]) {
    let Ok(q) = MatrixInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let answer = body::matrix(q.partition, q.algorithm, q.wrapping_key_spec, q.key_spec);
    let naive = naive_matrix::allowed(q.partition, q.algorithm, q.wrapping_key_spec, q.key_spec);
    assert_eq!(
        answer.is_ok(),
        naive,
        "the matrix and the naive rules disagree on {q:?}: matrix says {answer:?}"
    );
}

/// Material × algorithm × wrapping key for the round trip.
#[derive(Debug)]
pub struct RoundtripInput {
    /// Wrapping algorithm (all six, so refusals are covered too).
    pub algorithm: WrappingAlgorithm,
    /// Which fixed key.
    pub wrapping_key_spec: WrappingKeySpec,
    /// The material (the rest of the input).
    pub material: Vec<u8>,
}

impl<'a> Arbitrary<'a> for RoundtripInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(RoundtripInput {
            algorithm: *u.choose(WrappingAlgorithm::ALL)?,
            wrapping_key_spec: *u.choose(&[
                WrappingKeySpec::Rsa2048,
                WrappingKeySpec::Sm2,
                WrappingKeySpec::Rsa4096,
            ])?,
            material: u.arbitrary()?,
        })
    }

    fn arbitrary_take_rest(mut u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(RoundtripInput {
            algorithm: *u.choose(WrappingAlgorithm::ALL)?,
            wrapping_key_spec: *u.choose(&[
                WrappingKeySpec::Rsa2048,
                WrappingKeySpec::Sm2,
                WrappingKeySpec::Rsa4096,
            ])?,
            material: u.take_rest().to_vec(),
        })
    }
}

/// wrap → unwrap gives the same bytes, or both sides refuse.
pub fn roundtrip(data: &[u8]) {
    let Ok(input) = RoundtripInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let key = keys().get(input.wrapping_key_spec);
    body::roundtrip(key, input.algorithm, &input.material, &mut rng());
}

/// Key material validation: [key spec choice, partition choice, material...].
pub fn key_material_pkcs8(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let (Ok(&key_spec), Ok(&partition)) = (u.choose(KeySpec::ALL), u.choose(Partition::ALL)) else {
        return;
    };
    body::key_material_pkcs8(key_spec, partition, u.take_rest(), &mut rng());
}

/// The GM/T 0009 SM2 ciphertext parser.
pub fn sm2_ciphertext_der(data: &[u8]) {
    body::sm2_ciphertext_der(data);
}

/// EME-OAEP decoding, held against the spec read literally: `[flags, unmasked EM]`.
pub fn oaep_decode(data: &[u8]) {
    body::oaep_decode(data);
}

/// The KWP unwrap, held against `aes-kw` and the spec: `[flags, ciphertext or A || P]`.
pub fn kwp_unwrap(data: &[u8]) {
    body::kwp_unwrap(data);
}

/// Our fixed-width modular exponentiation held against `crypto-bigint`'s:
/// `[width, flags, n || base || exponent]`.
pub fn modexp(data: &[u8]) {
    body::modexp(data);
}

/// A fuzz target: a name and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target by name, for the replay test and the seed generator.
pub const TARGETS: &[Target] = &[
    ("unwrap_rsaes_oaep_sha_1", unwrap_rsaes_oaep_sha_1),
    ("unwrap_rsaes_oaep_sha_256", unwrap_rsaes_oaep_sha_256),
    (
        "unwrap_rsa_aes_key_wrap_sha_1",
        unwrap_rsa_aes_key_wrap_sha_1,
    ),
    (
        "unwrap_rsa_aes_key_wrap_sha_256",
        unwrap_rsa_aes_key_wrap_sha_256,
    ),
    (
        "unwrap_rsa_aes_key_wrap_sha_256_rsa_4096",
        unwrap_rsa_aes_key_wrap_sha_256_rsa_4096,
    ),
    ("unwrap_sm2pke", unwrap_sm2pke),
    ("oaep_decode", oaep_decode),
    ("kwp_unwrap", kwp_unwrap),
    ("modexp", modexp),
    ("names", names),
    ("matrix", matrix),
    ("roundtrip", roundtrip),
    ("spki_and_pkcs8_parse", spki_and_pkcs8_parse),
    ("import_token_open", import_token_open),
    ("import_key_material", import_key_material),
    ("key_material_pkcs8", key_material_pkcs8),
    ("sm2_ciphertext_der", sm2_ciphertext_der),
];
