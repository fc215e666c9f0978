//! The dedicated Montgomery squaring, [`Modulus::sqr`], on 64-bit targets (see the parent module
//! for the representation and the accumulator).

use zeroize::Zeroize;

use super::{Acc, Modulus};

/// acc += Σ_i (a[i]·d[i] + m[2i]·n[2i] + m[2i+1]·n[2i+1]) over i < a.len() (the other slices
/// are at least as long: d as a, m and n twice).
// Inlined at its four call sites (out of line: 16,136 instead of 12,928 instructions per
// squaring at N = 32). This file is compiled for 64-bit targets only; the firmware's 32-bit
// cores use the compact forms (compact.rs), which are also smaller.
#[inline(always)]
fn triple_dot(acc: &mut Acc, a: &[u64], d: &[u64], m: &[u64], n: &[u64]) {
    // One index over slices cut to the same length, so that the loop needs no length
    // computation per column beyond the four cuts.
    let len = a.len();
    let (d, m, n) = (&d[..len], &m[..2 * len], &n[..2 * len]);
    let (mut y, mut z) = (Acc::ZERO, Acc::ZERO);
    for i in 0..len {
        acc.mac(a[i], d[i]);
        y.mac(m[2 * i], n[2 * i]);
        z.mac(m[2 * i + 1], n[2 * i + 1]);
    }
    acc.add(&y);
    acc.add(&z);
}

/// The working storage of [`Modulus::sqr`], kept across a run of squarings modulo one modulus
/// (an exponentiation's): the reversed copy of n is made once, the limbs of m are not cleared
/// between squarings (each m_k is written before it is read; only the pad m_N = 0 must stay
/// zero, and nothing writes it), and everything is wiped once, on drop, instead of after every
/// squaring (2a included). Stack copies addressed from the stack pointer free registers in the
/// column loops; the operand is copied per squaring (kept here it made LLVM address the loops
/// worse: 12.6 k instead of 11.9 k instructions per 2048-bit squaring).
pub(crate) struct Squarer<'m, const N: usize> {
    modulus: &'m Modulus<N>,
    /// n's limbs, most significant first (a copy of `Modulus::n_rev`).
    nr: [u64; N],
    /// m_0 … m_{N−1}, then m_N = 0 and padding.
    m_buf: [[u64; N]; 2],
    /// 2a, most significant limb first (see [`Modulus::sqr`]).
    d_rev: [u64; N],
}

impl<'m, const N: usize> Squarer<'m, N> {
    /// Storage for squarings modulo `modulus`.
    #[inline(always)]
    pub(crate) fn new(modulus: &'m Modulus<N>) -> Self {
        Squarer {
            modulus,
            nr: modulus.n_rev,
            m_buf: [[0; N]; 2],
            d_rev: [0; N],
        }
    }

    /// [`Modulus::sqr`]: a²·R⁻¹ mod n (almost: < R), for a < R.
    #[inline(always)]
    pub(crate) fn sqr(&mut self, a: &[u64; N]) -> [u64; N] {
        let Squarer {
            modulus,
            nr,
            m_buf,
            d_rev,
        } = self;
        modulus.sqr_in(a, nr, m_buf, d_rev)
    }
}

impl<const N: usize> Drop for Squarer<'_, N> {
    fn drop(&mut self) {
        // The modulus (a secret prime, or candidate) and the operand's derivatives.
        self.nr.zeroize();
        self.m_buf.zeroize();
        self.d_rev.zeroize();
    }
}

impl<const N: usize> Modulus<N> {
    /// Montgomery square a²·R⁻¹ mod n (almost: < R), for a < R. For a run of squarings modulo
    /// the same n, a [`Squarer`] saves the set-up and the wipes of each.
    #[inline]
    pub(crate) fn sqr(&self, a: &[u64; N]) -> [u64; N] {
        Squarer::new(self).sqr(a)
    }

    /// Montgomery square a²·R⁻¹ mod n (almost: < R), for a < R.
    ///
    /// Each cross product is computed once, against the limbs of 2a instead of a so that no
    /// column sum has to be doubled: with d_j = (a_j ≪ 1) | (a_{j−1} ≫ 63), the limbs of 2a,
    /// a² = Σ a_i²·B^{2i} + Σ_{i ≤ N−2} a_i·(a_{i+1} ≪ 1)·B^{2i+1} + Σ_{j ≥ i+2} a_i·d_j·B^{i+j}
    /// (B = 2^64, d_N = a_{N−1} ≫ 63): N(N+1)/2 + N − 1 limb products. Column k (k = 2j or
    /// 2j + 1) has about half as many cross products a_i·d_{k−i} (i < j) as reduction products
    /// m_i·n_{k−i}, so one loop sums both, one cross product and two consecutive reduction
    /// products per step; m_N = 0 pads the reduction side where it is one short (even k ≥ N).
    #[inline(always)]
    fn sqr_in(
        &self,
        a: &[u64; N],
        nr: &[u64; N],
        m_buf: &mut [[u64; N]; 2],
        d_rev: &mut [u64; N],
    ) -> [u64; N] {
        const { assert!(N.is_multiple_of(2)) };
        // d_rev[N − l] = d_l for 1 ≤ l ≤ N (2a, most significant first; d_0 is never used: a
        // cross product a_i·d_j has j ≥ i + 2); m[N] = 0 (m_buf[1] is never written).
        for (i, d) in d_rev.iter_mut().enumerate() {
            *d = match i {
                0 => a[N - 1] >> 63,
                _ => (a[N - i] << 1) | (a[N - 1 - i] >> 63),
            };
        }
        let d_rev = &*d_rev;
        // A copy of a on the stack: addressed from the stack pointer, it frees a register in
        // the column loops (fewer reloads of spilled pointers).
        let mut a_copy = *a;
        let a = &a_copy;
        let (n0, n1) = (self.n[0], self.n[1]);
        let mut t = [0u64; N];
        let mut acc = Acc::ZERO;
        // Columns k < N: cross products i in [0, j), reduction products i in [0, 2j), then
        // m_k from the low limb.
        for j in 0..N / 2 {
            // k = 2j
            let m = m_buf.as_flattened();
            triple_dot(
                &mut acc,
                &a[..j],
                &d_rev[N - 2 * j..N - j],
                &m[..2 * j],
                &nr[N - 1 - 2 * j..N - 1],
            );
            acc.mac(a[j], a[j]);
            let mk = acc.low().wrapping_mul(self.n0);
            m_buf[0][2 * j] = mk;
            acc.mac(mk, n0);
            acc.shift();
            // k = 2j + 1: also m_{2j}·n_1
            let m = m_buf.as_flattened();
            triple_dot(
                &mut acc,
                &a[..j],
                &d_rev[N - 2 * j - 1..N - j - 1],
                &m[..2 * j],
                &nr[N - 2 - 2 * j..N - 2],
            );
            acc.mac(a[j], a[j + 1] << 1);
            acc.mac(mk, n1);
            let mk = acc.low().wrapping_mul(self.n0);
            m_buf[0][2 * j + 1] = mk;
            acc.mac(mk, n0);
            acc.shift();
        }
        // Columns k ≥ N: cross products i in [k − N, j), reduction products i in
        // [k − N + 1, N + 1) for even k (m_N = 0), [k − N + 1, N) for odd k.
        let m = m_buf.as_flattened();
        for j in N / 2..N - 1 {
            // k = 2j
            let (ic, c) = (2 * j - N, N - j);
            triple_dot(
                &mut acc,
                &a[ic..j],
                &d_rev[..c],
                &m[ic + 1..N + 1],
                &nr[..2 * c],
            );
            acc.mac(a[j], a[j]);
            t[2 * j - N] = acc.low();
            acc.shift();
            // k = 2j + 1
            let (ic, c) = (2 * j + 1 - N, N - j - 1);
            triple_dot(
                &mut acc,
                &a[ic..j],
                &d_rev[..c],
                &m[ic + 1..N],
                &nr[..2 * c],
            );
            acc.mac(a[j], a[j + 1] << 1);
            t[2 * j + 1 - N] = acc.low();
            acc.shift();
        }
        // k = 2N − 2, outside the loop (whose padded product m_N·n_{N−2} would be zero):
        // a_{N−2}·d_N, m_{N−1}·n_{N−1} and a_{N−1}².
        acc.mac(a[N - 2], d_rev[0]);
        acc.mac(m[N - 1], nr[0]);
        acc.mac(a[N - 1], a[N - 1]);
        t[N - 2] = acc.low();
        acc.shift();
        t[N - 1] = acc.low();
        acc.shift();
        self.subtract_if(&mut t, acc.low());
        a_copy.zeroize();
        t
    }
}
