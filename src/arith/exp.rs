//! Fixed-window modular exponentiation over [`Modulus`] (left to right, windows of [`WINDOW`]
//! bits: A. J. Menezes, P. C. van Oorschot, S. A. Vanstone, *Handbook of Applied Cryptography*,
//! 1996, algorithm 14.82, with every window — zero or not — costing the same).
//!
//! Constant time in the base, the exponent and the modulus: the exponent is processed over all
//! 64·E bits of its fixed width, every window costs [`WINDOW`] squarings and one multiplication,
//! and the table entry is selected by reading every entry under a `subtle` mask, so neither the
//! branches nor the memory addresses depend on a secret. The table and the intermediates are
//! wiped before returning (they would give the modulus away: n divides b² − (b² mod n)).

use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

use super::montgomery::{Modulus, Squarer};

/// Window width in bits: 2^5 = 32 table entries (8 KiB at 2048 bits). For 1024- to 2048-bit
/// exponents, 5 gives the fewest multiplications plus table reads (4 costs ≈ 4 % more, 6 ≈ 1 %).
pub(crate) const WINDOW: usize = 5;
const TABLE: usize = 1 << WINDOW;

/// Bits `bit..bit + width` of `x` (bits beyond 64·E read as zero), for 0 < width < 64: a window's
/// digit. Positions and width are public.
#[inline(always)]
pub(super) fn window_bits<const E: usize>(x: &[u64; E], bit: usize, width: usize) -> u64 {
    let (limb, offset) = (bit / 64, bit % 64);
    let mut d = x.get(limb).map_or(0, |&w| w >> offset);
    if offset + width > 64
        && let Some(&next) = x.get(limb + 1)
    {
        d |= next << (64 - offset);
    }
    d & ((1 << width) - 1)
}

/// Bits `bit..bit + WINDOW` of `exp`.
#[inline(always)]
fn digit<const E: usize>(exp: &[u64; E], bit: usize) -> u64 {
    window_bits(exp, bit, WINDOW)
}

/// `table[index]`, reading every entry (constant time in `index`): the OR of every entry ANDed
/// with a `subtle` mask that is all ones for the wanted entry only.
#[inline(always)]
fn lookup<const N: usize>(table: &[[u64; N]; TABLE], index: u64) -> [u64; N] {
    let mut out = [0u64; N];
    for (k, entry) in table.iter().enumerate() {
        let hit = u64::conditional_select(&0, &u64::MAX, (k as u64).ct_eq(&index));
        for (o, e) in out.iter_mut().zip(entry) {
            *o |= e & hit;
        }
    }
    out
}

/// The powers base^0 … base^(TABLE−1) in Montgomery form (squarings for the even ones).
fn powers<const N: usize>(m: &Modulus<N>, base: &[u64; N]) -> [[u64; N]; TABLE] {
    let mut table = [[0u64; N]; TABLE];
    table[0] = *m.one();
    table[1] = *base;
    for i in 2..TABLE {
        table[i] = if i % 2 == 0 {
            m.sqr(&table[i / 2])
        } else {
            m.mul(&table[i - 1], base)
        };
    }
    table
}

/// The index of the top window of a 64·E-bit exponent.
const fn top_window(e: usize) -> usize {
    (64 * e).div_ceil(WINDOW) - 1
}

/// base^exp with base and result in Montgomery form (base < R; the result is < R, not
/// necessarily below n). The exponent has E limbs, any value (exp = 0 gives one).
#[cfg(any(test, feature = "keygen"))]
pub(crate) fn pow_montgomery<const N: usize, const E: usize>(
    m: &Modulus<N>,
    base: &[u64; N],
    exp: &[u64; E],
) -> [u64; N] {
    let mut table = powers(m, base);
    let top = top_window(E);
    let mut acc = lookup(&table, digit(exp, top * WINDOW));
    let mut squarer = Squarer::new(m);
    for w in (0..top).rev() {
        for _ in 0..WINDOW {
            acc = squarer.sqr(&acc);
        }
        let mut entry = lookup(&table, digit(exp, w * WINDOW));
        acc = m.mul(&acc, &entry);
        entry.zeroize();
    }
    table.zeroize();
    acc
}

/// Two independent [`pow_montgomery`]s (two moduli of the same width, e.g. the CRT halves of
/// RSADP) stepped in lockstep, one operation of each in turn.
pub(crate) fn pow_montgomery_x2<const N: usize, const E: usize>(
    m: [&Modulus<N>; 2],
    base: [&[u64; N]; 2],
    exp: [&[u64; E]; 2],
) -> [[u64; N]; 2] {
    let mut tables = [powers(m[0], base[0]), powers(m[1], base[1])];
    let top = top_window(E);
    let mut acc = [
        lookup(&tables[0], digit(exp[0], top * WINDOW)),
        lookup(&tables[1], digit(exp[1], top * WINDOW)),
    ];
    let mut squarers = [Squarer::new(m[0]), Squarer::new(m[1])];
    for w in (0..top).rev() {
        for _ in 0..WINDOW {
            acc = [squarers[0].sqr(&acc[0]), squarers[1].sqr(&acc[1])];
        }
        let mut entries = [
            lookup(&tables[0], digit(exp[0], w * WINDOW)),
            lookup(&tables[1], digit(exp[1], w * WINDOW)),
        ];
        acc = [
            m[0].mul(&acc[0], &entries[0]),
            m[1].mul(&acc[1], &entries[1]),
        ];
        entries.zeroize();
    }
    tables.zeroize();
    acc
}

/// base^exp mod n for a plain base (any value below R) and exponent; the result in [0, n).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn pow<const N: usize, const E: usize>(
    m: &Modulus<N>,
    base: &[u64; N],
    exp: &[u64; E],
) -> [u64; N] {
    let mut b = m.to_montgomery(base);
    let mut r = pow_montgomery(m, &b, exp);
    let out = m.retrieve(&r);
    b.zeroize();
    r.zeroize();
    out
}

/// base^e for a public exponent e (square and multiply over its bits, variable time in e
/// only), base and result in Montgomery form. e = 0 gives one.
pub(crate) fn pow_public<const N: usize>(m: &Modulus<N>, base: &[u64; N], e: u64) -> [u64; N] {
    let mut acc = *m.one();
    for bit in (0..u64::BITS - e.leading_zeros()).rev() {
        acc = m.sqr(&acc);
        if (e >> bit) & 1 == 1 {
            acc = m.mul(&acc, base);
        }
    }
    acc
}
