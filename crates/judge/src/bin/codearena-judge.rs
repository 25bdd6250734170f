//! Stand-alone `codearena-judge judge|verify-problem|languages`, the same
//! commands the `codearena` binary exposes. Used by the judge's end-to-end
//! tests and benchmarks.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "codearena-judge",
    about = "Judge submissions against ICPC problem packages"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Judge one source file against one problem package.
    Judge(judge::cli::JudgeArgs),
    /// Judge every submission under submissions/ and compare with its folder.
    VerifyProblem(judge::cli::VerifyProblemArgs),
    /// List the installed languages.
    Languages(judge::cli::LanguageTableArgs),
}

fn main() -> ExitCode {
    sandbox::enter_if_requested();
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Judge(a) => judge::cli::judge(a),
        Cmd::VerifyProblem(a) => judge::cli::verify_problem(a),
        Cmd::Languages(a) => judge::cli::languages(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
