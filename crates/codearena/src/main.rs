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
    /// One service on its own, on PostgreSQL and Redis.
    Service {
        #[arg(value_enum)]
        name: Service,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        None | Some(Command::Embedded) => ("codearena", embedded::DEFAULT_PORT),
        Some(Command::Service { name }) => (name.name(), name.default_port()),
    };
    let _telemetry = platform::telemetry::init(name, &settings.telemetry)?;
    platform::metrics::handle();
    let router = match cli.command {
        None | Some(Command::Embedded) => embedded::build(&settings).await?,
        Some(Command::Service { name }) => cluster::build(name, &settings).await?,
    };
    let port = settings.http.port.unwrap_or(default_port);
    let server = Server::bind(&settings.http.host, port)
        .await
        .with_context(|| format!("binding {}:{port}", settings.http.host))?;
    tracing::info!(service = name, port = server.port(), "CodeArena started");
    let shutdown = platform::shutdown::on_signal();
    server.run_until_stopped(router, shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}
