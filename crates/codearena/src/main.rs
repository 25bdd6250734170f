//! `codearena`: run CodeArena embedded (the default), or one service of a cluster.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use codearena::cluster::Service;
use codearena::{Settings, cluster, embedded};
use platform::http::Server;

#[derive(Parser)]
#[command(
    name = "codearena",
    version,
    about = "Real-time 1v1 programming battles"
)]
struct Cli {
    /// TOML configuration file (also `CODEARENA_CONFIG`); `CODEARENA_*` variables override it.
    #[arg(long, global = true, env = "CODEARENA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Everything in one process on SQLite, on :8083 (the default command).
    Embedded,
    /// One service on its own, on PostgreSQL, Redis and RabbitMQ.
    Service {
        #[arg(value_enum)]
        name: Service,
    },
    /// Judge one source file against one problem package, as the service would.
    Judge(judge::cli::JudgeArgs),
    /// Judge every file under the package's submissions/ and report any whose verdict
    /// differs from its folder.
    VerifyProblem(judge::cli::VerifyProblemArgs),
    /// List the installed languages and their versions.
    Languages(judge::cli::LanguageTableArgs),
    /// Manage the problem catalogue.
    Problem {
        #[command(subcommand)]
        command: codearena::problems::ProblemCommand,
    },
    /// Write each service's OpenAPI document to DIR/<service>.json (the web app's API
    /// types are generated from web/openapi).
    Openapi {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    // The sandbox re-executes this binary as its zygote; that copy stops here.
    sandbox::enter_if_requested();
    let cli = Cli::parse();
    // Command-line tools: no runtime, no configuration.
    let tool = match cli.command {
        Some(Command::Judge(args)) => judge::cli::judge(args),
        Some(Command::VerifyProblem(args)) => judge::cli::verify_problem(args),
        Some(Command::Languages(args)) => judge::cli::languages(args),
        Some(Command::Problem { command }) => Settings::load(cli.config.as_deref())
            .context("loading configuration")
            .and_then(|settings| codearena::problems::run(command, &settings)),
        Some(Command::Openapi { out }) => {
            codearena::openapi::write(&out).map(|()| ExitCode::SUCCESS)
        }
        command => return serve(Cli { command, ..cli }),
    };
    match tool {
        Ok(code) => code,
        Err(e) => {
            eprintln!("codearena: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn serve(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("codearena: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "codearena stopped");
            eprintln!("codearena: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref()).context("loading configuration")?;
    let (name, default_port) = match &cli.command {
        Some(Command::Service { name }) => (name.name(), name.default_port()),
        _ => ("codearena", embedded::DEFAULT_PORT),
    };
    let _telemetry = platform::telemetry::init(name, &settings.telemetry)?;
    platform::metrics::handle();
    let shutdown = platform::shutdown::on_signal();
    let app = match cli.command {
        Some(Command::Service { name }) => cluster::build(name, &settings, &shutdown).await?,
        _ => embedded::build(&settings, &shutdown).await?,
    };
    let port = settings.http.port.unwrap_or(default_port);
    let server = Server::bind(&settings.http.host, port)
        .await
        .with_context(|| format!("binding {}:{port}", settings.http.host))?;
    tracing::info!(service = name, port = server.port(), "CodeArena started");
    server
        .run_until_stopped(app.router, shutdown.clone())
        .await?;
    // Workers finish the jobs in hand (their results are published) before exiting.
    shutdown.cancel();
    for task in app.background {
        let _ = task.await;
    }
    tracing::info!("stopped");
    Ok(())
}
