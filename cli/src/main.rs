//! The `omnid` command line.
fn main() {}
