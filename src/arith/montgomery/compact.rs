//! The compact Montgomery multiplication and squaring, for targets with few registers: two
//! accumulators of a 128-bit sum and an overflow count, operands laid out in pairs (a_i, m_i)
//! forward and (b_j, n_j) backward. They are [`Modulus::mul`] and [`Modulus::sqr`] where
//! pointers are narrower than 64 bits (Cortex-M, wasm32): the three-accumulator column loops of
//! the parent module and of `sqr.rs` keep nine 64-bit limbs live, which a 32-bit core with
//! thirteen general registers spills on every step (the Cortex-M4 known-answer run under QEMU
//! took 3.2× as long with them: 18,299 against 5,750 centiseconds for the OAEP vectors). On
//! 64-bit targets they are compiled for the tests only, which hold them against the fast forms.
//! Same contract, same constant-time argument as the parent module's.

use zeroize::Zeroize;

use super::Modulus;

/// A column accumulator for product scanning: a 128-bit sum and the count of its overflows
/// (every column here sums at most 2·64 + 2 limb products, far below 2^64).
#[derive(Clone, Copy)]
struct Acc128 {
    low: u128,
    top: u64,
}

impl Acc128 {
    const ZERO: Acc128 = Acc128 { low: 0, top: 0 };

    /// += a·b
    #[inline(always)]
    fn mac(&mut self, a: u64, b: u64) {
        let (sum, carry) = self.low.overflowing_add((a as u128) * (b as u128));
        self.low = sum;
        self.top += carry as u64;
    }

    /// += other
    #[inline(always)]
    fn add(&mut self, other: &Acc128) {
        let (sum, carry) = self.low.overflowing_add(other.low);
        self.low = sum;
        self.top += other.top + carry as u64;
    }

    /// The low limb.
    #[inline(always)]
    fn low(&self) -> u64 {
        self.low as u64
    }

    /// ÷ 2^64: drops the low limb (the next column starts with the carry).
    #[inline(always)]
    fn shift(&mut self) {
        self.low = (self.low >> 64) | ((self.top as u128) << 64);
        self.top = 0;
    }
}

/// acc += Σ (x[i][0]·y[i][0] + x[i][1]·y[i][1]) over the common length, one accumulator per
/// position in the pair.
#[inline(always)]
fn dot_pairs(acc: &mut Acc128, x: &[[u64; 2]], y: &[[u64; 2]]) {
    let mut second = Acc128::ZERO;
    for (xs, ys) in x.iter().zip(y) {
        acc.mac(xs[0], ys[0]);
        second.mac(xs[1], ys[1]);
    }
    acc.add(&second);
}

/// acc += Σ x[i][1]·y[i][1] over the common length (the second position of each pair only),
/// in two accumulators.
#[inline(always)]
fn dot_second(acc: &mut Acc128, x: &[[u64; 2]], y: &[[u64; 2]]) {
    let len = x.len().min(y.len());
    let (x_pairs, x_rest) = x[..len].as_chunks::<2>();
    let (y_pairs, y_rest) = y[..len].as_chunks::<2>();
    let mut odd = Acc128::ZERO;
    for (xs, ys) in x_pairs.iter().zip(y_pairs) {
        acc.mac(xs[0][1], ys[0][1]);
        odd.mac(xs[1][1], ys[1][1]);
    }
    for (xs, ys) in x_rest.iter().zip(y_rest) {
        acc.mac(xs[1], ys[1]);
    }
    acc.add(&odd);
}

impl<const N: usize> Modulus<N> {
    /// Montgomery product a·b·R⁻¹ mod n (almost: < R), for a, b < R.
    ///
    /// Column k of a·b + m·n, with m_k chosen so that the columns below N vanish. The operands
    /// are laid out in pairs, (a_i, m_i) forward and (b_j, n_j) backward, so that both sums of a
    /// column run in one loop over contiguous memory.
    #[inline]
    pub(crate) fn mul_compact(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut x = [[0u64; 2]; N];
        let mut y = [[0u64; 2]; N];
        for (i, (&ai, (&bi, &ni))) in a.iter().zip(b.iter().zip(&self.n)).enumerate() {
            x[i][0] = ai;
            y[N - 1 - i] = [bi, ni];
        }
        let mut t = [0u64; N];
        let mut acc = Acc128::ZERO;
        for k in 0..N {
            // Σ_{i ≤ k} a_i·b_{k−i} + m_i·n_{k−i}, while m_k is still zero.
            dot_pairs(&mut acc, &x[..=k], &y[N - 1 - k..]);
            let mk = acc.low().wrapping_mul(self.n0);
            x[k][1] = mk;
            acc.mac(mk, self.n[0]);
            acc.shift();
        }
        for k in N..2 * N - 1 {
            dot_pairs(&mut acc, &x[k + 1 - N..], &y[..2 * N - 1 - k]);
            t[k - N] = acc.low();
            acc.shift();
        }
        t[N - 1] = acc.low();
        acc.shift();
        // (a·b + m·n)/R < R + n: the carry out of the top limb is 0 or 1.
        self.subtract_if(&mut t, acc.low());
        x.zeroize();
        y.zeroize();
        t
    }

    /// Montgomery square a²·R⁻¹ mod n (almost: < R), for a < R.
    ///
    /// Each cross product is computed once, against the limbs of 2a instead of a so that no
    /// column sum has to be doubled: with d_j = (a_j ≪ 1) | (a_{j−1} ≫ 63), the limbs of 2a,
    /// a² = Σ a_i²·B^{2i} + Σ_{i ≤ N−2} a_i·(a_{i+1} ≪ 1)·B^{2i+1} + Σ_{j ≥ i+2} a_i·d_j·B^{i+j}
    /// (B = 2^64, d_N = a_{N−1} ≫ 63): N(N+1)/2 + N − 1 limb products. Column k then sums its
    /// cross products together with the reduction products m_i·n_{k−i}, in pairs (a_i, m_i) ×
    /// (d_j, n_j) while both are present and the reduction alone after that, as in [`Self::mul_compact`].
    #[inline]
    pub(crate) fn sqr_compact(&self, a: &[u64; N]) -> [u64; N] {
        const { assert!(N.is_multiple_of(2)) };
        let n = &self.n;
        let mut x = [[0u64; 2]; N];
        let mut y = [[0u64; 2]; N];
        let mut carry_in = 0;
        for j in 0..N {
            x[j][0] = a[j];
            y[N - 1 - j] = [(a[j] << 1) | carry_in, n[j]];
            carry_in = a[j] >> 63;
        }
        let d_top = carry_in;
        let mut t = [0u64; N];
        let mut acc = Acc128::ZERO;
        // Columns 2j and 2j + 1 below N: cross products (both lanes) for i < j, then the
        // reduction alone for j ≤ i < k.
        for j in 0..N / 2 {
            for odd in 0..2 {
                let k = 2 * j + odd;
                let y0 = N - 1 - k;
                dot_pairs(&mut acc, &x[..j], &y[y0..y0 + j]);
                dot_second(&mut acc, &x[j..k], &y[y0 + j..y0 + k]);
                if odd == 0 {
                    acc.mac(a[j], a[j]);
                } else {
                    acc.mac(a[j], a[j + 1] << 1);
                }
                let mk = acc.low().wrapping_mul(self.n0);
                x[k][1] = mk;
                acc.mac(mk, n[0]);
                acc.shift();
            }
        }
        for j in N / 2..N {
            for odd in 0..2 {
                let k = 2 * j + odd;
                if k == 2 * N - 1 {
                    break;
                }
                // i from s = k + 1 − N; the partner of i is y[i − s].
                let s = k + 1 - N;
                dot_pairs(&mut acc, &x[s..j], &y[..j - s]);
                dot_second(&mut acc, &x[j..], &y[j - s..]);
                if odd == 0 {
                    acc.mac(a[j], a[j]);
                } else {
                    acc.mac(a[j], a[j + 1] << 1);
                }
                // The j = N term: i = k − N ≤ N − 2, times d_N (0 or 1).
                acc.mac(a[k - N], d_top);
                t[k - N] = acc.low();
                acc.shift();
            }
        }
        t[N - 1] = acc.low();
        acc.shift();
        self.subtract_if(&mut t, acc.low());
        x.zeroize();
        y.zeroize();
        t
    }
}

/// A run of squarings modulo one modulus: on these targets a plain [`Modulus::sqr`] each (the
/// compact squaring keeps no working storage worth sharing).
#[cfg(not(target_pointer_width = "64"))]
pub(crate) struct Squarer<'m, const N: usize> {
    modulus: &'m Modulus<N>,
}

#[cfg(not(target_pointer_width = "64"))]
impl<'m, const N: usize> Squarer<'m, N> {
    /// For squarings modulo `modulus`.
    #[inline(always)]
    pub(crate) fn new(modulus: &'m Modulus<N>) -> Self {
        Squarer { modulus }
    }

    /// [`Modulus::sqr`].
    #[inline(always)]
    pub(crate) fn sqr(&mut self, a: &[u64; N]) -> [u64; N] {
        self.modulus.sqr_compact(a)
    }
}

#[cfg(not(target_pointer_width = "64"))]
impl<const N: usize> Modulus<N> {
    /// Montgomery product a·b·R⁻¹ mod n (almost: < R), for a, b < R.
    #[inline]
    pub(crate) fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        self.mul_compact(a, b)
    }

    /// Montgomery square a²·R⁻¹ mod n (almost: < R), for a < R.
    #[inline]
    pub(crate) fn sqr(&self, a: &[u64; N]) -> [u64; N] {
        self.sqr_compact(a)
    }
}
