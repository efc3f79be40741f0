//! Comparisons: for a pair of records, which level of agreement each field reaches.
//!
//! A comparison reads one field and has ordered levels; the first level that
//! holds is the pair's level. Two levels are implicit: *null* (index 0, one
//! side has no value: no evidence either way) and *else* (the last index,
//! nothing holds). With several values on a side (two phones), the best level
//! over all value pairs counts.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::features::{Column, Columns, Field, NO_VALUE, SEVERAL_VALUES};
use super::kernels;

/// One level of agreement, tested in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Level {
    /// The values are equal. With `tf`, the weight is adjusted by how common
    /// the value is: a shared "garcia" counts less than a shared "zubizarreta".
    Exact {
        /// Apply term-frequency adjustments.
        #[serde(default)]
        tf: bool,
    },
    /// Another field is equal (for example `given_name_formal`, where
    /// hypocorisms are mapped to the formal name: pepe = jose).
    ExactOn {
        /// The field compared for equality.
        field: Field,
    },
    /// This field equals the other record's `with` field and the other way round
    /// (given and family names swapped).
    Swapped {
        /// The field swapped with this one.
        with: Field,
    },
    /// Jaro-Winkler similarity at least `min`.
    JaroWinkler {
        /// Threshold in `[0, 1]`.
        min: f64,
    },
    /// Jaro similarity at least `min`.
    Jaro {
        /// Threshold in `[0, 1]`.
        min: f64,
    },
    /// Levenshtein distance at most `max`.
    Levenshtein {
        /// Edits allowed.
        max: u32,
    },
    /// Damerau-Levenshtein (optimal string alignment) distance at most `max`:
    /// a transposition of adjacent characters counts as one edit.
    Damerau {
        /// Edits allowed.
        max: u32,
    },
    /// Jaccard similarity of the space-separated token sets at least `min`.
    TokenJaccard {
        /// Threshold in `[0, 1]`.
        min: f64,
    },
    /// Every token of one value is a token of the other (a compound surname cut
    /// to its first part: `garcia` and `garcia lopez`).
    TokenSubset,
    /// Two ISO dates at most `days` apart.
    DateWithin {
        /// Days allowed.
        days: u32,
    },
    /// Two ISO dates of the same year with day and month swapped
    /// (`1987-04-10` and `1987-10-04`): one of them was read in the other
    /// order (an American `04/10/1987` read day first).
    DayMonthSwapped,
    /// Two numbers at most `max` apart.
    NumberWithin {
        /// Absolute difference allowed.
        max: f64,
    },
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Level::Exact { tf: true } => write!(f, "exact (tf)"),
            Level::Exact { tf: false } => write!(f, "exact"),
            Level::ExactOn { field } => write!(f, "same {field}"),
            Level::Swapped { with } => write!(f, "swapped with {with}"),
            Level::JaroWinkler { min } => write!(f, "jaro-winkler >= {min}"),
            Level::Jaro { min } => write!(f, "jaro >= {min}"),
            Level::Levenshtein { max } => write!(f, "levenshtein <= {max}"),
            Level::Damerau { max } => write!(f, "damerau <= {max}"),
            Level::TokenJaccard { min } => write!(f, "token jaccard >= {min}"),
            Level::TokenSubset => write!(f, "token subset"),
            Level::DateWithin { days } => write!(f, "within {days} days"),
            Level::DayMonthSwapped => write!(f, "day and month swapped"),
            Level::NumberWithin { max } => write!(f, "within {max}"),
        }
    }
}

/// A comparison: a field and its levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// A name for reports (defaults to the field's name).
    #[serde(default)]
    pub name: Option<String>,
    /// The field compared.
    pub field: Field,
    /// The levels, strongest first (at most 14).
    pub levels: Vec<Level>,
    /// The smallest term frequency a term-frequency adjustment uses: a value
    /// seen in 2 records of a million would otherwise count as a one in
    /// 500,000 coincidence, which overrules every other field when two
    /// correlated fields (a city and its postcode) are both rare. None: no
    /// floor but one record.
    #[serde(default)]
    pub tf_min_u: Option<f64>,
    /// Fields this comparison's agreement partly follows from (an email
    /// made of the person's names: namesakes share `anagarcia@gmail.com`
    /// far more often than two random people do). When every comparison on
    /// these fields agrees exactly, the levels' u is the one measured among
    /// non-matching pairs that agree on them, so the email adds only what
    /// the names did not already say. Must be the fields of a blocking rule
    /// (whose EM session measures it).
    #[serde(default)]
    pub conditional_on: Vec<Field>,
}

impl Comparison {
    /// The name used in reports and in the model.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.field.to_string())
    }

    /// Number of levels including null and else.
    pub fn level_count(&self) -> usize {
        self.levels.len() + 2
    }

    /// A label for level index `i` (0 is null, the last is else).
    pub fn level_label(&self, i: usize) -> String {
        if i == 0 {
            "null".into()
        } else if i == self.levels.len() + 1 {
            "else".into()
        } else {
            self.levels[i - 1].to_string()
        }
    }

    /// The fields this comparison reads.
    pub fn fields(&self) -> Vec<Field> {
        let mut v = vec![self.field.clone()];
        for l in &self.levels {
            match l {
                Level::ExactOn { field } | Level::Swapped { with: field } => v.push(field.clone()),
                _ => {}
            }
        }
        v
    }
}

/// Most levels a comparison may have besides null and else: a level index fits in 4 bits.
pub const MAX_LEVELS: usize = 14;

/// Most comparisons in a model: a comparison vector packs into a `u64`.
pub const MAX_COMPARISONS: usize = 16;

/// A comparison bound to the prepared columns.
pub(crate) struct Compiled<'a> {
    col: &'a Column,
    /// The index of `col` in its [`Columns`].
    index: usize,
    levels: Vec<CompiledLevel<'a>>,
    /// Some level reads the bytes of the two values (not only their ids).
    reads_bytes: bool,
}

enum CompiledLevel<'a> {
    Exact,
    /// Another column and its index in the [`Columns`].
    ExactOn(&'a Column, usize),
    Swapped {
        this: &'a Column,
        other: &'a Column,
    },
    JaroWinkler(f64),
    Jaro(f64),
    Levenshtein(u32),
    Damerau(u32),
    TokenJaccard(f64),
    TokenSubset,
    DateWithin(u32),
    DayMonthSwapped,
    NumberWithin(f64),
}

/// A comparison names a field no column provides, or has too many levels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("comparison `{comparison}`: {message}")]
pub struct CompileError {
    /// The comparison.
    pub comparison: String,
    /// What is wrong.
    pub message: String,
}

impl<'a> Compiled<'a> {
    pub(crate) fn new(c: &Comparison, cols: &'a Columns) -> Result<Self, CompileError> {
        let err = |m: String| CompileError {
            comparison: c.label(),
            message: m,
        };
        if c.levels.len() > MAX_LEVELS {
            return Err(err(format!(
                "has {} levels; at most {MAX_LEVELS}",
                c.levels.len()
            )));
        }
        let index_of = |f: &Field| {
            cols.index_of(f)
                .ok_or_else(|| err(format!("field `{f}` is not prepared")))
        };
        let column = |f: &Field| index_of(f).map(|i| cols.column(i));
        let col = column(&c.field)?;
        let index = cols.index_of(&c.field).unwrap_or(0);
        let mut levels = Vec::with_capacity(c.levels.len());
        for l in &c.levels {
            levels.push(match l {
                Level::Exact { .. } => CompiledLevel::Exact,
                Level::ExactOn { field } => {
                    let i = index_of(field)?;
                    CompiledLevel::ExactOn(cols.column(i), i)
                }
                Level::Swapped { with } => CompiledLevel::Swapped {
                    this: col,
                    other: column(with)?,
                },
                Level::JaroWinkler { min } => CompiledLevel::JaroWinkler(*min),
                Level::Jaro { min } => CompiledLevel::Jaro(*min),
                Level::Levenshtein { max } => CompiledLevel::Levenshtein(*max),
                Level::Damerau { max } => CompiledLevel::Damerau(*max),
                Level::TokenJaccard { min } => CompiledLevel::TokenJaccard(*min),
                Level::TokenSubset => CompiledLevel::TokenSubset,
                Level::DateWithin { days } => CompiledLevel::DateWithin(*days),
                Level::DayMonthSwapped => CompiledLevel::DayMonthSwapped,
                Level::NumberWithin { max } => CompiledLevel::NumberWithin(*max),
            });
        }
        let reads_bytes = levels
            .iter()
            .any(|l| !matches!(l, CompiledLevel::Exact | CompiledLevel::ExactOn(..)));
        Ok(Compiled {
            col,
            index,
            levels,
            reads_bytes,
        })
    }

    /// Reads the value bytes that comparing two records with rows `ra` and
    /// `rb` (from [`Columns::row`]) will read, and returns a byte of them:
    /// called for several pairs before any is compared, so that the loads
    /// of different pairs wait for memory together, not one after another.
    #[inline]
    pub(crate) fn preload(&self, ra: &[u32], rb: &[u32]) -> u8 {
        if !self.reads_bytes {
            return 0;
        }
        let (Some(&x), Some(&y)) = (ra.get(self.index), rb.get(self.index)) else {
            return 0;
        };
        if x == y || x >= SEVERAL_VALUES || y >= SEVERAL_VALUES {
            return 0;
        }
        let first = |v: u32| self.col.values.bytes(v).first().copied().unwrap_or(0);
        first(x) ^ first(y)
    }

    /// The level index for records `a` and `b`, and the matched value id on
    /// an exact level (for term-frequency adjustment).
    #[inline]
    pub(crate) fn level(&self, a: u32, b: u32) -> (u8, Option<u32>) {
        let va = self.col.of(a);
        let vb = self.col.of(b);
        if va.is_empty() || vb.is_empty() {
            return (0, None);
        }
        let else_level = self.levels.len() as u8 + 1;
        let mut best = (else_level, None);
        for &x in va {
            for &y in vb {
                let got = self.value_level(a, b, x, y, None);
                if got.0 < best.0 {
                    best = got;
                    if best.0 == 1 {
                        return best;
                    }
                }
            }
        }
        best
    }

    /// [`level`](Self::level) with the two records' rows from
    /// [`Columns::row`]: no column lookups when both hold one value.
    #[inline]
    pub(crate) fn level_rows(&self, a: u32, b: u32, ra: &[u32], rb: &[u32]) -> (u8, Option<u32>) {
        match (ra.get(self.index), rb.get(self.index)) {
            (Some(&NO_VALUE), _) | (_, Some(&NO_VALUE)) => (0, None),
            (Some(&x), Some(&y)) if x != SEVERAL_VALUES && y != SEVERAL_VALUES => {
                self.value_level(a, b, x, y, Some((ra, rb)))
            }
            _ => self.level(a, b),
        }
    }

    /// The level of values `x` and `y` of records `a` and `b`; `rows` are
    /// the two records' rows when each holds one value of this field.
    #[inline]
    fn value_level(
        &self,
        a: u32,
        b: u32,
        x: u32,
        y: u32,
        rows: Option<(&[u32], &[u32])>,
    ) -> (u8, Option<u32>) {
        let table = &self.col.values;
        // Similarities are computed at most once per value pair, however many levels use them.
        let mut jw: Option<f64> = None;
        let mut lev: Option<u32> = None;
        for (i, level) in self.levels.iter().enumerate() {
            let idx = i as u8 + 1;
            let hit = match level {
                CompiledLevel::Exact => {
                    if x == y {
                        return (idx, Some(x));
                    }
                    false
                }
                CompiledLevel::ExactOn(col, index) => {
                    let single =
                        rows.and_then(|(ra, rb)| Some((*ra.get(*index)?, *rb.get(*index)?)));
                    match single {
                        Some((p, q)) if p < SEVERAL_VALUES && q < SEVERAL_VALUES => p == q,
                        Some((NO_VALUE, _) | (_, NO_VALUE)) => false,
                        _ => {
                            let (p, q) = (col.of(a), col.of(b));
                            p.iter().any(|v| q.contains(v))
                        }
                    }
                }
                CompiledLevel::Swapped { this, other } => {
                    // By text: the two fields intern their values separately.
                    let eq = |p: &Column, r: u32, q: &Column, t: u32| {
                        p.of(r).iter().any(|&v| {
                            q.of(t)
                                .iter()
                                .any(|&w| p.values.bytes(v) == q.values.bytes(w))
                        })
                    };
                    eq(this, a, other, b) && eq(other, a, this, b)
                }
                CompiledLevel::JaroWinkler(min) => {
                    let s = *jw.get_or_insert_with(|| {
                        kernels::jaro_winkler(table.bytes(x), table.bytes(y))
                    });
                    s >= *min
                }
                CompiledLevel::Jaro(min) => kernels::jaro(table.bytes(x), table.bytes(y)) >= *min,
                CompiledLevel::Levenshtein(max) => {
                    let d = *lev.get_or_insert_with(|| {
                        kernels::levenshtein(table.bytes(x), table.bytes(y))
                    });
                    d <= *max
                }
                CompiledLevel::Damerau(max) => {
                    kernels::damerau_osa(table.bytes(x), table.bytes(y)) <= *max
                }
                CompiledLevel::TokenJaccard(min) => {
                    token_jaccard(table.bytes(x), table.bytes(y)) >= *min
                }
                CompiledLevel::TokenSubset => token_subset(table.bytes(x), table.bytes(y)),
                CompiledLevel::DateWithin(days) => {
                    match (iso_day(table.bytes(x)), iso_day(table.bytes(y))) {
                        (Some(p), Some(q)) => p.abs_diff(q) <= i64::from(*days) as u64,
                        _ => false,
                    }
                }
                CompiledLevel::DayMonthSwapped => day_month_swapped(table.bytes(x), table.bytes(y)),
                CompiledLevel::NumberWithin(max) => {
                    match (number(table.bytes(x)), number(table.bytes(y))) {
                        (Some(p), Some(q)) => (p - q).abs() <= *max,
                        _ => false,
                    }
                }
            };
            if hit {
                return (idx, None);
            }
        }
        (self.levels.len() as u8 + 1, None)
    }
}

fn tokens(v: &[u8]) -> impl Iterator<Item = &[u8]> {
    v.split(|b| *b == b' ').filter(|t| !t.is_empty())
}

/// Jaccard similarity of two space-separated token sets, without allocating.
fn token_jaccard(a: &[u8], b: &[u8]) -> f64 {
    let distinct = |v: &[u8]| {
        tokens(v)
            .enumerate()
            .filter(|(i, t)| !tokens(v).take(*i).any(|u| u == *t))
            .count()
    };
    let (na, nb) = (distinct(a), distinct(b));
    if na + nb == 0 {
        return 0.0;
    }
    let common = tokens(a)
        .enumerate()
        .filter(|(i, t)| !tokens(a).take(*i).any(|u| u == *t) && tokens(b).any(|u| u == *t))
        .count();
    common as f64 / (na + nb - common) as f64
}

/// Every token of the shorter value is a token of the longer.
fn token_subset(a: &[u8], b: &[u8]) -> bool {
    let (na, nb) = (tokens(a).count(), tokens(b).count());
    let (small, large) = if na <= nb { (a, b) } else { (b, a) };
    tokens(small).next().is_some() && tokens(small).all(|t| tokens(large).any(|u| u == t))
}

/// Days since 0000-03-01 of an ISO `YYYY-MM-DD` date (a proleptic civil-day count).
/// Same year, `x`'s month is `y`'s day and the other way round, and the
/// dates differ.
fn day_month_swapped(x: &[u8], y: &[u8]) -> bool {
    let iso = |v: &[u8]| v.len() == 10 && v[4] == b'-' && v[7] == b'-';
    iso(x) && iso(y) && x[..4] == y[..4] && x[5..7] == y[8..10] && x[8..10] == y[5..7] && x != y
}

fn iso_day(v: &[u8]) -> Option<i64> {
    if v.len() < 10 || v[4] != b'-' || v[7] != b'-' {
        return None;
    }
    let num = |s: &[u8]| -> Option<i64> {
        s.iter().try_fold(0i64, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(&v[..4])?, num(&v[5..7])?, num(&v[8..10])?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe)
}

fn number(v: &[u8]) -> Option<f64> {
    std::str::from_utf8(v).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison(field: Field, levels: Vec<Level>) -> Comparison {
        Comparison {
            tf_min_u: None,
            conditional_on: Vec::new(),
            name: None,
            field,
            levels,
        }
    }

    /// Reading the rows gives the levels reading the columns gives, for
    /// every pair of the `n` records.
    #[track_caller]
    fn assert_rows_agree(k: &Compiled<'_>, c: &Columns, n: usize) {
        for a in 0..n as u32 {
            for b in 0..n as u32 {
                assert_eq!(
                    k.level_rows(a, b, c.row(a), c.row(b)),
                    k.level(a, b),
                    "{a} {b}"
                );
            }
        }
    }

    fn cols(rows: &[[&str; 2]]) -> Columns {
        let fields = [Field::GivenName, Field::FamilyName];
        Columns::build(rows.len(), &fields, |r, f, out| {
            let i = fields.iter().position(|x| x == f).unwrap();
            out.push(rows[r][i].into());
        })
    }

    #[test]
    fn first_level_that_holds_wins() {
        let c = cols(&[
            ["maria", "garcia lopez"],
            ["mario", ""],
            ["marta", "garcia"],
            ["maria", "perez"],
        ]);
        let cmp = comparison(
            Field::GivenName,
            vec![
                Level::Exact { tf: true },
                Level::JaroWinkler { min: 0.9 },
                Level::Levenshtein { max: 2 },
            ],
        );
        let k = Compiled::new(&cmp, &c).unwrap();
        assert_eq!(k.level(0, 3).0, 1);
        assert_eq!(k.level(0, 2).0, 2);
        let fam = comparison(
            Field::FamilyName,
            vec![Level::Exact { tf: false }, Level::TokenSubset],
        );
        let f = Compiled::new(&fam, &c).unwrap();
        assert_eq!(f.level(0, 2).0, 2, "compound surname cut to its first part");
        assert_eq!(f.level(0, 1).0, 0, "missing value is null");
        assert_eq!(f.level(0, 3).0, 3, "else");
    }

    #[test]
    fn swapped_names_level() {
        let c = cols(&[["ana", "garcia"], ["garcia", "ana"], ["ana", "ana"]]);
        let cmp = comparison(
            Field::GivenName,
            vec![
                Level::Exact { tf: false },
                Level::Swapped {
                    with: Field::FamilyName,
                },
            ],
        );
        let k = Compiled::new(&cmp, &c).unwrap();
        assert_eq!(k.level(0, 1).0, 2);
        assert_eq!(k.level(0, 2).0, 1);
        assert_eq!(k.level(1, 2).0, 3);
    }

    #[test]
    fn dates_and_tokens() {
        assert_eq!(
            iso_day(b"2000-03-01").unwrap() - iso_day(b"2000-02-28").unwrap(),
            2
        );
        assert_eq!(
            iso_day(b"2001-03-01").unwrap() - iso_day(b"2001-02-28").unwrap(),
            1
        );
        assert_eq!(iso_day(b"1985-13-01"), None);
        assert!((token_jaccard(b"a b c", b"b c d") - 0.5).abs() < 1e-12);
        assert!(token_subset(b"garcia", b"garcia lopez"));
        assert!(!token_subset(b"garcia", b"lopez"));
    }

    #[test]
    fn day_and_month_swapped() {
        assert!(day_month_swapped(b"1987-04-10", b"1987-10-04"));
        assert!(
            !day_month_swapped(b"1987-04-10", b"1988-10-04"),
            "another year"
        );
        assert!(!day_month_swapped(b"1987-04-04", b"1987-04-04"), "equal");
        assert!(!day_month_swapped(b"1987-04-10", b"1987-04-11"));
        assert!(!day_month_swapped(b"1987-04", b"1987-04"), "not a date");
    }

    #[test]
    fn row_reads_agree_with_column_reads() {
        let data: [&[&str]; 6] = [
            &["maria"],
            &["maria", "mari"],
            &[],
            &["marta"],
            &["mario", "maria"],
            &["jose"],
        ];
        let c = Columns::build(data.len(), &[Field::GivenName], |r, _, out| {
            out.extend(data[r].iter().map(|s| (*s).into()))
        });
        let cmp = comparison(
            Field::GivenName,
            vec![Level::Exact { tf: true }, Level::JaroWinkler { min: 0.85 }],
        );
        let k = Compiled::new(&cmp, &c).unwrap();
        assert_rows_agree(&k, &c, data.len());
        assert_eq!(c.row(1), &[SEVERAL_VALUES]);
        assert_eq!(c.row(2), &[NO_VALUE]);
    }

    #[test]
    fn a_level_on_another_field_reads_rows_and_columns_alike() {
        // Given names and their formal forms, some records with several or none.
        let given: [&[&str]; 6] = [
            &["pepe"],
            &["jose"],
            &["pepa"],
            &["paco"],
            &["jose"],
            &["x"],
        ];
        let formal: [&[&str]; 6] = [
            &["jose"],
            &["jose"],
            &["josefa"],
            &["francisco"],
            &["jose", "josefa"],
            &[],
        ];
        let fields = [Field::GivenName, Field::GivenNameFormal];
        let c = Columns::build(given.len(), &fields, |r, f, out| {
            let v = if *f == Field::GivenName {
                given[r]
            } else {
                formal[r]
            };
            out.extend(v.iter().map(|s| (*s).into()))
        });
        let cmp = comparison(
            Field::GivenName,
            vec![
                Level::Exact { tf: false },
                Level::ExactOn {
                    field: Field::GivenNameFormal,
                },
            ],
        );
        let k = Compiled::new(&cmp, &c).unwrap();
        assert_rows_agree(&k, &c, given.len());
        let level = |a, b| k.level_rows(a, b, c.row(a), c.row(b)).0;
        assert_eq!(level(0, 1), 2, "pepe and jose: the same formal name");
        assert_eq!(level(0, 3), 3, "pepe and paco");
        assert_eq!(level(2, 4), 2, "one of several formal names");
        assert_eq!(level(0, 5), 3, "no formal name");
    }
}
