//! Writing to stdout without panicking when the reader has gone (`kms-import matrix | head`).

use std::io::{ErrorKind, Write};

use serde::Serialize;

use crate::failure::{Failure, Outcome};
use kms_import_client::display;

/// A line on stderr saying what was assumed or converted (never a secret), escaped.
pub fn note(text: &str) {
    eprintln!("note: {}", display::escape(text));
}

/// Prints `text` and a newline on stdout. A closed pipe is not an error: the reader has what it
/// wanted.
pub fn print_line(text: &str) -> Outcome {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::refused(format_args!(
            "cannot write to stdout: {e}"
        ))),
    }
}

/// Prints `value` as indented JSON (the AWS CLI's layout) on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Outcome {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::refused(format_args!("cannot encode JSON: {e}")))?;
    print_line(&text)
}
