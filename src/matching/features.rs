//! Columns of interned values, one per field used by blocking or comparisons.
//!
//! Every distinct value of a field is stored once (bytes in one arena) and
//! records point at it by a `u32`. Exact comparisons and blocking keys then
//! touch integers only, and term frequencies are the values' record counts.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use hashbrown::HashTable;
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Serialize};
use std::hash::BuildHasher;

use crate::record::IdentifierKind;

/// A field of a prepared record that matching can block or compare on.
///
/// Text forms: `given_name`, `given_name_formal` (hypocorisms mapped to the
/// formal name), `family_name`, `family_name_first` (first family token),
/// `full_name`, `birth_date` (ISO `YYYY-MM-DD`), `gender`, `street`,
/// `street_number`, `locality` (address line 2), `city`, `postcode`, `region`,
/// `country`, `email` (matching key), `phone` (E.164), `id:<kind>` (any
/// identifier kind, such as `id:national_id:ES`) and `attr:<name>` (a custom
/// attribute).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Field {
    /// Given names, folded, space-joined.
    GivenName,
    /// Given names with hypocorisms mapped to the formal name.
    GivenNameFormal,
    /// Family names, folded, particles dropped, space-joined.
    FamilyName,
    /// The first family name token.
    FamilyNameFirst,
    /// Given and family names.
    FullName,
    /// Birth date, ISO.
    BirthDate,
    /// Gender, folded.
    Gender,
    /// Street name, folded.
    Street,
    /// House number.
    StreetNumber,
    /// A second address line: building, locality.
    Locality,
    /// City, folded.
    City,
    /// Postal code.
    Postcode,
    /// Region or state, folded.
    Region,
    /// Country, folded.
    Country,
    /// Email matching keys.
    Email,
    /// Phones in E.164.
    Phone,
    /// Normalized identifiers of one kind.
    Identifier(IdentifierKind),
    /// A custom attribute, folded.
    Attribute(String),
}

const SIMPLE: &[(&str, Field)] = &[
    ("given_name", Field::GivenName),
    ("given_name_formal", Field::GivenNameFormal),
    ("family_name", Field::FamilyName),
    ("family_name_first", Field::FamilyNameFirst),
    ("full_name", Field::FullName),
    ("birth_date", Field::BirthDate),
    ("gender", Field::Gender),
    ("street", Field::Street),
    ("street_number", Field::StreetNumber),
    ("locality", Field::Locality),
    ("city", Field::City),
    ("postcode", Field::Postcode),
    ("region", Field::Region),
    ("country", Field::Country),
    ("email", Field::Email),
    ("phone", Field::Phone),
];

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Identifier(kind) => write!(f, "id:{kind}"),
            Field::Attribute(name) => write!(f, "attr:{name}"),
            other => {
                let name = SIMPLE
                    .iter()
                    .find(|(_, fld)| fld == other)
                    .map_or("?", |(n, _)| n);
                f.write_str(name)
            }
        }
    }
}

/// A field name that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown field `{input}`{hint}")]
pub struct ParseFieldError {
    input: String,
    hint: String,
}

impl FromStr for Field {
    type Err = ParseFieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Some(kind) = t.strip_prefix("id:") {
            return kind
                .parse()
                .map(Field::Identifier)
                .map_err(|e| ParseFieldError {
                    input: s.to_string(),
                    hint: format!(": {e}"),
                });
        }
        if let Some(name) = t.strip_prefix("attr:")
            && !name.is_empty()
        {
            return Ok(Field::Attribute(name.to_string()));
        }
        if let Some((_, f)) = SIMPLE.iter().find(|(n, _)| *n == t) {
            return Ok(f.clone());
        }
        let names: Vec<&str> = SIMPLE.iter().map(|(n, _)| *n).collect();
        let hint = crate::suggest::closest(t, &names)
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_else(|| "; fields are given_name, family_name, birth_date, email, phone, city, postcode, ..., id:<kind> or attr:<name>".to_string());
        Err(ParseFieldError {
            input: s.to_string(),
            hint,
        })
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The distinct values of one field: bytes in one arena, and how many records hold each.
#[derive(Debug, Clone, Default)]
pub struct ValueTable {
    arena: Vec<u8>,
    ends: Vec<u32>,
    counts: Vec<u32>,
}

impl ValueTable {
    /// The bytes of value `id`.
    #[inline]
    pub fn bytes(&self, id: u32) -> &[u8] {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.arena[start..self.ends[i] as usize]
    }

    /// The value as text.
    pub fn text(&self, id: u32) -> &str {
        std::str::from_utf8(self.bytes(id)).unwrap_or("")
    }

    /// How many records hold value `id`.
    #[inline]
    pub fn count(&self, id: u32) -> u32 {
        self.counts[id as usize]
    }

    /// Number of distinct values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when no record has a value.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// One field's values for every record: record `r` holds `ids[starts[r]..starts[r+1]]`.
#[derive(Debug, Clone, Default)]
pub struct Column {
    starts: Vec<u32>,
    ids: Vec<u32>,
    /// The distinct values.
    pub values: ValueTable,
    /// Number of records with at least one value.
    pub non_null: u32,
}

impl Column {
    /// The value ids of record `r` (empty when it has none).
    #[inline]
    pub fn of(&self, r: u32) -> &[u32] {
        let r = r as usize;
        &self.ids[self.starts[r] as usize..self.starts[r + 1] as usize]
    }

    /// The first value id of record `r`, if any.
    #[inline]
    pub fn first(&self, r: u32) -> Option<u32> {
        self.of(r).first().copied()
    }

    fn build<'a>(n: usize, mut fill: impl FnMut(usize, &mut Vec<Cow<'a, str>>)) -> Column {
        // Value ids by their bytes in the arena: a lookup allocates nothing.
        // Sized by the values seen, not the records: most fields have far
        // fewer distinct values than records, and a table sized for every
        // record would spread their lookups over memory no cache holds.
        let mut index: HashTable<u32> = HashTable::with_capacity(n.min(1 << 12));
        let hash = |b: &[u8]| FxBuildHasher.hash_one(b);
        let mut col = Column {
            starts: Vec::with_capacity(n + 1),
            ..Column::default()
        };
        col.starts.push(0);
        let mut buf = Vec::new();
        for r in 0..n {
            buf.clear();
            fill(r, &mut buf);
            let first = col.ids.len();
            for v in buf.iter().filter(|v| !v.is_empty()) {
                let bytes = v.as_bytes();
                let h = hash(bytes);
                let values = &mut col.values;
                let id = match index.find(h, |&id| values.bytes(id) == bytes) {
                    Some(&id) => id,
                    None => {
                        let id = values.ends.len() as u32;
                        values.arena.extend_from_slice(bytes);
                        values.ends.push(values.arena.len() as u32);
                        values.counts.push(0);
                        let values = &col.values;
                        index.insert_unique(h, id, |&id| hash(values.bytes(id)));
                        id
                    }
                };
                // A record holding a value twice counts once.
                if !col.ids[first..].contains(&id) {
                    col.ids.push(id);
                    col.values.counts[id as usize] += 1;
                }
            }
            if col.ids.len() > first {
                col.non_null += 1;
            }
            col.starts.push(col.ids.len() as u32);
        }
        col
    }

    /// This column with its records in the order `order` (record `r` of the
    /// result is record `order[r]` of `self`) and its values numbered again
    /// by first appearance in that order, as if built in it.
    fn reordered(&self, order: &[usize]) -> Column {
        const UNSEEN: u32 = u32::MAX;
        let mut renumber = vec![UNSEEN; self.values.len()];
        let mut col = Column {
            starts: Vec::with_capacity(order.len() + 1),
            ids: Vec::with_capacity(self.ids.len()),
            values: ValueTable {
                arena: Vec::with_capacity(self.values.arena.len()),
                ends: Vec::with_capacity(self.values.len()),
                counts: Vec::with_capacity(self.values.len()),
            },
            non_null: self.non_null,
        };
        col.starts.push(0);
        for &i in order {
            for &id in self.of(i as u32) {
                let slot = &mut renumber[id as usize];
                if *slot == UNSEEN {
                    *slot = col.values.ends.len() as u32;
                    let values = &mut col.values;
                    values.arena.extend_from_slice(self.values.bytes(id));
                    values.ends.push(values.arena.len() as u32);
                    values.counts.push(self.values.count(id));
                }
                col.ids.push(*slot);
            }
            col.starts.push(col.ids.len() as u32);
        }
        col
    }
}

/// In [`Columns::row`]: the record has no value for the field.
pub const NO_VALUE: u32 = u32::MAX;
/// In [`Columns::row`]: the record has several values ([`Column::of`] lists them).
pub const SEVERAL_VALUES: u32 = u32::MAX - 1;

/// The prepared columns for a set of records.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    fields: Vec<Field>,
    columns: Vec<Column>,
    len: usize,
    /// Row-major copy of the single value ids: `rows[r * fields + c]`.
    /// Scoring a pair then reads two cache lines, not two per column.
    rows: Vec<u32>,
}

impl Columns {
    /// Builds one column per field, in parallel across fields.
    ///
    /// `fill(record, field, out)` pushes the values record `record` has for
    /// `field` (none, one, or several), borrowed where they already exist
    /// as text (`Cow::Borrowed`). Empty strings are ignored.
    pub fn build<'a, F>(len: usize, fields: &[Field], fill: F) -> Columns
    where
        F: Fn(usize, &Field, &mut Vec<Cow<'a, str>>) + Sync,
    {
        let columns: Vec<Column> = fields
            .par_iter()
            .map(|field| Column::build(len, |r, out| fill(r, field, out)))
            .collect();
        Self::from_columns(len, fields, columns)
    }

    /// Like [`Columns::build`], for records that are read in one order and
    /// matched in another: row `r` is record `order[r]`, and `fill` gets
    /// record indices. The records are read once, in index order (memory
    /// order, where the values lie together), and the result is the same as
    /// `Columns::build(order.len(), fields, |r, f, out| fill(order[r], f, out))`.
    ///
    /// # Panics
    ///
    /// When `order` is not a permutation of `0..order.len()`.
    pub fn build_in_order<'a, F>(order: &[usize], fields: &[Field], fill: F) -> Columns
    where
        F: Fn(usize, &Field, &mut Vec<Cow<'a, str>>) + Sync,
    {
        let len = order.len();
        let columns: Vec<Column> = fields
            .par_iter()
            .map(|field| Column::build(len, |i, out| fill(i, field, out)).reordered(order))
            .collect();
        Self::from_columns(len, fields, columns)
    }

    fn from_columns(len: usize, fields: &[Field], columns: Vec<Column>) -> Columns {
        let width = columns.len().max(1);
        let mut rows = vec![NO_VALUE; len * columns.len()];
        rows.par_chunks_mut(width).enumerate().for_each(|(r, row)| {
            for (slot, col) in row.iter_mut().zip(&columns) {
                *slot = match col.of(r as u32) {
                    [] => NO_VALUE,
                    [one] => *one,
                    _ => SEVERAL_VALUES,
                };
            }
        });
        Columns {
            fields: fields.to_vec(),
            columns,
            len,
            rows,
        }
    }

    /// Record `r`'s value id in every column, in column order: the id when it
    /// has one value, [`NO_VALUE`] or [`SEVERAL_VALUES`] otherwise.
    #[inline]
    pub fn row(&self, r: u32) -> &[u32] {
        let w = self.columns.len();
        let start = r as usize * w;
        self.rows.get(start..start + w).unwrap_or_default()
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The fields, in column order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The index of `field`'s column.
    pub fn index_of(&self, field: &Field) -> Option<usize> {
        self.fields.iter().position(|f| f == field)
    }

    /// The column at `index`.
    pub fn column(&self, index: usize) -> &Column {
        &self.columns[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_and_suggest() {
        for t in [
            "given_name",
            "birth_date",
            "id:national_id:ES",
            "attr:plan",
            "phone",
        ] {
            assert_eq!(t.parse::<Field>().unwrap().to_string(), t);
        }
        let e = "birth_dat".parse::<Field>().unwrap_err().to_string();
        assert!(e.contains("did you mean `birth_date`"), "{e}");
    }

    #[test]
    fn columns_built_in_memory_order_equal_columns_built_in_row_order() {
        let data = [
            vec!["ana", "eva"],
            vec![],
            vec!["luis", "ana"],
            vec!["eva"],
            vec!["ana", "ana"],
            vec!["zoe"],
        ];
        let fields = [Field::GivenName, Field::City];
        let fill = |i: usize, f: &Field, out: &mut Vec<Cow<'static, str>>| {
            let values = data[i].iter().map(|s| Cow::Borrowed(*s));
            match f {
                Field::GivenName => out.extend(values),
                _ => out.extend(values.rev().skip(1)),
            }
        };
        for order in [
            vec![0, 1, 2, 3, 4, 5],
            vec![4, 2, 5, 0, 3, 1],
            vec![5, 4, 3, 2, 1, 0],
        ] {
            let direct = Columns::build(order.len(), &fields, |r, f, out| fill(order[r], f, out));
            let reordered = Columns::build_in_order(&order, &fields, fill);
            assert_eq!(direct.rows, reordered.rows, "{order:?}");
            for c in 0..fields.len() {
                let (d, r) = (direct.column(c), reordered.column(c));
                assert_eq!(
                    (&d.starts, &d.ids, d.non_null),
                    (&r.starts, &r.ids, r.non_null)
                );
                assert_eq!(
                    (&d.values.arena, &d.values.ends, &d.values.counts),
                    (&r.values.arena, &r.values.ends, &r.values.counts)
                );
            }
        }
    }

    #[test]
    fn columns_intern_values_and_count_records() {
        let data = [vec!["ana"], vec!["luis", "ana"], vec![], vec!["ana", "ana"]];
        let cols = Columns::build(4, &[Field::GivenName], |r, _, out| {
            out.extend(data[r].iter().map(|s| Cow::Borrowed(*s)))
        });
        let c = cols.column(0);
        assert_eq!(c.values.len(), 2);
        let ana = c.first(0).unwrap();
        assert_eq!(c.values.text(ana), "ana");
        assert_eq!(c.values.count(ana), 3);
        assert_eq!(c.of(2), &[] as &[u32]);
        assert_eq!(c.of(3), &[ana]);
        assert_eq!(c.non_null, 3);
    }
}
