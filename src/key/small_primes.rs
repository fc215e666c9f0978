//! Trial division of prime candidates by the odd primes below a bound, and the FIPS 186-5 A.1.3
//! step 4.5 / 5.6 test `GCD(p − 1, e) = 1` for e = 65537.
//!
//! Trial division is the optimisation FIPS 186-5 Appendix B.3 allows before Miller–Rabin: it
//! removes most composites for the cost of a few single-limb remainders instead of a modular
//! exponentiation. The primes are packed into groups whose product fits one machine word, so one
//! pass over the candidate's limbs (a remainder by a precomputed reciprocal) tests a whole group.
//!
//! The bound is chosen per prime size. A random candidate survives trial division up to B with
//! probability ≈ 1.12 / ln B, and each survivor costs a Miller–Rabin exponentiation, while each
//! group costs one pass over the candidate for the candidates that reach it. Measured with
//! `prime_search::cost_model` (x86-64; expected µs per candidate, lower is better):
//!
//! | B      | 1024-bit candidates | 2048-bit candidates |
//! |--------|--------------------:|--------------------:|
//! | 2^12   | 141                 | 943                 |
//! | 2^15   | 117                 | 762                 |
//! | 2^16   | **115**             | 722                 |
//! | 2^17   | 122                 | **704**             |
//! | 2^18   | 139                 | 688 (5 ms, 1.5 MB of tables) |
//!
//! so 2^16 for 1024-bit primes and 2^17 above. The tables are built per key generation
//! (≈ 1 ms) rather than stored in the binary; 32-bit targets use 2^11 to keep them small.
//!
//! Timing: the search stops at the first group that divides the candidate, so it runs in time
//! that depends on the candidate *only when the candidate is rejected*. A rejected candidate is a
//! discarded random value that is never used again, so its timing tells an observer nothing about
//! the prime eventually accepted. A candidate that passes goes through every group, so the time
//! spent on it does not depend on its value.

use alloc::vec;
use alloc::vec::Vec;

use crypto_bigint::{BoxedUint, Limb, Reciprocal, Uint, WideWord, Word};

/// The RSA public exponent. It is prime, so `GCD(p − 1, e) = 1` ⇔ `p mod e ≠ 1`.
const E: Word = 65537;

const E_RECIPROCAL: Reciprocal =
    Reciprocal::new(Limb(E).to_nz().expect_copied("65537 is not zero"));

/// A run of consecutive primes `primes[start..end]` whose product `m` fits one `Word`.
struct Group {
    reciprocal: Reciprocal,
    start: u32,
    end: u32,
}

/// Trial-division tables for one prime size.
///
/// For each group with product m and each limb position j of the candidate, `coefficients` holds
/// 2^(W·j) mod m, so that candidate mod m = Σ limb_j · (2^(W·j) mod m) mod m: one widening
/// multiply-add per limb and a single constant-time three-limb remainder per group, about four
/// times cheaper than a limb-by-limb division.
pub(crate) struct TrialDivision {
    primes: Vec<Word>,
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
                _ => 1 << 17,
            }
        } else {
            // Small targets: ≈ 300 primes, ≈ 20 kB of tables for 2048-bit candidates.
            1 << 11
        };
        Self::below(bound, bits)
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
            let Some(divisor) = Limb(product).to_nz().into_option() else {
                break;
            };
            groups.push(Group {
                reciprocal: Reciprocal::new(divisor),
                start: start as u32,
                end: i as u32,
            });
            // Public values only: plain (variable-time) arithmetic is fine here.
            let m = WideWord::from(product);
            let mut c: WideWord = 1 % m;
            for _ in 0..limbs {
                coefficients.push(c as Word);
                c = (c << Word::BITS) % m;
            }
        }
        TrialDivision {
            primes,
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
            // Σ limb_j · c_j in three words (W·limbs < 2^W, so the carry count cannot overflow).
            let mut acc: WideWord = 0;
            let mut carries: Word = 0;
            for (&w, &c) in words.iter().zip(coefficients) {
                let (sum, overflow) = acc.overflowing_add(WideWord::from(w) * WideWord::from(c));
                acc = sum;
                carries += Word::from(overflow);
            }
            let wide = Uint::<3>::from_words([acc as Word, (acc >> Word::BITS) as Word, carries]);
            let r = wide.rem_limb_with_reciprocal(&group.reciprocal).0;
            let primes = self
                .primes
                .get(group.start as usize..group.end as usize)
                .unwrap_or(&[]);
            // `r % p == candidate % p` since p divides the group's product.
            if primes.iter().any(|&p| r.is_multiple_of(p)) {
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
        assert_eq!(t.primes[0], 3);
        assert_eq!(*t.primes.last().unwrap(), 32749); // largest prime below 2^15
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

    #[test]
    fn gcd_with_e_minus_one() {
        // p = 2·65537 + 1 = 131075 ≡ 1 (mod 65537); p = 131077 ≡ 3.
        assert!(!coprime_to_e_minus_one(&BoxedUint::from(131075u64)));
        assert!(coprime_to_e_minus_one(&BoxedUint::from(131077u64)));
    }
}
