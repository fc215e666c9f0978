//! What any input may be, whoever reads it (a file, standard input, a file a browser hands over).

/// Largest input read, in bytes: far above any key, token or ciphertext KMS handles (6144
/// bytes), low enough that a wrong file (a disk image) fails fast. Readers read one byte more
/// to tell "exactly at the limit" from "over it".
pub const MAX_INPUT_LEN: u64 = 1 << 20;

/// `the {what} {shown} is empty`: `what` names the input ("key material"), `shown` the file.
pub fn empty(what: &str, shown: &str) -> String {
    format!("the {what} {shown} is empty")
}

/// `the {what} {shown} is larger than 1048576 bytes`.
pub fn too_large(what: &str, shown: &str) -> String {
    format!("the {what} {shown} is larger than {MAX_INPUT_LEN} bytes")
}
