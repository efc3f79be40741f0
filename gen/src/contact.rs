//! Emails, social handles, device ids, cookies, app ids and loyalty cards:
//! how they are made from a person's name and how they get written.

use std::collections::HashSet;
use std::fmt::Write;

use crate::country::Country;
use crate::names::fold;
use crate::rng::Rng;

/// FNV-1a: a fixed, platform-independent hash for the "already taken" sets.
pub(crate) fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Identifier values already given to someone, so that two people never get
/// the same address or handle by chance (sharing is always deliberate).
#[derive(Debug, Default)]
pub(crate) struct Taken(HashSet<u64>);

impl Taken {
    /// Takes `key`; false if it was already taken.
    pub(crate) fn take(&mut self, key: u64) -> bool {
        self.0.insert(key)
    }
}

/// Upper bound of a numeric suffix after `tries` collisions: small numbers
/// first (`maria.garcia7`), wider ranges when those are all taken, so the
/// search always ends.
fn widening(tries: u32) -> i64 {
    10i64.saturating_pow(2 + tries / 2).min(1_000_000_000_000)
}

/// A name part as it goes into an address: folded, without spaces.
fn slug(s: &str) -> String {
    fold(s)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// The first word of a name, slugged.
fn first_slug(s: &str) -> String {
    slug(s.split(' ').find(|w| !w.is_empty()).unwrap_or(s))
}

/// An email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Email {
    pub(crate) local: String,
    pub(crate) domain: String,
}

fn domains(country: Country) -> &'static [&'static str] {
    match country {
        Country::Es => &[
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "hotmail.com",
            "hotmail.es",
            "yahoo.es",
            "outlook.es",
            "icloud.com",
            "telefonica.net",
        ],
        Country::Mx => &[
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "hotmail.com",
            "hotmail.com",
            "outlook.com",
            "yahoo.com.mx",
            "live.com.mx",
            "prodigy.net.mx",
        ],
        Country::Ar => &[
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "hotmail.com",
            "hotmail.com",
            "yahoo.com.ar",
            "outlook.com",
            "fibertel.com.ar",
            "live.com.ar",
        ],
        Country::Co => &[
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "hotmail.com",
            "hotmail.com",
            "outlook.com",
            "yahoo.es",
            "yahoo.com",
            "une.net.co",
        ],
    }
}

impl Email {
    /// The form that decides whether two addresses are the same mailbox:
    /// lower case, and for Gmail without dots in the local part.
    fn canonical(&self) -> String {
        let local = self.local.to_ascii_lowercase();
        if self.domain == "gmail.com" {
            format!("{}@gmail.com", local.replace('.', ""))
        } else {
            format!("{local}@{}", self.domain)
        }
    }

    /// A unique personal address built from the person's name.
    pub(crate) fn personal(
        country: Country,
        given: &str,
        family: &str,
        short: Option<&str>,
        birth_year: i32,
        taken: &mut Taken,
        rng: &mut Rng,
    ) -> Email {
        let g = first_slug(given);
        let f = first_slug(family);
        let gi = g.chars().next().unwrap_or('x');
        let yy = birth_year.rem_euclid(100);
        let local = match rng.below(9) {
            0 | 1 => format!("{g}.{f}"),
            2 => format!("{g}{f}"),
            3 => format!("{gi}{f}"),
            4 => format!("{g}_{f}{yy:02}"),
            5 => format!("{g}{f}{birth_year}"),
            6 => format!("{f}.{g}"),
            7 => match short {
                Some(s) => format!("{}.{f}", slug(s)),
                None => format!("{gi}.{f}"),
            },
            _ => format!("{g}.{f}{yy:02}"),
        };
        let domain = rng.pick(domains(country), "gmail.com").to_string();
        let mut email = Email {
            local: local.clone(),
            domain,
        };
        let mut tries = 0;
        while !taken.take(fnv(&email.canonical())) {
            tries += 1;
            let n = rng.range(1, widening(tries));
            email.local = format!("{local}{n}");
        }
        email
    }

    /// A household address (`familiagarcia@hotmail.com`).
    pub(crate) fn family(
        country: Country,
        family: &str,
        taken: &mut Taken,
        rng: &mut Rng,
    ) -> Email {
        let f = first_slug(family);
        let stem = match rng.below(3) {
            0 => format!("familia{f}"),
            1 => format!("los{f}"),
            _ => format!("casa{f}"),
        };
        let domain = rng.pick(domains(country), "gmail.com").to_string();
        let mut email = Email {
            local: stem.clone(),
            domain,
        };
        let mut tries = 0;
        while !taken.take(fnv(&email.canonical())) {
            tries += 1;
            email.local = format!("{stem}{}", rng.range(1, widening(tries)));
        }
        email
    }

    /// A company's shared mailbox (`info@talleresgarcia.es`).
    pub(crate) fn corporate(
        country: Country,
        family: &str,
        taken: &mut Taken,
        rng: &mut Rng,
    ) -> Email {
        let box_name = rng.pick(
            &[
                "info",
                "info",
                "administracion",
                "contacto",
                "ventas",
                "compras",
            ],
            "info",
        );
        let mut tries = 0;
        loop {
            let mut name = first_slug(family);
            // Common surnames run out of trades: number the company.
            if tries > 3 {
                let _ = write!(name, "{}", rng.range(1, widening(tries)));
            }
            tries += 1;
            let mut domain = String::new();
            crate::country::push_company_domain(country, rng, &name, &mut domain);
            let email = Email {
                local: box_name.to_string(),
                domain,
            };
            if taken.take(fnv(&email.canonical())) {
                return email;
            }
        }
    }

    /// The address as the customer typed it or a mail system recorded it.
    /// `variants` allows the forms that still reach the same mailbox: case
    /// changes, and for Gmail dots moved, a `+tag`, or `googlemail.com`.
    pub(crate) fn push_written(&self, variants: bool, rng: &mut Rng, out: &mut String) {
        if !variants {
            let _ = write!(out, "{}@{}", self.local, self.domain);
            return;
        }
        let gmail = self.domain == "gmail.com";
        let mut local = self.local.clone();
        if gmail && rng.chance(0.15) {
            let plain: String = local.chars().filter(|&c| c != '.').collect();
            local = if plain.len() > 2 && rng.chance(0.6) {
                let cut = 1 + rng.index(plain.len() - 1);
                format!("{}.{}", &plain[..cut], &plain[cut..])
            } else {
                plain
            };
        }
        if gmail && rng.chance(0.08) {
            let tag = rng.pick(
                &["compras", "facturas", "promo", "tienda", "movil"],
                "promo",
            );
            local = format!("{local}+{tag}");
        }
        let domain = if gmail && rng.chance(0.05) {
            "googlemail.com"
        } else {
            self.domain.as_str()
        };
        match rng.below(12) {
            0 => {
                let _ = write!(
                    out,
                    "{}@{}",
                    local.to_ascii_uppercase(),
                    domain.to_ascii_uppercase()
                );
            }
            1 => {
                let mut cap = true;
                for c in local.chars() {
                    out.push(if cap { c.to_ascii_uppercase() } else { c });
                    cap = c == '.' || c == '_';
                }
                let _ = write!(out, "@{}", capitalize(domain));
            }
            2 => {
                let _ = write!(out, "{local}@{}", capitalize(domain));
            }
            _ => {
                let _ = write!(out, "{local}@{domain}");
            }
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Addresses clerks type when the customer gives none.
pub(crate) const PLACEHOLDER_EMAILS: &[&str] = &[
    "test@test.com",
    "noemail@gmail.com",
    "sin@correo.com",
    "notiene@notiene.com",
    "a@a.com",
    "nomail@nomail.com",
    "cliente@cliente.com",
];

/// A social network the company answers on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Network {
    Instagram,
    Facebook,
    X,
    TikTok,
}

impl Network {
    pub(crate) const ALL: [Network; 4] = [
        Network::Instagram,
        Network::Facebook,
        Network::X,
        Network::TikTok,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Network::Instagram => "instagram",
            Network::Facebook => "facebook",
            Network::X => "x",
            Network::TikTok => "tiktok",
        }
    }
}

/// An account on a social network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Social {
    pub(crate) network: Network,
    /// User name, or for Facebook profiles without one the numeric id.
    pub(crate) handle: String,
    pub(crate) numeric: bool,
}

impl Social {
    pub(crate) fn new(
        network: Network,
        given: &str,
        family: &str,
        taken: &mut Taken,
        rng: &mut Rng,
    ) -> Social {
        if network == Network::Facebook && rng.chance(0.35) {
            loop {
                let mut id = String::from("1000");
                rng.digits(&mut id, 11, 0..=9);
                if taken.take(fnv(&id)) {
                    return Social {
                        network,
                        handle: id,
                        numeric: true,
                    };
                }
            }
        }
        let g = first_slug(given);
        let f = first_slug(family);
        let sep = match network {
            Network::Facebook => ".",
            _ => rng.pick(&["_", ".", ""], "_"),
        };
        let base = match rng.below(4) {
            0 => format!("{g}{sep}{f}"),
            1 => format!("{g}{sep}{}", f.get(..3).unwrap_or(&f)),
            2 => format!("{}{f}", g.get(..1).unwrap_or(&g)),
            _ => format!("{f}{sep}{g}"),
        };
        let mut handle = base.clone();
        let mut tries = 0;
        while !taken.take(fnv(&format!("{}:{handle}", network.name()))) {
            tries += 1;
            handle = format!("{base}{}", rng.range(1, widening(tries)));
        }
        Social {
            network,
            handle,
            numeric: false,
        }
    }

    /// The handle, or the profile URL, as an agent pasted it.
    pub(crate) fn push_written(&self, rng: &mut Rng, out: &mut String) {
        let h = &self.handle;
        match self.network {
            Network::Facebook => {
                let base = if rng.chance(0.5) {
                    "https://www.facebook.com/"
                } else {
                    "facebook.com/"
                };
                if self.numeric {
                    let _ = write!(out, "{base}profile.php?id={h}");
                } else if rng.chance(0.3) {
                    out.push_str(h);
                } else {
                    let _ = write!(out, "{base}{h}");
                }
            }
            Network::Instagram => match rng.below(5) {
                0 => {
                    let _ = write!(out, "https://www.instagram.com/{h}/");
                }
                1 => {
                    let _ = write!(out, "instagram.com/{h}");
                }
                2 => out.push_str(h),
                3 => {
                    let _ = write!(out, "@{}", capitalize(h));
                }
                _ => {
                    let _ = write!(out, "@{h}");
                }
            },
            Network::X => match rng.below(4) {
                0 => {
                    let _ = write!(out, "https://x.com/{h}");
                }
                1 => {
                    let _ = write!(out, "https://twitter.com/{h}");
                }
                2 => {
                    let _ = write!(out, "@{}", capitalize(h));
                }
                _ => {
                    let _ = write!(out, "@{h}");
                }
            },
            Network::TikTok => match rng.below(3) {
                0 => {
                    let _ = write!(out, "https://www.tiktok.com/@{h}");
                }
                _ => {
                    let _ = write!(out, "@{h}");
                }
            },
        }
    }
}

/// A mobile advertising id: IDFA (iOS) or GAID (Android).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Device {
    pub(crate) ios: bool,
    hex: [u8; 32],
}

/// The all-zero id an iPhone reports when the user limits ad tracking.
pub(crate) const ZERO_DEVICE: &str = "00000000-0000-0000-0000-000000000000";

impl Device {
    pub(crate) fn new(ios: bool, rng: &mut Rng) -> Device {
        let mut hex = [b'0'; 32];
        for (i, h) in hex.iter_mut().enumerate() {
            let mut v = rng.below(16) as u8;
            // UUID version 4 and RFC 4122 variant nibbles.
            if i == 12 {
                v = 4;
            } else if i == 16 {
                v = 8 | (v & 3);
            }
            *h = b"0123456789abcdef"[usize::from(v)];
        }
        Device { ios, hex }
    }

    /// IDFA in upper case and GAID in lower case, as each platform reports
    /// them; now and then in the other case, in braces or without hyphens.
    pub(crate) fn push_written(&self, rng: &mut Rng, out: &mut String) {
        let upper = self.ios != rng.chance(0.1);
        let braces = rng.chance(0.04);
        let hyphens = !rng.chance(0.04);
        if braces {
            out.push('{');
        }
        for (i, &b) in self.hex.iter().enumerate() {
            if hyphens && matches!(i, 8 | 12 | 16 | 20) {
                out.push('-');
            }
            let c = char::from(b);
            out.push(if upper { c.to_ascii_uppercase() } else { c });
        }
        if braces {
            out.push('}');
        }
    }
}

/// A Google Analytics client id cookie: `GA1.2.<random>.<first visit>`.
pub(crate) fn push_cookie(rng: &mut Rng, first_visit: i64, out: &mut String) {
    out.push_str("GA1.2.");
    rng.digits(out, 10, 1..=9);
    let _ = write!(out, ".{first_visit}");
}

/// A 16-digit loyalty card number with a Luhn check digit.
pub(crate) fn loyalty_card(rng: &mut Rng) -> String {
    let mut s = String::from("6048");
    rng.digits(&mut s, 11, 0..=9);
    let check = luhn_check(&s);
    s.push(char::from(b'0' + check));
    s
}

/// The Luhn digit that completes `digits`.
pub(crate) fn luhn_check(digits: &str) -> u8 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.wrapping_sub(b'0') % 10);
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A card number in groups of four (`6048 1234 5678 9012`).
pub(crate) fn push_card_grouped(card: &str, out: &mut String) {
    for (i, c) in card.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
}

/// The app's user id (`u-3f9a0c12de`).
pub(crate) fn app_user_id(taken: &mut Taken, rng: &mut Rng) -> String {
    loop {
        let mut s = String::from("u-");
        for _ in 0..10 {
            s.push(char::from(b"0123456789abcdef"[rng.index(16)]));
        }
        if taken.take(fnv(&s)) {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_emails_are_unique_even_for_namesakes() {
        let mut taken = Taken::default();
        let mut rng = Rng::new(8);
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            let e = Email::personal(
                Country::Es,
                "María José",
                "García",
                Some("Majo"),
                1980,
                &mut taken,
                &mut rng,
            );
            assert!(seen.insert(e.canonical()), "{e:?}");
            assert!(e.local.is_ascii() && !e.local.contains(' '), "{e:?}");
        }
    }

    #[test]
    fn written_variants_reach_the_same_mailbox() {
        let mut rng = Rng::new(3);
        let e = Email {
            local: "maria.garcia".into(),
            domain: "gmail.com".into(),
        };
        let mut shapes = HashSet::new();
        for _ in 0..500 {
            let mut s = String::new();
            e.push_written(true, &mut rng, &mut s);
            let lower = s.to_ascii_lowercase();
            let (local, domain) = lower.split_once('@').unwrap_or(("", ""));
            assert!(domain == "gmail.com" || domain == "googlemail.com", "{s}");
            let local = local.split('+').next().unwrap_or("").replace('.', "");
            assert_eq!(local, "mariagarcia", "{s}");
            shapes.insert(s);
        }
        assert!(shapes.len() > 10);
        assert!(shapes.iter().any(|s| s.contains('+')));
        assert!(shapes.iter().any(|s| s.contains("googlemail")));
    }

    #[test]
    fn luhn_digits() {
        // 7992739871 is the textbook example: its check digit is 3.
        assert_eq!(luhn_check("7992739871"), 3);
        let mut rng = Rng::new(1);
        let card = loyalty_card(&mut rng);
        assert_eq!(card.len(), 16);
        assert_eq!(luhn_check(&card[..15]), card.as_bytes()[15] - b'0');
        let mut g = String::new();
        push_card_grouped("6048123456789012", &mut g);
        assert_eq!(g, "6048 1234 5678 9012");
    }

    #[test]
    fn devices_are_uuid_v4() {
        let mut rng = Rng::new(6);
        let d = Device::new(true, &mut rng);
        let mut s = String::new();
        d.push_written(&mut rng, &mut s);
        let plain: String = s.chars().filter(char::is_ascii_hexdigit).collect();
        assert_eq!(plain.len(), 32, "{s}");
        assert_eq!(&plain[12..13], "4");
    }

    #[test]
    fn handles_are_written_in_many_forms() {
        let mut taken = Taken::default();
        let mut rng = Rng::new(2);
        let s = Social::new(Network::Instagram, "Ana", "López", &mut taken, &mut rng);
        let mut forms = HashSet::new();
        for _ in 0..100 {
            let mut out = String::new();
            s.push_written(&mut rng, &mut out);
            assert!(out.to_ascii_lowercase().contains(&s.handle), "{out}");
            forms.insert(out);
        }
        assert!(forms.len() >= 4, "{forms:?}");
    }
}
