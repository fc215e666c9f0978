//! How a command fails, and the exit status that goes with it.
//!
//! Contract: 0 success; 1 refused — the first line on stderr starts with the KMS
//! exception name, or for `wrap` / `unwrap` / `check` a one-line reason; 2 usage error (clap
//! exits with 2 on its own usage errors, and so do we for the few we find after parsing).

use std::fmt;
use std::process::ExitCode;

use kms_import_client::display::{escape, one_line};

/// A failed command.
#[derive(Debug)]
pub enum Failure {
    /// Refused: the message is printed as the first line on stderr; exit status 1.
    Refused(String),
    /// The command line is wrong in a way clap could not see; exit status 2.
    Usage(String),
}

impl Failure {
    /// A refusal with this one-line message.
    pub fn refused(message: impl fmt::Display) -> Self {
        Failure::Refused(one_line(&message.to_string()))
    }

    /// A usage error with this message.
    pub fn usage(message: impl fmt::Display) -> Self {
        Failure::Usage(message.to_string())
    }

    /// Prints the message on stderr and returns the exit status.
    pub fn report(&self) -> ExitCode {
        match self {
            // Escaped again as a net: nothing from the input reaches the terminal raw.
            Failure::Refused(message) => {
                eprintln!("{}", escape(message));
                ExitCode::from(1)
            }
            Failure::Usage(message) => {
                eprintln!("error: {}", escape(&one_line(message)));
                eprintln!();
                eprintln!("For more information, try '--help'.");
                ExitCode::from(2)
            }
        }
    }
}

/// A refusal from the core crate: its `Display` is already the reason a person can act on.
impl From<kms_import::Error> for Failure {
    fn from(e: kms_import::Error) -> Self {
        Failure::refused(e)
    }
}

/// `Result` of a command.
pub type Outcome<T = ()> = Result<T, Failure>;
