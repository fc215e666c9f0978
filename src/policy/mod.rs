//! Names and policy: the AWS names as enums, the compatibility matrix, and the checks imported key
//! material must pass. Nothing here does cryptography; every decision is made from the names and
//! the bytes alone, before any key is used.

pub mod key_spec;
pub mod material;
pub mod matrix;
pub(crate) mod names;
