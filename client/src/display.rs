//! Showing what the user gave (file names, values, PEM labels, JSON fields) in messages.
//!
//! Terminal safety: nothing from the input reaches the terminal raw. Control characters (C0, DEL,
//! C1: ESC and BEL start terminal escape sequences) and the invisible bidirectional and
//! zero-width format characters are written as `\u{1b}`-style escapes. A value is quoted by a
//! short prefix only, never whole.

use std::fmt::Write as _;
use std::path::Path;

/// The longest value shown whole; longer ones are cut to [`PREFIX`] characters.
const LONGEST_VALUE: usize = 32;
/// The longest file name shown whole (an existing file's name is worth showing).
const LONGEST_PATH: usize = 256;
/// How many characters of a long argument are shown.
const PREFIX: usize = 24;

/// `text` with every control and invisible format character escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Control characters, and the format characters that reorder or hide text on a terminal.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || c == '\u{feff}'
}

/// `message` on one line, every run of white space one space: how a refusal is shown (the CLI's
/// "first line on stderr is the whole reason", the page's error box).
pub fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A file name as given, escaped, cut to a prefix only when longer than any sensible name.
pub fn path(path: &Path) -> String {
    cut(&path.to_string_lossy(), LONGEST_PATH)
}

/// A value as given (an argument that names no file, a field of the input), escaped, and cut
/// to a short prefix with its length when long.
pub fn value(text: &str) -> String {
    cut(text, LONGEST_VALUE)
}

fn cut(text: &str, longest: usize) -> String {
    let count = text.chars().count();
    if count <= longest {
        return escape(text);
    }
    let prefix: String = text.chars().take(PREFIX).collect();
    format!("{}… ({count} characters)", escape(&prefix))
}

/// A file name as a shell word for a command to copy: single-quoted unless it is plain, and
/// escaped (a name with control characters cannot be shown runnable, only safe).
pub fn shell_word(path: &Path) -> String {
    let text = path.to_string_lossy();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/+=:,@%".contains(c));
    if plain && !text.starts_with('-') {
        return text.into_owned();
    }
    let prefix = if text.starts_with('-') { "./" } else { "" };
    format!("'{prefix}{}'", escape(&text).replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_sequences_are_escaped() {
        assert_eq!(escape("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(escape("\u{9b}2J\u{202e}"), "\\u{9b}2J\\u{202e}");
        assert_eq!(escape("plain é"), "plain é");
    }

    #[test]
    fn long_values_show_a_prefix_and_their_length() {
        let long = "M".repeat(700);
        assert_eq!(
            value(&long),
            format!("{}… (700 characters)", "M".repeat(24))
        );
        assert_eq!(value("short"), "short");
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word(Path::new("dir/key.pem")), "dir/key.pem");
        assert_eq!(shell_word(Path::new("my key's.pem")), r"'my key'\''s.pem'");
        assert_eq!(shell_word(Path::new("-k.pem")), "'./-k.pem'");
    }
}
