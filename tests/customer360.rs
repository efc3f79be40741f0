//! Contact-center stories, told with the library: the agent who takes the
//! call sees the chat, nothing a customer said is lost between channels, a
//! store purchase finds the app user, and RFM names the best and the worst
//! customers.

use omnid::prepare::SourceSettings;
use omnid::profile::cases::CaseStatus;
use omnid::profile::value::{Segment, ValueConfig};
use omnid::profile::{Customer360, ProfileConfig, ViewOptions};
use omnid::resolve::{Resolver, ResolverConfig};
use omnid::{
    Channel, Country, Identifier, IdentifierKind, Interaction, InteractionKind, Money, Outcome,
    Record, RecordKey,
};

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("a test timestamp")
}

/// Every source reads Spanish national numbers.
fn spanish_resolver() -> Resolver {
    let mut config = ResolverConfig::default();
    for s in ["webchat", "calls", "email_tickets", "crm", "store", "app"] {
        config.sources.insert(
            s.into(),
            SourceSettings {
                default_region: Some(Country::ES),
                date_order: None,
                ..SourceSettings::default()
            },
        );
    }
    Resolver::new(config).expect("a valid configuration")
}

struct Event<'a> {
    source: &'a str,
    id: &'a str,
    at: &'a str,
    channel: Channel,
    kind: InteractionKind,
    outcome: Option<Outcome>,
    summary: &'a str,
    ids: Vec<Identifier>,
}

impl Event<'_> {
    fn record(self) -> Record {
        Record {
            key: RecordKey::new(self.source, self.id),
            observed_at: Some(at(self.at)),
            identifiers: self.ids,
            interaction: Some(Interaction {
                channel: self.channel,
                kind: self.kind,
                outcome: self.outcome,
                summary: (!self.summary.is_empty()).then(|| self.summary.to_string()),
                ..Interaction::default()
            }),
            ..Record::default()
        }
    }
}

fn id(kind: IdentifierKind, raw: &str) -> Identifier {
    Identifier::new(kind, raw)
}

#[test]
fn a_web_chat_claim_then_a_call_from_the_number_written_differently_is_one_case() {
    let records = vec![
        Event {
            source: "webchat",
            id: "CH-1",
            at: "2026-03-01T10:00:00Z",
            channel: Channel::WebChat,
            kind: InteractionKind::Claim,
            outcome: Some(Outcome::Pending),
            summary: "El router no funciona desde ayer",
            ids: vec![
                id(IdentifierKind::Email, "ana.garcia@gmail.com"),
                id(IdentifierKind::Phone, "+34 612-34-56-78"),
            ],
        }
        .record(),
        Event {
            source: "calls",
            id: "CL-9",
            at: "2026-03-02T16:00:00Z",
            channel: Channel::Phone,
            kind: InteractionKind::Claim,
            outcome: Some(Outcome::Resolved),
            summary: "Cambio de router",
            ids: vec![id(IdentifierKind::Phone, "612 345 678")],
        }
        .record(),
    ];
    let resolver = spanish_resolver();
    let res = resolver.resolve(&records).expect("resolves");
    let c360 = Customer360::build(&records, &res, &ProfileConfig::default());
    assert_eq!(c360.profiles().len(), 1, "one customer");
    assert_eq!(c360.cases().len(), 1, "one case");
    let case = &c360.cases()[0];
    assert_eq!(
        case.transitions().collect::<Vec<_>>(),
        [(Channel::WebChat, Channel::Phone)]
    );
    assert_eq!(case.status, CaseStatus::Resolved);
    assert_eq!(
        case.time_to_resolution(),
        Some(jiff::SignedDuration::from_hours(30))
    );
    assert_eq!(
        c360.journey()
            .transitions_in_cases
            .count(Channel::WebChat, Channel::Phone),
        1
    );

    // The agent who takes the call looks the caller up by the number on screen.
    let hits = c360
        .lookup(
            &res,
            resolver.normalizer(),
            &id(IdentifierKind::Phone, "612345678"),
            Some(Country::ES),
        )
        .expect("a valid phone");
    assert_eq!(hits.len(), 1);
    let view = c360
        .view(
            hits[0].profile,
            &records,
            ViewOptions {
                cases: true,
                timeline_tail: Some(10),
            },
        )
        .expect("a view");
    let timeline = view.timeline.expect("a timeline");
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[0].channel, Channel::WebChat);
    assert_eq!(
        timeline[0].summary,
        Some("El router no funciona desde ayer")
    );
    assert_eq!(
        timeline[0].case, timeline[1].case,
        "the chat is part of the call's case"
    );
}

#[test]
fn an_email_then_a_call_keeps_the_whole_history() {
    let crm = IdentifierKind::CrmId("crm".into());
    let records = vec![
        Event {
            source: "email_tickets",
            id: "TK-1",
            at: "2026-04-01T09:00:00Z",
            channel: Channel::Email,
            kind: InteractionKind::Inquiry,
            outcome: Some(Outcome::Pending),
            summary: "¿Puedo cambiar de tarifa?",
            ids: vec![
                id(IdentifierKind::Email, "Luis.Perez+tickets@Gmail.com"),
                id(crm.clone(), "884412"),
            ],
        }
        .record(),
        Event {
            source: "calls",
            id: "CL-2",
            at: "2026-04-01T15:30:00Z",
            channel: Channel::Phone,
            kind: InteractionKind::Inquiry,
            outcome: Some(Outcome::Resolved),
            summary: "Cambio a tarifa ilimitada",
            ids: vec![id(IdentifierKind::Phone, "699 11 22 33"), id(crm, "884412")],
        }
        .record(),
    ];
    let resolver = spanish_resolver();
    let res = resolver.resolve(&records).expect("resolves");
    let c360 = Customer360::build(&records, &res, &ProfileConfig::default());
    assert_eq!(c360.profiles().len(), 1);
    let p = &c360.profiles()[0];
    assert_eq!(p.channels, [Channel::Email, Channel::Phone]);
    assert_eq!(p.timeline.len(), 2);
    let shown = c360
        .view(0, &records, ViewOptions::default())
        .expect("a view");
    let kinds: Vec<&str> = shown.identifiers.iter().map(|i| i.kind.name()).collect();
    assert_eq!(kinds, ["phone", "email", "crm_id"]);
    let email = shown
        .identifiers
        .iter()
        .find(|i| i.kind == &IdentifierKind::Email)
        .expect("email");
    assert_eq!(email.value, "luisperez@gmail.com");
    assert_eq!(email.display, "luis.perez+tickets@gmail.com");
    assert_eq!(email.first_seen, Some(at("2026-04-01T09:00:00Z")));
    let hits = c360.lookup_any(&res, resolver.normalizer(), "+34699112233", None);
    let view = c360
        .view(
            hits[0].profile,
            &records,
            ViewOptions {
                cases: true,
                timeline_tail: Some(5),
            },
        )
        .expect("a view");
    let said: Vec<&str> = view
        .timeline
        .iter()
        .flatten()
        .filter_map(|e| e.summary)
        .collect();
    assert_eq!(
        said,
        ["¿Puedo cambiar de tarifa?", "Cambio a tarifa ilimitada"]
    );
    let cases = view.cases.expect("cases");
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].path, [Channel::Email, Channel::Phone]);
    assert_eq!(cases[0].contacts, 2);
    assert_eq!(cases[0].repeat_contacts, 1);
}

#[test]
fn a_store_purchase_with_a_loyalty_card_joins_the_app_user() {
    let crm = IdentifierKind::CrmId("crm".into());
    let card = IdentifierKind::LoyaltyCard("club".into());
    let app = IdentifierKind::AppUserId("mi-app".into());
    let mut purchase = Event {
        source: "store",
        id: "TX-1",
        at: "2026-05-10T18:00:00Z",
        channel: Channel::Store,
        kind: InteractionKind::Purchase,
        outcome: None,
        summary: "Smartwatch",
        ids: vec![id(card.clone(), "6048 1573 5062 2691")],
    }
    .record();
    if let Some(it) = purchase.interaction.as_mut() {
        it.amount = Some(Money {
            amount: 199.0,
            currency: "EUR".into(),
        });
    }
    let records = vec![
        Record {
            key: RecordKey::new("crm", "884412"),
            observed_at: Some(at("2025-01-01T00:00:00Z")),
            identifiers: vec![id(crm.clone(), "884412"), id(card, "6048157350622691")],
            ..Record::default()
        },
        purchase,
        Event {
            source: "app",
            id: "EV-1",
            at: "2026-05-11T08:00:00Z",
            channel: Channel::App,
            kind: InteractionKind::Visit,
            outcome: None,
            summary: "",
            ids: vec![id(app.clone(), "u-b53593679b"), id(crm, "884412")],
        }
        .record(),
    ];
    let resolver = spanish_resolver();
    let res = resolver.resolve(&records).expect("resolves");
    let c360 = Customer360::build(&records, &res, &ProfileConfig::default());
    assert_eq!(
        c360.profiles().len(),
        1,
        "store, CRM and app are one customer"
    );
    let hits = c360
        .lookup(&res, resolver.normalizer(), &id(app, "u-b53593679b"), None)
        .expect("a valid id");
    let p = &c360.profiles()[hits[0].profile];
    assert_eq!(p.purchases, 1);
    assert_eq!(p.spend_by_currency, [("EUR".to_string(), 199.0)]);
    assert_eq!(p.channels, [Channel::Store, Channel::App]);
    let rfm = p.rfm.as_ref().expect("a buyer has RFM");
    assert_eq!(rfm.frequency, 1);
    assert_eq!(rfm.currency.as_deref(), Some("EUR"));
}

fn buy(who: &str, n: &str, t: &str, amount: f64) -> Record {
    let mut r = Event {
        source: "store",
        id: n,
        at: t,
        channel: Channel::Store,
        kind: InteractionKind::Purchase,
        outcome: None,
        summary: "",
        ids: vec![id(IdentifierKind::Email, who)],
    }
    .record();
    if let Some(it) = r.interaction.as_mut() {
        it.amount = Some(Money {
            amount,
            currency: "EUR".into(),
        });
    }
    r
}

fn claim(who: &str, n: &str, t: &str) -> Record {
    Event {
        source: "calls",
        id: n,
        at: t,
        channel: Channel::Phone,
        kind: InteractionKind::Claim,
        outcome: Some(Outcome::Resolved),
        summary: "",
        ids: vec![id(IdentifierKind::Email, who)],
    }
    .record()
}

#[test]
fn rfm_names_the_best_and_the_worst_customers() {
    // A: three recent purchases; B: one small purchase a year ago; C: two
    // purchases and four claims; D: no purchase, one inquiry.
    let (a, b, c, d) = (
        "ana.a@gmail.com",
        "bruno.b@gmail.com",
        "carla.c@gmail.com",
        "diego.d@gmail.com",
    );
    let mut records = vec![
        buy(a, "a1", "2026-05-30T00:00:00Z", 100.0),
        buy(a, "a2", "2026-05-20T00:00:00Z", 100.0),
        buy(a, "a3", "2026-05-10T00:00:00Z", 100.0),
        buy(b, "b1", "2025-06-01T00:00:00Z", 20.0),
        buy(c, "c1", "2026-05-01T00:00:00Z", 50.0),
        buy(c, "c2", "2026-04-01T00:00:00Z", 50.0),
    ];
    for (n, t) in ["2026-01-05", "2026-02-05", "2026-03-05", "2026-04-05"]
        .iter()
        .enumerate()
    {
        records.push(claim(c, &format!("c-claim-{n}"), &format!("{t}T10:00:00Z")));
    }
    let mut inquiry = claim(d, "d1", "2026-05-15T10:00:00Z");
    if let Some(it) = inquiry.interaction.as_mut() {
        it.kind = InteractionKind::Inquiry;
    }
    records.push(inquiry);
    let resolver = spanish_resolver();
    let res = resolver.resolve(&records).expect("resolves");
    let config = ProfileConfig {
        value: ValueConfig {
            as_of: Some(at("2026-06-01T00:00:00Z")),
            top: 10,
        },
        ..ProfileConfig::default()
    };
    let c360 = Customer360::build(&records, &res, &config);
    let n = resolver.normalizer();
    let profile = |email: &str| {
        let hits = c360.lookup_any(&res, n, email, None);
        &c360.profiles()[hits[0].profile]
    };
    let scores = |email: &str| {
        let r = profile(email).rfm.clone().expect("a buyer");
        (r.r, r.f, r.m)
    };
    // Three buyers: scores are 1 + 5 * (buyers strictly worse) / 3.
    assert_eq!(scores(a), (4, 4, 4));
    assert_eq!(scores(c), (2, 2, 2));
    assert_eq!(scores(b), (1, 1, 1));
    assert_eq!(profile(a).segment, Segment::Loyal);
    assert_eq!(profile(c).segment, Segment::Hibernating);
    assert_eq!(profile(b).segment, Segment::Lost);
    assert_eq!(profile(d).segment, Segment::NoPurchases);
    assert_eq!(
        profile(a).rfm.as_ref().and_then(|r| r.recency_days),
        Some(2.0)
    );

    let v = c360.value();
    let best: Vec<_> = v.best.iter().map(|r| r.profile).collect();
    assert_eq!(best, [profile(a).id, profile(c).id, profile(b).id]);
    let worst: Vec<_> = v.worst.iter().map(|r| r.profile).collect();
    assert_eq!(
        worst,
        [profile(c).id, profile(d).id],
        "B and A never called"
    );
    assert_eq!(v.worst[0].complaints_per_purchase, 2.0);
    assert_eq!(v.worst[1].contacts_per_purchase, 1.0);
}
