//! The counting heap (embedded-alloc's linked-list allocator, with the bytes in use and their
//! peak counted) and the peak-heap measurements of one unwrap per operation.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

use cortex_m_semihosting::hprintln;
use embedded_alloc::LlffHeap;
use kms_import::{WrappingPrivateKey, WrappingScheme};

use crate::{Tally, TestRng, vectors};

/// The heap: embedded-alloc's linked-list allocator, counted (bytes in use, and the peak since
/// the last reset).
pub struct CountingHeap {
    heap: LlffHeap,
    in_use: AtomicUsize,
    peak: AtomicUsize,
}

// SAFETY: forwards to LlffHeap, a GlobalAlloc, and only counts the sizes.
unsafe impl GlobalAlloc for CountingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        let p = unsafe { self.heap.alloc(layout) };
        if !p.is_null() {
            let now = self.in_use.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            self.peak.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.in_use.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { self.heap.dealloc(ptr, layout) }
    }
}

#[global_allocator]
pub static HEAP: CountingHeap = CountingHeap {
    heap: LlffHeap::empty(),
    in_use: AtomicUsize::new(0),
    peak: AtomicUsize::new(0),
};

pub const HEAP_SIZE: usize = 512 * 1024;

/// Runs `f` and returns its result with the peak heap above what was in use before, in bytes.
pub fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = HEAP.in_use.load(Ordering::Relaxed);
    HEAP.peak.store(base, Ordering::Relaxed);
    let out = f();
    (out, HEAP.peak.load(Ordering::Relaxed) - base)
}

/// Gives the heap its memory: call once, first thing, before any allocation.
pub fn init() {
    use core::mem::MaybeUninit;
    static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
    // SAFETY: called once (from `main`, before any allocation); the memory is this static's
    // alone and is handed to the allocator, which owns it from then on.
    unsafe { HEAP.heap.init(&raw mut HEAP_MEM as usize, HEAP_SIZE) }
}

/// The peak heap of one unwrap (key from PKCS#8, then unwrap), per operation.
pub fn measure(t: &mut Tally, rng: &mut TestRng) {
    for (bits, scheme) in [
        (2048, WrappingScheme::RsaesOaepSha256),
        (4096, WrappingScheme::RsaesOaepSha256),
    ] {
        let Some((group, case)) = vectors::OAEP
            .iter()
            .filter(|g| g.bits == bits && g.algorithm == Some(scheme))
            .find_map(|g| {
                g.cases
                    .iter()
                    .find(|c| !c.invalid && c.label_empty && !c.msg.is_empty())
                    .map(|c| (g, c))
            })
        else {
            continue;
        };
        let (ok, peak) = peak_heap(|| {
            WrappingPrivateKey::from_pkcs8_der(group.pkcs8).is_ok_and(|key| {
                key.unwrap_key_material(scheme, case.ct, rng)
                    .is_ok_and(|m| m.ct_eq(case.msg))
            })
        });
        t.check(ok, "heap measurement", bits);
        hprintln!(
            "peak heap: RSA-{} unwrap ({}): {} bytes",
            bits,
            scheme.as_str(),
            peak
        );
    }
    #[cfg(feature = "sm2")]
    if let Some(kat) = vectors::SM2.first() {
        let pkcs8 = crate::sm2::sm2_pkcs8(kat.private_key);
        let (ok, peak) = peak_heap(|| {
            WrappingPrivateKey::from_pkcs8_der(&pkcs8).is_ok_and(|key| {
                key.unwrap_key_material(WrappingScheme::Sm2Pke, kat.der, rng)
                    .is_ok_and(|m| m.ct_eq(kat.plaintext))
            })
        });
        t.check(ok, "heap measurement", 0);
        hprintln!("peak heap: SM2PKE unwrap: {} bytes", peak);
    }
}
