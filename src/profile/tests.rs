use std::collections::BTreeMap;

use super::cases::CaseStatus;
use super::golden::{GoldenConfig, Survivorship};
use super::value::Segment;
use super::*;
use crate::record::{Attributes, Identifier, Interaction, Money, Outcome};
use crate::resolve::{Resolver, ResolverConfig};

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("a test timestamp")
}

fn named(source: &str, id: &str, t: &str, name: &str) -> Record {
    Record {
        key: RecordKey::new(source, id),
        observed_at: Some(at(t)),
        // A CRM id links records whatever their names say; an email held
        // under three names would be flagged as shared.
        identifiers: vec![
            Identifier::new(IdentifierKind::CrmId("crm".into()), "C-1001"),
            Identifier::new(IdentifierKind::Email, "ana@gmail.com"),
        ],
        attributes: Attributes {
            full_name: Some(name.into()),
            ..Attributes::default()
        },
        interaction: None,
    }
}

fn resolve(records: &[Record]) -> Resolution {
    Resolver::new(ResolverConfig::default())
        .expect("default config")
        .resolve(records)
        .expect("resolves")
}

fn build(records: &[Record], config: &ProfileConfig) -> Customer360 {
    Customer360::build(records, &resolve(records), config)
}

/// A golden value as shown, owned.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    value: String,
    display: String,
    support: u32,
    candidates: u32,
    record: RecordKey,
    rule: Survivorship,
}

fn shown(g: Option<golden::GoldenValue<'_>>) -> Option<Shown> {
    g.map(|g| Shown {
        value: g.value.to_string(),
        display: g.display.to_string(),
        support: g.support,
        candidates: g.candidates,
        record: g.provenance.record.clone(),
        rule: g.provenance.rule,
    })
}

/// Six records of one person whose names each rule would choose differently.
fn disputed_names() -> Vec<Record> {
    vec![
        named("crm_es", "1", "2026-01-01T10:00:00Z", "Ana Garcia"),
        named(
            "webchat",
            "2",
            "2026-01-02T10:00:00Z",
            "Ana Maria Garcia Lopez",
        ),
        named("calls", "3", "2026-01-03T10:00:00Z", "Anita Garcia"),
        named("whatsapp", "4", "2026-01-04T10:00:00Z", "Anita Garcia"),
        named("social", "5", "2026-01-05T10:00:00Z", "Ana Perez"),
        named("store", "6", "2025-12-31T10:00:00Z", "Ana Garcia Lopez"),
    ]
}

fn name_under(rule: Survivorship) -> Shown {
    let records = disputed_names();
    let config = ProfileConfig {
        golden: GoldenConfig {
            name: rule,
            source_priority: vec!["store".into(), "crm*".into()],
            trusted_sources: vec!["crm*".into()],
            ..GoldenConfig::default()
        },
        ..ProfileConfig::default()
    };
    let c = build(&records, &config);
    assert_eq!(c.profiles().len(), 1);
    let name = shown(c.profiles()[0].golden_view(&records).name).expect("a name survives");
    assert_eq!(name.rule, rule);
    assert_eq!(name.candidates, 5);
    name
}

#[test]
fn most_recent_takes_the_newest_record() {
    let n = name_under(Survivorship::MostRecent);
    assert_eq!(n.value, "ana perez");
    assert_eq!(n.record, RecordKey::new("social", "5"));
}

#[test]
fn most_frequent_takes_the_value_most_records_carry_and_cites_the_newest() {
    let n = name_under(Survivorship::MostFrequent);
    assert_eq!(n.value, "anita garcia");
    assert_eq!(n.display, "Anita Garcia");
    assert_eq!(n.support, 2);
    assert_eq!(n.record, RecordKey::new("whatsapp", "4"));
}

#[test]
fn source_priority_takes_the_first_listed_source_even_if_old() {
    let n = name_under(Survivorship::SourcePriority);
    assert_eq!(n.value, "ana garcia lopez");
    assert_eq!(n.record, RecordKey::new("store", "6"));
}

#[test]
fn most_complete_takes_the_most_tokens() {
    let n = name_under(Survivorship::MostComplete);
    assert_eq!(n.value, "ana maria garcia lopez");
    assert_eq!(n.record, RecordKey::new("webchat", "2"));
}

#[test]
fn validated_first_takes_the_trusted_source_over_newer_and_more_frequent() {
    let n = name_under(Survivorship::ValidatedFirst);
    assert_eq!(n.value, "ana garcia");
    assert_eq!(n.record, RecordKey::new("crm_es", "1"));
}

#[test]
fn ties_fall_back_to_recency_then_to_the_smaller_key() {
    // Two values, one record each, same time: the smaller record key wins,
    // whatever the input order.
    let mut records = vec![
        named("b", "1", "2026-01-01T10:00:00Z", "Luis Perez"),
        named("a", "1", "2026-01-01T10:00:00Z", "Jose Perez"),
    ];
    let config = ProfileConfig {
        golden: GoldenConfig {
            name: Survivorship::MostFrequent,
            ..GoldenConfig::default()
        },
        ..ProfileConfig::default()
    };
    let chosen = |records: &[Record]| {
        shown(
            build(records, &config).profiles()[0]
                .golden_view(records)
                .name,
        )
        .map(|n| (n.value, n.record))
    };
    let first = chosen(&records);
    records.reverse();
    assert_eq!(first, chosen(&records));
    assert_eq!(first.map(|n| n.1), Some(RecordKey::new("a", "1")));
    // A newer record breaks the frequency tie.
    records.push(named("c", "1", "2026-02-01T10:00:00Z", "Luis Perez"));
    records.push(named("d", "1", "2026-01-15T10:00:00Z", "Jose Perez"));
    let c = build(&records, &config);
    let third = shown(c.profiles()[0].golden_view(&records).name);
    assert_eq!(third.map(|n| n.value), Some("luis perez".to_string()));
}

#[test]
fn provenance_points_to_a_real_input_record_carrying_the_value() {
    let mut records = disputed_names();
    records[0].attributes.birth_date = Some("1985-04-03".into());
    records[1].attributes.birth_date = Some("04/03/1985".into());
    records[2].attributes.address.city = Some("Sevilla".into());
    records[3].attributes.address = crate::record::Address {
        street: Some("Calle Feria".into()),
        number: Some("12".into()),
        city: Some("Sevilla".into()),
        ..crate::record::Address::default()
    };
    records[4]
        .identifiers
        .push(Identifier::new(IdentifierKind::Phone, "+34 612 34 56 78"));
    let c = build(&records, &ProfileConfig::default());
    let g = c.profiles()[0].golden_view(&records);
    let all = [&g.name, &g.birth_date, &g.email, &g.phone, &g.address];
    for value in all
        .iter()
        .map(|v| v.as_ref().expect("every attribute survives"))
    {
        let r = &records[value.provenance.index as usize];
        assert_eq!(&r.key, value.provenance.record);
        assert_eq!(r.observed_at, value.provenance.observed_at);
        // The shown value is in the record, up to spacing and punctuation.
        let compact = |s: &str| {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        };
        let text = compact(&format!("{r:?}"));
        let shown = compact(value.display.split(',').next().unwrap_or_default());
        assert!(
            !shown.is_empty() && text.contains(&shown),
            "{shown} not in {text}"
        );
    }
    let address = g.address.as_ref().expect("address");
    assert_eq!(
        address.provenance.record,
        &RecordKey::new("whatsapp", "4"),
        "most parts"
    );
    assert_eq!(address.display, "Calle Feria, 12, Sevilla");
    let phone = g.phone.as_ref().expect("phone");
    assert_eq!(phone.value, "+34612345678");
    assert_eq!(phone.provenance.record, &RecordKey::new("social", "5"));
}

fn contact(source: &str, id: &str, t: &str, channel: Channel, kind: InteractionKind) -> Record {
    Record {
        key: RecordKey::new(source, id),
        observed_at: Some(at(t)),
        identifiers: vec![Identifier::new(IdentifierKind::Email, "luis@gmail.com")],
        attributes: Attributes::default(),
        interaction: Some(Interaction {
            channel,
            kind,
            ..Interaction::default()
        }),
    }
}

fn with(mut r: Record, f: impl FnOnce(&mut Interaction)) -> Record {
    if let Some(it) = r.interaction.as_mut() {
        f(it);
    }
    r
}

#[test]
fn timeline_is_in_time_order_with_key_tie_break_and_untimed_last() {
    let mut untimed = contact(
        "a",
        "0",
        "2026-01-01T00:00:00Z",
        Channel::Email,
        InteractionKind::Inquiry,
    );
    untimed.observed_at = None;
    let records = vec![
        untimed,
        contact(
            "z",
            "1",
            "2026-01-02T10:00:00Z",
            Channel::Phone,
            InteractionKind::Inquiry,
        ),
        contact(
            "b",
            "1",
            "2026-01-02T10:00:00Z",
            Channel::WebChat,
            InteractionKind::Inquiry,
        ),
        contact(
            "c",
            "1",
            "2026-01-01T10:00:00Z",
            Channel::App,
            InteractionKind::Visit,
        ),
    ];
    let c = build(&records, &ProfileConfig::default());
    let p = &c.profiles()[0];
    let keys: Vec<String> = p
        .timeline
        .iter()
        .map(|&i| records[i as usize].key.to_string())
        .collect();
    assert_eq!(keys, ["c:1", "b:1", "z:1", "a:0"]);
    assert_eq!(
        p.channels,
        [
            Channel::App,
            Channel::WebChat,
            Channel::Phone,
            Channel::Email
        ]
    );
}

#[test]
fn cases_chain_by_kind_within_the_window_and_join_by_reference() {
    let claim = InteractionKind::Claim;
    let records = vec![
        with(
            contact(
                "webchat",
                "1",
                "2026-03-01T10:00:00Z",
                Channel::WebChat,
                claim,
            ),
            |i| i.outcome = Some(Outcome::Pending),
        ),
        // 30 h later: the same claim.
        with(
            contact("calls", "2", "2026-03-02T16:00:00Z", Channel::Phone, claim),
            |i| {
                i.outcome = Some(Outcome::Resolved);
                i.case_ref = Some("INC-1".into());
            },
        ),
        // An inquiry in between is another case.
        contact(
            "whatsapp",
            "3",
            "2026-03-02T12:00:00Z",
            Channel::WhatsApp,
            InteractionKind::Inquiry,
        ),
        // Four days after the last claim contact: a new claim.
        with(
            contact("email", "4", "2026-03-06T17:00:00Z", Channel::Email, claim),
            |i| i.outcome = Some(Outcome::Escalated),
        ),
        // Quoting the first reference a month later: back to the first case.
        with(
            contact("calls", "5", "2026-04-06T17:00:00Z", Channel::Phone, claim),
            |i| {
                i.outcome = Some(Outcome::Resolved);
                i.case_ref = Some(" INC-1 ".into());
            },
        ),
        // Purchases form no case.
        contact(
            "store",
            "6",
            "2026-03-03T10:00:00Z",
            Channel::Store,
            InteractionKind::Purchase,
        ),
    ];
    let c = build(&records, &ProfileConfig::default());
    let cases = c.cases_of(0);
    assert_eq!(cases.len(), 3, "{cases:#?}");
    let first = &cases[0];
    assert_eq!(first.id.seq, 1);
    assert_eq!(first.case_ref.as_deref(), Some("INC-1"));
    assert_eq!(
        first.channels,
        [Channel::WebChat, Channel::Phone, Channel::Phone]
    );
    assert_eq!(first.path(), [Channel::WebChat, Channel::Phone]);
    assert_eq!(
        first.transitions().collect::<Vec<_>>(),
        [(Channel::WebChat, Channel::Phone)]
    );
    assert_eq!(first.repeat_contacts(), 2);
    assert_eq!(first.status, CaseStatus::Resolved);
    assert_eq!(
        first.time_to_resolution(),
        Some(at("2026-04-06T17:00:00Z").duration_since(at("2026-03-01T10:00:00Z")))
    );
    assert_eq!(cases[1].kind, InteractionKind::Inquiry);
    assert_eq!(cases[1].status, CaseStatus::Unknown);
    assert_eq!(cases[2].status, CaseStatus::Escalated);
    assert_eq!(cases[2].time_to_resolution(), None);
    assert_eq!(c.profiles()[0].contacts, 5);
    assert_eq!(c.profiles()[0].complaints, 4);
}

#[test]
fn a_shorter_window_splits_the_chain() {
    let claim = InteractionKind::Claim;
    let records = vec![
        contact(
            "webchat",
            "1",
            "2026-03-01T10:00:00Z",
            Channel::WebChat,
            claim,
        ),
        contact("calls", "2", "2026-03-02T16:00:00Z", Channel::Phone, claim),
    ];
    let mut config = ProfileConfig::default();
    assert_eq!(build(&records, &config).cases().len(), 1);
    config.cases.window_hours = 24;
    assert_eq!(build(&records, &config).cases().len(), 2);
}

#[test]
fn a_resolved_cancellation_is_a_cancelled_case() {
    let records = vec![with(
        contact(
            "calls",
            "1",
            "2026-03-01T10:00:00Z",
            Channel::Phone,
            InteractionKind::Cancellation,
        ),
        |i| i.outcome = Some(Outcome::Resolved),
    )];
    let c = build(&records, &ProfileConfig::default());
    assert_eq!(c.cases()[0].status, CaseStatus::Cancelled);
}

#[test]
fn journey_counts_transitions_fcr_paths_and_touchpoints() {
    let claim = InteractionKind::Claim;
    let mut records = Vec::new();
    // Six customers: a web-chat claim left pending, then a call that resolves
    // it; two of them cancel a week later.
    for n in 0..6 {
        let email = format!("c{n}@gmail.com");
        let mut chat = contact(
            "webchat",
            &format!("{n}a"),
            "2026-03-01T10:00:00Z",
            Channel::WebChat,
            claim,
        );
        chat.identifiers = vec![Identifier::new(IdentifierKind::Email, &email)];
        let mut call = contact(
            "calls",
            &format!("{n}b"),
            "2026-03-02T10:00:00Z",
            Channel::Phone,
            claim,
        );
        call.identifiers = chat.identifiers.clone();
        records.push(with(chat, |i| i.outcome = Some(Outcome::Pending)));
        records.push(with(call, |i| i.outcome = Some(Outcome::Resolved)));
        if n < 2 {
            let mut cancel = contact(
                "calls",
                &format!("{n}c"),
                "2026-03-09T10:00:00Z",
                Channel::Phone,
                InteractionKind::Cancellation,
            );
            cancel.identifiers = chat_ids(&email);
            records.push(cancel);
        }
    }
    // One inquiry solved by WhatsApp at once.
    records.push(with(
        contact(
            "whatsapp",
            "w",
            "2026-03-05T10:00:00Z",
            Channel::WhatsApp,
            InteractionKind::Inquiry,
        ),
        |i| i.outcome = Some(Outcome::Resolved),
    ));
    let c = build(&records, &ProfileConfig::default());
    let j = c.journey();
    assert_eq!(j.profiles, 7);
    assert_eq!(j.cases, 6 + 2 + 1);
    assert_eq!(
        j.transitions_in_cases
            .count(Channel::WebChat, Channel::Phone),
        6
    );
    assert_eq!(
        j.transitions_overall
            .count(Channel::WebChat, Channel::Phone),
        6
    );
    assert_eq!(
        j.transitions_overall.count(Channel::Phone, Channel::Phone),
        2
    );
    assert_eq!(
        j.transitions_in_cases.count(Channel::Phone, Channel::Phone),
        0
    );
    let chat = j
        .channels
        .iter()
        .find(|s| s.channel == Channel::WebChat)
        .expect("chat");
    assert_eq!(
        (
            chat.cases_opened,
            chat.first_contact_resolved,
            chat.repeat_cases
        ),
        (6, 0, 6)
    );
    assert_eq!(chat.repeat_contact_rate, 1.0);
    let wa = j
        .channels
        .iter()
        .find(|s| s.channel == Channel::WhatsApp)
        .expect("wa");
    assert_eq!(wa.fcr_rate, 1.0);
    assert_eq!(j.paths[0].path, [Channel::WebChat, Channel::Phone]);
    assert_eq!(j.paths[0].cases, 6);
    let top = &j.touchpoints[0];
    assert_eq!(
        (top.channel, top.kind, top.outcome),
        (Channel::WebChat, claim, Some(Outcome::Pending))
    );
    assert_eq!(top.escalated_to_other_channel, 6);
    assert_eq!(top.followed_by_cancellation, 2);
}

fn chat_ids(email: &str) -> Vec<Identifier> {
    vec![Identifier::new(IdentifierKind::Email, email)]
}

fn purchase(customer: &str, id: &str, t: &str, amount: f64, currency: &str) -> Record {
    Record {
        key: RecordKey::new("store", id),
        observed_at: Some(at(t)),
        identifiers: chat_ids(customer),
        attributes: Attributes::default(),
        interaction: Some(Interaction {
            channel: Channel::Store,
            kind: InteractionKind::Purchase,
            amount: Some(Money {
                amount,
                currency: currency.into(),
            }),
            ..Interaction::default()
        }),
    }
}

#[test]
fn rfm_scores_quintiles_per_currency_and_segments() {
    // Five euro customers with distinct recency, frequency and spend, and
    // one peso customer who is the only one of their currency.
    let mut records = Vec::new();
    for (n, (days_ago, count, amount)) in [
        (1, 5, 500.0),
        (10, 4, 400.0),
        (40, 3, 300.0),
        (100, 2, 200.0),
        (300, 1, 100.0),
    ]
    .into_iter()
    .enumerate()
    {
        let who = format!("e{n}@gmail.com");
        for k in 0..count {
            let t =
                at("2026-06-01T00:00:00Z") - jiff::SignedDuration::from_hours(24 * (days_ago + k));
            records.push(purchase(
                &who,
                &format!("e{n}-{k}"),
                &t.to_string(),
                amount / count as f64,
                "EUR",
            ));
        }
    }
    records.push(purchase(
        "mx@gmail.com",
        "mx-1",
        "2026-06-01T00:00:00Z",
        1.0,
        "MXN",
    ));
    let res = resolve(&records);
    let c = Customer360::build(&records, &res, &ProfileConfig::default());
    let v = c.value();
    assert_eq!(v.as_of, Some(at("2026-06-01T00:00:00Z")));
    let rfm_of = |email: &str| {
        let hits = c.find(&res, &IdentifierKind::Email, email);
        c.profiles()[hits[0]].rfm.clone().expect("a buyer")
    };
    let best = rfm_of("e0@gmail.com");
    assert_eq!((best.r, best.f, best.m), (4, 5, 5));
    assert_eq!(best.recency_days, Some(1.0));
    assert_eq!(best.currency.as_deref(), Some("EUR"));
    assert_eq!(best.monetary, 500.0);
    let worst = rfm_of("e4@gmail.com");
    assert_eq!((worst.r, worst.f, worst.m), (1, 1, 1));
    let mx = rfm_of("mx@gmail.com");
    assert_eq!((mx.r, mx.f, mx.m), (5, 1, 1), "ranked alone in pesos");
    let seg = |email: &str| c.profiles()[c.find(&res, &IdentifierKind::Email, email)[0]].segment;
    assert_eq!(seg("e0@gmail.com"), Segment::Loyal);
    assert_eq!(seg("e4@gmail.com"), Segment::Lost);
    assert_eq!(seg("mx@gmail.com"), Segment::NewCustomer);
    assert_eq!(
        v.best[0].profile,
        c.profiles()[c.find(&res, &IdentifierKind::Email, "e0@gmail.com")[0]].id
    );
}

#[test]
fn segment_grid_matches_the_table() {
    assert_eq!(Segment::from_scores(5, 5), Segment::Champion);
    assert_eq!(Segment::from_scores(4, 4), Segment::Loyal);
    assert_eq!(Segment::from_scores(5, 2), Segment::PotentialLoyalist);
    assert_eq!(Segment::from_scores(5, 1), Segment::NewCustomer);
    assert_eq!(Segment::from_scores(4, 1), Segment::Promising);
    assert_eq!(Segment::from_scores(3, 3), Segment::NeedsAttention);
    assert_eq!(Segment::from_scores(3, 2), Segment::AboutToSleep);
    assert_eq!(Segment::from_scores(2, 3), Segment::AtRisk);
    assert_eq!(Segment::from_scores(1, 5), Segment::CannotLose);
    assert_eq!(Segment::from_scores(2, 2), Segment::Hibernating);
    assert_eq!(Segment::from_scores(1, 1), Segment::Lost);
}

#[test]
fn lookup_finds_a_profile_by_any_format_and_views_it() {
    let mut records = vec![
        with(
            contact(
                "webchat",
                "1",
                "2026-03-01T10:00:00Z",
                Channel::WebChat,
                InteractionKind::Claim,
            ),
            |i| i.summary = Some("router".into()),
        ),
        contact(
            "calls",
            "2",
            "2026-03-02T10:00:00Z",
            Channel::Phone,
            InteractionKind::Claim,
        ),
    ];
    records[1]
        .identifiers
        .push(Identifier::new(IdentifierKind::Phone, "+34 612 34 56 78"));
    records[1].identifiers.push(Identifier::new(
        IdentifierKind::Handle(crate::Network::Instagram),
        "@Luis.P",
    ));
    let resolver = Resolver::new(ResolverConfig::default()).expect("config");
    let res = resolver.resolve(&records).expect("resolves");
    let c = Customer360::build(&records, &res, &ProfileConfig::default());
    let n = resolver.normalizer();
    for raw in [
        "612345678",
        "0034 612-345-678",
        "Luis@GMail.com",
        "https://instagram.com/luis.p",
    ] {
        let hits = c.lookup_any(&res, n, raw, Some(crate::Country::ES));
        assert_eq!(hits.len(), 1, "{raw}: {hits:?}");
        assert_eq!(hits[0].profile, 0);
    }
    assert!(c.lookup_any(&res, n, "nobody@gmail.com", None).is_empty());
    let phone = Identifier::new(IdentifierKind::Phone, "anonymous");
    assert!(c.lookup(&res, n, &phone, None).is_err());
    let view = c
        .view(
            0,
            &records,
            ViewOptions {
                cases: true,
                timeline_tail: Some(1),
            },
        )
        .expect("a view");
    let timeline = view.timeline.as_ref().expect("timeline");
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0].record, &RecordKey::new("calls", "2"));
    assert_eq!(view.cases.as_ref().map(Vec::len), Some(1));
    let json = serde_json::to_value(&view).expect("serializes");
    assert_eq!(
        json["cases"][0]["path"],
        serde_json::json!(["web_chat", "phone"])
    );
    assert_eq!(json["timeline"][0]["case"], json["cases"][0]["id"]);
}

/// Every profile's full view, cases and timeline included, as JSON.
fn all_views(c: &Customer360, records: &[Record]) -> serde_json::Value {
    let options = ViewOptions {
        cases: true,
        timeline_tail: Some(usize::MAX),
    };
    (0..c.profiles().len())
        .map(|p| serde_json::to_value(c.view(p, records, options)).expect("serializes"))
        .collect()
}

#[test]
fn build_does_not_depend_on_input_order() {
    let mut records = disputed_names();
    records.push(contact(
        "calls",
        "9",
        "2026-03-02T10:00:00Z",
        Channel::Phone,
        InteractionKind::Claim,
    ));
    records.push(purchase(
        "ana@gmail.com",
        "p1",
        "2026-03-03T10:00:00Z",
        10.0,
        "EUR",
    ));
    let a = build(&records, &ProfileConfig::default());
    let views = all_views(&a, &records);
    records.reverse();
    let b = build(&records, &ProfileConfig::default());
    assert_eq!(views, all_views(&b, &records));
    let (pa, pb) = (&a.profiles()[0], &b.profiles()[0]);
    assert_eq!(pa.identifiers, pb.identifiers);
    assert_eq!(pa.texts, pb.texts);
    assert_eq!(pa.channels, pb.channels);
    assert_eq!(a.journey(), b.journey());
    assert_eq!(a.value(), b.value());
    assert_eq!(pa.rfm, pb.rfm);
}

/// Customers enough for many batches of profiles, each with a CRM row
/// under a name written two ways, chats, claims and purchases.
fn crowd(customers: usize) -> Vec<Record> {
    let mut records = Vec::new();
    for k in 0..customers {
        let email = format!("c{k}@gmail.com");
        let day = |d: usize| format!("2026-{:02}-{:02}T10:00:00Z", 1 + k % 12, 1 + d % 28);
        let mut crm = named("crm_es", &k.to_string(), &day(k), "Ana Garcia");
        crm.identifiers = vec![
            Identifier::new(IdentifierKind::Email, &email),
            Identifier::new(IdentifierKind::Phone, format!("+3461{k:07}")),
        ];
        if k % 3 == 0 {
            crm.attributes.full_name = Some(format!("Ana María García {k}"));
        }
        records.push(crm);
        for n in 0..k % 4 {
            let kind = [InteractionKind::Claim, InteractionKind::Inquiry][n % 2];
            let mut chat = contact(
                "webchat",
                &format!("{k}-{n}"),
                &day(k + n),
                Channel::WebChat,
                kind,
            );
            chat.identifiers = chat_ids(&email.to_uppercase());
            records.push(with(chat, |i| i.outcome = Some(Outcome::Resolved)));
        }
        if k % 2 == 0 {
            records.push(purchase(
                &email,
                &format!("p{k}"),
                &day(k + 5),
                k as f64,
                "EUR",
            ));
        }
    }
    records
}

#[test]
fn build_does_not_depend_on_the_thread_count() {
    let records = crowd(700);
    let res = resolve(&records);
    let in_pool = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(|| Customer360::build(&records, &res, &ProfileConfig::default()))
    };
    let one = in_pool(1);
    let four = in_pool(4);
    assert_eq!(one.profiles().len(), 700);
    assert!(one.cases().len() > 700, "{}", one.cases().len());
    assert_eq!(one.profiles(), four.profiles());
    assert_eq!(one.cases(), four.cases());
    assert_eq!(one.journey(), four.journey());
    assert_eq!(one.value(), four.value());
    assert_eq!(all_views(&one, &records), all_views(&four, &records));
    for k in [0, 63, 64, 65, 699] {
        let email = format!("c{k}@gmail.com");
        let found = one.find(&res, &IdentifierKind::Email, &email);
        assert_eq!(found, four.find(&res, &IdentifierKind::Email, &email));
        let [p] = found[..] else {
            panic!("{email}: {found:?}")
        };
        let view = one
            .view(p, &records, ViewOptions::default())
            .expect("a view");
        assert_eq!(view.golden.email.map(|e| e.value), Some(email.as_str()));
    }
}

#[test]
fn facts_are_filed_right_across_buckets_and_in_a_profile_larger_than_one() {
    // About 6,300 records of 2,000 customers, then one customer with 5,000
    // chats: several buckets of facts, and a profile larger than a bucket.
    let mut records = crowd(2000);
    let big = "big@gmail.com";
    for n in 0..5000 {
        let t = format!("2025-{:02}-{:02}T10:00:00Z", 1 + n % 12, 1 + n % 28);
        let mut chat = contact(
            "webchat",
            &format!("big-{n}"),
            &t,
            Channel::WebChat,
            InteractionKind::Inquiry,
        );
        // Too many records for an email to link them: a CRM id does.
        chat.identifiers = vec![
            Identifier::new(IdentifierKind::CrmId("crm".into()), "BIG-1"),
            Identifier::new(IdentifierKind::Email, big),
        ];
        records.push(chat);
    }
    let res = resolve(&records);
    let c = Customer360::build(&records, &res, &ProfileConfig::default());
    assert_eq!(c.profiles().len(), 2001);
    for k in 0..2000 {
        let email = format!("c{k}@gmail.com");
        let [p] = c.find(&res, &IdentifierKind::Email, &email)[..] else {
            panic!("{email}")
        };
        let profile = &c.profiles()[p];
        assert_eq!(
            profile.members.len(),
            1 + k % 4 + usize::from(k % 2 == 0),
            "{email}"
        );
        let view = c.view(p, &records, ViewOptions::default()).expect("a view");
        assert_eq!(view.golden.email.map(|e| e.value), Some(email.as_str()));
        for &m in &profile.members {
            let r = &records[m as usize];
            assert!(
                r.identifiers
                    .iter()
                    .any(|i| i.raw.eq_ignore_ascii_case(&email)),
                "{email}: {:?}",
                r.key
            );
        }
    }
    let [p] = c.find(&res, &IdentifierKind::CrmId("crm".into()), "BIG-1")[..] else {
        panic!("BIG-1")
    };
    let profile = &c.profiles()[p];
    assert_eq!(profile.members.len(), 5000);
    assert_eq!(profile.interactions, 5000);
    let email = profile
        .identifiers
        .iter()
        .find(|i| i.value.of(&profile.texts) == big)
        .expect("the email");
    assert_eq!(email.records, 5000);
}

#[test]
fn texts_are_stored_once_per_profile_and_shared_when_equal() {
    let mut records = disputed_names();
    records[0]
        .identifiers
        .push(Identifier::new(IdentifierKind::Phone, "+34612345678"));
    let c = build(&records, &ProfileConfig::default());
    let p = &c.profiles()[0];
    let phone = p.golden.phone.expect("a phone");
    // E.164 written as such: the display is the value's text.
    assert_eq!(phone.value, phone.display);
    assert_eq!(phone.value.of(&p.texts), "+34612345678");
    let view = p.golden_view(&records);
    let name = view.name.expect("a name");
    assert!(p.texts.contains(name.value) && p.texts.contains(name.display));
    let kinds: Vec<&IdentifierKind> = p
        .identifiers
        .iter()
        .filter_map(|i| c.kind(i.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            &IdentifierKind::Phone,
            &IdentifierKind::Email,
            &IdentifierKind::CrmId("crm".into())
        ],
        "by kind, in the kinds' order"
    );
}

#[test]
fn best_and_worst_lists_are_the_head_of_the_full_ranking() {
    let records = crowd(300);
    let res = resolve(&records);
    let listed = |top: usize| {
        let config = ProfileConfig {
            value: value::ValueConfig { as_of: None, top },
            ..ProfileConfig::default()
        };
        Customer360::build(&records, &res, &config).value().clone()
    };
    let all = listed(1000);
    let few = listed(7);
    assert_eq!(all.best.len(), 150, "every buyer");
    assert!(all.worst.len() > 100, "{}", all.worst.len());
    assert_eq!(few.best[..], all.best[..7]);
    assert_eq!(few.worst[..], all.worst[..7]);
    assert!(listed(0).best.is_empty());
}

#[test]
fn cases_in_pieces_read_as_one_list() {
    let case = |n: u32| Case {
        id: cases::CaseId {
            profile: ProfileId(7),
            seq: n,
        },
        profile: 0,
        kind: InteractionKind::Claim,
        case_ref: None,
        contacts: vec![n],
        channels: vec![Channel::Phone],
        first_contact: None,
        last_contact: None,
        status: CaseStatus::Unknown,
        resolved_at: None,
    };
    let sizes = [0, 3, 0, 0, 1, 4, 0];
    let mut n = 0;
    let pieces: Vec<Vec<Case>> = sizes
        .iter()
        .map(|&k| {
            (0..k)
                .map(|_| {
                    n += 1;
                    case(n)
                })
                .collect()
        })
        .collect();
    let flat: Vec<Case> = pieces.iter().flatten().cloned().collect();
    let cases = Cases::new(pieces);
    assert_eq!(cases.len(), 8);
    assert!(cases.iter().eq(flat.iter()));
    assert!((&cases).into_iter().eq(flat.iter()));
    for i in 0..10 {
        assert_eq!(cases.get(i), flat.get(i), "case {i}");
        for j in i..11 {
            let expected: Vec<&Case> = flat.iter().skip(i).take(j - i).collect();
            assert_eq!(cases.range(i..j).collect::<Vec<_>>(), expected, "{i}..{j}");
        }
    }
    assert_eq!(cases[3].id.seq, 4);
    // A piece's cases are one slice; across pieces they are not.
    assert_eq!(cases.slice(3..8), None);
    assert_eq!(cases.slice(4..8).map(<[Case]>::len), Some(4));
    assert_eq!(cases.slice(0..3).map(<[Case]>::len), Some(3));
    assert_eq!(cases.slice(2..4), None);
    assert_eq!(cases.slice(5..5), Some(&[][..]));
    assert_eq!(Cases::new(vec![vec![], vec![]]), Cases::default());
}

proptest::proptest! {
    /// Texts of at most 16 bytes have equal fingerprints exactly when they
    /// are equal (`b` is `a` with at most one byte changed, sometimes
    /// longer).
    #[test]
    fn fingerprints_tell_short_texts_apart(
        a in "[ab]{0,16}", i in 0usize..16, c in "[ab]", tail in "[ab]{0,2}",
    ) {
        let mut b: String = a
            .chars()
            .enumerate()
            .map(|(k, x)| if k == i { c.chars().next().unwrap_or(x) } else { x })
            .collect();
        if b.len() + tail.len() <= 16 && i % 5 == 0 {
            b.push_str(&tail);
        }
        proptest::prop_assert_eq!(fingerprint(&a) == fingerprint(&b), a == b);
    }

    /// The sort key of an identifier orders as its kind's rank and then the
    /// first six bytes of its text (zeros after the end) do.
    #[test]
    fn prefix_keys_order_as_rank_and_the_first_six_bytes(
        ra in 0u16..4, rb in 0u16..4, a in "[a-c\u{e9}]{0,9}", b in "[a-c\u{e9}]{0,9}",
    ) {
        let head = |s: &str| {
            let mut h: Vec<u8> = s.bytes().take(6).collect();
            h.resize(6, 0);
            h
        };
        proptest::prop_assert_eq!(
            prefix_key(ra, &a).cmp(&prefix_key(rb, &b)),
            (ra, head(&a)).cmp(&(rb, head(&b)))
        );
    }
}

/// Records of one customer (one CRM id) with a short email on two records and
/// a longer one on an older record.
fn disputed_emails() -> Vec<Record> {
    let record = |id: &str, t: &str, email: &str| Record {
        key: RecordKey::new("crm_es", id),
        observed_at: Some(at(t)),
        identifiers: vec![
            Identifier::new(IdentifierKind::CrmId("crm".into()), "C-1001"),
            Identifier::new(IdentifierKind::Email, email),
        ],
        ..Record::default()
    };
    vec![
        record("1", "2026-01-01T10:00:00Z", "Ana.Garcia.Lopez@gmail.com"),
        record("2", "2026-01-02T10:00:00Z", "ana@gmail.com"),
        record("3", "2026-01-03T10:00:00Z", "ana@gmail.com"),
    ]
}

#[test]
fn most_complete_takes_the_longest_email_and_most_frequent_the_common_one() {
    let records = disputed_emails();
    let email_under = |rule| {
        let config = ProfileConfig {
            golden: GoldenConfig {
                email: rule,
                ..GoldenConfig::default()
            },
            ..ProfileConfig::default()
        };
        let c = build(&records, &config);
        assert_eq!(c.profiles().len(), 1);
        shown(c.profiles()[0].golden_view(&records).email).expect("an email survives")
    };
    let long = email_under(Survivorship::MostComplete);
    assert_eq!(long.display, "ana.garcia.lopez@gmail.com");
    assert_eq!(long.record, RecordKey::new("crm_es", "1"));
    assert_eq!((long.support, long.candidates), (1, 2));
    let common = email_under(Survivorship::MostFrequent);
    assert_eq!(common.display, "ana@gmail.com");
    assert_eq!(common.record, RecordKey::new("crm_es", "3"));
    assert_eq!((common.support, common.candidates), (2, 2));
}

/// One customer's `n` records (one CRM id) cycling through `distinct` names
/// and cookies, a day apart.
fn cycling(n: usize, distinct: usize) -> Vec<Record> {
    const FAMILY: [&str; 30] = [
        "Garcia", "Lopez", "Perez", "Sanchez", "Romero", "Torres", "Flores", "Rivera", "Gomez",
        "Diaz", "Reyes", "Morales", "Ortiz", "Castro", "Vargas", "Ramos", "Ruiz", "Herrera",
        "Medina", "Aguilar", "Mendoza", "Navarro", "Molina", "Delgado", "Castillo", "Rojas",
        "Vega", "Campos", "Silva", "Nunez",
    ];
    (0..n)
        .map(|k| {
            let j = k % distinct;
            let t = at("2026-01-01T10:00:00Z") + jiff::SignedDuration::from_hours(24 * k as i64);
            Record {
                key: RecordKey::new("crm_es", format!("{k:03}")),
                observed_at: Some(t),
                identifiers: vec![
                    Identifier::new(IdentifierKind::CrmId("crm".into()), "C-1001"),
                    Identifier::new(
                        IdentifierKind::Cookie,
                        format!("GA1.2.{}.{}", 4711 + j, FAMILY[j]),
                    ),
                ],
                attributes: Attributes {
                    full_name: Some(format!("Ana {}", FAMILY[j])),
                    ..Attributes::default()
                },
                interaction: None,
            }
        })
        .collect()
}

#[test]
fn few_and_many_distinct_values_group_alike() {
    // 8 distinct values are grouped by comparing each with those before;
    // 30 are more than that takes, and are sorted.
    for (n, distinct) in [(12, 8), (40, 30)] {
        let records = cycling(n, distinct);
        let config = ProfileConfig {
            golden: GoldenConfig {
                name: Survivorship::MostFrequent,
                ..GoldenConfig::default()
            },
            ..ProfileConfig::default()
        };
        let c = build(&records, &config);
        assert_eq!(c.profiles().len(), 1, "{n}");
        let p = &c.profiles()[0];
        // Counted here: values, how many records carry each, the newest.
        let mut names: BTreeMap<String, (u32, usize)> = BTreeMap::new();
        let mut cookies: BTreeMap<String, u32> = BTreeMap::new();
        for (k, r) in records.iter().enumerate() {
            let name = r.attributes.full_name.clone().unwrap().to_lowercase();
            let e = names.entry(name).or_default();
            *e = (e.0 + 1, k);
            *cookies.entry(r.identifiers[1].raw.clone()).or_default() += 1;
        }
        let (name, &(support, newest)) = names.iter().max_by_key(|(_, v)| (v.0, v.1)).unwrap();
        let golden = shown(p.golden_view(&records).name).expect("a name");
        assert_eq!(golden.value, *name, "{n}");
        assert_eq!(
            (golden.support, golden.candidates),
            (support, distinct as u32)
        );
        assert_eq!(golden.record, records[newest].key, "{n}");
        let cookie = c
            .kinds
            .iter()
            .position(|k| *k == IdentifierKind::Cookie)
            .unwrap();
        let found: Vec<(String, u32)> = p
            .identifiers
            .iter()
            .filter(|i| i.kind.0 as usize == cookie)
            .map(|i| (i.value.of(&p.texts).to_string(), i.records))
            .collect();
        assert_eq!(found, cookies.into_iter().collect::<Vec<_>>(), "{n}");
        assert_eq!(p.identifiers.len(), distinct + 1, "{n}");
    }
}

#[test]
fn a_prefix_of_the_resolved_records_makes_profiles_of_those_only() {
    let records = crowd(60);
    let res = resolve(&records);
    let k = records.len() / 2;
    let full = Customer360::build(&records, &res, &ProfileConfig::default());
    let part = Customer360::build(&records[..k], &res, &ProfileConfig::default());
    // Each profile of the prefix is a full profile's members below `k`.
    let mut expected: Vec<Vec<u32>> = full
        .profiles()
        .iter()
        .map(|p| {
            p.members
                .iter()
                .copied()
                .filter(|&m| (m as usize) < k)
                .collect()
        })
        .filter(|m: &Vec<u32>| !m.is_empty())
        .collect();
    let mut got: Vec<Vec<u32>> = part.profiles().iter().map(|p| p.members.clone()).collect();
    expected.sort();
    got.sort();
    assert!(got.len() < full.profiles().len());
    assert_eq!(got, expected);
}
