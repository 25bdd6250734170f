//! The realtime service put together over an [`Infra`]: the Socket.IO endpoint at
//! `/socket.io/` (the in-process bus in embedded mode, Redis pub/sub in cluster mode).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use platform::auth::SharedVerifier;
use platform::shutdown::Shutdown;
use platform::{Infra, ServiceParts, StartError};
use socketioxide::SocketIo;

use crate::clients::BattleLog;
use crate::{Realtime, RealtimeSettings, fanout, handlers};

pub struct RealtimeParts {
    pub parts: ServiceParts,
    pub io: SocketIo,
}

/// Sockets are checked with `verifier`; battles are read through `log`; the fan-out stops
/// when `shutdown` is cancelled.
pub async fn parts(
    settings: &RealtimeSettings,
    infra: &Infra,
    verifier: SharedVerifier,
    log: Arc<dyn BattleLog>,
    shutdown: &Shutdown,
) -> Result<RealtimeParts, StartError> {
    settings
        .validate()
        .map_err(|e| StartError::setup("realtime", e))?;
    crate::metrics::register();
    let (service, io) = SocketIo::builder()
        .max_buffer_size(settings.max_buffer)
        .max_payload(settings.max_payload_bytes)
        .ping_interval(Duration::from_millis(settings.ping_interval_ms))
        .ping_timeout(Duration::from_millis(settings.ping_timeout_ms))
        .build_svc();
    let realtime = Arc::new(Realtime {
        settings: settings.clone(),
        verifier,
        log,
        bus: infra.bus().await?,
        io: io.clone(),
        server_id: uuid::Uuid::new_v4(),
    });
    handlers::register(&io, realtime.clone());
    let fanout = tokio::spawn(fanout::run(realtime, shutdown.clone()));
    let router = Router::new().route_service("/socket.io/", service);
    let parts = ServiceParts::new(router).with_background(fanout);
    Ok(RealtimeParts { parts, io })
}
