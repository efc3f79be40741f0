//! The four markets of the simulated company and their places.

use std::fmt::Write;

use crate::rng::Rng;

/// A market the simulated company sells in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Country {
    /// Spain.
    Es,
    /// Mexico.
    Mx,
    /// Argentina.
    Ar,
    /// Colombia.
    Co,
}

impl Country {
    /// Every market, in file order.
    pub const ALL: [Country; 4] = [Country::Es, Country::Mx, Country::Ar, Country::Co];

    /// ISO 3166-1 alpha-2 code.
    pub fn code(self) -> &'static str {
        match self {
            Country::Es => "ES",
            Country::Mx => "MX",
            Country::Ar => "AR",
            Country::Co => "CO",
        }
    }

    /// Lower-case code, used in file names (`crm_es.csv`).
    pub fn lower(self) -> &'static str {
        match self {
            Country::Es => "es",
            Country::Mx => "mx",
            Country::Ar => "ar",
            Country::Co => "co",
        }
    }

    /// The name as a Spanish-speaking clerk would type it.
    pub(crate) fn local_name(self) -> &'static str {
        match self {
            Country::Es => "España",
            Country::Mx => "México",
            Country::Ar => "Argentina",
            Country::Co => "Colombia",
        }
    }

    /// ISO 4217 currency.
    pub(crate) fn currency(self) -> &'static str {
        match self {
            Country::Es => "EUR",
            Country::Mx => "MXN",
            Country::Ar => "ARS",
            Country::Co => "COP",
        }
    }

    /// Local currency units per euro (rounded 2024-2025 rates).
    pub(crate) fn per_euro(self) -> i64 {
        match self {
            Country::Es => 1,
            Country::Mx => 20,
            Country::Ar => 1_100,
            Country::Co => 4_400,
        }
    }

    /// Country calling code.
    pub(crate) fn calling_code(self) -> &'static str {
        match self {
            Country::Es => "34",
            Country::Mx => "52",
            Country::Ar => "54",
            Country::Co => "57",
        }
    }

    /// Whether people of this country carry two family names (Spanish
    /// naming custom); Argentines usually carry one.
    pub(crate) fn two_surnames(self) -> bool {
        !matches!(self, Country::Ar)
    }

    /// Cities of the country, most populous first.
    pub(crate) fn cities(self) -> &'static [City] {
        match self {
            Country::Es => ES_CITIES,
            Country::Mx => MX_CITIES,
            Country::Ar => AR_CITIES,
            Country::Co => CO_CITIES,
        }
    }

    /// Top-level domain for company email addresses.
    pub(crate) fn tld(self) -> &'static str {
        match self {
            Country::Es => "es",
            Country::Mx => "com.mx",
            Country::Ar => "com.ar",
            Country::Co => "com.co",
        }
    }
}

/// A city: its name, landline area code and how its postcodes look.
#[derive(Debug, Clone, Copy)]
pub(crate) struct City {
    pub(crate) name: &'static str,
    /// Landline area code, national significant digits only (`91`, `55`, `351`, `601`).
    pub(crate) area: &'static str,
    /// Postcode prefix; the rest is random digits up to the country's length.
    pub(crate) postcode: &'static str,
    /// Mexican state code used in CURPs (unused elsewhere).
    pub(crate) state: &'static str,
}

const fn city(
    name: &'static str,
    area: &'static str,
    postcode: &'static str,
    state: &'static str,
) -> City {
    City {
        name,
        area,
        postcode,
        state,
    }
}

const ES_CITIES: &[City] = &[
    city("Madrid", "91", "280", ""),
    city("Barcelona", "93", "080", ""),
    city("Valencia", "96", "460", ""),
    city("Sevilla", "95", "410", ""),
    city("Zaragoza", "976", "500", ""),
    city("Málaga", "95", "290", ""),
    city("Murcia", "968", "300", ""),
    city("Palma", "971", "070", ""),
    city("Las Palmas de Gran Canaria", "928", "350", ""),
    city("Bilbao", "94", "480", ""),
    city("Alicante", "96", "030", ""),
    city("Córdoba", "957", "140", ""),
    city("Valladolid", "983", "470", ""),
    city("A Coruña", "981", "150", ""),
    city("Granada", "958", "180", ""),
    city("Getafe", "91", "289", ""),
];

const MX_CITIES: &[City] = &[
    city("Ciudad de México", "55", "0", "DF"),
    city("Guadalajara", "33", "44", "JC"),
    city("Monterrey", "81", "64", "NL"),
    city("Puebla", "222", "72", "PL"),
    city("Tijuana", "664", "22", "BC"),
    city("León", "477", "37", "GT"),
    city("Querétaro", "442", "76", "QT"),
    city("Mérida", "999", "97", "YN"),
    city("Zapopan", "33", "45", "JC"),
    city("Toluca", "722", "50", "MC"),
];

const AR_CITIES: &[City] = &[
    city("Buenos Aires", "11", "C14", ""),
    city("Córdoba", "351", "50", ""),
    city("Rosario", "341", "20", ""),
    city("Mendoza", "261", "55", ""),
    city("La Plata", "221", "19", ""),
    city("Mar del Plata", "223", "76", ""),
    city("San Miguel de Tucumán", "381", "40", ""),
    city("Quilmes", "11", "B18", ""),
];

const CO_CITIES: &[City] = &[
    city("Bogotá", "601", "1101", ""),
    city("Medellín", "604", "0500", ""),
    city("Cali", "602", "7600", ""),
    city("Barranquilla", "605", "0800", ""),
    city("Cartagena", "605", "1300", ""),
    city("Bucaramanga", "607", "6800", ""),
    city("Pereira", "606", "6600", ""),
];

impl City {
    /// A postcode of the city in its country's format: five digits (ES,
    /// MX), six (CO), four digits or the CPA `C1425ABC` (AR).
    pub(crate) fn push_postcode(&self, country: Country, rng: &mut Rng, out: &mut String) {
        match country {
            Country::Es | Country::Mx => {
                out.push_str(self.postcode);
                rng.digits(out, 5 - self.postcode.len(), 0..=9);
            }
            Country::Co => {
                out.push_str(self.postcode);
                rng.digits(out, 6 - self.postcode.len(), 0..=9);
            }
            Country::Ar => {
                let letter = self.postcode.starts_with(|c: char| c.is_ascii_uppercase());
                let digits = self
                    .postcode
                    .trim_start_matches(|c: char| c.is_ascii_uppercase());
                // Argentines write the old four-digit code far more often than the CPA.
                if letter && rng.chance(0.3) {
                    out.push_str(self.postcode);
                    rng.digits(out, 4 - digits.len(), 0..=9);
                    for _ in 0..3 {
                        out.push(char::from(b'A' + rng.below(26) as u8));
                    }
                } else {
                    out.push_str(digits);
                    rng.digits(out, 4 - digits.len(), 0..=9);
                }
            }
        }
    }
}

/// Appends a company email domain built from a trade and a family name.
pub(crate) fn push_company_domain(
    country: Country,
    rng: &mut Rng,
    surname_ascii: &str,
    out: &mut String,
) {
    const TRADES: &[&str] = &[
        "talleres",
        "ferreteria",
        "construcciones",
        "transportes",
        "clinica",
        "distribuidora",
        "inmobiliaria",
        "panaderia",
        "grupo",
        "asesores",
        "farmacia",
        "autoservicio",
    ];
    let trade = rng.pick(TRADES, "grupo");
    let _ = write!(out, "{trade}{surname_ascii}.{}", country.tld());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_have_the_country_length() {
        let mut rng = Rng::new(5);
        for country in Country::ALL {
            for c in country.cities() {
                for _ in 0..20 {
                    let mut s = String::new();
                    c.push_postcode(country, &mut rng, &mut s);
                    let ok = match country {
                        Country::Es | Country::Mx => {
                            s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit())
                        }
                        Country::Co => s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()),
                        Country::Ar => s.len() == 4 || s.len() == 8,
                    };
                    assert!(ok, "{country:?} {} {s}", c.name);
                }
            }
        }
    }
}
