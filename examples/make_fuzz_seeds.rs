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
//!
//! Run it again whenever the token format changes (`src/service/token_format.rs`): the
//! `import_token_open` seeds hold sealed tokens and token bodies.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code, unused_imports)]
mod fuzz_support;

use std::path::{Path, PathBuf};

use fuzz_support::ImportInput;
use kms_import::{
    KeySpec, KeyState, Partition, UnixTime, WrappingAlgorithm, WrappingKeySpec, WrappingScheme,
};
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
            WrappingScheme::RsaesOaepSha1,
        ),
        (
            "unwrap_rsaes_oaep_sha_256",
            WrappingKeySpec::Rsa2048,
            WrappingScheme::RsaesOaepSha256,
        ),
        (
            "unwrap_rsa_aes_key_wrap_sha_1",
            WrappingKeySpec::Rsa2048,
            WrappingScheme::RsaAesKeyWrapSha1,
        ),
        (
            "unwrap_rsa_aes_key_wrap_sha_256",
            WrappingKeySpec::Rsa2048,
            WrappingScheme::RsaAesKeyWrapSha256,
        ),
        (
            "unwrap_rsa_aes_key_wrap_sha_256_rsa_4096",
            WrappingKeySpec::Rsa4096,
            WrappingScheme::RsaAesKeyWrapSha256,
        ),
        (
            "unwrap_sm2pke",
            WrappingKeySpec::Sm2,
            WrappingScheme::Sm2Pke,
        ),
    ];
    for (target, spec, algorithm) in unwrap_targets {
        let public = keys.get(spec).public_key();
        for &len in MATERIAL_LENS {
            let material = random_bytes(&mut rng, len);
            let Ok(ciphertext) = public.wrap_key_material(algorithm, &material, &mut rng) else {
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

    service_seeds(&mut rng, &mut put);
    decoder_seeds(&mut rng, &mut put);
    modexp_seeds(&mut rng, &mut put);

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

/// Valid key material of every importable key spec, with the partition it belongs to.
fn valid_materials(rng: &mut ChaCha20Rng) -> Vec<(Partition, KeySpec, Vec<u8>)> {
    use p256::elliptic_curve::Generate;
    use p256::pkcs8::EncodePrivateKey;
    fn der(doc: pkcs8::Result<pkcs8::SecretDocument>) -> Vec<u8> {
        doc.expect("PKCS#8").as_bytes().to_vec()
    }
    let mut out = vec![
        (
            Partition::Aws,
            KeySpec::SymmetricDefault,
            random_bytes(rng, 32),
        ),
        (
            Partition::AwsCn,
            KeySpec::SymmetricDefault,
            random_bytes(rng, 16),
        ),
        (Partition::Aws, KeySpec::Hmac224, random_bytes(rng, 28)),
        (Partition::Aws, KeySpec::Hmac256, random_bytes(rng, 32)),
        (Partition::Aws, KeySpec::Hmac384, random_bytes(rng, 48)),
        (Partition::Aws, KeySpec::Hmac512, random_bytes(rng, 64)),
        (
            Partition::Aws,
            KeySpec::Rsa2048,
            fuzz_support::RSA_2048_PKCS8.to_vec(),
        ),
        (
            Partition::Aws,
            KeySpec::Rsa4096,
            fuzz_support::RSA_4096_PKCS8.to_vec(),
        ),
        (
            Partition::AwsCn,
            KeySpec::Sm2,
            fuzz_support::SM2_PKCS8.to_vec(),
        ),
    ];
    out.push((
        Partition::Aws,
        KeySpec::EccNistP256,
        der(p256::SecretKey::generate_from_rng(rng).to_pkcs8_der()),
    ));
    out.push((
        Partition::Aws,
        KeySpec::EccNistP384,
        der(p384::SecretKey::generate_from_rng(rng).to_pkcs8_der()),
    ));
    out.push((
        Partition::Aws,
        KeySpec::EccNistP521,
        der(p521::SecretKey::generate_from_rng(rng).to_pkcs8_der()),
    ));
    out.push((
        Partition::Aws,
        KeySpec::EccSecgP256k1,
        der(k256::SecretKey::generate_from_rng(rng).to_pkcs8_der()),
    ));
    out
}

/// An algorithm and wrapping key the matrix accepts for `key_spec` in `partition`.
fn algorithm_for(
    partition: Partition,
    key_spec: KeySpec,
) -> Option<(WrappingAlgorithm, WrappingKeySpec)> {
    [
        (WrappingAlgorithm::RsaesOaepSha256, WrappingKeySpec::Rsa2048),
        (
            WrappingAlgorithm::RsaAesKeyWrapSha256,
            WrappingKeySpec::Rsa2048,
        ),
        (WrappingAlgorithm::Sm2Pke, WrappingKeySpec::Sm2),
        (WrappingAlgorithm::RsaesOaepSha1, WrappingKeySpec::Rsa2048),
    ]
    .into_iter()
    .find(|&(a, w)| kms_import::matrix::check(partition, a, w, key_spec).is_ok())
}

/// Layout of a token body (src/service/token_format.rs): u8-length names, two u64 times, u16-length PKCS#8.
fn token_body(names: [&str; 5], issued_at: u64, pkcs8: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for name in names {
        body.push(name.len() as u8);
        body.extend(name.as_bytes());
    }
    body.extend(issued_at.to_be_bytes());
    body.extend((issued_at + 86_400).to_be_bytes());
    body.extend((pkcs8.len() as u16).to_be_bytes());
    body.extend(pkcs8);
    body
}

fn service_seeds(rng: &mut ChaCha20Rng, put: &mut impl FnMut(&str, &[u8])) {
    let now = fuzz_support::now();
    let at =
        |delta: i64| UnixTime::from_secs(now.as_secs().saturating_add_signed(delta)).expect("time");
    let materials = valid_materials(rng);
    // The key `import_token_open` opens tokens for (fuzz/src/service.rs).
    let target_key = fuzz_support::key_metadata(Partition::Aws, KeySpec::SymmetricDefault)
        .key
        .to_string();

    for (partition, key_spec, material) in &materials {
        let mut input = vec![
            KeySpec::ALL
                .iter()
                .position(|k| k == key_spec)
                .expect("listed") as u8,
            Partition::ALL
                .iter()
                .position(|p| p == partition)
                .expect("listed") as u8,
        ];
        input.extend(material);
        put("key_material_pkcs8", &input);
        // The same with its last byte cut: a near miss.
        put("key_material_pkcs8", &input[..input.len() - 1]);

        let Some((algorithm, wrapping_key_spec)) = algorithm_for(*partition, *key_spec) else {
            continue;
        };
        for (age, mode) in [(60, 0u8), (90_000, 0), (-1_000, 0)] {
            if let Some(token) = fuzz_support::issue_token(
                *partition,
                *key_spec,
                algorithm,
                wrapping_key_spec,
                at(-age),
            ) {
                let mut seed = vec![mode];
                seed.extend(&token);
                put("import_token_open", &seed);
                if age == 60 {
                    *seed.last_mut().expect("non-empty") ^= 0x80;
                    put("import_token_open", &seed);
                }
            }
        }
        let pkcs8: &[u8] = match wrapping_key_spec {
            WrappingKeySpec::Sm2 => fuzz_support::SM2_PKCS8,
            _ => fuzz_support::RSA_2048_PKCS8,
        };
        // The body names the key the target opens tokens for: its full ARN (tokens bind the
        // ARN when the KMS knows it), so that the body gets past the key binding.
        let mut body = vec![1u8];
        body.extend(token_body(
            [
                &target_key,
                key_spec.as_str(),
                partition.as_str(),
                algorithm.as_str(),
                wrapping_key_spec.as_str(),
            ],
            now.as_secs() - 60,
            pkcs8,
        ));
        put("import_token_open", &body);

        // (key state, previous materials, ImportType, give a KeyMaterialId): a first import; a
        // re-import of material the key does not hold; new material for rotation (symmetric
        // keys); EXISTING_KEY_MATERIAL naming an id, into a key whose material was deleted.
        for (key_state, previous, import_type, give_key_material_id) in [
            (KeyState::PendingImport, 0, 0, false),
            (KeyState::Enabled, 1, 0, false),
            (KeyState::Enabled, 1, 1, false),
            (KeyState::PendingImport, 2, 2, true),
        ] {
            let input = ImportInput {
                partition: *partition,
                key_spec: *key_spec,
                key_state,
                algorithm,
                wrapping_key_spec,
                expiration: 1,
                valid_to_offset: 86_400,
                valid_token: true,
                token_age: 60,
                wrap_payload: true,
                previous,
                import_type,
                give_key_material_id,
                payload: material.clone(),
            };
            put("import_key_material", &input.encode());
        }
    }

    for file in std::fs::read_dir(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/unwrap_sm2pke"),
    )
    .expect("SM2 seeds")
    {
        let data = std::fs::read(file.expect("entry").path()).expect("read");
        put("sm2_ciphertext_der", &data);
    }
}

/// `oaep_decode` and `kwp_unwrap` take the decrypted structure (see src/fuzz_targets/decoders.rs):
/// well-formed blocks of several sizes, and each with one check broken.
fn decoder_seeds(rng: &mut ChaCha20Rng, put: &mut impl FnMut(&str, &[u8])) {
    // [flags, Y || seed || DB]: flag 2 has the harness write lHash; DB = lHash || PS || 01 || M.
    for (flags, h_len) in [(2u8, 20usize), (3, 32)] {
        for (k, m_len) in [
            (256usize, 32usize),
            (256, 0),
            (384, 1),
            (512, 512 - 2 * h_len - 2),
        ] {
            let mut em = vec![0u8; k];
            em[1..1 + h_len].copy_from_slice(&random_bytes(rng, h_len));
            em[k - m_len - 1] = 1;
            em[k - m_len..].copy_from_slice(&random_bytes(rng, m_len));
            put("oaep_decode", &[&[flags][..], &em].concat());
            let mut bad = em.clone();
            bad[0] = 1;
            put("oaep_decode", &[&[flags][..], &bad].concat());
        }
    }
    // [flags, A || P]: flag 1 has the harness encrypt, flag 2 write A65959A6 into A.
    for len in [1usize, 7, 8, 9, 32, 1218, 4096] {
        let padded = len.div_ceil(8) * 8;
        let mut input = vec![3u8, 0, 0, 0, 0];
        input.extend((len as u32).to_be_bytes());
        input.extend(random_bytes(rng, len));
        input.resize(1 + 8 + padded, 0);
        put("kwp_unwrap", &input);
        if padded > len {
            let mut nonzero_padding = input.clone();
            *nonzero_padding.last_mut().expect("padded") = 1;
            put("kwp_unwrap", &nonzero_padding);
        }
    }
    put("kwp_unwrap", &[&[0u8][..], &random_bytes(rng, 24)].concat());
}

/// `modexp`: `[width, flags, n || base || exponent]` (see src/arith/fuzzing.rs): per width, random
/// values and the edges the flags select (base n − 1, 0 or 1, exponent 0 or 1, n just above
/// 2^(k−1) or just below 2^k).
fn modexp_seeds(rng: &mut ChaCha20Rng, put: &mut impl FnMut(&str, &[u8])) {
    for (width, limbs) in [16usize, 24, 32, 48, 64].into_iter().enumerate() {
        for flags in [0u8, 0x21, 0x42, 0x14, 0x08] {
            let mut input = vec![width as u8, flags];
            input.extend(random_bytes(rng, 3 * 8 * limbs));
            put("modexp", &input);
        }
    }
}
