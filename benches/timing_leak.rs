//! Timing-leak check (being written).
fn main() {}
