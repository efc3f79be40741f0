//! The bundled sample `examples/contact-center/` is exactly what the
//! generator writes for its documented command.

use std::path::Path;

use omnid_gen::{GenOptions, write_dir};

#[test]
fn bundled_sample_matches_the_generator() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/contact-center");
    let out = std::env::temp_dir().join(format!("omnid-gen-sample-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let opts = GenOptions {
        customers: 800,
        seed: 42,
        ..GenOptions::default()
    };
    write_dir(&opts, &out).expect("write");
    let mut total = 0;
    for entry in std::fs::read_dir(&out).expect("generated dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        let fresh = std::fs::read(entry.path()).expect("generated file");
        let committed = std::fs::read(sample.join(&name)).unwrap_or_default();
        assert!(
            fresh == committed,
            "examples/contact-center/{} differs from the generator's output; regenerate it with \
             `cargo run --release -p omnid-gen --example gen -- 800 examples/contact-center 42`",
            name.to_string_lossy()
        );
        total += committed.len();
    }
    let readme = std::fs::metadata(sample.join("README.md"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(total as u64 + readme < 1_000_000, "sample is {total} bytes");
    let _ = std::fs::remove_dir_all(&out);
}
