//! Synthetic contact-center records for the graph benchmarks: each record has
//! three identifiers, a phone, an email, and a device id (a CRM id for records
//! of the `crm` source), about two records per person, with the sharing and
//! the errors real data has: household landlines (four names each), family
//! tablets (two people), role mailboxes, one switchboard number, and duplicate
//! CRM accounts (one CRM record in twenty carries a second id of its person).
//!
//! Shared by `benches/graph.rs` and `examples/graph_scale.rs`.

use std::fmt::Write;

use omnid::graph::GraphBuilder;
use omnid::{IdentifierKind, RecordKey};

const SOURCES: [&str; 4] = ["crm", "ivr", "webchat", "whatsapp"];

fn mix(mut z: u64) -> u64 {
    // splitmix64's finalizer: a fixed, fast bijection.
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Adds `n` synthetic records to `builder`.
pub fn add_records(builder: &mut GraphBuilder, n: u64) -> Result<(), omnid::graph::GraphError> {
    let persons = (n / 2).max(1);
    let (phone, email, device) = (
        IdentifierKind::Phone,
        IdentifierKind::Email,
        IdentifierKind::DeviceId,
    );
    let crm = IdentifierKind::CrmId("salesforce".into());
    let mut key = RecordKey::new("", "");
    let (mut p_buf, mut e_buf, mut d_buf, mut name) =
        (String::new(), String::new(), String::new(), String::new());
    let base = jiff::Timestamp::from_second(1_600_000_000).unwrap_or_default();
    builder.reserve(n as usize, 3);
    for i in 0..n {
        let h = mix(i);
        let p = mix(h) % persons;
        key.source.clear();
        key.source.push_str(SOURCES[(i % 4) as usize]);
        key.id.clear();
        let _ = write!(key.id, "r{i:09}");
        name.clear();
        let _ = write!(name, "n{p}");
        p_buf.clear();
        if i % 5000 == 4999 {
            p_buf.push_str("+34900000000");
        } else if p % 100 < 4 {
            let _ = write!(p_buf, "+3491{:07}", p / 100);
        } else {
            let _ = write!(p_buf, "+346{p:08}");
        }
        e_buf.clear();
        if h % 1000 == 7 {
            let _ = write!(e_buf, "info@empresa{}.com", h % 50);
        } else {
            let _ = write!(e_buf, "u{p}@mail{}.com", p % 97);
        }
        d_buf.clear();
        let third = if i % 4 == 0 {
            let duplicate = if h % 20 == 3 { "b" } else { "" };
            let _ = write!(d_buf, "C{p}{duplicate}");
            &crm
        } else if p % 20 == 1 || p % 20 == 2 {
            let _ = write!(d_buf, "tablet-{}", p / 20);
            &device
        } else {
            let _ = write!(d_buf, "{:016x}", mix(p ^ 0xd1ce));
            &device
        };
        let at = base
            .checked_add(jiff::SignedDuration::from_secs((h % 94_000_000) as i64))
            .ok();
        builder.add(
            &key,
            at,
            Some(&name),
            [
                (&phone, p_buf.as_str()),
                (&email, e_buf.as_str()),
                (third, d_buf.as_str()),
            ],
        )?;
    }
    Ok(())
}
