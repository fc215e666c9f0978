//! Instruction counts per 2048-bit (32-limb) Montgomery squaring and multiplication, for
//! valgrind's callgrind: `count` of each, in two non-inlined functions, on fixed pseudo-random
//! operands. Prints a digest of the results, which must not change with the arithmetic.
//!
//! ```text
//! cargo build --release -p kms-import --example montgomery_count
//! valgrind --tool=callgrind --toggle-collect='*sqr_chain_n*' \
//!     target/release/examples/montgomery_count 10000
//! valgrind --tool=callgrind --toggle-collect='*mul_chain_n*' \
//!     target/release/examples/montgomery_count 10000
//! ```
//!
//! `Collected` ÷ `count` is the figure per operation (the loop around it adds a few).

use kms_import::fuzz_targets::arith;
use rand::rngs::ChaCha20Rng;
use rand::{Rng, SeedableRng};

fn main() {
    let count: usize = std::env::args().nth(1).map_or(10_000, |s| {
        s.parse().expect("usage: montgomery_count [COUNT]")
    });
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut random = || (0..32).map(|_| rng.next_u64()).collect::<Vec<_>>();
    let mut n = random();
    n[0] |= 1;
    n[31] |= 1 << 63;
    let (a, b) = (random(), random());
    let [s, p] = arith::sqr_mul_chains(&n, &a, &b, count).expect("a valid modulus");
    let digest = <sha2::Sha256 as sha2::Digest>::digest(
        s.iter()
            .chain(&p)
            .flat_map(|l| l.to_le_bytes())
            .collect::<Vec<u8>>(),
    );
    println!(
        "{count} squarings and multiplications: SHA-256 {}",
        hex::encode(digest)
    );
}
