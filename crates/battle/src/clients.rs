//! What the battle service needs from other services, as traits of its own; `codearena`
//! implements them in-process (embedded) and over HTTP (cluster).

use uuid::Uuid;

/// A judge job as the battle service sends it: the job id is chosen here (it is how the
/// result is matched to its submission), the package named by its content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgeRequest {
    pub job_id: Uuid,
    pub owner: Uuid,
    pub language: String,
    pub source: String,
    pub problem_hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum JudgingError {
    /// The execution service will not take this job (a bug on our side: battle checks
    /// language and size first).
    #[error("execution refused the job: {0}")]
    Refused(String),
    /// Execution or its queue is not reachable now; try again later.
    #[error("execution is unavailable: {0}")]
    Unavailable(String),
}

/// Sends judge jobs to the execution service. Results come back on the results exchange.
#[async_trait::async_trait]
pub trait Judging: Send + Sync {
    /// Queues the job durably (returns once it is safe) with judge priority.
    async fn judge(&self, request: JudgeRequest) -> Result<(), JudgingError>;
    /// Ids of the languages the workers run.
    async fn languages(&self) -> Result<Vec<String>, JudgingError>;
}

/// The rating service could not be asked.
#[derive(Debug, thiserror::Error)]
#[error("the rating service is unavailable: {0}")]
pub struct RatingsError(pub String);

/// Players' ratings (rounded), for matchmaking and the choice of problem.
#[async_trait::async_trait]
pub trait Ratings: Send + Sync {
    async fn rating(&self, user: Uuid) -> Result<i32, RatingsError>;
}

/// Everyone has the same rating (tests that do not need the rating service).
pub struct FixedRatings(pub i32);

impl Default for FixedRatings {
    fn default() -> Self {
        Self(1500)
    }
}

#[async_trait::async_trait]
impl Ratings for FixedRatings {
    async fn rating(&self, _user: Uuid) -> Result<i32, RatingsError> {
        Ok(self.0)
    }
}
