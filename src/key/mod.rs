//! Keys: wrapping key pairs for every `WrappingKeySpec`, RSA key generation (FIPS 186-5 A.1.3
//! prime search with trial division), SM2 scalars, and the pool of pregenerated wrapping keys.

pub(crate) mod pool;
#[cfg(feature = "std")]
pub(crate) mod pool_filler;
pub(crate) mod prime_search;
#[cfg(feature = "parallel")]
pub(crate) mod prime_search_parallel;
pub(crate) mod rsa_keygen;
pub(crate) mod sm2_scalar;
pub(crate) mod small_primes;
pub(crate) mod wrapping_key;
