//! Where an input's bytes came from, for messages and for the commands a refusal suggests.

use std::path::PathBuf;

use crate::display;

/// Where an input's bytes came from.
#[derive(Clone, Debug)]
pub enum Origin {
    /// A file (its name as given; in a browser, the chosen file's name).
    File(PathBuf),
    /// Standard input.
    Stdin,
    /// The value itself (an argument, a pasted text).
    Inline,
}

impl Origin {
    /// How messages name it: the file name, "standard input", or "the `flag` value".
    pub fn shown(&self, flag: &str) -> String {
        match self {
            Origin::File(path) => display::path(path),
            Origin::Stdin => "standard input".to_owned(),
            Origin::Inline => format!("the {flag} value"),
        }
    }
}
