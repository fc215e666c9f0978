//! Prints `RESULT name=… n=… median_ms=… p90_ms=… p99_ms=… max_ms=… mean_ms=…` lines for aws-lc-rs
//! RSA keygen (2048/3072/4096) and RSA-2048/3072/4096 OAEP-SHA256 decryption, like
//! `examples/keygen_distribution.rs`. Usage: `aws-lc-compare N2048 N3072 N4096 N_UNWRAP`.

use std::time::{Duration, Instant};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey,
};

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
    let pct = |p: f64| ms(times[((p * n as f64).ceil() as usize).clamp(1, n) - 1]);
    let mean = times.iter().map(|&d| ms(d)).sum::<f64>() / n as f64;
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
    let counts: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("counts"))
        .collect();
    let (n2, n3, n4, nu) = (counts[0], counts[1], counts[2], counts[3]);
    for (name, size, n) in [
        ("keygen_RSA_2048", KeySize::Rsa2048, n2),
        ("keygen_RSA_3072", KeySize::Rsa3072, n3),
        ("keygen_RSA_4096", KeySize::Rsa4096, n4),
    ] {
        let times = (0..n)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(PrivateDecryptingKey::generate(size).unwrap());
                t.elapsed()
            })
            .collect();
        report(name, times);
    }
    for (name, size) in [
        ("rsa2048_oaep_unwrap", KeySize::Rsa2048),
        ("rsa3072_oaep_unwrap", KeySize::Rsa3072),
        ("rsa4096_oaep_unwrap", KeySize::Rsa4096),
    ] {
        let key = PrivateDecryptingKey::generate(size).unwrap();
        let public = key.public_key();
        let _ = public.as_der();
        let enc = OaepPublicEncryptingKey::new(public).unwrap();
        let mut ct = vec![0u8; enc.ciphertext_size()];
        let ct = enc
            .encrypt(&OAEP_SHA256_MGF1SHA256, &[0x42; 32], &mut ct, None)
            .unwrap()
            .to_vec();
        let dec = OaepPrivateDecryptingKey::new(key).unwrap();
        let mut out = vec![0u8; dec.min_output_size()];
        let times = (0..nu)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(
                    dec.decrypt(&OAEP_SHA256_MGF1SHA256, &ct, &mut out, None)
                        .unwrap(),
                );
                t.elapsed()
            })
            .collect();
        report(name, times);
    }
}
