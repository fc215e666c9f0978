//! The long form of `tests/pool_stress.rs`: consumer threads take wrapping keys from a
//! `PoolFiller` as fast as they can, for a given time, over several specs, and the run reports
//! hand-outs, distinct keys, per-spec arrival rates and shares of generation time under load, the
//! longest wait of an empty SM2 pool, memory, and the health tests (a filler with an RNG stuck at
//! 0x42 runs beside the main one, tried by every consumer; two fillers seeded alike are started
//! first, and the keys they hand out join the uniqueness check). Figures go into BENCHMARKS.md.
//!
//! ```text
//! cargo run --release -p kms-import --example pool_stress -- [--seconds 60] [--threads 8]
//!     [--specs SM2,RSA_2048] [--interval 10] [--seed 1]
//! ```
//!
//! Watermarks: RSA specs (2, 8), SM2 (16, 64). Memory is the process's resident set (Linux
//! `/proc/self/status`), which includes the checker's own set of 16-byte digests of every key
//! handed out (reported separately). Exits with status 1 if any check fails.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kms_import::rand_core::{TryCryptoRng, TryRng};
use kms_import::{
    FillError, FillerEvent, FillerStatus, HealthTestFailure, PoolFiller, WrappingKeyPool,
    WrappingKeySpec,
};
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sha2::{Digest, Sha256};

struct Stuck;

impl TryRng for Stuck {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(0x4242_4242)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(0x4242_4242_4242_4242)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.fill(0x42);
        Ok(())
    }
}

impl TryCryptoRng for Stuck {}

fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("n/a".into(), |k| format!("{:.1}", k as f64 / 1024.0))
}

struct Args {
    seconds: u64,
    threads: usize,
    specs: Vec<WrappingKeySpec>,
    interval: u64,
    seed: u64,
}

fn parse_args() -> Args {
    let mut args = Args {
        seconds: 60,
        threads: 8,
        specs: vec![WrappingKeySpec::Rsa2048, WrappingKeySpec::Sm2],
        interval: 10,
        seed: 1,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = argv.get(i + 1).map(String::as_str).unwrap_or("");
        match argv[i].as_str() {
            "--seconds" => args.seconds = value.parse().expect("--seconds N"),
            "--threads" => args.threads = value.parse().expect("--threads N"),
            "--interval" => args.interval = value.parse().expect("--interval SECONDS"),
            "--seed" => args.seed = value.parse().expect("--seed S"),
            "--specs" => {
                args.specs = value
                    .split(',')
                    .map(|s| s.parse().expect("a WrappingKeySpec name"))
                    .collect()
            }
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    args
}

fn main() {
    let args = parse_args();
    let specs = args.specs.clone();
    let load_before = loadavg();
    println!(
        "pool_stress: {} s, {} consumer threads, specs {:?}, {} cores, load before {}",
        args.seconds,
        args.threads,
        specs.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_before
    );
    let mut failures = Vec::new();

    // Health fillers: two seeded alike, one stuck.
    let twin = || {
        let pool = WrappingKeyPool::new().with_watermarks(WrappingKeySpec::Sm2, 4, 8);
        PoolFiller::spawn(pool, ChaCha20Rng::seed_from_u64(args.seed ^ 0x5eed)).unwrap()
    };
    let twins = [twin(), twin()];
    // Let them settle before the load starts (one full, the other stopped by the process-wide
    // duplicate key test); their keys are checked against the main filler's at the end.
    let settled = |f: &PoolFiller| {
        f.len(WrappingKeySpec::Sm2) == 8 || matches!(f.status(), FillerStatus::Stopped { .. })
    };
    let settle_deadline = Instant::now() + Duration::from_secs(60);
    while !twins.iter().all(settled) && Instant::now() < settle_deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut stuck_pool = WrappingKeyPool::new();
    for &spec in &specs {
        stuck_pool.set_watermarks(spec, 1, 4);
    }
    let stuck = PoolFiller::spawn(stuck_pool, Stuck).unwrap();

    // The filler under load.
    let mut pool = WrappingKeyPool::new();
    for &spec in &specs {
        let (low, high) = if spec == WrappingKeySpec::Sm2 {
            (16, 64)
        } else {
            (2, 8)
        };
        pool.set_watermarks(spec, low, high);
    }
    // Per spec: keys generated, total and longest keygen time; and failures. Aggregated in the
    // hook, so the harness's memory stays flat.
    type Generated = BTreeMap<WrappingKeySpec, (u64, Duration, Duration)>;
    let generated = Arc::new(Mutex::new((Generated::new(), 0u64)));
    let sink = Arc::clone(&generated);
    let main_filler = PoolFiller::builder(pool)
        .on_event(move |e| {
            let mut sink = sink.lock().unwrap();
            match e {
                FillerEvent::Added { spec, keygen_time } => {
                    let entry = sink.0.entry(*spec).or_default();
                    entry.0 += 1;
                    entry.1 += *keygen_time;
                    entry.2 = entry.2.max(*keygen_time);
                }
                FillerEvent::Failed { .. } | FillerEvent::Stopped { .. } => sink.1 += 1,
                _ => {}
            }
        })
        .spawn(ChaCha20Rng::seed_from_u64(args.seed))
        .unwrap();

    let index = |spec: WrappingKeySpec| specs.iter().position(|&s| s == spec).unwrap();
    let handed: Vec<AtomicU64> = specs.iter().map(|_| AtomicU64::new(0)).collect();
    let wrong_spec = AtomicU64::new(0);
    let stuck_handed = AtomicU64::new(0);
    let twin_handed = AtomicU64::new(0);
    let sm2_empty_since = AtomicU64::new(0);
    let sm2_longest_wait = AtomicU64::new(0);
    let digests: Mutex<Vec<HashSet<[u8; 16]>>> = Mutex::new(Vec::new());
    let done = AtomicBool::new(false);
    let start = Instant::now();
    let rss_start = proc_status_kib("VmRSS:");
    let mut timeline = Vec::new();

    std::thread::scope(|s| {
        for _ in 0..args.threads {
            s.spawn(|| {
                let mut mine = HashSet::new();
                let mut record = |der: Vec<u8>| {
                    let d = Sha256::digest(&der);
                    let mut key = [0u8; 16];
                    key.copy_from_slice(&d[..16]);
                    mine.insert(key)
                };
                let mut dups = 0u64;
                while !done.load(Ordering::Relaxed) {
                    let mut got = false;
                    for &spec in &specs {
                        let taken = main_filler.take(spec);
                        let now_us = start.elapsed().as_micros() as u64 + 1;
                        match taken {
                            Some(key) => {
                                if key.spec() != spec {
                                    wrong_spec.fetch_add(1, Ordering::Relaxed);
                                }
                                if !record(key.public_key().to_der()) {
                                    dups += 1;
                                }
                                handed[index(spec)].fetch_add(1, Ordering::Relaxed);
                                if spec == WrappingKeySpec::Sm2 {
                                    let since = sm2_empty_since.swap(0, Ordering::Relaxed);
                                    if since != 0 {
                                        sm2_longest_wait.fetch_max(
                                            now_us.saturating_sub(since),
                                            Ordering::Relaxed,
                                        );
                                    }
                                }
                                got = true;
                            }
                            None if spec == WrappingKeySpec::Sm2 => {
                                let _ = sm2_empty_since.compare_exchange(
                                    0,
                                    now_us,
                                    Ordering::Relaxed,
                                    Ordering::Relaxed,
                                );
                            }
                            None => {}
                        }
                        if stuck.take(spec).is_some() {
                            stuck_handed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    if !got {
                        std::thread::sleep(Duration::from_micros(500));
                    }
                }
                assert_eq!(dups, 0, "a key was handed out twice to one consumer");
                digests.lock().unwrap().push(mine);
            });
        }
        // The sampler: hand-outs per interval and memory.
        let deadline = start + Duration::from_secs(args.seconds);
        let mut last: Vec<u64> = vec![0; specs.len()];
        let mut t = start;
        while t < deadline {
            let next = (t + Duration::from_secs(args.interval)).min(deadline);
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
            let now: Vec<u64> = handed.iter().map(|h| h.load(Ordering::Relaxed)).collect();
            let per_s: Vec<f64> = now
                .iter()
                .zip(&last)
                .map(|(n, l)| (n - l) as f64 / (next - t).as_secs_f64())
                .collect();
            timeline.push((
                (next - start).as_secs_f64(),
                per_s,
                proc_status_kib("VmRSS:"),
            ));
            last = now;
            t = next;
        }
        done.store(true, Ordering::Relaxed);
    });
    let elapsed = start.elapsed().as_secs_f64();
    let load_after = loadavg();

    // The twins' keys join the check.
    let mut twin_set = HashSet::new();
    for twin in &twins {
        // The keys ready now (the healthy one refills as they are taken).
        let ready = twin.len(WrappingKeySpec::Sm2);
        for key in (0..ready).filter_map(|_| twin.take(WrappingKeySpec::Sm2)) {
            let d = Sha256::digest(key.public_key().to_der());
            let mut digest = [0u8; 16];
            digest.copy_from_slice(&d[..16]);
            twin_set.insert(digest);
            twin_handed.fetch_add(1, Ordering::Relaxed);
        }
    }

    // Uniqueness across consumers and fillers.
    let mut sets = digests.into_inner().unwrap();
    sets.push(twin_set);
    let total_recorded: usize = sets.iter().map(HashSet::len).sum();
    let mut all = HashSet::with_capacity(total_recorded);
    let mut cross_dups = 0;
    for set in &sets {
        for d in set {
            if !all.insert(*d) {
                cross_dups += 1;
            }
        }
    }
    let handed: Vec<u64> = handed.iter().map(|h| h.load(Ordering::Relaxed)).collect();
    let total_handed: u64 = handed.iter().sum::<u64>() + twin_handed.load(Ordering::Relaxed);

    // Generation time per spec (the main filler's events).
    let (generated, failed_events) = generated.lock().unwrap().clone();
    let gen_total: f64 = generated.values().map(|g| g.1.as_secs_f64()).sum();

    println!(
        "\nper {} s: hand-outs per second, resident memory",
        args.interval
    );
    for (t, per_s, rss) in &timeline {
        let rates: Vec<String> = specs
            .iter()
            .zip(per_s)
            .map(|(s, r)| format!("{} {:>8.1}/s", s.as_str(), r))
            .collect();
        println!(
            "  t = {t:>6.1} s  {}  RSS {} MiB",
            rates.join("  "),
            mib(*rss)
        );
    }
    println!("\nresults ({elapsed:.1} s; load before {load_before}, after {load_after})");
    for (i, &spec) in specs.iter().enumerate() {
        let (n, time, max) = generated.get(&spec).copied().unwrap_or_default();
        println!(
            "  {:<9} handed out {:>9} ({:>8.1}/s)  generated {:>9}  share of generation time {:>5.1} %  mean keygen {:>8.3} ms  max {:>8.1} ms",
            spec.as_str(),
            handed[i],
            handed[i] as f64 / elapsed,
            n,
            100.0 * time.as_secs_f64() / gen_total.max(f64::MIN_POSITIVE),
            if n > 0 {
                time.as_secs_f64() * 1e3 / n as f64
            } else {
                0.0
            },
            max.as_secs_f64() * 1e3,
        );
        println!(
            "RESULT spec={} handed={} per_s={:.2} generated={} time_share={:.4} mean_keygen_ms={:.4} max_keygen_ms={:.2}",
            spec.as_str(),
            handed[i],
            handed[i] as f64 / elapsed,
            n,
            time.as_secs_f64() / gen_total.max(f64::MIN_POSITIVE),
            if n > 0 {
                time.as_secs_f64() * 1e3 / n as f64
            } else {
                0.0
            },
            max.as_secs_f64() * 1e3,
        );
    }
    let longest_sm2_wait_ms = sm2_longest_wait.load(Ordering::Relaxed) as f64 / 1e3;
    // The checker's own sets (per consumer, then merged): capacity × (16-byte digest + 1 control
    // byte), a lower bound on what they hold.
    let digest_mib = (sets.iter().map(HashSet::capacity).sum::<usize>() + all.capacity()) as f64
        * 17.0
        / (1024.0 * 1024.0);
    println!(
        "  hand-outs {total_handed} (main + twins), distinct keys {}, duplicates {}, wrong spec {}",
        all.len(),
        total_handed as usize - all.len(),
        wrong_spec.load(Ordering::Relaxed)
    );
    println!("  longest wait of an empty SM2 pool for its next key: {longest_sm2_wait_ms:.1} ms");
    println!(
        "  memory: RSS at start {} MiB, at end {} MiB, peak {} MiB (of which the checker's digest set ≥ {digest_mib:.1} MiB)",
        mib(rss_start),
        mib(proc_status_kib("VmRSS:")),
        mib(proc_status_kib("VmHWM:"))
    );
    println!(
        "RESULT handed={total_handed} distinct={} cross_thread_duplicates={cross_dups} longest_sm2_wait_ms={longest_sm2_wait_ms:.1} main_filler_failures={failed_events} rss_start_mib={} rss_end_mib={} rss_peak_mib={}",
        all.len(),
        mib(rss_start),
        mib(proc_status_kib("VmRSS:")),
        mib(proc_status_kib("VmHWM:"))
    );

    // Health tests.
    let stuck_status = stuck.status();
    let twin_statuses = [twins[0].status(), twins[1].status()];
    println!(
        "  health: stuck filler handed out {}, status {:?}",
        stuck_handed.load(Ordering::Relaxed),
        stuck_status
    );
    println!(
        "  health: twins handed out {}, statuses {:?}",
        twin_handed.load(Ordering::Relaxed),
        twin_statuses
    );
    println!("  main filler: status {:?}", main_filler.status());

    // Drop times.
    let [a, b] = twins;
    let mut drop_max = Duration::ZERO;
    for filler in [main_filler, stuck, a, b] {
        let t = Instant::now();
        drop(filler);
        drop_max = drop_max.max(t.elapsed());
    }
    println!("  longest drop: {:.3} ms", drop_max.as_secs_f64() * 1e3);

    if cross_dups != 0 || total_handed as usize != all.len() {
        failures.push("a key was handed out twice");
    }
    if wrong_spec.load(Ordering::Relaxed) != 0 {
        failures.push("a key of the wrong spec");
    }
    if stuck_handed.load(Ordering::Relaxed) != 0
        || stuck_status
            != (FillerStatus::Stopped {
                last_error: FillError::Health(HealthTestFailure::RepetitionCount),
            })
    {
        failures.push("the stuck filler");
    }
    let dup = FillerStatus::Stopped {
        last_error: FillError::Health(HealthTestFailure::DuplicateKey {
            spec: WrappingKeySpec::Sm2,
        }),
    };
    if !twin_statuses.contains(&dup) {
        failures.push("the twins");
    }
    if failed_events != 0 {
        failures.push("the main filler failed");
    }
    if drop_max > Duration::from_secs(1) {
        failures.push("a slow drop");
    }
    if failures.is_empty() {
        println!("all checks passed");
    } else {
        println!("FAILED: {failures:?}");
        std::process::exit(1);
    }
}
