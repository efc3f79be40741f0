//! Input types: what a channel or a CRM export knows about one contact.
//!
//! A [`Record`] is raw input. Nothing here is normalized: values are kept as
//! they were read, so that a rejection can always point at the original text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a record came from: the source (a CRM, a channel log) and its id there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordKey {
    /// Name of the source, as configured (for example `crm` or `webchat`).
    pub source: String,
    /// The record's id within its source.
    pub id: String,
}

impl RecordKey {
    /// Builds a key from a source name and an id.
    pub fn new(source: impl Into<String>, id: impl Into<String>) -> Self {
        RecordKey {
            source: source.into(),
            id: id.into(),
        }
    }
}

impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.source, self.id)
    }
}

/// One contact, customer row or channel event, as read from its source.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Record {
    /// Source and id.
    pub key: RecordKey,
    /// When the source saw this record (row update time, event time).
    pub observed_at: Option<jiff::Timestamp>,
    /// Identifiers in raw form: phones, emails, handles, ids.
    pub identifiers: Vec<Identifier>,
    /// Descriptive attributes: names, birth date, address.
    pub attributes: Attributes,
    /// The interaction this record describes, if it is a channel event.
    pub interaction: Option<Interaction>,
}

impl Default for RecordKey {
    fn default() -> Self {
        RecordKey::new("", "")
    }
}

/// A raw identifier value and its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// What the value identifies.
    pub kind: IdentifierKind,
    /// The value as read.
    pub raw: String,
}

impl Identifier {
    /// Builds an identifier from a kind and a raw value.
    pub fn new(kind: IdentifierKind, raw: impl Into<String>) -> Self {
        Identifier {
            kind,
            raw: raw.into(),
        }
    }
}

/// A social network or messaging service whose handles omnid understands.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Network {
    /// X, formerly Twitter (`x` or `twitter`).
    X,
    /// Instagram.
    Instagram,
    /// Facebook.
    Facebook,
    /// TikTok.
    TikTok,
    /// Telegram.
    Telegram,
    /// Any other network, by its lower-case name.
    Other(String),
}

impl Network {
    /// The canonical lower-case name (`x`, `instagram`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            Network::X => "x",
            Network::Instagram => "instagram",
            Network::Facebook => "facebook",
            Network::TikTok => "tiktok",
            Network::Telegram => "telegram",
            Network::Other(name) => name,
        }
    }
}

impl FromStr for Network {
    type Err = ParseKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "x" | "twitter" => Network::X,
            "instagram" | "ig" => Network::Instagram,
            "facebook" | "fb" => Network::Facebook,
            "tiktok" => Network::TikTok,
            "telegram" | "tg" => Network::Telegram,
            "" => return Err(ParseKindError::new(s, "a network name is empty")),
            _ => Network::Other(lower),
        })
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case (`ES`, `MX`, `AR`, `CO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country([u8; 2]);

impl Country {
    /// Spain.
    pub const ES: Country = Country(*b"ES");
    /// Mexico.
    pub const MX: Country = Country(*b"MX");
    /// Argentina.
    pub const AR: Country = Country(*b"AR");
    /// Colombia.
    pub const CO: Country = Country(*b"CO");

    /// The two upper-case letters.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored (see `FromStr`).
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl FromStr for Country {
    type Err = ParseKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.trim().as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic) {
            Ok(Country([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
            ]))
        } else {
            Err(ParseKindError::new(
                s,
                "a country is a two-letter ISO 3166 code such as ES, MX, AR or CO",
            ))
        }
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What an identifier identifies.
///
/// Kinds that live in a namespace carry it: a handle belongs to a network, an
/// app user id to an app, a CRM id to a system, a national id to a country.
/// The text form, used in configuration files, is `kind` or `kind:qualifier`:
/// `phone`, `email`, `handle:instagram`, `app_user_id:mi-app`, `device_id`,
/// `cookie`, `crm_id:salesforce`, `national_id:ES`, `loyalty_card:club`,
/// `custom:contract`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum IdentifierKind {
    /// A telephone number (calls, IVR, SMS, WhatsApp).
    Phone,
    /// An email address.
    Email,
    /// A user name on a social network.
    Handle(Network),
    /// A user id inside one app.
    AppUserId(String),
    /// A mobile advertising or hardware id (IDFA, GAID, IDFV, Android id).
    DeviceId,
    /// A web cookie or visitor id.
    Cookie,
    /// A customer id in one CRM or billing system.
    CrmId(String),
    /// A national identity document of one country.
    NationalId(Country),
    /// A loyalty card number of one programme.
    LoyaltyCard(String),
    /// Any other identifier, by its configured name.
    Custom(String),
}

impl IdentifierKind {
    /// The kind's name without its qualifier (`phone`, `handle`, `crm_id`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            IdentifierKind::Phone => "phone",
            IdentifierKind::Email => "email",
            IdentifierKind::Handle(_) => "handle",
            IdentifierKind::AppUserId(_) => "app_user_id",
            IdentifierKind::DeviceId => "device_id",
            IdentifierKind::Cookie => "cookie",
            IdentifierKind::CrmId(_) => "crm_id",
            IdentifierKind::NationalId(_) => "national_id",
            IdentifierKind::LoyaltyCard(_) => "loyalty_card",
            IdentifierKind::Custom(_) => "custom",
        }
    }

    /// The qualifier (network, app, system, country, programme), if the kind has one.
    pub fn qualifier(&self) -> Option<&str> {
        match self {
            IdentifierKind::Handle(n) => Some(n.as_str()),
            IdentifierKind::AppUserId(q)
            | IdentifierKind::CrmId(q)
            | IdentifierKind::LoyaltyCard(q)
            | IdentifierKind::Custom(q) => Some(q),
            IdentifierKind::NationalId(c) => Some(c.as_str()),
            _ => None,
        }
    }
}

/// The names `IdentifierKind::from_str` accepts, for error messages.
pub const KIND_NAMES: &[&str] = &[
    "phone",
    "email",
    "handle",
    "app_user_id",
    "device_id",
    "cookie",
    "crm_id",
    "national_id",
    "loyalty_card",
    "custom",
];

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.qualifier() {
            Some(q) => write!(f, "{}:{}", self.name(), q),
            None => f.write_str(self.name()),
        }
    }
}

impl FromStr for IdentifierKind {
    type Err = ParseKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, qualifier) = match s.split_once(':') {
            Some((n, q)) => (n.trim(), Some(q.trim())),
            None => (s.trim(), None),
        };
        let name_l = name.to_ascii_lowercase();
        let need = |what: &str| -> Result<String, ParseKindError> {
            match qualifier {
                Some(q) if !q.is_empty() => Ok(q.to_string()),
                _ => Err(ParseKindError::new(
                    s,
                    &format!("`{name_l}` needs a {what}: write `{name_l}:<{what}>`"),
                )),
            }
        };
        let no_qualifier = |kind: IdentifierKind| -> Result<IdentifierKind, ParseKindError> {
            match qualifier {
                None => Ok(kind),
                Some(_) => Err(ParseKindError::new(
                    s,
                    &format!("`{name_l}` takes no qualifier"),
                )),
            }
        };
        match name_l.as_str() {
            "phone" | "tel" | "telephone" | "mobile" => no_qualifier(IdentifierKind::Phone),
            "email" | "mail" => no_qualifier(IdentifierKind::Email),
            "handle" => Ok(IdentifierKind::Handle(need("network")?.parse()?)),
            "app_user_id" => Ok(IdentifierKind::AppUserId(need("app")?)),
            "device_id" => no_qualifier(IdentifierKind::DeviceId),
            "cookie" | "visitor_id" => no_qualifier(IdentifierKind::Cookie),
            "crm_id" => Ok(IdentifierKind::CrmId(need("system")?)),
            "national_id" => Ok(IdentifierKind::NationalId(need("country")?.parse()?)),
            "loyalty_card" => Ok(IdentifierKind::LoyaltyCard(need("programme")?)),
            "custom" => Ok(IdentifierKind::Custom(need("name")?)),
            _ => {
                let hint = crate::suggest::closest(&name_l, KIND_NAMES)
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                Err(ParseKindError::new(
                    s,
                    &format!("unknown identifier kind `{name}`{hint}"),
                ))
            }
        }
    }
}

impl Serialize for IdentifierKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IdentifierKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A kind, network or country name that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}`: {message}")]
pub struct ParseKindError {
    input: String,
    message: String,
}

impl ParseKindError {
    fn new(input: &str, message: &str) -> Self {
        ParseKindError {
            input: input.to_string(),
            message: message.to_string(),
        }
    }
}

/// Descriptive attributes of a person, as read. All optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Attributes {
    /// Given name or names (`María José`).
    pub given_names: Option<String>,
    /// Family name or names (`García López`).
    pub family_names: Option<String>,
    /// The full name, when the source does not split it.
    pub full_name: Option<String>,
    /// Birth date in any supported format.
    pub birth_date: Option<String>,
    /// Gender as written by the source.
    pub gender: Option<String>,
    /// Postal address.
    pub address: Address,
    /// Any other attribute a source has (plan, segment, a second id to
    /// compare), by name. Sorted, so output is stable.
    pub extra: std::collections::BTreeMap<String, String>,
}

/// A postal address, as read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    /// Street name.
    pub street: Option<String>,
    /// House number.
    pub number: Option<String>,
    /// A second address line: building, estate, locality.
    pub locality: Option<String>,
    /// City or locality.
    pub city: Option<String>,
    /// Postal code.
    pub postcode: Option<String>,
    /// Region, state or province.
    pub region: Option<String>,
    /// Country, as written.
    pub country: Option<String>,
}

/// A contact between the customer and the company on one channel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Interaction {
    /// The channel it happened on.
    pub channel: Channel,
    /// What it was about.
    pub kind: InteractionKind,
    /// When it happened (defaults to the record's `observed_at`).
    pub at: Option<jiff::Timestamp>,
    /// An explicit case or ticket reference, when the channel gives one.
    pub case_ref: Option<String>,
    /// Money involved (a purchase, a refund).
    pub amount: Option<Money>,
    /// How it ended.
    pub outcome: Option<Outcome>,
    /// Free text: what was said or done.
    pub summary: Option<String>,
}

/// An amount of money in one currency.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Money {
    /// The amount in the currency's major unit (12.50 is twelve euros fifty).
    pub amount: f64,
    /// ISO 4217 code (`EUR`, `MXN`, `ARS`, `COP`), upper case.
    pub currency: String,
}

macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal $(| $alias:literal)* ),+ $(,)? }
        default $default:ident
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical snake-case name.
            pub fn as_str(&self) -> &'static str {
                match self { $( $name::$variant => $text, )+ }
            }
        }

        impl Default for $name {
            fn default() -> Self { $name::$default }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseKindError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let l = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                match l.as_str() {
                    $( $text $(| $alias)* => Ok($name::$variant), )+
                    _ => {
                        let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        let hint = crate::suggest::closest(&l, &names)
                            .map(|k| format!("; did you mean `{k}`?"))
                            .unwrap_or_default();
                        Err(ParseKindError::new(
                            s,
                            &format!(concat!("unknown ", stringify!($name), "{}"), hint),
                        ))
                    }
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

text_enum! {
    /// A contact channel.
    Channel {
        /// A voice call with an agent.
        Phone => "phone" | "call" | "voice",
        /// An interactive voice response menu.
        Ivr => "ivr",
        /// Chat with a human agent on the web site.
        WebChat => "web_chat" | "webchat" | "chat",
        /// A chatbot or virtual assistant.
        Chatbot => "chatbot" | "bot" | "virtual_assistant",
        /// Email.
        Email => "email" | "mail",
        /// WhatsApp.
        WhatsApp => "whatsapp",
        /// SMS.
        Sms => "sms",
        /// Social networks (messages, mentions, comments).
        Social => "social",
        /// The mobile app.
        App => "app" | "mobile_app",
        /// A physical store.
        Store => "store" | "shop" | "pos",
        /// A video call.
        Video => "video",
        /// Anything else.
        Other => "other",
    }
    default Other
}

text_enum! {
    /// What an interaction was about.
    InteractionKind {
        /// A question.
        Inquiry => "inquiry" | "consulta",
        /// A claim or complaint.
        Claim => "claim" | "complaint" | "reclamo",
        /// A purchase.
        Purchase => "purchase" | "sale" | "compra",
        /// A cancellation of a service or order.
        Cancellation => "cancellation" | "churn" | "baja",
        /// A technical support request.
        Support => "support",
        /// A login, visit or other event without a request.
        Visit => "visit" | "login" | "event",
        /// Anything else.
        Other => "other",
    }
    default Other
}

text_enum! {
    /// How an interaction ended.
    Outcome {
        /// The request was solved in this contact.
        Resolved => "resolved" | "solved" | "closed",
        /// Still open after this contact.
        Pending => "pending" | "open",
        /// Passed to another team or channel.
        Escalated => "escalated" | "transferred",
        /// The customer left before an answer.
        Abandoned => "abandoned" | "dropped",
        /// Anything else.
        Other => "other",
    }
    default Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_text() {
        for text in [
            "phone",
            "email",
            "handle:instagram",
            "handle:x",
            "app_user_id:mi-app",
            "device_id",
            "cookie",
            "crm_id:salesforce",
            "national_id:ES",
            "loyalty_card:club",
            "custom:contract",
        ] {
            let kind: IdentifierKind = text.parse().unwrap();
            assert_eq!(kind.to_string(), text);
        }
        let twitter: IdentifierKind = "handle:Twitter".parse().unwrap();
        assert_eq!(twitter, IdentifierKind::Handle(Network::X));
        let es: IdentifierKind = "national_id:es".parse().unwrap();
        assert_eq!(es.to_string(), "national_id:ES");
    }

    #[test]
    fn unknown_kind_suggests_the_closest() {
        let err = "emial".parse::<IdentifierKind>().unwrap_err().to_string();
        assert!(err.contains("did you mean `email`"), "{err}");
        let err = "crm_id".parse::<IdentifierKind>().unwrap_err().to_string();
        assert!(err.contains("needs a system"), "{err}");
        let err = "phone:ES"
            .parse::<IdentifierKind>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("takes no qualifier"), "{err}");
    }

    #[test]
    fn channels_accept_aliases_and_suggest() {
        assert_eq!("WhatsApp".parse::<Channel>().unwrap(), Channel::WhatsApp);
        assert_eq!("web chat".parse::<Channel>().unwrap(), Channel::WebChat);
        assert_eq!(
            "reclamo".parse::<InteractionKind>().unwrap(),
            InteractionKind::Claim
        );
        let err = "whatsap".parse::<Channel>().unwrap_err().to_string();
        assert!(err.contains("whatsapp"), "{err}");
    }

    #[test]
    fn record_round_trips_through_json() {
        let record = Record {
            key: RecordKey::new("webchat", "c-1"),
            observed_at: Some("2026-03-01T10:00:00Z".parse().unwrap()),
            identifiers: vec![
                Identifier::new(IdentifierKind::Email, "Ana.Garcia@Gmail.com"),
                Identifier::new(IdentifierKind::Handle(Network::Instagram), "@ana"),
            ],
            attributes: Attributes {
                full_name: Some("Ana García López".into()),
                ..Attributes::default()
            },
            interaction: Some(Interaction {
                channel: Channel::WebChat,
                kind: InteractionKind::Claim,
                case_ref: Some("T-9".into()),
                amount: Some(Money {
                    amount: 12.5,
                    currency: "EUR".into(),
                }),
                ..Interaction::default()
            }),
        };
        let json = serde_json::to_string(&record).unwrap();
        let back: Record = serde_json::from_str(&json).unwrap();
        assert_eq!(back, record);
        assert!(json.contains("\"handle:instagram\""), "{json}");
    }
}
