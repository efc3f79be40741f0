//! The rules of the identity graph, per identifier kind: configuration as
//! data, with a built-in default for every kind.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::record::{IdentifierKind, KIND_NAMES};

/// The rules of the identity graph.
///
/// Every kind has a built-in [`KindRule`] (see [`KindRule::builtin`]);
/// `kinds` overrides fields of it, first by kind name (`crm_id`, for every
/// CRM system), then by full kind text (`crm_id:salesforce`). Fields an
/// override leaves out keep their value from the level below.
///
/// In TOML:
///
/// ```toml
/// [kinds.phone]
/// validity_window_days = 365   # recycled numbers: link only within a tenure
/// max_names_per_value = 3
///
/// [kinds."custom:contract"]
/// linking = true
/// exclusive = true
///
/// [kinds.crm_id]
/// merge_duplicates = true      # second accounts of returning customers
///
/// [generic_values]
/// phone = ["+34900100200"]           # our own switchboard, typed by agents
/// email = ["sinemail@empresa.com"]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityRules {
    /// Overrides of the built-in rules, keyed by kind name or kind text.
    pub kinds: BTreeMap<String, KindRuleOverride>,
    /// Values known to be shared by many people, keyed by kind name or kind
    /// text; already normalized. They never link records. Default: none.
    pub generic_values: BTreeMap<String, Vec<String>>,
    /// Local parts of role e-mail addresses (`info`, `ventas`, ...): an email
    /// whose local part is one of these is flagged generic and never links,
    /// whatever its domain. Default: [`DEFAULT_ROLE_LOCAL_PARTS`].
    pub role_email_local_parts: Vec<String>,
}

/// Local parts of role e-mail addresses flagged generic by default: shared
/// mailboxes of a company or a department, not of one person.
pub const DEFAULT_ROLE_LOCAL_PARTS: &[&str] = &[
    "admin",
    "administracion",
    "atencionalcliente",
    "billing",
    "clientes",
    "compras",
    "contact",
    "contacto",
    "facturacion",
    "hello",
    "hola",
    "info",
    "noreply",
    "no-reply",
    "office",
    "oficina",
    "pedidos",
    "recepcion",
    "reservas",
    "rrhh",
    "sales",
    "soporte",
    "support",
    "ventas",
];

impl Default for IdentityRules {
    fn default() -> Self {
        IdentityRules {
            kinds: BTreeMap::new(),
            generic_values: BTreeMap::new(),
            role_email_local_parts: DEFAULT_ROLE_LOCAL_PARTS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// A key of [`IdentityRules::kinds`] or [`IdentityRules::generic_values`]
/// that names no kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}.{key}: {message}")]
pub struct RuleError {
    /// The field (`kinds`, `generic_values`).
    pub field: &'static str,
    /// The key as written.
    pub key: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl IdentityRules {
    /// Checks that every key names a kind (`phone`, `crm_id`,
    /// `crm_id:salesforce`) and that no rule is contradictory.
    pub fn validate(&self) -> Result<(), RuleError> {
        for key in self.kinds.keys() {
            check_kind_key("kinds", key)?;
        }
        for key in self.generic_values.keys() {
            check_kind_key("generic_values", key)?;
        }
        for (key, rule) in &self.kinds {
            if rule.max_per_profile == Some(Limit::At(0)) {
                return Err(RuleError {
                    field: "kinds",
                    key: key.clone(),
                    message: "max_per_profile = 0 would keep every record of this kind apart; \
                              write a limit of 1 or more, or \"none\""
                        .into(),
                });
            }
        }
        Ok(())
    }

    /// The effective rule of `kind`: its built-in rule, then the override for
    /// its name, then the override for its full text.
    pub fn rule_for(&self, kind: &IdentifierKind) -> KindRule {
        let mut rule = KindRule::builtin(kind);
        if let Some(o) = self.kinds.get(kind.name()) {
            o.apply(&mut rule);
        }
        if kind.qualifier().is_some()
            && let Some(o) = self.kinds.get(&kind.to_string())
        {
            o.apply(&mut rule);
        }
        rule
    }

    /// The listed generic values of `kind` (by its name and by its text).
    pub fn generic_values_for<'a>(
        &'a self,
        kind: &IdentifierKind,
    ) -> impl Iterator<Item = &'a str> + 'a {
        let by_name = self.generic_values.get(kind.name());
        let by_text = kind
            .qualifier()
            .and_then(|_| self.generic_values.get(&kind.to_string()));
        by_name
            .into_iter()
            .chain(by_text)
            .flatten()
            .map(String::as_str)
    }
}

fn check_kind_key(field: &'static str, key: &str) -> Result<(), RuleError> {
    if KIND_NAMES.contains(&key) {
        return Ok(());
    }
    key.parse::<IdentifierKind>()
        .map(|_| ())
        .map_err(|e| RuleError {
            field,
            key: key.to_string(),
            message: e.to_string(),
        })
}

/// The effective rule of one identifier kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindRule {
    /// Records sharing a value of this kind are linked. A kind that does not
    /// link is an attribute only (its `exclusive` and `max_per_profile` still
    /// constrain profiles).
    pub linking: bool,
    /// Links of higher priority are made first, so when a merge would break a
    /// limit it is the link of lower priority that is refused.
    pub priority: u32,
    /// Two different values never share a profile (cannot-link), whatever the
    /// path between their records.
    pub exclusive: bool,
    /// At most this many distinct values in one profile.
    pub max_per_profile: Option<u32>,
    /// A value held by more records than this is flagged generic and does not
    /// link (a hotel switchboard, a shared office email).
    pub max_records_per_value: Option<u32>,
    /// A value whose records name more people than this is flagged generic
    /// and does not link (a family landline). Name keys that can be one
    /// person's count once: a typo (`preez`), a short form (`agus`), the
    /// given name alone, the order swapped.
    pub max_names_per_value: Option<u32>,
    /// When set, a value links two records only if a chain of its records no
    /// more than this many days apart joins them (a recycled phone number
    /// links each holder's records, not the holders). Records with no
    /// observed time do not link through such a kind.
    pub validity_window_days: Option<u32>,
    /// Two values of this kind are taken for duplicate accounts of one
    /// person, and count as one value for `exclusive` and `max_per_profile`,
    /// when the records holding one and the records holding the other share
    /// a value of another linking kind (a phone, an email, a document) and a
    /// full name on each can be one person's (a CRM that opened a second
    /// account for a returning customer). Accounts of a household sharing a
    /// landline name different people and stay apart; an account with no
    /// full name on its records merges with none.
    pub merge_duplicates: bool,
}

impl KindRule {
    /// The built-in rule of a kind:
    ///
    /// | kind | linking | priority | exclusive | max per profile | max records per value | max names per value |
    /// |---|---|---|---|---|---|---|
    /// | `crm_id` | yes | 100 | yes | 1 | none | none |
    /// | `national_id` | yes | 90 | yes | 1 | none | none |
    /// | `loyalty_card` | yes | 80 | no | 3 | 50 | 2 |
    /// | `app_user_id` | yes | 70 | no | 3 | 200 | 2 |
    /// | `email` | yes | 60 | no | 10 | 500 | 2 |
    /// | `handle` | yes | 55 | no | 3 | 200 | 2 |
    /// | `phone` | yes | 50 | no | 5 | 500 | 2 |
    /// | `device_id` | yes | 30 | no | 20 | 1000 | 2 |
    /// | `cookie` | yes | 20 | no | 50 | 1000 | 2 |
    /// | `custom` and others | no | 10 | no | none | none | none |
    ///
    /// No kind has a validity window or merges duplicates by default. "Max
    /// names 2" flags a value once its records name a third person (see
    /// [`KindRule::max_names_per_value`]).
    pub fn builtin(kind: &IdentifierKind) -> KindRule {
        let limited = |priority, max, records, names| KindRule {
            linking: true,
            priority,
            exclusive: false,
            max_per_profile: Some(max),
            max_records_per_value: Some(records),
            max_names_per_value: Some(names),
            validity_window_days: None,
            merge_duplicates: false,
        };
        let exclusive = |priority| KindRule {
            linking: true,
            priority,
            exclusive: true,
            max_per_profile: Some(1),
            max_records_per_value: None,
            max_names_per_value: None,
            validity_window_days: None,
            merge_duplicates: false,
        };
        match kind.name() {
            "crm_id" => exclusive(100),
            "national_id" => exclusive(90),
            "loyalty_card" => limited(80, 3, 50, 2),
            "app_user_id" => limited(70, 3, 200, 2),
            "email" => limited(60, 10, 500, 2),
            "handle" => limited(55, 3, 200, 2),
            "phone" => limited(50, 5, 500, 2),
            "device_id" => limited(30, 20, 1000, 2),
            "cookie" => limited(20, 50, 1000, 2),
            _ => KindRule {
                linking: false,
                priority: 10,
                exclusive: false,
                max_per_profile: None,
                max_records_per_value: None,
                max_names_per_value: None,
                validity_window_days: None,
                merge_duplicates: false,
            },
        }
    }
}

/// Fields that override a [`KindRule`]; each left out keeps the value below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KindRuleOverride {
    /// See [`KindRule::linking`].
    pub linking: Option<bool>,
    /// See [`KindRule::priority`].
    pub priority: Option<u32>,
    /// See [`KindRule::exclusive`].
    pub exclusive: Option<bool>,
    /// See [`KindRule::max_per_profile`].
    pub max_per_profile: Option<Limit>,
    /// See [`KindRule::max_records_per_value`].
    pub max_records_per_value: Option<Limit>,
    /// See [`KindRule::max_names_per_value`].
    pub max_names_per_value: Option<Limit>,
    /// See [`KindRule::validity_window_days`].
    pub validity_window_days: Option<Limit>,
    /// See [`KindRule::merge_duplicates`].
    pub merge_duplicates: Option<bool>,
}

impl KindRuleOverride {
    fn apply(&self, rule: &mut KindRule) {
        if let Some(v) = self.linking {
            rule.linking = v;
        }
        if let Some(v) = self.priority {
            rule.priority = v;
        }
        if let Some(v) = self.exclusive {
            rule.exclusive = v;
        }
        if let Some(v) = self.merge_duplicates {
            rule.merge_duplicates = v;
        }
        let set = |slot: &mut Option<u32>, v: Option<Limit>| {
            if let Some(v) = v {
                *slot = v.get();
            }
        };
        set(&mut rule.max_per_profile, self.max_per_profile);
        set(&mut rule.max_records_per_value, self.max_records_per_value);
        set(&mut rule.max_names_per_value, self.max_names_per_value);
        set(&mut rule.validity_window_days, self.validity_window_days);
    }
}

/// A limit in configuration: a number, or `"none"` for no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// No limit.
    None,
    /// At most this many.
    At(u32),
}

impl Limit {
    /// The limit as an option (`None` for no limit).
    pub fn get(self) -> Option<u32> {
        match self {
            Limit::None => None,
            Limit::At(n) => Some(n),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::None => f.write_str("none"),
            Limit::At(n) => write!(f, "{n}"),
        }
    }
}

impl Serialize for Limit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Limit::None => s.serialize_str("none"),
            Limit::At(n) => s.serialize_u32(*n),
        }
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Limit;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number, or \"none\" for no limit")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Limit, E> {
                u32::try_from(v)
                    .map(Limit::At)
                    .map_err(|_| E::custom(format!("{v} is too large for a limit")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Limit, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom(format!("a limit cannot be negative ({v})")))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Limit, E> {
                match v.trim().to_ascii_lowercase().as_str() {
                    "none" | "unlimited" => Ok(Limit::None),
                    other => other
                        .parse::<u32>()
                        .map(Limit::At)
                        .map_err(|_| E::custom(format!("`{v}`: write a number or \"none\""))),
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_by_name_then_by_full_text() {
        let rules: IdentityRules = serde_json::from_str(
            r#"{"kinds": {
                "crm_id": {"priority": 95},
                "crm_id:sap": {"exclusive": false, "max_per_profile": 3},
                "phone": {"max_names_per_value": "none", "validity_window_days": 365}
            }}"#,
        )
        .unwrap();
        rules.validate().unwrap();
        let sf = rules.rule_for(&"crm_id:salesforce".parse().unwrap());
        assert_eq!(
            (sf.priority, sf.exclusive, sf.max_per_profile),
            (95, true, Some(1))
        );
        let sap = rules.rule_for(&"crm_id:sap".parse().unwrap());
        assert_eq!(
            (sap.priority, sap.exclusive, sap.max_per_profile),
            (95, false, Some(3))
        );
        let phone = rules.rule_for(&IdentifierKind::Phone);
        assert_eq!(phone.max_names_per_value, None);
        assert_eq!(phone.validity_window_days, Some(365));
        assert_eq!(
            phone.max_per_profile,
            Some(5),
            "untouched fields keep the built-in"
        );
        assert!(
            !rules.role_email_local_parts.is_empty(),
            "defaults survive a partial config"
        );
    }

    #[test]
    fn builtins_make_ids_exclusive_and_custom_kinds_attributes() {
        let crm = KindRule::builtin(&"crm_id:x".parse().unwrap());
        assert!(crm.exclusive && crm.linking);
        let nid = KindRule::builtin(&"national_id:ES".parse().unwrap());
        assert!(nid.exclusive && nid.priority < crm.priority);
        let custom = KindRule::builtin(&"custom:contract".parse().unwrap());
        assert!(!custom.linking);
        let email = KindRule::builtin(&IdentifierKind::Email);
        assert_eq!(email.max_per_profile, Some(10));
        assert!(email.priority > KindRule::builtin(&IdentifierKind::Phone).priority);
    }

    #[test]
    fn bad_keys_and_limits_are_explained() {
        let mut rules = IdentityRules::default();
        rules
            .kinds
            .insert("emial".into(), KindRuleOverride::default());
        let err = rules.validate().unwrap_err().to_string();
        assert!(
            err.contains("kinds.emial") && err.contains("did you mean `email`"),
            "{err}"
        );

        let mut rules = IdentityRules::default();
        rules
            .generic_values
            .insert("crm_id".into(), vec!["0".into()]);
        rules.validate().unwrap();
        rules.generic_values.insert("telefono".into(), vec![]);
        assert!(rules.validate().is_err());

        let mut rules = IdentityRules::default();
        let zero = KindRuleOverride {
            max_per_profile: Some(Limit::At(0)),
            ..KindRuleOverride::default()
        };
        rules.kinds.insert("phone".into(), zero);
        let err = rules.validate().unwrap_err().to_string();
        assert!(err.contains("max_per_profile = 0"), "{err}");
    }

    #[test]
    fn limits_read_numbers_and_none() {
        let read = |s: &str| serde_json::from_str::<Limit>(s);
        assert_eq!(read("3").unwrap(), Limit::At(3));
        assert_eq!(read("\"none\"").unwrap(), Limit::None);
        assert_eq!(read("\"12\"").unwrap(), Limit::At(12));
        assert!(read("-1").is_err());
        assert!(read("\"lots\"").is_err());
        assert!(read("99999999999").is_err());
        assert_eq!(serde_json::to_string(&Limit::None).unwrap(), "\"none\"");
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let err = serde_json::from_str::<IdentityRules>(r#"{"kinds": {"phone": {"max": 3}}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field"), "{err}");
    }
}
