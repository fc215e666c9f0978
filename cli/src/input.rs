//! Where an input comes from: a file, `-` for standard input, or the value itself.
//!
//! Every input that names a key, token or ciphertext is a path, `-`, or — for what is
//! not secret — the value inline when it is unmistakably base64 and no file has that name.
//! Secrets are read only from regular files or `-`, never from a FIFO or a device (which
//! could hang, or be swapped in by someone else), and the token key and private key files must not
//! be accessible by group or others, as ssh requires of its keys. Nothing here decodes: the bytes
//! go to `kms_import_client`: `encoding` (keys, tokens, ciphertexts) or `material` (key
//! material).

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{ErrorKind, IsTerminal, Read};
use std::path::Path;
use std::time::Duration;

use kms_import::KeyMaterial;
use kms_import_client::display;
use kms_import_client::input::{MAX_INPUT_LEN, empty, too_large};

/// Where an input's bytes came from (the shared type: the page names its inputs the same way).
pub use kms_import_client::Origin;

use crate::failure::{Failure, Outcome};

/// Shortest inline value taken as base64: 44 characters, 32 bytes. Every public key, import
/// token and ciphertext is longer; a short word that happens to be base64 is a missing file.
const MIN_INLINE_BASE64: usize = 44;

/// One kind of input: its name in messages, its flag, and how secret it is.
#[derive(Clone, Copy, Debug)]
pub struct What {
    /// "public key", "token key", ...
    pub name: &'static str,
    /// The flag that names it, for messages.
    pub flag: &'static str,
    /// Read only from a regular file or `-`; never inline.
    pub secret: bool,
    /// The file must be private (mode 0600 or stricter).
    pub private_file: bool,
}

pub const PUBLIC_KEY: What = What::public("public key", "--public-key");
pub const IMPORT_TOKEN: What = What::public("import token", "--import-token");
pub const ENCRYPTED_KEY_MATERIAL: What =
    What::public("encrypted key material", "--encrypted-key-material");
pub const KEY_MATERIAL: What = What {
    name: "key material",
    flag: "--key-material",
    secret: true,
    private_file: false,
};
pub const PRIVATE_KEY: What = What::private("private key", "--private-key");
pub const TOKEN_KEY: What = What::private("token key", "--token-key");

impl What {
    const fn public(name: &'static str, flag: &'static str) -> Self {
        What {
            name,
            flag,
            secret: false,
            private_file: false,
        }
    }

    const fn private(name: &'static str, flag: &'static str) -> Self {
        What {
            name,
            flag,
            secret: true,
            private_file: true,
        }
    }
}

/// An input's bytes (wiped on drop) and where they came from.
pub struct Input {
    pub bytes: KeyMaterial,
    pub origin: Origin,
}

/// Whether the argument names standard input.
pub fn is_stdin(arg: &Path) -> bool {
    arg.as_os_str() == "-"
}

/// Reads the input `arg` names (see the module documentation).
pub fn read(arg: &Path, what: What) -> Outcome<Input> {
    if is_stdin(arg) {
        return Ok(Input {
            bytes: read_stdin(what)?,
            origin: Origin::Stdin,
        });
    }
    match fs::symlink_metadata(arg) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            return Err(cannot_read(arg, what, &e));
        }
        // Not found, a name too long for a file (a pasted value), a "directory" that is a file.
        Err(_) => return read_value(arg, what),
    }
    let bytes = read_file(arg, what)?;
    if bytes.is_empty() {
        return Err(Failure::refused(empty(what.name, &display::path(arg))));
    }
    Ok(Input {
        bytes,
        origin: Origin::File(arg.to_path_buf()),
    })
}

/// No file has this name: the value itself if it is unmistakably base64 and not secret.
fn read_value(arg: &Path, what: What) -> Outcome<Input> {
    let text = arg.to_string_lossy();
    if looks_like_base64(&text) {
        if what.secret {
            // Not even a prefix of a secret is shown.
            return Err(Failure::usage(format_args!(
                "{} was given the {} itself ({} characters of base64), where every user of this \
                 machine can read it (ps); save it in a file with mode 0600, or pass - and pipe it in",
                what.flag,
                what.name,
                text.len()
            )));
        }
        return Ok(Input {
            bytes: KeyMaterial::from_slice(text.as_bytes()),
            origin: Origin::Inline,
        });
    }
    let hint = if text.starts_with("fileb://") || text.starts_with("file://") {
        "; `fileb://` is the aws CLI's syntax: kms-import takes the path itself"
    } else if what.secret {
        ""
    } else {
        ", and it is not base64 text either"
    };
    Err(Failure::refused(format_args!(
        "cannot read {} {}: no such file{hint}",
        what.name,
        display::value(&text)
    )))
}

/// Base64 alphabet and whitespace only, of a length and padding that decode, and long enough.
fn looks_like_base64(text: &str) -> bool {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    compact.len() >= MIN_INLINE_BASE64
        && compact.len().is_multiple_of(4)
        && kms_import_client::encoding::decode_base64(&compact).is_some()
}

fn read_stdin(what: What) -> Outcome<KeyMaterial> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Failure::usage(format_args!(
            "{} - reads the {} from standard input, which is a terminal; pipe it in or name a file",
            what.flag, what.name
        )));
    }
    let bytes = read_bounded(stdin.lock(), what, "standard input")?;
    if bytes.is_empty() {
        return Err(Failure::refused(format_args!(
            "the {} on standard input is empty",
            what.name
        )));
    }
    Ok(bytes)
}

/// Opens without blocking (a FIFO with no writer would block `open` itself), then looks at what
/// was opened: a regular file is read; a FIFO only when the input is not secret; nothing else.
fn read_file(path: &Path, what: What) -> Outcome<KeyMaterial> {
    let mut options = OpenOptions::new();
    options.read(true);
    non_blocking(&mut options);
    let file = options
        .open(path)
        .map_err(|e| cannot_read(path, what, &e))?;
    let meta = file.metadata().map_err(|e| cannot_read(path, what, &e))?;
    let shown = display::path(path);
    if meta.is_file() {
        if what.private_file {
            check_private(&meta, path, what)?;
        }
        return read_bounded(file, what, &shown);
    }
    let kind = kind_of(&meta);
    if kind == "a FIFO" && !what.secret {
        return read_bounded(NonBlocking(file), what, &shown);
    }
    let advice = if what.secret {
        "secrets are read only from regular files or - (standard input)"
    } else {
        "name a regular file, or pass - and pipe it in"
    };
    Err(Failure::usage(format_args!(
        "the {} {shown} is {kind}, not a regular file; {advice}",
        what.name
    )))
}

/// Reads at most [`MAX_INPUT_LEN`] bytes into a buffer wiped on drop (inputs may be secret).
fn read_bounded(reader: impl Read, what: What, shown: &str) -> Outcome<KeyMaterial> {
    let mut buf = Vec::with_capacity(8192);
    // One byte past the limit tells "exactly at the limit" from "over it".
    let read = reader.take(MAX_INPUT_LEN + 1).read_to_end(&mut buf);
    let bytes = KeyMaterial::new(buf);
    read.map_err(|e| Failure::refused(format_args!("cannot read {} {shown}: {e}", what.name)))?;
    if bytes.len() as u64 > MAX_INPUT_LEN {
        return Err(Failure::refused(too_large(what.name, shown)));
    }
    Ok(bytes)
}

/// A FIFO opened with `O_NONBLOCK`: waits for data while a writer is connected, and ends when
/// none is (at once, for a FIFO nobody writes to).
struct NonBlocking(File);

impl Read for NonBlocking {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                other => return other,
            }
        }
    }
}

fn cannot_read(path: &Path, what: What, e: &std::io::Error) -> Failure {
    Failure::refused(format_args!(
        "cannot read {} {}: {e}",
        what.name,
        display::path(path)
    ))
}

/// "a directory", "a FIFO", "a character device", ... for messages.
pub fn kind_of(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return "a directory";
    }
    if ft.is_symlink() {
        return "a symbolic link";
    }
    if ft.is_file() {
        return "a regular file";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

#[cfg(unix)]
fn non_blocking(options: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NONBLOCK);
}

#[cfg(not(unix))]
fn non_blocking(_options: &mut OpenOptions) {}

/// ssh's rule for private keys: no access at all for group and others.
#[cfg(unix)]
fn check_private(meta: &Metadata, path: &Path, what: What) -> Outcome {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 == 0 {
        return Ok(());
    }
    Err(Failure::refused(format_args!(
        "the {} {} is accessible by group or others (mode {mode:04o}); a secret must be private: \
         run `chmod 600 {}`",
        what.name,
        display::path(path),
        display::shell_word(path)
    )))
}

#[cfg(not(unix))]
fn check_private(_meta: &Metadata, _path: &Path, _what: What) -> Outcome {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_base64_needs_length_and_padding() {
        assert!(looks_like_base64(&"QUJD".repeat(11)));
        assert!(!looks_like_base64("QUJD"));
        assert!(!looks_like_base64("keys/PublicKey"));
        assert!(!looks_like_base64(&format!("{}A", "QUJD".repeat(11))));
    }
}
