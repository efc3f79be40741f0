#![no_main]

use omnid::normalize::device::{normalize_device_id, normalize_opaque_id};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(id) = normalize_device_id(s) {
            assert_eq!(normalize_device_id(&id), Ok(id.clone()), "{s:?}");
        }
        if let Ok(id) = normalize_opaque_id(s) {
            assert_eq!(normalize_opaque_id(&id), Ok(id.clone()), "{s:?}");
        }
    }
});
