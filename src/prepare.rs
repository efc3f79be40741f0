//! From a raw [`Record`] to a [`PreparedRecord`]: every value normalized by
//! its kind's normalizer and the junk rules, or rejected with a reason.
//!
//! [`Normalizer`] is the one place that knows which normalizer serves which
//! kind; the graph and the matcher only ever see prepared values.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::matching::features::Field;
use crate::normalize::date::{DateOrder, DatePolicy, normalize_date};
use crate::normalize::device::{normalize_device_id, normalize_opaque_id};
use crate::normalize::email::{EmailRules, normalize_email};
use crate::normalize::handle::normalize_handle;
use crate::normalize::junk::{JunkFilter, JunkRules};
use crate::normalize::name::{PersonName, fold, formal_given_name, normalize_person_name};
use crate::normalize::national_id::normalize_national_id;
use crate::normalize::phone::{PhoneValidation, normalize_phone_with};
use crate::normalize::{RejectReason, Rejection};
use crate::record::{Country, Identifier, IdentifierKind, Record};

/// How values are normalized. Configuration data: every field has a default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NormalizeConfig {
    /// Region for national phone numbers when a source sets none.
    pub default_region: Option<Country>,
    /// How strictly phone numbers must fit their country's numbering plan.
    pub phone_validation: PhoneValidation,
    /// Email provider rules for matching keys.
    pub email: EmailRules,
    /// How dates are read.
    pub dates: DatePolicy,
    /// Junk rules applied to every identifier.
    pub junk: JunkRules,
}

/// Per-source reading settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourceSettings {
    /// Region for this source's national phone numbers.
    pub default_region: Option<Country>,
    /// Regions tried in turn when a national number is not valid in the
    /// default region (a source mixing Spanish and American customers).
    pub fallback_regions: Vec<Country>,
    /// Day-first or month-first dates in this source.
    pub date_order: Option<DateOrder>,
}

/// A normalized identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NormalizedIdentifier {
    /// Its kind.
    pub kind: IdentifierKind,
    /// The matching form (E.164 phone, email matching key, canonical id).
    pub value: String,
    /// The form to show a person (an email as written, a phone with its extension).
    pub display: String,
}

/// A value that was not accepted, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRejection {
    /// The field (`phone`, `email`, `national_id:ES`, `name`, `birth_date`...).
    pub field: String,
    /// The value as read.
    pub value: String,
    /// Why.
    pub rejection: Rejection,
}

/// A record with every value normalized: what the graph, the matcher and
/// profiles read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PreparedRecord {
    /// Accepted identifiers, deduplicated, in input order.
    pub identifiers: Vec<NormalizedIdentifier>,
    /// Identifiers that failed validation but can still be compared as
    /// attributes (a national id with a wrong check letter), in a compact
    /// upper-case form.
    pub unverified: Vec<(IdentifierKind, String)>,
    /// The person's name, when one was given and accepted.
    pub name: Option<PersonName>,
    /// Birth date.
    pub birth_date: Option<jiff::civil::Date>,
    /// `m`, `f`, or another folded value.
    pub gender: Option<String>,
    /// Folded address parts.
    pub street: Option<String>,
    /// House number.
    pub street_number: Option<String>,
    /// Second address line.
    pub locality: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Postal code, upper case without spaces.
    pub postcode: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Custom attributes, folded.
    pub extra: BTreeMap<String, String>,
    /// Values rejected.
    pub rejections: Vec<FieldRejection>,
}

impl PreparedRecord {
    /// A coarse key of the person's name (first formal given name and first
    /// family name), for counting distinct people behind a shared identifier.
    pub fn name_key(&self) -> Option<String> {
        let n = self.name.as_ref()?;
        let given = n
            .canonical_given()
            .first()
            .map(|s| s.to_string())
            .unwrap_or_default();
        let family = n.family.first().map(String::as_str).unwrap_or("");
        if given.is_empty() && family.is_empty() {
            return None;
        }
        Some(format!("{given} {family}"))
    }

    /// Pushes the values this record has for a matching field.
    pub fn field_values<'a>(&'a self, field: &Field, out: &mut Vec<Cow<'a, str>>) {
        let opt = |o: &'a Option<String>, out: &mut Vec<Cow<'a, str>>| {
            out.extend(o.as_deref().map(Cow::Borrowed))
        };
        match field {
            Field::GivenName => out.extend(self.name.as_ref().map(|n| joined(&n.given))),
            Field::GivenNameFormal => out.extend(self.name.as_ref().map(|n| {
                match n.given.as_slice() {
                    // One given name (the usual case): no list, no copy.
                    [one] => Cow::Borrowed(formal_given_name(one).unwrap_or(one.as_str())),
                    _ => Cow::Owned(n.canonical_given().join(" ")),
                }
            })),
            Field::FamilyName => out.extend(self.name.as_ref().map(|n| joined(&n.family))),
            Field::FamilyNameFirst => out.extend(
                self.name
                    .as_ref()
                    .and_then(|n| n.family.first())
                    .map(|f| Cow::Borrowed(f.as_str())),
            ),
            Field::FullName => out.extend(self.name.as_ref().map(|n| {
                let (g, f) = (n.given_joined(), n.family_joined());
                Cow::Owned(if g.is_empty() || f.is_empty() {
                    format!("{g}{f}")
                } else {
                    format!("{g} {f}")
                })
            })),
            Field::BirthDate => out.extend(self.birth_date.map(|d| Cow::Owned(iso_date(d)))),
            Field::Gender => opt(&self.gender, out),
            Field::Street => opt(&self.street, out),
            Field::StreetNumber => opt(&self.street_number, out),
            Field::Locality => opt(&self.locality, out),
            Field::City => opt(&self.city, out),
            Field::Postcode => opt(&self.postcode, out),
            Field::Region => opt(&self.region, out),
            Field::Country => opt(&self.country, out),
            Field::Email => self.values_of(&IdentifierKind::Email, out),
            Field::Phone => self.values_of(&IdentifierKind::Phone, out),
            Field::Identifier(kind) => {
                self.values_of(kind, out);
                out.extend(
                    self.unverified
                        .iter()
                        .filter(|(k, _)| k == kind)
                        .map(|(_, v)| Cow::Borrowed(v.as_str())),
                );
            }
            Field::Attribute(name) => {
                out.extend(self.extra.get(name).map(|v| Cow::Borrowed(v.as_str())))
            }
        }
    }

    fn values_of<'a>(&'a self, kind: &IdentifierKind, out: &mut Vec<Cow<'a, str>>) {
        out.extend(
            self.identifiers
                .iter()
                .filter(|i| &i.kind == kind)
                .map(|i| Cow::Borrowed(i.value.as_str())),
        );
    }
}

/// `YYYY-MM-DD`, as the date's `Display` writes it, without its formatter
/// for the years of four digits.
fn iso_date(d: jiff::civil::Date) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return d.to_string();
    }
    let digits = |n: i16, width: usize, out: &mut String| {
        for p in (0..width).rev() {
            out.push(char::from(b'0' + (n / 10i16.pow(p as u32) % 10) as u8));
        }
    };
    let mut s = String::with_capacity(10);
    digits(y, 4, &mut s);
    s.push('-');
    digits(i16::from(m), 2, &mut s);
    s.push('-');
    digits(i16::from(day), 2, &mut s);
    s
}

/// Name parts space-joined, borrowed when there is one part.
fn joined(parts: &[String]) -> Cow<'_, str> {
    match parts {
        [one] => Cow::Borrowed(one.as_str()),
        many => Cow::Owned(many.join(" ")),
    }
}

/// Normalizes records under one configuration.
#[derive(Debug, Clone)]
pub struct Normalizer {
    config: NormalizeConfig,
    junk: JunkFilter,
}

impl Normalizer {
    /// A normalizer for this configuration.
    pub fn new(config: &NormalizeConfig) -> Normalizer {
        Normalizer {
            config: config.clone(),
            junk: JunkFilter::new(&config.junk),
        }
    }

    /// Normalizes one identifier, with the region for national phone numbers.
    ///
    /// ```
    /// use omnid::prepare::{NormalizeConfig, Normalizer};
    /// use omnid::{Country, Identifier, IdentifierKind};
    /// let n = Normalizer::new(&NormalizeConfig::default());
    /// let phone = n.identifier(&Identifier::new(IdentifierKind::Phone, "612 34 56 78"), Some(Country::ES))?;
    /// assert_eq!(phone.value, "+34612345678");
    /// let junk = n.identifier(&Identifier::new(IdentifierKind::Email, "test@test.com"), None);
    /// assert!(junk.is_err());
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn identifier(
        &self,
        id: &Identifier,
        region: Option<Country>,
    ) -> Result<NormalizedIdentifier, Rejection> {
        let region = region.or(self.config.default_region);
        self.identifier_in(id, region.as_slice())
    }

    /// [`identifier`](Self::identifier) with phones read in each of `regions`
    /// in turn (see [`normalize_phone_with`]).
    ///
    /// # Errors
    ///
    /// As [`identifier`](Self::identifier).
    pub fn identifier_in(
        &self,
        id: &Identifier,
        regions: &[Country],
    ) -> Result<NormalizedIdentifier, Rejection> {
        let raw = id.raw.as_str();
        let (value, display) = match &id.kind {
            IdentifierKind::Phone => {
                let p = normalize_phone_with(raw, regions, self.config.phone_validation)?;
                let display = match &p.extension {
                    Some(x) => format!("{} ext. {x}", p.e164),
                    None => p.e164.clone(),
                };
                (p.e164, display)
            }
            IdentifierKind::Email => {
                let e = normalize_email(raw, &self.config.email)?;
                (e.match_key, e.address)
            }
            IdentifierKind::Handle(network) => {
                let h = normalize_handle(raw, network)?;
                (h.clone(), h)
            }
            IdentifierKind::DeviceId => {
                let d = normalize_device_id(raw)?;
                (d.clone(), d)
            }
            IdentifierKind::NationalId(country) => {
                let n = normalize_national_id(raw, *country)?;
                (n.value.clone(), n.value)
            }
            _ => {
                let v = normalize_opaque_id(raw)?;
                (v.clone(), v)
            }
        };
        // The junk rules know each kind's shape: an E.164 phone is checked on its
        // national digits, an email on its local part.
        self.junk.check(&value)?;
        Ok(NormalizedIdentifier {
            kind: id.kind.clone(),
            value,
            display,
        })
    }

    /// Normalizes a whole record with its source's settings.
    pub fn record(&self, r: &Record, source: &SourceSettings) -> PreparedRecord {
        let mut p = PreparedRecord::default();
        let first = source.default_region.or(self.config.default_region);
        let regions: std::borrow::Cow<'_, [Country]> = if source.fallback_regions.is_empty() {
            first.as_slice().into()
        } else {
            first
                .iter()
                .chain(&source.fallback_regions)
                .copied()
                .collect::<Vec<_>>()
                .into()
        };
        for id in &r.identifiers {
            match self.identifier_in(id, &regions) {
                Ok(n) => {
                    if !p
                        .identifiers
                        .iter()
                        .any(|x| x.kind == n.kind && x.value == n.value)
                    {
                        p.identifiers.push(n);
                    }
                }
                Err(rejection) => {
                    if let IdentifierKind::NationalId(_) = id.kind {
                        // Kept as an attribute: a typo in a document number is still evidence.
                        let compact: String = id
                            .raw
                            .chars()
                            .filter(|c| c.is_alphanumeric())
                            .flat_map(char::to_uppercase)
                            .collect();
                        if !compact.is_empty() && rejection.reason != RejectReason::Placeholder {
                            p.unverified.push((id.kind.clone(), compact));
                        }
                    }
                    p.rejections.push(FieldRejection {
                        field: id.kind.to_string(),
                        value: id.raw.clone(),
                        rejection,
                    });
                }
            }
        }
        let a = &r.attributes;
        if a.given_names.is_some() || a.family_names.is_some() || a.full_name.is_some() {
            match normalize_person_name(
                a.given_names.as_deref(),
                a.family_names.as_deref(),
                a.full_name.as_deref(),
            ) {
                Ok(n) => p.name = Some(n),
                Err(rejection) => {
                    let value = [&a.given_names, &a.family_names, &a.full_name]
                        .iter()
                        .filter_map(|o| o.as_deref())
                        .collect::<Vec<_>>()
                        .join(" | ");
                    p.rejections.push(FieldRejection {
                        field: "name".into(),
                        value,
                        rejection,
                    });
                }
            }
        }
        if let Some(raw) = a.birth_date.as_deref() {
            let mut policy = self.config.dates;
            if let Some(order) = source.date_order {
                policy.order = order;
            }
            match normalize_date(raw, &policy) {
                Ok(d) => p.birth_date = Some(d),
                Err(rejection) => p.rejections.push(FieldRejection {
                    field: "birth_date".into(),
                    value: raw.to_string(),
                    rejection,
                }),
            }
        }
        let folded = |o: &Option<String>| o.as_deref().map(fold).filter(|s| !s.is_empty());
        p.gender = a.gender.as_deref().and_then(gender);
        p.street = folded(&a.address.street);
        p.street_number = folded(&a.address.number);
        p.locality = folded(&a.address.locality);
        p.city = folded(&a.address.city);
        p.postcode = a
            .address
            .postcode
            .as_deref()
            .map(|s| {
                s.chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_uppercase)
                    .collect::<String>()
            })
            .filter(|s| !s.is_empty());
        p.region = folded(&a.address.region);
        p.country = folded(&a.address.country);
        for (k, v) in &a.extra {
            let f = fold(v);
            if !f.is_empty() {
                p.extra.insert(k.clone(), f);
            }
        }
        p
    }
}

/// `m` or `f` from the common ways of writing them in English and Spanish;
/// other values folded as written.
fn gender(raw: &str) -> Option<String> {
    let f = fold(raw);
    let g = match f.as_str() {
        "" => return None,
        "m" | "male" | "man" | "masculino" | "hombre" | "h" | "varon" => "m",
        "f" | "female" | "woman" | "femenino" | "mujer" => "f",
        other => other,
    };
    Some(g.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Attributes, RecordKey};

    #[test]
    fn iso_dates_are_written_as_the_date_displays() {
        for (y, m, d) in [
            (1985, 3, 1),
            (2024, 12, 31),
            (1, 1, 1),
            (999, 10, 9),
            (9999, 12, 31),
            (-5, 1, 1),
        ] {
            let date = jiff::civil::date(y, m, d);
            assert_eq!(iso_date(date), date.to_string());
        }
    }

    #[test]
    fn the_formal_given_name_field_joins_the_formal_names() {
        let formal = |given: &[&str]| {
            let record = PreparedRecord {
                name: Some(PersonName {
                    given: given.iter().map(|s| s.to_string()).collect(),
                    ..PersonName::default()
                }),
                ..PreparedRecord::default()
            };
            let mut out = Vec::new();
            record.field_values(&Field::GivenNameFormal, &mut out);
            out.iter().map(|v| v.to_string()).collect::<Vec<_>>()
        };
        assert_eq!(formal(&["pepe"]), ["jose"]);
        assert_eq!(formal(&["majo"]), ["maria jose"]);
        assert_eq!(formal(&["ana"]), ["ana"]);
        assert_eq!(formal(&["paco", "majo"]), ["francisco maria jose"]);
    }

    fn record(ids: &[(IdentifierKind, &str)]) -> Record {
        Record {
            key: RecordKey::new("t", "1"),
            identifiers: ids
                .iter()
                .map(|(k, v)| Identifier::new(k.clone(), *v))
                .collect(),
            ..Record::default()
        }
    }

    #[test]
    fn one_phone_in_three_formats_is_one_value() {
        let n = Normalizer::new(&NormalizeConfig::default());
        let es = SourceSettings {
            default_region: Some(Country::ES),
            date_order: None,
            ..SourceSettings::default()
        };
        let r = record(&[
            (IdentifierKind::Phone, "612 34 56 78"),
            (IdentifierKind::Phone, "+34 612-345-678"),
            (IdentifierKind::Phone, "0034612345678"),
        ]);
        let p = n.record(&r, &es);
        assert_eq!(p.identifiers.len(), 1);
        assert_eq!(p.identifiers[0].value, "+34612345678");
        assert!(p.rejections.is_empty());
    }

    #[test]
    fn junk_and_placeholders_are_rejected_with_reasons() {
        let n = Normalizer::new(&NormalizeConfig::default());
        let r = record(&[
            (IdentifierKind::Phone, "anonymous"),
            (IdentifierKind::Email, "noemail@gmail.com"),
            (
                IdentifierKind::DeviceId,
                "00000000-0000-0000-0000-000000000000",
            ),
            (IdentifierKind::CrmId("crm".into()), "123456789"),
        ]);
        let p = n.record(
            &r,
            &SourceSettings {
                default_region: Some(Country::ES),
                date_order: None,
                ..SourceSettings::default()
            },
        );
        assert!(p.identifiers.is_empty(), "{:?}", p.identifiers);
        let reasons: Vec<RejectReason> = p.rejections.iter().map(|r| r.rejection.reason).collect();
        assert_eq!(reasons.len(), 4);
        assert_eq!(reasons[0], RejectReason::Withheld);
        assert_eq!(reasons[1], RejectReason::Placeholder);
        assert_eq!(reasons[3], RejectReason::Sequence);
    }

    #[test]
    fn invalid_national_id_is_kept_as_an_attribute() {
        let n = Normalizer::new(&NormalizeConfig::default());
        let r = record(&[(IdentifierKind::NationalId(Country::ES), "12345678-A")]);
        let p = n.record(&r, &SourceSettings::default());
        assert!(p.identifiers.is_empty());
        assert_eq!(p.rejections[0].rejection.reason, RejectReason::CheckDigit);
        let mut out = Vec::new();
        p.field_values(
            &Field::Identifier(IdentifierKind::NationalId(Country::ES)),
            &mut out,
        );
        assert_eq!(out, ["12345678A"]);
    }

    #[test]
    fn names_dates_and_address_are_folded() {
        let n = Normalizer::new(&NormalizeConfig::default());
        let r = Record {
            attributes: Attributes {
                full_name: Some("María José García López".into()),
                birth_date: Some("03/04/1985".into()),
                gender: Some("Mujer".into()),
                ..Attributes::default()
            },
            ..Record::default()
        };
        let p = n.record(&r, &SourceSettings::default());
        let mut out = Vec::new();
        p.field_values(&Field::GivenName, &mut out);
        p.field_values(&Field::FamilyName, &mut out);
        p.field_values(&Field::BirthDate, &mut out);
        p.field_values(&Field::Gender, &mut out);
        assert_eq!(out, ["maria jose", "garcia lopez", "1985-04-03", "f"]);
        assert_eq!(p.name_key().as_deref(), Some("maria garcia"));
    }
}
