#![no_main]

use omnid::Country;
use omnid::normalize::national_id::normalize_national_id;

const COUNTRIES: [&str; 6] = ["ES", "AR", "MX", "CO", "PE", "CL"];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The first byte picks the country, the rest is the raw value.
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(raw) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(country) = COUNTRIES[usize::from(pick) % COUNTRIES.len()].parse::<Country>() else {
        return;
    };
    if let Ok(id) = normalize_national_id(raw, country) {
        assert_eq!(id.country, country);
        assert!(!id.value.is_empty());
        let again = normalize_national_id(&id.value, country);
        assert_eq!(again.as_ref(), Ok(&id), "not idempotent on {raw:?}");
    }
});
