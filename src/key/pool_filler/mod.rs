//! A background thread that keeps a [`WrappingKeyPool`] filled (`std` feature). The manual is on
//! the public types: [`PoolFiller`] (refill order, health tests, failures, dropping),
//! [`PoolFillerBuilder`], [`RetryPolicy`], [`FillerStatus`], [`FillerEvent`].

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rand_core::{CryptoRng, TryCryptoRng, TryRng};

use crate::key::pool::{
    FillError, FreshWrappingKey, HealthTestFailure, PutError, RecentKeys, WrappingKeyPool,
};
use crate::key::wrapping_key::WrappingPrivateKey;
use crate::policy::names::WrappingKeySpec;

const SPEC_COUNT: usize = WrappingKeySpec::ALL.len();

/// What the filler reports to the hook given to [`PoolFillerBuilder::on_event`]. The hook runs on
/// the filler thread, without any lock held, just after the change it reports became visible to
/// [`PoolFiller::status`] and [`PoolFiller::len`]; it should return quickly (the next keygen waits
/// for it). A hook that panics is ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FillerEvent {
    /// A key was generated and added to the pool.
    Added {
        /// Its spec.
        spec: WrappingKeySpec,
        /// How long its generation took.
        keygen_time: Duration,
    },
    /// An attempt failed; the filler tries again after `retry_in`.
    Failed {
        /// The spec it was generating.
        spec: WrappingKeySpec,
        /// What went wrong.
        error: FillError,
        /// Failures in a row, this one included.
        consecutive_failures: u32,
        /// The back-off before the next attempt.
        retry_in: Duration,
    },
    /// A key was generated after `after_failures` failures in a row (counted across a
    /// [`PoolFiller::restart`]); the filler is healthy again.
    Recovered {
        /// The spec it generated.
        spec: WrappingKeySpec,
        /// The failures in a row before it.
        after_failures: u32,
    },
    /// The filler stopped (a health test failed, or too many failures in a row): it generates
    /// nothing until [`PoolFiller::restart`].
    Stopped {
        /// The spec it was generating.
        spec: WrappingKeySpec,
        /// The failure that stopped it.
        error: FillError,
    },
}

/// What [`PoolFiller::status`] reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FillerStatus {
    /// The last attempt succeeded (or none has failed yet).
    Healthy,
    /// The last attempt failed; the filler retries after a back-off.
    Degraded {
        /// The last failure.
        last_error: FillError,
        /// Failures in a row.
        consecutive_failures: u32,
    },
    /// The filler has stopped generating keys (a health test failed, too many failures in a row,
    /// or the thread itself panicked). The keys already in the pool can still be taken.
    Stopped {
        /// The failure that stopped it.
        last_error: FillError,
    },
}

/// How the filler retries after a failure that is not a health test failure: the n-th failure in
/// a row waits `initial_backoff · 2^(n−1)`, at most `max_backoff`, and the
/// `max_consecutive_failures`-th stops the filler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure (default 10 ms).
    pub initial_backoff: Duration,
    /// The longest wait (default 1 s).
    pub max_backoff: Duration,
    /// Failures in a row that stop the filler (default 10; 0 counts as 1).
    pub max_consecutive_failures: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_secs(1),
            max_consecutive_failures: 10,
        }
    }
}

impl RetryPolicy {
    /// The wait after the `failures`-th failure in a row (`failures ≥ 1`).
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 1u32
            .checked_shl(failures.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

type EventHook = Box<dyn Fn(&FillerEvent) + Send + Sync>;

/// Configures a [`PoolFiller`] before its thread starts: [`PoolFiller::builder`].
pub struct PoolFillerBuilder {
    pool: WrappingKeyPool,
    retry: RetryPolicy,
    on_event: Option<EventHook>,
}

impl PoolFillerBuilder {
    /// How failures other than health test failures are retried (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// A hook that hears every [`FillerEvent`] (e.g. to log them), on the filler thread.
    pub fn on_event(mut self, hook: impl Fn(&FillerEvent) + Send + Sync + 'static) -> Self {
        self.on_event = Some(Box::new(hook));
        self
    }

    /// Starts the filler thread, generating keys with `rng`.
    ///
    /// # Errors
    ///
    /// The operating system's error when it refuses a new thread.
    pub fn spawn<R: CryptoRng + Send + 'static>(self, rng: R) -> std::io::Result<PoolFiller> {
        let PoolFillerBuilder {
            pool,
            retry,
            on_event,
        } = self;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                pool,
                refilling: [false; SPEC_COUNT],
                served: [Duration::ZERO; SPEC_COUNT],
                next: 0,
                status: FillerStatus::Healthy,
                consecutive_failures: 0,
                failures_since_success: 0,
                shutdown: false,
                exited: false,
            }),
            wake: Condvar::new(),
            changed: Condvar::new(),
            abort: AtomicBool::new(false),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("kms-import-pool-filler".into())
            .spawn(move || run(&worker, rng, &retry, on_event))?;
        Ok(PoolFiller {
            shared,
            thread: Some(thread),
        })
    }
}

impl fmt::Debug for PoolFillerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolFillerBuilder")
            .field("pool", &self.pool)
            .field("retry", &self.retry)
            .field("on_event", &self.on_event.is_some())
            .finish()
    }
}

struct State {
    pool: WrappingKeyPool,
    /// Specs being brought back up to their high watermark (hysteresis between the watermarks),
    /// in the order of `WrappingKeySpec::ALL`.
    refilling: [bool; SPEC_COUNT],
    /// The fair-share clock: generation time charged to each spec (see `next_spec`).
    served: [Duration; SPEC_COUNT],
    /// Where ties between equally served specs are broken (round robin).
    next: usize,
    status: FillerStatus,
    /// Failures in a row, for the retry policy (a restart resets it).
    consecutive_failures: u32,
    /// Failures since the last key (for `FillerEvent::Recovered`; a restart keeps it).
    failures_since_success: u32,
    /// Set by drop / `stop`: the thread must exit.
    shutdown: bool,
    /// Set by the thread as its last act, after dropping its RNG.
    exited: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the filler thread (a key was taken, watermarks changed, restart, shutdown).
    wake: Condvar,
    /// Wakes waiters (a key was added, the status changed, watermarks changed, the thread exited).
    changed: Condvar,
    /// Set on shutdown, read by the thread's RNG wrapper on every call: abandons a keygen.
    abort: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn wait<'a>(condvar: &Condvar, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
    condvar.wait(guard).unwrap_or_else(|e| e.into_inner())
}

/// Waits on `condvar` until `deadline` (`None`: no deadline); `None` once the deadline passed.
fn wait_until<'a>(
    condvar: &Condvar,
    guard: MutexGuard<'a, State>,
    deadline: Option<Instant>,
) -> Option<MutexGuard<'a, State>> {
    let Some(deadline) = deadline else {
        return Some(wait(condvar, guard));
    };
    let left = deadline.checked_duration_since(Instant::now())?;
    if left.is_zero() {
        return None;
    }
    Some(match condvar.wait_timeout(guard, left) {
        Ok((g, _)) => g,
        Err(e) => e.into_inner().0,
    })
}

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

/// A [`WrappingKeyPool`] with a background thread that refills it (`std` feature).
///
/// # Refill
///
/// The thread sleeps on a condition variable until a spec [needs a
/// refill](WrappingKeyPool::needs_refill), then generates keys — outside the lock, so `take` never
/// waits for a keygen — until every such spec is back at its high watermark. **The specs being
/// refilled share the generation time fairly**: the next key is always of the spec that has been
/// charged the least keygen time (ties in turn, in [`WrappingKeySpec::ALL`]'s order), and a spec
/// that starts being refilled is charged as much as the least charged spec already being refilled
/// (no credit for the time it was idle). So with every spec under demand each gets an equal share
/// of the thread's time — under an RSA demand that exceeds what the thread can generate, SM2 still
/// gets half of it, hundreds of keys per RSA key — and a spec that starts being refilled waits at
/// most for the keygen in progress and one key of each other spec being refilled.
///
/// # Health tests
///
/// Every key comes from [`FreshWrappingKey::generate`] (the repetition count test on the RNG
/// output) and enters the pool through [`WrappingKeyPool::put`] (the pool's duplicate key test).
/// The filler adds a **process-wide** duplicate window: the public keys of the last
/// [`PROCESS_DUPLICATE_WINDOW`](Self::PROCESS_DUPLICATE_WINDOW) keys generated by *any*
/// `PoolFiller` in this process, so two fillers whose RNGs were seeded alike cannot both hand out
/// a key — the second one to generate it fails the test. There is no protection across processes (a forked process, or a
/// cloned virtual machine, must reseed its RNG) nor beyond the window.
///
/// # Failures
///
/// [`PoolFiller::status`] says whether the filler is [healthy](FillerStatus::Healthy),
/// [degraded](FillerStatus::Degraded) (the last attempt failed; it is retrying) or
/// [stopped](FillerStatus::Stopped), with the last [`FillError`]; the optional event hook
/// ([`PoolFillerBuilder::on_event`]) hears of every key, failure, recovery and stop.
///
/// - A **health test failure** stops the filler at once (the FIPS 140-3 error state): an RNG that
///   fails one is not trusted for another key. [`PoolFiller::restart`] resumes it, a deliberate
///   act of the operator.
/// - Any **other failure** — key generation returning an error, or **panicking** (caught with
///   `catch_unwind`; an RNG over the operating system's source may panic when that source fails)
///   — is retried after an exponential back-off ([`RetryPolicy`]; by default 10 ms doubling to at
///   most 1 s), until [`RetryPolicy::max_consecutive_failures`] failures in a row (by default 10,
///   about 3.3 s of back-off) stop the filler. One success resets the count.
///
/// [`PoolFiller::wait_until_full`] returns `false` as soon as the filler is not healthy.
///
/// # Dropping
///
/// Dropping the [`PoolFiller`] (or [`PoolFiller::stop`]) does not wait for the thread. It takes
/// the lock (never held during a keygen), drops the ready keys, which wipe themselves, tells the
/// thread to stop and returns: its cost is bounded by wiping at most `high` keys per spec
/// (microseconds each), whatever the thread is doing. A keygen in progress is abandoned, not
/// awaited: from then on the thread's RNG calls return zero bytes without calling the caller's
/// RNG, so the keygen gives up quickly (RSA key generation then rejects every candidate at once,
/// up to its candidate limit: about 0.1 s; with the `parallel` feature, only after the current
/// prime search), and the thread drops whatever it made, and its RNG, and exits. An RNG that
/// stalls inside a call holds only the detached thread, until the call returns.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use kms_import::{FillerEvent, FillerStatus, PoolFiller, WrappingKeyPool, WrappingKeySpec};
/// use rand::{rngs::ChaCha20Rng, SeedableRng};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = WrappingKeyPool::new().with_watermarks(WrappingKeySpec::Sm2, 2, 8);
/// let filler = PoolFiller::builder(pool)
///     .on_event(|event| match event {
///         FillerEvent::Failed { error, .. } | FillerEvent::Stopped { error, .. } => {
///             eprintln!("wrapping-key pool: {error}")
///         }
///         _ => {}
///     })
///     .spawn(ChaCha20Rng::from_seed([7; 32]))?; // in production: a CSPRNG seeded by the OS
/// assert!(filler.wait_until_full(Duration::from_secs(30)));
/// // GetParametersForImport: a ready key if there is one, else generate one there and then.
/// let key = filler.take(WrappingKeySpec::Sm2).ok_or("pool empty")?;
/// assert_eq!(key.spec(), WrappingKeySpec::Sm2);
/// assert_eq!(filler.status(), FillerStatus::Healthy);
/// # Ok(()) }
/// ```
pub struct PoolFiller {
    shared: Arc<Shared>,
    /// Never joined by drop (the thread is detached); joined by `stop` once it has exited.
    thread: Option<JoinHandle<()>>,
}

impl PoolFiller {
    /// How many of the keys most recently generated by all the fillers of this process the
    /// process-wide duplicate key test compares a new key with: 4096, at most 64 KiB of digests.
    pub const PROCESS_DUPLICATE_WINDOW: usize = 4096;

    /// Starts the filler thread for `pool` (its watermarks decide what is kept), generating keys
    /// with `rng`, with the default [`RetryPolicy`] and no event hook.
    ///
    /// # Errors
    ///
    /// The operating system's error when it refuses a new thread.
    pub fn spawn<R: CryptoRng + Send + 'static>(
        pool: WrappingKeyPool,
        rng: R,
    ) -> std::io::Result<Self> {
        Self::builder(pool).spawn(rng)
    }

    /// Configures a filler for `pool` (retry policy, event hook); start it with
    /// [`PoolFillerBuilder::spawn`].
    pub fn builder(pool: WrappingKeyPool) -> PoolFillerBuilder {
        PoolFillerBuilder {
            pool,
            retry: RetryPolicy::default(),
            on_event: None,
        }
    }

    /// Hands out a pregenerated key of `spec` (once), or `None` when the pool has none ready.
    pub fn take(&self, spec: WrappingKeySpec) -> Option<WrappingPrivateKey> {
        let mut state = self.shared.lock();
        let key = state.pool.take(spec);
        refresh_refilling(&mut state);
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

    /// Changes the watermarks of `spec` on the live pool (see
    /// [`WrappingKeyPool::set_watermarks`]): keys above a lowered `high` are dropped at once, and
    /// wiped, and a key being generated is dropped if it no longer fits. Returns how many were
    /// dropped.
    pub fn set_watermarks(&self, spec: WrappingKeySpec, low: usize, high: usize) -> usize {
        let mut state = self.shared.lock();
        let dropped = state.pool.set_watermarks(spec, low, high);
        refresh_refilling(&mut state);
        drop(state);
        self.shared.wake.notify_all();
        self.shared.changed.notify_all();
        dropped
    }

    /// Whether the filler is healthy, degraded (retrying) or stopped, with the last failure.
    pub fn status(&self) -> FillerStatus {
        self.shared.lock().status.clone()
    }

    /// Resumes a [stopped](FillerStatus::Stopped) filler: the status becomes healthy and the next
    /// key is attempted at once. `false` (and nothing changes) when it was not stopped. After a
    /// health test failure, restart only once the RNG has been dealt with.
    pub fn restart(&self) -> bool {
        let mut state = self.shared.lock();
        if !matches!(state.status, FillerStatus::Stopped { .. }) || state.exited {
            return false;
        }
        state.status = FillerStatus::Healthy;
        state.consecutive_failures = 0;
        drop(state);
        self.shared.wake.notify_all();
        self.shared.changed.notify_all();
        true
    }

    /// Waits until every spec is at its high watermark: `true` then; `false` if `timeout` passed
    /// first, or as soon as the filler is not [healthy](FillerStatus::Healthy) (a failure, even
    /// one it will retry: see [`status`](Self::status) for which).
    pub fn wait_until_full(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut state = self.shared.lock();
        loop {
            if WrappingKeySpec::ALL
                .iter()
                .all(|&s| state.pool.deficit(s) == 0)
            {
                return true;
            }
            if state.status != FillerStatus::Healthy || state.exited {
                return false;
            }
            state = match wait_until(&self.shared.changed, state, deadline) {
                Some(s) => s,
                None => return false,
            };
        }
    }

    /// Stops the filler like drop does (without waiting for a keygen in progress), then waits up
    /// to `timeout` for its thread to exit: `true` once it has (its RNG is dropped by then),
    /// `false` if it has not by then — it is inside an RNG call that stalls, or, with the
    /// `parallel` feature, finishing a prime search — and exits on its own later.
    pub fn stop(mut self, timeout: Duration) -> bool {
        self.shut_down();
        let deadline = Instant::now().checked_add(timeout);
        let exited = {
            let mut state = self.shared.lock();
            loop {
                if state.exited {
                    break true;
                }
                state = match wait_until(&self.shared.changed, state, deadline) {
                    Some(s) => s,
                    None => break false,
                };
            }
        };
        if exited && let Some(thread) = self.thread.take() {
            let _ = thread.join(); // it has exited: returns at once
        }
        exited
    }

    /// Drop's work: abandon the keygen, drop (wipe) the ready keys, signal the thread.
    fn shut_down(&self) {
        self.shared.abort.store(true, Ordering::SeqCst);
        let mut state = self.shared.lock();
        state.shutdown = true;
        for &spec in WrappingKeySpec::ALL {
            state.pool.set_watermarks(spec, 0, 0);
        }
        drop(state);
        self.shared.wake.notify_all();
        self.shared.changed.notify_all();
    }
}

impl Drop for PoolFiller {
    /// Returns without waiting for the thread (see the module documentation).
    fn drop(&mut self) {
        self.shut_down();
        // `self.thread` is dropped unjoined: the thread is detached and exits on its own.
    }
}

impl fmt::Debug for PoolFiller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("PoolFiller")
            .field("pool", &state.pool)
            .field("status", &state.status)
            .finish()
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

/// Updates the refill hysteresis: a spec starts being refilled when it needs a refill and stops
/// when it reaches its high watermark. Called under the lock after every change that can start or
/// end a refill (a key taken or added, watermarks set), so a spec that reached `high` for an
/// instant is not refilled past `low` again.
///
/// A spec that starts being refilled is charged as much generation time as the least charged spec
/// already being refilled: it gets no credit for the time it was idle, and carries no debt from
/// earlier refills.
fn refresh_refilling(state: &mut State) {
    for (i, &spec) in WrappingKeySpec::ALL.iter().enumerate().take(SPEC_COUNT) {
        let was = state.refilling[i];
        let now = (was || state.pool.needs_refill(spec)) && state.pool.deficit(spec) > 0;
        if now && !was {
            let least = (0..SPEC_COUNT)
                .filter(|&j| j != i && state.refilling[j])
                .map(|j| state.served[j])
                .min();
            if let Some(least) = least {
                state.served[i] = least;
            }
        }
        state.refilling[i] = now;
    }
}

/// The next spec to generate a key for, and its index: of the specs being refilled, the one
/// charged the least generation time (ties: in turn). Every spec under demand thus gets an equal
/// share of the filler's time, and one that starts being refilled waits at most for the keygen in
/// progress and one key of each other spec being refilled.
fn next_spec(state: &mut State) -> Option<(usize, WrappingKeySpec)> {
    refresh_refilling(state);
    let mut best: Option<usize> = None;
    for k in 0..SPEC_COUNT {
        let i = (state.next + k) % SPEC_COUNT;
        if state.refilling[i] && best.is_none_or(|b| state.served[i] < state.served[b]) {
            best = Some(i);
        }
    }
    let i = best?;
    state.next = (i + 1) % SPEC_COUNT;
    Some((i, *WrappingKeySpec::ALL.get(i)?))
}

/// The thread: the fill loop, with any panic that escapes it reported as a stop; then the RNG is
/// dropped and the thread says it has exited.
fn run<R: CryptoRng>(shared: &Shared, mut rng: R, retry: &RetryPolicy, hook: Option<EventHook>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::{BTreeMap, BTreeSet};
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
        drop(filler); // signals the thread and returns without waiting; must not hang
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

    use crate::key::pool::test_rngs::Replay;
    use alloc::sync::Arc as StdArc;
    use alloc::vec::Vec;
    use core::sync::atomic::AtomicUsize;
    use std::sync::mpsc;

    const RSA_2048: WrappingKeySpec = WrappingKeySpec::Rsa2048;

    fn chacha(seed: u64) -> rand::rngs::ChaCha20Rng {
        rand::rngs::ChaCha20Rng::seed_from_u64(seed)
    }

    /// Polls `done` every 2 ms until it holds or `timeout` passes.
    fn wait_for(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        while !done() {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        true
    }

    /// A hook that records every event, and the record.
    fn recorder() -> (
        impl Fn(&FillerEvent) + Send + Sync + 'static,
        StdArc<Mutex<Vec<FillerEvent>>>,
    ) {
        let events = StdArc::new(Mutex::new(Vec::new()));
        let sink = StdArc::clone(&events);
        let hook = move |e: &FillerEvent| sink.lock().unwrap().push(e.clone());
        (hook, events)
    }

    /// The events without the keygen times, which vary.
    fn kinds(events: &Mutex<Vec<FillerEvent>>) -> Vec<FillerEvent> {
        let zero = Duration::ZERO;
        let events = events.lock().unwrap();
        events
            .iter()
            .map(|e| match e {
                FillerEvent::Added { spec, .. } => FillerEvent::Added {
                    spec: *spec,
                    keygen_time: zero,
                },
                other => other.clone(),
            })
            .collect()
    }

    fn added(spec: WrappingKeySpec) -> FillerEvent {
        FillerEvent::Added {
            spec,
            keygen_time: Duration::ZERO,
        }
    }

    fn drain(filler: &PoolFiller, spec: WrappingKeySpec) -> Vec<WrappingPrivateKey> {
        core::iter::from_fn(|| filler.take(spec)).collect()
    }

    fn fast_retry(max_consecutive_failures: u32) -> RetryPolicy {
        RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
            max_consecutive_failures,
        }
    }

    #[test]
    fn sm2_keys_arrive_while_rsa_demand_exceeds_supply() {
        let pool = WrappingKeyPool::new()
            .with_watermarks(RSA_2048, 1, 2)
            .with_watermarks(SM2, 2, 4);
        let filler = PoolFiller::spawn(pool, chacha(21)).unwrap();
        let rsa_taken = AtomicUsize::new(0);
        let done = AtomicBool::new(false);
        let mut sm2_taken = 0;
        std::thread::scope(|s| {
            // Takes every RSA_2048 key the moment it is ready: RSA never gets back to its low
            // watermark, so the filler always has RSA work.
            s.spawn(|| {
                while !done.load(Ordering::Relaxed) {
                    match filler.take(RSA_2048) {
                        Some(_) => {
                            rsa_taken.fetch_add(1, Ordering::Relaxed);
                        }
                        None => std::thread::sleep(Duration::from_millis(1)),
                    }
                }
            });
            let deadline = Instant::now() + Duration::from_secs(120);
            while rsa_taken.load(Ordering::Relaxed) < 4 && Instant::now() < deadline {
                match filler.take(SM2) {
                    Some(key) => {
                        assert_eq!(key.spec(), SM2);
                        sm2_taken += 1;
                    }
                    None => std::thread::sleep(Duration::from_millis(1)),
                }
            }
            done.store(true, Ordering::Relaxed);
        });
        let rsa_taken = rsa_taken.into_inner();
        assert!(rsa_taken >= 4, "RSA keys taken: {rsa_taken}");
        // Round robin: at least one SM2 key per RSA key after the first (before, a spec earlier
        // in the fixed order starved SM2: 0 keys).
        assert!(
            sm2_taken + 1 >= rsa_taken,
            "SM2 {sm2_taken}, RSA {rsa_taken}"
        );
    }

    #[test]
    fn a_stuck_rng_stops_the_filler_and_hands_out_no_key() {
        let (hook, events) = recorder();
        let pool = WrappingKeyPool::new()
            .with_watermarks(SM2, 12, 12)
            .with_watermarks(RSA_2048, 1, 1);
        let filler = PoolFiller::builder(pool)
            .on_event(hook)
            .spawn(Replay::constant(0x42))
            .unwrap();
        let started = Instant::now();
        // Returns on the failure (and a timeout of Duration::MAX does not overflow).
        assert!(!filler.wait_until_full(Duration::MAX));
        assert!(started.elapsed() < Duration::from_secs(20));
        let stopped = FillerStatus::Stopped {
            last_error: FillError::Health(HealthTestFailure::RepetitionCount),
        };
        assert_eq!(filler.status(), stopped);
        assert!(filler.take(SM2).is_none() && filler.take(RSA_2048).is_none());
        // The hook hears of it just after the status changes.
        assert!(wait_for(Duration::from_secs(5), || !events
            .lock()
            .unwrap()
            .is_empty()));
        assert_eq!(
            kinds(&events),
            [FillerEvent::Stopped {
                spec: RSA_2048,
                error: FillError::Health(HealthTestFailure::RepetitionCount)
            }]
        );
        // A health test failure is not retried; a restart tries again, and stops again.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(events.lock().unwrap().len(), 1);
        assert!(filler.restart());
        assert!(wait_for(Duration::from_secs(20), || {
            events.lock().unwrap().len() == 2
        }));
        assert!(wait_for(Duration::from_secs(5), || filler.status() == stopped));
        assert!(filler.take(SM2).is_none());
    }

    #[test]
    fn a_filler_replaying_its_rng_output_stops_at_the_first_duplicate() {
        let pool = WrappingKeyPool::new().with_watermarks(SM2, 8, 8);
        // 64 bytes replayed: SM2 keys A, B, A.
        let filler = PoolFiller::spawn(pool, Replay::chacha_block(0x21_0002, 64)).unwrap();
        assert!(!filler.wait_until_full(Duration::from_secs(60)));
        assert!(wait_for(Duration::from_secs(5), || matches!(
            filler.status(),
            FillerStatus::Stopped { .. }
        )));
        assert_eq!(
            filler.status(),
            FillerStatus::Stopped {
                last_error: FillError::Health(HealthTestFailure::DuplicateKey { spec: SM2 })
            }
        );
        let keys = drain(&filler, SM2);
        let distinct: BTreeSet<_> = keys.iter().map(|k| k.public_key().to_der()).collect();
        assert_eq!((keys.len(), distinct.len()), (2, 2));
    }

    #[test]
    fn two_fillers_seeded_alike_never_hand_out_the_same_key() {
        let spawn = || {
            let pool = WrappingKeyPool::new().with_watermarks(SM2, 6, 6);
            PoolFiller::spawn(pool, chacha(0x21_0003)).unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let settled =
            |f: &PoolFiller| f.len(SM2) == 6 || matches!(f.status(), FillerStatus::Stopped { .. });
        assert!(wait_for(Duration::from_secs(60), || settled(&a) && settled(&b)));
        let mut seen = BTreeSet::new();
        for filler in [&a, &b] {
            // Only the keys ready now: the full one refills as soon as keys are taken.
            let ready = filler.len(SM2);
            for key in (0..ready).filter_map(|_| filler.take(SM2)) {
                assert!(
                    seen.insert(key.public_key().to_der()),
                    "a key was handed out twice"
                );
            }
        }
        // The second filler to generate the first key fails the process-wide duplicate test.
        let duplicate = FillerStatus::Stopped {
            last_error: FillError::Health(HealthTestFailure::DuplicateKey { spec: SM2 }),
        };
        let statuses = [a.status(), b.status()];
        assert_eq!(
            statuses.iter().filter(|s| **s == duplicate).count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(seen.len(), 6);
    }

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

    #[test]
    fn low_zero_fills_to_high() {
        let pool = WrappingKeyPool::new().with_watermarks(SM2, 0, 3);
        let filler = PoolFiller::spawn(pool, chacha(0x21_0007)).unwrap();
        assert!(filler.wait_until_full(Duration::from_secs(60)));
        assert_eq!(filler.len(SM2), 3);
        drain(&filler, SM2);
        assert!(filler.wait_until_full(Duration::from_secs(60)));
        assert_eq!(filler.len(SM2), 3);
    }

    #[test]
    fn lowering_high_on_a_live_filler_trims_and_the_bound_holds() {
        let pool = WrappingKeyPool::new().with_watermarks(SM2, 2, 6);
        let filler = PoolFiller::spawn(pool, chacha(0x21_0008)).unwrap();
        assert!(filler.wait_until_full(Duration::from_secs(60)));
        assert_eq!(filler.set_watermarks(SM2, 5, 2), 4);
        assert_eq!(filler.len(SM2), 2);
        assert!(filler.wait_until_full(Duration::from_secs(1)));
        // Taking and lowering while the filler works: never above the current high.
        for high in [3, 1, 4, 0, 2] {
            filler.take(SM2);
            filler.set_watermarks(SM2, 1, high);
            assert!(filler.len(SM2) <= high);
            std::thread::sleep(Duration::from_millis(20));
            assert!(filler.len(SM2) <= high);
        }
        assert!(filler.wait_until_full(Duration::from_secs(60)));
        assert_eq!(filler.len(SM2), 2);
    }

    /// Blocks in its first call until `release` is dropped (or a minute passes), telling
    /// `entered` when it starts; tells `dropped` when it is dropped.
    struct Stalling {
        entered: Option<mpsc::Sender<()>>,
        release: mpsc::Receiver<()>,
        dropped: mpsc::Sender<()>,
        inner: rand::rngs::ChaCha20Rng,
    }

    impl TryRng for Stalling {
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
            if let Some(entered) = self.entered.take() {
                let _ = entered.send(());
                let _ = self.release.recv_timeout(Duration::from_secs(60));
            }
            rand_core::Rng::fill_bytes(&mut self.inner, dst);
            Ok(())
        }
    }
    impl TryCryptoRng for Stalling {}

    impl Drop for Stalling {
        fn drop(&mut self) {
            let _ = self.dropped.send(());
        }
    }

    /// A filler whose RNG is stalled inside its first call, the release handle, and the channel
    /// that hears the RNG being dropped.
    fn stalled_filler(seed: u64) -> (PoolFiller, mpsc::Sender<()>, mpsc::Receiver<()>) {
        let (entered, entered_rx) = mpsc::channel();
        let (release_tx, release) = mpsc::channel();
        let (dropped, dropped_rx) = mpsc::channel();
        let rng = Stalling {
            entered: Some(entered),
            release,
            dropped,
            inner: chacha(seed),
        };
        let pool = WrappingKeyPool::new().with_watermarks(SM2, 1, 1);
        let filler = PoolFiller::spawn(pool, rng).unwrap();
        entered_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the filler calls its RNG");
        (filler, release_tx, dropped_rx)
    }

    #[test]
    fn drop_returns_at_once_while_the_rng_stalls() {
        let (filler, release, dropped) = stalled_filler(0x21_0009);
        let started = Instant::now();
        drop(filler); // before: joined the thread, so waited for the RNG (here up to 60 s)
        let took = started.elapsed();
        assert!(took < Duration::from_secs(1), "drop took {took:?}");
        // The detached thread exits on its own once the call returns, dropping its RNG.
        drop(release);
        dropped
            .recv_timeout(Duration::from_secs(30))
            .expect("the thread exits and drops its RNG");
    }

    #[test]
    fn stop_waits_at_most_its_timeout() {
        let (filler, release, dropped) = stalled_filler(0x21_000a);
        let started = Instant::now();
        assert!(!filler.stop(Duration::from_millis(200)));
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_secs(2),
            "{took:?}"
        );
        drop(release);
        dropped
            .recv_timeout(Duration::from_secs(30))
            .expect("the thread exits and drops its RNG");
        // A healthy filler stops at once.
        let pool = WrappingKeyPool::new().with_watermarks(SM2, 1, 1);
        let filler = PoolFiller::spawn(pool, chacha(0x21_000b)).unwrap();
        assert!(filler.wait_until_full(Duration::from_secs(60)));
        assert!(filler.stop(Duration::from_secs(10)));
    }

    /// Sleeps `delay` in every call: an RSA-2048 keygen (hundreds of calls) takes many seconds.
    struct Slow {
        delay: Duration,
        calls: StdArc<AtomicUsize>,
        inner: rand::rngs::ChaCha20Rng,
    }

    impl TryRng for Slow {
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
            self.calls.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(self.delay);
            rand_core::Rng::fill_bytes(&mut self.inner, dst);
            Ok(())
        }
    }
    impl TryCryptoRng for Slow {}

    #[test]
    fn stop_abandons_a_keygen_in_progress() {
        let calls = StdArc::new(AtomicUsize::new(0));
        let rng = Slow {
            delay: Duration::from_millis(20),
            calls: StdArc::clone(&calls),
            inner: chacha(0x21_000c),
        };
        let pool = WrappingKeyPool::new().with_watermarks(RSA_2048, 1, 1);
        let filler = PoolFiller::spawn(pool, rng).unwrap();
        // The keygen has started (with `parallel` the RNG is called only for each prime search's
        // seed, and stop waits for the prime search in progress).
        let keygen_started = || calls.load(Ordering::SeqCst) >= 1;
        assert!(wait_for(Duration::from_secs(30), keygen_started));
        let started = Instant::now();
        assert!(filler.stop(Duration::from_secs(30)));
        let took = started.elapsed();
        // One thread: the keygen needed hundreds more calls (≥ 20 ms each, so seconds); it was
        // abandoned instead.
        let calls = calls.load(Ordering::SeqCst);
        assert!(calls < 100, "{calls} calls");
        assert!(took < Duration::from_secs(3), "stop took {took:?}");
    }

    /// The scheduler alone, on a simulated clock: RSA_2048 keys "take" 100 ms, SM2 keys 1 ms, and
    /// both specs stay below their watermarks (demand exceeds supply for both).
    #[test]
    fn specs_under_demand_share_the_generation_time_equally() {
        let cost = |spec| match spec {
            WrappingKeySpec::Rsa2048 => Duration::from_millis(100),
            _ => Duration::from_millis(1),
        };
        let mut state = State {
            pool: WrappingKeyPool::new()
                .with_watermarks(RSA_2048, 1, 1)
                .with_watermarks(SM2, 1, 1),
            refilling: [false; SPEC_COUNT],
            served: [Duration::ZERO; SPEC_COUNT],
            next: 0,
            status: FillerStatus::Healthy,
            consecutive_failures: 0,
            failures_since_success: 0,
            shutdown: false,
            exited: false,
        };
        let mut keys = BTreeMap::new();
        let mut time = BTreeMap::new();
        let mut run = |state: &mut State, n| {
            for _ in 0..n {
                let (i, spec) = next_spec(state).unwrap();
                state.served[i] += cost(spec);
                *keys.entry(spec).or_insert(0u32) += 1;
                *time.entry(spec).or_insert(Duration::ZERO) += cost(spec);
            }
        };
        run(&mut state, 2020);
        // 2 s of generation time each: 20 RSA keys and 2000 SM2 keys (equal time, not equal keys).
        assert_eq!(keys[&RSA_2048], 20);
        assert_eq!(keys[&SM2], 2000);
        assert_eq!(time[&RSA_2048], time[&SM2]);

        // A spec that joins late gets no credit for its idle time: SM2 is idle while RSA runs for
        // 10 s; when it joins, it is served at once and then shares the time (instead of running
        // alone for 10 s to catch up).
        state.pool.set_watermarks(SM2, 0, 0);
        for _ in 0..100 {
            let (i, spec) = next_spec(&mut state).unwrap();
            assert_eq!(spec, RSA_2048);
            state.served[i] += cost(spec);
        }
        state.pool.set_watermarks(SM2, 1, 1);
        let order: Vec<_> = (0..203)
            .map(|_| {
                let (i, spec) = next_spec(&mut state).unwrap();
                state.served[i] += cost(spec);
                spec
            })
            .collect();
        assert_eq!(order.iter().filter(|&&s| s == RSA_2048).count(), 3);
        assert!(order[..2].contains(&SM2), "{:?}", &order[..2]);
    }
}
