//! Writing a regular file atomically (`target` decides when a path is one).
//!
//! Output files are written atomically (temp file + rename) and never left half-written. Each
//! output goes to a fresh temporary file in the target's directory, is
//! flushed to disk (`fsync`), then renamed over the target; the directory is synced so the rename
//! itself survives a crash. On any error the temporary file is removed and the target is left as
//! it was. A file that must not be replaced is put in place with a hard link, which
//! fails if the name was taken meanwhile, instead of a rename, which would replace it.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::failure::{Failure, Outcome};
use kms_import_client::display;

/// Who may read an output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Secrets (private keys, token keys, plaintext key material): owner read/write only, 0600.
    OwnerOnly,
    /// Public data: the usual mode for new files (0666 less the umask).
    Default,
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
        Failure::refused(format_args!("cannot write {}: {e}", display::path(target)))
    };
    if target.as_os_str().is_empty() || target.file_name().is_none() {
        return Err(Failure::refused(format_args!(
            "cannot write {}: not a file name",
            display::path(target)
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
            Err(e) if e.kind() == ErrorKind::AlreadyExists && attempt < 8 => attempt += 1,
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
    /// Puts the temporary file in place and syncs the directory. `replace`: over whatever
    /// regular file has the name (a rename); otherwise only if the name is still free (a hard
    /// link, then the temporary name is removed).
    pub fn commit(mut self, replace: bool) -> Outcome {
        let Some(temp) = self.temp.take() else {
            return Ok(());
        };
        let placed = if replace {
            fs::rename(&temp, &self.target)
        } else {
            link_no_replace(&temp, &self.target)
        };
        if !replace || placed.is_err() {
            let _ = fs::remove_file(&temp);
        }
        match placed {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                return Err(Failure::usage(format_args!(
                    "{}: a file of that name appeared while it was being written; it is not \
                     replaced without --force",
                    display::path(&self.target)
                )));
            }
            Err(e) => {
                return Err(Failure::refused(format_args!(
                    "cannot write {}: {e}",
                    display::path(&self.target)
                )));
            }
        }
        // Make the rename durable; a failure here leaves a complete file, so it is not an error.
        if let Ok(dir) = File::open(parent_dir(&self.target)) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// A hard link fails if the name exists. Where hard links are not supported (some network and
/// FAT file systems), checks that the name is free, then renames.
fn link_no_replace(temp: &Path, target: &Path) -> std::io::Result<()> {
    match fs::hard_link(temp, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(e),
        Err(_) if fs::symlink_metadata(target).is_ok() => Err(ErrorKind::AlreadyExists.into()),
        Err(_) => fs::rename(temp, target),
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = fs::remove_file(temp);
        }
    }
}

pub fn parent_dir(path: &Path) -> PathBuf {
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
