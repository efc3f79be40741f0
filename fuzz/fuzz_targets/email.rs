#![no_main]

use omnid::normalize::email::{EmailRules, normalize_email};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let rules = EmailRules::default();
        if let Ok(e) = normalize_email(s, &rules) {
            let again = normalize_email(&e.address, &rules)
                .unwrap_or_else(|r| panic!("{s:?} -> {e:?}, address rejected: {r}"));
            assert_eq!(again.address, e.address, "{s:?}");
            assert_eq!(again.match_key, e.match_key, "{s:?}");
            let from_display = normalize_email(&e.display, &rules).map(|d| d.address);
            assert_eq!(from_display, Ok(e.address.clone()), "{s:?}");
            let from_key = normalize_email(&e.match_key, &rules).map(|k| k.match_key);
            assert_eq!(from_key, Ok(e.match_key.clone()), "{s:?}");
        }
    }
});
