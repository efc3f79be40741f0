//! What each customer does over the period, written as rows: CRM accounts,
//! then a journey of purchases, inquiries, claims with follow-ups across
//! channels, app sessions and, for some, a cancellation.
//!
//! A row is only as identifiable as real data would be. The generator tracks
//! which of a customer's identifiers are already tied to the rest of their
//! records ("linked"): the first time a new identifier shows up (a second
//! phone, a new cookie, a social handle), the row carries something that ties
//! it, as agents ask for the customer number and chat forms ask for an
//! email. Rows that carry nothing usable (a withheld number the agent did
//! not identify, a junk device id alone) are left unlinkable on purpose.

use std::fmt::Write;

use crate::Noise;
use crate::contact::{self, PLACEHOLDER_EMAILS, ZERO_DEVICE};
use crate::country::Country;
use crate::names::{
    self, cut_compound, drop_accents, hypocorisms, is_compound, legacy_upper, typo,
};
use crate::national_id;
use crate::phone::{PLACEHOLDER_PHONES, WITHHELD};
use crate::population::{Customer, Share};
use crate::rng::Rng;
use crate::source::Source;
use crate::table::Table;
use crate::time::{self, DAY, HOUR};

/// One of a customer's identifiers, as the linking state knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Id {
    Mobile(usize),
    Landline,
    Mail(usize),
    Cookie(usize),
    Social(usize),
    AppUser,
    Crm,
    Loyalty,
}

/// Which of a customer's identifiers are tied to the rest of their records.
#[derive(Debug, Default)]
struct Links {
    mobile: Vec<bool>,
    landline: bool,
    mail: Vec<bool>,
    /// Cookie value, valid until, linked.
    cookies: Vec<(String, i64, bool)>,
    social: Vec<bool>,
    app_user: bool,
    crm: bool,
    loyalty: bool,
    /// Whether anything at all is linked yet.
    any: bool,
}

impl Links {
    /// Shared values (a household landline, a family or company mailbox)
    /// never identify one person, so they never count as a link.
    fn personal(c: &Customer, id: Id) -> bool {
        match id {
            Id::Landline => c.landline.is_some_and(|(_, shared)| !shared),
            Id::Mail(i) => c.mails.get(i).is_some_and(|m| m.share == Share::Own),
            _ => true,
        }
    }

    fn get(&self, id: Id) -> bool {
        match id {
            Id::Mobile(i) => self.mobile.get(i).copied().unwrap_or(false),
            Id::Landline => self.landline,
            Id::Mail(i) => self.mail.get(i).copied().unwrap_or(false),
            Id::Cookie(i) => self.cookies.get(i).is_some_and(|c| c.2),
            Id::Social(i) => self.social.get(i).copied().unwrap_or(false),
            Id::AppUser => self.app_user,
            Id::Crm => self.crm,
            Id::Loyalty => self.loyalty,
        }
    }

    fn set(&mut self, id: Id) {
        let slot = match id {
            Id::Mobile(i) => self.mobile.get_mut(i),
            Id::Landline => Some(&mut self.landline),
            Id::Mail(i) => self.mail.get_mut(i),
            Id::Cookie(i) => self.cookies.get_mut(i).map(|c| &mut c.2),
            Id::Social(i) => self.social.get_mut(i),
            Id::AppUser => Some(&mut self.app_user),
            Id::Crm => Some(&mut self.crm),
            Id::Loyalty => Some(&mut self.loyalty),
        };
        if let Some(s) = slot {
            *s = true;
        }
        self.any = true;
    }

    fn linked(&self, c: &Customer, id: Id) -> bool {
        Links::personal(c, id) && self.get(id)
    }

    fn any_linked(&self, c: &Customer, ids: &[Id]) -> bool {
        ids.iter().any(|&id| self.linked(c, id))
    }

    /// After a row is written: if it carries a linked identifier (or it is
    /// the customer's very first), every personal identifier in it is linked.
    fn settle(&mut self, c: &Customer, ids: &[Id]) {
        if self.any_linked(c, ids) || !self.any {
            for &id in ids {
                if Links::personal(c, id) {
                    self.set(id);
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Inquiry,
    Claim,
    Purchase,
    Cancellation,
    Support,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Inquiry => "inquiry",
            Kind::Claim => "claim",
            Kind::Purchase => "purchase",
            Kind::Cancellation => "cancellation",
            Kind::Support => "support",
        }
    }

    fn summaries(self) -> &'static [&'static str] {
        match self {
            Kind::Inquiry => &[
                "Consulta sobre la última factura",
                "Pregunta por la cobertura 5G en su zona",
                "Información sobre tarifas de fibra",
                "Consulta el estado de su pedido",
                "Pregunta por roaming para un viaje",
                "Consulta de saldo y consumo de datos",
                "Información sobre portabilidad",
                "Pregunta el horario de la tienda",
                "Cómo activar la eSIM",
                "Consulta sobre la permanencia",
                "Pregunta por ofertas de {movil}",
            ],
            Kind::Claim => &[
                "Cobro indebido en la factura",
                "Sin conexión de fibra desde ayer",
                "El {movil} llegó dañado",
                "No funciona el router",
                "Cargo de roaming no reconocido",
                "El pedido no ha llegado",
                "Mala cobertura en casa",
                "Reclama la devolución de un importe",
                "La portabilidad no se completó",
                "Doble cobro en la tarjeta",
            ],
            Kind::Purchase => &[
                "Alta de línea de {movil}",
                "Compra de terminal",
                "Contrata fibra 600 Mb",
                "Cambio a tarifa ilimitada",
                "Compra de accesorios",
                "Renovación de terminal",
            ],
            Kind::Cancellation => &[
                "Solicita la baja de la línea",
                "Baja por una oferta de la competencia",
                "Cancela el pedido",
                "Baja de la fibra por mudanza",
            ],
            Kind::Support => &[
                "Ayuda para configurar el router",
                "Restablecer la contraseña de la app",
                "Configurar el correo en el {movil}",
            ],
        }
    }

    fn menu_path(self) -> &'static str {
        match self {
            Kind::Inquiry => "1>2",
            Kind::Claim => "2>1",
            Kind::Purchase => "3",
            Kind::Cancellation => "4>1",
            Kind::Support => "2>3",
        }
    }
}

const FOLLOW_UPS: &[&str] = &[
    "Seguimiento de la incidencia",
    "Vuelve a contactar por el mismo problema",
    "Pide novedades de su reclamo",
    "Sigue sin solución",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Resolved,
    Pending,
    Escalated,
    Abandoned,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Pending => "pending",
            Outcome::Escalated => "escalated",
            Outcome::Abandoned => "abandoned",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Call,
    Ivr,
    WebChat,
    Email,
    WhatsApp,
    Social,
    App,
}

/// What one contact is about.
#[derive(Debug, Clone)]
struct Contact {
    kind: Kind,
    outcome: Outcome,
    case_ref: Option<String>,
    summary: &'static str,
    follow_up: bool,
}

#[derive(Debug, Clone, Copy)]
enum Episode {
    Store,
    AppSession,
    Inquiry,
    Claim,
    RemotePurchase,
    Cancellation,
}

/// Store items: description and price in euro cents.
const ITEMS: &[(&str, i64)] = &[
    ("Tarjeta SIM", 500),
    ("Recarga prepago", 1000),
    ("Recarga prepago", 2000),
    ("Funda y protector de pantalla", 2499),
    ("Cargador rápido", 2999),
    ("Auriculares inalámbricos", 7900),
    ("Router wifi mesh", 12900),
    ("Smartwatch", 24900),
    ("Smartphone gama media", 29900),
    ("Tablet", 44900),
    ("Portátil", 89900),
    ("Smartphone gama alta", 109900),
];

/// Writes every customer's rows into the block tables.
#[derive(Debug)]
pub(crate) struct Journeys {
    noise: Noise,
    pub(crate) tables: Vec<Table>,
    next_case: u64,
}

impl Journeys {
    pub(crate) fn new(noise: Noise) -> Self {
        Journeys {
            noise,
            tables: Source::ALL.iter().map(|&s| Table::new(s)).collect(),
            next_case: 0,
        }
    }

    fn table(&mut self, s: Source) -> &mut Table {
        let i = s.index();
        &mut self.tables[i]
    }

    /// Every row of one customer.
    pub(crate) fn customer(&mut self, c: &Customer, rng: &mut Rng) {
        let mut links = Links {
            mobile: vec![false; c.mobiles.len()],
            mail: vec![false; c.mails.len()],
            social: vec![false; c.socials.len()],
            ..Links::default()
        };
        for k in 0..c.crm_ids.len() {
            self.crm_row(c, k, &mut links, rng);
        }

        let from = c.active_from();
        let last = c.end - if c.cancels { 3 * DAY } else { 0 };
        let n = match c.tier {
            0 => rng.range(1, 4),
            1 => rng.range(3, 9),
            _ => rng.range(8, 21),
        };
        let mut episodes: Vec<(i64, Episode)> = (0..n)
            .map(|_| {
                let day = rng.range(from, last.max(from + DAY));
                (day, self.pick_episode(c, rng))
            })
            .collect();
        if c.cancels {
            episodes.push((c.end - rng.range(0, 2 * DAY), Episode::Cancellation));
        }
        episodes.sort_by_key(|e| e.0);
        for (t, e) in episodes {
            match e {
                Episode::Store => self.store(c, t, &mut links, rng),
                Episode::AppSession => self.app_session(c, t, &mut links, rng),
                Episode::Inquiry => {
                    let kind = if rng.chance(0.15) {
                        Kind::Support
                    } else {
                        Kind::Inquiry
                    };
                    self.single(c, t, kind, &mut links, rng);
                }
                Episode::RemotePurchase => self.single(c, t, Kind::Purchase, &mut links, rng),
                Episode::Cancellation => self.single(c, t, Kind::Cancellation, &mut links, rng),
                Episode::Claim => self.claim(c, t, &mut links, rng),
            }
        }
    }

    fn pick_episode(&self, c: &Customer, rng: &mut Rng) -> Episode {
        let store = if c.in_crm() {
            15 + 15 * u64::from(c.tier)
        } else {
            0
        };
        let app = if c.app.is_some() { 20 } else { 0 };
        let weights = [store, app, 30, 12, 8];
        let total: u64 = weights.iter().sum();
        let mut x = rng.below(total);
        for (w, e) in weights.iter().zip([
            Episode::Store,
            Episode::AppSession,
            Episode::Inquiry,
            Episode::Claim,
            Episode::RemotePurchase,
        ]) {
            if x < *w {
                return e;
            }
            x -= w;
        }
        Episode::Inquiry
    }

    /// A channel the customer can use for a remote contact.
    fn pick_channel(&self, c: &Customer, rng: &mut Rng) -> Channel {
        let has_mail = !c.mails.is_empty();
        let weights = [
            (Channel::Call, 30),
            (Channel::Ivr, 15),
            (Channel::WebChat, if has_mail { 15 } else { 0 }),
            (Channel::Email, if has_mail { 12 } else { 0 }),
            (Channel::WhatsApp, if c.whatsapp { 20 } else { 0 }),
            (Channel::Social, if c.socials.is_empty() { 0 } else { 10 }),
            (Channel::App, if c.app.is_some() { 6 } else { 0 }),
        ];
        let total: u64 = weights.iter().map(|w| w.1).sum();
        let mut x = rng.below(total);
        for (ch, w) in weights {
            if x < w {
                return ch;
            }
            x -= w;
        }
        Channel::Call
    }

    /// A UTC time on the local day of `day` within opening hours.
    fn at(c: &Customer, day: i64, open: i64, close: i64, rng: &mut Rng) -> i64 {
        let second = rng.range(open * HOUR, close * HOUR);
        time::at_local_time(c.country, day, second)
    }

    fn summary(kind: Kind, rng: &mut Rng) -> &'static str {
        rng.pick(kind.summaries(), "Consulta")
    }

    fn push_summary(t: &mut Table, c: &Customer, s: &str) {
        let movil = if c.country == Country::Es {
            "móvil"
        } else {
            "celular"
        };
        match s.split_once("{movil}") {
            Some((a, b)) => {
                let buf = t.buf();
                buf.push_str(a);
                buf.push_str(movil);
                buf.push_str(b);
                t.end();
            }
            None => t.push(s),
        }
    }

    fn new_case(&mut self) -> String {
        self.next_case += 1;
        format!("INC-{:07}", self.next_case)
    }

    /// One contact that needs no follow-up: an inquiry, a remote purchase,
    /// a cancellation. An IVR session that ends escalated is followed by the
    /// agent call it was transferred to.
    fn single(&mut self, c: &Customer, day: i64, kind: Kind, links: &mut Links, rng: &mut Rng) {
        let channel = match kind {
            Kind::Cancellation => match rng.below(10) {
                0..=4 => Channel::Call,
                5..=7 if !c.mails.is_empty() => Channel::Email,
                8 if c.app.is_some() => Channel::App,
                _ => Channel::Call,
            },
            _ => self.pick_channel(c, rng),
        };
        let outcome = match rng.below(20) {
            0..=14 => Outcome::Resolved,
            15 | 16 => Outcome::Abandoned,
            17 => Outcome::Pending,
            _ => Outcome::Escalated,
        };
        let contact = Contact {
            kind,
            outcome,
            case_ref: None,
            summary: Journeys::summary(kind, rng),
            follow_up: false,
        };
        let t = Journeys::at(c, day, 8, 22, rng);
        self.contact(c, t, channel, &contact, links, rng);
    }

    /// A claim opened on one channel and followed up on others within 72 h,
    /// quoting the case reference or not.
    fn claim(&mut self, c: &Customer, day: i64, links: &mut Links, rng: &mut Rng) {
        let channel = self.pick_channel(c, rng);
        let case = self.new_case();
        let keeps_ref = match channel {
            Channel::Email | Channel::App => 1.0,
            Channel::Call | Channel::WebChat => 0.8,
            Channel::WhatsApp => 0.6,
            _ => 0.4,
        };
        let summary = Journeys::summary(Kind::Claim, rng);
        let follow_ups = match rng.below(10) {
            0..=2 => 0,
            3..=6 => 1,
            7 | 8 => 2,
            _ => 3,
        };
        let mut t = Journeys::at(c, day, 8, 22, rng);
        let first = Contact {
            kind: Kind::Claim,
            outcome: if follow_ups == 0 {
                Outcome::Resolved
            } else if rng.chance(0.3) {
                Outcome::Escalated
            } else {
                Outcome::Pending
            },
            case_ref: rng.chance(keeps_ref).then(|| case.clone()),
            summary,
            follow_up: false,
        };
        self.contact(c, t, channel, &first, links, rng);
        for k in 0..follow_ups {
            t += rng.range(HOUR, 72 * HOUR);
            if t >= c.end {
                break;
            }
            let channel = match rng.below(20) {
                0..=9 => Channel::Call,
                10..=12 => Channel::WhatsApp,
                13..=15 => Channel::Email,
                16 | 17 => Channel::WebChat,
                _ => Channel::Ivr,
            };
            let channel = match channel {
                Channel::WhatsApp if !c.whatsapp => Channel::Call,
                Channel::Email | Channel::WebChat if c.mails.is_empty() => Channel::Call,
                ch => ch,
            };
            let last = k + 1 == follow_ups;
            let outcome = if !last {
                Outcome::Pending
            } else if rng.chance(0.8) {
                Outcome::Resolved
            } else if rng.chance(0.5) {
                Outcome::Abandoned
            } else {
                Outcome::Escalated
            };
            let contact = Contact {
                kind: Kind::Claim,
                outcome,
                case_ref: rng.chance(0.6).then(|| case.clone()),
                summary: rng.pick(FOLLOW_UPS, "Seguimiento"),
                follow_up: true,
            };
            self.contact(c, t, channel, &contact, links, rng);
        }
    }

    fn contact(
        &mut self,
        c: &Customer,
        t: i64,
        ch: Channel,
        k: &Contact,
        links: &mut Links,
        rng: &mut Rng,
    ) {
        match ch {
            Channel::Call => self.call(c, t, k, links, rng),
            Channel::Ivr => {
                let escalated = self.ivr(c, t, k, links, rng);
                if escalated {
                    let call = Contact {
                        outcome: if k.follow_up {
                            k.outcome
                        } else {
                            Outcome::Resolved
                        },
                        ..k.clone()
                    };
                    self.call(c, t + rng.range(60, 300), &call, links, rng);
                }
            }
            Channel::WebChat => self.webchat(c, t, k, links, rng),
            Channel::Email => self.email(c, t, k, links, rng),
            Channel::WhatsApp => self.whatsapp(c, t, k, links, rng),
            Channel::Social => self.social(c, t, k, links, rng),
            Channel::App => self.app_contact(c, t, k, links, rng),
        }
    }

    /// The phone a customer calls or writes from at `t`: the main mobile,
    /// sometimes a second line, sometimes the landline.
    fn phone_at(c: &Customer, t: i64, allow_landline: bool, rng: &mut Rng) -> Id {
        if allow_landline && c.landline.is_some() && rng.chance(0.15) {
            return Id::Landline;
        }
        let main = c.main_mobile_at(t);
        if let Some((i, _)) = c.mobiles_at(t).find(|(_, h)| h.secondary)
            && rng.chance(0.25)
        {
            return Id::Mobile(i);
        }
        Id::Mobile(main)
    }

    fn push_phone(c: &Customer, id: Id, region: Country, t: &mut Table, rng: &mut Rng) {
        let phone = match id {
            Id::Landline => c.landline.map(|(p, _)| p),
            Id::Mobile(i) => c.mobiles.get(i).map(|h| h.phone),
            _ => None,
        };
        if let Some(p) = phone {
            p.push_as_seen_from(region, rng, t.buf());
        }
        t.end();
    }

    fn push_crm_id(c: &Customer, t: &mut Table, rng: &mut Rng) {
        let i = if c.crm_ids.len() > 1 && rng.chance(0.3) {
            rng.index(c.crm_ids.len())
        } else {
            0
        };
        t.push(c.crm_ids.get(i).map(String::as_str).unwrap_or(""));
    }

    fn call(&mut self, c: &Customer, at: i64, k: &Contact, links: &mut Links, rng: &mut Rng) {
        let withheld = rng.chance(self.noise.withheld_caller);
        let phone = (!withheld).then(|| Journeys::phone_at(c, at, true, rng));
        let ids_phone: Vec<Id> = phone.into_iter().collect();
        let identified = c.in_crm()
            && (rng.chance(0.5)
                || (phone.is_some() && !links.any_linked(c, &ids_phone))
                || (withheld && rng.chance(0.5)));
        let t = self.table(Source::Calls);
        t.begin(at, c.entity);
        t.empty();
        match phone {
            Some(id) => Journeys::push_phone(c, id, Country::Es, t, rng),
            None => t.push(rng.pick(WITHHELD, "anonymous")),
        }
        time::push_utc(t.buf(), at);
        t.end();
        let duration = match k.outcome {
            Outcome::Abandoned => rng.range(5, 90),
            _ => rng.range(60, 1500),
        };
        let _ = write!(t.buf(), "{duration}");
        t.end();
        t.push(k.kind.as_str());
        t.push(k.outcome.as_str());
        t.push(k.case_ref.as_deref().unwrap_or(""));
        if identified {
            Journeys::push_crm_id(c, t, rng);
        } else {
            t.empty();
        }
        Journeys::push_summary(t, c, k.summary);
        let mut ids = ids_phone;
        if identified {
            ids.push(Id::Crm);
        }
        links.settle(c, &ids);
    }

    /// Returns whether the session was transferred to an agent.
    fn ivr(
        &mut self,
        c: &Customer,
        at: i64,
        k: &Contact,
        links: &mut Links,
        rng: &mut Rng,
    ) -> bool {
        let withheld = rng.chance(self.noise.withheld_caller);
        let phone = (!withheld).then(|| Journeys::phone_at(c, at, true, rng));
        let ids_phone: Vec<Id> = phone.into_iter().collect();
        let typed = c.in_crm()
            && (rng.chance(0.3) || (phone.is_some() && !links.any_linked(c, &ids_phone)));
        let outcome = if k.follow_up {
            Outcome::Escalated
        } else {
            match rng.below(10) {
                0..=3 => Outcome::Resolved,
                4..=8 => Outcome::Escalated,
                _ => Outcome::Abandoned,
            }
        };
        let t = self.table(Source::Ivr);
        t.begin(at, c.entity);
        t.empty();
        match phone {
            Some(id) => Journeys::push_phone(c, id, Country::Es, t, rng),
            None => t.push(rng.pick(WITHHELD, "anonymous")),
        }
        time::push_utc(t.buf(), at);
        t.end();
        let path = t.buf();
        path.push_str(k.kind.menu_path());
        if outcome == Outcome::Escalated {
            path.push_str(">0");
        }
        t.end();
        t.push(k.kind.as_str());
        if typed {
            Journeys::push_crm_id(c, t, rng);
        } else {
            t.empty();
        }
        t.push(outcome.as_str());
        let mut ids = ids_phone;
        if typed {
            ids.push(Id::Crm);
        }
        links.settle(c, &ids);
        outcome == Outcome::Escalated
    }

    /// The cookie of the browser the customer uses at `t`; browsers are
    /// replaced or cleared every few months.
    fn cookie_at(links: &mut Links, at: i64, rng: &mut Rng) -> usize {
        let current = links
            .cookies
            .last()
            .is_some_and(|(_, until, _)| at < *until);
        if !current || rng.chance(0.1) {
            let mut value = String::new();
            contact::push_cookie(rng, at, &mut value);
            links
                .cookies
                .push((value, at + rng.range(60 * DAY, 400 * DAY), false));
        }
        links.cookies.len().saturating_sub(1)
    }

    /// One of the customer's mailboxes: the main personal one mostly.
    fn mail_index(c: &Customer, links: &Links, rng: &mut Rng) -> Option<usize> {
        if c.mails.is_empty() {
            return None;
        }
        let shared: Vec<usize> = (0..c.mails.len())
            .filter(|&i| c.mails.get(i).is_some_and(|m| m.share != Share::Own))
            .collect();
        if !shared.is_empty() && rng.chance(0.3) {
            return shared.get(rng.index(shared.len())).copied();
        }
        let own: Vec<usize> = (0..c.mails.len())
            .filter(|&i| c.mails.get(i).is_some_and(|m| m.share == Share::Own))
            .collect();
        match own.as_slice() {
            [] => shared.first().copied(),
            [only] => Some(*only),
            [main, rest @ ..] => {
                if rng.chance(0.75) {
                    Some(*main)
                } else {
                    let i = rest.get(rng.index(rest.len())).copied().unwrap_or(*main);
                    // A second address is first given where it can be tied.
                    if links.mail.get(i).copied().unwrap_or(false) || rng.chance(0.5) {
                        Some(i)
                    } else {
                        Some(*main)
                    }
                }
            }
        }
    }

    /// A linked personal mailbox, if the customer has one.
    fn linked_mail(c: &Customer, links: &Links) -> Option<usize> {
        (0..c.mails.len()).find(|&i| links.linked(c, Id::Mail(i)))
    }

    fn push_mail(c: &Customer, i: usize, variants: bool, t: &mut Table, rng: &mut Rng) {
        if let Some(m) = c.mails.get(i) {
            m.email.push_written(variants, rng, t.buf());
        }
        t.end();
    }

    fn webchat(&mut self, c: &Customer, at: i64, k: &Contact, links: &mut Links, rng: &mut Rng) {
        let cookie = Journeys::cookie_at(links, at, rng);
        let mut ids = vec![Id::Cookie(cookie)];
        let mut mail = Journeys::mail_index(c, links, rng).filter(|_| rng.chance(0.6));
        if let Some(i) = mail {
            ids.push(Id::Mail(i));
        }
        let mut phone = None;
        if !links.any_linked(c, &ids) {
            // The pre-chat form asks for an email or a phone.
            if let Some(i) = Journeys::linked_mail(c, links) {
                mail = Some(i);
                ids.push(Id::Mail(i));
            } else {
                let p = Id::Mobile(c.main_mobile_at(at));
                phone = Some(p);
                ids.push(p);
            }
        } else if rng.chance(0.1) {
            let p = Id::Mobile(c.main_mobile_at(at));
            phone = Some(p);
            ids.push(p);
        }
        let name = self.typed_name(c, 0.3, 0.3, rng);
        let t = self.table(Source::WebChat);
        t.begin(at, c.entity);
        t.empty();
        time::push_utc(t.buf(), at);
        t.end();
        t.push(&name);
        match mail {
            Some(i) => Journeys::push_mail(c, i, true, t, rng),
            None => t.empty(),
        }
        match phone {
            Some(p) => Journeys::push_phone(c, p, Country::Es, t, rng),
            None => t.empty(),
        }
        t.push(
            links
                .cookies
                .get(cookie)
                .map(|x| x.0.as_str())
                .unwrap_or(""),
        );
        t.push(k.kind.as_str());
        t.push(k.outcome.as_str());
        t.push(k.case_ref.as_deref().unwrap_or(""));
        Journeys::push_summary(t, c, k.summary);
        links.settle(c, &ids);
    }

    fn email(&mut self, c: &Customer, at: i64, k: &Contact, links: &mut Links, rng: &mut Rng) {
        let Some(mut i) = Journeys::mail_index(c, links, rng) else {
            return self.call(c, at, k, links, rng);
        };
        // Mail systems cannot ask for anything else, so a mailbox that is
        // not tied yet is only used once another one is.
        if Links::personal(c, Id::Mail(i))
            && !links.get(Id::Mail(i))
            && links.any
            && let Some(l) = Journeys::linked_mail(c, links)
        {
            i = l;
        }
        // The agent links the ticket to the customer's account when the
        // address is new or shared.
        let identified = c.in_crm() && (rng.chance(0.25) || !links.linked(c, Id::Mail(i)));
        let display = rng.chance(0.8).then(|| self.typed_name(c, 0.05, 0.1, rng));
        let t = self.table(Source::EmailTickets);
        t.begin(at, c.entity);
        t.empty();
        time::push_utc(t.buf(), at);
        t.end();
        Journeys::push_mail(c, i, true, t, rng);
        t.push(display.as_deref().unwrap_or(""));
        if identified {
            Journeys::push_crm_id(c, t, rng);
        } else {
            t.empty();
        }
        match (&k.case_ref, k.follow_up) {
            (Some(case), true) => {
                let _ = write!(t.buf(), "RE: Incidencia {case}");
                t.end();
            }
            (_, true) => {
                t.buf().push_str("RE: ");
                Journeys::push_summary(t, c, k.summary);
            }
            _ => Journeys::push_summary(t, c, k.summary),
        }
        t.push(k.kind.as_str());
        t.push(k.outcome.as_str());
        t.push(k.case_ref.as_deref().unwrap_or(""));
        let mut ids = vec![Id::Mail(i)];
        if identified {
            ids.push(Id::Crm);
        }
        links.settle(c, &ids);
    }

    fn whatsapp(&mut self, c: &Customer, at: i64, k: &Contact, links: &mut Links, rng: &mut Rng) {
        let mut id = Journeys::phone_at(c, at, false, rng);
        if !links.linked(c, id) && links.any {
            let main = Id::Mobile(c.main_mobile_at(at));
            if links.linked(c, main) {
                id = main;
            }
        }
        let identified = c.in_crm() && (rng.chance(0.2) || !links.linked(c, id));
        let profile = self.profile_name(c, rng);
        let t = self.table(Source::WhatsApp);
        t.begin(at, c.entity);
        t.empty();
        if let Id::Mobile(i) = id
            && let Some(h) = c.mobiles.get(i)
        {
            h.phone.push_whatsapp(t.buf());
        }
        t.end();
        t.push(&profile);
        if identified {
            Journeys::push_crm_id(c, t, rng);
        } else {
            t.empty();
        }
        time::push_utc(t.buf(), at);
        t.end();
        t.push(k.kind.as_str());
        t.push(k.outcome.as_str());
        t.push(k.case_ref.as_deref().unwrap_or(""));
        Journeys::push_summary(t, c, k.summary);
        let mut ids = vec![id];
        if identified {
            ids.push(Id::Crm);
        }
        links.settle(c, &ids);
    }

    fn social(&mut self, c: &Customer, at: i64, k: &Contact, links: &mut Links, rng: &mut Rng) {
        let Some(s) = c.socials.get(rng.index(c.socials.len())) else {
            return self.call(c, at, k, links, rng);
        };
        let si = c.socials.iter().position(|x| x == s).unwrap_or(0);
        let mut ids = vec![Id::Social(si)];
        // In a direct message the agent asks for the email on the account.
        let mail = if !links.any_linked(c, &ids) {
            Journeys::linked_mail(c, links).or_else(|| Journeys::mail_index(c, links, rng))
        } else {
            Journeys::linked_mail(c, links).filter(|_| rng.chance(0.2))
        };
        if let Some(i) = mail {
            ids.push(Id::Mail(i));
        }
        let display = self.profile_name(c, rng);
        let t = self.table(Source::Social);
        t.begin(at, c.entity);
        t.empty();
        t.push(s.network.name());
        for net in contact::Network::ALL {
            if net == s.network {
                s.push_written(rng, t.buf());
            }
            t.end();
        }
        t.push(&display);
        match mail {
            Some(i) => Journeys::push_mail(c, i, true, t, rng),
            None => t.empty(),
        }
        time::push_utc(t.buf(), at);
        t.end();
        t.push(k.kind.as_str());
        Journeys::push_summary(t, c, k.summary);
        links.settle(c, &ids);
    }

    fn app_contact(
        &mut self,
        c: &Customer,
        at: i64,
        k: &Contact,
        links: &mut Links,
        rng: &mut Rng,
    ) {
        if c.app.is_none() {
            return self.call(c, at, k, links, rng);
        }
        let screen = match k.kind {
            Kind::Claim => "soporte",
            Kind::Cancellation => "perfil",
            Kind::Purchase => "checkout",
            _ => "ayuda",
        };
        self.app_event(c, at, k.kind.as_str(), screen, links, rng);
    }

    /// A short app session: a login, some screens, sometimes a purchase.
    fn app_session(&mut self, c: &Customer, day: i64, links: &mut Links, rng: &mut Rng) {
        let mut at = Journeys::at(c, day, 7, 24, rng);
        self.app_event(c, at, "visit", "home", links, rng);
        for _ in 0..rng.below(3) {
            at += rng.range(20, 600);
            let (kind, screen) = match rng.below(10) {
                0 => ("purchase", "checkout"),
                1 => ("support", "soporte"),
                2..=4 => ("visit", "factura"),
                5..=7 => ("visit", "tienda"),
                _ => ("visit", "perfil"),
            };
            self.app_event(c, at, kind, screen, links, rng);
        }
    }

    fn app_event(
        &mut self,
        c: &Customer,
        at: i64,
        kind: &str,
        screen: &str,
        links: &mut Links,
        rng: &mut Rng,
    ) {
        let Some(app) = &c.app else { return };
        let device = app.devices.get(rng.index(app.devices.len()));
        let with_user = device.is_none() || rng.chance(0.9);
        let mut ids = Vec::new();
        if with_user {
            ids.push(Id::AppUser);
        }
        let logged_in = rng.chance(0.4) || !links.any_linked(c, &ids);
        if logged_in {
            ids.push(Id::Crm);
        }
        let t = self.table(Source::AppEvents);
        t.begin(at, c.entity);
        t.empty();
        t.push(if with_user { &app.user_id } else { "" });
        match device {
            Some((_, true)) => t.push(ZERO_DEVICE),
            Some((d, false)) => {
                d.push_written(rng, t.buf());
                t.end();
            }
            None => t.empty(),
        }
        t.push(match device {
            Some((d, _)) if d.ios => "ios",
            _ => "android",
        });
        t.push(kind);
        time::push_utc(t.buf(), at);
        t.end();
        if logged_in {
            Journeys::push_crm_id(c, t, rng);
        } else {
            t.empty();
        }
        t.push(screen);
        links.settle(c, &ids);
    }

    fn store(&mut self, c: &Customer, day: i64, links: &mut Links, rng: &mut Rng) {
        let at = Journeys::at(c, day, 10, 21, rng);
        let card = c.loyalty.as_ref().filter(|_| rng.chance(0.92));
        let mut ids = Vec::new();
        if card.is_some() {
            ids.push(Id::Loyalty);
        }
        let mail = if card.is_none() || rng.chance(0.2) {
            Journeys::linked_mail(c, links).or_else(|| Journeys::mail_index(c, links, rng))
        } else {
            None
        };
        if let Some(i) = mail {
            ids.push(Id::Mail(i));
        }
        // Without a card or a known address the till looks the account up.
        let looked_up = c.in_crm() && (rng.chance(0.1) || !links.any_linked(c, &ids));
        if looked_up {
            ids.push(Id::Crm);
        }
        let name = rng.chance(0.25).then(|| self.clerk_name(c, rng));
        let cities = c.country.cities();
        let store_city = if rng.chance(0.8) {
            c.city.name
        } else {
            cities
                .get(rng.index(cities.len()))
                .map(|x| x.name)
                .unwrap_or(c.city.name)
        };
        // Big spenders buy from the expensive end of the catalogue.
        let item_index = match c.tier {
            2 if rng.chance(0.6) => rng.range(7, ITEMS.len() as i64) as usize,
            _ => rng.index(8),
        };
        let (item, cents) = ITEMS
            .get(item_index)
            .copied()
            .unwrap_or(("Recarga prepago", 1000));
        let amount = cents * c.country.per_euro() * rng.range(90, 111) / 100;
        let t = self.table(Source::StorePurchases);
        t.begin(at, c.entity);
        t.empty();
        time::push_local(t.buf(), c.country, at);
        t.end();
        t.push(store_city);
        t.push(card.map(String::as_str).unwrap_or(""));
        match mail {
            Some(i) => Journeys::push_mail(c, i, false, t, rng),
            None => t.empty(),
        }
        t.push(name.as_deref().unwrap_or(""));
        if looked_up {
            Journeys::push_crm_id(c, t, rng);
        } else {
            t.empty();
        }
        match c.country {
            // Pesos are rounded to whole units at the till.
            Country::Ar | Country::Co => {
                let _ = write!(t.buf(), "{}.00", amount / 100);
            }
            _ => {
                let _ = write!(t.buf(), "{}.{:02}", amount / 100, amount % 100);
            }
        }
        t.end();
        t.push(c.country.currency());
        t.push("purchase");
        t.push(item);
        links.settle(c, &ids);
    }

    /// A name typed freely by the customer: hypocorisms, one surname or
    /// none, accents dropped, lower case, swapped order, one-letter typos.
    fn typed_name(&self, c: &Customer, only_given: f64, lower: f64, rng: &mut Rng) -> String {
        let n = &self.noise;
        if rng.chance(n.placeholder) {
            return rng
                .pick(
                    &["Invitado", "cliente", "x", "Visitante", "hola"],
                    "cliente",
                )
                .to_string();
        }
        let shorts = hypocorisms(c.given);
        let mut given: &str = c.given;
        let mut short = false;
        if !shorts.is_empty() && rng.chance(n.hypocorism) {
            given = rng.pick(shorts, c.given);
            short = true;
        } else if is_compound(given) && rng.chance(n.cut_compound) {
            given = cut_compound(given);
        }
        let mut family = String::new();
        if !rng.chance(only_given) {
            let f1 = if is_compound(c.family1) && rng.chance(n.cut_compound) {
                cut_compound(c.family1)
            } else {
                c.family1
            };
            family.push_str(f1);
            if let Some(f2) = c.family2
                && !short
                && rng.chance(0.35)
            {
                family.push(' ');
                family.push_str(f2);
            }
        }
        let mut name = if family.is_empty() {
            given.to_string()
        } else if rng.chance(n.swap_order) {
            if rng.chance(0.5) {
                format!("{family}, {given}")
            } else {
                format!("{family} {given}")
            }
        } else {
            format!("{given} {family}")
        };
        if rng.chance(n.drop_accents) {
            name = drop_accents(&name);
        }
        if rng.chance(lower) {
            name = name.to_lowercase();
        } else if rng.chance(0.05) {
            name = name.to_uppercase();
        }
        if rng.chance(n.typo) {
            name = typo(&name, rng);
        }
        name
    }

    /// A messaging or social profile name: usually the person's name in
    /// some form, sometimes a nickname or a phrase.
    fn profile_name(&self, c: &Customer, rng: &mut Rng) -> String {
        if rng.chance(0.06) {
            let other = rng.pick(
                &[
                    "Mamá de Lucas",
                    "Dios es amor",
                    "🌸",
                    "Familia",
                    "El Profe",
                    "Vendo todo",
                ],
                "🌸",
            );
            return other.to_string();
        }
        let mut name = self.typed_name(c, 0.35, 0.2, rng);
        if rng.chance(0.05) {
            name.push_str(rng.pick(&[" 🙂", " ✨", " ⚽", " 💙"], " 🙂"));
        }
        name
    }

    /// A name as a cashier types it: upper case, no accents, one surname.
    fn clerk_name(&self, c: &Customer, rng: &mut Rng) -> String {
        let given = if is_compound(c.given) && rng.chance(self.noise.cut_compound) {
            cut_compound(c.given)
        } else {
            c.given
        };
        let mut name = legacy_upper(&format!("{given} {}", c.family1));
        if rng.chance(self.noise.typo) {
            name = typo(&name, rng);
        }
        name
    }

    /// The customer's `k`-th CRM account: the main one (k = 0) is the most
    /// complete; duplicates, opened later through another channel, keep at
    /// least one strong identifier of the main one and lose or garble others.
    fn crm_row(&mut self, c: &Customer, k: usize, links: &mut Links, rng: &mut Rng) {
        let n = self.noise.clone();
        let dup = k > 0;
        let Some(crm_id) = c.crm_ids.get(k) else {
            return;
        };
        let created = if dup {
            rng.range(c.since, c.end.max(c.since + DAY))
        } else {
            c.since
        };
        let updated = rng.range(created, c.end.max(created + DAY)).max(created);
        // A duplicate keeps one anchor: 0 phone, 1 email, 2 document, 3 card.
        let anchor = if dup {
            let mut candidates = vec![0, 2];
            if c.mails.iter().any(|m| m.share == Share::Own) {
                candidates.push(1);
            }
            if c.loyalty.is_some() {
                candidates.push(3);
            }
            rng.pick(&candidates, 0)
        } else {
            4
        };
        let keep = |field: u64, p: f64, rng: &mut Rng| !dup || anchor == field || rng.chance(p);

        let (mut given, mut family) = {
            let mut given = c.given.to_string();
            let mut family = c.family1.to_string();
            if dup && is_compound(&given) && rng.chance(n.cut_compound) {
                given = cut_compound(&given).to_string();
            }
            if let Some(f2) = c.family2
                && !(dup && rng.chance(0.4))
            {
                family.push(' ');
                family.push_str(f2);
            }
            (given, family)
        };
        if rng.chance(0.12) {
            given = legacy_upper(&given);
            family = legacy_upper(&family);
        } else if rng.chance(if dup { 0.5 } else { n.drop_accents }) {
            given = drop_accents(&given);
            family = drop_accents(&family);
        }
        if rng.chance(if dup { 3.0 * n.typo } else { n.typo }) {
            if rng.chance(0.5) {
                given = typo(&given, rng);
            } else {
                family = typo(&family, rng);
            }
        }
        if rng.chance(n.swap_order) {
            std::mem::swap(&mut given, &mut family);
        }
        if rng.chance(n.placeholder / 2.0) {
            let (g, f) = names::placeholder_name(c.country, rng);
            given = g.to_string();
            family = f.to_string();
        }

        let mut ids = vec![Id::Crm];
        let t = self.table(Source::Crm(c.country));
        t.begin(crm_id.parse().unwrap_or(0), c.entity);
        t.push(crm_id);
        t.push(&given);
        t.push(&family);
        if rng.chance(n.placeholder / 2.0) {
            t.push("01/01/1900");
        } else if rng.chance(if dup { 0.6 } else { 0.85 }) {
            let iso = match c.country {
                Country::Es => 0.3,
                Country::Mx => 0.2,
                Country::Ar => 0.1,
                Country::Co => 0.6,
            };
            if rng.chance(iso) {
                c.birth.push_iso(t.buf());
            } else {
                c.birth.push_dmy(t.buf());
            }
            t.end();
        } else {
            t.empty();
        }
        if anchor != 2 && rng.chance(n.placeholder / 2.0) {
            t.push(national_id::placeholder(c.country));
        } else if keep(2, 0.5, rng) && (anchor == 2 || !rng.chance(n.missing_national_id)) {
            c.nid.push_written(rng, t.buf());
            t.end();
        } else {
            t.empty();
        }
        // Phone: the main mobile of the time of the last update; older
        // customers with a landline sometimes give only that.
        let main = Id::Mobile(c.main_mobile_at(updated));
        let phone = if !dup && c.landline.is_some() && c.age_at_window() > 60 && rng.chance(0.3) {
            Id::Landline
        } else if dup && anchor != 0 && rng.chance(0.3) {
            c.mobiles
                .iter()
                .position(|h| h.secondary)
                .map(Id::Mobile)
                .unwrap_or(main)
        } else {
            main
        };
        if anchor != 0 && rng.chance(n.placeholder) {
            t.push(rng.pick(PLACEHOLDER_PHONES, "000000000"));
        } else if keep(0, 0.6, rng) && rng.chance(if anchor == 0 { 1.0 } else { 0.95 }) {
            Journeys::push_phone(c, phone, c.country, t, rng);
            ids.push(phone);
        } else {
            t.empty();
        }
        let second = if phone != Id::Landline && c.landline.is_some() && rng.chance(0.7) {
            Some(Id::Landline)
        } else {
            c.mobiles
                .iter()
                .position(|h| h.secondary)
                .map(Id::Mobile)
                .filter(|&m| m != phone && rng.chance(0.5))
        };
        match second {
            Some(p) if !dup || rng.chance(0.5) => {
                Journeys::push_phone(c, p, c.country, t, rng);
                ids.push(p);
            }
            _ => t.empty(),
        }
        let mail = c
            .mails
            .iter()
            .position(|m| m.share == Share::Own)
            .or_else(|| (!c.mails.is_empty()).then_some(0));
        // Employees sometimes register with the company mailbox.
        let mail = match c.mails.iter().position(|m| m.share == Share::Corporate) {
            Some(corp) if anchor != 1 && rng.chance(0.4) => Some(corp),
            _ => mail,
        };
        if anchor != 1 && rng.chance(n.placeholder) {
            t.push(rng.pick(PLACEHOLDER_EMAILS, "test@test.com"));
        } else if let Some(i) =
            mail.filter(|_| keep(1, 0.5, rng) && (anchor == 1 || rng.chance(0.92)))
        {
            Journeys::push_mail(c, i, dup, t, rng);
            ids.push(Id::Mail(i));
        } else {
            t.empty();
        }
        t.push(c.city.name);
        t.push(&c.postcode);
        t.push(if rng.chance(0.9) {
            c.country.code()
        } else {
            c.country.local_name()
        });
        match &c.loyalty {
            Some(card) if keep(3, 0.3, rng) => {
                if rng.chance(0.3) {
                    contact::push_card_grouped(card, t.buf());
                } else {
                    t.buf().push_str(card);
                }
                t.end();
                ids.push(Id::Loyalty);
            }
            _ => t.empty(),
        }
        time::push_local(t.buf(), c.country, updated);
        t.end();
        // CRM accounts are tied to the person by the truth of the CRM itself:
        // every identifier written in a CRM row counts as linked.
        for id in ids {
            links.set(id);
        }
    }
}
