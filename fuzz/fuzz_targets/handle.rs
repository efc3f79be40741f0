#![no_main]

use omnid::Network;
use omnid::normalize::handle::normalize_handle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let networks = [
            Network::X,
            Network::Instagram,
            Network::Facebook,
            Network::TikTok,
            Network::Telegram,
            Network::Other("linkedin".into()),
        ];
        for network in &networks {
            if let Ok(h) = normalize_handle(s, network) {
                assert_eq!(
                    normalize_handle(&h, network),
                    Ok(h.clone()),
                    "{s:?} on {network:?}"
                );
            }
        }
    }
});
