//! What a `no_std` static library needs from its host and cannot get from `std`: an allocator
//! and a panic handler (the `firmware` feature).
//!
//! The firmware provides the heap, as two C functions:
//!
//! ```c
//! void *kms_import_alloc(size_t size, size_t align);        /* NULL when out of memory */
//! void kms_import_dealloc(void *ptr, size_t size, size_t align);
//! ```
//!
//! A panic cannot unwind (the bare-metal targets' panic strategy is `abort`); the handler executes
//! a permanently undefined instruction (`udf #0` on Arm), which raises a fault: the firmware's
//! fault handler (usually a reset) takes over and the call never returns into C.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

unsafe extern "C" {
    /// Firmware builds only, provided by the firmware: a block of at least `size` bytes aligned
    /// to `align` (a power of two), or NULL when out of memory.
    fn kms_import_alloc(size: usize, align: usize) -> *mut c_void;
    /// Firmware builds only, provided by the firmware: takes back a block from
    /// `kms_import_alloc` with the same `size` and `align`.
    fn kms_import_dealloc(ptr: *mut c_void, size: usize, align: usize);
}

struct FirmwareHeap;

// SAFETY: the firmware's functions implement an allocator: `kms_import_alloc` returns NULL or a
// block of at least `size` bytes aligned to `align` that is not in use, and `kms_import_dealloc`
// takes back exactly such blocks (the contract in the header).
unsafe impl GlobalAlloc for FirmwareHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: a plain call of the firmware's allocator with a valid layout.
        unsafe { kms_import_alloc(layout.size(), layout.align()).cast::<u8>() }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this layout (GlobalAlloc's contract).
        unsafe { kms_import_dealloc(ptr.cast::<c_void>(), layout.size(), layout.align()) }
    }
}

#[global_allocator]
static HEAP: FirmwareHeap = FirmwareHeap;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    #[cfg(target_arch = "arm")]
    // SAFETY: `udf` touches no memory and does not return: it raises an undefined-instruction
    // fault for the firmware's handler.
    unsafe {
        core::arch::asm!("udf #0", options(noreturn, nomem, nostack))
    }
    #[cfg(not(target_arch = "arm"))]
    loop {
        core::hint::spin_loop();
    }
}
