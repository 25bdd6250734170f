//! Interactive and multi-pass problems: `verify-problem` on the example
//! packages `guess` (2023-07, interactive, Python interactor) and
//! `relay-multipass` (2025-09, three passes, feedback kept between them)
//! gives every submission its folder's verdict, judge messages reach the
//! report, a hostile submission learns nothing of the interactor's files,
//! and every format version's way of saying "interactive" or "multi-pass"
//! loads.

mod common;

use std::path::Path;

use common::{assert_nothing_left, judge, packages, problem, verify_passing};
use judge::{Problem, Verdict};

/// Each submission's path and verdict.
fn verdicts(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = report["submissions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    Some((
                        s["submission"].as_str()?.to_string(),
                        s["verdict"].as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn interactive_submissions_get_their_folders_verdicts() {
    let report = verify_passing(&packages().join("guess"));
    let got = verdicts(&report);
    let want = [
        ("submissions/accepted/bisect.cpp", "AC"),
        ("submissions/accepted/bisect.py", "AC"),
        // Crashed first; the interactor then rejected on end-of-file.
        ("submissions/run_time_error/crash_mid_game.py", "RTE"),
        // Accepted by the interactor, then a non-zero exit.
        ("submissions/run_time_error/exit_after.py", "RTE"),
        // Waits for the interactor, which waits for it: the wall limit.
        ("submissions/time_limit_exceeded/silent.py", "TLE"),
        ("submissions/time_limit_exceeded/spin.cpp", "TLE"),
        // Rejected, then crashed or spun: the interactor ended first and its verdict wins.
        ("submissions/wrong_answer/guess_then_crash.py", "WA"),
        ("submissions/wrong_answer/linear.py", "WA"),
        // Hostile: reads no interactor file and writes to no other descriptor.
        ("submissions/wrong_answer/peek.py", "WA"),
        ("submissions/wrong_answer/wrong_then_spin.cpp", "WA"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(s, v)| (s.to_string(), v.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn the_interactors_judge_message_is_in_the_report() {
    let (_g, j) = judge();
    let p = problem("guess");
    let dir = packages().join("guess/submissions");
    let accepted = j
        .judge_file(&p, &dir.join("accepted/bisect.py"), None)
        .expect("judge");
    assert_eq!(accepted.verdict, Verdict::Accepted);
    assert_eq!(accepted.tests.len(), 4);
    let first = accepted.tests[0].message.as_deref().unwrap_or("");
    assert!(first.starts_with("found 7 with"), "{first}");

    let wrong = j
        .judge_file(&p, &dir.join("wrong_answer/guess_then_crash.py"), None)
        .expect("judge");
    assert_eq!(wrong.verdict, Verdict::WrongAnswer);
    let message = wrong.tests[0].message.as_deref().unwrap_or("");
    assert!(
        message.contains("answered 11, the number was 7"),
        "{message}"
    );
    assert_nothing_left();
}

#[test]
fn multi_pass_submissions_get_their_folders_verdicts() {
    let report = verify_passing(&packages().join("relay-multipass"));
    let got: Vec<String> = verdicts(&report).into_iter().map(|(_, v)| v).collect();
    assert_eq!(got, ["AC", "AC", "RTE", "TLE", "WA"]);

    let (_g, j) = judge();
    let p = problem("relay-multipass");
    assert_eq!(p.multi_pass, Some(3));
    let wrong = j
        .judge_file(
            &p,
            &packages().join("relay-multipass/submissions/wrong_answer/first_pass_only.py"),
            None,
        )
        .expect("judge");
    // The validator appends to judgemessage.txt, kept between passes.
    let message = wrong.tests[0].message.as_deref().unwrap_or("");
    assert_eq!(message, "pass 1: ok\npass 2: expected 8, got '5'\n");
}

fn with_problem_yaml(yaml: &str) -> (tempfile::TempDir, Result<Problem, judge::ProblemError>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("guess");
    copy_dir(&packages().join("guess"), &copy);
    std::fs::write(copy.join("problem.yaml"), yaml).expect("write");
    let loaded = Problem::load(&copy);
    (dir, loaded)
}

#[test]
fn every_format_says_interactive_and_multi_pass_its_way() {
    let (_d, legacy) = with_problem_yaml("name: Guess\nvalidation: custom interactive\n");
    let legacy = legacy.expect("legacy interactive");
    // Legacy keeps its validator in output_validators/; this copy has the
    // later directory name, which is read too.
    assert!(legacy.interactive && legacy.multi_pass.is_none());

    let (_d, both) = with_problem_yaml(
        "problem_format_version: 2023-07-draft\nname: Guess\nuuid: 7d3f2a10-4b6e-4c8a-9e21-5a0c6b9d1f42\ntype: [interactive, multi-pass]\n",
    );
    let both = both.expect("a list of types");
    assert!(both.interactive);
    assert_eq!(both.multi_pass, Some(2), "validation_passes defaults to 2");

    let (_d, batch) = with_problem_yaml(
        "problem_format_version: 2025-09\nname: Guess\nuuid: 7d3f2a10-4b6e-4c8a-9e21-5a0c6b9d1f42\n",
    );
    assert!(!batch.expect("pass-fail").interactive);

    for refused in [
        "problem_format_version: 2025-09\nname: G\ntype: submit-answer\n",
        "problem_format_version: 2025-09\nname: G\ntype: [pass-fail, scoring]\n",
        "problem_format_version: 2025-09\nname: G\ntype: multi-pass\nlimits:\n  validation_passes: 1\n",
    ] {
        let (_d, loaded) = with_problem_yaml(refused);
        assert!(loaded.is_err(), "{refused}");
    }

    // An interactive problem without an interactor cannot be judged.
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("guess");
    copy_dir(&packages().join("guess"), &copy);
    std::fs::remove_dir_all(copy.join("output_validator")).expect("rm");
    let err = Problem::load(&copy).expect_err("no interactor");
    assert!(err.to_string().contains("custom output validator"), "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
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
