#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused_qualifications)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod error;
pub mod hazmat;
mod kwp;
pub mod limits;
pub mod material;
pub mod matrix;
mod names;
mod prime_search;
#[cfg(feature = "parallel")]
mod prime_search_parallel;
mod rsa_aes_key_wrap;
mod rsa_key;
mod rsa_keygen;
mod rsa_oaep;
mod secret;
mod small_primes;
mod sm2_pke;
mod wrap;
mod wrapping_key;

pub use error::{Error, PKCS1_V1_5_DEPRECATED_SINCE};
pub use names::{
    KeySpec, MaterialKind, Partition, UnknownName, WrappingAlgorithm, WrappingKeySpec,
};
pub use secret::KeyMaterial;
pub use wrapping_key::{RSA_PUBLIC_EXPONENT, WrappingPrivateKey, WrappingPublicKey};

/// Re-exported so callers can name the RNG traits this crate takes.
pub use rand_core;
