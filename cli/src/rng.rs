//! The random number generator every command hands to the core: the operating system's CSPRNG.

use getrandom::SysRng;
use kms_import::rand_core::UnwrapErr;

/// `getrandom`'s `SysRng` as an infallible `CryptoRng`. It panics only if the operating system's
/// generator fails, which leaves nothing safe to do.
pub type OsRng = UnwrapErr<SysRng>;

/// A handle on the operating system's CSPRNG.
pub fn os_rng() -> OsRng {
    UnwrapErr(SysRng)
}

/// `n` random bytes from the operating system, or a refusal if it has none to give.
pub fn random_bytes(n: usize) -> Result<kms_import::KeyMaterial, crate::failure::Failure> {
    let mut bytes = vec![0u8; n];
    let filled = getrandom::fill(&mut bytes);
    let bytes = kms_import::KeyMaterial::new(bytes);
    filled.map_err(|e| {
        crate::failure::Failure::refused(format_args!("the system RNG failed: {e}"))
    })?;
    Ok(bytes)
}
