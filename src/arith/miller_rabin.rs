//! The Miller–Rabin probabilistic primality test (FIPS 186-5 Appendix B.3.1) on a fixed-width
//! candidate, in constant time except for the number s of squarings, where w − 1 = 2^s·d.
//!
//! [`Candidate::test`] is one round with a caller-chosen base b, 1 < b < w − 1: the random-base
//! rounds of FIPS 186-5 Table B.1. [`Candidate::test_base_two_while`] is the same round with b = 2:
//! the prime search runs it first as a cheap composite filter, which rejects only composites
//! and so changes nothing about which primes are accepted.
//!
//! The base-2 round computes 2^d on almost-Montgomery values (< R = 2^(64·N), not necessarily
//! below w) over fixed windows of [`B2_WINDOW`] = 5 bits of d: per window, five squarings, then
//! one multiplication by 2^e for the window's digit e < 32 ([`mul_pow2`]). 2^e is a single
//! limb, so that multiplication is one row, z·2^e, of N + 1 limbs, and its reduction removes
//! the limb above R with a quotient q̂ estimated from the top 64 bits of the product and a
//! reciprocal of w's top limb computed once per candidate ([`reciprocal`]): one subtraction
//! of q̂·w in the same pass, then one subtraction of w keyed on what is left above R. The
//! estimate is never above the true quotient and at most one below it (the proof is at
//! [`mul_pow2`]), so the value after the first pass is below 2w < 2R and one keyed subtraction
//! brings it below R. A window's step costs ≈ 800 instructions at 2048 bits (≈ 6 % of a
//! squaring, ≈ 1.3 % per bit of d) where the bit-by-bit form it replaces (one conditional
//! doubling, three masked passes, per bit) cost ≈ 550 per bit, ≈ 4.3 % of a squaring; no table,
//! as a windowed exponentiation with a general base needs. The round is then almost only its
//! squarings, one per bit of d below the top window.
//!
//! Timing: the exponentiation is constant-time in the base and in d; the s − 1 squarings after
//! it run in full (no early exit on 1 or −1), so the time depends on s only. s is the 2-adic
//! valuation of w − 1: on average 2 bits of an accepted prime, as in every Miller–Rabin
//! implementation that does not pad the loop to the candidate's width. In the base-2 round,
//! every window does the same squarings and one [`mul_pow2`], whose work is the same whatever
//! the digit, z and w: 2^e is built from the bits of e under `subtle` masks with public shift
//! amounts (no shift by a secret amount, which is a branch or a table on some 32-bit targets),
//! the quotient estimate is a multiplication by the reciprocal (no division instruction, whose
//! time can depend on its operands), and the final subtraction is masked; window positions and
//! loop bounds depend on N only.

use crypto_bigint::BoxedUint;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::exp::{pow_montgomery, window_bits};
use super::limbs::{ct_eq, mac, mask, sub, sub_masked};
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
    /// ⌊2^127 / (n_top + 1)⌋ for the top limb n_top of w: [`mul_pow2`]'s quotient estimate.
    reciprocal: u64,
}

impl<const N: usize> Candidate<N> {
    /// `None` unless w is odd, has its top bit set (2^(64·N − 1) < w < 2^(64·N)) and is above 3.
    pub(crate) fn new(w: &[u64; N]) -> Option<Self> {
        // R² mod w is computed only for the random-base rounds (`test`), which few candidates
        // reach.
        let m = Modulus::without_r2(w)?;
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
        let reciprocal = reciprocal(w[N - 1]);
        Some(Candidate {
            m,
            d,
            s,
            minus_one,
            reciprocal,
        })
    }

    /// One round with base b (1 < b < w − 1, plain form): `true` when w is a strong probable
    /// prime to base b (FIPS 186-5 B.3.1 steps 4.1–4.7).
    pub(crate) fn test(&self, b: &[u64; N]) -> bool {
        let mut r2 = self.m.compute_r2();
        let mut base = self.m.mul(b, &r2);
        let z = pow_montgomery(&self.m, &base, &self.d);
        base.zeroize();
        r2.zeroize();
        self.finish(z)
    }

    /// One round with base 2, to the end (tests and fuzzing).
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn test_base_two(&self) -> bool {
        self.test_base_two_while(&|| true) == Some(true)
    }

    /// One round with base 2 (the composite filter): [`Self::two_to_the_d`], then
    /// [`Self::finish`]. Abandoned (`None`) as soon as `keep_going` returns `false`; it is asked
    /// every [`B2_POLL_WINDOWS`] windows of the exponentiation (≈ 1/25 of it at 2048 bits), so
    /// that a parallel search need not finish a candidate that no longer matters.
    pub(crate) fn test_base_two_while(&self, keep_going: &dyn Fn() -> bool) -> Option<bool> {
        Some(self.finish(self.two_to_the_d(keep_going)?))
    }

    /// 2^d in Montgomery form (almost: < R), left to right over fixed windows of
    /// [`B2_WINDOW`] bits of d: per window, [`B2_WINDOW`] squarings and one [`mul_pow2`] by the
    /// window's digit. The top window holds the 64·N mod [`B2_WINDOW`] leftover bits (all of a
    /// window when that is 0) and starts from one, so it needs no squaring.
    ///
    /// Constant time in d and w: every window does the same squarings and one [`mul_pow2`],
    /// whose work does not depend on the digit or on z; window positions depend on N only.
    /// `keep_going` is asked every [`B2_POLL_WINDOWS`] windows; `None` when it said to stop.
    pub(super) fn two_to_the_d(&self, keep_going: &dyn Fn() -> bool) -> Option<[u64; N]> {
        let n = self.m.n();
        let top = (64 * N).div_ceil(B2_WINDOW) - 1;
        let mut z = *self.m.one();
        mul_pow2(
            n,
            self.reciprocal,
            &mut z,
            window_digit(&self.d, top * B2_WINDOW),
        );
        let mut squarer = Squarer::new(&self.m);
        for w in (0..top).rev() {
            if w % B2_POLL_WINDOWS == 0 && !keep_going() {
                z.zeroize();
                return None;
            }
            for _ in 0..B2_WINDOW {
                z = squarer.sqr(&z);
            }
            mul_pow2(
                n,
                self.reciprocal,
                &mut z,
                window_digit(&self.d, w * B2_WINDOW),
            );
        }
        Some(z)
    }

    /// The round with [`Self::two_to_the_d_bitwise`] in place of [`Self::two_to_the_d`].
    #[cfg(test)]
    pub(super) fn test_base_two_bitwise(&self) -> bool {
        self.finish(self.two_to_the_d_bitwise())
    }

    /// The value of a Montgomery-form z, in [0, w).
    #[cfg(test)]
    pub(super) fn retrieve(&self, z: &[u64; N]) -> [u64; N] {
        self.m.retrieve(z)
    }

    /// The reference for [`Self::two_to_the_d`]: one squaring and one [`double_if`] per bit of
    /// d (the round's form before the windows), for the tests.
    #[cfg(test)]
    pub(super) fn two_to_the_d_bitwise(&self) -> [u64; N] {
        let mut z = *self.m.one();
        let mut squarer = Squarer::new(&self.m);
        for bit in (0..64 * N).rev() {
            z = squarer.sqr(&z);
            double_if(self.m.n(), &mut z, (self.d[bit / 64] >> (bit % 64)) & 1);
        }
        z
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

/// Bits of d per window of the base-2 round. A digit e of [`B2_WINDOW`] bits multiplies by
/// 2^e ≤ 2^31, a single limb. 5 is the widest window whose quotient estimate in [`mul_pow2`]
/// is off by at most one: at 6, 2^e reaches 2^63, and the rounding of a 64-bit divisor, scaled
/// by quotients up to 2^64, can put the estimate off by up to 5 (5 correction passes, or a
/// division by two limbs of w, for at most ≈ 25 instructions per bit saved). 4 costs 0.18 %
/// more of an RSA-4096 keygen (the window step is spread over fewer bits).
pub(super) const B2_WINDOW: usize = 5;

/// Windows of the base-2 round between two questions to its `keep_going`, at every width (at
/// 2048 bits: 80 squarings, ≈ 1 M instructions, ≈ 0.13 ms on a current x86-64 core).
pub(super) const B2_POLL_WINDOWS: usize = 16;

/// The largest digit of a window, 2^[`B2_WINDOW`] − 1: products z·2^e are below R·2^MAX_SHIFT.
const MAX_SHIFT: u32 = (1 << B2_WINDOW) - 1;

/// Bits `bit..bit + B2_WINDOW` of `d` (bits beyond 64·N read as zero). Positions are public.
#[inline(always)]
fn window_digit<const N: usize>(d: &[u64; N], bit: usize) -> u64 {
    window_bits(d, bit, B2_WINDOW)
}

/// ⌊2^127 / (t + 1)⌋ for a top limb 2^63 ≤ t < 2^64 (so in [2^63, 2^64)), in constant time:
/// restoring division, one quotient bit per step under `subtle` masks (t is secret for a
/// candidate; no `/`, whose time can depend on its operands). Once per candidate: 64 steps.
pub(super) fn reciprocal(t: u64) -> u64 {
    let divisor = u128::from(t) + 1; // in (2^63, 2^64]
    // The quotient's bits above 63 are zero (2^127 < 2^64·divisor), which leaves 2^63 as the
    // partial remainder; the dividend's remaining bits are zero.
    let mut rem: u128 = 1 << 63;
    let mut q = 0u64;
    for bit in (0..64).rev() {
        rem <<= 1; // rem < divisor ≤ 2^64 before: no overflow
        let diff = rem.wrapping_sub(divisor);
        // rem < 2^65, divisor ≤ 2^64: the difference wraps (top bit set) exactly when rem <
        // divisor.
        let fits = ((diff >> 127) as u64) ^ 1;
        let m = u128::from(mask(fits));
        rem ^= (rem ^ diff) & (m | m << 64);
        q |= fits << bit;
    }
    q
}

/// z ← z·2^e mod n, almost (< R), in place, for z < R, a digit e < 2^[`B2_WINDOW`] and an n with its top
/// bit set, where `reciprocal` is [`reciprocal`] of n's top limb.
///
/// x = z·2^e < R·2^31 is N + 1 limbs; q̂ estimates ⌊x/n⌋ from the top 64 bits h of x and the
/// reciprocal, and x − q̂·n is computed in the same pass as x (one signed carry). Then one subtraction of n keyed
/// on the limb above R.
///
/// The estimate, with E = [`MAX_SHIFT`], B = 2^64, t the top limb of n and ρ the reciprocal:
/// X' is the top two limbs of x computed without the carry into limb N − 1 from the limbs
/// below (q̂ is needed before they are), so X − 1 ≤ X' ≤ X for X = ⌊x/B^(N−1)⌋; h = ⌊X'/2^E⌋
/// < 2^64, so h·2^E·B^(N−1) ≤ x < (h + 2)·2^E·B^(N−1); and q̂ = ⌊h·ρ/2^(127−E)⌋ with
/// 2^127/(t + 1) − 1 < ρ ≤ 2^127/(t + 1).
/// - Never above q = ⌊x/n⌋: q̂ ≤ h·2^E/(t + 1) ≤ x/n, since n < (t + 1)·B^(N−1). So x − q̂·n
///   never borrows.
/// - At most one below: q ≤ x/n < (h + 2)·2^E/t (n ≥ t·B^(N−1)) and q̂ > h·2^E/(t + 1) −
///   h·2^(E−127) − 1 (ρ > 2^127/(t + 1) − 1), so q − q̂ < 1 + 2^E·(h + 2t + 2)/(t(t + 1)) +
///   h·2^(E−127) < 1 + 2^(E−60) + 2^(E−63) < 2 for h < 2^64, t ≥ 2^63 and E = 31.
///
/// So x − q̂·n < (q + 1 − q̂)·n ≤ 2n < 2R: the limb above R is 0 or 1, and when it is 1 the
/// value is in [R, 2n), one subtraction of n brings it into [R − n, n), below R. Two passes
/// over the limbs, each the same work whatever e, z and n (2^e is built from e's bits under
/// masks with public shift amounts; no branch, no secret index, no division).
pub(super) fn mul_pow2<const N: usize>(n: &[u64; N], reciprocal: u64, z: &mut [u64; N], e: u64) {
    // p = 2^e: shift by 2^j under the mask of bit j of e.
    let mut p = 1u64;
    for j in 0..B2_WINDOW {
        let shifted = p << (1u32 << j);
        p ^= (p ^ shifted) & mask(e >> j);
    }
    // The top two limbs of z·p, without the carry from the limbs below (0 or 1).
    let below = if N >= 2 { z[N - 2] } else { 0 };
    let (_, c) = mac(0, below, p, 0);
    let (x_mid, x_top) = mac(c, z[N - 1], p, 0);
    // x_top < 2^E: h = ⌊X'/2^E⌋, the 64 bits of X' from bit E up.
    let h = (x_top << (64 - MAX_SHIFT)) | (x_mid >> MAX_SHIFT);
    let q = ((u128::from(h) * u128::from(reciprocal)) >> (127 - MAX_SHIFT)) as u64;
    // z ← x − q·n, limb by limb, with a signed carry: |z_i·p − n_i·q + carry| < 2^97.
    let mut carry: i128 = 0;
    for (zi, &ni) in z.iter_mut().zip(n) {
        let t = (u128::from(*zi) * u128::from(p)) as i128
            - (u128::from(ni) * u128::from(q)) as i128
            + carry;
        *zi = t as u64;
        carry = t >> 64;
    }
    // The limb above R: 0 or 1 (see above).
    sub_masked(z, n, carry as u64);
}

/// z ← z·2^bit mod n, almost (< R), for z < R, bit ∈ {0, 1} and R/2 < n < R, in place: the
/// base-2 round's step before the windows, kept as the tests' reference.
///
/// y = z + (z AND mask(bit)) < 2R, with carry c out of the top limb. If c = 1, y − n is
/// below R only when the low limbs of y are below n (the subtraction borrows); otherwise
/// y − 2n < 2R − 2n < R. So: subtract n under the mask of c, then once more under the mask of
/// (c and no borrow).
#[cfg(test)]
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
    #[cfg(test)]
    pub(crate) fn test_base_two(&self) -> bool {
        self.test_base_two_while(&|| true) == Some(true)
    }

    /// [`Candidate::test_base_two_while`].
    pub(crate) fn test_base_two_while(&self, keep_going: &dyn Fn() -> bool) -> Option<bool> {
        match self {
            PrimeCandidate::W512(c) => c.test_base_two_while(keep_going),
            PrimeCandidate::W1024(c) => c.test_base_two_while(keep_going),
            PrimeCandidate::W1536(c) => c.test_base_two_while(keep_going),
            PrimeCandidate::W2048(c) => c.test_base_two_while(keep_going),
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
