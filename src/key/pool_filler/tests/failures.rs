//! Failures other than health test failures: keygen errors and panics, retried with back-off;
//! a restart after a stop; a hook that panics.

use super::*;

/// Yields SM2 scalars ≥ n (every 32-byte draw starts with ff ff ff ff) for its first
/// `bad_bytes`, with distinct 64-bit samples (so the repetition count test passes): SM2 keygen
/// gives up with `Error::Rng`. Then a sound RNG.
struct BadScalars {
    bad_bytes: usize,
    pos: u64,
    inner: rand::rngs::ChaCha20Rng,
}

impl TryRng for BadScalars {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            if self.bad_bytes == 0 {
                *b = rand_core::Rng::next_u32(&mut self.inner) as u8;
                continue;
            }
            self.bad_bytes -= 1;
            let (word, i) = (self.pos / 8, self.pos % 8);
            *b = if i < 4 {
                0xff
            } else {
                (word >> (8 * (i - 4))) as u8
            };
            self.pos += 1;
        }
        Ok(())
    }
}
impl TryCryptoRng for BadScalars {}

#[test]
fn keygen_errors_are_retried_with_backoff_and_the_filler_recovers() {
    let (hook, events) = recorder();
    let pool = WrappingKeyPool::new().with_watermarks(SM2, 2, 2);
    let rng = BadScalars {
        bad_bytes: 2 * 64 * 32, // two SM2 keygens' worth of draws
        pos: 0,
        inner: chacha(0x21_0004),
    };
    let filler = PoolFiller::builder(pool)
        .retry(fast_retry(5))
        .on_event(hook)
        .spawn(rng)
        .unwrap();
    assert!(wait_for(Duration::from_secs(30), || filler.len(SM2) == 2));
    assert_eq!(filler.status(), FillerStatus::Healthy);
    assert!(filler.wait_until_full(Duration::from_secs(1)));
    assert!(wait_for(Duration::from_secs(5), || events
        .lock()
        .unwrap()
        .len()
        == 5));
    let failed = |n, ms| FillerEvent::Failed {
        spec: SM2,
        error: FillError::Keygen(crate::Error::Rng),
        consecutive_failures: n,
        retry_in: Duration::from_millis(ms),
    };
    assert_eq!(
        kinds(&events),
        [
            failed(1, 1),
            failed(2, 2),
            FillerEvent::Recovered {
                spec: SM2,
                after_failures: 2
            },
            added(SM2),
            added(SM2),
        ]
    );
}

/// Panics ("entropy source failed") while `broken` is set, like an RNG over an operating
/// system source that panics when the source fails.
struct Panicky {
    broken: StdArc<AtomicBool>,
    inner: rand::rngs::ChaCha20Rng,
}

impl TryRng for Panicky {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        if self.broken.load(Ordering::SeqCst) {
            panic!("entropy source failed");
        }
        rand_core::Rng::fill_bytes(&mut self.inner, dst);
        Ok(())
    }
}
impl TryCryptoRng for Panicky {}

#[test]
fn a_panicking_rng_is_reported_stops_the_filler_and_restart_recovers() {
    let (hook, events) = recorder();
    let broken = StdArc::new(AtomicBool::new(true));
    let rng = Panicky {
        broken: StdArc::clone(&broken),
        inner: chacha(0x21_0005),
    };
    let pool = WrappingKeyPool::new().with_watermarks(SM2, 2, 2);
    let filler = PoolFiller::builder(pool)
        .retry(fast_retry(3))
        .on_event(hook)
        .spawn(rng)
        .unwrap();
    let started = Instant::now();
    // Before: the panic killed the thread silently and this waited its whole timeout.
    assert!(!filler.wait_until_full(Duration::from_secs(30)));
    assert!(started.elapsed() < Duration::from_secs(10));
    let panicked = FillError::Panicked("entropy source failed".into());
    assert!(wait_for(Duration::from_secs(10), || matches!(
        filler.status(),
        FillerStatus::Stopped { .. }
    )));
    assert_eq!(
        filler.status(),
        FillerStatus::Stopped {
            last_error: panicked.clone()
        }
    );
    let failed = |n, ms| FillerEvent::Failed {
        spec: SM2,
        error: panicked.clone(),
        consecutive_failures: n,
        retry_in: Duration::from_millis(ms),
    };
    let stopped = FillerEvent::Stopped {
        spec: SM2,
        error: panicked.clone(),
    };
    assert!(wait_for(Duration::from_secs(5), || events
        .lock()
        .unwrap()
        .len()
        == 3));
    assert_eq!(
        kinds(&events),
        [failed(1, 1), failed(2, 2), stopped.clone()]
    );
    assert!(filler.is_empty(SM2));

    // The source is repaired; the operator restarts the filler.
    broken.store(false, Ordering::SeqCst);
    assert!(filler.restart());
    assert!(wait_for(Duration::from_secs(30), || filler.len(SM2) == 2));
    assert_eq!(filler.status(), FillerStatus::Healthy);
    assert!(!filler.restart(), "only a stopped filler restarts");
    assert!(wait_for(Duration::from_secs(5), || events
        .lock()
        .unwrap()
        .len()
        == 6));
    let after = kinds(&events);
    assert_eq!(
        after[3..],
        [
            FillerEvent::Recovered {
                spec: SM2,
                after_failures: 3
            },
            added(SM2),
            added(SM2)
        ]
    );
}

#[test]
fn a_panicking_hook_does_not_stop_the_filler() {
    let pool = WrappingKeyPool::new().with_watermarks(SM2, 3, 3);
    let filler = PoolFiller::builder(pool)
        .on_event(|_| panic!("a hook bug"))
        .spawn(chacha(0x21_0006))
        .unwrap();
    assert!(filler.wait_until_full(Duration::from_secs(60)));
    assert_eq!(filler.status(), FillerStatus::Healthy);
}
