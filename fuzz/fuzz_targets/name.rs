#![no_main]

use omnid::normalize::name::{fold, is_folded, normalize_person_name};

// Input: up to three fields separated by `|` (given, family, full); an empty
// field is passed as missing.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let folded = fold(s);
    assert!(is_folded(&folded), "{s:?} folded to {folded:?}");
    assert_eq!(fold(&folded), folded, "fold is not idempotent on {s:?}");

    let mut fields = s.splitn(3, '|').map(|f| (!f.is_empty()).then_some(f));
    let given = fields.next().flatten();
    let family = fields.next().flatten();
    let full = fields.next().flatten();
    for (g, f, x) in [
        (given, family, full),
        (None, None, Some(s)),
        (Some(s), None, None),
    ] {
        if let Ok(name) = normalize_person_name(g, f, x) {
            assert!(!name.given.is_empty() || !name.family.is_empty());
            let again = normalize_person_name(
                Some(&name.given_joined()),
                Some(&name.family_joined()),
                None,
            )
            .unwrap_or_else(|e| panic!("{name:?} from {s:?} re-rejected: {e}"));
            assert_eq!(again.given, name.given, "given not idempotent for {s:?}");
            assert_eq!(again.family, name.family, "family not idempotent for {s:?}");
            let _ = name.canonical_given();
        }
    }
});
