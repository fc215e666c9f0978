//! Wrapping-key generation per spec, and the hand-out cost of a warm pool.
//!
//! `cargo bench --bench keygen` (add `--features parallel` for the multi-core prime search).
//! RSA keygen time is heavy-tailed; criterion reports mean and confidence interval, and
//! `examples/keygen_distribution.rs` prints median / p90 / p99 / max over N ≥ 100 keys.

use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use kms_import::{FreshWrappingKey, WrappingKeyPool, WrappingKeySpec, WrappingPrivateKey};
use rand::SeedableRng;

fn keygen(c: &mut Criterion) {
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(1);
    let mut group = c.benchmark_group("keygen");
    // One key per iteration, the same number of iterations in every sample.
    group.sampling_mode(SamplingMode::Flat);
    for (spec, samples, secs) in [
        (WrappingKeySpec::Rsa2048, 20, 5),
        (WrappingKeySpec::Rsa3072, 10, 5),
        (WrappingKeySpec::Rsa4096, 20, 20),
    ] {
        group.sample_size(samples);
        group.measurement_time(Duration::from_secs(secs));
        group.warm_up_time(Duration::from_millis(500));
        group.bench_function(spec.as_str(), |b| {
            b.iter(|| WrappingPrivateKey::generate(spec, &mut rng).unwrap())
        });
    }
    group.sampling_mode(SamplingMode::Auto);
    group.sample_size(50);
    group.measurement_time(Duration::from_secs(2));
    group.bench_function("SM2", |b| {
        b.iter(|| WrappingPrivateKey::generate(WrappingKeySpec::Sm2, &mut rng).unwrap())
    });
    group.finish();
}

/// Taking a key from a warm pool. A taken key cannot go back (it is no longer "fresh"), so each
/// batch refills the pool in the untimed setup and times only the `take`.
fn pool_hand_out(c: &mut Criterion) {
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(2);
    let spec = WrappingKeySpec::Sm2;
    let mut group = c.benchmark_group("pool");
    group.sample_size(50);
    group.measurement_time(Duration::from_secs(2));
    group.bench_function("take (warm pool)", |b| {
        b.iter_batched_ref(
            || {
                let mut pool = WrappingKeyPool::new().with_watermarks(spec, 1, 1);
                pool.put(FreshWrappingKey::generate(spec, &mut rng).unwrap())
                    .unwrap();
                pool
            },
            |pool| pool.take(spec).unwrap(),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, keygen, pool_hand_out);
criterion_main!(benches);
