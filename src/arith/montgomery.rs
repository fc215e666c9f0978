//! Montgomery arithmetic modulo a fixed-width odd modulus (P. L. Montgomery, "Modular
//! multiplication without trial division", Math. Comp. 44 (1985) 519–521).
//!
//! Numbers are `[u64; N]`, least significant limb first; R = 2^(64·N). A [`Modulus`] n is odd
//! with its top bit set, 2^(64·N − 1) < n < 2^(64·N) (the primes and moduli of RSA-2048/3072/4096
//! all are). Products are "almost Montgomery" (S. Gueron, "Efficient software implementations of
//! modular exponentiation", J. Cryptogr. Eng. 2 (2012)): the reduction's final subtraction is
//! keyed on the carry out of the top limb only, so inputs and outputs are below R, congruent to
//! the exact result, and not necessarily below n; [`Modulus::canonical`] and
//! [`Modulus::retrieve`] give the representative in [0, n).
//!
//! Multiplication is product scanning ("finely integrated product scanning", Ç. K. Koç, T. Acar,
//! B. S. Kaliski, "Analyzing and comparing Montgomery multiplication algorithms", IEEE Micro 16(3),
//! 1996): each output column is summed in a three-limb accumulator, so a limb product costs one
//! multiplication and three additions, with no load or store of an intermediate limb. A column's
//! products are spread over two accumulators (multiplication: a_i·b_{k−i} and m_i·n_{k−i}) or three
//! (squaring), one product into each per loop step, so that the carry chains are independent (two
//! products into one accumulator per step let LLVM merge their carries, which compiles worse).
//! Squaring is separate ([`Modulus::sqr`], in `sqr.rs`): each cross product a_i·a_j (i < j) is
//! computed once (against the limbs of 2a), N(N+1)/2 + N − 1 limb products for the square instead
//! of N².
//!
//! Those column loops keep three accumulators live, which suits 64-bit targets; where pointers
//! are narrower (Cortex-M, wasm32) [`Modulus::mul`] and [`Modulus::sqr`] are the compact
//! two-accumulator forms of `compact.rs` instead, which give bit-for-bit the same results.
//!
//! Constant time: no branch and no memory index depends on the value of an operand or of the
//! modulus; loop bounds depend on N only. Conditional operations go through `subtle` masks.

use subtle::Choice;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::limbs::{select, sub, sub_masked};

// The three-accumulator column loops on 64-bit targets; the compact two-accumulator forms where
// pointers are narrower (see compact.rs), and in the tests everywhere.
#[cfg(any(test, not(target_pointer_width = "64")))]
mod compact;
#[cfg(target_pointer_width = "64")]
mod sqr;

#[cfg(not(target_pointer_width = "64"))]
pub(crate) use compact::Squarer;
#[cfg(target_pointer_width = "64")]
pub(crate) use sqr::Squarer;

/// A column accumulator for product scanning: a 192-bit sum in three limbs (every column here
/// sums at most 2·64 + 2 limb products, far below 2^192). The additions are written limb by
/// limb with explicit carries (the add-with-carry idiom), which compiles to `add`/`adc` chains.
#[derive(Clone, Copy)]
struct Acc {
    l: u64,
    m: u64,
    h: u64,
}

/// `a + b + c` as (low limb, carry limb).
#[inline(always)]
fn add3(a: u64, b: u64, c: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) + (c as u128);
    (t as u64, (t >> 64) as u64)
}

impl Acc {
    const ZERO: Acc = Acc { l: 0, m: 0, h: 0 };

    /// += a·b
    #[inline(always)]
    fn mac(&mut self, a: u64, b: u64) {
        let p = (a as u128) * (b as u128);
        let (l, c) = add3(self.l, p as u64, 0);
        let (m, c) = add3(self.m, (p >> 64) as u64, c);
        self.l = l;
        self.m = m;
        self.h = self.h.wrapping_add(c);
    }

    /// += x
    #[inline(always)]
    fn add_limb(&mut self, x: u64) {
        let (l, c) = add3(self.l, x, 0);
        let (m, c) = add3(self.m, 0, c);
        self.l = l;
        self.m = m;
        self.h = self.h.wrapping_add(c);
    }

    /// += other
    #[inline(always)]
    fn add(&mut self, other: &Acc) {
        let (l, c) = add3(self.l, other.l, 0);
        let (m, c) = add3(self.m, other.m, c);
        self.l = l;
        self.m = m;
        self.h = self.h.wrapping_add(other.h).wrapping_add(c);
    }

    /// The low limb.
    #[inline(always)]
    fn low(&self) -> u64 {
        self.l
    }

    /// ÷ 2^64: drops the low limb (the next column starts with the carry).
    #[inline(always)]
    fn shift(&mut self) {
        self.l = self.m;
        self.m = self.h;
        self.h = 0;
    }
}

/// acc += Σ x[i]·y[i] over the common length, in two accumulators (odd and even i) so that the
/// two carry chains do not wait for each other.
#[inline(always)]
fn dot(acc: &mut Acc, x: &[u64], y: &[u64]) {
    let len = x.len().min(y.len());
    let (x_pairs, x_rest) = x[..len].as_chunks::<2>();
    let (y_pairs, y_rest) = y[..len].as_chunks::<2>();
    let mut odd = Acc::ZERO;
    for (xs, ys) in x_pairs.iter().zip(y_pairs) {
        acc.mac(xs[0], ys[0]);
        odd.mac(xs[1], ys[1]);
    }
    for (xi, yi) in x_rest.iter().zip(y_rest) {
        acc.mac(*xi, *yi);
    }
    acc.add(&odd);
}

/// acc += Σ_i (a[i]·b[i] + m[i]·n[i]) over i < a.len() (the other slices are at least as
/// long), one product of each per step in two accumulators.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn dot2(acc: &mut Acc, a: &[u64], b: &[u64], m: &[u64], n: &[u64]) {
    // One index over slices cut to the same length: no length computation per call beyond
    // the three cuts (zipped iterators compile a minimum of the four lengths per column).
    let len = a.len();
    let (b, m, n) = (&b[..len], &m[..len], &n[..len]);
    let mut second = Acc::ZERO;
    for i in 0..len {
        acc.mac(a[i], b[i]);
        second.mac(m[i], n[i]);
    }
    acc.add(&second);
}

/// An odd modulus n with 2^(64·N − 1) < n < 2^(64·N), and its Montgomery constants. Secret when
/// n is (a prime candidate, an RSA prime): wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Modulus<const N: usize> {
    n: [u64; N],
    /// n's limbs most significant first, so that column sums run forward over both operands.
    n_rev: [u64; N],
    /// −n⁻¹ mod 2^64.
    n0: u64,
    /// R mod n: one, in Montgomery form.
    one: [u64; N],
    /// R² mod n: what [`Self::to_montgomery`] multiplies by (zero for a [`Self::without_r2`]).
    r2: [u64; N],
}

impl<const N: usize> Modulus<N> {
    /// The Montgomery constants of `n`, computed in constant time; `None` when n is even or its
    /// top bit is clear (public properties: every caller's moduli have both by construction).
    pub(crate) fn new(n: &[u64; N]) -> Option<Self> {
        let mut m = Self::without_r2(n)?;
        m.r2 = m.compute_r2();
        Some(m)
    }

    /// [`Self::new`] without R² mod n (left zero, which R² mod n never is): for a modulus that
    /// is only squared and multiplied, never converted into Montgomery form with
    /// [`Self::to_montgomery`] or [`Self::r2`] — Miller–Rabin's base-2 round, whose start is
    /// one (R mod n). Computing R² costs 64 doublings per one bit of N and log₂ N squarings,
    /// ≈ 0.3 % of an RSA-4096 key generation when done for every candidate that reaches
    /// Miller–Rabin.
    pub(crate) fn without_r2(n: &[u64; N]) -> Option<Self> {
        let (&low, &high) = (n.first()?, n.last()?);
        if low & 1 == 0 || high >> 63 == 0 {
            return None;
        }
        // Newton's iteration for the inverse modulo 2^64: n·n ≡ 1 mod 8 for odd n (3 bits), and
        // each step doubles the number of correct bits: 3, 6, 12, 24, 48, 96.
        let mut inv = low;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(low.wrapping_mul(inv)));
        }
        let mut n_rev = *n;
        n_rev.reverse();
        // R mod n = R − n, since R/2 < n < R.
        let (one, _) = sub(&[0; N], n);
        Some(Modulus {
            n: *n,
            n_rev,
            n0: inv.wrapping_neg(),
            one,
            r2: [0; N],
        })
    }

    /// R² mod n, in constant time.
    pub(crate) fn compute_r2(&self) -> [u64; N] {
        let m = self;
        // x ≡ R·2^t (mod n), starting at t = 0 with x = R mod n. Doubling adds one to t; a
        // Montgomery squaring doubles t. Reach t = 64·N by the binary expansion of N.
        let mut x = m.one;
        let doublings = |x: &mut [u64; N], m: &Modulus<N>| {
            for _ in 0..64 {
                *x = m.double(x);
            }
        };
        doublings(&mut x, m); // t = 64
        let top = usize::BITS - 1 - N.leading_zeros();
        for bit in (0..top).rev() {
            x = m.canonical(&m.sqr(&x)); // t = 2t
            if (N >> bit) & 1 == 1 {
                doublings(&mut x, m); // t = t + 64
            }
        }
        x
    }

    /// The modulus.
    pub(crate) fn n(&self) -> &[u64; N] {
        &self.n
    }

    /// One in Montgomery form (R mod n).
    pub(crate) fn one(&self) -> &[u64; N] {
        &self.one
    }

    /// R² mod n (not for a [`Self::without_r2`]).
    pub(crate) fn r2(&self) -> &[u64; N] {
        debug_assert!(self.r2 != [0; N], "R² of a Modulus::without_r2");
        &self.r2
    }

    /// 2·x mod n for x < n.
    pub(crate) fn double(&self, x: &[u64; N]) -> [u64; N] {
        let mut y = [0u64; N];
        let mut top = 0;
        for (d, &s) in y.iter_mut().zip(x) {
            *d = (s << 1) | top;
            top = s >> 63;
        }
        let (mut d, borrow) = sub(&y, &self.n);
        // 2x ≥ n when the shift carried out or the subtraction did not borrow.
        let keep_difference = top | (borrow ^ 1);
        let out = select(&y, &d, Choice::from(keep_difference as u8));
        y.zeroize();
        d.zeroize();
        out
    }

    /// x − bit·n over N limbs (wrapping): the almost-Montgomery final step, where `bit` is the
    /// carry out of the top limb, so that x + bit·R − bit·n < R.
    #[inline(always)]
    fn subtract_if(&self, x: &mut [u64; N], bit: u64) {
        sub_masked(x, &self.n, bit);
    }

    /// The representative of x (< R) in [0, n): one conditional subtraction, since R < 2n.
    #[inline]
    pub(crate) fn canonical(&self, x: &[u64; N]) -> [u64; N] {
        let (mut d, borrow) = sub(x, &self.n);
        let out = select(&d, x, Choice::from(borrow as u8));
        d.zeroize(); // x − n: as secret as x
        out
    }

    /// Montgomery product a·b·R⁻¹ mod n (almost: < R), for a, b < R.
    ///
    /// Column k of a·b + m·n, with m_k chosen so that the columns below N vanish. b and n are
    /// read backward (a reversed copy of b, and n_rev), so that both sums of a column run in one
    /// loop, one product of each per step, forward over all four arrays.
    #[cfg(target_pointer_width = "64")]
    #[inline]
    pub(crate) fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let nr = &self.n_rev;
        let mut b_rev: [u64; N] = core::array::from_fn(|i| b[N - 1 - i]);
        let mut m = [0u64; N];
        let mut t = [0u64; N];
        let mut acc = Acc::ZERO;
        for k in 0..N {
            // Σ_{i < k} a_i·b_{k−i} + m_i·n_{k−i}, then a_k·b_0 and m_k·n_0.
            dot2(
                &mut acc,
                &a[..k],
                &b_rev[N - 1 - k..N - 1],
                &m[..k],
                &nr[N - 1 - k..N - 1],
            );
            acc.mac(a[k], b[0]);
            let mk = acc.low().wrapping_mul(self.n0);
            m[k] = mk;
            acc.mac(mk, self.n[0]);
            acc.shift();
        }
        for k in N..2 * N - 1 {
            let s = k + 1 - N;
            dot2(&mut acc, &a[s..], &b_rev[..N - s], &m[s..], &nr[..N - s]);
            t[k - N] = acc.low();
            acc.shift();
        }
        t[N - 1] = acc.low();
        acc.shift();
        // (a·b + m·n)/R < R + n: the carry out of the top limb is 0 or 1.
        self.subtract_if(&mut t, acc.low());
        b_rev.zeroize();
        m.zeroize();
        t
    }

    /// Montgomery reduction of lo + hi·R < R²: (lo + hi·R)·R⁻¹ mod n (almost: < R). Column by
    /// column: m_k makes column k < N vanish, columns N..2N − 1 are the result.
    #[inline]
    pub(crate) fn reduce(&self, lo: &[u64; N], hi: &[u64; N]) -> [u64; N] {
        let nr = &self.n_rev;
        let mut m = [0u64; N];
        let mut t = [0u64; N];
        let mut acc = Acc::ZERO;
        for k in 0..N {
            acc.add_limb(lo[k]);
            // Σ_{i < k} m_i·n_{k−i}, with n_j = nr[N − 1 − j].
            dot(&mut acc, &m[..k], &nr[N - 1 - k..N - 1]);
            let mk = acc.low().wrapping_mul(self.n0);
            m[k] = mk;
            acc.mac(mk, self.n[0]);
            acc.shift();
        }
        for k in N..2 * N {
            acc.add_limb(hi[k - N]);
            dot(&mut acc, &m[k + 1 - N..], &nr[..2 * N - 1 - k]);
            t[k - N] = acc.low();
            acc.shift();
        }
        // (lo + hi·R + m·n)/R < R + n: the carry is 0 or 1.
        self.subtract_if(&mut t, acc.low());
        m.zeroize();
        t
    }

    /// a·R mod n (almost: < R), for any a < R.
    #[inline]
    pub(crate) fn to_montgomery(&self, a: &[u64; N]) -> [u64; N] {
        debug_assert!(
            self.r2 != [0; N],
            "a Modulus::without_r2 converted into Montgomery form"
        );
        self.mul(a, &self.r2)
    }

    /// a·R⁻¹ mod n in [0, n): the value of a Montgomery-form number (any a < R).
    #[inline]
    pub(crate) fn retrieve(&self, a: &[u64; N]) -> [u64; N] {
        // (a + m·n)/R ≤ n, equal only when a ≡ 0 mod n, which canonical() maps to 0.
        self.canonical(&self.reduce(a, &[0; N]))
    }
}
