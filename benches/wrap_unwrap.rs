//! Wrap and unwrap for every wrapping algorithm × wrapping key spec with realistic key material
//! (a 32-byte AES key, an HMAC_512 key, an ECC_NIST_P521 PKCS#8, an RSA_4096 PKCS#8 where the
//! algorithm can carry it), raw AES-256-KWP unwrap of a 1,217-byte PKCS#8, and the import token.
//!
//! `cargo bench --bench wrap_unwrap` (filter with e.g. `-- RSAES_OAEP_SHA_256`).

use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use kms_import::{
    GetParametersForImportRequest, ImportService, KeyId, KeyMaterialIdKey, KeyMetadata, KeySpec,
    Partition, SealingKeyId, SealingKeys, TokenSealingKey, UnixTime, WrappingAlgorithm,
    WrappingKeySpec, WrappingPrivateKey, WrappingScheme,
};
use rand::{Rng, SeedableRng};

const ALGORITHMS: [WrappingScheme; 5] = [
    WrappingScheme::RsaesOaepSha1,
    WrappingScheme::RsaesOaepSha256,
    WrappingScheme::RsaAesKeyWrapSha1,
    WrappingScheme::RsaAesKeyWrapSha256,
    WrappingScheme::Sm2Pke,
];
const SPECS: [WrappingKeySpec; 4] = [
    WrappingKeySpec::Rsa2048,
    WrappingKeySpec::Rsa3072,
    WrappingKeySpec::Rsa4096,
    WrappingKeySpec::Sm2,
];

fn materials(rng: &mut rand::rngs::ChaCha20Rng) -> Vec<(&'static str, Vec<u8>)> {
    let mut aes = vec![0u8; 32];
    rng.fill_bytes(&mut aes);
    let mut hmac = vec![0u8; 64];
    rng.fill_bytes(&mut hmac);
    let p521 = {
        use p521::elliptic_curve::Generate;
        use pkcs8::EncodePrivateKey;
        let k = p521::SecretKey::generate_from_rng(rng);
        k.to_pkcs8_der().unwrap().as_bytes().to_vec()
    };
    let rsa4096 = WrappingPrivateKey::generate(WrappingKeySpec::Rsa4096, rng)
        .unwrap()
        .to_pkcs8_der()
        .unwrap()
        .to_vec();
    vec![
        ("AES_256", aes),
        ("HMAC_512", hmac),
        ("ECC_NIST_P521", p521),
        ("RSA_4096", rsa4096),
    ]
}

fn wrap_unwrap(c: &mut Criterion) {
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(3);
    let materials = materials(&mut rng);
    let keys: Vec<_> = SPECS
        .iter()
        .map(|&s| WrappingPrivateKey::generate(s, &mut rng).unwrap())
        .collect();
    let mut group = c.benchmark_group("wrap_unwrap");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(200));
    group.measurement_time(Duration::from_millis(800));
    for alg in ALGORITHMS {
        for key in &keys {
            let spec = key.spec();
            let Some(limit) = alg.max_material_len(spec) else {
                continue;
            };
            let public = key.public_key();
            for (name, material) in &materials {
                if material.len() > limit {
                    continue;
                }
                let id = format!("{alg}/{spec}/{name}");
                group.bench_function(format!("wrap {id}"), |b| {
                    b.iter(|| public.wrap_key_material(alg, material, &mut rng).unwrap())
                });
                let wrapped = public.wrap_key_material(alg, material, &mut rng).unwrap();
                group.bench_function(format!("unwrap {id}"), |b| {
                    b.iter(|| key.unwrap_key_material(alg, &wrapped, &mut rng).unwrap())
                });
            }
        }
    }
    group.finish();
}

fn kwp(c: &mut Criterion) {
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(4);
    let mut kek = [0u8; 32];
    rng.fill_bytes(&mut kek);
    let mut pkcs8 = vec![0u8; 1217];
    rng.fill_bytes(&mut pkcs8);
    let wrapped = kms_import::hazmat::aes256_kwp_wrap(&kek, &pkcs8).unwrap();
    c.bench_function("AES-256-KWP unwrap 1217 bytes", |b| {
        b.iter(|| kms_import::hazmat::aes256_kwp_unwrap(&kek, &wrapped).unwrap())
    });
}

/// The import token: `GetParametersForImport` with an SM2 wrapping key (keygen, SPKI and the
/// sealed token; the cheapest spec to generate, so the token's share is visible), and opening an
/// RSA_4096 token (which carries and re-reads the wrapping key).
fn token(c: &mut Criterion) {
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(5);
    let service = ImportService::new(
        SealingKeys::new(TokenSealingKey::new(SealingKeyId(1), &[7; 32])),
        KeyMaterialIdKey::derive(&[8; 32]),
    );
    let now = UnixTime::from_secs(1_700_000_000).unwrap();
    let key_id = "1234abcd-12ab-34cd-56ef-1234567890ab";
    let mut group = c.benchmark_group("token");
    group.sample_size(20);
    for (wks, alg, key_spec, partition) in [
        (
            WrappingKeySpec::Sm2,
            WrappingAlgorithm::Sm2Pke,
            KeySpec::Sm2,
            Partition::AwsCn,
        ),
        (
            WrappingKeySpec::Rsa4096,
            WrappingAlgorithm::RsaAesKeyWrapSha256,
            KeySpec::Rsa4096,
            Partition::Aws,
        ),
    ] {
        let request = GetParametersForImportRequest {
            key_id,
            wrapping_algorithm: alg,
            wrapping_key_spec: wks,
        };
        let meta = KeyMetadata::with_key_id(
            key_id.parse::<KeyId>().unwrap(),
            partition,
            key_spec,
            key_spec.rule().key_usages[0],
        );
        if wks == WrappingKeySpec::Sm2 {
            group.bench_function("GetParametersForImport SM2 (keygen + seal)", |b| {
                b.iter(|| service.get_parameters_for_import(&request, &meta, now, &mut rng))
            });
        }
        let params = service
            .get_parameters_for_import(&request, &meta, now, &mut rng)
            .unwrap();
        group.bench_function(format!("open token {wks}"), |b| {
            b.iter_batched(
                || (),
                |()| {
                    service
                        .open_import_token(&params.import_token, key_id, &meta, now)
                        .unwrap()
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, wrap_unwrap, kwp, token);
criterion_main!(benches);
