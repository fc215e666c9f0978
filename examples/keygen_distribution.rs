//! Prints the distribution (median, p90, p99, max) of wrapping-key generation times over N keys
//! per spec, plus warm-pool hand-out and RSA OAEP unwrap timings. Used by benches/compare.sh.
//!
//! ```text
//! cargo run --release --example keygen_distribution -- [--n N] [--seed S] [SPEC ...]
//! cargo run --release --example keygen_distribution -- --pool N     # pool take() times
//! cargo run --release --example keygen_distribution -- --unwrap N [SPEC ...]
//!     # RSAES_OAEP_SHA_256 unwrap of 32 bytes, RSA_2048/3072/4096 unless SPECs are given
//! ```
//! Add `--features parallel` to time the multi-core prime search. Each result also prints as one
//! `RESULT name=… n=… median_ms=… p90_ms=… p99_ms=… max_ms=… mean_ms=…` line for scripts.

use std::time::{Duration, Instant};

use kms_import::{
    FreshWrappingKey, WrappingKeyPool, WrappingKeySpec, WrappingPrivateKey, WrappingScheme,
};
use rand::SeedableRng;

fn report(name: &str, mut times: Vec<Duration>) {
    if times.is_empty() {
        return;
    }
    // Every sample, in the order taken, for a run that interleaves implementations in rounds
    // (benches/compare.sh pools the rounds' samples).
    let samples: Vec<String> = times
        .iter()
        .map(|d| format!("{:.6}", d.as_secs_f64() * 1e3))
        .collect();
    println!("SAMPLES name={name} ms={}", samples.join(","));
    times.sort();
    let n = times.len();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    // Nearest-rank percentiles.
    let pct = |p: f64| ms(times[((p * n as f64).ceil() as usize).clamp(1, n) - 1]);
    let mean = times.iter().map(|&d| ms(d)).sum::<f64>() / n as f64;
    println!(
        "{name:<28} n={n:<5} median {:>9.3} ms  p90 {:>9.3} ms  p99 {:>9.3} ms  max {:>9.3} ms  mean {:>9.3} ms",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        ms(times[n - 1]),
        mean
    );
    println!(
        "RESULT name={name} n={n} median_ms={:.6} p90_ms={:.6} p99_ms={:.6} max_ms={:.6} mean_ms={:.6}",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        ms(times[n - 1]),
        mean
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut n = 100usize;
    let mut seed = 1u64;
    let mut specs = Vec::new();
    let mut mode = "keygen";
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--n" => {
                i += 1;
                n = args[i].parse().expect("--n N");
            }
            "--seed" => {
                i += 1;
                seed = args[i].parse().expect("--seed S");
            }
            "--pool" | "--unwrap" => {
                mode = if args[i] == "--pool" {
                    "pool"
                } else {
                    "unwrap"
                };
                i += 1;
                n = args[i].parse().expect("a count");
            }
            s => specs.push(
                s.parse::<WrappingKeySpec>()
                    .expect("a WrappingKeySpec name"),
            ),
        }
        i += 1;
    }
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(seed);
    let threads = if cfg!(feature = "parallel") {
        "parallel"
    } else {
        "1 thread"
    };
    match mode {
        "pool" => {
            let spec = WrappingKeySpec::Sm2;
            let mut pool = WrappingKeyPool::new().with_watermarks(spec, 0, n);
            pool.fill(spec, &mut rng).unwrap();
            let times = (0..n)
                .map(|_| {
                    let t = Instant::now();
                    let key = pool.take(spec).unwrap();
                    let d = t.elapsed();
                    drop(key);
                    d
                })
                .collect();
            report("pool_take", times);
            // The take is the same for any spec (a move out of a queue); show it for RSA too.
            let spec = WrappingKeySpec::Rsa2048;
            let mut pool = WrappingKeyPool::new().with_watermarks(spec, 0, 1);
            let times = (0..n.min(20))
                .map(|_| {
                    pool.put(FreshWrappingKey::generate(spec, &mut rng).unwrap())
                        .unwrap();
                    let t = Instant::now();
                    let key = pool.take(spec).unwrap();
                    let d = t.elapsed();
                    drop(key);
                    d
                })
                .collect();
            report("pool_take_rsa", times);
        }
        "unwrap" => {
            if specs.is_empty() {
                specs = vec![
                    WrappingKeySpec::Rsa2048,
                    WrappingKeySpec::Rsa3072,
                    WrappingKeySpec::Rsa4096,
                ];
            }
            for spec in specs {
                let key = WrappingPrivateKey::generate(spec, &mut rng).unwrap();
                let alg = WrappingScheme::RsaesOaepSha256;
                let ct = key
                    .public_key()
                    .wrap_key_material(alg, &[0x42; 32], &mut rng)
                    .unwrap();
                let times = (0..n)
                    .map(|_| {
                        let t = Instant::now();
                        std::hint::black_box(key.unwrap_key_material(alg, &ct, &mut rng).unwrap());
                        t.elapsed()
                    })
                    .collect();
                let bits = spec.rsa_modulus_len().unwrap_or(0) * 8;
                report(&format!("rsa{bits}_oaep_unwrap"), times);
            }
        }
        _ => {
            if specs.is_empty() {
                specs = vec![
                    WrappingKeySpec::Rsa2048,
                    WrappingKeySpec::Rsa3072,
                    WrappingKeySpec::Rsa4096,
                    WrappingKeySpec::Sm2,
                ];
            }
            eprintln!("keygen ({threads}), {n} keys per spec");
            for spec in specs {
                let times = (0..n)
                    .map(|_| {
                        let t = Instant::now();
                        std::hint::black_box(WrappingPrivateKey::generate(spec, &mut rng).unwrap());
                        t.elapsed()
                    })
                    .collect();
                report(&format!("keygen_{spec}"), times);
            }
        }
    }
}
