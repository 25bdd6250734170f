//! `codearena problem add PATH`: an operator adds a problem package to the catalogue,
//! after the verifier has judged every submission in it as its folder says.

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
}

pub fn run(command: ProblemCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    match command {
        ProblemCommand::Add { path } => add(path, settings),
    }
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
