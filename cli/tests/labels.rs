//! `[matching] labels`: training from a file of labelled pairs, and the
//! mistakes such a file can hold.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::Scratch;

mod common;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn omnid() -> Command {
    let mut c = Command::cargo_bin("omnid").expect("the omnid binary is built");
    c.current_dir(root());
    c
}

fn tempdir(name: &str) -> Scratch {
    common::scratch("labels-test", name)
}

/// FEBRL3's configuration in `dir`, reading the bundled data and training
/// from `labels.csv` beside it.
fn febrl3_with_labels(dir: &Path, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join("examples/febrl/febrl3.toml")).unwrap();
    let data = root().join("examples/febrl/dataset3.csv");
    let text = text
        .replace(
            "path = \"dataset3.csv\"",
            &format!("path = {:?}", data.display().to_string()),
        )
        .replace(
            "[matching]\n",
            &format!("[matching]\nlabels = \"labels.csv\"\n{extra}"),
        );
    let config = dir.join("febrl3.toml");
    std::fs::write(&config, text).unwrap();
    config
}

/// 150 pairs of one person and 150 pairs of two, from FEBRL3's truth.
fn labels_csv() -> String {
    let truth = std::fs::read_to_string(root().join("examples/febrl/truth3.csv")).unwrap();
    let mut people: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut ids = Vec::new();
    for line in truth.lines().skip(1) {
        let (id, person) = line.split_once(',').unwrap();
        people.entry(person).or_default().push(id);
        ids.push((id, person));
    }
    let mut out = String::from("source_a,id_a,source_b,id_b,is_match\n");
    let matches = people.values().filter(|r| r.len() > 1).step_by(7).take(150);
    for records in matches {
        out.push_str(&format!("febrl3,{},febrl3,{},1\n", records[0], records[1]));
    }
    let non_matches = ids
        .iter()
        .zip(ids.iter().skip(1_000))
        .filter(|(a, b)| a.1 != b.1)
        .step_by(13)
        .take(150);
    for (a, b) in non_matches {
        out.push_str(&format!("febrl3,{},febrl3,{},0\n", a.0, b.0));
    }
    out
}

#[test]
fn a_labels_file_trains_the_model_and_febrl3_keeps_f1_0_99() {
    let d = tempdir("febrl3");
    std::fs::write(d.join("labels.csv"), labels_csv()).unwrap();
    let config = febrl3_with_labels(&d, "");
    let out = d.join("out");
    let run = omnid()
        .args(["resolve", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(
        err.contains("150 + 150 labelled pairs, u from"),
        "the train line says labels: {err}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["matching"]["labels"]["matches"], 150, "{summary}");
    let eval = omnid()
        .args([
            "eval",
            "--json",
            "--truth",
            "examples/febrl/truth3.csv",
            "--clusters",
        ])
        .arg(out.join("clusters.csv"))
        .output()
        .unwrap();
    let e: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    let f1 = e["pairwise"]["f1"].as_f64().unwrap();
    assert!(f1 >= 0.99, "pairwise F1 {f1}: {e}");
}

#[test]
fn label_mistakes_name_the_file_and_line() {
    let d = tempdir("mistakes");
    let config = febrl3_with_labels(&d, "");
    let run = |labels: &str| {
        std::fs::write(d.join("labels.csv"), labels).unwrap();
        let out = omnid()
            .args(["-q", "resolve", "--config"])
            .arg(&config)
            .arg("--out")
            .arg(d.join("out"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let head = "source_a,id_a,source_b,id_b,is_match\n";
    let e = run(&format!(
        "{head}febrl3,rec-1496-org,febrl3,rec-552-dup-3,0\nfebrl3,rec-1496-org,febrl3,rec-0-nope,1\n"
    ));
    assert!(
        e.contains("labels.csv line 3") && e.contains("rec-0-nope"),
        "{e}"
    );
    let e = run(&format!(
        "{head}febrl3,rec-1496-org,febrl3,rec-552-dup-3,maybe\n"
    ));
    assert!(
        e.contains("line 2") && e.contains("is_match `maybe`"),
        "{e}"
    );
    let e = run("a,b\n1,2\n");
    assert!(e.contains("no column `source_a`"), "{e}");
    let e = run(&format!(
        "{head}febrl3,rec-1496-org,febrl3,rec-552-dup-3,0\n"
    ));
    assert!(e.contains("no labelled pair is a match"), "{e}");
    std::fs::remove_file(d.join("labels.csv")).unwrap();
    let out = omnid()
        .args(["-q", "resolve", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(d.join("out"))
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("labels") && e.contains("labels.csv"), "{e}");
}

#[test]
fn a_misspelt_matching_key_is_still_an_error_next_to_labels() {
    let d = tempdir("typo");
    std::fs::write(d.join("labels.csv"), labels_csv()).unwrap();
    let config = febrl3_with_labels(&d, "treshold = 0.9\n");
    let out = omnid()
        .args(["-q", "resolve", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(d.join("out"))
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(e.contains("treshold") && e.contains("febrl3.toml:"), "{e}");
    assert!(
        !e.contains("did you mean `matching`"),
        "the key, not the table: {e}"
    );
}
