//! Time per modular exponentiation (full-width base, exponent and odd modulus) of this crate's
//! fixed-width arithmetic and of `crypto-bigint`'s `BoxedMontyForm::pow`, side by side, for the
//! widths RSA uses. Prints the median (and the minimum, the figure least disturbed by other load on
//! the machine) of `--n` runs per width; the two are measured alternately.
//!
//! ```text
//! cargo run --release -p kms-import --example modexp_speed -- [--n 30] [BITS ...]
//! ```
//! (The example reaches the crate-private arithmetic through the `fuzzing` feature, which the
//! dev-dependency on the crate itself turns on.)

use std::time::Instant;

use kms_import::fuzz_targets::arith;
use rand::rngs::ChaCha20Rng;
use rand::{Rng, SeedableRng};

/// (median, minimum).
fn median_min(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0])
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut n = 30usize;
    let mut widths = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--n" {
            n = args[i + 1].parse().expect("--n N");
            i += 1;
        } else {
            let bits: usize = args[i].parse().expect("a width in bits");
            widths.push(bits / 64);
        }
        i += 1;
    }
    if widths.is_empty() {
        widths = vec![16, 24, 32];
    }
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for w in widths {
        let random = |rng: &mut ChaCha20Rng| (0..w).map(|_| rng.next_u64()).collect::<Vec<_>>();
        let mut ours = Vec::new();
        let mut reference = Vec::new();
        for _ in 0..n {
            let mut m = random(&mut rng);
            m[0] |= 1;
            m[w - 1] |= 1 << 63;
            let (b, e) = (random(&mut rng), random(&mut rng));
            let t = Instant::now();
            let r1 = std::hint::black_box(arith::pow(&m, &b, &e));
            ours.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            let r2 = std::hint::black_box(arith::pow_reference(&m, &b, &e));
            reference.push(t.elapsed().as_secs_f64() * 1e3);
            assert_eq!(r1, r2, "results differ");
        }
        let ((o, o_min), (r, r_min)) = (median_min(ours), median_min(reference));
        println!(
            "{:>4}-bit modexp: ours {o:.3} ms (min {o_min:.3}), crypto-bigint {r:.3} ms \
             (min {r_min:.3}): {:.2}x faster (min: {:.2}x)",
            64 * w,
            r / o,
            r_min / o_min
        );
    }
}
