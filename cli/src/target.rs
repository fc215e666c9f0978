//! Where an output goes, decided before any work is done.
//!
//! | `--out` names | done |
//! | --- | --- |
//! | nothing yet | a new file, written atomically (`files`) |
//! | a regular file | replaced atomically; a secret output only with `--force` |
//! | `-`, `/dev/stdout`, `/dev/fd/1` | standard output, unless it is a terminal (the bytes are binary) |
//! | a FIFO | written through, if a process is reading it (never waits for one) |
//! | a character device (`/dev/null`) | written through, unless it is a terminal |
//! | a symbolic link, a directory, a block device, a socket | refused, exit 2: never replaced |
//!
//! A write is reported only when it happened: a short write to standard output, a FIFO or a
//! device is an error, and [`Done::undo`] removes a file a later step must not leave behind.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use kms_import::KeyMaterial;

use crate::failure::{Failure, Outcome};
use crate::files::{self, Access, Staged};
use crate::input;
use kms_import_client::display;

/// One output of a command: its flag, what it holds, and whether that is secret.
#[derive(Clone, Copy, Debug)]
pub struct Out<'a> {
    pub path: &'a Path,
    pub flag: &'static str,
    /// For messages: "the encrypted key material", ...
    pub what: &'static str,
    /// Private keys, token keys, plaintext key material: mode 0600, and an existing file is
    /// replaced only with `--force`.
    pub secret: bool,
    pub force: bool,
}

/// Where the bytes will go.
pub enum Target {
    Stdout,
    /// A regular file written atomically; `replace`: an existing file may be replaced.
    File {
        path: PathBuf,
        replace: bool,
    },
    /// A FIFO with a reader, or a character device, opened for writing in place.
    Through {
        path: PathBuf,
        file: File,
    },
}

/// Whether the argument names standard output.
pub fn is_stdout(path: &Path) -> bool {
    ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]
        .iter()
        .any(|name| path.as_os_str() == *name)
}

/// Decides where `out` goes, refusing (exit 2) what must not be written.
pub fn plan(out: Out<'_>) -> Outcome<Target> {
    let shown = display::path(out.path);
    let refuse = |why: String| Err(Failure::usage(format_args!("{} {shown}: {why}", out.flag)));
    if is_stdout(out.path) {
        if std::io::stdout().is_terminal() {
            return refuse(format!(
                "standard output is a terminal, and {} is binary; redirect it to a file or a pipe",
                out.what
            ));
        }
        return Ok(Target::Stdout);
    }
    if out.path.as_os_str().is_empty() || out.path.file_name().is_none() {
        return refuse("not a file name".to_owned());
    }
    let meta = match fs::symlink_metadata(out.path) {
        Ok(meta) => meta,
        // Absent (or unreachable: staging says why).
        Err(_) => {
            return Ok(Target::File {
                path: out.path.to_path_buf(),
                replace: !out.secret || out.force,
            });
        }
    };
    let kind = input::kind_of(&meta);
    if meta.is_file() {
        if out.secret && !out.force {
            return refuse(format!(
                "the file exists; {} is a secret and is not written over without --force",
                out.what
            ));
        }
        return Ok(Target::File {
            path: out.path.to_path_buf(),
            replace: true,
        });
    }
    if meta.file_type().is_symlink() {
        let to = fs::read_link(out.path)
            .map(|t| format!(" to {}", display::path(&t)))
            .unwrap_or_default();
        return refuse(format!(
            "a symbolic link{to}; it is neither replaced nor followed: name the file itself"
        ));
    }
    if matches!(kind, "a FIFO" | "a character device") {
        return open_through(out);
    }
    let hint = if meta.is_dir() {
        ": name a file inside it"
    } else {
        ""
    };
    refuse(format!("{kind}, which is never replaced or written{hint}"))
}

/// Opens a FIFO or character device for writing in place: without creating or truncating,
/// without following a link swapped in since, and without waiting for a FIFO reader.
fn open_through(out: Out<'_>) -> Outcome<Target> {
    let shown = display::path(out.path);
    let mut options = OpenOptions::new();
    options.write(true);
    through_flags(&mut options);
    let file = match options.open(out.path) {
        Ok(file) => file,
        Err(e) if is_no_reader(&e) => {
            return Err(Failure::usage(format_args!(
                "{} {shown}: a FIFO that no process is reading; start the reader first (nothing \
                 was written)",
                out.flag
            )));
        }
        Err(e) => {
            return Err(Failure::refused(format_args!("cannot write {shown}: {e}")));
        }
    };
    let meta = file
        .metadata()
        .map_err(|e| Failure::refused(format_args!("cannot write {shown}: {e}")))?;
    if !matches!(input::kind_of(&meta), "a FIFO" | "a character device") {
        return Err(Failure::usage(format_args!(
            "{} {shown}: changed while being opened; not written",
            out.flag
        )));
    }
    if file.is_terminal() {
        return Err(Failure::usage(format_args!(
            "{} {shown}: a terminal, and {} is binary; not written",
            out.flag, out.what
        )));
    }
    Ok(Target::Through {
        path: out.path.to_path_buf(),
        file,
    })
}

/// An output ready to be put in place: a staged temporary file, or the bytes for a stream.
pub struct Prepared {
    target: Target,
    staged: Option<Staged>,
    bytes: KeyMaterial,
}

/// What a committed output left, to take it back if a later step fails.
#[must_use]
pub struct Done(Option<PathBuf>);

impl Done {
    /// Removes the file written, if it was a file (a stream cannot be taken back).
    pub fn undo(self) {
        if let Some(path) = self.0 {
            let _ = fs::remove_file(path);
        }
    }
}

/// Stages `bytes` for `target` (for a file: the temporary file is written and synced).
pub fn prepare(target: Target, bytes: &[u8], access: Access) -> Outcome<Prepared> {
    let staged = match &target {
        Target::File { path, .. } => Some(files::stage(path, bytes, access)?),
        Target::Stdout | Target::Through { .. } => None,
    };
    let bytes = if staged.is_some() {
        KeyMaterial::new(Vec::new())
    } else {
        KeyMaterial::from_slice(bytes)
    };
    Ok(Prepared {
        target,
        staged,
        bytes,
    })
}

impl Prepared {
    /// Puts the output in place: renames the file, or writes the whole stream.
    pub fn commit(self) -> Outcome<Done> {
        match self.target {
            Target::File { path, replace } => {
                if let Some(staged) = self.staged {
                    staged.commit(replace)?;
                }
                Ok(Done(Some(path)))
            }
            Target::Stdout => {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(self.bytes.as_bytes())
                    .and_then(|()| stdout.flush())
                    .map_err(|e| {
                        Failure::refused(format_args!(
                            "cannot write to standard output: {e}; the output is incomplete"
                        ))
                    })?;
                Ok(Done(None))
            }
            Target::Through { path, mut file } => {
                write_all_waiting(&mut file, self.bytes.as_bytes()).map_err(|e| {
                    Failure::refused(format_args!(
                        "cannot write {}: {e}; the output is incomplete",
                        display::path(&path)
                    ))
                })?;
                Ok(Done(None))
            }
        }
    }
}

/// Writes one output.
pub fn write(target: Target, bytes: &[u8], access: Access) -> Outcome<Done> {
    prepare(target, bytes, access)?.commit()
}

/// Writes two outputs that belong together (a key pair): both are staged before either is put
/// in place, and if the second cannot be put in place the first is taken back.
pub fn write_pair(first: (Target, &[u8], Access), second: (Target, &[u8], Access)) -> Outcome {
    let a = prepare(first.0, first.1, first.2)?;
    let b = prepare(second.0, second.1, second.2)?;
    let done = a.commit()?;
    if let Err(e) = b.commit() {
        done.undo();
        return Err(e);
    }
    Ok(())
}

/// `write_all` on a non-blocking FIFO: waits while the pipe is full.
fn write_all_waiting(file: &mut File, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        match file.write(bytes) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    file.flush()
}

#[cfg(unix)]
fn through_flags(options: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
}

#[cfg(not(unix))]
fn through_flags(_options: &mut OpenOptions) {}

/// `open(O_WRONLY | O_NONBLOCK)` on a FIFO without a reader fails with ENXIO.
#[cfg(unix)]
fn is_no_reader(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ENXIO)
}

#[cfg(not(unix))]
fn is_no_reader(_e: &std::io::Error) -> bool {
    false
}
