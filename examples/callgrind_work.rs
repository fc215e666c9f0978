//! Fixed pieces of work for noise-free instruction counts under valgrind's callgrind: one
//! fixed-seed RSA keygen, or N unwraps with a fixed test key. Only the measured function is
//! counted (`--toggle-collect`), so process start-up, key parsing and wrapping are left out.
//!
//! ```text
//! cargo build --release -p kms-import --example callgrind_work
//! valgrind --tool=callgrind --toggle-collect='*measured_keygen*' \
//!     target/release/examples/callgrind_work keygen 1 RSA_4096
//! valgrind --tool=callgrind --toggle-collect='*measured_unwraps*' \
//!     target/release/examples/callgrind_work unwrap 100 RSA_4096
//! ```
//!
//! The summary line `Collected : N` (or `callgrind_annotate`'s `PROGRAM TOTALS`) is the figure.
//! Keygen counts depend on the seed (the number of candidates until a prime is geometric), so
//! compare the same seed before and after a change.

use kms_import::{WrappingKeySpec, WrappingPrivateKey, WrappingScheme};
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;

#[inline(never)]
fn measured_keygen(spec: WrappingKeySpec, rng: &mut ChaCha20Rng) -> WrappingPrivateKey {
    WrappingPrivateKey::generate(spec, rng).expect("keygen")
}

#[inline(never)]
fn measured_unwraps(
    key: &WrappingPrivateKey,
    algorithm: WrappingScheme,
    ciphertext: &[u8],
    n: usize,
    rng: &mut ChaCha20Rng,
) -> usize {
    (0..n)
        .map(|_| {
            key.unwrap_key_material(algorithm, std::hint::black_box(ciphertext), rng)
                .expect("unwrap")
                .len()
        })
        .sum()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: callgrind_work keygen SEED SPEC | unwrap N SPEC";
    let (mode, count, spec) = match args.as_slice() {
        [mode, count, spec] => (
            mode.as_str(),
            count.parse::<u64>().expect(usage),
            spec.parse::<WrappingKeySpec>().expect(usage),
        ),
        _ => panic!("{usage}"),
    };
    match mode {
        "keygen" => {
            let mut rng = ChaCha20Rng::seed_from_u64(count);
            let key = measured_keygen(spec, &mut rng);
            // The same seed must give the same key before and after a change of arithmetic.
            let der = key.public_key().to_der();
            let digest = <sha2::Sha256 as sha2::Digest>::digest(&der);
            println!(
                "keygen {spec} seed {count}: SHA-256(SPKI) {}",
                hex::encode(digest)
            );
        }
        "unwrap" => {
            let der: &[u8] = match spec {
                WrappingKeySpec::Rsa2048 => include_bytes!("../fuzz/keys/rsa2048.pk8"),
                WrappingKeySpec::Rsa4096 => include_bytes!("../fuzz/keys/rsa4096.pk8"),
                _ => panic!("fixed test keys: RSA_2048, RSA_4096"),
            };
            let key = WrappingPrivateKey::from_pkcs8_der(der).expect("fixed test key");
            let mut rng = ChaCha20Rng::seed_from_u64(7);
            let algorithm = WrappingScheme::RsaesOaepSha256;
            let ciphertext = key
                .public_key()
                .wrap_key_material(algorithm, &[0x42; 32], &mut rng)
                .expect("wrap");
            let total = measured_unwraps(&key, algorithm, &ciphertext, count as usize, &mut rng);
            println!("{count} unwraps under {spec}: {total} bytes");
        }
        _ => panic!("{usage}"),
    }
}
