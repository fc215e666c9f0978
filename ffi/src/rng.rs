//! The caller's RNG callback as the core's `CryptoRng`, and the RNG for checks that draw nothing.

use core::ffi::{c_int, c_void};

use kms_import::rand_core::{TryCryptoRng, TryRng};

use crate::{Fail, Result, kms_import_rng_fn, kms_import_status as S};

/// Adapts a [`kms_import_rng_fn`] to the core's `CryptoRng`. The core's RNG traits cannot fail,
/// so a failing callback is remembered and the entry point turns the whole call into
/// `KMS_IMPORT_RNG_FAILURE`, discarding (wiping) what it produced. Until the operation returns,
/// draws after the failure come from a fixed non-zero stream, not zeros: rejection loops over
/// random values (RSA blinding in `rsa` 0.10 redraws r until it is invertible, forever for an RNG
/// stuck at zero) must end, and their result is thrown away.
pub(crate) struct CallbackRng {
    fill: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> c_int,
    ctx: *mut c_void,
    failed: bool,
    /// SplitMix64 state of the stream after a failure.
    after_failure: u64,
}

impl CallbackRng {
    pub(crate) fn new(rng: kms_import_rng_fn, ctx: *mut c_void) -> Result<Self> {
        let fill = rng.ok_or(Fail::from(S::KMS_IMPORT_NULL_POINTER))?;
        Ok(CallbackRng {
            fill,
            ctx,
            failed: false,
            after_failure: 0,
        })
    }

    /// `Err(RNG_FAILURE)` when the callback ever failed.
    pub(crate) fn check(&self) -> Result<()> {
        if self.failed {
            Err(Fail::with_text(
                S::KMS_IMPORT_RNG_FAILURE,
                "the random number generator failed",
            ))
        } else {
            Ok(())
        }
    }
}

impl TryRng for CallbackRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> core::result::Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> core::result::Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Self::Error> {
        if !self.failed && !dst.is_empty() {
            // SAFETY: the callback is the caller's, called as its type documents: `dst` is
            // valid for writes of `dst.len()` bytes, and `ctx` is passed through untouched.
            let rc = unsafe { (self.fill)(self.ctx, dst.as_mut_ptr(), dst.len()) };
            self.failed = rc != 0;
        }
        if self.failed {
            for chunk in dst.chunks_mut(8) {
                self.after_failure = self.after_failure.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = self.after_failure;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                let bytes = (z ^ (z >> 31)).to_le_bytes();
                chunk.copy_from_slice(&bytes[..chunk.len()]);
            }
        }
        Ok(())
    }
}

impl TryCryptoRng for CallbackRng {}

/// The RNG for material checks that draw nothing (every key spec but RSA): never called; zeros if
/// it ever were, which no check accepts as randomness.
pub(crate) struct NoRng;

impl TryRng for NoRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> core::result::Result<u32, Self::Error> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> core::result::Result<u64, Self::Error> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Self::Error> {
        dst.fill(0);
        Ok(())
    }
}

impl TryCryptoRng for NoRng {}
