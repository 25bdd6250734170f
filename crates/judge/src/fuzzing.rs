//! What the fuzz targets (`fuzz/fuzz_targets/`) check, here so that the ordinary tests
//! replay the committed corpus (`fuzz/corpus/<target>/`) through the same code. Each
//! function takes arbitrary bytes; an error answer is fine, a panic (or a broken
//! invariant, asserted) is a finding. Compiled for tests and with the `fuzzing` feature.

use std::fs;
use std::path::{Path, PathBuf};

use crate::package;
use crate::{OutputValidator, Problem, ValidatorFlags, default_validate};

/// A scratch directory, in memory where there is a tmpfs (fuzzing writes one per input).
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let builder = tempfile::Builder::new()
        .prefix("codearena-fuzz-")
        .tempdir_in(shm);
    match builder {
        Ok(dir) => dir,
        Err(_) => tempfile::tempdir().expect("a temporary directory"),
    }
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("creating a scratch directory");
    }
    fs::write(path, bytes).expect("writing a scratch file");
}

/// A package directory with one sample and one secret case (answer `1`).
fn package_with_cases(root: &Path) -> PathBuf {
    let dir = root.join("fuzzed");
    for case in ["data/sample/1", "data/secret/g/1"] {
        write(&dir.join(format!("{case}.in")), b"1\n");
        write(&dir.join(format!("{case}.ans")), b"1\n");
    }
    dir
}

/// What a loaded package always satisfies, whatever its YAML said.
fn check_loaded(problem: &Problem) {
    let limits = &problem.limits;
    if let Some(t) = limits.time_limit {
        assert!(
            t > std::time::Duration::ZERO && t.as_secs_f64() <= 3600.0,
            "{t:?}"
        );
    }
    assert!(limits.memory_bytes >= 16 * 1024 * 1024, "{limits:?}");
    assert!(limits.memory_bytes <= 65536 * 1024 * 1024, "{limits:?}");
    assert!(limits.output_bytes <= 4096 * 1024 * 1024, "{limits:?}");
    assert!(limits.ac_to_time_limit.is_finite(), "{limits:?}");
    if let Some(passes) = problem.multi_pass {
        assert!((2..=100).contains(&passes), "{passes} passes");
    }
    // The package has no output validator: interactive and multi-pass need one.
    assert!(matches!(problem.validator, OutputValidator::Default));
    assert!(!problem.interactive && problem.multi_pass.is_none());
    assert!(!problem.test_cases().is_empty());
    problem
        .content_hash()
        .expect("a loaded package has a content hash");
    // The default validator's flags, wherever they came from: if they parse, the
    // answer is accepted against itself.
    for (group, case) in problem.test_cases() {
        assert!(case.input.is_file() && case.answer.is_file());
        if let Ok(flags) = ValidatorFlags::parse(&group.settings.output_validator_args) {
            assert_eq!(default_validate(b"1\n", b"1\n", &flags), Ok(()));
        }
    }
}

/// Loads a package twice: the same answer both times, and [`check_loaded`] when it loads.
fn load_and_check(dir: &Path) {
    let first = Problem::load(dir);
    let second = Problem::load(dir);
    match (&first, &second) {
        (Ok(a), Ok(b)) => {
            check_loaded(a);
            let (a, b) = (serde_json::to_string(a), serde_json::to_string(b));
            assert_eq!(a.ok(), b.ok(), "loading is deterministic");
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("loaded once and refused once: {first:?} / {second:?}"),
    }
}

/// `problem.yaml` (the input) in a package with test data: [`Problem::load`] refuses it or
/// gives a package within its limits.
pub fn problem_yaml(data: &[u8]) {
    let root = scratch();
    let dir = package_with_cases(root.path());
    write(&dir.join("problem.yaml"), data);
    load_and_check(&dir);
}

/// A test-group settings file (`testdata.yaml`, or `test_group.yaml` from 2025-09) at
/// `data/`, again in `data/secret/g/` and in a validator-test group. The first byte
/// picks the format version (the 2025-09 one has constants to substitute).
pub fn testdata_yaml(data: &[u8]) {
    let Some((&version, settings)) = data.split_first() else {
        return;
    };
    let (problem_yaml, file): (&[u8], &str) = match version % 3 {
        0 => (b"name: Fuzzed\n", "testdata.yaml"),
        1 => (
            b"problem_format_version: 2023-07-draft\nname: Fuzzed\n",
            "testdata.yaml",
        ),
        _ => (
            b"problem_format_version: 2025-09\nname: Fuzzed\nconstants:\n  eps: 1e-6\n  \
              n: {value: 5, latex: \"5\"}\n",
            "test_group.yaml",
        ),
    };
    let root = scratch();
    let dir = package_with_cases(root.path());
    write(&dir.join("problem.yaml"), problem_yaml);
    for group in ["data", "data/secret/g", "data/valid_output"] {
        write(&dir.join(group).join(file), settings);
    }
    for ext in ["in", "ans", "out"] {
        write(&dir.join(format!("data/valid_output/1.{ext}")), b"1\n");
    }
    load_and_check(&dir);
    if let Ok(problem) = Problem::load(&dir) {
        assert_eq!(problem.test_cases().len(), 2);
        assert_eq!(problem.validation_cases.len(), 1);
        let secret = problem.test_cases()[1].0;
        // Validator arguments are inherited from `data/` and replaced by the group's own
        // file (the same text here): both levels say the same.
        let root_args = &problem.secret.settings.output_validator_args;
        assert_eq!(&secret.settings.output_validator_args, root_args);
    }
}

/// Bytes unpacked as a package archive into a fresh directory (with a 1 MiB cap): nothing
/// lands outside it, only plain files and directories inside it, and what unpacks
/// packs into an archive that unpacks to the same files and packs to the same bytes.
pub fn package_unpack(data: &[u8]) {
    const CAP: u64 = 1024 * 1024;
    let root = scratch();
    let dest = root.path().join("pkg");
    let result = package::unpack_at_most(data, &dest, CAP);
    let names: Vec<_> = fs::read_dir(root.path())
        .expect("reading the scratch directory")
        .map(|e| e.expect("a directory entry").file_name())
        .collect();
    assert!(
        names.iter().all(|n| n == "pkg"),
        "unpacking wrote beside its destination: {names:?}"
    );
    let total = plain_tree_bytes(&dest);
    assert!(total <= CAP, "{total} bytes unpacked, cap {CAP}");
    if result.is_err() {
        return;
    }
    let packed = package::pack(&dest).expect("packing what was unpacked");
    let again = root.path().join("pkg2");
    package::unpack_at_most(&packed, &again, CAP).expect("unpacking a packed package");
    let repacked = package::pack(&again).expect("packing it again");
    assert!(packed == repacked, "pack ∘ unpack is not the identity");
}

/// Bytes of the regular files under `dir`, asserting that it holds nothing else.
fn plain_tree_bytes(dir: &Path) -> u64 {
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return 0;
    };
    assert!(meta.is_dir(), "{} is not a directory", dir.display());
    let mut total = 0;
    for entry in fs::read_dir(dir).expect("reading an unpacked directory") {
        let path = entry.expect("a directory entry").path();
        let meta = fs::symlink_metadata(&path).expect("stat of an unpacked entry");
        if meta.is_dir() {
            total += plain_tree_bytes(&path);
        } else {
            assert!(
                meta.is_file(),
                "{} is neither file nor directory",
                path.display()
            );
            total += meta.len();
        }
    }
    total
}

/// The default output validator. The input is the flag words on the first line, then
/// the judge's answer and the team's output separated by the first NUL byte. Beyond not
/// panicking: every text is accepted against itself; the verdict does not depend on the
/// team's whitespace (unless `space_change_sensitive`) or letter case (unless
/// `case_sensitive`); and without a relative tolerance (the one thing measured against
/// the judge's side) swapping judge and team changes nothing.
pub fn default_validator(data: &[u8]) {
    let (flags, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let (judge, team) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let words: Vec<String> = String::from_utf8_lossy(flags)
        .split_whitespace()
        .map(String::from)
        .collect();
    let Ok(flags) = ValidatorFlags::parse(&words) else {
        return;
    };
    let verdict = default_validate(judge, team, &flags).is_ok();
    for text in [judge, team] {
        assert_eq!(default_validate(text, text, &flags), Ok(()), "{flags:?}");
    }
    if !flags.space_change_sensitive {
        let mut respaced = Vec::with_capacity(team.len());
        for (i, &b) in team.iter().enumerate() {
            if !b.is_ascii_whitespace() {
                respaced.push(b);
            } else if i == 0 || !team[i - 1].is_ascii_whitespace() {
                respaced.extend_from_slice(b"\n\t ");
            }
        }
        let respaced_verdict = default_validate(judge, &respaced, &flags).is_ok();
        assert_eq!(verdict, respaced_verdict, "whitespace changed the verdict");
    }
    if !flags.case_sensitive {
        let upper = team.to_ascii_uppercase();
        let upper_verdict = default_validate(judge, &upper, &flags).is_ok();
        assert_eq!(verdict, upper_verdict, "letter case changed the verdict");
    }
    if flags.float_relative_tolerance.is_none() {
        let swapped = default_validate(team, judge, &flags).is_ok();
        assert_eq!(verdict, swapped, "judge and team are not interchangeable");
    }
}

#[cfg(test)]
mod tests {
    //! The committed fuzz corpus, replayed on every `cargo test` (no libFuzzer needed).

    use testkit::fuzz::replay_corpus as replay;

    #[test]
    fn fuzz_corpus_problem_yaml() {
        replay("problem_yaml", super::problem_yaml);
    }

    #[test]
    fn fuzz_corpus_testdata_yaml() {
        replay("testdata_yaml", super::testdata_yaml);
    }

    #[test]
    fn fuzz_corpus_package_unpack() {
        replay("package_unpack", super::package_unpack);
    }

    #[test]
    fn fuzz_corpus_default_validator() {
        replay("default_validator", super::default_validator);
    }
}
