//! Who the customers are: households, names, documents, phones, mailboxes,
//! accounts, and the identifiers they deliberately share.

use std::collections::VecDeque;

use crate::EntityId;
use crate::Noise;
use crate::contact::{self, Device, Email, Network, Social, Taken};
use crate::country::{City, Country};
use crate::names::{NameTables, hypocorisms};
use crate::national_id::{Holder, NationalId};
use crate::phone::Phone;
use crate::rng::{Rng, Weighted};
use crate::time::{DAY, Date, WINDOW_END, WINDOW_START, days_from_civil};

/// A phone number held by a customer for a period.
#[derive(Debug, Clone)]
pub(crate) struct Holding {
    pub(crate) phone: Phone,
    pub(crate) from: i64,
    pub(crate) until: i64,
    /// A work phone or second SIM rather than the main line.
    pub(crate) secondary: bool,
}

/// Who else uses a mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Share {
    /// The customer's own.
    Own,
    /// The household's (`familiagarcia@...`).
    Family,
    /// The customer's employer's (`info@talleresgarcia.es`).
    Corporate,
}

#[derive(Debug, Clone)]
pub(crate) struct Mail {
    pub(crate) email: Email,
    pub(crate) share: Share,
}

#[derive(Debug, Clone)]
pub(crate) struct App {
    pub(crate) user_id: String,
    /// Devices, and whether each reports the all-zero (junk) id.
    pub(crate) devices: Vec<(Device, bool)>,
}

/// One real person: the entity of the ground truth.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub(crate) entity: EntityId,
    pub(crate) country: Country,
    pub(crate) city: City,
    pub(crate) postcode: String,
    pub(crate) given: &'static str,
    pub(crate) family1: &'static str,
    pub(crate) family2: Option<&'static str>,
    pub(crate) birth: Date,
    pub(crate) nid: NationalId,
    /// When the person became a customer (or first contacted, for prospects).
    pub(crate) since: i64,
    /// End of activity: a cancellation or the end of the period.
    pub(crate) end: i64,
    pub(crate) cancels: bool,
    /// 0 occasional, 1 regular, 2 big spender.
    pub(crate) tier: u8,
    /// CRM account ids; empty for a prospect who never got an account.
    pub(crate) crm_ids: Vec<String>,
    pub(crate) mobiles: Vec<Holding>,
    /// Landline and whether the household shares it.
    pub(crate) landline: Option<(Phone, bool)>,
    pub(crate) mails: Vec<Mail>,
    pub(crate) loyalty: Option<String>,
    pub(crate) app: Option<App>,
    pub(crate) socials: Vec<Social>,
    pub(crate) whatsapp: bool,
}

impl Customer {
    pub(crate) fn in_crm(&self) -> bool {
        !self.crm_ids.is_empty()
    }

    /// Start of the simulated activity.
    pub(crate) fn active_from(&self) -> i64 {
        self.since.max(WINDOW_START)
    }

    /// Mobile holdings valid at `t`, main line first.
    pub(crate) fn mobiles_at(&self, t: i64) -> impl Iterator<Item = (usize, &Holding)> {
        self.mobiles
            .iter()
            .enumerate()
            .filter(move |(_, h)| h.from <= t && t < h.until)
    }

    /// The main mobile valid at `t` (the first holding if none is).
    pub(crate) fn main_mobile_at(&self, t: i64) -> usize {
        self.mobiles_at(t)
            .find(|(_, h)| !h.secondary)
            .map(|(i, _)| i)
            .unwrap_or(0)
    }

    pub(crate) fn age_at_window(&self) -> i32 {
        2024 - self.birth.y
    }
}

/// Builds customers block by block, carrying across blocks what must
/// outlive one block: taken identifiers, released phone numbers, the open
/// company group and recent names for namesakes.
#[derive(Debug)]
pub(crate) struct Population {
    names: NameTables,
    countries: Weighted,
    cities: [Weighted; 4],
    taken: Taken,
    next_entity: u64,
    next_crm: u64,
    /// Numbers released by a customer, reassigned after a quarantine.
    released: [VecDeque<(Phone, i64)>; 4],
    /// An employer's shared mailbox that more customers may use.
    company: Option<(Country, Email, u32)>,
    recent_names: VecDeque<(
        Country,
        bool,
        &'static str,
        &'static str,
        Option<&'static str>,
    )>,
}

fn slot(c: Country) -> usize {
    match c {
        Country::Es => 0,
        Country::Mx => 1,
        Country::Ar => 2,
        Country::Co => 3,
    }
}

impl Population {
    pub(crate) fn new() -> Self {
        Population {
            names: NameTables::new(),
            countries: Weighted::new([40, 30, 15, 15]),
            cities: Country::ALL.map(|c| Weighted::zipf(c.cities().len(), 1)),
            taken: Taken::default(),
            next_entity: 0,
            next_crm: 0,
            released: Default::default(),
            company: None,
            recent_names: VecDeque::new(),
        }
    }

    /// Appends up to `max` customers of one household.
    pub(crate) fn household(
        &mut self,
        noise: &Noise,
        rng: &mut Rng,
        out: &mut Vec<Customer>,
        max: usize,
    ) {
        let country = Country::ALL
            .get(self.countries.sample(rng))
            .copied()
            .unwrap_or(Country::Es);
        let cities = country.cities();
        let city = cities
            .get(self.cities[slot(country)].sample(rng))
            .or(cities.first())
            .copied()
            .unwrap_or_else(|| Country::Es.cities()[0]);
        let mut postcode = String::new();
        city.push_postcode(country, rng, &mut postcode);
        let size = if rng.chance(noise.household) {
            2 + Weighted::new([50, 30, 20]).sample(rng)
        } else {
            1
        }
        .min(max);
        let shared_landline = if size > 1 && rng.chance(0.85) {
            Some(self.new_phone(rng, |r| Phone::landline(country, &city, r)))
        } else {
            None
        };

        // Head of household, possibly a namesake of a recent customer.
        let head_female = rng.chance(0.5);
        let head_age = rng.range(if size > 2 { 40 } else { 20 }, 82) as i32;
        let (head_female, head_given, head_f1, head_f2) = match self.namesake(country, noise, rng) {
            Some(n) => n,
            None => (
                head_female,
                self.names.given(country, head_female, rng),
                self.names.surname(country, rng),
                self.second_surname(country, rng),
            ),
        };
        let family_mail = if size > 1 && rng.chance(noise.family_email) {
            Some(Email::family(country, head_f1, &mut self.taken, rng))
        } else {
            None
        };
        let head_birth = birth_date(2024 - head_age, rng);
        let mut members = vec![(head_female, head_given, head_f1, head_f2, head_birth)];
        let partner_female = !head_female;
        let partner_f1 = self.names.surname(country, rng);
        let partner_f2 = self.second_surname(country, rng);
        if size >= 2 {
            let age = (head_age + rng.range(-6, 7) as i32).max(19);
            let g = self.names.given(country, partner_female, rng);
            let (f1, f2) = if country.two_surnames() {
                (partner_f1, partner_f2)
            } else if rng.chance(0.5) {
                (head_f1, None)
            } else {
                (partner_f1, None)
            };
            members.push((partner_female, g, f1, f2, birth_date(2024 - age, rng)));
        }
        for _ in 2..size {
            let female = rng.chance(0.5);
            let age = (head_age - rng.range(22, 38) as i32).max(18);
            let mut g = self.names.given(country, female, rng);
            // Siblings with the same given name would be indistinguishable.
            if members.iter().any(|m| m.1 == g) {
                g = self.names.given(country, female, rng);
            }
            let (f1, f2) = if country.two_surnames() {
                if head_female {
                    (partner_f1, Some(head_f1))
                } else {
                    (head_f1, Some(partner_f1))
                }
            } else {
                (head_f1, None)
            };
            members.push((female, g, f1, f2, birth_date(2024 - age, rng)));
        }
        for (i, (female, given, f1, f2, birth)) in members.into_iter().enumerate() {
            let c = self.customer(
                noise,
                rng,
                Member {
                    country,
                    city,
                    postcode: postcode.clone(),
                    female,
                    given,
                    family1: f1,
                    family2: f2,
                    birth,
                    shared_landline,
                    family_mail: family_mail.clone(),
                    may_take_released: i == 0,
                },
            );
            out.push(c);
        }
    }

    fn second_surname(&self, country: Country, rng: &mut Rng) -> Option<&'static str> {
        country
            .two_surnames()
            .then(|| self.names.surname(country, rng))
    }

    fn namesake(
        &mut self,
        country: Country,
        noise: &Noise,
        rng: &mut Rng,
    ) -> Option<(bool, &'static str, &'static str, Option<&'static str>)> {
        if rng.chance(noise.namesake) {
            let same: Vec<_> = self
                .recent_names
                .iter()
                .filter(|n| n.0 == country)
                .collect();
            (!same.is_empty()).then(|| {
                let n = same[rng.index(same.len())];
                (n.1, n.2, n.3, n.4)
            })
        } else {
            None
        }
    }

    fn new_phone(&mut self, rng: &mut Rng, make: impl Fn(&mut Rng) -> Phone) -> Phone {
        loop {
            let p = make(rng);
            if self.taken.take(p.key()) {
                return p;
            }
        }
    }

    fn customer(&mut self, noise: &Noise, rng: &mut Rng, m: Member) -> Customer {
        let Member {
            country,
            city,
            postcode,
            female,
            given,
            family1,
            family2,
            birth,
            shared_landline,
            family_mail,
            may_take_released,
        } = m;
        self.recent_names
            .push_back((country, female, given, family1, family2));
        if self.recent_names.len() > 64 {
            self.recent_names.pop_front();
        }
        self.next_entity += 1;
        let entity = EntityId(self.next_entity);
        let age = 2024 - birth.y;
        let nid = NationalId::new(
            country,
            &Holder {
                given,
                family1,
                family2,
                birth,
                female,
                state: city.state,
            },
            rng,
        );

        // A released number goes to a new customer of the same country.
        let quarantine_over = |(_, at): &(Phone, i64)| *at < WINDOW_END - 120 * DAY;
        let recycled = if may_take_released
            && self.released[slot(country)]
                .front()
                .is_some_and(quarantine_over)
            && rng.chance(0.5)
        {
            self.released[slot(country)].pop_front()
        } else {
            None
        };
        let since = match recycled {
            Some((_, at)) => at + rng.range(0, 30 * DAY),
            None if rng.chance(0.7) => WINDOW_START - rng.range(DAY, 6 * 365 * DAY),
            None => WINDOW_START + rng.range(0, 610 * DAY),
        };
        let active_from = since.max(WINDOW_START);
        let cancels = rng.chance(0.12) && WINDOW_END - active_from > 120 * DAY;
        let end = if cancels {
            rng.range(active_from + 90 * DAY, WINDOW_END)
        } else {
            WINDOW_END
        };
        let tier = match rng.below(100) {
            0..=29 => 0,
            30..=91 => 1,
            _ => 2,
        };
        let in_crm = !rng.chance(noise.not_in_crm);
        let mut crm_ids = Vec::new();
        if in_crm {
            let extra = if rng.chance(noise.crm_duplicate) {
                if rng.chance(0.1) { 2 } else { 1 }
            } else {
                0
            };
            for _ in 0..=extra {
                crm_ids.push(self.crm_id());
            }
        }

        let primary = match recycled {
            Some((p, _)) => p,
            None => self.new_phone(rng, |r| Phone::mobile(country, &city, r)),
        };
        let mut mobiles = vec![Holding {
            phone: primary,
            from: i64::MIN,
            until: i64::MAX,
            secondary: false,
        }];
        if rng.chance(noise.recycled_phone) && end - active_from > 240 * DAY {
            let released_at = rng.range(active_from + 60 * DAY, end - 120 * DAY);
            mobiles[0].until = released_at;
            let available = released_at + rng.range(30 * DAY, 120 * DAY);
            self.released[slot(country)].push_back((primary, available));
            let next = self.new_phone(rng, |r| Phone::mobile(country, &city, r));
            mobiles.push(Holding {
                phone: next,
                from: released_at,
                until: i64::MAX,
                secondary: false,
            });
        }
        if rng.chance(noise.second_phone) {
            let p = self.new_phone(rng, |r| Phone::mobile(country, &city, r));
            mobiles.push(Holding {
                phone: p,
                from: i64::MIN,
                until: i64::MAX,
                secondary: true,
            });
        }
        let landline = match shared_landline {
            Some(p) => Some((p, true)),
            None if rng.chance(if age > 55 { 0.25 } else { 0.06 }) => Some((
                self.new_phone(rng, |r| Phone::landline(country, &city, r)),
                false,
            )),
            None => None,
        };

        let mut mails = Vec::new();
        let short = hypocorisms(given).first().copied();
        if rng.chance(if age > 65 { 0.7 } else { 0.93 }) {
            let family = family1;
            let e = Email::personal(country, given, family, short, birth.y, &mut self.taken, rng);
            mails.push(Mail {
                email: e,
                share: Share::Own,
            });
            if rng.chance(noise.second_email) {
                let e =
                    Email::personal(country, given, family, short, birth.y, &mut self.taken, rng);
                mails.push(Mail {
                    email: e,
                    share: Share::Own,
                });
            }
        }
        if let Some(e) = family_mail {
            mails.push(Mail {
                email: e,
                share: Share::Family,
            });
        }
        if rng.chance(noise.corporate_email) {
            let e = self.company_mail(country, family1, rng);
            mails.push(Mail {
                email: e,
                share: Share::Corporate,
            });
        }

        let loyalty = (in_crm && rng.chance(0.55)).then(|| {
            loop {
                let card = contact::loyalty_card(rng);
                if self.taken.take(contact::fnv(&card)) {
                    break card;
                }
            }
        });
        let app = (in_crm && rng.chance(if age < 50 { 0.5 } else { 0.2 })).then(|| {
            let user_id = contact::app_user_id(&mut self.taken, rng);
            let n = if rng.chance(0.25) { 2 } else { 1 };
            let ios_share = if country == Country::Es { 0.35 } else { 0.2 };
            let devices = (0..n)
                .map(|_| {
                    let d = Device::new(rng.chance(ios_share), rng);
                    let junk = rng.chance(noise.junk_device);
                    (d, junk)
                })
                .collect();
            App { user_id, devices }
        });
        let mut socials = Vec::new();
        // Social care agents tie a handle to an account through its email.
        if !mails.is_empty() && rng.chance(if age < 45 { 0.4 } else { 0.15 }) {
            let n = if rng.chance(0.25) { 2 } else { 1 };
            let first = rng.index(Network::ALL.len());
            for k in 0..n {
                let net = Network::ALL
                    .get((first + k) % Network::ALL.len())
                    .copied()
                    .unwrap_or(Network::Instagram);
                socials.push(Social::new(net, given, family1, &mut self.taken, rng));
            }
        }
        let whatsapp = rng.chance(if country == Country::Es { 0.55 } else { 0.8 });

        Customer {
            entity,
            country,
            city,
            postcode,
            given,
            family1,
            family2,
            birth,
            nid,
            since,
            end,
            cancels,
            tier,
            crm_ids,
            mobiles,
            landline,
            mails,
            loyalty,
            app,
            socials,
            whatsapp,
        }
    }

    /// A CRM account id: eight digits that look random but never repeat
    /// (a multiplicative bijection of a counter modulo 9 * 10^7).
    fn crm_id(&mut self) -> String {
        const SPACE: u64 = 90_000_000;
        self.next_crm += 1;
        let n = 10_000_000 + (self.next_crm % SPACE) * 7_919_123 % SPACE;
        n.to_string()
    }

    fn company_mail(&mut self, country: Country, family: &str, rng: &mut Rng) -> Email {
        if let Some((c, e, left)) = &mut self.company
            && *c == country
            && *left > 0
        {
            *left -= 1;
            return e.clone();
        }
        let e = Email::corporate(country, family, &mut self.taken, rng);
        self.company = Some((country, e.clone(), rng.range(1, 5) as u32));
        e
    }
}

/// What a household gives each of its members.
struct Member {
    country: Country,
    city: City,
    postcode: String,
    female: bool,
    given: &'static str,
    family1: &'static str,
    family2: Option<&'static str>,
    birth: Date,
    shared_landline: Option<Phone>,
    family_mail: Option<Email>,
    may_take_released: bool,
}

fn birth_date(year: i32, rng: &mut Rng) -> Date {
    let start = days_from_civil(year, 1, 1);
    Date::from_days(start + rng.range(0, 365))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crm_ids_do_not_repeat() {
        let mut p = Population::new();
        let ids: std::collections::HashSet<String> = (0..200_000).map(|_| p.crm_id()).collect();
        assert_eq!(ids.len(), 200_000);
        assert!(ids.iter().all(|i| i.len() == 8));
    }

    #[test]
    fn households_share_a_landline_and_a_city() {
        let noise = Noise {
            household: 1.0,
            ..Noise::default()
        };
        let mut p = Population::new();
        let mut rng = Rng::new(12);
        let mut out = Vec::new();
        p.household(&noise, &mut rng, &mut out, 10);
        assert!(out.len() >= 2);
        let first = &out[0];
        for m in &out[1..] {
            assert_eq!(m.postcode, first.postcode);
            assert_ne!(m.entity, first.entity);
        }
    }
}
