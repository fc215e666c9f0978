//! What a feature profile leaves out: [`Unsupported`] names the operation and the Cargo feature
//! that brings it back ([`Error::Unsupported`]).

use core::fmt;

use crate::error::Error;

/// What a build compiled without some of its features cannot do, and the Cargo feature that
/// brings it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unsupported {
    /// What was asked for, in AWS's words where there are some (`"SM2PKE"`, `"ECC_NIST_P384 key
    /// material"`).
    pub what: &'static str,
    /// The Cargo feature of `kms-import` that compiles it (`"sm2"`, `"ecc-p384"`).
    pub feature: &'static str,
}

impl Unsupported {
    /// `what` needs the Cargo feature `feature`.
    pub const fn new(what: &'static str, feature: &'static str) -> Self {
        Unsupported { what, feature }
    }
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not supported by this build (kms-import was compiled without its `{}` feature)",
            self.what, self.feature
        )
    }
}

impl core::error::Error for Unsupported {}

impl From<Unsupported> for Error {
    fn from(u: Unsupported) -> Self {
        Error::Unsupported(u)
    }
}
