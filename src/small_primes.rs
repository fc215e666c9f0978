//! Trial division of prime candidates by the odd primes below [`TRIAL_DIVISION_BOUND`], and the
//! FIPS 186-5 A.1.3 step 4.5 / 5.6 test `GCD(p − 1, e) = 1` for e = 65537.
//!
//! Trial division is the optimisation FIPS 186-5 Appendix B.3 allows before Miller–Rabin: it
//! removes most composites for the cost of a few single-limb remainders instead of a 2048-bit
//! modular exponentiation. The primes are packed into groups whose product fits one machine word,
//! so one pass over the candidate's limbs (a remainder by a precomputed reciprocal) tests a whole
//! group. The tables are built at compile time and are a few kilobytes, so this also suits
//! embedded targets.
//!
//! Timing: the search stops at the first group that divides the candidate, so it runs in time
//! that depends on the candidate *only when the candidate is rejected*. A rejected candidate is a
//! discarded random value that is never used again, so its timing tells an observer nothing about
//! the prime eventually accepted. A candidate that passes goes through every group, so the time
//! spent on it does not depend on its value.

use crypto_bigint::{BoxedUint, Limb, Reciprocal, Word};

/// Odd primes below this bound are tried. Tuned with `examples/prime_profile.rs`: past a few
/// thousand primes the extra divisions cost more than the Miller–Rabin rounds they save.
pub(crate) const TRIAL_DIVISION_BOUND: usize = 1 << 15;

/// The RSA public exponent. It is prime, so `GCD(p − 1, e) = 1` ⇔ `p mod e ≠ 1`.
const E: Word = 65537;

const fn sieve() -> [bool; TRIAL_DIVISION_BOUND] {
    let mut composite = [false; TRIAL_DIVISION_BOUND];
    composite[0] = true;
    composite[1] = true;
    let mut i = 2;
    while i * i < TRIAL_DIVISION_BOUND {
        if !composite[i] {
            let mut j = i * i;
            while j < TRIAL_DIVISION_BOUND {
                composite[j] = true;
                j += i;
            }
        }
        i += 1;
    }
    composite
}

const COMPOSITE: [bool; TRIAL_DIVISION_BOUND] = sieve();

const fn count_odd_primes() -> usize {
    let mut n = 0;
    let mut i = 3;
    while i < TRIAL_DIVISION_BOUND {
        if !COMPOSITE[i] {
            n += 1;
        }
        i += 2;
    }
    n
}

const PRIME_COUNT: usize = count_odd_primes();

const fn odd_primes() -> [Word; PRIME_COUNT] {
    let mut primes = [0; PRIME_COUNT];
    let mut n = 0;
    let mut i = 3;
    while i < TRIAL_DIVISION_BOUND {
        if !COMPOSITE[i] {
            primes[n] = i as Word;
            n += 1;
        }
        i += 2;
    }
    primes
}

/// The odd primes below [`TRIAL_DIVISION_BOUND`], ascending.
static PRIMES: [Word; PRIME_COUNT] = odd_primes();

/// A run of consecutive primes `PRIMES[start..end]` whose product fits one `Word`.
#[derive(Clone, Copy)]
struct Group {
    reciprocal: Reciprocal,
    start: u16,
    end: u16,
}

const fn count_groups() -> usize {
    let primes = odd_primes();
    let mut groups = 0;
    let mut i = 0;
    while i < PRIME_COUNT {
        let mut product: Word = 1;
        while i < PRIME_COUNT {
            match product.checked_mul(primes[i]) {
                Some(p) => product = p,
                None => break,
            }
            i += 1;
        }
        groups += 1;
    }
    groups
}

const GROUP_COUNT: usize = count_groups();

const fn groups() -> [Group; GROUP_COUNT] {
    let primes = odd_primes();
    let mut out = [Group {
        reciprocal: Reciprocal::default(),
        start: 0,
        end: 0,
    }; GROUP_COUNT];
    let mut g = 0;
    let mut i = 0;
    while i < PRIME_COUNT {
        let start = i;
        let mut product: Word = 1;
        while i < PRIME_COUNT {
            match product.checked_mul(primes[i]) {
                Some(p) => product = p,
                None => break,
            }
            i += 1;
        }
        out[g] = Group {
            reciprocal: Reciprocal::new(Limb(product).to_nz().expect_copied("odd primes")),
            start: start as u16,
            end: i as u16,
        };
        g += 1;
    }
    out
}

static GROUPS: [Group; GROUP_COUNT] = groups();

const E_RECIPROCAL: Reciprocal =
    Reciprocal::new(Limb(E).to_nz().expect_copied("65537 is not zero"));

/// `true` when `candidate` has an odd prime factor below [`TRIAL_DIVISION_BOUND`] (and is not
/// that prime itself), so it is certainly composite. Early exit on rejection only: see the module
/// documentation.
pub(crate) fn has_small_factor(candidate: &BoxedUint) -> bool {
    for group in GROUPS.iter() {
        let r = candidate.rem_limb_with_reciprocal(&group.reciprocal).0;
        let primes = PRIMES
            .get(usize::from(group.start)..usize::from(group.end))
            .unwrap_or(&[]);
        for &p in primes {
            // `r % p == candidate % p`; the candidates searched here are far larger than `p`.
            if r % p == 0 {
                return true;
            }
        }
    }
    false
}

/// FIPS 186-5 A.1.3 steps 4.5 / 5.6: `GCD(p − 1, e) = 1`, which for the prime e = 65537 is
/// `p mod e ≠ 1`.
pub(crate) fn coprime_to_e_minus_one(candidate: &BoxedUint) -> bool {
    candidate.rem_limb_with_reciprocal(&E_RECIPROCAL).0 != 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_consistent() {
        assert_eq!(PRIMES[0], 3);
        assert_eq!(PRIMES[PRIME_COUNT - 1], 32749); // largest prime below 2^15
        // π(2^15) = 3512, minus the prime 2.
        assert_eq!(PRIME_COUNT, 3511);
        let mut next = 0;
        for g in GROUPS.iter() {
            assert_eq!(usize::from(g.start), next);
            assert!(g.end > g.start);
            next = usize::from(g.end);
        }
        assert_eq!(next, PRIME_COUNT);
    }

    #[test]
    fn finds_factors_and_passes_primes() {
        // 2^127 − 1 is prime; 3 · 5 · …, 32749 · 32719 and 32749 · (2^127 − 1) are not.
        let m127 = BoxedUint::from(u128::MAX >> 1);
        assert!(!has_small_factor(&m127));
        assert!(has_small_factor(&BoxedUint::from(32749u64 * 32719)));
        assert!(has_small_factor(&(m127.mul(&BoxedUint::from(32749u64)))));
        assert!(!has_small_factor(&m127.mul(&m127)));
    }

    #[test]
    fn gcd_with_e_minus_one() {
        // p = 2·65537 + 1 = 131075 ≡ 1 (mod 65537); p = 131077 ≡ 3.
        assert!(!coprime_to_e_minus_one(&BoxedUint::from(131075u64)));
        assert!(coprime_to_e_minus_one(&BoxedUint::from(131077u64)));
    }
}
