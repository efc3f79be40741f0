//! How many people the names on one shared value stand for.
//!
//! A value's records carry name keys (folded given names, `|`, folded family
//! names). One person writes their name in several ways: a typo (`preez`),
//! a short form the normalizer did not expand (`agus`, `flor`), the given
//! name alone (`maria`), one of two given names (`dolores` for `maria
//! dolores`), the order swapped (`nunez ezequiel`). Counting distinct keys
//! counts each of those as another person, so a value held by one person
//! under three spellings looks like a family landline. [`group_people`]
//! groups keys that can be one person and counts the groups instead.

use crate::matching::kernels::damerau_osa;

/// A name key split into given and family words. A key with `|` has the
/// given names before it and the family names after; a key without one is
/// read as its first word the given name and the rest family names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NameParts<'a> {
    given: &'a str,
    family: &'a str,
}

impl<'a> NameParts<'a> {
    pub(crate) fn parse(key: &'a str) -> Self {
        let key = key.trim();
        let (given, family) = match key.split_once('|') {
            Some(parts) => parts,
            None => key.split_once(' ').unwrap_or((key, "")),
        };
        NameParts {
            given: given.trim(),
            family: family.trim(),
        }
    }

    fn is_empty(&self) -> bool {
        self.given.is_empty() && self.family.is_empty()
    }

    fn is_full(&self) -> bool {
        !self.given.is_empty() && !self.family.is_empty()
    }

    fn given_words(&self) -> impl Iterator<Item = &'a str> + Clone + 'a {
        words(self.given)
    }

    fn family_words(&self) -> impl Iterator<Item = &'a str> + Clone + 'a {
        words(self.family)
    }

    fn all_words(&self) -> impl Iterator<Item = &'a str> + Clone + 'a {
        self.given_words().chain(self.family_words())
    }
}

fn words(s: &str) -> impl Iterator<Item = &str> + Clone {
    s.split([' ', '|']).filter(|w| !w.is_empty())
}

/// Whether a name key has both a given and a family name.
pub(crate) fn is_full(key: &str) -> bool {
    NameParts::parse(key).is_full()
}

/// Whether two words can be one name as people type it: equal, one a prefix
/// of the other (`flor`, `florencia`), a short form keeping the first three
/// letters (`gabi`, `gabriela`), or one typo apart in words of four letters
/// or more (`preez`, `perez`).
pub(crate) fn similar_words(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() < 3 {
        return false;
    }
    if long.starts_with(short) {
        return true;
    }
    let common = short
        .bytes()
        .zip(long.bytes())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() <= 4 && common >= 3 {
        return true;
    }
    short.len() >= 4 && damerau_osa(a.as_bytes(), b.as_bytes()) <= 1
}

/// Whether every word of `few` is similar to a different word of `many`
/// (a handful of words each, so a greedy match is enough).
fn words_within<'a>(
    few: impl Iterator<Item = &'a str>,
    many: impl Iterator<Item = &'a str> + Clone,
) -> bool {
    let mut used: u64 = 0;
    for w in few {
        let found = many
            .clone()
            .enumerate()
            .find(|&(i, m)| i < 64 && used & (1 << i) == 0 && similar_words(w, m));
        match found {
            Some((i, _)) => used |= 1 << i,
            None => return false,
        }
    }
    true
}

/// Whether the shorter of two word lists lies within the other.
fn subset_either<'a>(
    a: impl Iterator<Item = &'a str> + Clone,
    b: impl Iterator<Item = &'a str> + Clone,
) -> bool {
    if a.clone().count() <= b.clone().count() {
        words_within(a, b)
    } else {
        words_within(b, a)
    }
}

/// Whether two name keys can belong to one person: the words of one lie
/// within the other's in any order (`nunez ezequiel` and `ezequiel nunez`,
/// `maria` and `maria garcia`), or the given names of one lie within the
/// other's and they share a family name (`maria gomez ruiz` and `maria
/// dolores gomez`). A key with no words is no one and matches nobody.
pub(crate) fn same_person(a: &str, b: &str) -> bool {
    let (a, b) = (NameParts::parse(a), NameParts::parse(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if subset_either(a.all_words(), b.all_words()) {
        return true;
    }
    let given =
        a.given.is_empty() || b.given.is_empty() || subset_either(a.given_words(), b.given_words());
    let family = a.family.is_empty()
        || b.family.is_empty()
        || a.family_words()
            .any(|w| b.family_words().any(|x| similar_words(w, x)));
    given && family
}

/// Name keys grouped into the people they can stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct People {
    /// How many people, counted no further than the limit plus one.
    pub(crate) count: u32,
    /// The person (`0..count`) of each name given, in order; [`NOBODY`] for
    /// an empty name or one met after counting stopped.
    pub(crate) of: Vec<u32>,
}

/// The person of a name that stands for no one counted.
pub(crate) const NOBODY: u32 = u32::MAX;

/// Groups distinct name keys (each with how many records carry it) into the
/// people they stand for, stopping once there are more than `stop_after`.
///
/// Names are taken fullest first (given and family name), then most
/// frequent, so that `maria` joins `maria garcia` rather than founding a
/// person of its own; each joins the first person whose founding name it can
/// be (see [`same_person`]), or founds a new person.
pub(crate) fn group_people(names: &[(&str, u32)], stop_after: u32) -> People {
    let mut order: Vec<usize> = (0..names.len()).collect();
    let full = |i: usize| {
        names
            .get(i)
            .is_some_and(|n| NameParts::parse(n.0).is_full())
    };
    order.sort_unstable_by(|&x, &y| {
        let (nx, ny) = (names[x], names[y]);
        full(y)
            .cmp(&full(x))
            .then(ny.1.cmp(&nx.1))
            .then(nx.0.cmp(ny.0))
    });
    let mut founders: Vec<&str> = Vec::new();
    let mut of = vec![NOBODY; names.len()];
    for i in order {
        let Some(&(name, _)) = names.get(i) else {
            continue;
        };
        if NameParts::parse(name).is_empty() {
            continue;
        }
        let person = match founders.iter().position(|p| same_person(p, name)) {
            Some(p) => p,
            None => {
                founders.push(name);
                founders.len() - 1
            }
        };
        of[i] = person as u32;
        if founders.len() as u32 > stop_after {
            break;
        }
    }
    People {
        count: founders.len() as u32,
        of,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spellings_of_one_person_are_one_person() {
        let same = [
            ("agustina herrera", "agus herrera"),
            ("agustina herrera", "agusina herrera"),
            ("adrian perez", "adrian preez"),
            ("adrian perez", "adrian"),
            ("florencia arias", "flor"),
            ("gabriela martinez", "gabi martinez"),
            ("maria vicente", "maria vicenet"),
            ("ezequiel nunez", "nunez ezequiel"),
            ("javier mendoza", "mendoza javier"),
            ("sandra gutierrez", "gutierrez londono sandra milena"),
            ("ezequiel", "nunez ezequiel"),
            ("maria gomez", "maria gomez ruiz"),
            ("carlos diaz", "calos"),
            (" garcia", "ana garcia"),
            ("maria dolores|gomez", "dolores|gomez ruiz"),
            ("maria teresa|garcia", "garcia|teresa"),
            ("sandra milena|gutierrez londono", "sandra|milena"),
            ("|herrera", "agustina|herrera"),
        ];
        for (a, b) in same {
            assert!(same_person(a, b), "{a} / {b}");
            assert!(same_person(b, a), "{b} / {a} (symmetric)");
        }
    }

    #[test]
    fn members_of_a_household_are_different_people() {
        let different = [
            ("ricardo molina", "veronica molina"),
            ("juan herrera", "agustina herrera"),
            ("ivan rodriguez", "nuria rodriguez"),
            ("francisco ramos", "carla ramos"),
            ("carla ramos", "jordi ramos"),
            ("maria garcia", "maria lopez"),
            ("jose martinez", "antonio ibarra"),
            ("ana", "luis"),
            ("carla", "carlos"),
            ("al perez", "alberto perez"),
            ("maria dolores|gomez", "maria isabel|gomez"),
            ("juan|perez", "|"),
            ("", ""),
        ];
        for (a, b) in different {
            assert!(!same_person(a, b), "{a} / {b}");
            assert!(!same_person(b, a), "{b} / {a} (symmetric)");
        }
    }

    #[test]
    fn words_match_as_people_misspell_and_shorten_them() {
        let table = [
            ("flor", "florencia", true),
            ("gabi", "gabriela", true),
            ("mary", "maria", true),
            ("preez", "perez", true),
            ("agusina", "agustina", true),
            ("gomwz", "gomez", true),
            ("ana", "ana", true),
            ("al", "alberto", false),
            ("ana", "eva", false),
            ("suso", "jesus", false),
            ("carla", "carlos", false),
            ("richi", "ricardo", false),
            ("pedro", "pablo", false),
        ];
        for (a, b, expected) in table {
            assert_eq!(similar_words(a, b), expected, "{a} / {b}");
            assert_eq!(similar_words(b, a), expected, "{b} / {a}");
        }
    }

    #[test]
    fn counting_groups_spellings_and_separates_people() {
        let one = [
            ("agustina", 1),
            ("agustina herrera", 3),
            ("agus herrera", 1),
            ("agusina herrera", 1),
        ];
        assert_eq!(
            group_people(&one, 5),
            People {
                count: 1,
                of: vec![0; 4]
            }
        );
        let household = [
            ("juan herrera", 1),
            ("agustina herrera", 2),
            ("agusina herrera", 1),
            ("", 4),
        ];
        assert_eq!(
            group_people(&household, 5),
            People {
                count: 2,
                of: vec![1, 0, 0, NOBODY]
            },
            "the most frequent full name founds the first person"
        );
        let office = [
            ("ana ruiz", 1),
            ("luis gil", 1),
            ("eva sanz", 1),
            ("pedro mora", 1),
        ];
        let people = group_people(&office, 1);
        assert_eq!(people.count, 2, "stops past the limit");
        assert_eq!(people.of, vec![0, NOBODY, 1, NOBODY]);
        let given_only = [("maria", 1), ("maria garcia", 1), ("maria lopez", 1)];
        assert_eq!(
            group_people(&given_only, 5),
            People {
                count: 2,
                of: vec![0, 0, 1]
            },
            "a bare given name joins a fuller one"
        );
        assert_eq!(group_people(&[], 5).count, 0);
    }

    proptest! {
        #[test]
        fn same_person_is_symmetric_and_reflexive(a in "[a-z ]{0,20}", b in "[a-z ]{0,20}") {
            prop_assert_eq!(same_person(&a, &b), same_person(&b, &a));
            prop_assert_eq!(same_person(&a, &a), !a.trim().is_empty());
        }

        #[test]
        fn same_person_never_panics(a in any::<String>(), b in ".*") {
            let _ = same_person(&a, &b);
            let _ = same_person(&b, &a);
        }

        #[test]
        fn grouping_never_panics_and_stays_bounded(
            names in proptest::collection::vec((".*", 0u32..5), 0..12),
            stop in 0u32..4,
        ) {
            let refs: Vec<(&str, u32)> = names.iter().map(|(n, c)| (n.as_str(), *c)).collect();
            let people = group_people(&refs, stop);
            prop_assert!(people.count <= stop + 1);
            prop_assert!(people.count as usize <= names.len());
            prop_assert_eq!(people.of.len(), names.len());
            prop_assert!(people.of.iter().all(|&p| p == NOBODY || p < people.count));
        }
    }
}
