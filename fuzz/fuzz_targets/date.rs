#![no_main]

use omnid::normalize::date::{DateOrder, DatePolicy, normalize_date};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    for order in [DateOrder::DayFirst, DateOrder::MonthFirst] {
        let policy = DatePolicy {
            order,
            ..DatePolicy::default()
        };
        if let Ok(date) = normalize_date(s, &policy) {
            assert!((policy.min_year..=policy.max_year).contains(&date.year()));
            let iso = date.to_string();
            assert_eq!(
                normalize_date(&iso, &policy),
                Ok(date),
                "{s:?} gave {iso}, which does not read back"
            );
        }
    }
});
