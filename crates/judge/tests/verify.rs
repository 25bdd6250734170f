//! What `verify-problem` reports besides verdicts, as problemtools would: unknown
//! `problem.yaml` keys, CodeArena's metadata in `problem.yaml`, the time limit's margin
//! over the slowest accepted submission, input validators over all data, duplicate
//! inputs; and where CodeArena's difficulty is read from.

mod common;

use std::path::Path;

use common::{packages, problem, verify_problem};
use judge::{Difficulty, Problem};

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// A small, clean 2023-07 package: sum of two numbers, a Python solution, an input
/// validator that wants two integers in [0, 100] on one line.
fn package(dir: &Path) {
    write(
        dir,
        "problem.yaml",
        "problem_format_version: 2023-07-draft\nname: Sum\nuuid: 0b1f6a40-3f5e-4f7e-9a59-0c4f3a1d2e11\n\
         license: cc by-sa\nrights_owner: CodeArena\nlimits:\n  time_limit: 2.0\n  memory: 256\n",
    );
    write(dir, "codearena.yaml", "difficulty: easy\n");
    write(dir, "statement/problem.en.md", "Add $a$ and $b$.\n");
    for (name, input, answer) in [
        ("sample/1", "1 2\n", "3\n"),
        ("secret/1", "5 7\n", "12\n"),
        ("secret/2", "100 100\n", "200\n"),
    ] {
        write(dir, &format!("data/{name}.in"), input);
        write(dir, &format!("data/{name}.ans"), answer);
    }
    write(
        dir,
        "submissions/accepted/sum.py",
        "a, b = map(int, input().split())\nprint(a + b)\n",
    );
    write(
        dir,
        "input_validators/validate.py",
        "import re, sys\ns = sys.stdin.read()\n\
         m = re.fullmatch(r'(\\d+) (\\d+)\\n', s)\n\
         ok = m and all(0 <= int(x) <= 100 for x in m.groups())\n\
         sys.exit(42 if ok else 43)\n",
    );
}

/// (severity, check) of every finding, and the message of each.
fn findings(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
                    (s("severity"), s("check"), s("message"))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_clean_package_has_no_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    package(dir.path());
    let (ok, report) = verify_problem(dir.path());
    assert!(ok, "{report:#}");
    assert_eq!(report["failures"], 0);
    assert_eq!(findings(&report), []);
    assert!(report["slowest_accepted_ms"].is_u64(), "{report:#}");
}

#[test]
fn what_problemtools_refuses_fails_and_the_rest_warns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    package(p);
    std::fs::remove_file(p.join("codearena.yaml")).expect("rm");
    // An unknown key, CodeArena's old key, a limit in half seconds, and a multiplier
    // no accepted submission can keep.
    write(
        p,
        "problem.yaml",
        "problem_format_version: 2023-07-draft\nname: Sum\nuuid: 0b1f6a40-3f5e-4f7e-9a59-0c4f3a1d2e11\n\
         license: cc by-sa\nrights_owner: CodeArena\nfancy: 1\n\
         limits:\n  time_limit: 1.5\n  memory: 256\n  time_multipliers: {ac_to_time_limit: 1000}\n\
         codearena:\n  difficulty: hard\n",
    );
    // A secret input equal to the sample, and one the input validator refuses.
    write(p, "data/secret/3.in", "1 2\n");
    write(p, "data/secret/3.ans", "3\n");
    write(p, "data/secret/4.in", "101 1\n");
    write(p, "data/secret/4.ans", "102\n");
    // Only the newer key for the default validator's arguments.
    write(
        p,
        "data/secret/testdata.yaml",
        "output_validator_args: [case_sensitive]\n",
    );

    let (ok, report) = verify_problem(p);
    assert!(!ok, "errors fail verify-problem: {report:#}");
    assert_eq!(report["failures"], 0, "the verdicts are all as expected");
    let found = findings(&report);
    let has = |severity: &str, check: &str, text: &str| {
        found
            .iter()
            .any(|(s, c, m)| s == severity && c == check && m.contains(text))
    };
    assert!(has("error", "metadata", "\"fancy\""), "{found:#?}");
    assert!(has("warning", "metadata", "codearena.yaml"), "{found:#?}");
    assert!(
        has("error", "time-limit", "1000 x the slowest accepted"),
        "{found:#?}"
    );
    assert!(
        has(
            "warning",
            "time-limit",
            "not a multiple of the time resolution"
        ),
        "{found:#?}"
    );
    assert!(
        has("warning", "duplicate-inputs", "sample/1, secret/3"),
        "{found:#?}"
    );
    assert!(
        has("error", "input-validators", "secret/4.in: exited 43"),
        "{found:#?}"
    );
    assert!(
        has("warning", "load", "output_validator_flags"),
        "{found:#?}"
    );
    assert_eq!(report["errors"], 3, "{found:#?}");
    // Only the spec's unknown key is an error; the old key still gives the difficulty.
    let loaded = Problem::load(p).expect("loads");
    assert_eq!(loaded.unknown_keys, ["fancy"]);
    assert!(loaded.codearena_key_in_problem_yaml);
    assert_eq!(loaded.difficulty, Some(Difficulty::Hard));
}

#[test]
fn a_package_without_input_validators_gets_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    package(dir.path());
    std::fs::remove_dir_all(dir.path().join("input_validators")).expect("rm");
    let (ok, report) = verify_problem(dir.path());
    assert!(ok, "{report:#}");
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "warning");
    assert_eq!(found[0].1, "input-validators");
}

#[test]
fn the_difficulty_comes_from_codearena_yaml_or_the_old_key() {
    let new = problem("aplusb");
    assert_eq!(new.difficulty, Some(Difficulty::Easy));
    assert!(!new.codearena_key_in_problem_yaml);
    assert!(new.unknown_keys.is_empty());

    // Written before codearena.yaml: still read.
    let old = problem("factor-2025");
    assert_eq!(old.difficulty, Some(Difficulty::Medium));
    assert!(old.codearena_key_in_problem_yaml);
    assert!(old.unknown_keys.is_empty());

    // Both: the file wins, and the load says so.
    let dir = tempfile::tempdir().expect("tempdir");
    package(dir.path());
    let yaml = std::fs::read_to_string(dir.path().join("problem.yaml")).expect("read");
    write(
        dir.path(),
        "problem.yaml",
        &format!("{yaml}codearena: {{difficulty: hard}}\n"),
    );
    let both = Problem::load(dir.path()).expect("loads");
    assert_eq!(both.difficulty, Some(Difficulty::Easy));
    assert!(
        both.warnings.iter().any(|w| w.contains("ignored")),
        "{:?}",
        both.warnings
    );

    // A difficulty that is not one of ours is ignored with a warning.
    write(
        dir.path(),
        "codearena.yaml",
        "difficulty: brutal\nrating: 3\n",
    );
    let odd = Problem::load(dir.path()).expect("loads");
    assert_eq!(odd.difficulty, None);
    assert!(
        odd.warnings.iter().any(|w| w.contains("brutal")),
        "{:?}",
        odd.warnings
    );
    assert!(
        odd.warnings.iter().any(|w| w.contains("rating")),
        "{:?}",
        odd.warnings
    );

    // Every package of the bank keeps its metadata out of problem.yaml.
    let bank = packages().join("../../../../problems");
    for entry in std::fs::read_dir(&bank).expect("problems/").flatten() {
        let p = Problem::load(entry.path()).expect("bank package loads");
        assert!(p.difficulty.is_some(), "{}", p.short_name);
        assert!(!p.codearena_key_in_problem_yaml, "{}", p.short_name);
        assert!(p.unknown_keys.is_empty(), "{}", p.short_name);
        assert!(p.warnings.is_empty(), "{}: {:?}", p.short_name, p.warnings);
    }
}
