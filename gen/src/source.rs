//! The files of the export: their columns, and the omnid source
//! configuration that maps those columns.

use std::fmt::{self, Write};

use crate::country::Country;

/// One output file of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A country's CRM table (`crm_es.csv`...): one row per customer
    /// account, duplicates included. Each country's CRM writes phones and
    /// national ids in that country's formats.
    Crm(Country),
    /// Voice calls with an agent (`calls.csv`).
    Calls,
    /// Interactive voice response sessions (`ivr.csv`).
    Ivr,
    /// Web chat sessions (`webchat.csv`).
    WebChat,
    /// Email tickets (`email_tickets.csv`).
    EmailTickets,
    /// WhatsApp conversations (`whatsapp.csv`).
    WhatsApp,
    /// Social network posts and direct messages (`social.csv`).
    Social,
    /// Mobile app events (`app_events.csv`).
    AppEvents,
    /// Purchases in physical stores (`store_purchases.csv`).
    StorePurchases,
}

/// How the config maps a column: an identifier kind or attribute name, as
/// the omnid config spells it.
type Mapping = (&'static str, &'static str);

const CRM_HEADER: &[&str] = &[
    "customer_id",
    "given_names",
    "family_names",
    "birth_date",
    "national_id",
    "phone",
    "phone_2",
    "email",
    "city",
    "postcode",
    "country",
    "loyalty_card",
    "updated_at",
];
const CALLS_HEADER: &[&str] = &[
    "call_id",
    "caller",
    "at",
    "duration_s",
    "kind",
    "outcome",
    "case_ref",
    "customer_id",
    "summary",
];
const IVR_HEADER: &[&str] = &[
    "ivr_id",
    "ani",
    "at",
    "menu_path",
    "intent",
    "account_number",
    "outcome",
];
const WEBCHAT_HEADER: &[&str] = &[
    "chat_id",
    "started_at",
    "visitor_name",
    "email",
    "phone",
    "cookie_id",
    "kind",
    "outcome",
    "case_ref",
    "summary",
];
const EMAIL_HEADER: &[&str] = &[
    "ticket_id",
    "received_at",
    "from",
    "from_name",
    "customer_id",
    "subject",
    "kind",
    "outcome",
    "case_ref",
];
const WHATSAPP_HEADER: &[&str] = &[
    "conversation_id",
    "wa_phone",
    "profile_name",
    "customer_id",
    "at",
    "kind",
    "outcome",
    "case_ref",
    "summary",
];
const SOCIAL_HEADER: &[&str] = &[
    "post_id",
    "network",
    "instagram",
    "facebook",
    "x",
    "tiktok",
    "display_name",
    "email",
    "at",
    "kind",
    "summary",
];
const APP_HEADER: &[&str] = &[
    "event_id",
    "app_user_id",
    "device_id",
    "platform",
    "event",
    "at",
    "customer_id",
    "screen",
];
const STORE_HEADER: &[&str] = &[
    "purchase_id",
    "at",
    "store_city",
    "loyalty_card",
    "receipt_email",
    "customer_name",
    "customer_id",
    "amount",
    "currency",
    "kind",
    "item",
];

impl Source {
    /// Every file, in the order they are listed in `omnid.toml`.
    pub const ALL: [Source; 12] = [
        Source::Crm(Country::Es),
        Source::Crm(Country::Mx),
        Source::Crm(Country::Ar),
        Source::Crm(Country::Co),
        Source::Calls,
        Source::Ivr,
        Source::WebChat,
        Source::EmailTickets,
        Source::WhatsApp,
        Source::Social,
        Source::AppEvents,
        Source::StorePurchases,
    ];

    /// Position in [`Source::ALL`].
    pub fn index(self) -> usize {
        match self {
            Source::Crm(Country::Es) => 0,
            Source::Crm(Country::Mx) => 1,
            Source::Crm(Country::Ar) => 2,
            Source::Crm(Country::Co) => 3,
            Source::Calls => 4,
            Source::Ivr => 5,
            Source::WebChat => 6,
            Source::EmailTickets => 7,
            Source::WhatsApp => 8,
            Source::Social => 9,
            Source::AppEvents => 10,
            Source::StorePurchases => 11,
        }
    }

    /// File name without `.csv`; also the source name in `truth.csv` and
    /// `omnid.toml`.
    pub fn stem(self) -> &'static str {
        match self {
            Source::Crm(Country::Es) => "crm_es",
            Source::Crm(Country::Mx) => "crm_mx",
            Source::Crm(Country::Ar) => "crm_ar",
            Source::Crm(Country::Co) => "crm_co",
            Source::Calls => "calls",
            Source::Ivr => "ivr",
            Source::WebChat => "webchat",
            Source::EmailTickets => "email_tickets",
            Source::WhatsApp => "whatsapp",
            Source::Social => "social",
            Source::AppEvents => "app_events",
            Source::StorePurchases => "store_purchases",
        }
    }

    /// Column names; the first column is the record id.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            Source::Crm(_) => CRM_HEADER,
            Source::Calls => CALLS_HEADER,
            Source::Ivr => IVR_HEADER,
            Source::WebChat => WEBCHAT_HEADER,
            Source::EmailTickets => EMAIL_HEADER,
            Source::WhatsApp => WHATSAPP_HEADER,
            Source::Social => SOCIAL_HEADER,
            Source::AppEvents => APP_HEADER,
            Source::StorePurchases => STORE_HEADER,
        }
    }

    /// The region whose national format the source's phones are read in.
    /// A CRM is kept per country; the channel systems are the Spanish
    /// head office's, so they write non-Spanish numbers with `+CC` (or `00CC`).
    pub fn default_region(self) -> Country {
        match self {
            Source::Crm(c) => c,
            _ => Country::Es,
        }
    }

    /// The omnid channel name, or `None` for a CRM (its rows are accounts,
    /// not interactions).
    pub fn channel(self) -> Option<&'static str> {
        match self {
            Source::Crm(_) => None,
            Source::Calls => Some("phone"),
            Source::Ivr => Some("ivr"),
            Source::WebChat => Some("web_chat"),
            Source::EmailTickets => Some("email"),
            Source::WhatsApp => Some("whatsapp"),
            Source::Social => Some("social"),
            Source::AppEvents => Some("app"),
            Source::StorePurchases => Some("store"),
        }
    }

    /// The column holding the row's time.
    pub fn timestamp_column(self) -> &'static str {
        match self {
            Source::Crm(_) => "updated_at",
            Source::WebChat => "started_at",
            Source::EmailTickets => "received_at",
            _ => "at",
        }
    }

    /// Prefix of generated record ids (CRM rows carry their customer id).
    pub(crate) fn id_prefix(self) -> &'static str {
        match self {
            Source::Crm(_) => "",
            Source::Calls => "CL",
            Source::Ivr => "IV",
            Source::WebChat => "CH",
            Source::EmailTickets => "TK",
            Source::WhatsApp => "WA",
            Source::Social => "SO",
            Source::AppEvents => "EV",
            Source::StorePurchases => "TX",
        }
    }

    /// Column -> kind or attribute, for every column but the id and the timestamp.
    fn columns(self) -> Vec<Mapping> {
        match self {
            Source::Crm(c) => vec![
                ("customer_id", "crm_id:crm"),
                ("given_names", "given_names"),
                ("family_names", "family_names"),
                ("birth_date", "birth_date"),
                ("national_id", national_id_kind(c)),
                ("phone", "phone"),
                ("phone_2", "phone"),
                ("email", "email"),
                ("city", "city"),
                ("postcode", "postcode"),
                ("country", "country"),
                ("loyalty_card", "loyalty_card:club"),
            ],
            Source::Calls => vec![
                ("caller", "phone"),
                ("duration_s", "attr:duration_s"),
                ("kind", "interaction_kind"),
                ("outcome", "outcome"),
                ("case_ref", "case_ref"),
                ("customer_id", "crm_id:crm"),
                ("summary", "summary"),
            ],
            Source::Ivr => vec![
                ("ani", "phone"),
                ("menu_path", "attr:menu_path"),
                ("intent", "interaction_kind"),
                ("account_number", "crm_id:crm"),
                ("outcome", "outcome"),
            ],
            Source::WebChat => vec![
                ("visitor_name", "full_name"),
                ("email", "email"),
                ("phone", "phone"),
                ("cookie_id", "cookie"),
                ("kind", "interaction_kind"),
                ("outcome", "outcome"),
                ("case_ref", "case_ref"),
                ("summary", "summary"),
            ],
            Source::EmailTickets => vec![
                ("from", "email"),
                ("from_name", "full_name"),
                ("customer_id", "crm_id:crm"),
                ("subject", "summary"),
                ("kind", "interaction_kind"),
                ("outcome", "outcome"),
                ("case_ref", "case_ref"),
            ],
            Source::WhatsApp => vec![
                ("wa_phone", "phone"),
                ("profile_name", "full_name"),
                ("customer_id", "crm_id:crm"),
                ("kind", "interaction_kind"),
                ("outcome", "outcome"),
                ("case_ref", "case_ref"),
                ("summary", "summary"),
            ],
            Source::Social => vec![
                ("network", "attr:network"),
                ("instagram", "handle:instagram"),
                ("facebook", "handle:facebook"),
                ("x", "handle:x"),
                ("tiktok", "handle:tiktok"),
                ("display_name", "full_name"),
                ("email", "email"),
                ("kind", "interaction_kind"),
                ("summary", "summary"),
            ],
            Source::AppEvents => vec![
                ("app_user_id", "app_user_id:mi-app"),
                ("device_id", "device_id"),
                ("platform", "attr:platform"),
                ("event", "interaction_kind"),
                ("customer_id", "crm_id:crm"),
                ("screen", "attr:screen"),
            ],
            Source::StorePurchases => vec![
                ("store_city", "attr:store_city"),
                ("loyalty_card", "loyalty_card:club"),
                ("receipt_email", "email"),
                ("customer_name", "full_name"),
                ("customer_id", "crm_id:crm"),
                ("amount", "amount"),
                ("currency", "currency"),
                ("kind", "interaction_kind"),
                ("item", "summary"),
            ],
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.stem())
    }
}

fn national_id_kind(c: Country) -> &'static str {
    match c {
        Country::Es => "national_id:ES",
        Country::Mx => "national_id:MX",
        Country::Ar => "national_id:AR",
        Country::Co => "national_id:CO",
    }
}

/// The `[[sources]]` part of an omnid config for the generated files.
///
/// Every column of every file is mapped (columns with no meaning for
/// resolution as `attr:<name>`), so the mapping doubles as the schema.
/// [`config_toml`] adds the identity and matching settings.
pub fn sources_toml() -> String {
    let mut out = String::new();
    out.push_str(
        "# Sources of a synthetic export written by omnid-gen.\n\
         # One CRM file per country: each writes phones and national ids in its own\n\
         # country's formats, so each has that country as default_region. The channel\n\
         # files come from the Spanish head office's systems: Spanish numbers in any\n\
         # format, other countries' numbers always with +CC or 00CC. WhatsApp numbers\n\
         # are E.164 digits without `+`. Social handles sit in one column per network;\n\
         # only the column of the row's network is filled. truth.csv is not a source.\n",
    );
    for source in Source::ALL {
        let _ = write!(
            out,
            "\n[[sources]]\nname = \"{stem}\"\npath = \"{stem}.csv\"\nid = \"{id}\"\ndefault_region = \"{region}\"\n",
            stem = source.stem(),
            id = source.header().first().copied().unwrap_or("id"),
            region = source.default_region().code(),
        );
        if let Some(channel) = source.channel() {
            let _ = writeln!(out, "channel = \"{channel}\"");
        }
        let _ = writeln!(out, "timestamp = \"{}\"", source.timestamp_column());
        out.push_str("[sources.columns]\n");
        for (column, kind) in source.columns() {
            let _ = writeln!(out, "{column} = \"{kind}\"");
        }
    }
    out
}

/// The identity and matching settings tuned for this export, appended to
/// the sources by [`config_toml`].
pub const RESOLVE_SETTINGS: &str = include_str!("resolve_settings.toml");

/// The whole `omnid.toml`: sources, then identity and matching settings.
pub fn config_toml() -> String {
    let mut out = sources_toml();
    out.push_str(RESOLVE_SETTINGS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_has_a_distinct_stem_and_index() {
        for (i, s) in Source::ALL.iter().enumerate() {
            assert_eq!(s.index(), i);
            assert_eq!(
                s.header().first().map(|h| h.ends_with("_id")),
                Some(true),
                "{s}"
            );
        }
        let stems: std::collections::BTreeSet<_> = Source::ALL.iter().map(|s| s.stem()).collect();
        assert_eq!(stems.len(), Source::ALL.len());
    }

    #[test]
    fn columns_map_every_header_field_but_id_and_time() {
        for s in Source::ALL {
            let mapped: Vec<&str> = s.columns().iter().map(|(c, _)| *c).collect();
            for h in s.header().iter().skip(1) {
                let expected = *h != s.timestamp_column();
                assert_eq!(mapped.contains(h), expected, "{s}.{h}");
            }
        }
    }
}
