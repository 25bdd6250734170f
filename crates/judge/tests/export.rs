//! `problem export`: a package written for Kattis (legacy format) loads back with the
//! same tests, limits, validator and statement, and its submissions get the same
//! verdicts; one written for DOMjudge has what DOMjudge's import reads.

mod common;

use std::io::Read;
use std::path::Path;

use common::{problem, verify_passing};
use judge::export::{ExportError, ExportFormat, export};
use judge::{FormatVersion, OutputValidator, Problem};

fn unzip(bytes: &[u8], to: &Path) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    zip.extract(to).expect("extract");
}

fn entry(bytes: &[u8], name: &str) -> Option<(String, Option<u32>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut f = zip.by_name(name).ok()?;
    let mut text = String::new();
    f.read_to_string(&mut text).ok()?;
    Some((text, f.unix_mode()))
}

#[test]
fn a_kattis_export_loads_back_as_the_same_problem() {
    let original = problem("constants-2025");
    let exported = export(&original, ExportFormat::Kattis).expect("export");
    let tmp = tempfile::tempdir().expect("tempdir");
    unzip(&exported.bytes, tmp.path());
    let back = Problem::load(tmp.path().join("constants2025")).expect("loads back");
    assert_eq!(back.format, FormatVersion::Legacy);
    assert_eq!(back.name, "Greeting Sum");
    assert_eq!(back.time_limit(), original.time_limit());
    assert_eq!(back.limits.memory_bytes, original.limits.memory_bytes);
    let names = |p: &Problem| -> Vec<String> {
        p.test_cases().iter().map(|(_, c)| c.name.clone()).collect()
    };
    assert_eq!(names(&back), names(&original));
    assert_eq!(
        back.secret.settings.output_validator_args,
        ["--greeting", "hello"]
    );
    assert!(matches!(back.validator, OutputValidator::Custom(_)));
    // Legacy has no constants: substituted everywhere on the way out; its statements
    // are LaTeX, converted from the Markdown.
    assert_eq!(back.statements[0].format, judge::StatementFormat::Latex);
    let tex = &back.statements[0].source;
    assert!(tex.starts_with("\\problemname{Greeting Sum}"), "{tex}");
    assert!(tex.contains(r"$1 \le n \le 20$"), "{tex}");
    assert!(tex.contains(r"\section*{Input}"), "{tex}");
    // include/default copied into every legacy language without its own directory.
    assert!(
        tmp.path()
            .join("constants2025/include/java/greeting.txt")
            .is_file()
    );
    assert!(
        tmp.path()
            .join("constants2025/include/cpp/greeting.h")
            .is_file()
    );
    assert!(
        !tmp.path()
            .join("constants2025/include/cpp/greeting.txt")
            .exists()
    );
    assert!(!tmp.path().join("constants2025/include/default").exists());
    let checker = std::fs::read_to_string(
        tmp.path()
            .join("constants2025/output_validators/output_validator/checker.cpp"),
    )
    .expect("validator exported");
    assert!(checker.contains("MAX_N = 20;"), "{checker}");
    assert!(
        back.warnings.is_empty(),
        "a legacy package with nothing unknown: {:?}",
        back.warnings
    );
    // Said, not silently dropped.
    assert!(
        exported
            .notes
            .iter()
            .any(|n| n.contains("submissions.yaml is left out"))
    );
    assert!(exported.notes.iter().any(|n| n.contains("invalid_input")));
    // Scripts stay executable.
    let (_, mode) = entry(
        &exported.bytes,
        "constants2025/output_validators/output_validator/build",
    )
    .expect("build script");
    assert_eq!(mode.map(|m| m & 0o777), Some(0o755));
}

#[test]
fn a_kattis_export_judges_its_submissions_as_the_original() {
    let exported = export(&problem("factor-2025"), ExportFormat::Kattis).expect("export");
    let tmp = tempfile::tempdir().expect("tempdir");
    unzip(&exported.bytes, tmp.path());
    let report = verify_passing(&tmp.path().join("factor2025"));
    assert_eq!(report["submissions"].as_array().map(Vec::len), Some(5));
}

#[test]
fn a_domjudge_export_has_what_the_import_reads() {
    let exported = export(&problem("constants-2025"), ExportFormat::Domjudge).expect("export");
    let text = |name: &str| {
        entry(&exported.bytes, name)
            .map(|(t, _)| t)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    let ini = text("domjudge-problem.ini");
    assert!(ini.contains("timelimit = '2'"), "{ini}");
    assert!(ini.contains("name = 'Greeting Sum'"), "{ini}");
    let yaml = text("problem.yaml");
    assert!(yaml.contains("validation: custom"), "{yaml}");
    assert!(yaml.contains("validator_flags: --greeting hello"), "{yaml}");
    // Groups flattened: DOMjudge reads data/sample and data/secret only.
    assert_eq!(text("data/secret/big-1.ans"), "hello 20000000000\n");
    assert_eq!(text("data/sample/1.in"), "3\n1 2 3\n");
    let html = text("problem.html");
    assert!(html.contains("<h1>Greeting Sum</h1>"), "{html}");
    assert!(html.contains(r"1 \le n \le 20"), "{html}");
    assert!(html.contains("<pre>3\n1 2 3\n</pre>"), "{html}");
    assert!(!html.contains("{{"), "{html}");
    assert!(entry(&exported.bytes, "submissions/accepted/sum.py").is_some());
    assert!(entry(&exported.bytes, "submissions/submissions.yaml").is_none());
    assert!(exported.notes.iter().any(|n| n.contains("include/")));
}

#[test]
fn a_domjudge_export_needs_a_time_limit_and_secret_data() {
    // sqrt-legacy derives its limit from its submissions; samples-only has no secret data.
    for name in ["sqrt-legacy", "samples-only"] {
        let p = problem(name);
        match export(&p, ExportFormat::Domjudge) {
            Err(ExportError::Unsupported { format, why }) => {
                assert_eq!(format, "DOMjudge");
                assert!(!why.is_empty());
            }
            other => panic!(
                "{name}: expected a refusal, got {:?}",
                other.map(|e| e.notes)
            ),
        }
    }
}
