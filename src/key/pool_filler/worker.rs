//! The filler thread: it generates keys outside the lock, from the caller's RNG made abortable,
//! runs the process-wide duplicate key test, catches panics, and applies the retry policy.

use alloc::string::{String, ToString};
use core::sync::atomic::{AtomicBool, Ordering};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::time::Instant;

use rand_core::{CryptoRng, TryCryptoRng, TryRng};

use crate::key::pool::{FillError, FreshWrappingKey, HealthTestFailure, PutError, RecentKeys};
use crate::key::pool_filler::PoolFiller;
use crate::key::pool_filler::schedule::{next_spec, refresh_refilling};
use crate::key::pool_filler::shared::{Shared, wait, wait_until};
use crate::key::pool_filler::status::{EventHook, FillerEvent, FillerStatus, RetryPolicy};

/// The digests of the last keys any filler in this process generated.
static PROCESS_RECENT: Mutex<RecentKeys> =
    Mutex::new(RecentKeys::new(PoolFiller::PROCESS_DUPLICATE_WINDOW));

/// The process-wide duplicate key test: remembers `key`, or fails if it was already remembered.
fn check_process_wide(key: &FreshWrappingKey) -> Result<(), HealthTestFailure> {
    let mut recent = PROCESS_RECENT.lock().unwrap_or_else(|e| e.into_inner());
    if recent.insert(*key.digest()) {
        Ok(())
    } else {
        Err(HealthTestFailure::DuplicateKey { spec: key.spec() })
    }
}

/// The caller's RNG as the filler thread uses it: once the filler is shut down, every call returns
/// zero bytes without calling the caller's RNG, so a keygen in progress fails fast.
struct Abortable<'a, R: ?Sized> {
    inner: &'a mut R,
    abort: &'a AtomicBool,
}

impl<R: CryptoRng + ?Sized> TryRng for Abortable<'_, R> {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(if self.abort.load(Ordering::Relaxed) {
            0
        } else {
            self.inner.next_u32()
        })
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(if self.abort.load(Ordering::Relaxed) {
            0
        } else {
            self.inner.next_u64()
        })
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        if self.abort.load(Ordering::Relaxed) {
            dst.fill(0);
        } else {
            self.inner.fill_bytes(dst);
        }
        Ok(())
    }
}

impl<R: CryptoRng + ?Sized> TryCryptoRng for Abortable<'_, R> {}

fn panic_message(payload: &(dyn core::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// The thread: the fill loop, with any panic that escapes it reported as a stop; then the RNG is
/// dropped and the thread says it has exited.
pub(super) fn run<R: CryptoRng>(
    shared: &Shared,
    mut rng: R,
    retry: &RetryPolicy,
    hook: Option<EventHook>,
) {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        fill_loop(shared, &mut rng, retry, hook.as_deref())
    }));
    drop(rng);
    drop(hook);
    let mut state = shared.lock();
    if let Err(payload) = outcome {
        state.status = FillerStatus::Stopped {
            last_error: FillError::Panicked(panic_message(&*payload)),
        };
    }
    state.exited = true;
    drop(state);
    shared.changed.notify_all();
}

fn fill_loop<R: CryptoRng>(
    shared: &Shared,
    rng: &mut R,
    retry: &RetryPolicy,
    hook: Option<&(dyn Fn(&FillerEvent) + Send + Sync)>,
) {
    let emit = |event: FillerEvent| {
        if let Some(hook) = hook {
            let _ = catch_unwind(AssertUnwindSafe(|| hook(&event)));
        }
    };
    loop {
        // What to generate next (under the lock), or sleep.
        let (index, spec) = {
            let mut state = shared.lock();
            loop {
                if state.shutdown {
                    return;
                }
                if !matches!(state.status, FillerStatus::Stopped { .. })
                    && let Some(next) = next_spec(&mut state)
                {
                    break next;
                }
                state = wait(&shared.wake, state);
            }
        };

        // Generate without holding the lock: `take` stays a few microseconds.
        let started = Instant::now();
        let mut thread_rng = Abortable {
            inner: &mut *rng,
            abort: &shared.abort,
        };
        let generated = catch_unwind(AssertUnwindSafe(|| {
            FreshWrappingKey::generate(spec, &mut thread_rng)
        }))
        .unwrap_or_else(|payload| Err(FillError::Panicked(panic_message(&*payload))));
        let keygen_time = started.elapsed();
        let generated = generated.and_then(|key| {
            check_process_wide(&key)?;
            Ok(key)
        });

        let mut state = shared.lock();
        if state.shutdown {
            return; // whatever was generated is dropped, and wiped
        }
        if let Some(served) = state.served.get_mut(index) {
            *served = served.saturating_add(keygen_time);
        }
        let outcome = match generated {
            Ok(key) => match state.pool.put(key) {
                Ok(()) => Ok(true),
                // The high watermark was lowered meanwhile: the key is dropped, and wiped.
                Err(PutError::Full(_)) => Ok(false),
                Err(PutError::Duplicate(failure)) => Err(FillError::Health(failure)),
            },
            Err(error) => Err(error),
        };
        refresh_refilling(&mut state);
        match outcome {
            Ok(added) => {
                state.consecutive_failures = 0;
                let after_failures = core::mem::take(&mut state.failures_since_success);
                state.status = FillerStatus::Healthy;
                drop(state);
                shared.changed.notify_all();
                if after_failures > 0 {
                    emit(FillerEvent::Recovered {
                        spec,
                        after_failures,
                    });
                }
                if added {
                    emit(FillerEvent::Added { spec, keygen_time });
                }
            }
            Err(error) => {
                state.consecutive_failures = state.consecutive_failures.saturating_add(1);
                state.failures_since_success = state.failures_since_success.saturating_add(1);
                let failures = state.consecutive_failures;
                if matches!(error, FillError::Health(_))
                    || failures >= retry.max_consecutive_failures.max(1)
                {
                    state.status = FillerStatus::Stopped {
                        last_error: error.clone(),
                    };
                    drop(state);
                    shared.changed.notify_all();
                    emit(FillerEvent::Stopped { spec, error });
                    continue;
                }
                let retry_in = retry.backoff(failures);
                state.status = FillerStatus::Degraded {
                    last_error: error.clone(),
                    consecutive_failures: failures,
                };
                drop(state);
                shared.changed.notify_all();
                emit(FillerEvent::Failed {
                    spec,
                    error,
                    consecutive_failures: failures,
                    retry_in,
                });
                // Back off; only a shutdown cuts it short.
                let deadline = Instant::now().checked_add(retry_in);
                let mut state = shared.lock();
                while !state.shutdown {
                    state = match wait_until(&shared.wake, state, deadline) {
                        Some(s) => s,
                        None => break,
                    };
                }
            }
        }
    }
}
