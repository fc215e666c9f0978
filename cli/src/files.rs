//! Reading inputs with a size bound, and writing outputs atomically.
//!
//! Issue 5: "Output files are written atomically (temp file + rename) and never left
//! half-written". Each output goes to a fresh temporary file in the target's directory, is
//! flushed to disk (`fsync`), then renamed over the target; the directory is synced so the rename
//! itself survives a crash. On any error the temporary file is removed and the target is left as
//! it was.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::failure::{Failure, Outcome};
use kms_import::KeyMaterial;

/// Largest input file read, in bytes: far above any key, token or ciphertext KMS handles
/// (6144 bytes), low enough that a wrong path (a disk image, /dev/zero) fails fast.
pub const MAX_INPUT_LEN: u64 = 1 << 20;

/// Who may read an output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Secrets (private keys, token keys, plaintext key material): owner read/write only, 0600.
    OwnerOnly,
    /// Public data: the usual mode for new files (0666 less the umask).
    Default,
}

/// Reads a whole input file of at most [`MAX_INPUT_LEN`] bytes into a buffer that is wiped on
/// drop (inputs may be secret). `what` names the input in error messages.
pub fn read_input(path: &Path, what: &str) -> Outcome<KeyMaterial> {
    let file = File::open(path).map_err(|e| {
        Failure::refused(format_args!("cannot read {what} {}: {e}", path.display()))
    })?;
    let mut buf = Vec::with_capacity(
        file.metadata()
            .map(|m| m.len().min(MAX_INPUT_LEN) as usize + 1)
            .unwrap_or(8192),
    );
    // Read one byte past the limit to tell "exactly at the limit" from "over it".
    let read = file.take(MAX_INPUT_LEN + 1).read_to_end(&mut buf);
    let bytes = KeyMaterial::new(buf);
    read.map_err(|e| Failure::refused(format_args!("cannot read {what} {}: {e}", path.display())))?;
    if bytes.len() as u64 > MAX_INPUT_LEN {
        return Err(Failure::refused(format_args!(
            "{what} {} is larger than {MAX_INPUT_LEN} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}

/// An output written to a temporary file, not yet in place. Dropping it removes the temporary.
pub struct Staged {
    temp: Option<PathBuf>,
    target: PathBuf,
}

/// Writes `bytes` to a temporary file next to `target` and syncs it; [`Staged::commit`] puts it
/// in place.
pub fn stage(target: &Path, bytes: &[u8], access: Access) -> Outcome<Staged> {
    let fail = |e: std::io::Error| {
        Failure::refused(format_args!("cannot write {}: {e}", target.display()))
    };
    if target.as_os_str().is_empty() || target.file_name().is_none() {
        return Err(Failure::refused(format_args!(
            "cannot write {}: not a file name",
            target.display()
        )));
    }
    let dir = parent_dir(target);
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let mut attempt = 0u32;
    let (temp, mut file) = loop {
        let suffix = random_suffix().map_err(fail)?;
        let temp = dir.join(format!(".{name}.{suffix}.tmp"));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        set_mode(&mut options, access);
        match options.open(&temp) {
            Ok(file) => break (temp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 8 => attempt += 1,
            Err(e) => return Err(fail(e)),
        }
    };
    let staged = Staged {
        temp: Some(temp),
        target: target.to_path_buf(),
    };
    if access == Access::OwnerOnly {
        // Exactly 0600 whatever the umask.
        restrict(&file).map_err(fail)?;
    }
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    Ok(staged)
}

impl Staged {
    /// Renames the temporary file over the target and syncs the directory.
    pub fn commit(mut self) -> Outcome {
        let Some(temp) = self.temp.take() else {
            return Ok(());
        };
        if let Err(e) = fs::rename(&temp, &self.target) {
            let _ = fs::remove_file(&temp);
            return Err(Failure::refused(format_args!(
                "cannot write {}: {e}",
                self.target.display()
            )));
        }
        // Make the rename durable; a failure here leaves a complete file, so it is not an error.
        if let Ok(dir) = File::open(parent_dir(&self.target)) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = fs::remove_file(temp);
        }
    }
}

/// Writes one output file atomically.
pub fn write_atomically(target: &Path, bytes: &[u8], access: Access) -> Outcome {
    stage(target, bytes, access)?.commit()
}

/// Writes two output files that belong together (a key pair): both are staged before either is
/// put in place, and if the second cannot be put in place the first is removed again.
pub fn write_pair(first: (&Path, &[u8], Access), second: (&Path, &[u8], Access)) -> Outcome {
    if same_file(first.0, second.0) {
        return Err(Failure::usage(format_args!(
            "the two output files are the same: {}",
            first.0.display()
        )));
    }
    let a = stage(first.0, first.1, first.2)?;
    let b = stage(second.0, second.1, second.2)?;
    a.commit()?;
    if let Err(e) = b.commit() {
        let _ = fs::remove_file(first.0);
        return Err(e);
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!((fs::canonicalize(parent_dir(a)), fs::canonicalize(parent_dir(b))),
            (Ok(x), Ok(y)) if x == y && a.file_name() == b.file_name())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn random_suffix() -> std::io::Result<String> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(unix)]
fn set_mode(options: &mut OpenOptions, access: Access) {
    use std::os::unix::fs::OpenOptionsExt;
    if access == Access::OwnerOnly {
        options.mode(0o600);
    }
}

#[cfg(unix)]
fn restrict(file: &File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_file: &File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_options: &mut OpenOptions, _access: Access) {}
