//! Given names, family names and hypocorisms of Spain and Latin America, and
//! the ways people and clerks mistype them.
//!
//! Lists are ordered by popularity; [`Weighted::zipf`] turns rank into
//! frequency so that "García" and "María" are common and namesakes happen.

use crate::country::Country;
use crate::rng::{Rng, Weighted};

const ES_FEMALE: &[&str] = &[
    "María Carmen",
    "María",
    "Carmen",
    "Ana María",
    "Laura",
    "María Pilar",
    "Isabel",
    "María Dolores",
    "Lucía",
    "María Teresa",
    "Ana",
    "Cristina",
    "Marta",
    "María Ángeles",
    "Francisca",
    "María Isabel",
    "María José",
    "Antonia",
    "Dolores",
    "Paula",
    "Sara",
    "Elena",
    "Raquel",
    "Rosa María",
    "Manuela",
    "Pilar",
    "Concepción",
    "Mercedes",
    "Julia",
    "Beatriz",
    "Nuria",
    "Silvia",
    "Irene",
    "Alba",
    "Patricia",
    "Montserrat",
    "Rocío",
    "Andrea",
    "Rosario",
    "Teresa",
    "Encarnación",
    "Inmaculada",
    "Alicia",
    "Marina",
    "Sonia",
    "Natalia",
    "Claudia",
    "Noelia",
    "Carla",
    "Verónica",
    "Ángela",
    "Eva",
    "Esther",
    "Susana",
    "Yolanda",
    "Inés",
    "Lorena",
    "Miriam",
    "Consuelo",
    "Margarita",
    "María Luisa",
    "Josefa",
    "Remedios",
    "Asunción",
    "Purificación",
    "Milagros",
    "Soledad",
    "Beatriz Elena",
];

const ES_MALE: &[&str] = &[
    "Antonio",
    "José",
    "Manuel",
    "Francisco",
    "David",
    "Juan",
    "José Antonio",
    "Javier",
    "Daniel",
    "José Luis",
    "Francisco Javier",
    "Carlos",
    "Jesús",
    "Alejandro",
    "Miguel",
    "José Manuel",
    "Rafael",
    "Miguel Ángel",
    "Pedro",
    "Pablo",
    "Ángel",
    "Sergio",
    "José María",
    "Fernando",
    "Jorge",
    "Luis",
    "Alberto",
    "Juan Carlos",
    "Juan José",
    "Álvaro",
    "Diego",
    "Adrián",
    "Raúl",
    "Juan Antonio",
    "Enrique",
    "Ramón",
    "Iván",
    "Rubén",
    "Óscar",
    "Andrés",
    "Vicente",
    "Joaquín",
    "Santiago",
    "Víctor",
    "Mario",
    "Eduardo",
    "Roberto",
    "Jaime",
    "Ignacio",
    "Marcos",
    "Alfonso",
    "Hugo",
    "Jordi",
    "Ricardo",
    "Salvador",
    "Guillermo",
    "Gonzalo",
    "Agustín",
    "Juan Manuel",
    "Emilio",
    "Julián",
    "Tomás",
];

const MX_FEMALE: &[&str] = &[
    "María Guadalupe",
    "Guadalupe",
    "María",
    "Juana",
    "Margarita",
    "Verónica",
    "María Elena",
    "Leticia",
    "Rosa María",
    "Francisca",
    "Alejandra",
    "Patricia",
    "Elizabeth",
    "Gabriela",
    "María del Carmen",
    "Adriana",
    "Ana María",
    "Martha",
    "Maribel",
    "Yolanda",
    "Sandra",
    "Araceli",
    "Claudia",
    "María Fernanda",
    "Ximena",
    "Daniela",
    "Valeria",
    "Fernanda",
    "Mariana",
    "Andrea",
    "Silvia",
    "Norma",
    "Rocío",
    "Teresa",
    "Isabel",
    "Luz María",
    "Sofía",
    "Regina",
    "Alondra",
    "Itzel",
    "María de Jesús",
    "Rosario",
    "Blanca Estela",
    "Karla",
    "Mónica",
];

const MX_MALE: &[&str] = &[
    "José Luis",
    "Juan",
    "Miguel Ángel",
    "José",
    "Francisco",
    "Jesús",
    "Antonio",
    "Alejandro",
    "Pedro",
    "Juan Carlos",
    "Manuel",
    "Ricardo",
    "Fernando",
    "Roberto",
    "Jorge",
    "Eduardo",
    "Carlos",
    "José Guadalupe",
    "Javier",
    "Sergio",
    "Arturo",
    "Mario",
    "Raúl",
    "Rafael",
    "Martín",
    "Daniel",
    "Luis",
    "Enrique",
    "Héctor",
    "Gerardo",
    "Óscar",
    "Guillermo",
    "Alberto",
    "Salvador",
    "Santiago",
    "Diego",
    "Emiliano",
    "Leonardo",
    "Mateo",
    "Rodrigo",
    "Juan Manuel",
    "Ignacio",
    "Alfredo",
];

const AR_FEMALE: &[&str] = &[
    "María",
    "Lucía",
    "Martina",
    "Sofía",
    "Valentina",
    "Florencia",
    "Camila",
    "Julieta",
    "Agustina",
    "Micaela",
    "Carolina",
    "Gabriela",
    "Silvia",
    "Graciela",
    "Mónica",
    "Laura",
    "Patricia",
    "Marcela",
    "Andrea",
    "Claudia",
    "Natalia",
    "Paula",
    "Romina",
    "Daniela",
    "Mariana",
    "Victoria",
    "Josefina",
    "Milagros",
    "Celeste",
    "Liliana",
    "María Laura",
    "María Eugenia",
    "Ana Laura",
    "María Belén",
    "Noelia",
    "Verónica",
    "Susana",
    "Norma",
    "Beatriz",
];

const AR_MALE: &[&str] = &[
    "Juan",
    "Carlos",
    "Jorge",
    "Luis",
    "Juan Pablo",
    "Juan Manuel",
    "Martín",
    "Diego",
    "Pablo",
    "Gustavo",
    "Sergio",
    "Alejandro",
    "Fernando",
    "Marcelo",
    "Daniel",
    "Roberto",
    "Hugo",
    "Ricardo",
    "Eduardo",
    "Gonzalo",
    "Matías",
    "Nicolás",
    "Lucas",
    "Facundo",
    "Federico",
    "Agustín",
    "Santiago",
    "Tomás",
    "Franco",
    "Maximiliano",
    "Leandro",
    "Ezequiel",
    "Lautaro",
    "Mateo",
    "Juan Cruz",
    "Héctor",
    "Oscar",
    "Rubén",
    "Raúl",
    "Mariano",
    "Patricio",
];

const CO_FEMALE: &[&str] = &[
    "María",
    "Luz Marina",
    "Martha Lucía",
    "Ana María",
    "María Fernanda",
    "Luz Dary",
    "Blanca",
    "Gloria",
    "Sandra Milena",
    "Diana Marcela",
    "Paola",
    "Angie",
    "Valentina",
    "Daniela",
    "Laura",
    "Natalia",
    "Carolina",
    "Paula Andrea",
    "Lina María",
    "Claudia Patricia",
    "Liliana",
    "Adriana",
    "Yolanda",
    "Marisol",
    "Yesenia",
    "Leidy",
    "Catalina",
    "Juliana",
    "Camila",
    "Mariana",
    "Luisa Fernanda",
    "Isabella",
    "Salomé",
    "Sara",
    "Martina",
    "Gabriela",
];

const CO_MALE: &[&str] = &[
    "José",
    "Luis Carlos",
    "Juan Carlos",
    "Jorge Enrique",
    "Carlos Andrés",
    "Jhon Jairo",
    "Juan David",
    "Juan Sebastián",
    "Andrés Felipe",
    "Luis Fernando",
    "Jaime",
    "Jairo",
    "Álvaro",
    "Óscar",
    "Fabio",
    "Hernán",
    "Germán",
    "William",
    "Jhon",
    "Yeison",
    "Brayan",
    "Santiago",
    "Samuel",
    "Alejandro",
    "Sebastián",
    "Mateo",
    "Nicolás",
    "Daniel",
    "Diego",
    "Camilo",
    "Julián",
    "Esteban",
    "Felipe",
    "Cristian",
    "Édgar",
    "Juan Pablo",
];

const ES_SURNAMES: &[&str] = &[
    "García",
    "Rodríguez",
    "González",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Suárez",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Núñez",
    "Iglesias",
    "Medina",
    "Garrido",
    "Cortés",
    "Castillo",
    "Santos",
    "Lozano",
    "Guerrero",
    "Cano",
    "Prieto",
    "Méndez",
    "Cruz",
    "Calvo",
    "Gallego",
    "Vidal",
    "León",
    "Márquez",
    "Herrera",
    "Peña",
    "Flores",
    "Cabrera",
    "Campos",
    "Vega",
    "Fuentes",
    "Carrasco",
    "Diez",
    "Reyes",
    "Caballero",
    "Nieto",
    "Aguilar",
    "Pascual",
    "Santana",
    "Herrero",
    "Montero",
    "Lorenzo",
    "Hidalgo",
    "Giménez",
    "Ibáñez",
    "Ferrer",
    "Durán",
    "Santiago",
    "Benítez",
    "Vargas",
    "Mora",
    "Vicente",
    "Arias",
    "Carmona",
    "Crespo",
    "Román",
    "Pastor",
    "Soto",
    "Sáez",
    "Velasco",
    "Moya",
    "Soler",
    "Parra",
    "Esteban",
    "Bravo",
    "Gallardo",
    "Rojas",
    "de la Fuente",
    "del Río",
    "de la Torre",
    "Pardo",
    "Bermúdez",
    "Echeverría",
    "Urquijo",
    "Goikoetxea",
    "Puig",
    "Casals",
    "Rovira",
    "Otero",
    "Castaño",
];

const MX_SURNAMES: &[&str] = &[
    "Hernández",
    "García",
    "Martínez",
    "López",
    "González",
    "Pérez",
    "Rodríguez",
    "Sánchez",
    "Ramírez",
    "Cruz",
    "Flores",
    "Gómez",
    "Morales",
    "Vázquez",
    "Reyes",
    "Jiménez",
    "Torres",
    "Díaz",
    "Gutiérrez",
    "Ruiz",
    "Mendoza",
    "Aguilar",
    "Ortiz",
    "Moreno",
    "Castillo",
    "Romero",
    "Álvarez",
    "Méndez",
    "Chávez",
    "Rivera",
    "Juárez",
    "Ramos",
    "Domínguez",
    "Herrera",
    "Medina",
    "Castro",
    "Vargas",
    "Guzmán",
    "Velázquez",
    "Muñoz",
    "Rojas",
    "de la Cruz",
    "Contreras",
    "Salazar",
    "Luna",
    "Ortega",
    "Santiago",
    "Guerrero",
    "Estrada",
    "Bautista",
    "Cortés",
    "Soto",
    "Alvarado",
    "Espinoza",
    "Lara",
    "Ávila",
    "Ríos",
    "Cervantes",
    "Silva",
    "Delgado",
    "Vega",
    "Márquez",
    "Sandoval",
    "Carrillo",
    "León",
    "Mejía",
    "Solís",
    "Rosas",
    "Ibarra",
    "Valdez",
    "Núñez",
    "Campos",
    "Santos",
    "Camacho",
    "Navarro",
    "Peña",
    "Maldonado",
    "Rosales",
    "Acosta",
    "Miranda",
    "Trejo",
    "Valencia",
    "Nava",
    "Pacheco",
    "Huerta",
    "Ponce de León",
    "Montes de Oca",
    "Xolalpa",
    "Cuauhtle",
    "Tapia",
    "Zúñiga",
];

const AR_SURNAMES: &[&str] = &[
    "González",
    "Rodríguez",
    "Gómez",
    "Fernández",
    "López",
    "Díaz",
    "Martínez",
    "Pérez",
    "García",
    "Sánchez",
    "Romero",
    "Sosa",
    "Álvarez",
    "Torres",
    "Ruiz",
    "Ramírez",
    "Flores",
    "Acosta",
    "Benítez",
    "Medina",
    "Suárez",
    "Herrera",
    "Aguirre",
    "Giménez",
    "Gutiérrez",
    "Pereyra",
    "Rojas",
    "Molina",
    "Castro",
    "Ortiz",
    "Silva",
    "Núñez",
    "Luna",
    "Juárez",
    "Cabrera",
    "Ríos",
    "Ferreyra",
    "Godoy",
    "Morales",
    "Domínguez",
    "Moreno",
    "Peralta",
    "Vega",
    "Carrizo",
    "Quiroga",
    "Castillo",
    "Ledesma",
    "Muñoz",
    "Ojeda",
    "Ponce",
    "Vera",
    "Vázquez",
    "Villalba",
    "Cardozo",
    "Navarro",
    "Ramos",
    "Arias",
    "Coronel",
    "Córdoba",
    "Figueroa",
    "Correa",
    "Cáceres",
    "Vargas",
    "Maldonado",
    "Mansilla",
    "Farías",
    "Rivero",
    "Paz",
    "Miranda",
    "Roldán",
    "Méndez",
    "Lucero",
    "Rossi",
    "Russo",
    "Ferrari",
    "Bianchi",
    "Romano",
    "Colombo",
    "Bruno",
    "Esposito",
    "Ricci",
    "Greco",
    "Marino",
    "Costa",
    "Fontana",
    "Gallo",
    "Conti",
    "Rinaldi",
    "Caruso",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Mancini",
    "Longo",
    "San Martín",
    "Del Valle",
    "Schmidt",
    "Müller",
    "Kowalski",
    "Goldberg",
    "Fernández Campos",
];

const CO_SURNAMES: &[&str] = &[
    "Rodríguez",
    "Gómez",
    "González",
    "Martínez",
    "García",
    "López",
    "Hernández",
    "Sánchez",
    "Ramírez",
    "Pérez",
    "Díaz",
    "Muñoz",
    "Rojas",
    "Moreno",
    "Jiménez",
    "Vargas",
    "Castro",
    "Gutiérrez",
    "Álvarez",
    "Ruiz",
    "Ortiz",
    "Suárez",
    "Torres",
    "Valencia",
    "Quintero",
    "Restrepo",
    "Cardona",
    "Osorio",
    "Zapata",
    "Ospina",
    "Mejía",
    "Ramos",
    "Castaño",
    "Giraldo",
    "Herrera",
    "Salazar",
    "Arango",
    "Guerrero",
    "Medina",
    "Cárdenas",
    "Romero",
    "Mosquera",
    "Londoño",
    "Agudelo",
    "Rincón",
    "Aguirre",
    "Marín",
    "Molina",
    "Patiño",
    "Vélez",
    "Henao",
    "Correa",
    "Velásquez",
    "Montoya",
    "Parra",
    "Ríos",
    "Duque",
    "Betancur",
    "Cortés",
    "Acosta",
    "Córdoba",
    "Palacios",
    "Bermúdez",
    "Buitrago",
    "Vásquez",
    "Benavides",
    "Escobar",
    "Uribe",
    "Echeverri",
    "Lozano",
    "de la Hoz",
    "de los Ríos",
    "Villa",
];

/// Short forms people use for themselves in chats and messaging profiles.
/// Keys are whole given names (compound or single); none of the short
/// forms is itself a given name in the lists above.
const HYPOCORISMS: &[(&str, &[&str])] = &[
    ("José", &["Pepe", "Pepito"]),
    ("José Luis", &["Joselu", "Pepelu"]),
    ("José María", &["Chema", "Josema"]),
    ("José Antonio", &["Josean", "Pepe"]),
    ("José Manuel", &["Josema", "Pepe"]),
    ("José Guadalupe", &["Lupe", "Pepe"]),
    ("Francisco", &["Paco", "Pancho", "Curro", "Fran"]),
    ("Francisco Javier", &["Fran", "Javi", "Paco"]),
    ("Guadalupe", &["Lupita", "Lupe"]),
    ("María Guadalupe", &["Lupita", "Lupe"]),
    ("María José", &["Majo", "Marijo"]),
    ("María Teresa", &["Maite", "Tere"]),
    ("María Luisa", &["Marisa", "Malú"]),
    ("María Isabel", &["Isa", "Mabel"]),
    ("María Carmen", &["Maricarmen", "Mamen"]),
    ("María del Carmen", &["Maricarmen", "Mamen"]),
    ("María Ángeles", &["Marian", "Geles"]),
    ("María Dolores", &["Lola", "Loli"]),
    ("Dolores", &["Lola", "Loli"]),
    ("María Pilar", &["Pili", "Mapi"]),
    ("Pilar", &["Pili"]),
    ("María Fernanda", &["Mafe", "Marifer"]),
    ("María Eugenia", &["Maru", "Euge"]),
    ("María Belén", &["Belu"]),
    ("María", &["Mari", "Mary"]),
    ("Concepción", &["Concha", "Conchi"]),
    ("Rosario", &["Charo", "Chayo"]),
    ("Consuelo", &["Chelo"]),
    ("Mercedes", &["Merche", "Meche"]),
    ("Manuel", &["Manolo", "Manu"]),
    ("Juan Manuel", &["Juanma"]),
    ("Ignacio", &["Nacho"]),
    ("Antonio", &["Toño", "Toni"]),
    ("Jesús", &["Chucho", "Chuy", "Suso"]),
    ("Guillermo", &["Memo", "Guille"]),
    ("Alberto", &["Beto"]),
    ("Roberto", &["Beto", "Rober"]),
    ("Enrique", &["Quique", "Kike"]),
    ("Fernando", &["Fer", "Nando"]),
    ("Fernanda", &["Fer", "Fefi"]),
    ("Rafael", &["Rafa"]),
    ("Alejandro", &["Alex", "Ale"]),
    ("Alejandra", &["Ale", "Alex"]),
    ("Daniel", &["Dani"]),
    ("Daniela", &["Dani"]),
    ("Santiago", &["Santi"]),
    ("Sebastián", &["Sebas"]),
    ("Juan Sebastián", &["Sebas", "Juanse"]),
    ("Carolina", &["Caro"]),
    ("Valentina", &["Vale"]),
    ("Camila", &["Cami"]),
    ("Gabriela", &["Gabi"]),
    ("Isabel", &["Isa", "Chabela"]),
    ("Juan Carlos", &["Juanca"]),
    ("Juan José", &["Juanjo"]),
    ("Juan Pablo", &["Juampi"]),
    ("Juan", &["Juancho", "Juanito"]),
    ("Luis", &["Lucho", "Luisito"]),
    ("Nicolás", &["Nico"]),
    ("Matías", &["Mati"]),
    ("Patricia", &["Pati", "Patri"]),
    ("Patricio", &["Pato"]),
    ("Eduardo", &["Edu", "Lalo"]),
    ("Gonzalo", &["Gonza"]),
    ("Federico", &["Fede"]),
    ("Agustín", &["Agus"]),
    ("Agustina", &["Agus"]),
    ("Florencia", &["Flor"]),
    ("Josefina", &["Pepa", "Fina"]),
    ("Josefa", &["Pepa", "Pepita"]),
    ("Ramón", &["Moncho"]),
    ("Ricardo", &["Richi"]),
    ("Javier", &["Javi"]),
    ("Sergio", &["Checo"]),
    ("Montserrat", &["Montse"]),
    ("Inmaculada", &["Inma"]),
    ("Asunción", &["Asun"]),
    ("Remedios", &["Reme"]),
    ("Encarnación", &["Encarna"]),
    ("Purificación", &["Puri"]),
    ("Milagros", &["Mila"]),
    ("Verónica", &["Vero"]),
    ("Beatriz", &["Bea"]),
    ("Cristina", &["Cris"]),
    ("Cristian", &["Cris"]),
    ("Natalia", &["Nati"]),
    ("Margarita", &["Marga", "Mago"]),
    ("Victoria", &["Vicky"]),
    ("Francisca", &["Paqui", "Paca"]),
    ("Maximiliano", &["Maxi"]),
    ("Lautaro", &["Lauti"]),
    ("Facundo", &["Facu"]),
    ("Micaela", &["Mica"]),
    ("Andrés Felipe", &["Pipe"]),
    ("Felipe", &["Pipe"]),
    ("Luisa Fernanda", &["Lu"]),
    ("Salvador", &["Chava"]),
    ("Alfredo", &["Fredy"]),
];

/// Placeholders clerks type when the customer gives no name, per country:
/// (given names, family names).
pub(crate) fn placeholder_name(country: Country, rng: &mut Rng) -> (&'static str, &'static str) {
    let local: (&str, &str) = match country {
        Country::Es => ("CLIENTE", "CONTADO"),
        Country::Mx => ("PUBLICO", "EN GENERAL"),
        Country::Ar => ("CONSUMIDOR", "FINAL"),
        Country::Co => ("CLIENTE", "OCASIONAL"),
    };
    rng.pick(
        &[
            local,
            ("cliente", ""),
            ("N/A", "N/A"),
            ("XXX", "XXX"),
            ("Sin nombre", ""),
        ],
        local,
    )
}

/// Weighted name tables for the four countries, built once per run.
#[derive(Debug)]
pub(crate) struct NameTables {
    given: [(Weighted, Weighted); 4],
    surnames: [Weighted; 4],
}

fn slot(country: Country) -> usize {
    match country {
        Country::Es => 0,
        Country::Mx => 1,
        Country::Ar => 2,
        Country::Co => 3,
    }
}

fn given_list(country: Country, female: bool) -> &'static [&'static str] {
    match (country, female) {
        (Country::Es, true) => ES_FEMALE,
        (Country::Es, false) => ES_MALE,
        (Country::Mx, true) => MX_FEMALE,
        (Country::Mx, false) => MX_MALE,
        (Country::Ar, true) => AR_FEMALE,
        (Country::Ar, false) => AR_MALE,
        (Country::Co, true) => CO_FEMALE,
        (Country::Co, false) => CO_MALE,
    }
}

fn surname_list(country: Country) -> &'static [&'static str] {
    match country {
        Country::Es => ES_SURNAMES,
        Country::Mx => MX_SURNAMES,
        Country::Ar => AR_SURNAMES,
        Country::Co => CO_SURNAMES,
    }
}

impl NameTables {
    pub(crate) fn new() -> Self {
        let given = Country::ALL.map(|c| {
            (
                Weighted::zipf(given_list(c, true).len(), 4),
                Weighted::zipf(given_list(c, false).len(), 4),
            )
        });
        let surnames = Country::ALL.map(|c| Weighted::zipf(surname_list(c).len(), 6));
        NameTables { given, surnames }
    }

    pub(crate) fn given(&self, country: Country, female: bool, rng: &mut Rng) -> &'static str {
        let (f, m) = &self.given[slot(country)];
        let i = if female { f.sample(rng) } else { m.sample(rng) };
        given_list(country, female)
            .get(i)
            .copied()
            .unwrap_or("María")
    }

    pub(crate) fn surname(&self, country: Country, rng: &mut Rng) -> &'static str {
        let i = self.surnames[slot(country)].sample(rng);
        surname_list(country).get(i).copied().unwrap_or("García")
    }
}

/// Every given name and family-name word the generator can produce before
/// noise, folded to lower-case ASCII (for tests that tell noise from names).
#[cfg(test)]
pub(crate) fn all_name_words() -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for c in Country::ALL {
        for list in [given_list(c, true), given_list(c, false), surname_list(c)] {
            for name in list {
                for w in fold(name).split([' ', '-']) {
                    out.insert(w.to_string());
                }
            }
        }
    }
    out
}

/// The hypocorisms of a given name, if it has any.
pub(crate) fn hypocorisms(given: &str) -> &'static [&'static str] {
    HYPOCORISMS
        .iter()
        .find(|(name, _)| *name == given)
        .map(|(_, short)| *short)
        .unwrap_or(&[])
}

/// Every hypocorism, folded (for tests).
#[cfg(test)]
pub(crate) fn all_hypocorisms() -> std::collections::BTreeSet<String> {
    HYPOCORISMS
        .iter()
        .flat_map(|(_, s)| s.iter())
        .map(|s| fold(s))
        .collect()
}

/// The ASCII letter for an accented Latin letter used in Spanish.
fn strip_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'ä' | 'â' => 'a',
        'é' | 'è' | 'ë' | 'ê' => 'e',
        'í' | 'ì' | 'ï' | 'î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' => 'o',
        'ú' | 'ù' | 'ü' | 'û' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        'Á' | 'À' | 'Ä' | 'Â' => 'A',
        'É' | 'È' | 'Ë' | 'Ê' => 'E',
        'Í' | 'Ì' | 'Ï' | 'Î' => 'I',
        'Ó' | 'Ò' | 'Ö' | 'Ô' => 'O',
        'Ú' | 'Ù' | 'Ü' | 'Û' => 'U',
        'Ñ' => 'N',
        'Ç' => 'C',
        other => other,
    }
}

/// Accents dropped (`Muñoz` -> `Munoz`), as typed on a keyboard without them.
pub(crate) fn drop_accents(s: &str) -> String {
    s.chars().map(strip_accent).collect()
}

/// Lower-case ASCII: the form used for email local parts, handles and tests.
pub(crate) fn fold(s: &str) -> String {
    s.chars()
        .map(strip_accent)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Upper case without accents, as legacy systems store names (`MUNOZ`).
pub(crate) fn legacy_upper(s: &str) -> String {
    s.chars()
        .map(strip_accent)
        .flat_map(char::to_uppercase)
        .collect()
}

/// Neighbouring keys on a Spanish QWERTY keyboard, for substitution typos.
fn neighbour(c: char, rng: &mut Rng) -> char {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjklñ", "zxcvbnm"];
    let lower = c.to_lowercase().next().unwrap_or(c);
    for row in ROWS {
        let chars: Vec<char> = row.chars().collect();
        if let Some(i) = chars.iter().position(|&k| k == lower) {
            let j = if i == 0 {
                1
            } else if i + 1 == chars.len() || rng.chance(0.5) {
                i - 1
            } else {
                i + 1
            };
            let n = chars.get(j).copied().unwrap_or(lower);
            return if c.is_uppercase() {
                n.to_uppercase().next().unwrap_or(n)
            } else {
                n
            };
        }
    }
    c
}

/// One edit (substitution by a neighbouring key, deletion, doubling, or
/// transposition of two neighbours) at a letter not at the start of a word:
/// people rarely mistype the first letter, and keeping it keeps the
/// typo within reach of blocking on initials.
pub(crate) fn typo(s: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let candidates: Vec<usize> = (1..chars.len())
        .filter(|&i| {
            chars.get(i).is_some_and(|c| c.is_alphabetic())
                && chars.get(i - 1).is_some_and(|c| c.is_alphabetic())
        })
        .collect();
    if candidates.is_empty() {
        return s.to_string();
    }
    let i = candidates[rng.index(candidates.len())];
    match rng.below(4) {
        0 => {
            let c = chars[i];
            chars[i] = neighbour(c, rng);
        }
        1 if chars.len() > 3 => {
            chars.remove(i);
        }
        2 => {
            let c = chars[i];
            chars.insert(i, c);
        }
        _ => {
            if chars.get(i + 1).is_some_and(|c| c.is_alphabetic()) {
                chars.swap(i, i + 1);
            } else {
                chars.swap(i - 1, i);
            }
        }
    }
    chars.into_iter().collect()
}

/// A compound given or family name with one part left out:
/// `María José` -> `María`, `Ponce de León` -> `Ponce`, `de la Cruz` -> `Cruz`.
/// Single names come back unchanged.
pub(crate) fn cut_compound(s: &str) -> &str {
    let particles = ["de", "del", "la", "las", "los", "y"];
    let mut words = s.split(' ').filter(|w| !w.is_empty());
    let first = words.next().unwrap_or(s);
    if particles.contains(&first.to_lowercase().as_str()) {
        // `de la Cruz` -> `Cruz`: keep the last word.
        s.rsplit(' ').next().unwrap_or(s)
    } else {
        first
    }
}

/// Whether a name has more than one word.
pub(crate) fn is_compound(s: &str) -> bool {
    s.trim().contains(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypocorisms_are_not_given_names() {
        let words = all_name_words();
        for h in all_hypocorisms() {
            assert!(!words.contains(&h), "{h} is also a name word");
        }
        for (name, _) in HYPOCORISMS {
            assert!(
                Country::ALL
                    .iter()
                    .any(|&c| given_list(c, true).contains(name)
                        || given_list(c, false).contains(name)),
                "{name} has hypocorisms but is never drawn"
            );
        }
    }

    #[test]
    fn noise_functions() {
        assert_eq!(drop_accents("María Muñoz Ibáñez"), "Maria Munoz Ibanez");
        assert_eq!(legacy_upper("José Núñez"), "JOSE NUNEZ");
        assert_eq!(fold("Ángel"), "angel");
        assert_eq!(cut_compound("María José"), "María");
        assert_eq!(cut_compound("Ponce de León"), "Ponce");
        assert_eq!(cut_compound("de la Cruz"), "Cruz");
        assert_eq!(cut_compound("García"), "García");
        let mut rng = Rng::new(9);
        for _ in 0..200 {
            let t = typo("Fernández", &mut rng);
            assert_ne!(t, "");
            assert!(t.starts_with('F'), "{t}");
            let d = t.chars().count() as i64 - 9;
            assert!((-1..=1).contains(&d), "{t}");
        }
        assert_eq!(typo("A", &mut rng), "A");
    }

    #[test]
    fn common_surnames_are_common() {
        let t = NameTables::new();
        let mut rng = Rng::new(11);
        let n = 20_000;
        let garcia = (0..n)
            .filter(|_| t.surname(Country::Es, &mut rng) == "García")
            .count();
        let share = garcia as f64 / f64::from(n);
        assert!((0.03..0.12).contains(&share), "{share}");
    }
}
