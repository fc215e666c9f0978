//! Our own constant-time, fixed-width modular exponentiation for the hot paths of RSA: the
//! Miller–Rabin rounds of the prime search (FIPS 186-5 Appendix B.3.1) and RSADP with the CRT
//! (RFC 8017 §5.1.2). Everything that is not hot stays with `crypto-bigint`, which is also the
//! reference these functions are tested against (`tests/arith_differential.rs`, the `modexp`
//! fuzz target).
//!
//! Numbers are `[u64; N]` (least significant limb first) with N fixed at compile time: 16, 24
//! and 32 limbs for the 1024-, 1536- and 2048-bit primes of RSA-2048/3072/4096, 32, 48 and 64
//! for their moduli. No allocation, no `unsafe`, no branch or memory index that depends on a
//! secret.

mod blinding;
pub(crate) mod exp;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub(crate) mod limbs;
// The prime search's rounds: key generation only.
#[cfg(feature = "keygen")]
pub(crate) mod miller_rabin;
pub(crate) mod montgomery;
pub(crate) mod rsadp;

/// The limbs of a `crypto-bigint` number as `[u64; N]`, or `None` when its value does not fit
/// (whether it fits is public for every caller: their widths are fixed; the words are read
/// without a branch on their values). Works for 32- and 64-bit `Word`s.
pub(crate) fn to_limbs<const N: usize>(x: &crypto_bigint::BoxedUint) -> Option<[u64; N]> {
    let mut out = [0u64; N];
    let mut overflow: crypto_bigint::Word = 0;
    let per_limb = (64 / crypto_bigint::Word::BITS) as usize;
    for (i, &w) in x.as_words().iter().enumerate() {
        let shift = (i % per_limb) as u32 * crypto_bigint::Word::BITS;
        match out.get_mut(i / per_limb) {
            // A conversion on 32-bit targets, where a `Word` is a `u32`.
            #[allow(clippy::useless_conversion)]
            Some(limb) => *limb |= u64::from(w) << shift,
            None => overflow |= w,
        }
    }
    (overflow == 0).then_some(out)
}

/// `[u64; N]` as a `crypto-bigint` number of 64·N bits.
pub(crate) fn from_limbs<const N: usize>(x: &[u64; N]) -> crypto_bigint::BoxedUint {
    let words = x.iter().flat_map(|&limb| {
        let per_limb = 64 / crypto_bigint::Word::BITS;
        (0..per_limb).map(move |k| (limb >> (k * crypto_bigint::Word::BITS)) as crypto_bigint::Word)
    });
    crypto_bigint::BoxedUint::from_words_with_precision(words, 64 * N as u32)
}

#[cfg(test)]
mod tests;
