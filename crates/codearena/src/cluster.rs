//! Cluster mode: one service per process, on PostgreSQL, Redis and RabbitMQ, as the spec
//! lays out (behind nginx, several replicas each). Services call each other over HTTP.

use std::sync::Arc;

use anyhow::Context;
use platform::Infra;
use platform::auth::{RemoteVerifier, SharedVerifier};
use platform::infra::InfraError;
use platform::shutdown::Shutdown;

use crate::battle_log::RemoteBattleLog;
use crate::judging::RemoteJudging;
use crate::ratings::RemoteRatings;
use crate::{App, Settings};

/// The services that can run on their own, with their ports from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Service {
    Auth,
    Battle,
    Execution,
    Rating,
    Realtime,
    /// The web app alone (the SPA the ingress serves at `/`), for deployments where no nginx
    /// of the project's serves `web/dist`: Kubernetes, behind ingress-nginx.
    Web,
}

impl Service {
    pub fn default_port(self) -> u16 {
        match self {
            Service::Auth => 3001,
            Service::Battle => 3002,
            Service::Execution => 3003,
            Service::Rating => 3004,
            Service::Realtime => 3005,
            // The spec's "React SPA :8083".
            Service::Web => 8083,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Service::Auth => "auth",
            Service::Battle => "battle",
            Service::Execution => "execution",
            Service::Rating => "rating",
            Service::Realtime => "realtime",
            Service::Web => "web",
        }
    }
}

/// Puts `service` together; its background work stops when `shutdown` is cancelled.
pub async fn build(
    service: Service,
    settings: &Settings,
    shutdown: &Shutdown,
) -> anyhow::Result<App> {
    let infra = Infra::cluster(&settings.database, &settings.redis, &settings.amqp);
    let parts = match service {
        Service::Auth => auth::parts(&settings.auth, &infra).await?.parts,
        Service::Battle => {
            let token = settings
                .execution
                .service_token
                .clone()
                .ok_or(InfraError::Missing {
                    what: "the service token for execution",
                    env: "CODEARENA_EXECUTION__SERVICE_TOKEN",
                })?;
            let judging = RemoteJudging::new(&settings.cluster.execution_url, token)
                .context("building the execution client")?;
            let ratings = RemoteRatings::new(&settings.cluster.rating_url)
                .context("building the rating client")?;
            let verifier = verifier(settings)?;
            battle::parts(
                &settings.battle,
                &infra,
                verifier,
                Arc::new(judging),
                Arc::new(ratings),
                shutdown,
            )
            .await?
            .parts
        }
        Service::Realtime => {
            let log = RemoteBattleLog::new(&settings.cluster.battle_url)
                .context("building the battle client")?;
            realtime::parts(
                &settings.realtime,
                &infra,
                verifier(settings)?,
                Arc::new(log),
                shutdown,
            )
            .await?
            .parts
        }
        Service::Rating => {
            rating::parts(&settings.rating, &infra, shutdown)
                .await?
                .parts
        }
        Service::Execution => {
            execution::parts(&settings.execution, &infra, verifier(settings)?, shutdown)
                .await?
                .parts
        }
        Service::Web => {
            // No store and no peer: the app compiled into the binary, with health and
            // metrics like every service.
            let web = crate::web::router(crate::web::BUILT);
            return Ok(App::new(infra, Default::default(), settings, Some(web)));
        }
    };
    // nginx (or the `web` role) serves the web app in front of the services.
    Ok(App::new(infra, parts, settings, None))
}

/// Tokens are checked by asking the auth service.
fn verifier(settings: &Settings) -> anyhow::Result<SharedVerifier> {
    let verifier = RemoteVerifier::new(&settings.cluster.auth_url, Default::default())
        .context("building the auth client")?;
    Ok(Arc::new(verifier))
}
