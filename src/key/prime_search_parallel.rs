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
//!
//! # The accepted prime's rounds, shared
//!
//! Almost every candidate is rejected by trial division or by the base-2 filter; the one that
//! passes still has its Table B.1 random-base rounds ahead (four at 2048 bits), which on one
//! thread would leave the others searching indices that no longer matter. So a candidate that
//! passes the filter becomes a *verification*: its bases are drawn at once from its own stream (the
//! same values, in the same order, as one round after another would draw them), and the threads
//! share its rounds, each taking the next round not yet taken; the thread that completes the last
//! one publishes the candidate as found. While the verification has rounds nobody has taken, a
//! thread testing an index above it sets that index aside at its next check (after trial
//! division, and every 16 windows of the base-2 round) and joins the rounds; set-aside indices are
//! taken again, before new ones, once every round is taken, and dropped if the verification
//! succeeds. One verification is shared at a time: a new one replaces it when it has no round
//! left, is no longer needed (a smaller index was published) or has a larger index; otherwise the
//! new one's rounds run on the thread that found it. The answer is unchanged: still the smallest
//! acceptable index.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::Cell;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use chacha20::ChaCha20Rng;
use crypto_bigint::BoxedUint;
use rand_core::{CryptoRng, SeedableRng};
use zeroize::{Zeroize, Zeroizing};

use crate::arith::miller_rabin::PrimeCandidate;
use crate::error::Error;
use crate::key::prime_search::{Screened, Target, random_base, screen_candidate};

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
    let screen = |_, rng: &mut ChaCha20Rng, keep_going: &dyn Fn() -> bool| {
        screen_candidate(rng, target, keep_going)
    };
    search(seed, target, threads, &screen)
        .map(|(_, p)| p)
        .ok_or(Error::Rng)
}

/// Puts candidate `index`, drawn from its stream, through every step before its Table B.1 rounds
/// ([`screen_candidate`]; tests substitute candidates).
type Screen<'s> = dyn Fn(u64, &mut ChaCha20Rng, &dyn Fn() -> bool) -> Option<Screened> + Sync + 's;

/// The smallest acceptable index and its prime, `None` if none below the candidate limit.
fn search(
    seed: &[u8; 32],
    target: &Target<'_>,
    threads: usize,
    screen: &Screen<'_>,
) -> Option<(u64, BoxedUint)> {
    let search = Search::new(seed, target, screen);
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
    search.best.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// `m`'s guard, also when another thread panicked while holding it (every value kept under these
/// locks is valid at all times).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Search<'a, 'b> {
    seed: &'a [u8; 32],
    target: &'a Target<'b>,
    screen: &'a Screen<'a>,
    /// The next candidate index nobody has taken yet.
    next_index: AtomicU64,
    /// Indices begun and set aside for a verification of a smaller index; taken again before
    /// `next_index` (those above the final answer are then simply dropped).
    set_aside: Mutex<Vec<u64>>,
    /// How many indices `set_aside` holds, so that taking an index needs no lock when none
    /// (the usual case). The thread that sets an index aside takes an index again afterwards,
    /// so one it misses here is never lost.
    set_aside_len: AtomicUsize,
    /// The smallest index known to hold an acceptable prime (`u64::MAX`: none yet).
    best_index: AtomicU64,
    best: Mutex<Option<(u64, BoxedUint)>>,
    /// The verification whose rounds the threads share (see the module doc), if any.
    verification: Mutex<Option<Arc<Verification>>>,
    /// The index of that verification while it has rounds nobody has taken yet (`u64::MAX`:
    /// none): an index above it is set aside at its next check.
    pending_index: AtomicU64,
}

/// A candidate that passed the base-2 filter, with the bases of all its Table B.1 rounds.
struct Verification {
    index: u64,
    candidate: BoxedUint,
    mr: PrimeCandidate,
    bases: Vec<BoxedUint>,
    /// The next round nobody has taken yet.
    next_round: AtomicUsize,
    /// Rounds passed so far.
    passed: AtomicUsize,
    /// A round failed: the candidate is composite.
    failed: AtomicBool,
}

impl Drop for Verification {
    fn drop(&mut self) {
        // The candidate may be the prime the search returns (its copy is handed out), and the
        // bases are its witnesses. `mr` wipes itself.
        self.candidate.zeroize();
        self.bases.iter_mut().for_each(Zeroize::zeroize);
    }
}

impl Verification {
    /// Whether every round has been taken (or the candidate failed one).
    fn exhausted(&self) -> bool {
        self.failed.load(Ordering::Acquire)
            || self.next_round.load(Ordering::Acquire) >= self.bases.len()
    }
}

impl<'a, 'b> Search<'a, 'b> {
    fn new(seed: &'a [u8; 32], target: &'a Target<'b>, screen: &'a Screen<'a>) -> Self {
        Search {
            seed,
            target,
            screen,
            next_index: AtomicU64::new(0),
            set_aside: Mutex::new(Vec::new()),
            set_aside_len: AtomicUsize::new(0),
            best_index: AtomicU64::new(u64::MAX),
            best: Mutex::new(None),
            verification: Mutex::new(None),
            pending_index: AtomicU64::new(u64::MAX),
        }
    }

    fn work(&self) {
        loop {
            self.share_rounds();
            let Some(i) = self.take_index() else {
                return;
            };
            let mut rng = ChaCha20Rng::from_seed(*self.seed);
            rng.set_stream(i);
            // Abandon candidate i as soon as a smaller index is known to be acceptable; set it
            // aside while a smaller one has rounds to share.
            let set_aside = Cell::new(false);
            let keep_going = || {
                if i >= self.best_index.load(Ordering::Acquire) {
                    return false;
                }
                if self.pending_index.load(Ordering::Acquire) < i {
                    set_aside.set(true);
                    return false;
                }
                true
            };
            match (self.screen)(i, &mut rng, &keep_going) {
                Some(screened) => self.verify(i, &mut rng, screened),
                None if set_aside.get() => {
                    let mut set_aside = lock(&self.set_aside);
                    set_aside.push(i);
                    self.set_aside_len.store(set_aside.len(), Ordering::Release);
                }
                None => {}
            }
        }
    }

    /// The smallest set-aside index below the best one, else the next new index; `None` when
    /// nothing below the best index (or the candidate limit) is left.
    fn take_index(&self) -> Option<u64> {
        let best = self.best_index.load(Ordering::Acquire);
        if self.set_aside_len.load(Ordering::Acquire) > 0 {
            let mut set_aside = lock(&self.set_aside);
            set_aside.retain(|&k| k < best);
            let smallest = set_aside.iter().enumerate().min_by_key(|&(_, k)| *k);
            let taken = smallest
                .map(|(at, _)| at)
                .map(|at| set_aside.swap_remove(at));
            self.set_aside_len.store(set_aside.len(), Ordering::Release);
            if taken.is_some() {
                return taken;
            }
        }
        let i = self.next_index.fetch_add(1, Ordering::Relaxed);
        (i < self.target.candidate_limit() && i < best).then_some(i)
    }

    /// Candidate `i` passed the base-2 filter: draws the bases of its rounds (from `rng`, its
    /// stream, in round order) and offers the rounds to every thread, or — when another
    /// verification still has rounds nobody has taken — runs them on this thread.
    fn verify(&self, i: u64, rng: &mut ChaCha20Rng, screened: Screened) {
        let Screened {
            mut candidate,
            mr,
            mut first_base,
        } = screened;
        if self.target.mr_rounds == 0 {
            // No rounds to run (no Table B.1 row has none).
            first_base.zeroize();
            self.publish(i, candidate);
            return;
        }
        let mut bases = Vec::with_capacity(self.target.mr_rounds);
        bases.push(first_base);
        for _ in 1..self.target.mr_rounds {
            match random_base(rng, &candidate) {
                Some(base) => bases.push(base),
                None => {
                    // Unreachable for a candidate above 4; wiped all the same.
                    candidate.zeroize();
                    bases.iter_mut().for_each(Zeroize::zeroize);
                    return;
                }
            }
        }
        let verification = Arc::new(Verification {
            index: i,
            candidate,
            mr,
            bases,
            next_round: AtomicUsize::new(0),
            passed: AtomicUsize::new(0),
            failed: AtomicBool::new(false),
        });
        {
            let mut slot = lock(&self.verification);
            let best = self.best_index.load(Ordering::Acquire);
            // The shared one gives way when it has no round left, is no longer needed, or is
            // above this one (its own threads finish the rounds they took; its pending mark, if
            // any, is replaced here).
            if slot
                .as_ref()
                .is_none_or(|v| v.exhausted() || v.index >= best || i < v.index)
            {
                *slot = Some(Arc::clone(&verification));
                self.pending_index.store(i, Ordering::Release);
            }
        }
        // Shared or not, this thread takes rounds until none is left.
        self.run_rounds(&verification);
    }

    /// Takes rounds of the shared verification, if it has any left.
    fn share_rounds(&self) {
        // No lock unless some verification has a round nobody has taken.
        if self.pending_index.load(Ordering::Acquire) == u64::MAX {
            return;
        }
        let shared = lock(&self.verification).clone();
        if let Some(v) = shared {
            self.run_rounds(&v);
        }
    }

    /// Runs rounds of `v` not taken yet, one at a time, until none is left; the thread that
    /// completes the last one publishes the candidate.
    fn run_rounds(&self, v: &Verification) {
        let rounds = v.bases.len();
        loop {
            if v.failed.load(Ordering::Acquire)
                || v.index >= self.best_index.load(Ordering::Acquire)
            {
                self.end_pending(v);
                return;
            }
            let round = v.next_round.fetch_add(1, Ordering::AcqRel);
            if round + 1 >= rounds {
                // The last round is taken: indices above v's may be started again.
                self.end_pending(v);
            }
            let Some(base) = v.bases.get(round) else {
                return;
            };
            if !v.mr.test(base) {
                v.failed.store(true, Ordering::Release);
                self.end_pending(v);
                return;
            }
            if v.passed.fetch_add(1, Ordering::AcqRel) + 1 == rounds {
                self.publish(v.index, v.candidate.clone());
                return;
            }
        }
    }

    /// Ends the wait for `v`'s rounds, if it is the one indices above it wait for.
    fn end_pending(&self, v: &Verification) {
        let _ = self.pending_index.compare_exchange(
            v.index,
            u64::MAX,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }

    /// Candidate `i` is acceptable: it becomes the answer unless a smaller index already is.
    fn publish(&self, i: u64, mut p: BoxedUint) {
        let mut best = lock(&self.best);
        if best.as_ref().is_none_or(|(j, _)| i < *j) {
            if let Some((_, mut replaced)) = best.replace((i, p)) {
                replaced.zeroize();
            }
            self.best_index.fetch_min(i, Ordering::Release);
        } else {
            p.zeroize();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 512-bit primes with 5 rounds: quick to search in debug builds.
    fn small_target(trial: &crate::key::small_primes::TrialDivision) -> Target<'_> {
        Target {
            bits: 512,
            mr_rounds: 5,
            other: None,
            trial,
        }
    }

    /// The answer is the smallest acceptable index, whatever the thread count: one thread and
    /// three threads must find the very same prime from the same seed.
    #[test]
    fn thread_count_does_not_change_the_result() {
        let seed = [7u8; 32];
        let trial = &crate::key::small_primes::TrialDivision::below(1 << 12, 512);
        let target = small_target(trial);
        let one = find_prime_seeded(&seed, &target, 1).unwrap();
        let three = find_prime_seeded(&seed, &target, 3).unwrap();
        assert_eq!(one, three);
        assert_eq!(one.bit_width(), 512);
        let other_seed = find_prime_seeded(&[8u8; 32], &target, 3).unwrap();
        assert_ne!(one, other_seed);
    }

    /// x² − x + 1 for x = 2^1024: a composite of 2048 bits that passes the base-2 filter (see the
    /// arith tests), so only its random-base rounds can reject it.
    fn base_two_pseudoprime() -> BoxedUint {
        let x = BoxedUint::one_with_precision(2048).shl(1024);
        BoxedUint::zero_with_precision(2048)
            .wrapping_sub(&x)
            .wrapping_add(BoxedUint::one_with_precision(2048))
    }

    /// Candidates that pass the base-2 filter and fail a random-base round are verified on the
    /// shared path and rejected, and an index set aside meanwhile is tested again: the answer is
    /// the search's usual smallest acceptable index, on every thread count. Pseudoprimes replace
    /// the candidates at indices 0, 1 and just below the answer; the one below the answer is
    /// handed over only once another thread is screening the answer's index, which must then see
    /// its rounds pending and set the answer aside.
    #[test]
    fn a_failed_verification_leaves_the_answer_unchanged() {
        use std::time::{Duration, Instant};
        let seed = [7u8; 32];
        let trial = &crate::key::small_primes::TrialDivision::below(1 << 12, 512);
        let target = small_target(trial);
        let plain = |_, rng: &mut ChaCha20Rng, keep_going: &dyn Fn() -> bool| {
            screen_candidate(rng, &target, keep_going)
        };
        let (answer, prime) = search(&seed, &target, 1, &plain).unwrap();
        assert!(
            answer >= 3,
            "the seed's answer must lie above the substituted indices"
        );
        let pseudoprime = base_two_pseudoprime();
        for threads in [1, 2, 3] {
            let substitutes = AtomicUsize::new(0);
            let answer_screening = AtomicBool::new(false);
            let set_aside = AtomicUsize::new(0);
            let substituted = |i: u64, rng: &mut ChaCha20Rng, keep_going: &dyn Fn() -> bool| {
                let give_up = Instant::now() + Duration::from_secs(10);
                if i == answer && threads > 1 && !answer_screening.swap(true, Ordering::AcqRel) {
                    // First screening of the answer: wait to be set aside.
                    while Instant::now() < give_up {
                        if !keep_going() {
                            set_aside.fetch_add(1, Ordering::Relaxed);
                            return None;
                        }
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }
                if ![0, 1, answer - 1].contains(&i) {
                    return screen_candidate(rng, &target, keep_going);
                }
                if i == answer - 1 && threads > 1 {
                    while !answer_screening.load(Ordering::Acquire) && Instant::now() < give_up {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }
                let mr = PrimeCandidate::new(&pseudoprime, 2048).unwrap();
                assert!(
                    mr.test_base_two(),
                    "the substitute passes the base-2 filter"
                );
                substitutes.fetch_add(1, Ordering::Relaxed);
                Some(Screened {
                    candidate: pseudoprime.clone(),
                    mr,
                    first_base: random_base(rng, &pseudoprime).unwrap(),
                })
            };
            let (index, p) = search(&seed, &target, threads, &substituted).unwrap();
            assert_eq!((index, &p), (answer, &prime), "{threads} threads");
            assert_eq!(substitutes.load(Ordering::Relaxed), 3, "{threads} threads");
            let expected_set_aside = usize::from(threads > 1);
            assert_eq!(
                set_aside.load(Ordering::Relaxed),
                expected_set_aside,
                "{threads} threads"
            );
        }
    }
}
