//! What the `kms-import` CLI and the browser page (`web/`) share: the pure, I/O-free client side
//! of an import, so that both read the same inputs, refuse the same things and say the same
//! words.
//!
//! - [`encoding`]: a key, token or ciphertext in the form people hold it (DER, PEM, base64 text,
//!   the `get-parameters-for-import` JSON), detected by content;
//! - [`recognise`]: what looks like a key or a token but is something else (the aws CLI's text
//!   and table output, `get-public-key`'s JSON, PKCS#1, SEC1, encrypted keys), with what to do;
//! - [`keys`]: a wrapping public key from any of those forms;
//! - [`material`]: the key material `wrap` encrypts, in the forms people hold it;
//! - [`wrap_checks`]: what `wrap` checks before it encrypts (the matrix and the material, for
//!   one key spec or every key spec the material can be for);
//! - [`matrix_json`]: a matrix verdict in the shape `kms-import matrix --json` prints;
//! - [`display`]: how messages quote what the user gave; [`input`]: the size any input may be.
//!
//! Nothing here reads a file, a terminal or a clock: callers bring the bytes and say where they
//! came from ([`Origin`], for the commands a refusal suggests). Every refusal is a `String`, the
//! reason a person can act on; callers prefix it with the input's name. The RNG (Miller–Rabin
//! bases for RSA material) is the caller's.

#![forbid(unsafe_code)]

pub mod display;
pub mod encoding;
pub mod input;
pub mod keys;
pub mod material;
pub mod matrix_json;
mod origin;
pub mod recognise;
pub mod wrap_checks;

pub use origin::Origin;
