//! A pool of pregenerated wrapping keys (`no_std`): `GetParametersForImport` takes a ready key in
//! microseconds instead of generating one (an RSA-4096 keygen takes about a second and has a heavy
//! tail).
//!
//! # Each key is handed out once
//!
//! [`WrappingKeyPool::take`] moves the key out, and the only way in is [`WrappingKeyPool::put`]
//! with a [`FreshWrappingKey`], a type that can only be made by generating a new key. A key that
//! was handed out is a plain [`WrappingPrivateKey`] and can never become a `FreshWrappingKey`
//! again, so it cannot re-enter any pool.
//!
//! That holds for the key *object*. A broken RNG can produce the same key *value* twice; two
//! health tests stop such keys (see the `health` module for the derivations):
//!
//! - **Repetition count test** (NIST SP 800-90B §4.4.1, run continuously as FIPS 140-3 asks of
//!   health tests): [`FreshWrappingKey::generate`] passes the RNG's output through the test on its
//!   way to key generation: 64-bit samples, cutoff C = 2 (α = 2⁻²⁰, H = 64 bits per sample). A
//!   failure is [`HealthTestFailure::RepetitionCount`] and no key is made.
//! - **Duplicate key test**: the pool remembers the public keys of the last
//!   [`WrappingKeyPool::DUPLICATE_WINDOW`] keys it accepted (as 128-bit SHA-256 digests, 16 bytes
//!   each) and refuses a key equal to one of them ([`HealthTestFailure::DuplicateKey`]); the key is
//!   dropped, and wiped. So no key value is handed out twice by one pool within that window. A
//!   pool knows nothing of other pools: two pools whose RNGs were seeded alike produce the same
//!   keys (the `std` `PoolFiller` adds a process-wide window across fillers).
//!
//! # Watermarks
//!
//! Per spec the pool keeps between a low and a high watermark. Whatever the order of calls, it
//! never holds more than `high` keys of a spec: [`WrappingKeyPool::put`] refuses a key above it, and
//! lowering `high` ([`WrappingKeyPool::with_watermarks`], [`WrappingKeyPool::set_watermarks`])
//! drops the surplus at once. [`WrappingKeyPool::needs_refill`] says when the count fell below
//! `low` (or to zero: `low = 0` behaves as `low = 1`, so a spec with `high > 0` is always refilled
//! once empty) and [`WrappingKeyPool::deficit`] how many keys bring it back up to `high`.
//!
//! Refilling is the caller's job (or the `std` background filler, `PoolFiller`): generate keys
//! outside any lock, then `put` them; or call [`WrappingKeyPool::fill`], which blocks.

mod health;
#[cfg(test)]
pub(crate) mod test_rngs;

use alloc::collections::VecDeque;
use alloc::string::String;
use core::fmt;

use rand_core::CryptoRng;

use crate::error::Error;
use crate::key::wrapping_key::WrappingPrivateKey;
use crate::policy::names::WrappingKeySpec;

pub(crate) use health::{KeyDigest, RecentKeys};

/// A wrapping key that has just been generated, passed the repetition count test, and never been
/// handed out.
#[derive(Debug)]
pub struct FreshWrappingKey {
    key: WrappingPrivateKey,
    /// Its public key's digest, for the duplicate key test (computed here, outside any lock).
    digest: KeyDigest,
}

impl FreshWrappingKey {
    /// Generates a new key pair (see [`WrappingPrivateKey::generate`]), running the repetition
    /// count test on every byte drawn from `rng` (64-bit samples, cutoff 2: generation fails as
    /// soon as one 64-bit sample equals the previous one).
    ///
    /// # Errors
    ///
    /// - [`FillError::Health`]`(`[`HealthTestFailure::RepetitionCount`]`)` when the test fails
    ///   (e.g. an RNG stuck at a constant byte); whatever key generation made is discarded.
    /// - [`FillError::Keygen`] when key generation itself fails (`Error::Rng`: an RNG whose output
    ///   never yields a valid key).
    pub fn generate<R: CryptoRng + ?Sized>(
        spec: WrappingKeySpec,
        rng: &mut R,
    ) -> Result<Self, FillError> {
        let mut checked = health::RctRng::new(rng);
        let key = WrappingPrivateKey::generate(spec, &mut checked);
        if checked.failed() {
            return Err(FillError::Health(HealthTestFailure::RepetitionCount));
        }
        let key = key.map_err(FillError::Keygen)?;
        let digest = health::key_digest(&key);
        Ok(FreshWrappingKey { key, digest })
    }

    /// The wrapping key spec of this key.
    pub fn spec(&self) -> WrappingKeySpec {
        self.key.spec()
    }
}

/// A failed continuous health test: the RNG must not be trusted, and nothing generated from it is
/// handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HealthTestFailure {
    /// The repetition count test (SP 800-90B §4.4.1) failed on the RNG output key generation drew:
    /// two consecutive 64-bit samples were equal (cutoff C = 2; a sound RNG does this with
    /// probability 2⁻⁶⁴ per sample). Typically an RNG stuck at a constant.
    RepetitionCount,
    /// A new key's public key equals one of the last
    /// [`WrappingKeyPool::DUPLICATE_WINDOW`] keys the pool accepted (or, in a `PoolFiller`, one
    /// of the last keys any filler in this process generated): the RNG repeats its output.
    DuplicateKey {
        /// The spec of the duplicate key.
        spec: WrappingKeySpec,
    },
}

impl fmt::Display for HealthTestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HealthTestFailure::RepetitionCount => f.write_str(
                "RNG health test failed: the repetition count test (SP 800-90B 4.4.1) saw two \
                 identical 64-bit samples in a row",
            ),
            HealthTestFailure::DuplicateKey { spec } => write!(
                f,
                "RNG health test failed: a new {spec} wrapping key equals one generated recently"
            ),
        }
    }
}

impl core::error::Error for HealthTestFailure {}

/// Why generating a key for a pool failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FillError {
    /// A continuous health test failed.
    Health(HealthTestFailure),
    /// Key generation failed (its [`Error`] is the source, typically [`Error::Rng`]).
    Keygen(Error),
    /// Key generation panicked (reported by `PoolFiller`, which catches the panic; e.g. an RNG
    /// that panics when the operating system's entropy source fails). Holds the panic message.
    Panicked(String),
}

impl fmt::Display for FillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FillError::Health(failure) => failure.fmt(f),
            FillError::Keygen(_) => f.write_str("wrapping-key generation failed"),
            FillError::Panicked(message) => {
                write!(f, "wrapping-key generation panicked: {message}")
            }
        }
    }
}

impl core::error::Error for FillError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            FillError::Keygen(e) => Some(e),
            FillError::Health(_) | FillError::Panicked(_) => None,
        }
    }
}

impl From<HealthTestFailure> for FillError {
    fn from(failure: HealthTestFailure) -> Self {
        FillError::Health(failure)
    }
}

/// Why [`WrappingKeyPool::put`] refused a key.
#[derive(Debug)]
pub enum PutError {
    /// Its spec already holds its high watermark. The key is handed back, still fresh.
    Full(FreshWrappingKey),
    /// It failed the duplicate key test ([`HealthTestFailure::DuplicateKey`]); it has been
    /// dropped, and wiped.
    Duplicate(HealthTestFailure),
}

impl fmt::Display for PutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(key) => write!(
                f,
                "the pool already holds its high watermark of {} keys",
                key.spec()
            ),
            PutError::Duplicate(failure) => failure.fmt(f),
        }
    }
}

impl core::error::Error for PutError {}

const SPEC_COUNT: usize = WrappingKeySpec::ALL.len();

/// The slot of `spec` (exhaustive, so a new spec cannot be forgotten).
const fn slot_index(spec: WrappingKeySpec) -> usize {
    match spec {
        WrappingKeySpec::Rsa2048 => 0,
        WrappingKeySpec::Rsa3072 => 1,
        WrappingKeySpec::Rsa4096 => 2,
        WrappingKeySpec::Sm2 => 3,
    }
}

const _: () = assert!(SPEC_COUNT == 4);

#[derive(Default)]
struct Slot {
    keys: VecDeque<WrappingPrivateKey>,
    low: usize,
    high: usize,
}

impl Slot {
    /// Drops (and so wipes) the oldest keys above the high watermark; returns how many.
    fn trim(&mut self) -> usize {
        let surplus = self.keys.len().saturating_sub(self.high);
        self.keys.drain(..surplus);
        surplus
    }
}

/// Pregenerated wrapping keys per [`WrappingKeySpec`], each handed out once, with continuous
/// health tests on what goes in (see the module documentation).
///
/// Memory: the keys it holds (at most `high` per spec) plus up to
/// [`DUPLICATE_WINDOW`](Self::DUPLICATE_WINDOW) × 16 bytes of public-key digests.
pub struct WrappingKeyPool {
    slots: [Slot; SPEC_COUNT],
    recent: RecentKeys,
}

impl Default for WrappingKeyPool {
    fn default() -> Self {
        WrappingKeyPool {
            slots: Default::default(),
            recent: RecentKeys::new(Self::DUPLICATE_WINDOW),
        }
    }
}

impl WrappingKeyPool {
    /// How many of the keys most recently accepted by [`put`](Self::put) the duplicate key test
    /// compares a new key with (all specs together): 1024, i.e. at most 16 KiB of digests.
    pub const DUPLICATE_WINDOW: usize = 1024;

    /// An empty pool that keeps no keys of any spec until watermarks are set.
    pub fn new() -> Self {
        Self::default()
    }

    /// [`set_watermarks`](Self::set_watermarks), builder style.
    pub fn with_watermarks(mut self, spec: WrappingKeySpec, low: usize, high: usize) -> Self {
        self.set_watermarks(spec, low, high);
        self
    }

    /// Keeps between `low` and `high` keys of `spec` (`low` is lowered to `high` if above it;
    /// `low = 0` behaves as `low = 1`). The pool never holds more than `high` keys of a spec, so
    /// its memory is bounded: keys above a lowered `high` are dropped at once (the oldest first),
    /// and wiped. Returns how many were dropped.
    pub fn set_watermarks(&mut self, spec: WrappingKeySpec, low: usize, high: usize) -> usize {
        let slot = self.slot_mut(spec);
        slot.high = high;
        slot.low = low.min(high);
        slot.trim()
    }

    /// The `(low, high)` watermarks of `spec`, as set (`low` already capped at `high`).
    pub fn watermarks(&self, spec: WrappingKeySpec) -> (usize, usize) {
        let slot = self.slot(spec);
        (slot.low, slot.high)
    }

    /// Hands out a pregenerated key of `spec` (the oldest), or `None` when there is none (generate
    /// one directly then). The key leaves the pool for good.
    pub fn take(&mut self, spec: WrappingKeySpec) -> Option<WrappingPrivateKey> {
        self.slot_mut(spec).keys.pop_front()
    }

    /// Adds a freshly generated key.
    ///
    /// # Errors
    ///
    /// - [`PutError::Full`] (the key is handed back) when its spec already holds its high
    ///   watermark.
    /// - [`PutError::Duplicate`] (the key is dropped and wiped) when its public key equals one of
    ///   the last [`DUPLICATE_WINDOW`](Self::DUPLICATE_WINDOW) keys this pool accepted.
    pub fn put(&mut self, key: FreshWrappingKey) -> Result<(), PutError> {
        let spec = key.spec();
        let slot = self.slot(spec);
        if slot.keys.len() >= slot.high {
            return Err(PutError::Full(key));
        }
        if !self.recent.insert(key.digest) {
            return Err(PutError::Duplicate(HealthTestFailure::DuplicateKey {
                spec,
            }));
        }
        self.slot_mut(spec).keys.push_back(key.key);
        Ok(())
    }

    /// How many keys of `spec` are ready.
    pub fn len(&self, spec: WrappingKeySpec) -> usize {
        self.slot(spec).keys.len()
    }

    /// `true` when no key of `spec` is ready.
    pub fn is_empty(&self, spec: WrappingKeySpec) -> bool {
        self.len(spec) == 0
    }

    /// `true` when the count of `spec` fell below its low watermark, or to zero with a high
    /// watermark above zero: time to refill.
    pub fn needs_refill(&self, spec: WrappingKeySpec) -> bool {
        let slot = self.slot(spec);
        slot.high > 0 && slot.keys.len() < slot.low.max(1)
    }

    /// How many keys of `spec` bring the pool up to its high watermark.
    pub fn deficit(&self, spec: WrappingKeySpec) -> usize {
        let slot = self.slot(spec);
        slot.high.saturating_sub(slot.keys.len())
    }

    /// The specs that [`need a refill`](Self::needs_refill), in the order of
    /// [`WrappingKeySpec::ALL`].
    pub fn specs_needing_refill(&self) -> impl Iterator<Item = WrappingKeySpec> + '_ {
        WrappingKeySpec::ALL
            .iter()
            .copied()
            .filter(|&s| self.needs_refill(s))
    }

    /// Generates keys of `spec` until its high watermark is reached (blocking; a `no_std` caller
    /// runs this when it has time). Returns how many keys were added.
    ///
    /// # Errors
    ///
    /// The first failure ([`FreshWrappingKey::generate`]'s errors, or
    /// [`HealthTestFailure::DuplicateKey`]) ends the fill; the keys added before it stay.
    pub fn fill<R: CryptoRng + ?Sized>(
        &mut self,
        spec: WrappingKeySpec,
        rng: &mut R,
    ) -> Result<usize, FillError> {
        let mut added = 0;
        while self.deficit(spec) > 0 {
            match self.put(FreshWrappingKey::generate(spec, rng)?) {
                Ok(()) => added += 1,
                Err(PutError::Duplicate(failure)) => return Err(FillError::Health(failure)),
                // Not reached (the deficit is positive); stop rather than spin.
                Err(PutError::Full(_)) => break,
            }
        }
        Ok(added)
    }

    fn slot(&self, spec: WrappingKeySpec) -> &Slot {
        &self.slots[slot_index(spec)]
    }

    fn slot_mut(&mut self, spec: WrappingKeySpec) -> &mut Slot {
        &mut self.slots[slot_index(spec)]
    }
}

impl fmt::Debug for WrappingKeyPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("WrappingKeyPool");
        for &spec in WrappingKeySpec::ALL {
            let slot = self.slot(spec);
            d.field(spec.as_str(), &(slot.keys.len(), slot.low, slot.high));
        }
        d.field("recent_keys", &self.recent.len());
        d.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;
    use alloc::vec::Vec;
    use rand::SeedableRng;

    const SM2: WrappingKeySpec = WrappingKeySpec::Sm2;

    #[test]
    fn each_key_is_handed_out_once() {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(3);
        let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 2, 5);
        assert!(pool.needs_refill(SM2));
        assert_eq!(pool.deficit(SM2), 5);
        assert_eq!(pool.fill(SM2, &mut rng).unwrap(), 5);
        assert!(!pool.needs_refill(SM2));
        assert_eq!(pool.deficit(SM2), 0);
        let mut seen = BTreeSet::new();
        let mut taken = Vec::new();
        while let Some(key) = pool.take(SM2) {
            assert_eq!(key.spec(), SM2);
            assert!(
                seen.insert(key.public_key().to_der()),
                "a key was handed out twice"
            );
            taken.push(key);
        }
        assert_eq!(taken.len(), 5);
        assert!(pool.take(SM2).is_none());
        assert!(pool.take(WrappingKeySpec::Rsa4096).is_none());
    }

    #[test]
    fn watermarks_signal_refill_and_bound_the_pool() {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(4);
        let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 2, 3);
        pool.fill(SM2, &mut rng).unwrap();
        // Full: one more is refused and handed back.
        let extra = FreshWrappingKey::generate(SM2, &mut rng).unwrap();
        assert!(pool.put(extra).is_err());
        assert_eq!(pool.len(SM2), 3);
        pool.take(SM2).unwrap(); // 2 left: at the low watermark, no refill yet
        assert!(!pool.needs_refill(SM2));
        assert_eq!(pool.deficit(SM2), 1);
        pool.take(SM2).unwrap(); // 1 left: below it
        assert!(pool.needs_refill(SM2));
        assert_eq!(pool.specs_needing_refill().collect::<Vec<_>>(), [SM2]);
        assert_eq!(pool.deficit(SM2), 2);
        // A spec without watermarks keeps nothing.
        let rsa = WrappingKeySpec::Rsa2048;
        assert!(!pool.needs_refill(rsa));
        assert_eq!(pool.deficit(rsa), 0);
    }

    use crate::key::pool::test_rngs::Replay;

    fn distinct_ders(keys: &[WrappingPrivateKey]) -> usize {
        keys.iter()
            .map(|k| k.public_key().to_der())
            .collect::<BTreeSet<_>>()
            .len()
    }

    fn drain(pool: &mut WrappingKeyPool, spec: WrappingKeySpec) -> Vec<WrappingPrivateKey> {
        core::iter::from_fn(|| pool.take(spec)).collect()
    }

    #[test]
    fn low_zero_fills_to_high_and_refills_once_empty() {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(5);
        let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 0, 3);
        assert!(pool.needs_refill(SM2));
        assert_eq!(pool.fill(SM2, &mut rng).unwrap(), 3);
        pool.take(SM2).unwrap();
        pool.take(SM2).unwrap();
        assert!(
            !pool.needs_refill(SM2),
            "1 left: low = 0 behaves as low = 1"
        );
        pool.take(SM2).unwrap();
        assert!(pool.needs_refill(SM2));
        assert_eq!(pool.specs_needing_refill().collect::<Vec<_>>(), [SM2]);
        // high = 0 keeps nothing, whatever low says.
        let pool = WrappingKeyPool::new().with_watermarks(SM2, 5, 0);
        assert!(!pool.needs_refill(SM2));
        assert_eq!(pool.watermarks(SM2), (0, 0));
    }

    #[test]
    fn lowering_high_trims_the_surplus_whatever_the_order() {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(6);
        let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 1, 5);
        pool.fill(SM2, &mut rng).unwrap();
        assert_eq!(pool.set_watermarks(SM2, 1, 2), 3, "three keys dropped");
        assert_eq!(pool.len(SM2), 2);
        assert_eq!(pool.deficit(SM2), 0);
        // Builder style, low above high: low is capped, the surplus dropped.
        let mut pool = pool.with_watermarks(SM2, 4, 1);
        assert_eq!((pool.len(SM2), pool.watermarks(SM2)), (1, (1, 1)));
        let extra = FreshWrappingKey::generate(SM2, &mut rng).unwrap();
        assert!(matches!(pool.put(extra), Err(PutError::Full(_))));
        // The oldest keys went first: the one left is the newest of the five.
        let mut same = rand::rngs::ChaCha8Rng::seed_from_u64(6);
        let fifth = (0..5)
            .map(|_| FreshWrappingKey::generate(SM2, &mut same).unwrap())
            .last()
            .unwrap();
        assert_eq!(pool.take(SM2).unwrap().public_key(), fifth.key.public_key());
        // Raising it again refills.
        pool.set_watermarks(SM2, 1, 3);
        assert_eq!(pool.fill(SM2, &mut rng).unwrap(), 3);
    }

    #[test]
    fn an_rng_stuck_at_a_constant_byte_hands_out_no_key() {
        // Before the repetition count test, an SM2 pool "filled" with 12 copies of one key.
        for spec in [SM2, WrappingKeySpec::Rsa2048] {
            for byte in [0x42, 0x00, 0xff] {
                let mut pool = WrappingKeyPool::new().with_watermarks(spec, 12, 12);
                let err = pool.fill(spec, &mut Replay::constant(byte)).unwrap_err();
                assert_eq!(err, FillError::Health(HealthTestFailure::RepetitionCount));
                assert_eq!(pool.len(spec), 0, "{spec} {byte:#x}");
                assert!(pool.take(spec).is_none());
            }
        }
    }

    #[test]
    fn an_rng_replaying_its_output_is_caught_by_the_duplicate_test() {
        // 64 bytes replayed: the RCT sees distinct samples, SM2 keygen draws 32 bytes per key, so
        // the keys go A, B, A, ...
        let mut rng = Replay::chacha_block(7, 64);
        let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 5, 5);
        let err = pool.fill(SM2, &mut rng).unwrap_err();
        assert_eq!(
            err,
            FillError::Health(HealthTestFailure::DuplicateKey { spec: SM2 })
        );
        let keys = drain(&mut pool, SM2);
        assert_eq!((keys.len(), distinct_ders(&keys)), (2, 2));
    }

    #[test]
    fn identically_seeded_keys_go_into_one_pool_once() {
        let key = |seed| {
            FreshWrappingKey::generate(SM2, &mut rand::rngs::ChaCha8Rng::seed_from_u64(seed))
                .unwrap()
        };
        let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 3, 3);
        pool.put(key(8)).unwrap();
        pool.put(key(9)).unwrap();
        match pool.put(key(8)) {
            Err(PutError::Duplicate(HealthTestFailure::DuplicateKey { spec })) => {
                assert_eq!(spec, SM2)
            }
            other => panic!("{other:?}"),
        }
        // Handing the first copy out does not make room for the second: the window remembers.
        pool.take(SM2).unwrap();
        assert!(matches!(pool.put(key(8)), Err(PutError::Duplicate(_))));
        // Another pool has its own window (no protection across pools).
        let mut other = WrappingKeyPool::new().with_watermarks(SM2, 1, 1);
        other.put(key(8)).unwrap();
    }

    #[test]
    fn the_duplicate_window_is_bounded() {
        let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 0, usize::MAX);
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(10);
        let first = FreshWrappingKey::generate(SM2, &mut rand::rngs::ChaCha8Rng::seed_from_u64(11))
            .unwrap();
        pool.put(first).unwrap();
        for _ in 0..WrappingKeyPool::DUPLICATE_WINDOW - 1 {
            pool.put(FreshWrappingKey::generate(SM2, &mut rng).unwrap())
                .unwrap();
        }
        let again = |seed| {
            FreshWrappingKey::generate(SM2, &mut rand::rngs::ChaCha8Rng::seed_from_u64(seed))
                .unwrap()
        };
        assert!(matches!(pool.put(again(11)), Err(PutError::Duplicate(_))));
        pool.put(FreshWrappingKey::generate(SM2, &mut rng).unwrap())
            .unwrap();
        // 1024 newer keys since: the first one has left the window.
        pool.put(again(11)).unwrap();
        assert_eq!(pool.len(SM2), WrappingKeyPool::DUPLICATE_WINDOW + 2);
    }

    #[test]
    fn errors_name_the_failure_and_keep_the_source() {
        use alloc::string::ToString;
        use core::error::Error as _;
        let rct = FillError::from(HealthTestFailure::RepetitionCount);
        assert!(rct.to_string().contains("repetition count test"));
        let dup = FillError::Health(HealthTestFailure::DuplicateKey { spec: SM2 });
        assert!(dup.to_string().contains("SM2"));
        let keygen = FillError::Keygen(Error::Rng);
        let source = keygen.source().unwrap().downcast_ref::<Error>();
        assert_eq!(source, Some(&Error::Rng));
    }
}
