//! The example packages under `tests/packages/`: `verify-problem` passes on
//! each (every verdict, a custom validator, float tolerance, test groups,
//! scoring, all three format versions), the `judge` command's JSON, package
//! metadata, content hashes and language discovery.

mod common;

use std::process::Command;

use common::{BIN, judge, judge_source, packages, problem, verify_passing};
use judge::{Difficulty, FormatVersion, Languages, Problem, ProblemType, StatementFormat, Verdict};

fn verdicts(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = report["submissions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["verdict"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v.dedup();
    v
}

#[test]
fn aplusb_covers_every_language_and_verdict() {
    let report = verify_passing(&packages().join("aplusb"));
    assert_eq!(
        verdicts(&report),
        ["AC", "CE", "MLE", "OLE", "RTE", "TLE", "WA"]
    );
    let accepted: Vec<&str> = report["submissions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|s| s["expected"] == "accepted")
                .filter_map(|s| s["submission"].as_str())
                .collect()
        })
        .unwrap_or_default();
    for ext in [
        "c", "cpp", "py", "js", "java", "rs", "go", "kt", "cs", "rb", "php", "hs", "ml", "scala",
    ] {
        assert!(
            accepted.iter().any(|s| s.ends_with(&format!(".{ext}"))),
            "no accepted .{ext}"
        );
    }
    // PyPy has no extension of its own (.py is CPython's): its file names it in `#!`.
    assert!(
        accepted.contains(&"submissions/accepted/sum_pypy"),
        "{accepted:?}"
    );
    let languages: Vec<&str> = report["submissions"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["language"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        languages.iter().any(|l| l.starts_with("PyPy 3 ")),
        "{languages:?}"
    );
    let compile_errors: Vec<&str> = report["submissions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|s| s["expected"] == "compile_error" && s["ok"] == true)
                .filter_map(|s| s["submission"].as_str())
                .collect()
        })
        .unwrap_or_default();
    for file in ["broken.kt", "broken.hs"] {
        assert!(
            compile_errors.iter().any(|s| s.ends_with(file)),
            "{file}: {compile_errors:?}"
        );
    }
}

#[test]
fn pypy_is_chosen_by_its_id_for_a_py_file() {
    let (_g, j) = judge();
    let report = j
        .judge_file(
            &problem("aplusb"),
            &packages().join("aplusb/submissions/accepted/sum.py"),
            Some("pypy3"),
        )
        .expect("judge");
    assert_eq!(report.verdict, Verdict::Accepted, "{:?}", report.message);
    assert!(
        report.language.starts_with("PyPy 3 "),
        "{}",
        report.language
    );
}

#[test]
fn legacy_float_tolerance_and_derived_time_limit() {
    let report = verify_passing(&packages().join("sqrt-legacy"));
    assert_eq!(verdicts(&report), ["AC", "WA"]);
    // No limit in the package: derived from the accepted submissions.
    assert_eq!(report["time_limit_ms"], 1000);
}

#[test]
fn custom_validator_groups_and_scoring() {
    let report = verify_passing(&packages().join("factor-2025"));
    assert_eq!(verdicts(&report), ["AC", "MLE", "RTE", "WA"]);
}

#[test]
fn judge_json_reports_score_groups_and_tests() {
    let (_g, _) = judge();
    let dir = packages().join("factor-2025");
    let out = Command::new(BIN)
        .args(["judge", "--json"])
        .arg(&dir)
        .arg(dir.join("submissions/wrong_answer/small_only.py"))
        .output()
        .expect("run codearena-judge");
    assert_eq!(out.status.code(), Some(1), "rejections exit 1");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(r["verdict"], "WA");
    // Group 1 (30 points) passes, group 2 (70) fails; scoring runs every test.
    assert_eq!(r["score"], 30.0);
    let tests = r["tests"].as_array().cloned().unwrap_or_default();
    assert_eq!(tests.len(), 5);
    assert_eq!(tests[1]["group"], "secret/group1");
    assert_eq!(tests[3]["name"], "secret/group2/1");
    assert_eq!(tests[3]["verdict"], "WA");
    assert_eq!(tests[3]["message"], "factors must be greater than 1\n");
    for t in &tests {
        assert!(t["time_ms"].is_u64() && t["memory_bytes"].as_u64().unwrap_or(0) > 0);
    }
}

#[test]
fn judge_text_and_language_override() {
    let (_g, _) = judge();
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("solution.txt");
    std::fs::write(&src, "a, b = map(int, input().split())\nprint(a + b)\n").expect("write");
    let pkg = packages().join("aplusb");
    let out = Command::new(BIN)
        .arg("judge")
        .arg(&pkg)
        .arg(&src)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "unknown extension without --language is an error"
    );
    let out = Command::new(BIN)
        .args(["judge", "--language", "python"])
        .arg(&pkg)
        .arg(&src)
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("AC  aplusb in Python 3"), "{text}");
    assert!(text.contains("secret/03"), "{text}");
}

#[test]
fn pass_fail_stops_at_the_first_failure() {
    let (_g, j) = judge();
    let p = problem("aplusb");
    // Right on the sample, wrong on secret/01 (a > 50).
    let r = judge_source(
        j,
        &p,
        "wa.py",
        "a, b = map(int, input().split())\nprint(a + b + (a > 50))\n",
    );
    assert_eq!(r.verdict, Verdict::WrongAnswer);
    let names: Vec<&str> = r.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["sample/1", "secret/01"]);
    assert_eq!(r.score, None);
}

#[test]
fn all_tests_runs_on_after_a_failure_and_keeps_the_first_failures_verdict() {
    let (_g, j) = judge();
    let p = problem("aplusb");
    let code = "a, b = map(int, input().split())\nprint(a + b + (a > 50))\n";
    let lang = j
        .language_for(std::path::Path::new("wa.py"), None)
        .expect("python");
    let limit = p.time_limit().unwrap_or(judge::DEFAULT_TIME_LIMIT);
    let options = judge::JudgeOptions { all_tests: true };
    let r = j.judge_with(
        &p,
        lang,
        std::path::Path::new("wa.py"),
        code.as_bytes(),
        limit,
        options,
    );
    common::assert_nothing_left();
    assert_eq!(r.verdict, Verdict::WrongAnswer);
    let names: Vec<&str> = r.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["sample/1", "secret/01", "secret/02", "secret/03"]);
    assert_eq!(r.tests[1].verdict, Verdict::WrongAnswer);
}

#[test]
fn package_metadata() {
    let p = problem("aplusb");
    assert_eq!(p.format, FormatVersion::Draft2023_07);
    assert_eq!(p.name, "A plus B");
    assert_eq!(p.difficulty, Some(Difficulty::Easy));
    assert_eq!(p.keywords, ["implementation", "math"]);
    assert_eq!(p.license.as_deref(), Some("cc by-sa"));
    assert_eq!(p.limits.time_limit.map(|t| t.as_millis()), Some(1000));
    assert_eq!(p.limits.memory_bytes, 256 << 20);
    assert_eq!(p.statements[0].format, StatementFormat::Markdown);
    assert!(p.statements[0].source.contains("$a + b$"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    let legacy = problem("sqrt-legacy");
    assert_eq!(legacy.format, FormatVersion::Legacy);
    assert_eq!(legacy.time_limit(), None);
    assert_eq!(
        legacy.secret.settings.output_validator_args,
        ["float_tolerance", "1e-6"]
    );
    assert_eq!(legacy.statements[0].format, StatementFormat::Latex);
    assert_eq!(
        legacy
            .derived_time_limit(std::time::Duration::from_millis(30))
            .as_millis(),
        1000
    );
    assert_eq!(
        legacy
            .derived_time_limit(std::time::Duration::from_millis(1100))
            .as_millis(),
        6000
    );

    let scoring = problem("factor-2025");
    assert_eq!(scoring.format, FormatVersion::V2025_09);
    assert_eq!(scoring.problem_type, ProblemType::Scoring);
    assert!(matches!(
        scoring.validator,
        judge::OutputValidator::Custom(_)
    ));
    let groups: Vec<String> = scoring
        .secret
        .children
        .iter()
        .filter_map(|c| match c {
            judge::TestNode::Group(g) => Some(format!("{}={:?}", g.name, g.settings.max_score)),
            judge::TestNode::Case(_) => None,
        })
        .collect();
    assert_eq!(
        groups,
        ["secret/group1=Some(30.0)", "secret/group2=Some(70.0)"]
    );
}

#[test]
fn unknown_keys_warn_instead_of_failing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::create_dir_all(p.join("data/secret")).expect("mkdir");
    std::fs::write(p.join("data/secret/1.in"), "").expect("write");
    std::fs::write(p.join("data/secret/1.ans"), "").expect("write");
    std::fs::write(
        p.join("problem.yaml"),
        "problem_format_version: 2023-07-draft\nname: x\nuuid: u\nfancy: 1\ncodearena: {difficulty: hard, color: red}\n",
    )
    .expect("write");
    let problem = Problem::load(p).expect("loads");
    assert_eq!(problem.difficulty, Some(Difficulty::Hard));
    assert_eq!(problem.warnings.len(), 2, "{:?}", problem.warnings);
    assert!(problem.warnings[0].contains("fancy"));
}

#[test]
fn content_hash_follows_test_data_not_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("aplusb");
    copy_dir(&packages().join("aplusb"), &copy);
    let original = Problem::load(&copy)
        .and_then(|p| p.content_hash())
        .expect("hash");
    assert_eq!(original.len(), 64);
    assert_eq!(
        Problem::load(&copy)
            .and_then(|p| p.content_hash())
            .ok()
            .as_deref(),
        Some(original.as_str())
    );

    let yaml = std::fs::read_to_string(copy.join("problem.yaml")).expect("read");
    std::fs::write(
        copy.join("problem.yaml"),
        yaml.replace("name: A plus B", "name: A + B"),
    )
    .expect("write");
    assert_eq!(
        Problem::load(&copy)
            .and_then(|p| p.content_hash())
            .ok()
            .as_deref(),
        Some(original.as_str())
    );

    std::fs::write(copy.join("data/secret/01.ans"), "94\n").expect("write");
    let changed = Problem::load(&copy)
        .and_then(|p| p.content_hash())
        .expect("hash");
    assert_ne!(changed, original);

    std::fs::write(copy.join("data/secret/01.ans"), "93\n").expect("write");
    let yaml = std::fs::read_to_string(copy.join("problem.yaml")).expect("read");
    std::fs::write(
        copy.join("problem.yaml"),
        yaml.replace("time_limit: 1", "time_limit: 2"),
    )
    .expect("write");
    let limits = Problem::load(&copy)
        .and_then(|p| p.content_hash())
        .expect("hash");
    assert_ne!(limits, original);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

#[test]
fn all_languages_are_installed_and_versioned() {
    let langs = Languages::discover();
    let ids: Vec<&str> = langs.languages.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "c",
            "cpp",
            "python",
            "javascript",
            "java",
            "rust",
            "go",
            "pypy3",
            "kotlin",
            "csharp",
            "ruby",
            "php",
            "haskell",
            "ocaml",
            "scala"
        ]
    );
    for l in &langs.languages {
        assert!(
            l.version.chars().any(|c| c.is_ascii_digit()),
            "{}: {}",
            l.id,
            l.version
        );
    }
    assert_eq!(
        langs
            .for_file(std::path::Path::new("x.cc"))
            .map(|l| l.id.as_str()),
        Some("cpp")
    );
    assert_eq!(langs.get("python3").map(|l| l.id.as_str()), Some("python"));
}

#[test]
fn judge_can_be_shared_across_threads() {
    // The services hold one Judge per worker behind an Arc and call it from
    // spawn_blocking.
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<judge::Judge>();
    assert_send_sync::<judge::Report>();
}

#[test]
fn broken_custom_validators_are_internal_errors() {
    let (_g, j) = judge();
    let code = b"n = int(input())\nd = 2\nwhile n % d:\n    d += 1\nprint(d, n // d)\n";
    for (validator, expect) in [
        // Crashes instead of answering 42/43.
        ("int main() { return 1; }\n", "exit"),
        // Does not compile.
        ("int main() { return }\n", "compil"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let copy = dir.path().join("factor-2025");
        copy_dir(&packages().join("factor-2025"), &copy);
        std::fs::write(copy.join("output_validator/validator.cpp"), validator).expect("write");
        let problem = Problem::load(&copy).expect("loads");
        let r = j
            .judge_code(&problem, Some("python"), "trial.py", code)
            .expect("judge");
        assert_eq!(r.verdict, Verdict::InternalError);
        let message = r
            .message
            .or_else(|| r.tests.first().and_then(|t| t.message.clone()))
            .unwrap_or_default();
        assert!(message.to_lowercase().contains(expect), "{message}");
    }
}
