#![no_main]

use std::sync::LazyLock;

use omnid::normalize::junk::{JunkFilter, is_keyboard_run, is_repeated_char, is_sequence};

static FILTER: LazyLock<JunkFilter> = LazyLock::new(JunkFilter::default);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let filter = &*FILTER;
        let verdict = filter.check(s);
        // Checking is a pure function of the trimmed value.
        assert_eq!(filter.check(s.trim()), verdict);
        // Every rule and the deny list ignore ASCII case.
        assert_eq!(
            filter.check(&s.to_ascii_uppercase()).map_err(|r| r.reason),
            verdict.map_err(|r| r.reason),
            "case changed the verdict on {s:?}"
        );
        for n in [0, 3, 6] {
            let _ = is_repeated_char(s, n);
            let _ = is_sequence(s, n);
            let _ = is_keyboard_run(s, n);
        }
    }
});
