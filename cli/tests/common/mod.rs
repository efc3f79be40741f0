//! What the CLI's integration tests share.

use std::path::{Path, PathBuf};

/// A scratch directory for one test: removed when the test passes, kept
/// for a look when it fails.
pub struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for Scratch {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// An empty scratch directory `omnid-{suite}-{pid}-{name}` in the system's
/// temporary folder.
pub fn scratch(suite: &str, name: &str) -> Scratch {
    let d = std::env::temp_dir().join(format!("omnid-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    Scratch(d)
}
