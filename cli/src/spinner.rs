//! A spinner on stderr for slow work (RSA-4096 key generation takes seconds).
//!
//! Key generation slower than ~0.5 s (RSA-4096) shows a spinner on a terminal, nothing when
//! piped: the spinner appears only after half a second, and only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// How long work runs before the spinner shows.
const DELAY: Duration = Duration::from_millis(500);
const FRAME: Duration = Duration::from_millis(100);
const FRAMES: [char; 4] = ['|', '/', '-', '\\'];

/// Runs `work`, showing `label` with a spinner on stderr if it takes longer than [`DELAY`] and
/// stderr is a terminal.
pub fn with_spinner<T>(label: &str, work: impl FnOnce() -> T) -> T {
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let (done, wait) = mpsc::channel::<()>();
    let label = label.to_owned();
    let spinner = thread::spawn(move || {
        match wait.recv_timeout(DELAY) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        let mut stderr = std::io::stderr();
        let mut frame = 0usize;
        loop {
            let _ = write!(stderr, "\r{} {label}", FRAMES[frame % FRAMES.len()]);
            let _ = stderr.flush();
            frame += 1;
            match wait.recv_timeout(FRAME) {
                Err(RecvTimeoutError::Timeout) => continue,
                _ => break,
            }
        }
        // Erase the spinner line.
        let _ = write!(stderr, "\r{:width$}\r", "", width = label.len() + 2);
        let _ = stderr.flush();
    });
    let result = work();
    drop(done);
    let _ = spinner.join();
    result
}
