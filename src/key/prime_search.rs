//! One step of the FIPS 186-5 Appendix A.1.3 prime search: draw a fresh random candidate and decide
//! whether it is an acceptable RSA prime `p` (steps 4.2–4.5) or `q` (steps 5.2–5.6).
//!
//! Every candidate is a fresh, independent, uniform draw (A.1.3 step 4.2), not an increment of
//! the previous one. That keeps the accepted prime uniformly distributed over the acceptable primes
//! (no bias towards primes after long gaps) and makes the parallel search
//! (`prime_search_parallel`) distributed exactly like this one.
//!
//! Cost model (RSA-4096, 2048-bit primes; see BENCHMARKS.md): a random 2048-bit odd number is prime
//! with probability ≈ 1/710; trial division (B.3, `small_primes`) leaves ≈ 1 candidate in 10, and
//! each survivor costs one Miller–Rabin exponentiation, which is where almost all the time goes.
//! The exponentiations are this crate's own fixed-width Montgomery arithmetic (`crate::arith`).
//! A survivor is first put through a base-2 round computed by squarings and a one-limb
//! multiplication by 2^e per 5-bit window of d (≈ 77 % of a random-base round at 2048 bits):
//! composites fail it, so only the final prime pays for it and for every random-base round of
//! Table B.1.
//!
//! Timing: a rejected candidate may be rejected early (trial division, the base-2 filter, a
//! Miller–Rabin round); a rejected candidate is a discarded random value, so that timing reveals
//! nothing about the prime finally accepted. For the accepted prime every step is constant-time
//! (Montgomery setup, exponentiation, the squarings after it without early exit) except the
//! number s of those squarings, where p − 1 = 2^s·d: s is ≈ 2 bits of p on average, as in every
//! Miller–Rabin implementation that does not pad the loop to the candidate's width.

use crypto_bigint::{BitOps, BoxedUint, CheckedAdd, NonZero, RandomBits, RandomMod, Word};
use rand_core::CryptoRng;

use crate::arith::miller_rabin::PrimeCandidate;
use crate::key::small_primes::{self, TrialDivision};
use crate::policy::material::rsa::primes_far_enough_apart as far_enough_apart;

/// The top word of `√2 · 2^(W−1)`, rounded down (W = bits in a `Word`): √2 = 1.0110101000001…₂.
/// A candidate whose top word is above it is above `√2 · 2^(k−1)`; one whose top word equals it is
/// rejected (a 2^−64 sliver just above the bound is lost, which keeps the check exact and simple).
const SQRT2_TOP: Word = (0xB504_F333_F9DE_6484_u64 >> (64 - Word::BITS)) as Word;

/// What to search for: a `bits`-bit prime tested with `mr_rounds` random-base Miller–Rabin rounds
/// (FIPS 186-5 Table B.1), optionally far enough from an already chosen `p` (A.1.3 step 5.4).
pub(crate) struct Target<'a> {
    pub(crate) bits: u32,
    pub(crate) mr_rounds: usize,
    pub(crate) other: Option<&'a BoxedUint>,
    /// Trial-division tables for `bits`-bit candidates.
    pub(crate) trial: &'a TrialDivision,
}

impl Target<'_> {
    /// An upper bound on the candidates one search may draw before reporting an RNG failure. FIPS
    /// 186-5 A.1.3 step 4.7 returns FAILURE after 5·(nlen/2) candidates and the caller starts again;
    /// this allows twenty such attempts (a sound RNG exhausts them with probability < 2^−250), so a
    /// broken RNG (e.g. all zeros) ends in an error instead of a hang.
    pub(crate) fn candidate_limit(&self) -> u64 {
        20 * 5 * u64::from(self.bits)
    }
}

/// The outcome of one candidate.
pub(crate) enum Tested {
    /// The candidate is an acceptable prime.
    Prime(BoxedUint),
    /// The candidate was rejected (or the search was told to stop).
    Rejected,
}

/// Draws one candidate from `rng` and tests it (the single-thread search). `keep_going` is
/// polled between the expensive steps and within the base-2 round; `&|| true` tests every
/// candidate to its end.
pub(crate) fn test_one_candidate<R: CryptoRng + ?Sized>(
    rng: &mut R,
    target: &Target<'_>,
    keep_going: &dyn Fn() -> bool,
) -> Tested {
    let Some(Screened {
        candidate,
        mr,
        first_base,
    }) = screen_candidate(rng, target, keep_going)
    else {
        return Tested::Rejected;
    };
    // Step 4.5.1 / Appendix B.3.1: Miller–Rabin with random bases, Table B.1 rounds, each base
    // drawn after the previous round passed.
    let mut base = first_base;
    for round in 0..target.mr_rounds {
        if round > 0 {
            let Some(next) = random_base(rng, &candidate) else {
                return Tested::Rejected;
            };
            base = next;
        }
        if !keep_going() || !mr.test(&base) {
            return Tested::Rejected;
        }
    }
    Tested::Prime(candidate)
}

/// A candidate that passed every step before its Table B.1 rounds (see [`screen_candidate`]).
pub(crate) struct Screened {
    /// The candidate (secret once accepted).
    pub(crate) candidate: BoxedUint,
    /// The candidate prepared for Miller–Rabin rounds.
    pub(crate) mr: PrimeCandidate,
    /// The first round's base, drawn before the base-2 filter (see [`screen_candidate`]).
    pub(crate) first_base: BoxedUint,
}

/// Draws one candidate from `rng` and puts it through every step before its Table B.1 rounds:
/// steps 4.2–4.5 (5.2–5.6), trial division, and the base-2 composite filter. `None` when it is
/// rejected (or `keep_going` said to stop). The remaining bases are drawn from `rng` after
/// this, in order, one per round.
pub(crate) fn screen_candidate<R: CryptoRng + ?Sized>(
    rng: &mut R,
    target: &Target<'_>,
    keep_going: &dyn Fn() -> bool,
) -> Option<Screened> {
    let bits = target.bits;
    // Step 4.2: a string of nlen/2 bits from the RBG.
    let mut candidate = BoxedUint::random_bits(rng, bits);
    // Step 4.3: if p is not odd, p = p + 1 (for even p this is exactly setting bit 0).
    candidate.set_bit_vartime(0, true);

    // Step 5.4 (q only): |p − q| > 2^(nlen/2 − 100).
    if let Some(p) = target.other
        && !far_enough_apart(p, &candidate, bits)
    {
        return None;
    }
    // Step 4.4 / 5.5: p ≥ √2 · 2^(nlen/2 − 1).
    if !at_least_sqrt2_bound(&candidate, bits) {
        return None;
    }
    // Step 4.5 / 5.6: GCD(p − 1, e) = 1.
    if !small_primes::coprime_to_e_minus_one(&candidate) {
        return None;
    }
    // Appendix B.3: optional trial division before Miller–Rabin.
    if target.trial.has_small_factor(&candidate) {
        return None;
    }
    if !keep_going() {
        return None;
    }
    let mr = PrimeCandidate::new(&candidate, bits)?;
    // The first base is drawn before the composite filter, exactly when `crypto-primes`'
    // `MillerRabin` drew it, so the RNG stream — and the prime a seed gives — is what it was
    // before the filter existed (a composite that the base-2 round and a random-base round
    // judge differently is astronomically rare).
    let first_base = random_base(rng, &candidate)?;
    // The composite filter: a base-2 round costs about 77 % of a random-base one, and almost
    // every candidate that reaches this point is composite and fails it. It only ever rejects
    // composites, so the primes accepted are the same; only the final prime pays for it as
    // well as for every Table B.1 round.
    if !keep_going() || mr.test_base_two_while(keep_going) != Some(true) {
        return None;
    }
    Some(Screened {
        candidate,
        mr,
        first_base,
    })
}

/// A Miller–Rabin base uniform in [2, w − 2] (FIPS 186-5 B.3.1 step 4.1), drawn exactly as
/// `crypto-primes` 0.7's `MillerRabin::test_random_base` draws it (rejection sampling of
/// w − 3 then + 2), so that a seed gives the same candidates as it did with that test.
pub(crate) fn random_base<R: CryptoRng + ?Sized>(rng: &mut R, w: &BoxedUint) -> Option<BoxedUint> {
    let range = NonZero::new(w.wrapping_sub(BoxedUint::from(3u32))).into_option()?;
    BoxedUint::random_mod_vartime(rng, &range)
        .checked_add(&BoxedUint::from(2u32))
        .into_option()
}

/// `candidate ≥ √2 · 2^(bits − 1)`, judged on the top word (see [`SQRT2_TOP`]). `bits` is a
/// multiple of the word size (RSA-2048/3072/4096 primes are 1024/1536/2048 bits).
fn at_least_sqrt2_bound(candidate: &BoxedUint, bits: u32) -> bool {
    let top = (bits / Word::BITS).checked_sub(1).map(|i| i as usize);
    match top.and_then(|i| candidate.as_words().get(i)) {
        Some(&w) => w > SQRT2_TOP,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pow2(bits: u32, precision: u32) -> BoxedUint {
        BoxedUint::one_with_precision(precision).shl(bits)
    }

    #[test]
    fn sqrt2_bound() {
        // 0.75 · 2^1024 (top bits 11) passes; 0.70 · 2^1024 (top word 0xB333…) and the exact
        // truncated bound fail.
        let mut x = pow2(1023, 1024) | pow2(1022, 1024);
        assert!(at_least_sqrt2_bound(&x, 1024));
        x = BoxedUint::zero_with_precision(1024);
        x.as_mut_words()[15] = 0xB333_3333_3333_3333 >> (64 - Word::BITS);
        assert!(!at_least_sqrt2_bound(&x, 1024));
        x.as_mut_words()[15] = SQRT2_TOP;
        assert!(!at_least_sqrt2_bound(&x, 1024));
        x.as_mut_words()[15] = SQRT2_TOP + 1;
        assert!(at_least_sqrt2_bound(&x, 1024));
    }

    #[test]
    fn distance_between_p_and_q() {
        let p = pow2(1023, 1024) | BoxedUint::one_with_precision(1024);
        let near = p.wrapping_add(pow2(924, 1024)); // |p − q| = 2^924: not enough
        let far = p
            .wrapping_add(pow2(924, 1024))
            .wrapping_add(BoxedUint::from(2u8));
        assert!(!far_enough_apart(&p, &near, 1024));
        assert!(!far_enough_apart(&near, &p, 1024));
        assert!(far_enough_apart(&p, &far, 1024));
        assert!(far_enough_apart(&far, &p, 1024));
        assert!(!far_enough_apart(&p, &p, 1024));
    }
}

/// Cost model of the search, printed (not asserted):
/// `cargo test --release --lib prime_search::cost_model -- --ignored --nocapture`.
#[cfg(test)]
mod cost_model {
    use super::*;
    use rand::SeedableRng;
    use std::time::Instant;

    #[test]
    #[ignore = "prints timings"]
    fn cost_per_candidate() {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
        for bits in [1024u32, 2048] {
            let candidates: alloc::vec::Vec<BoxedUint> = (0..20000)
                .map(|_| {
                    let mut c = BoxedUint::random_bits(&mut rng, bits);
                    c.set_bit_vartime(0, true);
                    c.set_bit_vartime(bits - 1, true);
                    c
                })
                .collect();
            let reps = 20;
            let t = Instant::now();
            for c in candidates.iter().take(reps) {
                // What a survivor of trial division costs: the base-2 composite filter.
                let mr = PrimeCandidate::new(c, bits).unwrap();
                core::hint::black_box(mr.test_base_two());
            }
            let mr_cost = t.elapsed().as_secs_f64() / reps as f64;
            let t = Instant::now();
            for c in candidates.iter().take(reps) {
                let mr = PrimeCandidate::new(c, bits).unwrap();
                core::hint::black_box(mr.test(&random_base(&mut rng, c).unwrap()));
            }
            let random_cost = t.elapsed().as_secs_f64() / reps as f64;
            std::println!(
                "{bits}-bit: base-2 filter {:.3} ms, one random-base Miller-Rabin round {:.3} ms",
                mr_cost * 1e3,
                random_cost * 1e3
            );
            for log_bound in [12u32, 14, 15, 16, 17, 18] {
                let t = Instant::now();
                let trial = TrialDivision::below(1 << log_bound, bits);
                let build = t.elapsed().as_secs_f64();
                let t = Instant::now();
                let survivors = candidates
                    .iter()
                    .filter(|c| !trial.has_small_factor(c))
                    .count();
                let per_candidate = t.elapsed().as_secs_f64() / candidates.len() as f64;
                let frac = survivors as f64 / candidates.len() as f64;
                std::println!(
                    "  B=2^{log_bound}: tables {:.2} ms, trial division {:.2} µs/candidate, \
                     survivors {:.4}, expected cost {:.1} µs/candidate",
                    build * 1e3,
                    per_candidate * 1e6,
                    frac,
                    (per_candidate + frac * mr_cost) * 1e6
                );
            }
        }
    }
}
