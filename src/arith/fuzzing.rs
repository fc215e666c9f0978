//! The fixed-width arithmetic behind a runtime width, for the `modexp` fuzz target, the
//! differential tests, the timing-leak bench and the speed example. Compiled only with the
//! `fuzzing` feature; not an API.

use alloc::vec::Vec;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd};

use super::montgomery::Modulus;
use super::{exp, from_limbs, to_limbs};

/// The widths in 64-bit limbs that the arithmetic is instantiated for: the primes (16, 24, 32)
/// and moduli (32, 48, 64) of RSA-2048/3072/4096.
pub const WIDTHS: [usize; 5] = [16, 24, 32, 48, 64];

fn array<const N: usize>(x: &[u64]) -> Option<[u64; N]> {
    x.try_into().ok()
}

fn pow_n<const N: usize>(n: &[u64], base: &[u64], e: &[u64]) -> Option<Vec<u64>> {
    let m = Modulus::<N>::new(&array(n)?)?;
    Some(exp::pow(&m, &array(base)?, &array::<N>(e)?).to_vec())
}

/// base^e mod n with our fixed-width exponentiation. All three are `n.len()` limbs (one of
/// [`WIDTHS`]), least significant first; `None` for another width, or when n is even or its top
/// bit is clear (the arithmetic's precondition). The result is in [0, n).
pub fn pow(n: &[u64], base: &[u64], e: &[u64]) -> Option<Vec<u64>> {
    match n.len() {
        16 => pow_n::<16>(n, base, e),
        24 => pow_n::<24>(n, base, e),
        32 => pow_n::<32>(n, base, e),
        48 => pow_n::<48>(n, base, e),
        64 => pow_n::<64>(n, base, e),
        _ => None,
    }
}

fn boxed(x: &[u64]) -> BoxedUint {
    match x.len() {
        16 => from_limbs::<16>(&array(x).unwrap_or([0; 16])),
        24 => from_limbs::<24>(&array(x).unwrap_or([0; 24])),
        32 => from_limbs::<32>(&array(x).unwrap_or([0; 32])),
        48 => from_limbs::<48>(&array(x).unwrap_or([0; 48])),
        _ => from_limbs::<64>(&array(x).unwrap_or([0; 64])),
    }
}

/// base^e mod n computed by `crypto-bigint` (`BoxedMontyForm::pow`, constant time), the
/// reference: same shapes as [`pow`]; any odd n.
pub fn pow_reference(n: &[u64], base: &[u64], e: &[u64]) -> Option<Vec<u64>> {
    if !WIDTHS.contains(&n.len()) || base.len() != n.len() || e.len() != n.len() {
        return None;
    }
    let modulus = boxed(n);
    let params = BoxedMontyParams::new(Odd::new(modulus.clone()).into_option()?);
    let b = boxed(base).rem(&NonZero::new(modulus).into_option()?);
    let r = BoxedMontyForm::new(b, &params).pow(&boxed(e)).retrieve();
    limbs_of(&r, n.len())
}

/// Limbs of a `BoxedUint` (for tests that build inputs with `crypto-bigint`).
pub fn limbs_of(x: &BoxedUint, width: usize) -> Option<Vec<u64>> {
    match width {
        16 => to_limbs::<16>(x).map(|a| a.to_vec()),
        24 => to_limbs::<24>(x).map(|a| a.to_vec()),
        32 => to_limbs::<32>(x).map(|a| a.to_vec()),
        48 => to_limbs::<48>(x).map(|a| a.to_vec()),
        64 => to_limbs::<64>(x).map(|a| a.to_vec()),
        _ => None,
    }
}
