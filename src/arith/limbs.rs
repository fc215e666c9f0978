//! Limb-level operations on fixed-width numbers (`[u64; N]`, least significant limb first):
//! multiply-accumulate, add and subtract with carry, constant-time masks, selection and
//! comparison, and the schoolbook 2N-limb product. Constant time: no branch or memory index
//! depends on a limb's value.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

/// `acc + a·b + carry`, as (low limb, high limb). Never overflows: (2^64−1) + (2^64−1)² +
/// (2^64−1) = 2^128 − 1.
#[inline(always)]
pub(crate) const fn mac(acc: u64, a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = (acc as u128) + (a as u128) * (b as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// `a + b + carry`, as (sum, carry out).
#[inline(always)]
pub(crate) const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// `a − b − borrow` (borrow 0 or 1), as (difference, borrow out 0 or 1).
#[inline(always)]
pub(crate) const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    // Two borrows or'ed (at most one is set): the form that compiles to `sbb`.
    let (d, b1) = a.overflowing_sub(b);
    let (d, b2) = d.overflowing_sub(borrow);
    (d, (b1 | b2) as u64)
}

/// All ones when bit 0 of `bit` is 1, zero otherwise, through `subtle` (so that the compiler
/// cannot turn a selection that uses it back into a branch).
#[inline(always)]
pub(crate) fn mask(bit: u64) -> u64 {
    u64::conditional_select(&0, &u64::MAX, Choice::from((bit & 1) as u8))
}

/// `a − b` over N limbs, and the borrow out (0 or 1).
#[inline(always)]
pub(crate) fn sub<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
    let mut out = [0u64; N];
    let mut borrow = 0;
    // Eight limbs at a time (straight-line code keeps the borrow in the carry flag).
    let (o8, o_rest) = out.as_chunks_mut::<8>();
    let (a8, a_rest) = a.as_chunks::<8>();
    let (b8, b_rest) = b.as_chunks::<8>();
    for ((os, xs), ys) in o8.iter_mut().zip(a8).zip(b8) {
        for ((o, &x), &y) in os.iter_mut().zip(xs).zip(ys) {
            (*o, borrow) = sbb(x, y, borrow);
        }
    }
    for ((o, &x), &y) in o_rest.iter_mut().zip(a_rest).zip(b_rest) {
        (*o, borrow) = sbb(x, y, borrow);
    }
    (out, borrow)
}

/// `z − bit·n` over N limbs (wrapping), in place, for `bit` 0 or 1 (through a `subtle` mask: the
/// same work either way); the borrow out (0 when bit = 0).
#[inline(always)]
pub(crate) fn sub_masked<const N: usize>(z: &mut [u64; N], n: &[u64; N], bit: u64) -> u64 {
    let m = mask(bit);
    let mut borrow = 0;
    // Eight limbs at a time (straight-line code keeps the borrow in the carry flag).
    let (z8, z_rest) = z.as_chunks_mut::<8>();
    let (n8, n_rest) = n.as_chunks::<8>();
    for (zs, ns) in z8.iter_mut().zip(n8) {
        for (l, &nl) in zs.iter_mut().zip(ns) {
            (*l, borrow) = sbb(*l, nl & m, borrow);
        }
    }
    for (l, &nl) in z_rest.iter_mut().zip(n_rest) {
        (*l, borrow) = sbb(*l, nl & m, borrow);
    }
    borrow
}

/// `a + b` over N limbs, and the carry out (0 or 1).
#[inline(always)]
pub(crate) fn add<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
    let mut out = [0u64; N];
    let mut carry = 0;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        (*o, carry) = adc(x, y, carry);
    }
    (out, carry)
}

/// `a` where `choice` is false, `b` where it is true, in constant time.
#[inline(always)]
pub(crate) fn select<const N: usize>(a: &[u64; N], b: &[u64; N], choice: Choice) -> [u64; N] {
    let mut out = [0u64; N];
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = u64::conditional_select(x, y, choice);
    }
    out
}

/// `a == b` in constant time.
#[inline(always)]
pub(crate) fn ct_eq<const N: usize>(a: &[u64; N], b: &[u64; N]) -> Choice {
    a[..].ct_eq(&b[..])
}

/// The 2N-limb product a·b as [low N limbs, high N limbs], row by row.
pub(crate) fn mul_wide<const N: usize>(a: &[u64; N], b: &[u64; N]) -> [[u64; N]; 2] {
    let mut out = [[0u64; N]; 2];
    let t = out.as_flattened_mut();
    for (i, &ai) in a.iter().enumerate() {
        let mut c = 0;
        if let Some(row) = t.get_mut(i..i + N) {
            for (o, &bj) in row.iter_mut().zip(b) {
                (*o, c) = mac(*o, ai, bj, c);
            }
        }
        if let Some(top) = t.get_mut(i + N) {
            *top = c;
        }
    }
    out
}
