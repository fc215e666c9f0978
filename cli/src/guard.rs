//! A command's files must be distinct: an output never names one of the command's
//! inputs — `import-key-material --token-key tk --out tk` would replace the token key with key
//! material — nor another output, and at most one input comes from standard input.
//!
//! Two names are the same file when they are the same path (same directory, same name) or, for
//! existing files, the same device and inode (a hard link, or a symbolic link to it).

use std::fs;
use std::path::Path;

use crate::failure::{Failure, Outcome};
use crate::files::parent_dir;
use crate::input::{self, What};
use crate::target;
use kms_import_client::display;

/// Refuses (exit 2) a command whose outputs overlap its inputs or each other.
pub fn distinct(inputs: &[(&Path, What)], outputs: &[(&Path, &'static str)]) -> Outcome {
    let stdin: Vec<&str> = inputs
        .iter()
        .filter(|(path, _)| input::is_stdin(path))
        .map(|(_, what)| what.flag)
        .collect();
    if stdin.len() > 1 {
        return Err(Failure::usage(format_args!(
            "{} all read standard input (-); only one input can",
            stdin.join(", ")
        )));
    }
    let stdout: Vec<&str> = outputs
        .iter()
        .filter(|(path, _)| target::is_stdout(path))
        .map(|(_, flag)| *flag)
        .collect();
    if stdout.len() > 1 {
        return Err(Failure::usage(format_args!(
            "{} all write to standard output; only one output can",
            stdout.join(", ")
        )));
    }
    for (i, &(out, out_flag)) in outputs.iter().enumerate() {
        if target::is_stdout(out) {
            continue;
        }
        for &(other, other_flag) in &outputs[i + 1..] {
            if same_file(out, other) {
                return Err(Failure::usage(format_args!(
                    "{out_flag} and {other_flag} name the same file, {}",
                    display::path(out)
                )));
            }
        }
        for &(inp, what) in inputs {
            if !input::is_stdin(inp) && same_file(out, inp) {
                return Err(Failure::usage(format_args!(
                    "{out_flag} {} is also the {} ({}): writing it would replace what the command \
                     reads; name another file",
                    display::path(out),
                    what.name,
                    what.flag
                )));
            }
        }
    }
    Ok(())
}

/// Same path, or same existing file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    let same_path = a.file_name().is_some()
        && a.file_name() == b.file_name()
        && matches!(
            (fs::canonicalize(parent_dir(a)), fs::canonicalize(parent_dir(b))),
            (Ok(x), Ok(y)) if x == y
        );
    same_path || same_inode(a, b)
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_a: &Path, _b: &Path) -> bool {
    false
}
