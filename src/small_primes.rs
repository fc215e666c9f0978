//! Trial division of prime candidates by the odd primes below a bound, and the FIPS 186-5 A.1.3
//! step 4.5 / 5.6 test `GCD(p − 1, e) = 1` for e = 65537.
//!
//! Trial division is the optimisation FIPS 186-5 Appendix B.3 allows before Miller–Rabin: it
//! removes most composites for the cost of a few single-limb remainders instead of a modular
//! exponentiation. The primes are packed into groups whose product fits one machine word, so one
//! pass over the candidate's limbs (a remainder by a precomputed reciprocal) tests a whole group.
//!
//! The bound is chosen per prime size. A random candidate survives trial division up to B with
//! probability ≈ 1.12 / ln B, and each survivor costs an exponentiation, while each group costs a
//! single-limb remainder over the whole candidate for the candidates that reach it. Measured
//! (`prime_search::cost_model`, x86-64): one group costs ≈ 0.3 µs on a 2048-bit candidate, so the
//! expected cost per candidate is flat between 2^15 and 2^16 and rises beyond (2^18 is 25% worse);
//! we use 2^15 for 1024-bit primes and 2^16 above. The tables are built per key generation
//! (≈ 0.3 ms) rather than stored in the binary; 32-bit targets use 2^13.
//!
//! Timing: the search stops at the first group that divides the candidate, so it runs in time
//! that depends on the candidate *only when the candidate is rejected*. A rejected candidate is a
//! discarded random value that is never used again, so its timing tells an observer nothing about
//! the prime eventually accepted. A candidate that passes goes through every group, so the time
//! spent on it does not depend on its value.

use alloc::vec;
use alloc::vec::Vec;

use crypto_bigint::{BoxedUint, Limb, Reciprocal, Word};

/// The RSA public exponent. It is prime, so `GCD(p − 1, e) = 1` ⇔ `p mod e ≠ 1`.
const E: Word = 65537;

const E_RECIPROCAL: Reciprocal =
    Reciprocal::new(Limb(E).to_nz().expect_copied("65537 is not zero"));

/// A run of consecutive primes `primes[start..end]` whose product fits one `Word`.
struct Group {
    reciprocal: Reciprocal,
    start: u32,
    end: u32,
}

/// Trial-division tables for one prime size.
pub(crate) struct TrialDivision {
    primes: Vec<Word>,
    groups: Vec<Group>,
}

impl TrialDivision {
    /// The tables for `bits`-bit prime candidates (see the module documentation for the bound).
    pub(crate) fn for_prime_bits(bits: u32) -> Self {
        let bound = if cfg!(target_pointer_width = "64") {
            match bits {
                0..=1024 => 1 << 15,
                _ => 1 << 16,
            }
        } else {
            1 << 13
        };
        Self::below(bound)
    }

    /// The tables for the odd primes below `bound`.
    pub(crate) fn below(bound: usize) -> Self {
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
        let mut groups = Vec::new();
        let mut i = 0;
        while i < primes.len() {
            let start = i;
            let mut product: Word = 1;
            while let Some(next) = primes.get(i).and_then(|&p| product.checked_mul(p)) {
                product = next;
                i += 1;
            }
            if let Some(divisor) = Limb(product).to_nz().into_option() {
                groups.push(Group {
                    reciprocal: Reciprocal::new(divisor),
                    start: start as u32,
                    end: i as u32,
                });
            }
        }
        TrialDivision { primes, groups }
    }

    /// `true` when `candidate` has an odd prime factor in the tables (and is larger than the
    /// bound, as every candidate searched here is), so it is certainly composite. Early exit on
    /// rejection only: see the module documentation.
    pub(crate) fn has_small_factor(&self, candidate: &BoxedUint) -> bool {
        for group in &self.groups {
            let r = candidate.rem_limb_with_reciprocal(&group.reciprocal).0;
            let primes = self
                .primes
                .get(group.start as usize..group.end as usize)
                .unwrap_or(&[]);
            // `r % p == candidate % p` since p divides the group's product.
            if primes.iter().any(|&p| r % p == 0) {
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
        let t = TrialDivision::below(1 << 15);
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
        assert_eq!(TrialDivision::below(1 << 18).primes.len(), 23000 - 1); // π(2^18) = 23000
    }

    #[test]
    fn finds_factors_and_passes_primes() {
        let t = TrialDivision::below(1 << 15);
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
            TrialDivision::below(1 << 16)
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
