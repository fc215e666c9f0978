//! The blinding pairs (rᵉ, r⁻¹) that RSADP keeps per key between calls (step 1 of the
//! [`rsadp`](super::rsadp) module documentation): [`BlindingCache`] holds [`SLOTS`] pairs in
//! atomics, each with a small state machine (empty / ready / in use) that is only ever
//! try-locked with a compare-exchange, so the key stays `Send + Sync` and usable through
//! `&self`, without `unsafe` and without a lock that could block.

use core::sync::atomic::{AtomicU8, AtomicU32, Ordering};

use zeroize::{Zeroize, ZeroizeOnDrop};

/// Kept blinding pairs per key: concurrent unwraps with the same key beyond this many blind with
/// a freshly drawn pair (one inversion) instead of waiting.
pub(crate) const SLOTS: usize = 2;

/// A kept pair is replaced by a freshly drawn one after this many uses (as OpenSSL's
/// `BN_BLINDING` does), so that one r never blinds more than this many operations.
pub(crate) const FRESH_EVERY: u32 = 32;

/// Draws of r before giving up: r must be non-zero and invertible mod n, which a working RNG
/// misses with probability below 2^−1000; an RNG stuck at zero never gets one.
pub(super) const MAX_R_DRAWS: usize = 8;

/// A blinding pair in Montgomery form mod n: (rᵉ·R, r⁻¹·R), F limbs each, and how many times
/// it (or the pair it was squared from) has been used.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(super) struct Pair<const F: usize> {
    pub(super) r_e: [u64; F],
    pub(super) r_inv: [u64; F],
    pub(super) uses: u32,
}

const EMPTY: u8 = 0;
const READY: u8 = 1;
const BUSY: u8 = 2;

/// One kept pair. `state` is the lock: whoever moves it from READY (or EMPTY) to BUSY with a
/// compare-exchange owns `r_e`, `r_inv` and `uses` until it stores READY (or EMPTY) again with
/// release ordering. The limbs are atomics only so that this needs no `unsafe`; every access to
/// them is made by the owner (relaxed, ordered by the acquire/release on `state`).
struct Slot<const F: usize> {
    state: AtomicU8,
    uses: AtomicU32,
    r_e: [[AtomicU32; 2]; F],
    r_inv: [[AtomicU32; 2]; F],
}

impl<const F: usize> Slot<F> {
    fn new() -> Self {
        Slot {
            state: AtomicU8::new(EMPTY),
            uses: AtomicU32::new(0),
            r_e: core::array::from_fn(|_| [AtomicU32::new(0), AtomicU32::new(0)]),
            r_inv: core::array::from_fn(|_| [AtomicU32::new(0), AtomicU32::new(0)]),
        }
    }

    fn load(limbs: &[[AtomicU32; 2]; F]) -> [u64; F] {
        let mut out = [0u64; F];
        for (o, [lo, hi]) in out.iter_mut().zip(limbs) {
            *o =
                u64::from(lo.load(Ordering::Relaxed)) | u64::from(hi.load(Ordering::Relaxed)) << 32;
        }
        out
    }

    fn store(limbs: &[[AtomicU32; 2]; F], value: &[u64; F]) {
        for (&v, [lo, hi]) in value.iter().zip(limbs) {
            lo.store(v as u32, Ordering::Relaxed);
            hi.store((v >> 32) as u32, Ordering::Relaxed);
        }
    }
}

/// The kept blinding pairs of one key (see the module documentation). Wiped on drop.
pub(crate) struct BlindingCache<const F: usize> {
    slots: [Slot<F>; SLOTS],
}

/// What [`BlindingCache::take`] found.
pub(super) struct Taken<const F: usize> {
    /// The kept pair, if the slot held one.
    pub(super) pair: Option<Pair<F>>,
    /// The slot now owned by the caller (to be given back), if any was free.
    pub(super) slot: Option<usize>,
}

impl<const F: usize> BlindingCache<F> {
    pub(super) fn new() -> Self {
        BlindingCache {
            slots: core::array::from_fn(|_| Slot::new()),
        }
    }

    /// A ready pair if one is free, else ownership of an empty slot, else nothing.
    pub(super) fn take(&self) -> Taken<F> {
        let mut empty = None;
        for (i, slot) in self.slots.iter().enumerate() {
            if slot
                .state
                .compare_exchange(READY, BUSY, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                if let Some(e) = empty {
                    self.give_back(e, None);
                }
                let pair = Pair {
                    r_e: Slot::load(&slot.r_e),
                    r_inv: Slot::load(&slot.r_inv),
                    uses: slot.uses.load(Ordering::Relaxed),
                };
                return Taken {
                    pair: Some(pair),
                    slot: Some(i),
                };
            }
            if empty.is_none()
                && slot
                    .state
                    .compare_exchange(EMPTY, BUSY, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                empty = Some(i);
            }
        }
        Taken {
            pair: None,
            slot: empty,
        }
    }

    /// Gives an owned slot back: with the next pair (READY), or empty.
    pub(super) fn give_back(&self, slot: usize, pair: Option<&Pair<F>>) {
        let Some(s) = self.slots.get(slot) else {
            return;
        };
        match pair {
            Some(p) => {
                Slot::store(&s.r_e, &p.r_e);
                Slot::store(&s.r_inv, &p.r_inv);
                s.uses.store(p.uses, Ordering::Relaxed);
                s.state.store(READY, Ordering::Release);
            }
            None => {
                Slot::store(&s.r_e, &[0; F]);
                Slot::store(&s.r_inv, &[0; F]);
                s.state.store(EMPTY, Ordering::Release);
            }
        }
    }
}

impl<const F: usize> Drop for BlindingCache<F> {
    fn drop(&mut self) {
        for slot in &mut self.slots {
            for [lo, hi] in slot.r_e.iter_mut().chain(slot.r_inv.iter_mut()) {
                lo.get_mut().zeroize();
                hi.get_mut().zeroize();
            }
        }
    }
}

#[cfg(test)]
impl<const F: usize> BlindingCache<F> {
    /// Test hook: flips a bit of r⁻¹ in every kept pair (a simulated fault); returns how many.
    pub(super) fn corrupt_kept_pairs(&self) -> usize {
        let mut count = 0;
        for slot in &self.slots {
            if slot
                .state
                .compare_exchange(READY, BUSY, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                slot.r_inv[0][0].fetch_xor(1, Ordering::Relaxed);
                slot.state.store(READY, Ordering::Release);
                count += 1;
            }
        }
        count
    }
}
