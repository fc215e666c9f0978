//! The Miller–Rabin probabilistic primality test (FIPS 186-5 Appendix B.3.1) on a fixed-width
//! candidate, in constant time except for the number s of squarings, where w − 1 = 2^s·d.
//!
//! [`Candidate::test`] is one round with a caller-chosen base b, 1 < b < w − 1: the random-base
//! rounds of FIPS 186-5 Table B.1. [`Candidate::test_base_two`] is the same round with b = 2,
//! computed by squaring and conditional doubling on almost-Montgomery values (the doubling, three
//! masked passes over the limbs, costs ≈ 4 % of a squaring, so the round costs about 80 % of a
//! windowed one): the prime search runs it first as a cheap composite filter, which rejects only
//! composites and so changes nothing about which primes are accepted.
//!
//! Timing: the exponentiation is constant-time in the base and in d; the s − 1 squarings after
//! it run in full (no early exit on 1 or −1), so the time depends on s only. s is the 2-adic
//! valuation of w − 1: on average 2 bits of an accepted prime, as in every Miller–Rabin
//! implementation that does not pad the loop to the candidate's width.

use crypto_bigint::BoxedUint;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::exp::pow_montgomery;
use super::limbs::{ct_eq, mask, sub, sub_masked};
use super::montgomery::{Modulus, Squarer};
use super::to_limbs;

/// A prime candidate w prepared for Miller–Rabin rounds: its Montgomery constants, d and s with
/// w − 1 = 2^s·d, and −1 in Montgomery form. Wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct Candidate<const N: usize> {
    m: Modulus<N>,
    d: [u64; N],
    s: u32,
    minus_one: [u64; N],
}

impl<const N: usize> Candidate<N> {
    /// `None` unless w is odd, has its top bit set (2^(64·N − 1) < w < 2^(64·N)) and is above 3.
    pub(crate) fn new(w: &[u64; N]) -> Option<Self> {
        let m = Modulus::new(w)?;
        // w − 1, then its trailing zeros (s ≥ 1 for odd w ≥ 5; public: see the module docs).
        let (mut w_minus_1, _) = sub(w, &one_limb());
        let s = trailing_zeros(&w_minus_1);
        if s == 0 || s >= 64 * N as u32 {
            return None;
        }
        let d = shift_right(&w_minus_1, s);
        w_minus_1.zeroize();
        // −1 ≡ n − R (mod n) in Montgomery form: n − (R mod n).
        let (minus_one, _) = sub(w, m.one());
        Some(Candidate { m, d, s, minus_one })
    }

    /// One round with base b (1 < b < w − 1, plain form): `true` when w is a strong probable
    /// prime to base b (FIPS 186-5 B.3.1 steps 4.1–4.7).
    pub(crate) fn test(&self, b: &[u64; N]) -> bool {
        let mut base = self.m.to_montgomery(b);
        let z = pow_montgomery(&self.m, &base, &self.d);
        base.zeroize();
        self.finish(z)
    }

    /// One round with base 2 (the composite filter): 2^d by left-to-right squaring and
    /// conditional doubling, one bit of d per step, on almost-Montgomery values (< R, not
    /// necessarily < n) throughout: [`double_if`] doubles z < R in place, keyed on a mask of
    /// the bit, without first bringing z below n.
    ///
    /// Constant time in d and w: every one of the 64·N steps does one squaring and one
    /// [`double_if`], whose work does not depend on the bit or on z; bit positions are public.
    pub(crate) fn test_base_two(&self) -> bool {
        let mut z = *self.m.one();
        let mut squarer = Squarer::new(&self.m);
        for bit in (0..64 * N).rev() {
            z = squarer.sqr(&z);
            double_if(self.m.n(), &mut z, (self.d[bit / 64] >> (bit % 64)) & 1);
        }
        self.finish(z)
    }

    /// Steps 4.3–4.7: z = b^d; probably prime when z = ±1, or when one of the next s − 1
    /// squarings gives −1. All s − 1 squarings are done.
    ///
    /// The comparisons need z below w, not just below R: one (R − w) has a single
    /// representative below R, but −1 (2w − R in Montgomery form) has a second one, 3w − R,
    /// whenever w < 2R/3. (The s + 1 reductions cost ≈ 0.003 % of a keygen.)
    fn finish(&self, mut z: [u64; N]) -> bool {
        z = self.m.canonical(&z);
        let mut probably_prime = ct_eq(&z, self.m.one()) | ct_eq(&z, &self.minus_one);
        let mut squarer = Squarer::new(&self.m);
        for _ in 1..self.s {
            z = self.m.canonical(&squarer.sqr(&z));
            probably_prime |= ct_eq(&z, &self.minus_one);
        }
        z.zeroize();
        probably_prime.into()
    }
}

/// z ← z·2^bit mod n, almost (< R), for z < R, bit ∈ {0, 1} and R/2 < n < R, in place.
///
/// y = z + (z AND mask(bit)) < 2R, with carry c out of the top limb. If c = 1, y − n is
/// below R only when the low limbs of y are below n (the subtraction borrows); otherwise
/// y − 2n < 2R − 2n < R. So: subtract n under the mask of c, then once more under the mask of
/// (c and no borrow). Three passes over the limbs, each the same work whatever the bit and the
/// values (masks through `subtle`, no branch, no secret index).
pub(super) fn double_if<const N: usize>(n: &[u64; N], z: &mut [u64; N], bit: u64) {
    let bit_mask = mask(bit);
    // z ← 2z under the mask, as a shift (no carry chain): limb i of 2z is
    // (z_i ≪ 1) | (z_{i−1} ≫ 63), and the carry is the top bit of z.
    let mut carry = 0;
    for l in z.iter_mut() {
        let doubled = (*l << 1) | carry;
        carry = *l >> 63;
        *l ^= (*l ^ doubled) & bit_mask;
    }
    let carry = carry & bit;
    let borrow = sub_masked(z, n, carry);
    sub_masked(z, n, carry & (borrow ^ 1));
}

fn one_limb<const N: usize>() -> [u64; N] {
    let mut one = [0u64; N];
    if let Some(l) = one.first_mut() {
        *l = 1;
    }
    one
}

/// The number of trailing zero bits (64·N for zero).
fn trailing_zeros<const N: usize>(x: &[u64; N]) -> u32 {
    let mut count = 0;
    for &limb in x {
        if limb != 0 {
            return count + limb.trailing_zeros();
        }
        count += 64;
    }
    count
}

/// x >> s for 0 < s < 64·N.
fn shift_right<const N: usize>(x: &[u64; N], s: u32) -> [u64; N] {
    let (limbs, bits) = ((s / 64) as usize, s % 64);
    let mut out = [0u64; N];
    for (i, o) in out.iter_mut().enumerate() {
        let lo = x.get(i + limbs).copied().unwrap_or(0);
        let hi = x.get(i + limbs + 1).copied().unwrap_or(0);
        *o = if bits == 0 {
            lo
        } else {
            (lo >> bits) | (hi << (64 - bits))
        };
    }
    out
}

/// A [`Candidate`] of one of the prime sizes the prime search uses, behind one type: 512 bits
/// (tests), and 1024, 1536 and 2048 bits (RSA-2048/3072/4096). It lives on the stack for the
/// time one candidate is tested: no allocation in the search loop, hence unboxed variants.
#[allow(clippy::large_enum_variant)]
pub(crate) enum PrimeCandidate {
    /// 512 bits.
    W512(Candidate<8>),
    /// 1024 bits.
    W1024(Candidate<16>),
    /// 1536 bits.
    W1536(Candidate<24>),
    /// 2048 bits.
    W2048(Candidate<32>),
}

impl PrimeCandidate {
    /// `w` as a `bits`-bit candidate; `None` for another size, or unless w is odd, above 3 and
    /// has exactly `bits` bits.
    pub(crate) fn new(w: &BoxedUint, bits: u32) -> Option<Self> {
        Some(match bits {
            512 => PrimeCandidate::W512(Candidate::new(&Zeroizing::new(to_limbs(w)?))?),
            1024 => PrimeCandidate::W1024(Candidate::new(&Zeroizing::new(to_limbs(w)?))?),
            1536 => PrimeCandidate::W1536(Candidate::new(&Zeroizing::new(to_limbs(w)?))?),
            2048 => PrimeCandidate::W2048(Candidate::new(&Zeroizing::new(to_limbs(w)?))?),
            _ => return None,
        })
    }

    /// [`Candidate::test_base_two`].
    pub(crate) fn test_base_two(&self) -> bool {
        match self {
            PrimeCandidate::W512(c) => c.test_base_two(),
            PrimeCandidate::W1024(c) => c.test_base_two(),
            PrimeCandidate::W1536(c) => c.test_base_two(),
            PrimeCandidate::W2048(c) => c.test_base_two(),
        }
    }

    /// [`Candidate::test`] with base `b` (1 < b < w − 1); `false` (composite) if b does not fit
    /// the width, which no caller's base can do.
    pub(crate) fn test(&self, b: &BoxedUint) -> bool {
        fn run<const N: usize>(c: &Candidate<N>, b: &BoxedUint) -> bool {
            to_limbs::<N>(b).is_some_and(|b| c.test(&Zeroizing::new(b)))
        }
        match self {
            PrimeCandidate::W512(c) => run(c, b),
            PrimeCandidate::W1024(c) => run(c, b),
            PrimeCandidate::W1536(c) => run(c, b),
            PrimeCandidate::W2048(c) => run(c, b),
        }
    }
}
