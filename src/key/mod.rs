//! Keys: wrapping key pairs for every `WrappingKeySpec`, RSA key generation (FIPS 186-5 A.1.3
//! prime search with trial division), SM2 scalars, and the pool of pregenerated wrapping keys.

#[cfg(feature = "keygen")]
pub(crate) mod pool;
#[cfg(all(feature = "std", feature = "keygen"))]
pub(crate) mod pool_filler;
#[cfg(feature = "keygen")]
pub(crate) mod prime_search;
#[cfg(feature = "parallel")]
pub(crate) mod prime_search_parallel;
#[cfg(feature = "keygen")]
pub(crate) mod rsa_keygen;
#[cfg(feature = "sm2")]
pub(crate) mod sm2_scalar;
#[cfg(feature = "keygen")]
pub(crate) mod small_primes;
pub(crate) mod wrapping_key;
