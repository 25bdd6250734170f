//! The battle service's [`battle::Judging`]: straight into the execution service of the same
//! process (embedded), or over HTTP to its service endpoint (cluster).

use std::sync::Arc;
use std::time::{Duration, Instant};

use battle::{JudgeRequest, Judging, JudgingError};
use contracts::execution::Task;
use execution::service::ExecutionService;
use execution::service::SubmitError;
use tokio::sync::Mutex;

/// Embedded mode: the execution service is in this process.
pub struct InProcessJudging(pub Arc<ExecutionService>);

#[async_trait::async_trait]
impl Judging for InProcessJudging {
    #[tracing::instrument(skip_all, fields(job_id = %r.job_id))]
    async fn judge(&self, r: JudgeRequest) -> Result<(), JudgingError> {
        let task = Task::Judge {
            problem_hash: r.problem_hash,
            all_tests: true,
        };
        self.0
            .submit_for_service(r.job_id, r.owner, &r.language, r.source, task)
            .await
            .map_err(|e| match e {
                SubmitError::Queue(_) | SubmitError::Store(_) => {
                    JudgingError::Unavailable(e.to_string())
                }
                other => JudgingError::Refused(other.to_string()),
            })
    }

    async fn languages(&self) -> Result<Vec<String>, JudgingError> {
        Ok(self.0.languages().iter().map(|l| l.id.clone()).collect())
    }
}

/// How long the list of languages is kept before it is asked for again.
const LANGUAGES_TTL: Duration = Duration::from_secs(60);

/// Cluster mode: `POST /internal/execution/judge` with the shared service token.
pub struct RemoteJudging {
    client: reqwest::Client,
    base: String,
    token: String,
    languages: Mutex<Option<(Instant, Vec<String>)>>,
}

impl RemoteJudging {
    pub fn new(base: &str, token: String) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
            token,
            languages: Mutex::new(None),
        })
    }
}

#[derive(serde::Deserialize)]
struct LanguageList {
    languages: Vec<LanguageId>,
}

#[derive(serde::Deserialize)]
struct LanguageId {
    id: String,
}

#[async_trait::async_trait]
impl Judging for RemoteJudging {
    #[tracing::instrument(skip_all, fields(job_id = %r.job_id))]
    async fn judge(&self, r: JudgeRequest) -> Result<(), JudgingError> {
        let body = serde_json::json!({
            "job_id": r.job_id,
            "owner": r.owner,
            "language": r.language,
            "source": r.source,
            "problem_hash": r.problem_hash,
        });
        let response = self
            .client
            .post(format!("{}/internal/execution/judge", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .map_err(|e| JudgingError::Unavailable(e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        let message = format!("{status}: {}", text.chars().take(500).collect::<String>());
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            Err(JudgingError::Unavailable(message))
        } else {
            Err(JudgingError::Refused(message))
        }
    }

    /// The list, asked for at most once a minute; while execution cannot be asked, the
    /// last list it gave (the lock is not held across the request).
    async fn languages(&self) -> Result<Vec<String>, JudgingError> {
        let stale = match self.languages.lock().await.as_ref() {
            Some((at, list)) if at.elapsed() < LANGUAGES_TTL => return Ok(list.clone()),
            Some((_, list)) => Some(list.clone()),
            None => None,
        };
        let unavailable = |e: reqwest::Error| JudgingError::Unavailable(e.to_string());
        let fetched = async {
            let list: LanguageList = self
                .client
                .get(format!("{}/api/execution/languages", self.base))
                .timeout(Duration::from_secs(3))
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(unavailable)?
                .json()
                .await
                .map_err(unavailable)?;
            Ok::<_, JudgingError>(list.languages.into_iter().map(|l| l.id).collect::<Vec<_>>())
        }
        .await;
        match (fetched, stale) {
            (Ok(ids), _) => {
                *self.languages.lock().await = Some((Instant::now(), ids.clone()));
                Ok(ids)
            }
            (Err(e), Some(list)) => {
                tracing::warn!(error = %e, "execution's languages: using the last list");
                Ok(list)
            }
            (Err(e), None) => Err(e),
        }
    }
}
