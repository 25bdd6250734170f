//! The problem catalogue: the packages under `battle.problems_dir`, loaded and checked at
//! start, each judging package stored in the shared blob store under its content hash (so
//! workers can fetch what a judge job names). What players may read of a problem —
//! statement, samples, limits — is kept here; secret data never leaves the package.
//!
//! An interactive (or multi-pass) problem's sample `.in` is the interactor's own input
//! (the hidden number, say) and its `.ans` is usually empty: players are shown the
//! sample's `.interaction` transcript instead, and never that input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use judge::{Problem, StatementFormat};
use platform::blobs::{BlobError, BlobStore};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("reading {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("problem {0}: {1}")]
    Problem(String, judge::ProblemError),
    #[error("problem {0}: packing: {1}")]
    Pack(String, judge::package::PackageError),
    #[error("problem {0}: {1}")]
    Invalid(String, String),
    #[error("storing a package: {0}")]
    Store(#[from] BlobError),
    #[error("the loading task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// A problem as the catalogue lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemSummary {
    pub slug: String,
    pub name: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    pub tags: Vec<String>,
    /// Per test, in milliseconds; `None` if the package derives it from its submissions.
    pub time_limit_ms: Option<u64>,
    pub memory_limit_bytes: u64,
    /// Secret tests: the most a submission can score.
    pub tests: u32,
    /// Judging runs the submission against an interactor (or over several passes), so
    /// one run on typed input says little: its samples come as transcripts (a sample's
    /// `interaction`).
    pub interactive: bool,
}

/// A sample test, shown with the statement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sample {
    pub name: String,
    /// What the program reads; empty for an interactive problem's sample, whose input
    /// is the interactor's secret (the transcript shows the exchange instead).
    pub input: String,
    /// The expected output; empty for an interactive problem's sample.
    pub output: String,
    /// An interactive problem's sample exchange, one message a line: a line starting
    /// with `<` is what the interactor wrote, `>` what the program wrote (a `---` line
    /// separates the passes of a multi-pass problem). Null for other problems.
    pub interaction: Option<String>,
}

/// Everything a player may read of a problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemDetail {
    #[serde(flatten)]
    pub summary: ProblemSummary,
    /// `markdown` or `latex`, as the package has it (math as written).
    pub statement_format: String,
    pub statement: String,
    pub samples: Vec<Sample>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub detail: ProblemDetail,
    /// The content hash judge jobs name the package by.
    pub hash: String,
}

/// Samples bigger than this are not shown inline (they are still judged).
const MAX_SAMPLE_BYTES: u64 = 64 * 1024;

#[derive(Debug, Default)]
pub struct Catalogue {
    problems: BTreeMap<String, Entry>,
}

impl Catalogue {
    /// Loads every package directly under `dir` and stores each one's archive in
    /// `packages`. A package that does not load stops the start: an operator should know.
    pub async fn load(dir: &Path, packages: &dyn BlobStore) -> Result<Self, CatalogueError> {
        let dir = dir.to_owned();
        let loaded = tokio::task::spawn_blocking(move || load_dir(&dir)).await??;
        let mut problems = BTreeMap::new();
        for (entry, archive) in loaded {
            // Content-addressed: storing it again is harmless.
            packages.put(&entry.hash, &archive).await?;
            problems.insert(entry.detail.summary.slug.clone(), entry);
        }
        Ok(Self { problems })
    }

    pub fn get(&self, slug: &str) -> Option<&Entry> {
        self.problems.get(slug)
    }

    pub fn list(&self) -> impl Iterator<Item = &Entry> {
        self.problems.values()
    }

    pub fn len(&self) -> usize {
        self.problems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }
}

fn load_dir(dir: &Path) -> Result<Vec<(Entry, Vec<u8>)>, CatalogueError> {
    let read = std::fs::read_dir(dir).map_err(|e| CatalogueError::Io(dir.to_owned(), e))?;
    let mut dirs: Vec<PathBuf> = read
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("problem.yaml").is_file())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| load_one(d)).collect()
}

/// Loads one package: what players see, its hash, and its archive.
pub fn load_one(dir: &Path) -> Result<(Entry, Vec<u8>), CatalogueError> {
    let slug = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let problem = Problem::load(dir).map_err(|e| CatalogueError::Problem(slug.clone(), e))?;
    // The judge accepts a package with samples only (judged on them), but a battle's
    // tests must not be the samples the players read.
    if problem.secret.cases().is_empty() {
        return Err(CatalogueError::Invalid(
            slug,
            "a battle problem needs secret test data (data/secret has no test cases)".into(),
        ));
    }
    let hash = problem
        .content_hash()
        .map_err(|e| CatalogueError::Problem(slug.clone(), e))?;
    let archive = judge::package::pack(dir).map_err(|e| CatalogueError::Pack(slug.clone(), e))?;
    let detail = detail(&slug, &problem)?;
    Ok((Entry { detail, hash }, archive))
}

/// Copies the package at `src` into `problems_dir` under its directory name, after checking
/// that it loads as the catalogue will load it. Refuses a name that is taken and symbolic
/// links (a package is plain files); nothing is left behind when it fails.
pub fn install(src: &Path, problems_dir: &Path) -> Result<PathBuf, CatalogueError> {
    let (entry, _) = load_one(src)?;
    let slug = entry.detail.summary.slug;
    let invalid = |what: String| CatalogueError::Invalid(slug.clone(), what);
    if slug.is_empty()
        || !slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(invalid(
            "the directory name must be letters, digits, '-' or '_'".into(),
        ));
    }
    let dest = problems_dir.join(&slug);
    if dest.exists() {
        return Err(invalid(format!("{} already exists", dest.display())));
    }
    std::fs::create_dir_all(problems_dir)
        .map_err(|e| CatalogueError::Io(problems_dir.to_owned(), e))?;
    // Copied beside its final place and renamed: a half-copied package is never loaded.
    let staging = problems_dir.join(format!(".{slug}.adding"));
    let _ = std::fs::remove_dir_all(&staging);
    let copied = copy_tree(src, &staging).and_then(|()| {
        std::fs::rename(&staging, &dest).map_err(|e| CatalogueError::Io(dest.clone(), e))
    });
    if let Err(e) = copied {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    Ok(dest)
}

fn copy_tree(src: &Path, dest: &Path) -> Result<(), CatalogueError> {
    let io = |p: &Path| {
        let p = p.to_owned();
        move |e| CatalogueError::Io(p, e)
    };
    std::fs::create_dir(dest).map_err(io(dest))?;
    for entry in std::fs::read_dir(src).map_err(io(src))? {
        let entry = entry.map_err(io(src))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io(&path))?;
        let target = dest.join(entry.file_name());
        if kind.is_symlink() {
            return Err(CatalogueError::Invalid(
                path.display().to_string(),
                "symbolic links are not allowed in a package".into(),
            ));
        } else if kind.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            std::fs::copy(&path, &target).map_err(io(&path))?;
        }
    }
    Ok(())
}

fn detail(slug: &str, problem: &Problem) -> Result<ProblemDetail, CatalogueError> {
    let invalid = |what: &str| CatalogueError::Invalid(slug.to_owned(), what.to_owned());
    let statement = problem
        .statements
        .iter()
        .filter(|s| s.format != StatementFormat::Pdf)
        .min_by_key(|s| (s.language != "en", s.format != StatementFormat::Markdown))
        .ok_or_else(|| invalid("no Markdown or LaTeX statement"))?;
    let tests = problem.secret.cases().len();
    if tests == 0 {
        return Err(invalid("no secret tests"));
    }
    let interactive = problem.interactive || problem.multi_pass.is_some();
    let samples = samples(problem, interactive)?;
    let difficulty = match problem.difficulty {
        Some(judge::Difficulty::Easy) | None => "easy",
        Some(judge::Difficulty::Medium) => "medium",
        Some(judge::Difficulty::Hard) => "hard",
    };
    Ok(ProblemDetail {
        summary: ProblemSummary {
            slug: slug.to_owned(),
            name: problem.name.clone(),
            difficulty: difficulty.to_owned(),
            tags: problem.keywords.clone(),
            time_limit_ms: problem.time_limit().map(|t| t.as_millis() as u64),
            memory_limit_bytes: problem.limits.memory_bytes,
            tests: u32::try_from(tests).unwrap_or(u32::MAX),
            interactive,
        },
        statement_format: match statement.format {
            StatementFormat::Latex => "latex",
            _ => "markdown",
        }
        .to_owned(),
        statement: statement.source.clone(),
        samples,
    })
}

/// The samples players may read. An interactive problem's sample is shown only by its
/// `.interaction` transcript (beside its `.in`): its `.in` is the interactor's secret, so
/// a sample without a transcript is left out. Samples over [`MAX_SAMPLE_BYTES`] are
/// left out too (they are still judged).
fn samples(problem: &Problem, interactive: bool) -> Result<Vec<Sample>, CatalogueError> {
    let small = |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.len() <= MAX_SAMPLE_BYTES);
    let read =
        |p: &Path| std::fs::read_to_string(p).map_err(|e| CatalogueError::Io(p.to_owned(), e));
    let mut samples = Vec::new();
    for (_, case) in problem
        .sample
        .as_ref()
        .map(|g| g.cases())
        .unwrap_or_default()
    {
        let sample = if interactive {
            let transcript = case.input.with_extension("interaction");
            if !transcript.is_file() || !small(&transcript) {
                continue;
            }
            Sample {
                name: case.name.clone(),
                input: String::new(),
                output: String::new(),
                interaction: Some(read(&transcript)?),
            }
        } else {
            if !small(&case.input) || !small(&case.answer) {
                continue;
            }
            Sample {
                name: case.name.clone(),
                input: read(&case.input)?,
                output: read(&case.answer)?,
                interaction: None,
            }
        };
        samples.push(sample);
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../problems")
    }

    #[test]
    fn every_shipped_problem_loads_with_a_statement_samples_and_secret_tests() {
        let loaded = load_dir(&problems_dir()).expect("the shipped problems load");
        assert!(loaded.len() >= 10, "{} problems", loaded.len());
        for (entry, archive) in &loaded {
            let d = &entry.detail;
            assert!(!d.statement.is_empty(), "{}", d.summary.slug);
            assert!(d.summary.tests > 0, "{}", d.summary.slug);
            assert_eq!(entry.hash.len(), 64);
            assert!(!archive.is_empty());
        }
        // The difficulty comes from each package's codearena.yaml (a missing one would
        // silently read as easy).
        let difficulty = |slug: &str| {
            loaded
                .iter()
                .find(|(e, _)| e.detail.summary.slug == slug)
                .map(|(e, _)| e.detail.summary.difficulty.clone())
        };
        assert_eq!(difficulty("twobells").as_deref(), Some("easy"));
        assert_eq!(difficulty("wifi").as_deref(), Some("medium"));
        assert_eq!(difficulty("genome").as_deref(), Some("hard"));
    }

    #[test]
    fn a_package_is_installed_once_under_its_name() {
        let dest = tempfile::tempdir().expect("tempdir");
        let installed = install(&problems_dir().join("twobells"), dest.path()).expect("install");
        assert_eq!(installed, dest.path().join("twobells"));
        assert!(load_one(&installed).is_ok());
        let again = install(&problems_dir().join("twobells"), dest.path());
        assert!(
            matches!(again, Err(CatalogueError::Invalid(..))),
            "{again:?}"
        );
        let names: Vec<_> = std::fs::read_dir(dest.path())
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "nothing else left behind: {names:?}");
    }

    #[test]
    fn a_package_with_samples_only_is_not_a_battle_problem() {
        // The judge takes it (judged on its samples); a battle must not be judged on
        // the tests its players read.
        let pkg =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../judge/tests/packages/samples-only");
        assert!(Problem::load(&pkg).is_ok());
        match load_one(&pkg) {
            Err(CatalogueError::Invalid(slug, why)) => {
                assert_eq!(slug, "samples-only");
                assert!(why.contains("secret test data"), "{why}");
            }
            other => panic!("expected a refusal, got {:?}", other.map(|(e, _)| e.hash)),
        }
    }

    #[test]
    fn secret_data_is_not_in_what_players_see() {
        let loaded = load_dir(&problems_dir()).expect("the shipped problems load");
        let (entry, _) = loaded
            .iter()
            .find(|(e, _)| e.detail.summary.slug == "twobells")
            .expect("twobells");
        let json = serde_json::to_string(&entry.detail).expect("json");
        let secret_dir = problems_dir().join("twobells/data/secret");
        for file in std::fs::read_dir(secret_dir)
            .expect("secret dir")
            .filter_map(Result::ok)
        {
            let text = std::fs::read_to_string(file.path()).unwrap_or_default();
            if text.trim().len() > 8 {
                assert!(
                    !json.contains(text.trim()),
                    "{} leaked",
                    file.path().display()
                );
            }
        }
        assert!(!entry.detail.samples.is_empty());
    }

    fn shipped(slug: &str) -> ProblemDetail {
        let (entry, _) = load_one(&problems_dir().join(slug)).expect(slug);
        entry.detail
    }

    #[test]
    fn an_interactive_problem_shows_transcripts_and_never_its_sample_input() {
        let sonar = shipped("sonar");
        assert!(sonar.summary.interactive);
        assert_eq!(sonar.samples.len(), 2, "{:?}", sonar.samples);
        let sample_dir = problems_dir().join("sonar/data/sample");
        let json = serde_json::to_string(&sonar).expect("json");
        for sample in &sonar.samples {
            let case = sample_dir.join(sample.name.trim_start_matches("sample/"));
            let transcript = std::fs::read_to_string(case.with_extension("interaction"))
                .expect("the sample's transcript");
            assert_eq!(sample.interaction.as_deref(), Some(transcript.as_str()));
            assert!(
                transcript.lines().any(|l| l.starts_with('<')),
                "{transcript}"
            );
            assert!(
                transcript.lines().any(|l| l.starts_with('>')),
                "{transcript}"
            );
            assert_eq!((sample.input.as_str(), sample.output.as_str()), ("", ""));
            // The interactor's input (the hidden position) is not shown anywhere.
            let secret = std::fs::read_to_string(case.with_extension("in")).expect(".in");
            assert!(!secret.trim().is_empty());
            assert!(
                !json.contains(secret.trim()),
                "{} leaked: {json}",
                sample.name
            );
        }
        let value = serde_json::to_value(&sonar).expect("json");
        assert_eq!(value["interactive"], true);
        assert!(value["samples"][0]["interaction"].is_string());
    }

    #[test]
    fn a_problem_that_is_not_interactive_shows_input_and_output() {
        let twobells = shipped("twobells");
        assert!(!twobells.summary.interactive);
        assert!(!twobells.samples.is_empty());
        let sample_dir = problems_dir().join("twobells/data/sample");
        for sample in &twobells.samples {
            let case = sample_dir.join(sample.name.trim_start_matches("sample/"));
            let read = |ext: &str| std::fs::read_to_string(case.with_extension(ext)).expect(ext);
            assert_eq!(sample.input, read("in"));
            assert_eq!(sample.output, read("ans"));
            assert_eq!(sample.interaction, None);
        }
        let value = serde_json::to_value(&twobells).expect("json");
        assert_eq!(value["interactive"], false);
    }
}
