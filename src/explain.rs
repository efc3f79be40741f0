//! Why two records share a profile, or why they do not.
//!
//! [`IdentityGraph::explain`] answers with the chain of links that joins two
//! records (shared identifiers, or probabilistic matches), or with every
//! reason that keeps them apart: different values of an exclusive kind, links
//! refused by a rule, shared values flagged generic, shared values outside a
//! validity window, shared attributes that do not link, or nothing shared.

use std::fmt;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::cluster::{Evidence, KindId, ProfileId, RecordId, Refusal, ValueId};
use crate::graph::{GenericReason, GraphError, IdentityGraph};
use crate::record::{IdentifierKind, RecordKey};

/// How many refused links an explanation lists.
const MAX_REFUSED_LISTED: usize = 10;

/// The answer to "why are these two records (not) one customer?".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The first record.
    pub a: RecordKey,
    /// The second record.
    pub b: RecordKey,
    /// Together or apart, and why.
    pub verdict: Verdict,
}

/// Together or apart, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Both keys name one record.
    SameRecord {
        /// Its profile.
        profile: ProfileId,
    },
    /// One profile, joined by this chain of links from `a` to `b`.
    Linked {
        /// The shared profile.
        profile: ProfileId,
        /// Each link of the chain, in order from `a` to `b`.
        path: Vec<LinkStep>,
    },
    /// Two profiles.
    Apart {
        /// The profile of `a`.
        profile_a: ProfileId,
        /// The profile of `b`.
        profile_b: ProfileId,
        /// Every reason found, the strongest first.
        reasons: Vec<ApartReason>,
    },
}

/// One link of a chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkStep {
    /// The record the step starts from.
    pub from: RecordKey,
    /// The record it reaches.
    pub to: RecordKey,
    /// What links them.
    pub via: Via,
}

/// What a link rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Via {
    /// Both records hold this identifier.
    Identifier {
        /// Its kind.
        kind: IdentifierKind,
        /// Its normalized value.
        value: String,
    },
    /// The probabilistic matcher scored the pair.
    Probabilistic {
        /// The match weight.
        weight: f64,
    },
}

/// A rule that refused a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum RefusedBecause {
    /// The two profiles hold different values of an exclusive kind.
    CannotLink {
        /// The exclusive kind.
        kind: IdentifierKind,
        /// The value on the `from` side.
        left: String,
        /// The value on the `to` side.
        right: String,
    },
    /// The merged profile would hold too many values of a kind.
    MaxPerProfile {
        /// The limited kind.
        kind: IdentifierKind,
        /// The limit.
        max: u32,
        /// How many distinct values the merge would have made.
        would_have: u32,
    },
}

/// One reason why two records are in different profiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ApartReason {
    /// The profiles hold different values of an exclusive kind: no path can
    /// ever join them.
    CannotLink {
        /// The exclusive kind.
        kind: IdentifierKind,
        /// The value in `a`'s profile.
        a_value: String,
        /// The value in `b`'s profile.
        b_value: String,
    },
    /// A link between the two profiles was refused by a rule.
    Refused {
        /// The refused link.
        link: LinkStep,
        /// The rule that refused it.
        rule: RefusedBecause,
    },
    /// More refused links than are listed.
    MoreRefused {
        /// How many more.
        count: usize,
    },
    /// Both profiles hold a value that is flagged generic, so it does not link.
    Generic {
        /// The value's kind.
        kind: IdentifierKind,
        /// The value.
        value: String,
        /// How many records hold it (in the tenure concerned).
        records: u32,
        /// How many distinct name keys they carry.
        names: u32,
        /// Why it is generic.
        why: GenericReason,
    },
    /// Both profiles hold a value of a kind with a validity window, but their
    /// records hold it in different tenures (or have no observed time).
    OutsideValidityWindow {
        /// The value's kind.
        kind: IdentifierKind,
        /// The value.
        value: String,
        /// The kind's window, in days.
        window_days: u32,
    },
    /// Both profiles hold a value of a kind that does not link.
    AttributeOnly {
        /// The value's kind.
        kind: IdentifierKind,
        /// The value.
        value: String,
    },
    /// The two profiles share no identifier and no link was proposed.
    NothingShared,
}

impl IdentityGraph {
    /// Explains why records `a` and `b` are in one profile (the chain of
    /// links between them), or why they are not (every reason found).
    ///
    /// Cost: a scan over the links and records of the graph, so meant for
    /// one question at a time, not for loops over all pairs.
    ///
    /// ```
    /// use omnid::graph::{GraphBuilder, IdentityRules};
    /// use omnid::explain::{ApartReason, Verdict};
    /// use omnid::{IdentifierKind, RecordKey};
    ///
    /// let crm: IdentifierKind = "crm_id:salesforce".parse()?;
    /// let email = IdentifierKind::Email;
    /// let mut b = GraphBuilder::new(IdentityRules::default())?;
    /// let ana = b.add(&RecordKey::new("crm", "1"), None, None,
    ///     [(&crm, "001"), (&email, "familia.ruiz@example.com")])?;
    /// let luis = b.add(&RecordKey::new("crm", "2"), None, None,
    ///     [(&crm, "002"), (&email, "familia.ruiz@example.com")])?;
    /// let graph = b.stitch()?;
    /// let why = graph.explain(ana, luis)?;
    /// let Verdict::Apart { reasons, .. } = &why.verdict else { panic!("{why}") };
    /// assert!(matches!(reasons[0], ApartReason::CannotLink { .. }));
    /// assert!(why.to_string().contains("crm_id:salesforce"));
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(&self, a: RecordId, b: RecordId) -> Result<Explanation, GraphError> {
        let records = self.len();
        let unknown = |r: RecordId| GraphError::UnknownRecord {
            record: r.0,
            records,
        };
        let key_a = self.key(a).ok_or_else(|| unknown(a))?;
        let key_b = self.key(b).ok_or_else(|| unknown(b))?;
        let ia = self.canonical(a).ok_or_else(|| unknown(a))?;
        let ib = self.canonical(b).ok_or_else(|| unknown(b))?;
        let (_, comps) = self.internals();
        let (ca, cb) = match (comps.cluster_of(ia), comps.cluster_of(ib)) {
            (Some(x), Some(y)) => (x, y),
            _ => return Err(unknown(a)),
        };
        let verdict = if a == b {
            Verdict::SameRecord {
                profile: self.profile_at(ca),
            }
        } else if ca == cb {
            Verdict::Linked {
                profile: self.profile_at(ca),
                path: self.path(ca, ia, ib),
            }
        } else {
            Verdict::Apart {
                profile_a: self.profile_at(ca),
                profile_b: self.profile_at(cb),
                reasons: self.apart_reasons(ia, ib, ca, cb),
            }
        };
        Ok(Explanation {
            a: key_a,
            b: key_b,
            verdict,
        })
    }

    /// The chain of accepted links from `a` to `b` (canonical ids) inside
    /// cluster `c`: the accepted links form a spanning forest, so the chain is
    /// unique.
    fn path(&self, c: u32, a: RecordId, b: RecordId) -> Vec<LinkStep> {
        let (clustering, comps) = self.internals();
        let mut adjacent: FxHashMap<RecordId, Vec<(RecordId, usize)>> = FxHashMap::default();
        let accepted = clustering.accepted();
        for (i, e) in accepted.iter().enumerate() {
            if comps.cluster_of(e.a) == Some(c) {
                adjacent.entry(e.a).or_default().push((e.b, i));
                adjacent.entry(e.b).or_default().push((e.a, i));
            }
        }
        let mut came_from: FxHashMap<RecordId, (RecordId, usize)> = FxHashMap::default();
        let mut queue = std::collections::VecDeque::from([a]);
        let mut seen = FxHashSet::from_iter([a]);
        while let Some(r) = queue.pop_front() {
            if r == b {
                break;
            }
            for &(next, edge) in adjacent.get(&r).map_or(&[][..], Vec::as_slice) {
                if seen.insert(next) {
                    came_from.insert(next, (r, edge));
                    queue.push_back(next);
                }
            }
        }
        let mut steps = Vec::new();
        let mut at = b;
        while let Some(&(prev, edge)) = came_from.get(&at) {
            if let Some(e) = accepted.get(edge) {
                steps.push(self.step(prev, at, &e.evidence));
            }
            at = prev;
        }
        steps.reverse();
        steps
    }

    /// A link between canonical ids `from` and `to`, for people.
    fn step(&self, from: RecordId, to: RecordId, evidence: &Evidence) -> LinkStep {
        LinkStep {
            from: self.key_at(from),
            to: self.key_at(to),
            via: self.via(evidence),
        }
    }

    fn via(&self, evidence: &Evidence) -> Via {
        match *evidence {
            Evidence::SharedIdentifier { value, .. } => {
                let (kind, value) = self.value_parts(value);
                Via::Identifier { kind, value }
            }
            Evidence::Probabilistic { weight } => Via::Probabilistic { weight },
        }
    }

    fn value_parts(&self, v: ValueId) -> (IdentifierKind, String) {
        match self.value(v) {
            Some((k, t)) => (k.clone(), t.to_string()),
            None => (IdentifierKind::Custom("?".into()), String::new()),
        }
    }

    fn kind_or_unknown(&self, k: KindId) -> IdentifierKind {
        self.kind(k)
            .cloned()
            .unwrap_or_else(|| IdentifierKind::Custom("?".into()))
    }

    fn apart_reasons(&self, a: RecordId, b: RecordId, ca: u32, cb: u32) -> Vec<ApartReason> {
        let mut reasons = self.cannot_link_reasons(a, b);
        reasons.extend(self.refused_reasons(ca, cb));
        reasons.extend(self.shared_value_reasons(ca, cb));
        if reasons.is_empty() {
            reasons.push(ApartReason::NothingShared);
        }
        reasons
    }

    fn cannot_link_reasons(&self, a: RecordId, b: RecordId) -> Vec<ApartReason> {
        let (clustering, _) = self.internals();
        let index = clustering.constraints();
        let va = clustering.cluster_values(a);
        let vb = clustering.cluster_values(b);
        let exclusive = |v: &ValueId| {
            index
                .kind_of(*v)
                .and_then(|k| index.policy(k).map(|p| (k, p.exclusive)))
        };
        let mut reasons = Vec::new();
        let mut done: Vec<KindId> = Vec::new();
        for x in &va {
            let Some((kind, true)) = exclusive(x) else {
                continue;
            };
            if done.contains(&kind) || vb.contains(x) {
                continue;
            }
            let other = vb
                .iter()
                .find(|y| index.kind_of(**y) == Some(kind) && !va.contains(y));
            if let Some(&y) = other {
                done.push(kind);
                reasons.push(ApartReason::CannotLink {
                    kind: self.kind_or_unknown(kind),
                    a_value: self.value_parts(*x).1,
                    b_value: self.value_parts(y).1,
                });
            }
        }
        reasons
    }

    fn refused_reasons(&self, ca: u32, cb: u32) -> Vec<ApartReason> {
        let (clustering, comps) = self.internals();
        let mut reasons = Vec::new();
        let mut more = 0;
        for r in clustering.refused() {
            let (x, y) = (comps.cluster_of(r.edge.a), comps.cluster_of(r.edge.b));
            let (from, to, flipped) = match (x, y) {
                (Some(x), Some(y)) if x == ca && y == cb => (r.edge.a, r.edge.b, false),
                (Some(x), Some(y)) if x == cb && y == ca => (r.edge.b, r.edge.a, true),
                _ => continue,
            };
            if reasons.len() == MAX_REFUSED_LISTED {
                more += 1;
                continue;
            }
            let rule = match r.refusal {
                Refusal::CannotLink { kind, left, right } => {
                    let (left, right) = if flipped {
                        (right, left)
                    } else {
                        (left, right)
                    };
                    RefusedBecause::CannotLink {
                        kind: self.kind_or_unknown(kind),
                        left: self.value_parts(left).1,
                        right: self.value_parts(right).1,
                    }
                }
                Refusal::MaxPerProfile {
                    kind,
                    max,
                    would_have,
                } => RefusedBecause::MaxPerProfile {
                    kind: self.kind_or_unknown(kind),
                    max,
                    would_have,
                },
            };
            reasons.push(ApartReason::Refused {
                link: self.step(from, to, &r.edge.evidence),
                rule,
            });
        }
        if more > 0 {
            reasons.push(ApartReason::MoreRefused { count: more });
        }
        reasons
    }

    /// Values both clusters hold, and why each did not join them.
    fn shared_value_reasons(&self, ca: u32, cb: u32) -> Vec<ApartReason> {
        let (clustering, comps) = self.internals();
        let index = clustering.constraints();
        let values_of = |c: u32| {
            let mut vs: Vec<ValueId> = comps
                .members(c)
                .iter()
                .flat_map(|&r| index.record_values(r))
                .collect();
            vs.sort_unstable();
            vs.dedup();
            vs
        };
        let vb = values_of(cb);
        let shared: Vec<ValueId> = values_of(ca)
            .into_iter()
            .filter(|v| vb.binary_search(v).is_ok())
            .collect();
        if shared.is_empty() {
            return Vec::new();
        }
        let mut holders = self.holders(&shared);
        let mut reasons = Vec::new();
        let mut scratch = Vec::new();
        for v in shared {
            let Some(kind) = index.kind_of(v) else {
                continue;
            };
            let Some(rule) = self.rule(kind).copied() else {
                continue;
            };
            let (kind_name, value) = self.value_parts(v);
            if !rule.linking {
                reasons.push(ApartReason::AttributeOnly {
                    kind: kind_name,
                    value,
                });
                continue;
            }
            let mut members = holders.remove(&v).unwrap_or_default();
            let mut ranges = Vec::new();
            match rule.validity_window_days {
                Some(days) => {
                    self.tenures(&mut members, days, &mut ranges);
                }
                None => ranges.push((0, members.len())),
            }
            let in_cluster = |r: &u32, c: u32| comps.cluster_of(RecordId(*r)) == Some(c);
            let joint = ranges.iter().find(|&&(s, e)| {
                let group = members.get(s..e).unwrap_or(&[]);
                group.iter().any(|r| in_cluster(r, ca)) && group.iter().any(|r| in_cluster(r, cb))
            });
            match (joint, rule.validity_window_days) {
                (None, Some(window_days)) => reasons.push(ApartReason::OutsideValidityWindow {
                    kind: kind_name,
                    value,
                    window_days,
                }),
                (Some(&(s, e)), _) => {
                    let group = members.get(s..e).unwrap_or(&[]);
                    if let Some((why, names)) =
                        self.generic_reason(v, &rule, group, None, &mut scratch)
                    {
                        reasons.push(ApartReason::Generic {
                            kind: kind_name,
                            value,
                            records: group.len() as u32,
                            names,
                            why,
                        });
                    }
                }
                (None, None) => {}
            }
        }
        reasons
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = (&self.a, &self.b);
        match &self.verdict {
            Verdict::SameRecord { profile } => {
                write!(f, "{a} and {b} are the same record, in profile {profile}")
            }
            Verdict::Linked { profile, path } => {
                write!(f, "{a} and {b} are one customer (profile {profile}):")?;
                for step in path {
                    write!(f, "\n  {step}")?;
                }
                Ok(())
            }
            Verdict::Apart {
                profile_a,
                profile_b,
                reasons,
            } => {
                write!(
                    f,
                    "{a} (profile {profile_a}) and {b} (profile {profile_b}) are kept apart:"
                )?;
                for reason in reasons {
                    write!(f, "\n  - {reason}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for LinkStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -[{}]-> {}", self.from, self.via, self.to)
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Via::Identifier { kind, value } => write!(f, "{kind} {value}"),
            Via::Probabilistic { weight } => write!(f, "probabilistic match, weight {weight:.2}"),
        }
    }
}

impl fmt::Display for RefusedBecause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefusedBecause::CannotLink { kind, left, right } => write!(
                f,
                "cannot-link: {kind} is exclusive and the profiles hold {left} and {right}"
            ),
            RefusedBecause::MaxPerProfile {
                kind,
                max,
                would_have,
            } => write!(
                f,
                "max_per_profile: a profile holds at most {max} {kind} values, the merge would make {would_have}"
            ),
        }
    }
}

impl fmt::Display for ApartReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApartReason::CannotLink {
                kind,
                a_value,
                b_value,
            } => write!(
                f,
                "cannot-link: {kind} {a_value} and {kind} {b_value} are different customers, whatever links them"
            ),
            ApartReason::Refused { link, rule } => write!(f, "link refused: {link} ({rule})"),
            ApartReason::MoreRefused { count } => write!(f, "and {count} more refused links"),
            ApartReason::Generic {
                kind,
                value,
                records,
                names,
                why,
            } => write!(
                f,
                "shared {kind} {value} is generic, not used to link ({why}; {records} records, {names} distinct names)"
            ),
            ApartReason::OutsideValidityWindow {
                kind,
                value,
                window_days,
            } => write!(
                f,
                "shared {kind} {value} was held in different periods (more than {window_days} days apart, or undated): a reused value"
            ),
            ApartReason::AttributeOnly { kind, value } => write!(
                f,
                "shared {kind} {value} is an attribute only: this kind does not link"
            ),
            ApartReason::NothingShared => {
                f.write_str("no shared identifier and no match links them")
            }
        }
    }
}
