//! The fixed-width arithmetic behind a runtime width, for the `modexp` fuzz target, the
//! differential tests, the timing-leak bench and the speed example. Compiled only with the
//! `fuzzing` feature; not an API.

use alloc::vec::Vec;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd};

use super::montgomery::{Modulus, Squarer};
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
        8 => to_limbs::<8>(x).map(|a| a.to_vec()),
        16 => to_limbs::<16>(x).map(|a| a.to_vec()),
        24 => to_limbs::<24>(x).map(|a| a.to_vec()),
        32 => to_limbs::<32>(x).map(|a| a.to_vec()),
        48 => to_limbs::<48>(x).map(|a| a.to_vec()),
        64 => to_limbs::<64>(x).map(|a| a.to_vec()),
        _ => None,
    }
}

fn miller_rabin_n<const N: usize>(w: &[u64], b: Option<&[u64]>) -> Option<bool> {
    let c = super::miller_rabin::Candidate::<N>::new(&array(w)?)?;
    Some(match b {
        Some(b) => c.test(&array(b)?),
        None => c.test_base_two(),
    })
}

fn miller_rabin_any(w: &[u64], b: Option<&[u64]>) -> Option<bool> {
    match w.len() {
        8 => miller_rabin_n::<8>(w, b),
        16 => miller_rabin_n::<16>(w, b),
        24 => miller_rabin_n::<24>(w, b),
        32 => miller_rabin_n::<32>(w, b),
        _ => None,
    }
}

/// One Miller–Rabin round (FIPS 186-5 B.3.1) on the odd candidate w (8, 16, 24 or 32 limbs, top
/// bit set) with base b (1 < b < w − 1, same width): `Some(true)` for a strong probable prime.
pub fn miller_rabin(w: &[u64], b: &[u64]) -> Option<bool> {
    miller_rabin_any(w, Some(b))
}

/// The base-2 round of [`miller_rabin`] (squarings and a multiplication by 2^e per window of d).
pub fn miller_rabin_base_two(w: &[u64]) -> Option<bool> {
    miller_rabin_any(w, None)
}

/// `modexp` fuzz target: `[width, flags, n ‖ base ‖ exponent]`, each 8·W bytes little-endian
/// (missing bytes are zero), W = [`WIDTHS`]\[width mod 5\]. The harness makes n odd with its top
/// bit set (the arithmetic's precondition); flag bits replace values with edges the fuzzer
/// could not find through a constant-time comparison: bit 0 base = n − 1, bit 1 base = 0,
/// bit 2 base = 1, bit 3 exponent = 0, bit 4 exponent = 1, bit 5 n = 2^(k−1) + (n mod 2^64),
/// bit 6 n = 2^k − 2^64 + (n mod 2^64) (just above 2^(k−1), just below 2^k).
///
/// Oracle: our exponentiation equals `crypto-bigint`'s ([`pow_reference`]) on every input.
pub fn modexp(data: &[u8]) {
    let (Some(&width), Some(&flags)) = (data.first(), data.get(1)) else {
        return;
    };
    let limbs = WIDTHS[usize::from(width) % WIDTHS.len()];
    let mut words = data.get(2..).unwrap_or_default().chunks(8).map(|c| {
        let mut b = [0u8; 8];
        b[..c.len()].copy_from_slice(c);
        u64::from_le_bytes(b)
    });
    let mut take = || -> Vec<u64> { (0..limbs).map(|_| words.next().unwrap_or(0)).collect() };
    let (mut n, mut base, mut e) = (take(), take(), take());
    if flags & 0x20 != 0 {
        n[1..].fill(0);
    }
    if flags & 0x40 != 0 {
        n[1..].fill(u64::MAX);
    }
    n[0] |= 1;
    n[limbs - 1] |= 1 << 63;
    if flags & 1 != 0 {
        base.copy_from_slice(&n);
        base[0] -= 1;
    }
    if flags & 2 != 0 {
        base.fill(0);
    }
    if flags & 4 != 0 {
        base.fill(0);
        base[0] = 1;
    }
    if flags & 0x18 != 0 {
        e.fill(0);
        e[0] = u64::from(flags & 0x10 != 0);
    }
    let ours = pow(&n, &base, &e);
    let reference = pow_reference(&n, &base, &e);
    assert!(
        ours.is_some(),
        "a valid {}-bit modulus was refused",
        64 * limbs
    );
    assert_eq!(
        ours,
        reference,
        "{}-bit modexp differs from crypto-bigint",
        64 * limbs
    );
}

#[inline(never)]
fn sqr_chain_n<const N: usize>(m: &Modulus<N>, a: &[u64; N], count: usize) -> [u64; N] {
    let mut x = *a;
    let mut squarer = Squarer::new(m);
    for _ in 0..count {
        x = squarer.sqr(core::hint::black_box(&x));
    }
    x
}

#[inline(never)]
fn mul_chain_n<const N: usize>(
    m: &Modulus<N>,
    a: &[u64; N],
    b: &[u64; N],
    count: usize,
) -> [u64; N] {
    let mut x = *a;
    for _ in 0..count {
        x = m.mul(core::hint::black_box(&x), b);
    }
    x
}

/// `count` Montgomery squarings of a, then `count` Montgomery multiplications by b, modulo the
/// 32-limb n (odd, top bit set), each in its own non-inlined function so that callgrind can
/// count them apart (`examples/montgomery_count.rs`). Returns both results.
pub fn sqr_mul_chains(n: &[u64], a: &[u64], b: &[u64], count: usize) -> Option<[Vec<u64>; 2]> {
    let m = Modulus::<32>::new(&array(n)?)?;
    let (a, b) = (array::<32>(a)?, array::<32>(b)?);
    Some([
        sqr_chain_n(&m, &a, count).to_vec(),
        mul_chain_n(&m, &a, &b, count).to_vec(),
    ])
}
