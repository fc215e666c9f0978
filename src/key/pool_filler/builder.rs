//! [`PoolFillerBuilder`]: a filler's retry policy and event hook, set before its thread starts.

use alloc::boxed::Box;
use core::fmt;
use core::sync::atomic::AtomicBool;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use rand_core::CryptoRng;

use crate::key::pool::WrappingKeyPool;
use crate::key::pool_filler::PoolFiller;
use crate::key::pool_filler::shared::{SPEC_COUNT, Shared, State};
use crate::key::pool_filler::status::{EventHook, FillerEvent, FillerStatus, RetryPolicy};
use crate::key::pool_filler::worker::run;

/// Configures a [`PoolFiller`] before its thread starts: [`PoolFiller::builder`].
pub struct PoolFillerBuilder {
    pub(super) pool: WrappingKeyPool,
    pub(super) retry: RetryPolicy,
    pub(super) on_event: Option<EventHook>,
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
