//! `codearena problem add PATH`: an operator adds a problem package to the catalogue,
//! after the verifier has judged every submission in it as its folder says.
//! `codearena problem export PATH --format kattis|domjudge`: the package as the archive
//! another system imports.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::Settings;

#[derive(clap::Subcommand)]
pub enum ProblemCommand {
    /// Verify the package at PATH and copy it into `battle.problems_dir`; battle services
    /// offer it from their next start.
    Add {
        /// The problem package directory.
        path: PathBuf,
    },
    /// Write the package at PATH as a zip archive Kattis (legacy format) or DOMjudge
    /// imports.
    Export {
        /// The problem package directory.
        path: PathBuf,
        #[arg(long, value_enum)]
        format: judge::export::ExportFormat,
        /// Where to write the archive (default: `<package>-<format>.zip` here).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(command: ProblemCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    match command {
        ProblemCommand::Add { path } => add(path, settings),
        ProblemCommand::Export { path, format, out } => export(&path, format, out),
    }
}

fn export(
    path: &std::path::Path,
    format: judge::export::ExportFormat,
    out: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let problem =
        judge::Problem::load(path).with_context(|| format!("loading {}", path.display()))?;
    let exported = judge::export::export(&problem, format)
        .with_context(|| format!("exporting {}", path.display()))?;
    let suffix = match format {
        judge::export::ExportFormat::Kattis => "kattis",
        judge::export::ExportFormat::Domjudge => "domjudge",
    };
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{}-{suffix}.zip", problem.short_name)));
    std::fs::write(&out, &exported.bytes).with_context(|| format!("writing {}", out.display()))?;
    for note in &exported.notes {
        eprintln!("note: {note}");
    }
    println!("wrote {} ({} bytes)", out.display(), exported.bytes.len());
    Ok(ExitCode::SUCCESS)
}

fn add(path: PathBuf, settings: &Settings) -> anyhow::Result<ExitCode> {
    // The catalogue's own checks first (statement, secret tests): they are quick.
    battle::catalogue::load_one(&path)
        .with_context(|| format!("{} cannot be offered", path.display()))?;
    let verified = judge::cli::verify_problem(judge::cli::VerifyProblemArgs {
        problem_dir: path.clone(),
        json: false,
        // The languages the service judges with.
        table: judge::cli::LanguageTableArgs {
            languages_file: settings.execution.languages_file.clone(),
        },
    })?;
    if verified != ExitCode::SUCCESS {
        eprintln!(
            "codearena: {} was not added: a submission did not get its folder's verdict (see above)",
            path.display()
        );
        return Ok(verified);
    }
    let dest = battle::catalogue::install(&path, &settings.battle.problems_dir)?;
    println!(
        "added {}; battle services offer it from their next start",
        dest.display()
    );
    Ok(ExitCode::SUCCESS)
}
