//! Writes the seed corpora of the fuzz targets into `fuzz/corpus/<target>/`.
//!
//! ```text
//! cargo run --example make_fuzz_seeds
//! ```
//!
//! Seeds are valid outputs of each API under the fixed keys of `fuzz/keys/` (ciphertexts of
//! material of every length class, public and private keys), the wire names, and the private keys
//! of the Wycheproof vectors in `test-vectors/`. Files are named by a hash of their content, so
//! running it again adds nothing twice. Deterministic: the RNG is seeded.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz_support;

use std::path::{Path, PathBuf};

use kms_import::{KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec};
use rand::rngs::ChaCha20Rng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

/// Material lengths worth a seed: AES-128/SM4, HMAC and AES-256 lengths, ECC PKCS#8 lengths, the
/// OAEP limits of RSA_2048 (190 / 214) and a few RSA PKCS#8 sizes.
const MATERIAL_LENS: &[usize] = &[
    1, 7, 8, 9, 16, 28, 32, 48, 64, 121, 138, 190, 214, 241, 1218,
];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let keys = fuzz_support::keys();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let mut written = 0usize;
    let mut put = |target: &str, data: &[u8]| {
        written += usize::from(write_seed(&root.join(target), data));
    };

    let unwrap_targets = [
        (
            "unwrap_rsaes_oaep_sha_1",
            WrappingKeySpec::Rsa2048,
            WrappingAlgorithm::RsaesOaepSha1,
        ),
        (
            "unwrap_rsaes_oaep_sha_256",
            WrappingKeySpec::Rsa2048,
            WrappingAlgorithm::RsaesOaepSha256,
        ),
        (
            "unwrap_rsa_aes_key_wrap_sha_1",
            WrappingKeySpec::Rsa2048,
            WrappingAlgorithm::RsaAesKeyWrapSha1,
        ),
        (
            "unwrap_rsa_aes_key_wrap_sha_256",
            WrappingKeySpec::Rsa2048,
            WrappingAlgorithm::RsaAesKeyWrapSha256,
        ),
        (
            "unwrap_rsa_aes_key_wrap_sha_256_rsa_4096",
            WrappingKeySpec::Rsa4096,
            WrappingAlgorithm::RsaAesKeyWrapSha256,
        ),
        (
            "unwrap_sm2pke",
            WrappingKeySpec::Sm2,
            WrappingAlgorithm::Sm2Pke,
        ),
    ];
    for (target, spec, algorithm) in unwrap_targets {
        let public = keys.get(spec).public_key();
        for &len in MATERIAL_LENS {
            let material = random_bytes(&mut rng, len);
            let Ok(ciphertext) = public.wrap(algorithm, &material, &mut rng) else {
                continue;
            };
            put(target, &ciphertext);
            // The same ciphertext with its last byte flipped: a near miss for every check.
            let mut flipped = ciphertext.clone();
            if let Some(last) = flipped.last_mut() {
                *last ^= 1;
            }
            put(target, &flipped);
        }
    }

    for name in WrappingKeySpec::NAMES
        .iter()
        .chain(WrappingAlgorithm::NAMES)
        .chain(KeySpec::NAMES)
        .chain(Partition::NAMES)
    {
        put("names", name.as_bytes());
    }
    put("names", b"rsaes_oaep_sha_256");
    put("names", "RSA_2048\u{0}".as_bytes());

    // matrix: `Unstructured::choose` reads one byte per choice for these small enums.
    for i in 0..=255u8 {
        let q = [i, i.wrapping_mul(7), i.wrapping_mul(13), i.wrapping_mul(29)];
        put("matrix", &q);
    }

    // roundtrip: [algorithm choice, key choice, material...].
    for (i, &len) in MATERIAL_LENS.iter().enumerate() {
        let mut input = vec![i as u8, (i / 3) as u8];
        input.extend(random_bytes(&mut rng, len));
        put("roundtrip", &input);
    }

    for der in [
        fuzz_support::RSA_2048_PKCS8,
        fuzz_support::RSA_4096_PKCS8,
        fuzz_support::SM2_PKCS8,
    ] {
        put("spki_and_pkcs8_parse", der);
    }
    for spec in [
        WrappingKeySpec::Rsa2048,
        WrappingKeySpec::Rsa4096,
        WrappingKeySpec::Sm2,
    ] {
        put(
            "spki_and_pkcs8_parse",
            &keys.get(spec).public_key().to_der(),
        );
    }
    for pkcs8 in wycheproof_private_keys() {
        put("spki_and_pkcs8_parse", &pkcs8);
    }

    println!("wrote {written} new seed files under {}", root.display());
}

fn random_bytes(rng: &mut ChaCha20Rng, len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    bytes
}

/// Writes `data` as `<dir>/<first 16 hex digits of its SHA-256>`; `false` if it was there.
fn write_seed(dir: &Path, data: &[u8]) -> bool {
    std::fs::create_dir_all(dir).expect("create corpus directory");
    let digest = Sha256::digest(data);
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let path = dir.join(name);
    if path.exists() {
        return false;
    }
    std::fs::write(&path, data).expect("write seed");
    true
}

/// The `privateKeyPkcs8` of one test group of each Wycheproof RSA-OAEP file of a KMS size.
fn wycheproof_private_keys() -> Vec<Vec<u8>> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors/wycheproof/testvectors_v1");
    let mut keys = Vec::new();
    for file in [
        "rsa_oaep_2048_sha256_mgf1sha256_test.json",
        "rsa_oaep_3072_sha256_mgf1sha256_test.json",
        "rsa_oaep_4096_sha256_mgf1sha256_test.json",
        "rsa_oaep_misc_test.json",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).expect("read Wycheproof file");
        let json: serde_json::Value = serde_json::from_str(&text).expect("parse Wycheproof file");
        let groups = json["testGroups"].as_array().expect("testGroups");
        for group in groups.iter().take(4) {
            if let Some(hex_der) = group["privateKeyPkcs8"].as_str() {
                keys.push(hex::decode(hex_der).expect("hex"));
            }
        }
    }
    keys
}
