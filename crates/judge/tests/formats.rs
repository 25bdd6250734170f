//! Package shapes other tools judge and this judge must too: `constants` substituted
//! where the format says, `include/` files, validators built from several files or from
//! `build`/`run` scripts, submissions of several files, `submissions.yaml`
//! expectations, the validator-test groups (`invalid_input`, `invalid_output`,
//! `valid_output`, `invalid_answer`) checked and never judged, a package with samples
//! only, and a validator that does not compile reported with its compiler's output.

mod common;

use std::path::{Path, PathBuf};

use common::{judge, judge_source, packages, problem, verify_problem};
use judge::{ValidationCaseKind, Verdict};

fn verdict_of(report: &serde_json::Value, submission: &str) -> String {
    report["submissions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["submission"] == submission)
        .and_then(|s| s["verdict"].as_str())
        .unwrap_or("missing")
        .to_string()
}

fn findings(report: &serde_json::Value, check: &str) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["check"] == check)
        .map(|f| {
            (
                f["severity"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// A copy of a test package to change.
fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(name);
    copy_dir(&packages().join(name), &dir);
    (tmp, dir)
}

fn write(path: PathBuf, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

#[test]
fn every_2025_feature_judges_as_its_submissions_expect() {
    let (ok, report) = verify_problem(&packages().join("constants-2025"));
    assert!(ok, "{report:#}");
    assert_eq!(report["failures"], 0);
    assert_eq!(report["errors"], 0, "{:#}", report["findings"]);
    for (submission, verdict) in [
        // include/cpp, include/python3 and include/default (JavaScript has no own dir).
        ("submissions/accepted/sum.cpp", "AC"),
        ("submissions/accepted/sum.py", "AC"),
        ("submissions/accepted/sum.js", "AC"),
        // A directory of two Python files.
        ("submissions/accepted/multi", "AC"),
        // submissions.yaml: per-group expectations and a judge message.
        ("submissions/wrong_answer/overflow.cpp", "WA"),
        // {{greeting.upper}} substituted into the example submission.
        ("submissions/wrong_answer/shout.py", "WA"),
        // A directory whose entry point submissions.yaml names.
        ("submissions/run_time_error/crash", "RTE"),
    ] {
        assert_eq!(verdict_of(&report, submission), verdict, "{submission}");
    }
    // The validator-test groups all behave: no finding about them at all.
    assert_eq!(findings(&report, "validation-cases"), []);
}

#[test]
fn constants_are_substituted_where_the_format_says() {
    let p = problem("constants-2025");
    assert_eq!(p.constants.get("max_n"), Some("20"));
    assert_eq!(p.constants.get("greeting.upper"), Some("HELLO"));
    let statement = &p.statements[0].source;
    assert!(statement.contains(r"$1 \le n \le 20$"), "{statement}");
    assert!(statement.contains("`hello`"), "{statement}");
    assert!(!statement.contains("{{"), "{statement}");
    // test_group.yaml: the output validator's arguments.
    assert_eq!(
        p.secret.settings.output_validator_args,
        ["--greeting", "hello"]
    );
    assert_eq!(
        p.include.keys().map(String::as_str).collect::<Vec<_>>(),
        ["cpp", "default", "python3"]
    );
    // Test data is never substituted: read as written.
    let kinds: Vec<(ValidationCaseKind, &str)> = p
        .validation_cases
        .iter()
        .map(|c| (c.kind, c.name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ValidationCaseKind::InvalidInput, "invalid_input/too_many"),
            (ValidationCaseKind::InvalidInput, "invalid_input/zero"),
            (
                ValidationCaseKind::InvalidOutput,
                "invalid_output/no_greeting"
            ),
            (ValidationCaseKind::InvalidOutput, "invalid_output/shout"),
            (ValidationCaseKind::ValidOutput, "valid_output/spaces"),
        ]
    );
    // `greeting.upper` is a variant: CodeArena's extension, said.
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(p.warnings[0].contains("constants with variants"));
}

#[test]
fn a_package_with_samples_only_is_judged_on_them_and_never_on_validator_tests() {
    let p = problem("samples-only");
    assert!(p.secret.cases().is_empty());
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("judged on the samples only")),
        "{:?}",
        p.warnings
    );
    let (_g, j) = judge();
    let r = judge_source(j, &p, "double.py", "print(2 * int(input()))\n");
    assert_eq!(r.verdict, Verdict::Accepted);
    let names: Vec<&str> = r.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["sample/1", "sample/2"]);
    drop(_g);

    let (ok, report) = verify_problem(&packages().join("samples-only"));
    assert!(ok, "{report:#}");
    assert_eq!(
        verdict_of(&report, "submissions/wrong_answer/plus_two.py"),
        "WA"
    );
    // invalid_answer needs answer validators: said, not silently passed.
    assert_eq!(
        findings(&report, "validation-cases"),
        [(
            "warning".to_string(),
            "invalid_answer/word: answer validators are not run by this judge: not checked"
                .to_string()
        )]
    );
}

#[test]
fn validator_test_groups_fail_verification_when_the_validators_disagree() {
    let (_tmp, dir) = copy_of("samples-only");
    // A valid input in invalid_input, a wrong output in valid_output, a right one in
    // invalid_output.
    write(dir.join("data/invalid_input/fine.in"), "7\n");
    write(dir.join("data/valid_output/wrong.in"), "3\n");
    write(dir.join("data/valid_output/wrong.ans"), "6\n");
    write(dir.join("data/valid_output/wrong.out"), "5\n");
    write(dir.join("data/invalid_output/right.in"), "3\n");
    write(dir.join("data/invalid_output/right.ans"), "6\n");
    write(dir.join("data/invalid_output/right.out"), "6\n");
    let (ok, report) = verify_problem(&dir);
    assert!(!ok, "{report:#}");
    let errors: Vec<String> = findings(&report, "validation-cases")
        .into_iter()
        .filter(|(s, _)| s == "error")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].starts_with("invalid_input/fine: every input validator that ran accepts"));
    assert!(errors[1].starts_with("invalid_output/right: the output validator says AC"));
    assert!(errors[2].starts_with("valid_output/wrong: the output validator says WA"));
}

#[test]
fn submissions_yaml_expectations_that_do_not_hold_fail_verification() {
    let (_tmp, dir) = copy_of("samples-only");
    write(
        dir.join("submissions/submissions.yaml"),
        "wrong_answer/plus_two.py:\n  sample:\n    permitted: [AC]\n\
         accepted:\n  message: never said\n",
    );
    let (ok, report) = verify_problem(&dir);
    assert!(!ok, "{report:#}");
    let by_name = |n: &str| {
        report["submissions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["submission"] == n)
            .cloned()
            .unwrap_or_default()
    };
    let wa = by_name("submissions/wrong_answer/plus_two.py");
    assert_eq!(wa["ok"], false);
    assert!(
        wa["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("sample/2: WA is not permitted")),
        "{wa}"
    );
    let ac = by_name("submissions/accepted/double.py");
    assert_eq!(
        ac["ok"], false,
        "the accepted directory's rule was replaced"
    );
    assert!(
        ac["message"]
            .as_str()
            .is_some_and(|m| m.contains("no judge message contains \"never said\"")),
        "{ac}"
    );
}

#[test]
fn a_validator_that_does_not_compile_is_an_internal_error_that_says_why() {
    let (_tmp, dir) = copy_of("samples-only");
    write(
        dir.join("output_validator/broken.cpp"),
        "int main( { return 42; }\n",
    );
    let p = judge::Problem::load(&dir).expect("loads");
    let (_g, j) = judge();
    let r = judge_source(j, &p, "double.py", "print(2 * int(input()))\n");
    assert_eq!(r.verdict, Verdict::InternalError);
    let message = r.message.unwrap_or_default();
    assert!(
        message.starts_with("output validator: compilation failed"),
        "{message}"
    );
    // The compiler's own words, with the file they are about.
    assert!(message.contains("broken.cpp:1"), "{message}");
    assert!(message.contains("error:"), "{message}");
}

#[test]
fn a_build_script_that_fails_is_an_internal_error_with_its_output() {
    let (_tmp, dir) = copy_of("samples-only");
    write(
        dir.join("output_validator/build"),
        "#!/bin/sh\necho building the checker\necho 'no compiler for this' >&2\nexit 3\n",
    );
    let p = judge::Problem::load(&dir).expect("loads");
    let (_g, j) = judge();
    let r = judge_source(j, &p, "double.py", "print(2 * int(input()))\n");
    assert_eq!(r.verdict, Verdict::InternalError);
    let message = r.message.unwrap_or_default();
    assert!(
        message.starts_with("output validator: the build script failed (exit code 3)"),
        "{message}"
    );
    assert!(message.contains("building the checker"), "{message}");
    assert!(message.contains("no compiler for this"), "{message}");
}

#[test]
fn a_malformed_submissions_yaml_is_refused_with_the_key_named() {
    for (yaml, says) in [
        // A typo is neither an expectation nor a test group.
        ("accepted:\n  permited: [AC]\n", "unknown key \"permited\""),
        (
            "wrong_answer/plus_two.py:\n  required: [WRONG]\n",
            "is not a verdict",
        ),
        (
            "accepted:\n  secret:\n    score: 10\n",
            "score under a test group",
        ),
        ("accepted:\n  sample: [AC]\n", "must be a map"),
        ("- accepted\n", "must be a map of submission globs"),
    ] {
        let (_tmp, dir) = copy_of("samples-only");
        write(dir.join("submissions/submissions.yaml"), yaml);
        let p = judge::Problem::load(&dir).expect("loads");
        match judge::submissions::discover(&p) {
            Err(e) => assert!(e.to_string().contains(says), "{yaml}: {e}"),
            Ok(_) => panic!("{yaml}: accepted"),
        }
    }
}

#[test]
fn an_entrypoint_cannot_point_out_of_its_submission() {
    let (_tmp, dir) = copy_of("samples-only");
    write(
        dir.join("submissions/accepted/multi/main.py"),
        "print(2 * int(input()))\n",
    );
    for entry in ["../../../problem.yaml", "/etc/passwd", "missing.py"] {
        write(
            dir.join("submissions/submissions.yaml"),
            &format!("accepted/multi:\n  entrypoint: {entry:?}\n"),
        );
        let p = judge::Problem::load(&dir).expect("loads");
        let err = judge::submissions::discover(&p).expect_err(entry);
        assert!(
            err.to_string().contains("entrypoint") || err.to_string().contains("no file"),
            "{err}"
        );
    }
}

#[test]
fn a_directorys_own_key_keeps_its_test_group_rules() {
    let (_tmp, dir) = copy_of("samples-only");
    // plus_two is right on sample/1 and wrong on sample/2: all samples AC fails.
    write(
        dir.join("submissions/submissions.yaml"),
        "wrong_answer:\n  sample:\n    permitted: [AC]\n",
    );
    let (ok, report) = verify_problem(&dir);
    assert!(!ok, "{report:#}");
    assert_eq!(
        verdict_of(&report, "submissions/wrong_answer/plus_two.py"),
        "WA"
    );
    let failures: Vec<&serde_json::Value> = report["submissions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["ok"] == false)
        .collect();
    assert_eq!(failures.len(), 1, "{report:#}");
    assert!(
        failures[0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("sample/2: WA is not permitted")),
        "{report:#}"
    );
}

#[test]
fn an_included_driver_becomes_the_entry_point_with_the_submission_beside_it() {
    let (_tmp, dir) = copy_of("samples-only");
    write(
        dir.join("include/python3/main.py"),
        "import solution\n\nprint(solution.double(int(input())))\n",
    );
    let p = judge::Problem::load(&dir).expect("loads");
    let (_g, j) = judge();
    let r = judge_source(j, &p, "solution.py", "def double(x):\n    return 2 * x\n");
    assert_eq!(r.verdict, Verdict::Accepted, "{:?}", r.message);
    let r = judge_source(j, &p, "solution.py", "def double(x):\n    return x + 2\n");
    assert_eq!(r.verdict, Verdict::WrongAnswer);
}

#[test]
fn a_validator_in_c_is_compiled_as_c() {
    let (_tmp, dir) = copy_of("samples-only");
    // `new` and an implicit void* conversion: valid C, not C++.
    write(
        dir.join("output_validator/check.c"),
        "#include <stdio.h>\n#include <stdlib.h>\n\
         int main(int argc, char **argv) {\n\
           long want, got; int *new = malloc(sizeof *new);\n\
           FILE *ans = fopen(argv[2], \"r\");\n\
           if (!ans || fscanf(ans, \"%ld\", &want) != 1) return 1;\n\
           *new = scanf(\"%ld\", &got) == 1 && got == want;\n\
           return *new ? 42 : 43;\n\
         }\n",
    );
    let p = judge::Problem::load(&dir).expect("loads");
    let (_g, j) = judge();
    let r = judge_source(j, &p, "double.py", "print(2 * int(input()))\n");
    assert_eq!(r.verdict, Verdict::Accepted, "{:?}", r.message);
    let r = judge_source(j, &p, "double.py", "print(2 * int(input()) + 1)\n");
    assert_eq!(r.verdict, Verdict::WrongAnswer);
}
