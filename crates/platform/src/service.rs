//! What a service crate hands to the program that runs it: [`ServiceParts`].
//!
//! Each service crate exposes `parts(settings, &Infra, …) -> ServiceParts`: its routes,
//! the readiness checks of its own (the infrastructure's checks come from
//! [`crate::infra::Infra`]), and the background tasks it started (workers, consumers,
//! relays), which finish after the shutdown token is cancelled. Embedded mode merges the
//! parts of every service; cluster mode serves the parts of one.

use std::sync::Arc;

use axum::Router;
use tokio::task::JoinHandle;

use crate::health::ReadinessCheck;
use crate::infra::InfraError;

#[derive(Default)]
pub struct ServiceParts {
    pub router: Router,
    pub readiness: Vec<Arc<dyn ReadinessCheck>>,
    pub background: Vec<JoinHandle<()>>,
}

impl ServiceParts {
    pub fn new(router: Router) -> Self {
        Self {
            router,
            ..Self::default()
        }
    }

    pub fn with_readiness(mut self, check: Arc<dyn ReadinessCheck>) -> Self {
        self.readiness.push(check);
        self
    }

    pub fn with_background(mut self, task: JoinHandle<()>) -> Self {
        self.background.push(task);
        self
    }

    /// Both services' routes, checks and tasks.
    pub fn merge(mut self, other: ServiceParts) -> Self {
        self.router = self.router.merge(other.router);
        self.readiness.extend(other.readiness);
        self.background.extend(other.background);
        self
    }
}

/// Why a service could not be put together.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Infra(#[from] InfraError),
    #[error("setting up {service}: {source}")]
    Setup {
        service: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StartError {
    pub fn setup(
        service: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Setup {
            service,
            source: source.into(),
        }
    }
}
