//! The matrix as a text table (`kms-import matrix`).

use core::fmt;

use crate::error::PKCS1_V1_5_DEPRECATED_SINCE;
use crate::policy::matrix::{RULES, decide};
use crate::policy::names::{KeySpec, Partition, WrappingKeySpec};

/// The matrix of one partition as a table: one row per key spec, one column per live algorithm,
/// each cell the wrapping key specs that work ("-" where none does).
#[derive(Clone, Copy, Debug)]
pub struct Grid(pub Partition);

impl fmt::Display for Grid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const FIRST: usize = 22;
        let partition = self.0;
        write!(
            f,
            "partition {:1$}",
            partition.as_str(),
            FIRST - "partition ".len()
        )?;
        for (i, rule) in RULES.iter().enumerate() {
            write!(f, " | {:1$}", rule.algorithm.as_str(), column_width(i))?;
        }
        writeln!(f)?;
        writeln!(f, "{:-<1$}", "", FIRST + RULES.len() * 27)?;
        for &key_spec in KeySpec::ALL {
            write!(f, "{key_spec:FIRST$}")?;
            for (i, rule) in RULES.iter().enumerate() {
                let mut cell = CellWriter::default();
                for &wks in WrappingKeySpec::ALL {
                    if decide(partition, rule.algorithm.algorithm(), wks, key_spec).is_ok() {
                        cell.push(wks.as_str());
                    }
                }
                write!(f, " | {:1$}", cell.as_str(), column_width(i))?;
            }
            writeln!(f)?;
        }
        writeln!(
            f,
            "Cells: the wrapping key specs that work (2048 = RSA_2048, ...; SM2); - where none does."
        )?;
        write!(
            f,
            "RSAES_PKCS1_V1_5: refused everywhere (deprecated since {PKCS1_V1_5_DEPRECATED_SINCE})."
        )
    }
}

/// Columns are as wide as the longest algorithm name; the last one is not padded.
fn column_width(index: usize) -> usize {
    if index + 1 == RULES.len() { 0 } else { 24 }
}

/// A fixed-capacity cell ("RSA_2048 RSA_3072 RSA_4096" at most), so `Display` needs no allocation.
#[derive(Default)]
struct CellWriter {
    buf: [u8; 32],
    len: usize,
}

impl CellWriter {
    fn push(&mut self, name: &str) {
        let short = name.strip_prefix("RSA_").unwrap_or(name);
        let sep = usize::from(self.len > 0);
        if self.len + sep + short.len() <= self.buf.len() {
            if sep == 1 {
                self.buf[self.len] = b' ';
            }
            self.buf[self.len + sep..self.len + sep + short.len()]
                .copy_from_slice(short.as_bytes());
            self.len += sep + short.len();
        }
    }

    fn as_str(&self) -> &str {
        match core::str::from_utf8(&self.buf[..self.len]) {
            Ok("") | Err(_) => "-",
            Ok(s) => s,
        }
    }
}
