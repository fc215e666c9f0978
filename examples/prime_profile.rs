//! Micro-timings of the pieces of an RSA prime search (used to decide where keygen time goes).
//!
//! `cargo run --release --example prime_profile`

use std::time::Instant;

use crypto_bigint::{BitOps, BoxedUint, Odd, RandomBits, U2048};
use crypto_primes::hazmat::{AStarBase, LucasCheck, MillerRabin, lucas_test};
use rand::SeedableRng;

fn main() {
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(7);
    let reps = 20u32;

    let mut x = U2048::random_bits(&mut rng, 2048);
    x.set_bit_vartime(0, true);
    x.set_bit_vartime(2047, true);
    let odd = Odd::new(x).unwrap();
    let t = Instant::now();
    for _ in 0..reps {
        let mr = MillerRabin::new(odd);
        std::hint::black_box(mr.test_base_two());
    }
    println!("MR base 2, U2048 (fixed):   {:?}", t.elapsed() / reps);

    let b = BoxedUint::from_be_slice(&x.to_be_bytes(), 2048).unwrap();
    let oddb = Odd::new(b).unwrap();
    let t = Instant::now();
    for _ in 0..reps {
        let mr = MillerRabin::new(oddb.clone());
        std::hint::black_box(mr.test_base_two());
    }
    println!("MR base 2, BoxedUint 2048:  {:?}", t.elapsed() / reps);

    let t = Instant::now();
    for _ in 0..reps {
        let mr = MillerRabin::new(odd);
        std::hint::black_box(&mr);
    }
    println!("MR setup (params) U2048:    {:?}", t.elapsed() / reps);

    let t = Instant::now();
    for _ in 0..3 {
        std::hint::black_box(lucas_test(odd, AStarBase, LucasCheck::Bpsw21));
    }
    println!("Lucas (A*, bpsw21) U2048:   {:?}", t.elapsed() / 3);

    let t = Instant::now();
    let n = 3;
    for _ in 0..n {
        std::hint::black_box(rsa::PrivateKey::new(&mut rng, 4096).unwrap());
    }
    println!(
        "rsa 0.10 PrivateKey::new(4096): {:?} (mean of {n})",
        t.elapsed() / n
    );
}
