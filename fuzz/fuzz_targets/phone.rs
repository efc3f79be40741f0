#![no_main]

use omnid::Country;
use omnid::normalize::phone::{Phone, normalize_phone};

const REGIONS: [&str; 7] = ["", "ES", "MX", "AR", "CO", "US", "ZZ"];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The first byte picks the default region, the rest is the value.
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(raw) = std::str::from_utf8(rest) else {
        return;
    };
    let region = |i: usize| -> Option<Country> { REGIONS[i % REGIONS.len()].parse().ok() };
    if let Ok(phone) = normalize_phone(raw, region(usize::from(pick))) {
        assert!(phone.e164.starts_with('+') && phone.e164[1..].bytes().all(|b| b.is_ascii_digit()));
        let canonical = Phone {
            e164: phone.e164.clone(),
            extension: None,
        };
        for i in 0..REGIONS.len() {
            assert_eq!(
                normalize_phone(&phone.e164, region(i)),
                Ok(canonical.clone()),
                "{raw:?} gave {phone:?}"
            );
        }
    }
});
