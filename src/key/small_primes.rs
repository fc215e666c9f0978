//! Trial division of prime candidates by the odd primes below a bound, and the FIPS 186-5 A.1.3
//! step 4.5 / 5.6 test `GCD(p − 1, e) = 1` for e = 65537.
//!
//! Trial division is the optimisation FIPS 186-5 Appendix B.3 allows before Miller–Rabin: it
//! removes most composites for the cost of a few single-limb remainders instead of a modular
//! exponentiation. The primes are packed into groups whose product m fits one machine word, so one
//! pass over the candidate's limbs tests a whole group: a widening multiply-add per limb with
//! precomputed powers of 2^W modulo m, one three-word remainder by m with a precomputed
//! reciprocal (Möller–Granlund), and for each prime p of the group a divisibility test of that
//! remainder by multiplication with p⁻¹ mod 2^W (Granlund–Montgomery, Lemire): no hardware
//! division, which costs 20–40 cycles and whose latency depends on its operands on many CPUs.
//!
//! The bound is chosen per prime size. A random candidate survives trial division up to B with
//! probability ≈ 1.12 / ln B, and each survivor costs a Miller–Rabin exponentiation, while each
//! group costs one pass over the candidate for the candidates that reach it. Measured with
//! `prime_search::cost_model` (x86-64, a shared two-core VM, December 2026; the fastest of three
//! runs; µs per candidate, lower is better; the expected cost adds the survivors' base-2
//! Miller–Rabin filter at its fastest measured cost, 0.47 ms for 1024-bit and 2.99 ms for 2048-bit
//! candidates):
//!
//! | B      | 1024-bit: trial division | expected | 2048-bit: trial division | expected |
//! |--------|-------------------------:|---------:|-------------------------:|---------:|
//! | 2^12   | 0.5                      | 66.1     | 0.6                      | 408.0    |
//! | 2^14   | 1.7                      | 57.9     | 1.9                      | 350.4    |
//! | 2^15   | 3.6                      | 55.6     | 3.4                      | 329.5    |
//! | 2^16   | 4.1                      | **52.7** | 6.2                      | 312.0    |
//! | 2^17   | 8.8                      | 54.9     | 12.6                     | 302.3    |
//! | 2^18   | 17.7                     | 61.1     | 24.0                     | **296.3** |
//!
//! so 2^16 for 1024-bit primes, 2^17 for 1536-bit ones and 2^18 for 2048-bit ones. Instruction
//! counts of a fixed-seed key generation (callgrind) say the same for 1024-bit primes (2^17 costs
//! RSA-2048 2.4 % more); for 2048-bit primes, with the sums over two accumulators, 2^18 takes
//! RSA-4096 (seed 1) from 4,740,812,285 to 4,690,168,528 instructions (−1.1 %), for twice the
//! tables (≈ 2.4 MB, ≈ 2–4 ms to build, shared by the threads of a parallel search). The tables
//! are built at run time (≈ 0.6 ms and 350 kB at 2^16 for 1024-bit candidates, ≈ 1 ms and 1 MB
//! at 2^17 for 1536-bit ones) rather than stored in the binary: with `std` once per process and
//! size, kept for later key generations; without it, once per key generation. 32-bit targets use
//! 2^11 to keep them small.
//!
//! Timing: the search stops at the first group that divides the candidate, so it runs in time
//! that depends on the candidate *only when the candidate is rejected*. A rejected candidate is a
//! discarded random value that is never used again, so its timing tells an observer nothing about
//! the prime eventually accepted. A candidate that passes goes through every group and every prime,
//! and each step runs in time independent of the values: multiply-adds, the remainder with masked
//! (branch-free) corrections, and one multiplication and comparison per prime, whose outcome
//! (no factor) is the same for every passing candidate. So the time spent on it does not depend
//! on its value.

use alloc::vec;
use alloc::vec::Vec;

use crypto_bigint::{BoxedUint, Limb, Reciprocal, WideWord, Word};

/// The RSA public exponent. It is prime, so `GCD(p − 1, e) = 1` ⇔ `p mod e ≠ 1`.
const E: Word = 65537;

const E_RECIPROCAL: Reciprocal =
    Reciprocal::new(Limb(E).to_nz().expect_copied("65537 is not zero"));

/// All ones when `bit`, zero otherwise, without a branch.
fn mask(bit: bool) -> Word {
    Word::from(bit).wrapping_neg()
}

/// The inverse of an odd `x` modulo 2^W (Newton's iteration: each step doubles the correct low
/// bits, from the 3 that `x · x ≡ 1 (mod 8)` gives, so five steps give 96 ≥ W).
fn inverse_mod_word(x: Word) -> Word {
    let mut y = x;
    for _ in 0..5 {
        y = y.wrapping_mul((2 as Word).wrapping_sub(x.wrapping_mul(y)));
    }
    y
}

/// An odd prime p, stored for the divisibility test without division (Granlund–Montgomery,
/// Lemire et al.): for odd p, p divides r ⇔ r · p⁻¹ mod 2^W ≤ ⌊(2^W − 1) / p⌋, since
/// multiplication by p⁻¹ maps the multiples of p below 2^W one-to-one onto [0, ⌊(2^W − 1) / p⌋].
#[derive(Clone, Copy)]
struct OddPrime {
    /// p⁻¹ mod 2^W.
    inverse: Word,
    /// ⌊(2^W − 1) / p⌋.
    limit: Word,
}

impl OddPrime {
    fn new(p: Word) -> Self {
        OddPrime {
            inverse: inverse_mod_word(p),
            limit: Word::MAX / p,
        }
    }

    /// p itself: the inverse of p⁻¹.
    #[cfg(test)]
    fn prime(self) -> Word {
        inverse_mod_word(self.inverse)
    }

    /// `r mod p = 0`: one multiplication and one comparison instead of a hardware division.
    fn divides(self, r: Word) -> bool {
        r.wrapping_mul(self.inverse) <= self.limit
    }
}

/// A run of consecutive primes `primes[start..end]` whose product m fits one `Word`, with m
/// normalised for the Möller–Granlund two-by-one remainder: `d = m · 2^shift` has its top bit set
/// and `v = ⌊(2^2W − 1) / d⌋ − 2^W`.
struct Group {
    d: Word,
    v: Word,
    shift: u32,
    start: u32,
    end: u32,
}

impl Group {
    fn new(m: Word, start: usize, end: usize) -> Self {
        let shift = m.leading_zeros();
        let d = m << shift;
        // Public values only: plain (variable-time) division is fine here. The quotient is below
        // 2^(W+1) because the top bit of d is set, so v fits a word.
        let v = (WideWord::MAX / WideWord::from(d) - (WideWord::from(Word::MAX) + 1)) as Word;
        Group {
            d,
            v,
            shift,
            start: start as u32,
            end: end as u32,
        }
    }

    /// `(hi · 2^W + lo) mod d` for `hi < d`, in constant time: Algorithm 4 of Möller and
    /// Granlund, "Improved division by invariant integers" (2011), without the quotient.
    fn rem_2by1(&self, hi: Word, lo: Word) -> Word {
        let d = self.d;
        // No overflow: hi · (2^W + v) + lo ≤ (d − 1) · (2^2W − 1) / d + 2^W − 1 < 2^2W.
        let q = WideWord::from(self.v) * WideWord::from(hi)
            + ((WideWord::from(hi) << Word::BITS) | WideWord::from(lo));
        let q0 = q as Word;
        let q1 = ((q >> Word::BITS) as Word).wrapping_add(1);
        // r ≡ hi · 2^W + lo (mod d) lies within d of the remainder; the two masked corrections
        // bring it into [0, d).
        let r = lo.wrapping_sub(q1.wrapping_mul(d));
        let (_, r_above_q0) = q0.overflowing_sub(r);
        let r = r.wrapping_add(mask(r_above_q0) & d);
        let (_, r_below_d) = r.overflowing_sub(d);
        r.wrapping_sub(!mask(r_below_d) & d)
    }

    /// `(s2 · 2^2W + s1 · 2^W + s0) mod d` for `s2 < d`: two two-by-one steps, in constant time.
    fn rem_3by1(&self, s0: Word, s1: Word, s2: Word) -> Word {
        self.rem_2by1(self.rem_2by1(s2, s1), s0)
    }

    /// The candidate (`words`, fewer than 2^(W−1) of them) modulo the group's product m, from the
    /// group's `coefficients` (see [`TrialDivision`]), in constant time.
    #[inline(always)]
    fn residue(&self, words: &[Word], coefficients: &[Word]) -> Word {
        // Σ limb_j · c_j in three words (s2, s1, s0): each term is below 2^2W, so the top word
        // counts carries and stays below the number of words, itself far below d ≥ 2^(W−1).
        // Two sums (even and odd limbs) so that one step's loop control serves two products,
        // over slices cut to one length (a zip compiles worse here), with the add-with-carry
        // idiom word by word (an overflowing u128 add materialises its flag).
        #[inline(always)]
        fn mac(s: &mut (Word, Word, Word), w: Word, c: Word) {
            let p = WideWord::from(w) * WideWord::from(c);
            let t = WideWord::from(s.0) + WideWord::from(p as Word);
            s.0 = t as Word;
            let t = WideWord::from(s.1) + (p >> Word::BITS) + (t >> Word::BITS);
            s.1 = t as Word;
            s.2 = s.2.wrapping_add((t >> Word::BITS) as Word);
        }
        let len = words.len().min(coefficients.len());
        let (w_pairs, w_rest) = words[..len].as_chunks::<2>();
        let (c_pairs, c_rest) = coefficients[..len].as_chunks::<2>();
        let pairs = w_pairs.len().min(c_pairs.len());
        let (w_pairs, c_pairs) = (&w_pairs[..pairs], &c_pairs[..pairs]);
        let (mut even, mut odd) = ((0, 0, 0), (0, 0, 0));
        for i in 0..pairs {
            mac(&mut even, w_pairs[i][0], c_pairs[i][0]);
            mac(&mut odd, w_pairs[i][1], c_pairs[i][1]);
        }
        for (&w, &c) in w_rest.iter().zip(c_rest) {
            mac(&mut even, w, c);
        }
        // even + odd: three words each, the top ones small (see above).
        let t = WideWord::from(even.0) + WideWord::from(odd.0);
        let s0 = t as Word;
        let t = WideWord::from(even.1) + WideWord::from(odd.1) + (t >> Word::BITS);
        let s1 = t as Word;
        let s2 = even
            .2
            .wrapping_add(odd.2)
            .wrapping_add((t >> Word::BITS) as Word);
        self.rem_3by1(s0, s1, s2) >> self.shift
    }
}

/// [`TrialDivision::for_keygen`]'s tables: the process's (`std`) or this key generation's own.
pub(crate) enum Tables {
    /// Built once, kept for the life of the process.
    #[cfg(feature = "std")]
    Shared(&'static TrialDivision),
    /// Built for one key generation.
    Owned(TrialDivision),
}

impl core::ops::Deref for Tables {
    type Target = TrialDivision;

    fn deref(&self) -> &TrialDivision {
        match self {
            #[cfg(feature = "std")]
            Tables::Shared(t) => t,
            Tables::Owned(t) => t,
        }
    }
}

/// Trial-division tables for one prime size.
///
/// For each group with product m, normalised divisor d = m · 2^shift, and each limb position j of
/// the candidate, `coefficients` holds 2^(W·j + shift) mod d, so that
/// Σ limb_j · (2^(W·j + shift) mod d) mod d = (candidate · 2^shift) mod (m · 2^shift)
/// = (candidate mod m) · 2^shift: one widening multiply-add per limb and a single constant-time
/// three-word remainder per group, about four times cheaper than a limb-by-limb division, with
/// no shifting of the sum.
pub(crate) struct TrialDivision {
    primes: Vec<OddPrime>,
    groups: Vec<Group>,
    limbs: usize,
    coefficients: Vec<Word>,
}

impl TrialDivision {
    /// The tables for `bits`-bit prime candidates (see the module documentation for the bound).
    pub(crate) fn for_prime_bits(bits: u32) -> Self {
        let bound = if cfg!(target_pointer_width = "64") {
            match bits {
                0..=1024 => 1 << 16,
                1025..=1536 => 1 << 17,
                _ => 1 << 18,
            }
        } else {
            // Small targets: 308 primes in 105 groups, ≈ 18 kB of tables for 1024-bit candidates
            // and ≈ 31 kB for 2048-bit ones.
            1 << 11
        };
        Self::below(bound, bits)
    }

    /// The tables for `bits`-bit prime candidates: with `std`, built by the first key generation
    /// of each RSA size and kept for the life of the process (≈ 350 kB, 1 MB and 2.4 MB for
    /// RSA-2048, 3072 and 4096; building them takes ≈ 2–4 ms at 2048 bits, 1 % of a parallel
    /// RSA-4096 key generation); without `std`, built for this key generation only.
    pub(crate) fn for_keygen(bits: u32) -> Tables {
        #[cfg(feature = "std")]
        {
            use std::sync::OnceLock;
            static SHARED: [OnceLock<TrialDivision>; 3] =
                [OnceLock::new(), OnceLock::new(), OnceLock::new()];
            let slot = match bits {
                1024 => SHARED.first(),
                1536 => SHARED.get(1),
                2048 => SHARED.get(2),
                _ => None,
            };
            if let Some(slot) = slot {
                return Tables::Shared(slot.get_or_init(|| Self::for_prime_bits(bits)));
            }
        }
        Tables::Owned(Self::for_prime_bits(bits))
    }

    /// The tables for the odd primes below `bound`, for candidates of up to `bits` bits.
    pub(crate) fn below(bound: usize, bits: u32) -> Self {
        // Sieve of Eratosthenes over the odd numbers: index i stands for 2i + 1.
        let half = bound / 2;
        let mut composite = vec![false; half];
        let mut i = 1;
        while (2 * i + 1) * (2 * i + 1) < bound {
            if !composite[i] {
                let p = 2 * i + 1;
                let mut j = p * p / 2;
                while j < half {
                    composite[j] = true;
                    j += p;
                }
            }
            i += 1;
        }
        let primes: Vec<Word> = (1..half)
            .filter(|&i| !composite[i])
            .map(|i| (2 * i + 1) as Word)
            .collect();
        let limbs = bits.div_ceil(Word::BITS) as usize;
        let mut groups = Vec::new();
        let mut coefficients = Vec::new();
        let mut i = 0;
        while i < primes.len() {
            let start = i;
            let mut product: Word = 1;
            while let Some(next) = primes.get(i).and_then(|&p| product.checked_mul(p)) {
                product = next;
                i += 1;
            }
            if i == start {
                break;
            }
            let group = Group::new(product, start, i);
            // 2^shift < d (m ≥ 3 is odd), then c ← c · 2^W mod d by the group's own remainder
            // (a u128 `%` is a library call; the 2048-bit tables took 2.2–4.0 ms with it,
            // 1.8–3.6 ms without).
            let mut c: Word = 1 << group.shift;
            for _ in 0..limbs {
                coefficients.push(c);
                c = group.rem_2by1(c, 0);
            }
            groups.push(group);
        }
        TrialDivision {
            primes: primes.into_iter().map(OddPrime::new).collect(),
            groups,
            limbs,
            coefficients,
        }
    }

    /// `true` when `candidate` has an odd prime factor in the tables (and is larger than the
    /// bound, as every candidate searched here is), so it is certainly composite. Early exit on
    /// rejection only: see the module documentation. Candidates wider than the tables' size are
    /// reported composite (they are never searched).
    pub(crate) fn has_small_factor(&self, candidate: &BoxedUint) -> bool {
        let words = candidate.as_words();
        if words.len() > self.limbs {
            return true;
        }
        for (group, coefficients) in self.groups.iter().zip(self.coefficients.chunks(self.limbs)) {
            let r = group.residue(words, coefficients);
            let primes = self
                .primes
                .get(group.start as usize..group.end as usize)
                .unwrap_or(&[]);
            // `r mod p = candidate mod p` since p divides the group's product.
            if primes.iter().any(|p| p.divides(r)) {
                return true;
            }
        }
        false
    }
}

/// FIPS 186-5 A.1.3 steps 4.5 / 5.6: `GCD(p − 1, e) = 1`, which for the prime e = 65537 is
/// `p mod e ≠ 1`.
pub(crate) fn coprime_to_e_minus_one(candidate: &BoxedUint) -> bool {
    candidate.rem_limb_with_reciprocal(&E_RECIPROCAL).0 != 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::ConcatenatingMul;

    #[test]
    fn tables_are_consistent() {
        let t = TrialDivision::below(1 << 15, 256);
        assert_eq!(t.primes[0].prime(), 3);
        assert_eq!(t.primes.last().unwrap().prime(), 32749); // largest prime below 2^15
        assert_eq!(t.primes.len(), 3511); // π(2^15) = 3512, minus the prime 2
        let mut next = 0;
        for g in &t.groups {
            assert_eq!(g.start, next);
            assert!(g.end > g.start);
            next = g.end;
        }
        assert_eq!(next as usize, t.primes.len());
        assert_eq!(TrialDivision::below(1 << 18, 64).primes.len(), 23000 - 1); // π(2^18) = 23000
    }

    #[test]
    fn finds_factors_and_passes_primes() {
        let t = TrialDivision::below(1 << 15, 256);
        // 2^127 − 1 is prime; products with a prime below the bound are caught.
        let m127 = BoxedUint::from(u128::MAX >> 1);
        assert!(!t.has_small_factor(&m127));
        assert!(t.has_small_factor(&BoxedUint::from(32749u64 * 32719)));
        assert!(t.has_small_factor(&m127.concatenating_mul(&BoxedUint::from(32749u64))));
        assert!(t.has_small_factor(&m127.concatenating_mul(&BoxedUint::from(3u64))));
        assert!(!t.has_small_factor(&m127.concatenating_mul(&m127)));
        // 32771 is the first prime above 2^15: not in these tables.
        assert!(!t.has_small_factor(&m127.concatenating_mul(&BoxedUint::from(32771u64))));
        assert!(
            TrialDivision::below(1 << 16, 256)
                .has_small_factor(&m127.concatenating_mul(&BoxedUint::from(32771u64)))
        );
    }

    /// A small deterministic generator for test values (xorshift64*).
    fn next(state: &mut u64) -> Word {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D) as Word
    }

    #[test]
    fn divisibility_without_division_is_exact() {
        let mut state = 1;
        let mut odd: Vec<Word> = vec![1, 3, 5, 7, 65521, 65537, 131071, Word::MAX, Word::MAX - 2];
        odd.extend((0..200).map(|_| next(&mut state) | 1));
        odd.extend((0..200).map(|_| (next(&mut state) >> 40) | 1));
        for p in odd {
            let q = OddPrime::new(p);
            assert_eq!(p.wrapping_mul(q.inverse), 1);
            let mut values = vec![0, 1, p - 1, p, Word::MAX, Word::MAX - 1, Word::MAX / p * p];
            values.push(p.wrapping_add(1));
            values.push(p.wrapping_mul(2));
            values.push(p.wrapping_mul(3).wrapping_sub(1));
            for _ in 0..500 {
                let r = next(&mut state);
                values.push(r);
                values.push((r % (Word::MAX / p)) * p); // a multiple of p
                values.push(((r % (Word::MAX / p)) * p).wrapping_add(1));
            }
            for r in values {
                assert_eq!(q.divides(r), r % p == 0, "r = {r}, p = {p}");
            }
        }
    }

    /// `(s2 · 2^2W + s1 · 2^W + s0) mod m` with the hardware division, for reference.
    fn reference_rem(s0: Word, s1: Word, s2: Word, m: Word) -> Word {
        let m = WideWord::from(m);
        let hi = ((WideWord::from(s2) << Word::BITS) | WideWord::from(s1)) % m;
        (((hi << Word::BITS) | WideWord::from(s0)) % m) as Word
    }

    #[test]
    fn three_word_remainder_is_exact() {
        let mut state = 2;
        let mut moduli: Vec<Word> = vec![
            1,
            3,
            15,
            255,
            Word::MAX,
            Word::MAX - 1,
            1 << (Word::BITS - 1),
        ];
        moduli.push((1 << (Word::BITS - 1)) + 1);
        moduli.extend(
            TrialDivision::below(1 << 17, 64)
                .groups
                .iter()
                .map(|g| g.d >> g.shift),
        );
        moduli.extend(
            (0..300).map(|_| next(&mut state) >> (next(&mut state) % Word::from(Word::BITS as u8))),
        );
        for m in moduli.into_iter().filter(|&m| m != 0) {
            let g = Group::new(m, 0, 0);
            assert!(g.d >> (Word::BITS - 1) == 1 && g.d >> g.shift == m);
            let d = g.d;
            let mut values = vec![
                (0, 0, 0),
                (d - 1, 0, 0),
                (0, 1, 0),
                (Word::MAX, Word::MAX, 0),
                (Word::MAX, Word::MAX, d - 1),
                (d - 1, d - 1, d - 1),
                (0, 0, d - 1),
                (Word::MAX, Word::MAX, 2 * Word::BITS as Word),
            ];
            for _ in 0..300 {
                let s2 = next(&mut state) % d;
                values.push((next(&mut state), next(&mut state), s2));
                values.push((next(&mut state), next(&mut state), s2 % 64 as Word));
                values.push((next(&mut state) % d, 0, 0));
            }
            for (s0, s1, s2) in values {
                assert_eq!(
                    g.rem_3by1(s0, s1, s2),
                    reference_rem(s0, s1, s2, d),
                    "m = {m}"
                );
                assert_eq!(g.rem_2by1(s1 % d, s0), reference_rem(s0, s1 % d, 0, d));
            }
        }
    }

    #[test]
    fn group_residues_are_exact() {
        let mut state = 3;
        // 2048 bits: an even number of limbs; 1088 bits: an odd one (the sums' leftover limb).
        for bits in [2048, 1088] {
            let t = TrialDivision::below(1 << 17, bits);
            let all_ones = BoxedUint::max(bits);
            let mut candidates = vec![
                all_ones.clone(),
                all_ones.shr(1),
                BoxedUint::zero_with_precision(bits),
            ];
            for _ in 0..4 {
                let mut c = BoxedUint::zero_with_precision(bits);
                c.as_mut_words()
                    .iter_mut()
                    .for_each(|w| *w = next(&mut state));
                candidates.push(c);
            }
            for c in &candidates {
                for (g, coefficients) in t.groups.iter().zip(t.coefficients.chunks(t.limbs)) {
                    let m = Limb(g.d >> g.shift).to_nz().unwrap();
                    let expected = c.rem_limb_with_reciprocal(&Reciprocal::new(m)).0;
                    assert_eq!(g.residue(c.as_words(), coefficients), expected);
                }
            }
        }
    }

    #[test]
    fn gcd_with_e_minus_one() {
        // p = 2·65537 + 1 = 131075 ≡ 1 (mod 65537); p = 131077 ≡ 3.
        assert!(!coprime_to_e_minus_one(&BoxedUint::from(131075u64)));
        assert!(coprime_to_e_minus_one(&BoxedUint::from(131077u64)));
    }
}
