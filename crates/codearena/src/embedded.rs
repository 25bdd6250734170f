//! Embedded mode: every service in one process, on one SQLite file and in-process
//! queues, served on one port (8083 by default), with the web app. Services call each
//! other in-process.

use std::sync::Arc;

use anyhow::Context;
use platform::Infra;
use platform::auth::SharedVerifier;
use platform::shutdown::Shutdown;

use crate::battle_log::InProcessBattleLog;
use crate::judging::InProcessJudging;
use crate::ratings::InProcessRatings;
use crate::{App, Settings};

pub const DEFAULT_PORT: u16 = 8083;

/// Opens (or creates) the data directory and the database, and puts every service
/// together; background work stops when `shutdown` is cancelled.
pub async fn build(settings: &Settings, shutdown: &Shutdown) -> anyhow::Result<App> {
    let infra = Infra::embedded(&settings.embedded)
        .await
        .context("setting up the data directory")?;
    let auth = auth::parts(&settings.auth, &infra).await?;
    let verifier: SharedVerifier = auth.service.clone();
    let execution =
        execution::parts(&settings.execution, &infra, verifier.clone(), shutdown).await?;
    let judging = Arc::new(InProcessJudging(execution.service));
    let rating = rating::parts(&settings.rating, &infra, shutdown).await?;
    let ratings = Arc::new(InProcessRatings(rating.service));
    let battle = battle::parts(
        &settings.battle,
        &infra,
        verifier.clone(),
        judging,
        ratings,
        shutdown,
    )
    .await?;
    let log = Arc::new(InProcessBattleLog(battle.service.clone()));
    let realtime = realtime::parts(&settings.realtime, &infra, verifier, log, shutdown).await?;
    let parts = auth
        .parts
        .merge(execution.parts)
        .merge(battle.parts)
        .merge(rating.parts)
        .merge(realtime.parts);
    let web = crate::web::router(crate::web::BUILT);
    Ok(App::new(infra, parts, settings, Some(web)))
}
