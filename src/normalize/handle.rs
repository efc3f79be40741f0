//! Normalization of social network handles.
//!
//! A handle arrives bare (`@AnaG`, `ana.garcia`) or as a profile link
//! (`https://www.instagram.com/ana.garcia/?hl=es`, `x.com/AnaG/status/123`,
//! `facebook.com/profile.php?id=1000123`, `tiktok.com/@ana`, `t.me/ana_g`).
//! The result is the user name alone, lower case, without `@`, checked
//! against the network's rules:
//!
//! | network | characters | length | notes |
//! |---|---|---|---|
//! | X (Twitter) | `a-z 0-9 _` | 1–15 | |
//! | Instagram | `a-z 0-9 . _` | 1–30 | no `.` at either end, no `..` |
//! | TikTok | `a-z 0-9 . _` | 2–24 | no `.` at the end |
//! | Telegram | `a-z 0-9 _` | 5–32 | starts with a letter, no `_` at the end |
//! | Facebook | `a-z 0-9 .`, or a numeric profile id | 5–50 without dots; ids 1–20 digits | dots removed |
//!
//! Facebook says periods and capitals "don't count" in a user name
//! (`john.smith.55` and `JohnSmith55` are one user), so its handles are
//! given without dots: `facebook.com/Ana.Garcia` becomes `anagarcia`.
//!
//! [`Network::Other`] handles are only trimmed, stripped of leading `@`,
//! lower-cased (Unicode), and inner runs of white space become one space.
//!
//! Links to pages that are not profiles (`instagram.com/p/…`,
//! `x.com/explore`, `facebook.com/groups/…`, TikTok short links, Telegram
//! invites) and the networks' reserved names are rejected as
//! [`RejectReason::UnsupportedFormat`]; a link to another network as
//! [`RejectReason::Syntax`].

use std::borrow::Cow;

use super::device::{has_alphanumeric, is_missing_marker, strip_invisible, trim_value};
use super::{RejectReason, Rejection};
use crate::record::Network;

/// The longest handle accepted for [`Network::Other`], in bytes.
const MAX_OTHER_LEN: usize = 256;

/// The networks whose rules omnid knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    X,
    Instagram,
    Facebook,
    TikTok,
    Telegram,
}

impl Known {
    fn name(self) -> &'static str {
        match self {
            Known::X => "X",
            Known::Instagram => "Instagram",
            Known::Facebook => "Facebook",
            Known::TikTok => "TikTok",
            Known::Telegram => "Telegram",
        }
    }

    /// Path words and names that are pages of the site, not profiles.
    fn reserved(self) -> &'static [&'static str] {
        match self {
            Known::X => &[
                "home",
                "explore",
                "search",
                "i",
                "intent",
                "share",
                "settings",
                "login",
                "logout",
                "signup",
                "messages",
                "notifications",
                "hashtag",
                "compose",
                "tos",
                "privacy",
                "about",
                "download",
                "account",
                "jobs",
                "lists",
                "communities",
                "premium",
                "help",
            ],
            Known::Instagram => &[
                "p",
                "reel",
                "reels",
                "tv",
                "explore",
                "accounts",
                "direct",
                "about",
                "developer",
                "legal",
                "web",
                "challenge",
                "emails",
                "stories",
                "login",
                "oauth",
                "ar",
                "topics",
                "locations",
                "session",
                "privacy",
                "help",
                "press",
                "api",
            ],
            Known::Facebook => &[
                "home",
                "login",
                "share",
                "sharer",
                "groups",
                "pages",
                "pg",
                "events",
                "watch",
                "marketplace",
                "photo",
                "photos",
                "messages",
                "help",
                "policies",
                "privacy",
                "settings",
                "gaming",
                "hashtag",
                "search",
                "friends",
                "notifications",
                "reel",
                "reels",
                "posts",
                "dialog",
                "plugins",
                "business",
                "ads",
                "bookmarks",
                "saved",
                "stories",
                "video",
                "videos",
                "media",
                "me",
                "profile",
                "people",
                "permalink",
                "story",
                "fundraisers",
                "memories",
                "careers",
                "legal",
                "terms",
                "about",
            ],
            Known::TikTok => &[
                "discover",
                "explore",
                "foryou",
                "following",
                "live",
                "login",
                "upload",
                "search",
                "tag",
                "music",
                "video",
                "t",
            ],
            Known::Telegram => &[
                "joinchat",
                "addstickers",
                "addemoji",
                "share",
                "proxy",
                "socks",
                "login",
                "addtheme",
                "setlanguage",
                "invoice",
                "boost",
                "contact",
                "addlist",
                "confirmphone",
                "iv",
                "c",
                "s",
                "m",
                "bg",
            ],
        }
    }
}

/// Hosts of each network's profile links; subdomains (`www.`, `m.`,
/// `es-la.`, `mobile.`) count too.
const HOSTS: &[(&str, Known)] = &[
    ("twitter.com", Known::X),
    ("x.com", Known::X),
    ("instagram.com", Known::Instagram),
    ("instagr.am", Known::Instagram),
    ("facebook.com", Known::Facebook),
    ("fb.com", Known::Facebook),
    ("fb.me", Known::Facebook),
    ("m.me", Known::Facebook),
    ("tiktok.com", Known::TikTok),
    ("t.me", Known::Telegram),
    ("telegram.me", Known::Telegram),
    ("telegram.dog", Known::Telegram),
];

/// Normalizes a handle on a social network.
///
/// ```
/// use omnid::Network;
/// use omnid::normalize::handle::normalize_handle;
///
/// assert_eq!(normalize_handle("@AnaG", &Network::X)?, "anag");
/// let ig = "https://www.instagram.com/ana.garcia/?hl=es";
/// assert_eq!(normalize_handle(ig, &Network::Instagram)?, "ana.garcia");
/// let fb = "facebook.com/profile.php?id=1000123";
/// assert_eq!(normalize_handle(fb, &Network::Facebook)?, "1000123");
/// assert!(normalize_handle("instagram.com/explore", &Network::Instagram).is_err());
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_handle(raw: &str, network: &Network) -> Result<String, Rejection> {
    let cleaned = strip_invisible(raw);
    let s = trim_value(&cleaned);
    if is_missing_marker(s) {
        return Err(RejectReason::Placeholder.into());
    }
    if !has_alphanumeric(s) {
        return Err(RejectReason::Empty.into());
    }
    let known = match network {
        Network::X => Known::X,
        Network::Instagram => Known::Instagram,
        Network::Facebook => Known::Facebook,
        Network::TikTok => Known::TikTok,
        Network::Telegram => Known::Telegram,
        Network::Other(_) => return normalize_other(s),
    };
    let name = match split_url(s) {
        Some(url) => from_url(&url, known)?,
        None => Cow::Borrowed(s),
    };
    let handle = check(&name, known)?;
    if is_missing_marker(&handle) {
        return Err(RejectReason::Placeholder.into());
    }
    Ok(handle)
}

fn normalize_other(s: &str) -> Result<String, Rejection> {
    let s = s.trim_start_matches(|c: char| c == '@' || c.is_whitespace() || c.is_control());
    if s.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(
            Rejection::new(RejectReason::Syntax).with_detail("control characters in a handle")
        );
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    if !has_alphanumeric(&out) {
        return Err(RejectReason::Empty.into());
    }
    if is_missing_marker(&out) {
        return Err(RejectReason::Placeholder.into());
    }
    if out.len() > MAX_OTHER_LEN {
        return Err(Rejection::new(RejectReason::TooLong)
            .with_detail(format!("longer than {MAX_OTHER_LEN} bytes")));
    }
    Ok(out)
}

/// The parts of a link that name a profile.
struct Url<'a> {
    scheme: &'a str,
    host: &'a str,
    path: &'a str,
    query: &'a str,
    fragment: &'a str,
}

/// Splits `s` as a link when it has a scheme, or when it starts with a known
/// network host (`instagram.com/ana`); bare handles give `None`.
fn split_url(s: &str) -> Option<Url<'_>> {
    let (scheme, rest) = match s.split_once("://") {
        Some((scheme, rest)) => (scheme, rest),
        None if s.contains('.') => ("", s),
        None => return None,
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(host_end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split_once(':').map_or(host, |(h, _)| h);
    let host = host.strip_suffix('.').unwrap_or(host);
    if scheme.is_empty() && host_network(host).is_none() {
        return None;
    }
    let (after, fragment) = after.split_once('#').unwrap_or((after, ""));
    let (path, query) = after.split_once('?').unwrap_or((after, ""));
    Some(Url {
        scheme,
        host,
        path,
        query,
        fragment,
    })
}

/// The network a host belongs to, subdomains included.
fn host_network(host: &str) -> Option<Known> {
    HOSTS.iter().find_map(|&(base, known)| {
        let matches = host.len() >= base.len()
            && host
                .get(host.len() - base.len()..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(base))
            && (host.len() == base.len()
                || host.as_bytes().get(host.len() - base.len() - 1) == Some(&b'.'));
        matches.then_some(known)
    })
}

/// Takes the user name out of a profile link.
fn from_url<'a>(url: &Url<'a>, known: Known) -> Result<Cow<'a, str>, Rejection> {
    let unsupported = |detail: &str| {
        Err(Rejection::new(RejectReason::UnsupportedFormat)
            .with_detail(format!("{detail}: not a {} profile link", known.name())))
    };
    if known == Known::Telegram && url.scheme.eq_ignore_ascii_case("tg") {
        return match query_param(url.query, "domain") {
            Some(name) => Ok(Cow::Borrowed(name)),
            None => unsupported("a tg:// link without a user name"),
        };
    }
    match host_network(url.host) {
        Some(n) if n == known => {}
        Some(n) => {
            return Err(Rejection::new(RejectReason::Syntax).with_detail(format!(
                "a {} link is not a {} handle",
                n.name(),
                known.name()
            )));
        }
        None => {
            return Err(Rejection::new(RejectReason::Syntax).with_detail(format!(
                "`{}` is not a {} host",
                url.host,
                known.name()
            )));
        }
    }
    let mut segments = url.path.split('/').filter(|seg| !seg.is_empty());
    let first = segments.next();
    let first_lower = first.map(str::to_ascii_lowercase);
    let name = match known {
        Known::X => match first_lower.as_deref() {
            // Old links: `twitter.com/#!/AnaG`.
            None => url.fragment.strip_prefix("!/").map(|f| f.split('/').next()),
            Some("intent") => query_param(url.query, "screen_name").map(Some),
            Some(_) => Some(first),
        }
        .flatten(),
        Known::Instagram => match first_lower.as_deref() {
            Some("stories" | "_u") => segments.next(),
            _ => first,
        },
        Known::Facebook => match first_lower.as_deref() {
            Some("profile.php") => match query_param(url.query, "id") {
                Some(id) => Some(id),
                None => return unsupported("profile.php without an id"),
            },
            // `facebook.com/people/Ana-Garcia/1000123`: the id comes last.
            Some("people") => segments.next_back(),
            Some(seg) if seg.ends_with(".php") => return unsupported("a .php page"),
            _ => first,
        },
        Known::TikTok => {
            let host = url.host.to_ascii_lowercase();
            if host.starts_with("vm.") || host.starts_with("vt.") {
                return unsupported("a short link must be opened to find the profile");
            }
            match first {
                Some(seg) if seg.starts_with('@') || seg.starts_with("%40") => Some(seg),
                Some(_) => return unsupported("a TikTok profile link is tiktok.com/@name"),
                None => None,
            }
        }
        Known::Telegram => {
            let host = url.host.to_ascii_lowercase();
            // `ana_g.t.me` is the same profile as `t.me/ana_g`.
            let sub = host.strip_suffix(".t.me").filter(|sub| *sub != "www");
            if let Some(sub) = sub {
                return Ok(Cow::Owned(sub.to_owned()));
            }
            match first {
                Some("s") => segments.next(),
                Some(seg) if seg.starts_with('+') => {
                    return unsupported("an invite or phone link");
                }
                _ => first,
            }
        }
    };
    match name {
        Some(name) => percent_decode(name),
        None => unsupported("no user name in the link"),
    }
}

/// The value of `key` in a query string (`a=1&key=value`).
fn query_param<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// Decodes `%XX` escapes in a path segment (`%40ana` is `@ana`).
fn percent_decode(seg: &str) -> Result<Cow<'_, str>, Rejection> {
    if !seg.contains('%') {
        return Ok(Cow::Borrowed(seg));
    }
    let bytes = seg.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map(Cow::Owned).map_err(|_| {
        Rejection::new(RejectReason::Syntax).with_detail("a link with bytes that are not UTF-8")
    })
}

/// Checks a user name against the network's rules and gives its canonical form.
fn check(name: &str, known: Known) -> Result<String, Rejection> {
    let name = name.strip_prefix('@').unwrap_or(name);
    let mut handle = name.to_ascii_lowercase();
    check_reserved(&handle, known)?;
    // A name that reads as a link would not read back as a handle.
    if handle.contains('.') && host_network(&handle).is_some() {
        return Err(Rejection::new(RejectReason::Syntax).with_detail("a link without a profile"));
    }
    let syntax = |detail: &str| Err(Rejection::new(RejectReason::Syntax).with_detail(detail));
    let b = handle.as_bytes();
    // `__` or `._` from a link would read back as empty.
    if !b.iter().any(u8::is_ascii_alphanumeric) {
        return syntax("a handle has a letter or a digit");
    }
    let (min, max) = match known {
        Known::X => {
            if !b.iter().all(|&c| is_lower_alnum(c) || c == b'_') {
                return syntax("X handles use only letters, digits and _");
            }
            (1, 15)
        }
        Known::Instagram => {
            if !b
                .iter()
                .all(|&c| is_lower_alnum(c) || c == b'_' || c == b'.')
            {
                return syntax("Instagram handles use only letters, digits, . and _");
            }
            if handle.starts_with('.') || handle.ends_with('.') || handle.contains("..") {
                return syntax("Instagram handles have no . at either end and no ..");
            }
            (1, 30)
        }
        Known::TikTok => {
            if !b
                .iter()
                .all(|&c| is_lower_alnum(c) || c == b'_' || c == b'.')
            {
                return syntax("TikTok handles use only letters, digits, . and _");
            }
            if handle.ends_with('.') {
                return syntax("TikTok handles do not end with .");
            }
            (2, 24)
        }
        Known::Telegram => {
            if !b.iter().all(|&c| is_lower_alnum(c) || c == b'_') {
                return syntax("Telegram handles use only letters, digits and _");
            }
            if !b.first().is_some_and(u8::is_ascii_lowercase) || handle.ends_with('_') {
                return syntax("Telegram handles start with a letter and do not end with _");
            }
            (5, 32)
        }
        Known::Facebook => {
            if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
                // A numeric profile id.
                (1, 20)
            } else {
                if !b.iter().all(|&c| is_lower_alnum(c) || c == b'.') {
                    return syntax("Facebook user names use only letters, digits and .");
                }
                handle.retain(|c| c != '.');
                if !handle.bytes().any(|c| c.is_ascii_lowercase()) {
                    return syntax("a Facebook user name has a letter");
                }
                (5, 50)
            }
        }
    };
    // Removing Facebook's dots can reveal one: `profile.`.
    check_reserved(&handle, known)?;
    let len = handle.len();
    if len < min {
        return Err(Rejection::new(RejectReason::TooShort).with_detail(format!(
            "{} handles have at least {min} characters",
            known.name()
        )));
    }
    if len > max {
        return Err(Rejection::new(RejectReason::TooLong).with_detail(format!(
            "{} handles have at most {max} characters",
            known.name()
        )));
    }
    Ok(handle)
}

fn check_reserved(handle: &str, known: Known) -> Result<(), Rejection> {
    if known.reserved().contains(&handle) {
        return Err(
            Rejection::new(RejectReason::UnsupportedFormat).with_detail(format!(
                "`{handle}` is a {} page, not a profile",
                known.name()
            )),
        );
    }
    Ok(())
}

fn is_lower_alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(raw: &str, network: &Network, want: &str) {
        assert_eq!(
            normalize_handle(raw, network).as_deref(),
            Ok(want),
            "{raw:?} on {network:?}"
        );
    }

    fn rejected(raw: &str, network: &Network, want: RejectReason) {
        match normalize_handle(raw, network) {
            Ok(h) => panic!("{raw:?} on {network:?} accepted as {h:?}, want {want:?}"),
            Err(r) => assert_eq!(r.reason, want, "{raw:?} on {network:?}: {r}"),
        }
    }

    #[test]
    fn x_handles() {
        let x = Network::X;
        for (raw, want) in [
            ("AnaG", "anag"),
            ("@AnaG", "anag"),
            (" @AnaG\u{a0}", "anag"),
            ("@ana_garcia_83", "ana_garcia_83"),
            ("twitter.com/AnaG", "anag"),
            ("https://twitter.com/AnaG", "anag"),
            ("https://x.com/AnaG/status/1789", "anag"),
            ("x.com/AnaG/status/123", "anag"),
            ("https://mobile.twitter.com/AnaG?lang=es", "anag"),
            ("http://www.twitter.com/#!/AnaG", "anag"),
            ("https://twitter.com/intent/user?screen_name=AnaG", "anag"),
            ("HTTPS://X.COM/AnaG/", "anag"),
            ("x.com/@AnaG", "anag"),
            ("a", "a"),
            ("abcdefghijklmno", "abcdefghijklmno"),
        ] {
            ok(raw, &x, want);
        }
        for (raw, want) in [
            ("", RejectReason::Empty),
            ("@", RejectReason::Empty),
            ("n/a", RejectReason::Placeholder),
            ("ninguno", RejectReason::Placeholder),
            ("ana.garcia", RejectReason::Syntax),
            ("ana garcia", RejectReason::Syntax),
            ("anagarcía", RejectReason::Syntax),
            ("abcdefghijklmnop", RejectReason::TooLong),
            ("https://x.com/explore", RejectReason::UnsupportedFormat),
            ("https://twitter.com/home", RejectReason::UnsupportedFormat),
            (
                "https://x.com/i/user/12345",
                RejectReason::UnsupportedFormat,
            ),
            ("https://x.com/", RejectReason::UnsupportedFormat),
            (
                "https://x.com/search?q=omnid",
                RejectReason::UnsupportedFormat,
            ),
            ("https://www.instagram.com/anag", RejectReason::Syntax),
            ("https://linktr.ee/anag", RejectReason::Syntax),
            ("@@anag", RejectReason::Syntax),
        ] {
            rejected(raw, &x, want);
        }
    }

    #[test]
    fn instagram_handles() {
        let ig = Network::Instagram;
        for (raw, want) in [
            ("ana.garcia", "ana.garcia"),
            ("@Ana.Garcia", "ana.garcia"),
            ("https://www.instagram.com/ana.garcia/?hl=es", "ana.garcia"),
            (
                "https://instagram.com/ana.garcia?igshid=MzRlODBiNWFlZA==",
                "ana.garcia",
            ),
            ("instagram.com/ana_garcia_", "ana_garcia_"),
            ("www.instagram.com/ana.garcia", "ana.garcia"),
            (
                "https://www.instagram.com/stories/ana.garcia/3123456789/",
                "ana.garcia",
            ),
            ("instagram.com/_u/ana.garcia", "ana.garcia"),
            ("http://instagr.am/ana.garcia", "ana.garcia"),
        ] {
            ok(raw, &ig, want);
        }
        for (raw, want) in [
            ("@tienda.la.ñ", RejectReason::Syntax),
            (".ana", RejectReason::Syntax),
            ("ana.", RejectReason::Syntax),
            ("ana..garcia", RejectReason::Syntax),
            ("ana-garcia", RejectReason::Syntax),
            (
                "https://www.instagram.com/p/C1a2B3c4D5e/",
                RejectReason::UnsupportedFormat,
            ),
            (
                "https://www.instagram.com/reel/C1a2B3c4D5e/",
                RejectReason::UnsupportedFormat,
            ),
            ("instagram.com/explore", RejectReason::UnsupportedFormat),
            (
                "https://www.instagram.com/",
                RejectReason::UnsupportedFormat,
            ),
            ("instagram.com/instagram.com", RejectReason::Syntax),
            ("t.me/ana_garcia", RejectReason::Syntax),
            (&"a".repeat(31), RejectReason::TooLong),
            ("sin dato", RejectReason::Placeholder),
        ] {
            rejected(raw, &ig, want);
        }
    }

    #[test]
    fn facebook_handles() {
        let fb = Network::Facebook;
        for (raw, want) in [
            ("ana.garcia", "anagarcia"),
            ("Ana.Garcia.9", "anagarcia9"),
            ("facebook.com/profile.php?id=1000123", "1000123"),
            (
                "https://www.facebook.com/profile.php?id=100012345678901&mibextid=ZbWKwL",
                "100012345678901",
            ),
            ("https://m.facebook.com/ana.garcia", "anagarcia"),
            ("m.facebook.com/ana.garcia?ref=bookmarks", "anagarcia"),
            ("https://es-la.facebook.com/ana.garcia/", "anagarcia"),
            ("https://web.facebook.com/AnaGarcia", "anagarcia"),
            (
                "https://www.facebook.com/people/Ana-Garcia/100012345678901/",
                "100012345678901",
            ),
            ("fb.com/ana.garcia", "anagarcia"),
            ("https://m.me/ana.garcia", "anagarcia"),
            ("1000123", "1000123"),
            ("anagarcia", "anagarcia"),
        ] {
            ok(raw, &fb, want);
        }
        for (raw, want) in [
            ("Ana García", RejectReason::Syntax),
            ("ana_garcia", RejectReason::Syntax),
            ("a.n.a", RejectReason::TooShort),
            ("1.2.3.4.5", RejectReason::Syntax),
            (
                "https://www.facebook.com/groups/123456",
                RejectReason::UnsupportedFormat,
            ),
            (
                "https://www.facebook.com/share/abc123/",
                RejectReason::UnsupportedFormat,
            ),
            (
                "https://www.facebook.com/home.php",
                RejectReason::UnsupportedFormat,
            ),
            (
                "https://www.facebook.com/login",
                RejectReason::UnsupportedFormat,
            ),
            (
                "https://www.facebook.com/profile.php",
                RejectReason::UnsupportedFormat,
            ),
            (
                "https://www.facebook.com/photo.php?fbid=1",
                RejectReason::UnsupportedFormat,
            ),
            ("https://www.facebook.com/", RejectReason::UnsupportedFormat),
            (
                "facebook.com/profile./?id=0123",
                RejectReason::UnsupportedFormat,
            ),
            ("market.place", RejectReason::UnsupportedFormat),
            ("123456789012345678901", RejectReason::TooLong),
            ("null", RejectReason::Placeholder),
        ] {
            rejected(raw, &fb, want);
        }
    }

    #[test]
    fn tiktok_handles() {
        let tt = Network::TikTok;
        for (raw, want) in [
            ("@ana", "ana"),
            ("Ana.Garcia_", "ana.garcia_"),
            ("tiktok.com/@ana", "ana"),
            ("https://www.tiktok.com/@Ana.Garcia?lang=es", "ana.garcia"),
            (
                "https://www.tiktok.com/@ana/video/7301234567890123456",
                "ana",
            ),
            ("https://m.tiktok.com/@ana", "ana"),
            ("https://www.tiktok.com/%40ana", "ana"),
        ] {
            ok(raw, &tt, want);
        }
        for (raw, want) in [
            ("a", RejectReason::TooShort),
            ("ana.", RejectReason::Syntax),
            (
                "https://vm.tiktok.com/ZMabcdef/",
                RejectReason::UnsupportedFormat,
            ),
            (
                "https://www.tiktok.com/ana",
                RejectReason::UnsupportedFormat,
            ),
            (
                "https://www.tiktok.com/discover/recetas",
                RejectReason::UnsupportedFormat,
            ),
            ("https://www.tiktok.com/", RejectReason::UnsupportedFormat),
            ("tiktok.com/@._", RejectReason::Syntax),
            (&"a".repeat(25), RejectReason::TooLong),
        ] {
            rejected(raw, &tt, want);
        }
    }

    #[test]
    fn telegram_handles() {
        let tg = Network::Telegram;
        for (raw, want) in [
            ("https://t.me/ana_g", "ana_g"),
            ("@Ana_G", "ana_g"),
            ("t.me/ana_garcia", "ana_garcia"),
            ("https://telegram.me/ana_garcia", "ana_garcia"),
            ("https://t.me/s/tienda_oficial", "tienda_oficial"),
            ("https://t.me/tienda_oficial/1234", "tienda_oficial"),
            ("tg://resolve?domain=ana_garcia", "ana_garcia"),
            ("https://ana_garcia.t.me", "ana_garcia"),
        ] {
            ok(raw, &tg, want);
        }
        for (raw, want) in [
            ("ana", RejectReason::TooShort),
            ("_ana_g", RejectReason::Syntax),
            ("1ana_g", RejectReason::Syntax),
            ("ana_g_", RejectReason::Syntax),
            ("ana.garcia", RejectReason::Syntax),
            ("https://t.me/+AbCdEf123", RejectReason::UnsupportedFormat),
            ("https://t.me/+34600111222", RejectReason::UnsupportedFormat),
            (
                "https://t.me/joinchat/AbCdEf",
                RejectReason::UnsupportedFormat,
            ),
            ("https://t.me/c/123456/789", RejectReason::UnsupportedFormat),
            (
                "tg://resolve?phone=34600111222",
                RejectReason::UnsupportedFormat,
            ),
            (&format!("a{}", "b".repeat(32)), RejectReason::TooLong),
        ] {
            rejected(raw, &tg, want);
        }
    }

    #[test]
    fn other_networks_are_only_tidied() {
        let li = Network::Other("linkedin".into());
        for (raw, want) in [
            ("@Ana-García", "ana-garcía"),
            ("  Ana   García ", "ana garcía"),
            ("@@ANA", "ana"),
            ("@ @ana", "ana"),
            ("linkedin.com/in/Ana", "linkedin.com/in/ana"),
        ] {
            ok(raw, &li, want);
        }
        for (raw, want) in [
            ("", RejectReason::Empty),
            ("@", RejectReason::Empty),
            ("@ n/a", RejectReason::Placeholder),
            ("N/A", RejectReason::Placeholder),
            ("a\u{7}b", RejectReason::Syntax),
            (&"a".repeat(MAX_OTHER_LEN + 1), RejectReason::TooLong),
        ] {
            rejected(raw, &li, want);
        }
    }

    fn networks() -> impl Strategy<Value = Network> {
        prop_oneof![
            Just(Network::X),
            Just(Network::Instagram),
            Just(Network::Facebook),
            Just(Network::TikTok),
            Just(Network::Telegram),
            Just(Network::Other("linkedin".into())),
        ]
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*", network in networks()) {
            let _ = normalize_handle(&s, &network);
        }

        #[test]
        fn never_panics_any(s in any::<String>(), network in networks()) {
            let _ = normalize_handle(&s, &network);
        }

        #[test]
        fn handles_are_fixed_points(s in ".*", network in networks()) {
            if let Ok(h) = normalize_handle(&s, &network) {
                prop_assert_eq!(normalize_handle(&h, &network), Ok(h.clone()));
            }
        }

        #[test]
        fn plausible_handles_are_fixed_points(
            s in "(https?://)?((www|m)\\.)?(x\\.com|instagram\\.com|facebook\\.com|tiktok\\.com|t\\.me)?/?@?[A-Za-z0-9._%]{0,20}(/[a-z0-9.@]{0,6})?(\\?[a-z]{1,3}=[A-Za-z0-9._]{0,8})?",
            network in networks(),
        ) {
            if let Ok(h) = normalize_handle(&s, &network) {
                prop_assert_eq!(normalize_handle(&h, &network), Ok(h.clone()));
            }
        }
    }
}
