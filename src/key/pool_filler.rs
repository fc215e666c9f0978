//! A background thread that keeps a [`WrappingKeyPool`] filled (`std` feature).
//!
//! The thread sleeps on a condition variable until a spec falls below its low watermark, then
//! generates keys — outside the lock, so `take` never waits for a keygen — until the spec is back
//! at its high watermark. Dropping the [`PoolFiller`] stops the thread (after the key it may be
//! generating at that moment) and drops the remaining keys, which wipe themselves.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rand_core::CryptoRng;

use crate::key::pool::{FreshWrappingKey, WrappingKeyPool};
use crate::key::wrapping_key::WrappingPrivateKey;
use crate::policy::names::WrappingKeySpec;

struct State {
    pool: WrappingKeyPool,
    /// Specs being brought back up to their high watermark (hysteresis between the watermarks).
    refilling: [bool; 4],
    shutdown: bool,
    /// Set when the filler's RNG or keygen failed; the thread then stops.
    failed: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the filler (a key was taken, or shutdown).
    wake: Condvar,
    /// Wakes waiters in [`PoolFiller::wait_until_full`] (a key was added).
    added: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

const SPECS: [WrappingKeySpec; 4] = [
    WrappingKeySpec::Rsa2048,
    WrappingKeySpec::Rsa3072,
    WrappingKeySpec::Rsa4096,
    WrappingKeySpec::Sm2,
];

/// A [`WrappingKeyPool`] with a background thread that refills it.
pub struct PoolFiller {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl PoolFiller {
    /// Starts the filler thread for `pool` (its watermarks decide what is kept), generating keys
    /// with `rng`.
    pub fn spawn<R: CryptoRng + Send + 'static>(
        pool: WrappingKeyPool,
        mut rng: R,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                pool,
                refilling: [false; 4],
                shutdown: false,
                failed: false,
            }),
            wake: Condvar::new(),
            added: Condvar::new(),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("kms-import-pool-filler".into())
            .spawn(move || fill_loop(&worker, &mut rng))?;
        Ok(PoolFiller {
            shared,
            thread: Some(thread),
        })
    }

    /// Hands out a pregenerated key of `spec` (once), or `None` when the pool has none ready.
    pub fn take(&self, spec: WrappingKeySpec) -> Option<WrappingPrivateKey> {
        let mut state = self.shared.lock();
        let key = state.pool.take(spec);
        if state.pool.needs_refill(spec) {
            self.shared.wake.notify_one();
        }
        drop(state);
        key
    }

    /// How many keys of `spec` are ready.
    pub fn len(&self, spec: WrappingKeySpec) -> usize {
        self.shared.lock().pool.len(spec)
    }

    /// `true` when no key of `spec` is ready.
    pub fn is_empty(&self, spec: WrappingKeySpec) -> bool {
        self.len(spec) == 0
    }

    /// Waits until every spec is at its high watermark; `false` if `timeout` passed first or the
    /// filler stopped because its RNG failed.
    pub fn wait_until_full(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.lock();
        loop {
            if SPECS.iter().all(|&s| state.pool.deficit(s) == 0) {
                return true;
            }
            let now = Instant::now();
            if state.failed || now >= deadline {
                return false;
            }
            state = match self.shared.added.wait_timeout(state, deadline - now) {
                Ok((s, _)) => s,
                Err(e) => e.into_inner().0,
            };
        }
    }
}

impl Drop for PoolFiller {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl core::fmt::Debug for PoolFiller {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("PoolFiller")
            .field(&self.shared.lock().pool)
            .finish()
    }
}

/// The next spec to generate a key for, updating the refill hysteresis.
fn next_spec(state: &mut State) -> Option<WrappingKeySpec> {
    for (i, &spec) in SPECS.iter().enumerate() {
        if state.pool.needs_refill(spec) {
            state.refilling[i] = true;
        }
        if state.refilling[i] {
            if state.pool.deficit(spec) > 0 {
                return Some(spec);
            }
            state.refilling[i] = false;
        }
    }
    None
}

fn fill_loop<R: CryptoRng>(shared: &Shared, rng: &mut R) {
    let mut state = shared.lock();
    loop {
        if state.shutdown {
            return;
        }
        let Some(spec) = next_spec(&mut state) else {
            state = match shared.wake.wait(state) {
                Ok(s) => s,
                Err(e) => e.into_inner(),
            };
            continue;
        };
        drop(state);
        // Generated without holding the lock: `take` stays a few microseconds.
        let key = FreshWrappingKey::generate(spec, rng);
        state = shared.lock();
        match key {
            Ok(key) => {
                let _ = state.pool.put(key);
                shared.added.notify_all();
            }
            Err(_) => {
                state.failed = true;
                shared.added.notify_all();
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;
    use rand::SeedableRng;

    const SM2: WrappingKeySpec = WrappingKeySpec::Sm2;

    #[test]
    fn refills_in_the_background_and_never_repeats_a_key() {
        let rng = rand::rngs::ChaCha20Rng::seed_from_u64(11);
        let pool = WrappingKeyPool::new().with_watermarks(SM2, 2, 4);
        let filler = PoolFiller::spawn(pool, rng).unwrap();
        assert!(filler.wait_until_full(Duration::from_secs(60)));
        assert_eq!(filler.len(SM2), 4);
        let mut seen = BTreeSet::new();
        for round in 0..5 {
            // Take 3 (below the low watermark of 2), then the filler brings it back to 4.
            for _ in 0..3 {
                let key = filler.take(SM2).expect("the pool was full");
                assert!(
                    seen.insert(key.public_key().to_der()),
                    "key handed out twice"
                );
            }
            assert!(
                filler.wait_until_full(Duration::from_secs(60)),
                "round {round}"
            );
            assert_eq!(filler.len(SM2), 4);
        }
        assert_eq!(seen.len(), 15);
        assert!(filler.take(WrappingKeySpec::Rsa2048).is_none());
        drop(filler); // joins the thread; must not hang
    }

    #[test]
    fn taking_above_the_low_watermark_does_not_refill() {
        let rng = rand::rngs::ChaCha20Rng::seed_from_u64(12);
        let pool = WrappingKeyPool::new().with_watermarks(SM2, 2, 4);
        let filler = PoolFiller::spawn(pool, rng).unwrap();
        assert!(filler.wait_until_full(Duration::from_secs(60)));
        filler.take(SM2).unwrap();
        filler.take(SM2).unwrap(); // 2 left = the low watermark: no refill is due
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(filler.len(SM2), 2);
        filler.take(SM2).unwrap(); // 1 left: refill to 4
        assert!(filler.wait_until_full(Duration::from_secs(60)));
        assert_eq!(filler.len(SM2), 4);
    }
}
