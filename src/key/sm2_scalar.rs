//! SM2 scalars drawn from the caller's RNG: private keys (GB/T 32918.1 §6.1) and the per-message
//! k of SM2PKE encryption (GB/T 32918.4 §6.1 A1).

use rand_core::CryptoRng;
use sm2::{FieldBytes, NonZeroScalar};
use zeroize::Zeroizing;

/// How many times encryption draws k before giving up with [`Error::Rng`]. A draw is redone when
/// the 32 bytes are 0 or ≥ n (probability < 2^-32) or when t is all zero (probability ≤ 2^-8, for
/// a one-byte message); 64 failures in a row mean a broken RNG, not bad luck.
pub(crate) const MAX_K_DRAWS: usize = 64;

/// GB/T 32918.4 §6.1 A1 (and §6.1 of part 1 for a private key): 32 big-endian bytes from `rng`;
/// `None` (draw again) when 0 or ≥ n.
pub(crate) fn draw_scalar<R: CryptoRng + ?Sized>(rng: &mut R) -> Option<Zeroizing<NonZeroScalar>> {
    let mut bytes = Zeroizing::new(FieldBytes::default());
    rng.fill_bytes(&mut bytes);
    Option::<NonZeroScalar>::from(NonZeroScalar::from_repr(*bytes)).map(Zeroizing::new)
}
