//! The execution slots: one judge (one sandbox) per slot, handed to one job at a time.
//! A judge that panics is replaced; when its sandbox cannot be rebuilt, the slot is lost
//! and readiness says so.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use contracts::execution::JobResult;
use judge::{Judge, Languages};
use tokio::sync::Semaphore;

use super::{EngineError, SetupError};
use crate::settings::ExecutionSettings;

/// Readiness: some slots' sandboxes could not be rebuilt (restart the process).
#[derive(Debug, thiserror::Error)]
#[error("{lost} of {total} sandbox slots lost")]
pub struct SlotsLost {
    pub lost: usize,
    pub total: usize,
}

pub(super) struct Slots {
    languages: Languages,
    /// Free slots: each judge with the sandbox configuration (its own uid) it was made
    /// with, to rebuild it alike.
    judges: Mutex<Vec<(Judge, sandbox::SandboxConfig)>>,
    permits: Semaphore,
    count: usize,
    /// Slots whose sandbox could not be rebuilt after a failure.
    lost: AtomicUsize,
}

impl Slots {
    /// Sets up one sandbox per slot (refusing to start if the sandbox cannot isolate).
    pub(super) fn new(
        settings: &ExecutionSettings,
        languages: &Languages,
    ) -> Result<Slots, SetupError> {
        let count = settings.worker_slots();
        let mut sandbox = Judge::sandbox_config(languages);
        if let Some(init) = &settings.sandbox_init {
            sandbox.init_exe = init.clone();
        }
        // One host uid per slot: limits the kernel counts per user (inotify instances,
        // pipe buffers, pending signals) cannot be used up by one run against another.
        let judges = (0..count)
            .map(|slot| {
                let mut config = sandbox.clone();
                config.uid = config.uid.saturating_sub(slot as u32);
                config.gid = config.gid.saturating_sub(slot as u32);
                Ok((
                    Judge::with_sandbox_config(languages.clone(), config.clone())?,
                    config,
                ))
            })
            .collect::<Result<Vec<_>, SetupError>>()?;
        Ok(Slots {
            languages: languages.clone(),
            judges: Mutex::new(judges),
            permits: Semaphore::new(count),
            count,
            lost: AtomicUsize::new(0),
        })
    }

    pub(super) fn count(&self) -> usize {
        self.count
    }

    /// False once a slot's sandbox could not be rebuilt (restart the process).
    pub(super) fn healthy(&self) -> Result<(), SlotsLost> {
        match self.lost.load(Ordering::SeqCst) {
            0 => Ok(()),
            lost => Err(SlotsLost {
                lost,
                total: self.count,
            }),
        }
    }

    /// Waits for a free slot and runs `work` on its judge, off the async threads.
    pub(super) async fn run<F>(&self, work: F) -> Result<JobResult, EngineError>
    where
        F: FnOnce(&Judge) -> JobResult + Send + 'static,
    {
        let _slot = self
            .permits
            .acquire()
            .await
            .map_err(|_| EngineError::NoSlot)?;
        let (judge, config) = self
            .judges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .ok_or(EngineError::NoSlot)?;
        let outcome = tokio::task::spawn_blocking(move || {
            let result = work(&judge);
            (judge, result)
        })
        .await;
        match outcome {
            Ok((judge, result)) => {
                self.judges
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((judge, config));
                Ok(result)
            }
            Err(e) => {
                // The judge panicked: replace it (with the slot's own uid), so the slot
                // is not lost.
                match Judge::with_sandbox_config(self.languages.clone(), config.clone()) {
                    Ok(replacement) => self
                        .judges
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((replacement, config)),
                    Err(setup) => {
                        // The slot is gone: take its permit out of circulation so no job
                        // waits for it, and report it (readiness, metrics).
                        self.permits.forget_permits(1);
                        let lost = self.lost.fetch_add(1, Ordering::SeqCst) + 1;
                        metrics::gauge!(crate::metrics::LOST_SLOTS).set(lost as f64);
                        tracing::error!(error = %setup, lost, "a sandbox slot is lost");
                    }
                }
                Err(EngineError::Panicked(e))
            }
        }
    }
}
