//! The FIPS 186-5 A.1.3 prime search on several threads (`parallel` feature).
//!
//! # Why the result is distributed exactly like the single-thread search
//!
//! The single-thread search draws candidates c₀, c₁, c₂, … independently and uniformly and returns
//! the first acceptable one. Here candidate number `i` is drawn from its own ChaCha20 stream `i`
//! (key = a 256-bit seed taken from the caller's RNG), so the cᵢ are again independent uniform
//! draws, and whether cᵢ is accepted depends only on cᵢ and its own stream (its Miller–Rabin bases).
//! Threads take indices from a shared counter, and the answer is the acceptable candidate with the
//! **smallest index**, not the one found first in wall-clock time: a thread that finds a prime at
//! index j publishes j, threads drop indices above j, and indices below j still being tested are
//! finished. So the output is the first acceptable element of an i.i.d. uniform sequence — the
//! same distribution as the sequential search — and it does not depend on thread scheduling or on
//! how long any candidate took (which would otherwise favour primes that are quick to test). It is
//! even reproducible: the same seed gives the same prime for any number of threads.
//!
//! Randomness: the streams are ChaCha20 keyed from the caller's RNG. That is a sound CSPRNG
//! construction, but note for FIPS 140 purposes it inserts a non-SP 800-90A generator between the
//! caller's DRBG and the candidates; the single-thread build draws from the caller's RNG directly.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use chacha20::ChaCha20Rng;
use crypto_bigint::BoxedUint;
use rand_core::{CryptoRng, SeedableRng};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::key::prime_search::{Target, Tested, test_one_candidate};

/// Searches for an acceptable prime on `threads` threads (the calling thread is one of them).
pub(crate) fn find_prime<R: CryptoRng + ?Sized>(
    rng: &mut R,
    target: &Target<'_>,
    threads: usize,
) -> Result<BoxedUint, Error> {
    let mut seed = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(seed.as_mut());
    find_prime_seeded(&seed, target, threads)
}

/// The search proper, from an explicit seed (so tests can compare thread counts).
pub(crate) fn find_prime_seeded(
    seed: &[u8; 32],
    target: &Target<'_>,
    threads: usize,
) -> Result<BoxedUint, Error> {
    let search = Search {
        seed,
        target,
        next_index: AtomicU64::new(0),
        best_index: AtomicU64::new(u64::MAX),
        best: Mutex::new(None),
    };
    std::thread::scope(|scope| {
        // If the OS refuses a thread, the search simply runs on fewer.
        let helpers: Vec<_> = (1..threads.max(1))
            .filter_map(|_| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, || search.work())
                    .ok()
            })
            .collect();
        search.work();
        // Joined, not just awaited: the scope alone waits for the closures to return, and a
        // detached thread may still be exiting (its stack and TLS not yet released) when the
        // caller returns — or when the process does.
        for helper in helpers {
            // `work` does not panic; were it to, the other threads' answer still stands.
            let _ = helper.join();
        }
    });
    let best = search.best.into_inner().unwrap_or_else(|e| e.into_inner());
    best.map(|(_, p)| p).ok_or(Error::Rng)
}

struct Search<'a, 'b> {
    seed: &'a [u8; 32],
    target: &'a Target<'b>,
    /// The next candidate index nobody has taken yet.
    next_index: AtomicU64,
    /// The smallest index known to hold an acceptable prime (`u64::MAX`: none yet).
    best_index: AtomicU64,
    best: Mutex<Option<(u64, BoxedUint)>>,
}

impl Search<'_, '_> {
    fn work(&self) {
        let limit = self.target.candidate_limit();
        loop {
            let i = self.next_index.fetch_add(1, Ordering::Relaxed);
            if i >= limit || i >= self.best_index.load(Ordering::Acquire) {
                return;
            }
            let mut rng = ChaCha20Rng::from_seed(*self.seed);
            rng.set_stream(i);
            // Abandon candidate i as soon as a smaller index is known to be acceptable.
            let still_needed = || i < self.best_index.load(Ordering::Acquire);
            if let Tested::Prime(p) = test_one_candidate(&mut rng, self.target, &still_needed) {
                let mut best = self.best.lock().unwrap_or_else(|e| e.into_inner());
                if best.as_ref().is_none_or(|(j, _)| i < *j) {
                    *best = Some((i, p));
                    self.best_index.fetch_min(i, Ordering::Release);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer is the smallest acceptable index, whatever the thread count: one thread and
    /// three threads must find the very same prime from the same seed.
    #[test]
    fn thread_count_does_not_change_the_result() {
        let seed = [7u8; 32];
        let trial = &crate::key::small_primes::TrialDivision::below(1 << 12, 512);
        let target = Target {
            bits: 512,
            mr_rounds: 5,
            other: None,
            trial,
        };
        let one = find_prime_seeded(&seed, &target, 1).unwrap();
        let three = find_prime_seeded(&seed, &target, 3).unwrap();
        assert_eq!(one, three);
        assert_eq!(one.bit_width(), 512);
        let other_seed = find_prime_seeded(&[8u8; 32], &target, 3).unwrap();
        assert_ne!(one, other_seed);
    }
}
