//! The `[execution]` section of the configuration.

use platform::config::{SettingError, require_positive};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExecutionSettings {
    /// Sandbox slots in this process (jobs judged at once); 0 serves the API only.
    /// Unset means one per CPU.
    pub workers: Option<usize>,
    /// Largest source file accepted.
    pub max_source_bytes: usize,
    /// Largest custom input accepted for a run.
    pub max_stdin_bytes: usize,
    /// Unfinished jobs one user may have at once.
    pub max_jobs_in_flight_per_user: u32,
    /// How long results stay readable, in seconds.
    pub result_ttl_secs: u64,
    /// Deliveries of one job before it is given up with IE and dead-lettered.
    pub max_attempts: u32,
    /// Longest `?wait=` a client may ask for on `GET /jobs/{id}`, in seconds.
    pub max_wait_secs: u64,
    /// Long-polls (`?wait=`) held at once by this process; more answer at once.
    pub max_waiting_requests: usize,
    /// CPU time limit of a custom run, in milliseconds (the spec's 10 s).
    pub run_time_limit_ms: u64,
    /// Memory limit of a custom run, in MiB (the spec's 256 MB).
    pub run_memory_mib: u64,
    /// Where workers unpack problem packages; defaults to a directory under the data dir
    /// (embedded) or the system temp dir (cluster).
    pub package_cache_dir: Option<std::path::PathBuf>,
    /// The executable the sandbox re-executes as its zygote; unset means this program.
    pub sandbox_init: Option<std::path::PathBuf>,
    /// A TOML language table over the built-in one: its entries replace those with
    /// the same id and add new languages (docs/judge.md, "Languages"). The judge's
    /// command line reads the same variable, `CODEARENA_EXECUTION__LANGUAGES_FILE`.
    pub languages_file: Option<std::path::PathBuf>,
    /// The secret other services (battle) present to queue judge jobs for their players
    /// (`POST /internal/execution/judge`); at least 32 bytes. Unset: that endpoint refuses
    /// everyone. Cluster mode's battle service needs the same value.
    pub service_token: Option<String>,
}

impl std::fmt::Debug for ExecutionSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutionSettings")
            .field("workers", &self.workers)
            .field("max_source_bytes", &self.max_source_bytes)
            .field("max_stdin_bytes", &self.max_stdin_bytes)
            .field(
                "max_jobs_in_flight_per_user",
                &self.max_jobs_in_flight_per_user,
            )
            .field("result_ttl_secs", &self.result_ttl_secs)
            .field("languages_file", &self.languages_file)
            .field("max_attempts", &self.max_attempts)
            .field("service_token", &self.service_token.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl Default for ExecutionSettings {
    fn default() -> Self {
        Self {
            workers: None,
            max_source_bytes: 64 * 1024,
            max_stdin_bytes: 1024 * 1024,
            max_jobs_in_flight_per_user: 4,
            result_ttl_secs: 3600,
            max_attempts: 3,
            max_wait_secs: 30,
            max_waiting_requests: 1024,
            run_time_limit_ms: 10_000,
            run_memory_mib: 256,
            package_cache_dir: None,
            sandbox_init: None,
            languages_file: None,
            service_token: None,
        }
    }
}

impl ExecutionSettings {
    /// Refuses values that would make the service useless or unsafe.
    pub fn validate(&self) -> Result<(), SettingError> {
        let positive = [
            ("execution.max_source_bytes", self.max_source_bytes as u64),
            ("execution.max_stdin_bytes", self.max_stdin_bytes as u64),
            (
                "execution.max_jobs_in_flight_per_user",
                u64::from(self.max_jobs_in_flight_per_user),
            ),
            ("execution.result_ttl_secs", self.result_ttl_secs),
            ("execution.max_attempts", u64::from(self.max_attempts)),
            ("execution.run_time_limit_ms", self.run_time_limit_ms),
            ("execution.run_memory_mib", self.run_memory_mib),
        ];
        require_positive(&positive)?;
        if self.run_memory_mib < 16 {
            return Err(SettingError::TooSmall {
                name: "execution.run_memory_mib",
                min: 16,
            });
        }
        if self.service_token.as_ref().is_some_and(|t| t.len() < 32) {
            return Err(SettingError::TooSmall {
                name: "execution.service_token (bytes)",
                min: 32,
            });
        }
        Ok(())
    }

    pub fn worker_slots(&self) -> usize {
        self.workers.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_zeroes_are_not() {
        assert!(ExecutionSettings::default().validate().is_ok());
        let zero_attempts = ExecutionSettings {
            max_attempts: 0,
            ..ExecutionSettings::default()
        };
        assert_eq!(
            zero_attempts.validate(),
            Err(SettingError::NotPositive("execution.max_attempts"))
        );
        let tiny_memory = ExecutionSettings {
            run_memory_mib: 8,
            ..ExecutionSettings::default()
        };
        assert!(tiny_memory.validate().is_err());
    }
}
