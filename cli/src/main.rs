//! The `omnid` command line.
mod source;
fn main() {}
