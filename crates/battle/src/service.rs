//! The battle service's logic, free of HTTP: commands are decided by [`crate::rules`] on the
//! battle as read and committed with the optimistic lock (re-read and decided again on a
//! conflict); queries read the store. Background work (the clock, results, matchmaking,
//! the outbox relay) is in [`crate::workers`].

use std::sync::Arc;

use contracts::auth::Identity;
use contracts::battle::{BattleEvent, BattleMode, PlayerRef};
use contracts::execution::JobResult;
use contracts::verdict::Verdict;
use rand::Rng;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::catalogue::{Catalogue, Entry};
use crate::clients::{JudgeRequest, Judging, JudgingError, Ratings, RatingsError};
use crate::model::{Battle, Change, QueueEntry, Report, Submission};
use crate::rules::{self, Judgement, Refusal, Timing};
use crate::settings::BattleSettings;
use crate::store::{BattleStore, StoreError};

/// How often a command is decided again after losing a race, before giving up.
const MAX_RETRIES: usize = 8;
/// Most events one page of the log returns.
pub const MAX_EVENTS_PAGE: u32 = 500;

#[derive(Debug, thiserror::Error)]
pub enum BattleError {
    #[error("no such battle")]
    NotFound,
    #[error("no such problem")]
    ProblemNotFound,
    #[error("no such invite")]
    InviteNotFound,
    #[error("no such submission")]
    SubmissionNotFound,
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("you are already in a battle")]
    InBattle,
    #[error("you are waiting in the matchmaking queue")]
    Queued,
    #[error("you are already in the queue")]
    AlreadyQueued,
    #[error("the source is {0} bytes; the limit is {1}")]
    SourceTooLarge(usize, usize),
    #[error("empty source")]
    EmptySource,
    #[error("the source contains a NUL character")]
    NulInSource,
    #[error("unknown language {0:?}")]
    UnknownLanguage(String),
    #[error("private battles are made with create, not the queue")]
    PrivateQueue,
    #[error("no problem is installed")]
    NoProblems,
    #[error("the battle is too busy to change now; try again")]
    Busy,
    #[error(transparent)]
    Judging(#[from] JudgingError),
    #[error(transparent)]
    Ratings(#[from] RatingsError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for BattleError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::PlayerBusy => BattleError::InBattle,
            StoreError::PlayerQueued => BattleError::Queued,
            StoreError::AlreadyQueued => BattleError::AlreadyQueued,
            StoreError::Conflict => BattleError::Busy,
            other => BattleError::Store(other),
        }
    }
}

pub use platform::clock::now_ms;

pub struct BattleService {
    pub(crate) settings: BattleSettings,
    pub(crate) timing: Timing,
    pub(crate) store: Arc<dyn BattleStore>,
    pub(crate) catalogue: Arc<Catalogue>,
    pub(crate) judging: Arc<dyn Judging>,
    pub(crate) ratings: Arc<dyn Ratings>,
    /// Woken after every commit that wrote events, so the relay publishes at once.
    pub(crate) outbox: Arc<Notify>,
}

impl BattleService {
    pub fn new(
        settings: BattleSettings,
        store: Arc<dyn BattleStore>,
        catalogue: Arc<Catalogue>,
        judging: Arc<dyn Judging>,
        ratings: Arc<dyn Ratings>,
    ) -> Self {
        Self {
            timing: settings.timing(),
            settings,
            store,
            catalogue,
            judging,
            ratings,
            outbox: Arc::new(Notify::new()),
        }
    }

    pub fn settings(&self) -> &BattleSettings {
        &self.settings
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    pub fn store(&self) -> &Arc<dyn BattleStore> {
        &self.store
    }

    async fn player(&self, identity: &Identity) -> Result<PlayerRef, BattleError> {
        Ok(PlayerRef {
            user_id: identity.user_id,
            username: identity.username.clone(),
            rating: self.ratings.rating(identity.user_id).await?,
        })
    }

    /// Creates a private battle on `problem` (or one chosen for the creator's rating).
    #[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
    pub async fn create(
        &self,
        identity: &Identity,
        problem: Option<&str>,
    ) -> Result<Battle, BattleError> {
        let player = self.player(identity).await?;
        let entry = match problem {
            Some(slug) => self
                .catalogue
                .get(slug)
                .ok_or(BattleError::ProblemNotFound)?,
            None => {
                let recent = self.store.recent_problems(identity.user_id, 10).await?;
                crate::matchmaker::choose_problem(&self.catalogue, player.rating, &recent)
                    .ok_or(BattleError::NoProblems)?
            }
        };
        let change = rules::create_private(
            Uuid::now_v7(),
            &player,
            (&entry.detail.summary.slug, &entry.hash),
            invite_code(),
            self.settings.duration_secs,
            now_ms(),
            &self.timing,
        );
        self.store.create(&change).await?;
        self.committed(&change);
        Ok(change.battle)
    }

    /// Takes the invite `code`.
    #[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
    pub async fn join(&self, identity: &Identity, code: &str) -> Result<Battle, BattleError> {
        let battle = self
            .store
            .battle_by_invite(code)
            .await?
            .ok_or(BattleError::InviteNotFound)?;
        let player = self.player(identity).await?;
        let timing = self.timing;
        self.apply(battle.id, |b| {
            rules::join(b, &player, now_ms(), &timing).map(Some)
        })
        .await
    }

    /// A matched player arrives (opens the battle).
    #[tracing::instrument(skip(self))]
    pub async fn arrive(&self, user: Uuid, id: Uuid) -> Result<Battle, BattleError> {
        let timing = self.timing;
        self.apply(id, |b| rules::arrive(b, user, now_ms(), &timing))
            .await
    }

    #[tracing::instrument(skip(self))]
    pub async fn resign(&self, user: Uuid, id: Uuid) -> Result<Battle, BattleError> {
        self.apply(id, |b| rules::resign(b, user, now_ms()).map(Some))
            .await
    }

    #[tracing::instrument(skip(self))]
    pub async fn withdraw(&self, user: Uuid, id: Uuid) -> Result<Battle, BattleError> {
        self.apply(id, |b| rules::withdraw(b, user, now_ms()).map(Some))
            .await
    }

    /// Records a submission and sends it to be judged.
    #[tracing::instrument(skip(self, source), fields(bytes = source.len()))]
    pub async fn submit(
        self: &Arc<Self>,
        user: Uuid,
        id: Uuid,
        language: &str,
        source: String,
    ) -> Result<Submission, BattleError> {
        let limit = self.settings.max_source_bytes;
        if source.len() > limit {
            return Err(BattleError::SourceTooLarge(source.len(), limit));
        }
        if source.trim().is_empty() {
            return Err(BattleError::EmptySource);
        }
        if source.contains('\0') {
            return Err(BattleError::NulInSource);
        }
        if !self
            .judging
            .languages()
            .await?
            .iter()
            .any(|l| l == language)
        {
            return Err(BattleError::UnknownLanguage(language.to_owned()));
        }
        let battle = self.store.battle(id).await?.ok_or(BattleError::NotFound)?;
        let total = self
            .catalogue
            .get(&battle.problem)
            .map(|e| e.detail.summary.tests)
            .unwrap_or_default();
        let now = now_ms();
        let submission = Submission {
            id: Uuid::now_v7(),
            battle_id: id,
            user_id: user,
            language: language.to_owned(),
            source,
            submitted_at_ms: now,
            job_id: Uuid::now_v7(),
            attempts: 0,
            resend_at_ms: Some(now + rules::CONFIRM_SEND_MS),
            verdict: None,
            score: 0,
            total,
            report: None,
            judged_at_ms: None,
        };
        let battle = self
            .apply(id, |b| {
                rules::submit(
                    b,
                    submission.clone(),
                    self.settings.max_submissions,
                    now_ms(),
                )
                .map(Some)
            })
            .await?;
        metrics::counter!(crate::metrics::SUBMISSIONS, "language" => submission.language.clone())
            .increment(1);
        // Sent on its own task: a client that goes away now must not cancel the send.
        let this = self.clone();
        let sending = submission.clone();
        tokio::spawn(async move { this.send(&battle, &sending).await });
        Ok(submission)
    }

    /// Sends a submission's current job and records how it went (`rules::sent`,
    /// `rules::send_failed`): confirmed, to be tried again soon, or refused for good (IE).
    /// If this process dies first, any replica's clock sends it again after
    /// `rules::CONFIRM_SEND_MS`.
    #[tracing::instrument(skip_all, fields(submission = %submission.id, job_id = %submission.job_id))]
    pub(crate) async fn send(&self, battle: &Battle, submission: &Submission) {
        let request = JudgeRequest {
            job_id: submission.job_id,
            owner: submission.user_id,
            language: submission.language.clone(),
            source: submission.source.clone(),
            problem_hash: battle.problem_hash.clone(),
        };
        let outcome = self.judging.judge(request).await;
        if let Err(e) = &outcome {
            tracing::warn!(error = %e, submission = %submission.id, "judge job not sent");
        }
        let job_id = submission.job_id;
        let recorded = self
            .apply_submission(submission.id, |b, s| {
                let now = now_ms();
                Ok(match &outcome {
                    Ok(()) => rules::sent(b, s, job_id, now, &self.timing),
                    Err(JudgingError::Refused(_)) => {
                        rules::send_failed(b, s, job_id, Some(lost()), now)
                    }
                    Err(JudgingError::Unavailable(_)) => {
                        rules::send_failed(b, s, job_id, None, now)
                    }
                })
            })
            .await;
        if let Err(e) = recorded {
            tracing::warn!(error = %e, submission = %submission.id, "cannot record the send; the clock will send it again");
        }
    }

    /// Records a judge result (idempotent: a result for a judged submission, an earlier
    /// attempt or a job that is not a battle's changes nothing).
    #[tracing::instrument(skip_all, fields(job_id = %result.job_id))]
    pub async fn record_result(&self, result: &JobResult) -> Result<(), BattleError> {
        if result.kind != "judge" {
            return Ok(());
        }
        let Some(submission) = self.store.submission_by_job(result.job_id).await? else {
            return Ok(());
        };
        if submission.user_id != result.owner {
            tracing::warn!(submission = %submission.id, "a result whose owner is not the submitter; ignored");
            return Ok(());
        }
        let judgement = judgement(result);
        let outcome = self
            .apply_submission(submission.id, |b, s| {
                if s.job_id != result.job_id {
                    return Ok(None);
                }
                Ok(rules::judged(b, s, judgement.clone(), now_ms()))
            })
            .await;
        if outcome.is_ok() {
            metrics::counter!(crate::metrics::JUDGED, "verdict" => judgement.verdict.code())
                .increment(1);
        }
        outcome.map(|_| ())
    }

    /// Queries.
    #[tracing::instrument(skip(self))]
    pub async fn battle(&self, id: Uuid) -> Result<Battle, BattleError> {
        self.store.battle(id).await?.ok_or(BattleError::NotFound)
    }

    pub async fn problem_of(&self, battle: &Battle) -> Option<&Entry> {
        self.catalogue.get(&battle.problem)
    }

    /// The submissions of `battle` that `viewer` may see: their own while it is played,
    /// everyone's once it is over.
    #[tracing::instrument(skip(self))]
    pub async fn submissions(
        &self,
        viewer: Uuid,
        id: Uuid,
    ) -> Result<(Battle, Vec<Submission>), BattleError> {
        let battle = self.battle(id).await?;
        let over = battle.state.is_over();
        if !over && !battle.is_participant(viewer) {
            return Err(Refusal::NotParticipant.into());
        }
        let only = if over { None } else { Some(viewer) };
        let submissions = self.store.submissions(id, only).await?;
        Ok((battle, submissions))
    }

    #[tracing::instrument(skip(self))]
    pub async fn submission(
        &self,
        viewer: Uuid,
        id: Uuid,
        sid: Uuid,
    ) -> Result<Submission, BattleError> {
        let battle = self.battle(id).await?;
        let s = self
            .store
            .submission(sid)
            .await?
            .filter(|s| s.battle_id == id)
            .ok_or(BattleError::SubmissionNotFound)?;
        if s.user_id != viewer && !battle.state.is_over() {
            return Err(Refusal::NotParticipant.into());
        }
        Ok(s)
    }

    #[tracing::instrument(skip(self))]
    pub async fn events(
        &self,
        id: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<BattleEvent>, BattleError> {
        self.battle(id).await?;
        Ok(self
            .store
            .events(id, after, limit.min(MAX_EVENTS_PAGE))
            .await?)
    }

    /// The battle `user` is in now (if any) and their latest battles.
    #[tracing::instrument(skip(self))]
    pub async fn mine(
        &self,
        user: Uuid,
        limit: u32,
    ) -> Result<(Option<Battle>, Vec<Battle>), BattleError> {
        let active = match self.store.active_battle_of(user).await? {
            Some(id) => self.store.battle(id).await?,
            None => None,
        };
        let history = self.store.battles_of(user, limit).await?;
        Ok((active, history))
    }

    #[tracing::instrument(skip(self))]
    pub async fn live(&self, limit: u32) -> Result<Vec<Battle>, BattleError> {
        Ok(self.store.live(limit).await?)
    }

    /// Matchmaking: joins the queue of `mode`.
    #[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
    pub async fn enqueue(
        &self,
        identity: &Identity,
        mode: BattleMode,
        language: Option<String>,
    ) -> Result<QueueEntry, BattleError> {
        if mode == BattleMode::Private {
            return Err(BattleError::PrivateQueue);
        }
        if let Some(l) = &language
            && !self.judging.languages().await?.iter().any(|x| x == l)
        {
            return Err(BattleError::UnknownLanguage(l.clone()));
        }
        let entry = QueueEntry {
            user_id: identity.user_id,
            username: identity.username.clone(),
            mode,
            language,
            rating: self.ratings.rating(identity.user_id).await?,
            enqueued_at_ms: now_ms(),
        };
        self.store.enqueue(&entry).await?;
        Ok(entry)
    }

    #[tracing::instrument(skip(self))]
    pub async fn leave_queue(&self, user: Uuid) -> Result<bool, BattleError> {
        Ok(self.store.dequeue(user).await?)
    }

    #[tracing::instrument(skip(self))]
    pub async fn queued(&self, user: Uuid) -> Result<Option<QueueEntry>, BattleError> {
        Ok(self.store.queued(user).await?)
    }

    /// Decides and commits a change to battle `id`, again after losing a race; returns the
    /// battle as it is afterwards.
    #[tracing::instrument(skip(self, decide))]
    pub(crate) async fn apply<F>(&self, id: Uuid, mut decide: F) -> Result<Battle, BattleError>
    where
        F: FnMut(&Battle) -> Result<Option<Change>, Refusal>,
    {
        for _ in 0..MAX_RETRIES {
            let battle = self.battle(id).await?;
            let Some(change) = decide(&battle)? else {
                return Ok(battle);
            };
            match self.store.commit(&change).await {
                Ok(()) => {
                    self.committed(&change);
                    return Ok(change.battle);
                }
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(BattleError::Busy)
    }

    /// Like [`Self::apply`], for a change about one submission (read with its battle).
    #[tracing::instrument(skip(self, decide))]
    pub(crate) async fn apply_submission<F>(
        &self,
        sid: Uuid,
        mut decide: F,
    ) -> Result<(), BattleError>
    where
        F: FnMut(&Battle, &Submission) -> Result<Option<Change>, Refusal>,
    {
        let battle_id = self
            .store
            .submission(sid)
            .await?
            .ok_or(BattleError::SubmissionNotFound)?
            .battle_id;
        for _ in 0..MAX_RETRIES {
            // The battle first: every change to a submission goes through its battle's
            // version, so a submission read after the battle is at least as new, and a
            // decision on a stale pair cannot commit.
            let battle = self.battle(battle_id).await?;
            let s = self
                .store
                .submission(sid)
                .await?
                .ok_or(BattleError::SubmissionNotFound)?;
            let Some(change) = decide(&battle, &s)? else {
                return Ok(());
            };
            match self.store.commit(&change).await {
                Ok(()) => {
                    self.committed(&change);
                    return Ok(());
                }
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(BattleError::Busy)
    }

    pub(crate) fn committed(&self, change: &Change) {
        if !change.events.is_empty() || change.result.is_some() {
            self.outbox.notify_one();
        }
        for e in &change.events {
            metrics::counter!(crate::metrics::EVENTS, "type" => e.body.kind()).increment(1);
        }
    }
}

/// What a judge result means for the battle: secret tests passed is the score.
fn judgement(result: &JobResult) -> Judgement {
    let score = result
        .tests
        .iter()
        .filter(|t| t.name.starts_with("secret/") && t.verdict == Verdict::Accepted)
        .count();
    Judgement {
        verdict: result.verdict,
        score: u32::try_from(score).unwrap_or(u32::MAX),
        report: Report {
            compile_output: result.compile_output.clone(),
            tests: result.tests.clone(),
            time_ms: result.time_ms,
            memory_bytes: result.memory_bytes,
        },
    }
}

/// An IE for a submission whose result never came.
pub(crate) fn lost() -> Judgement {
    Judgement {
        verdict: Verdict::InternalError,
        score: 0,
        report: Report::default(),
    }
}

/// Eight characters from an alphabet without look-alikes (40 bits).
fn invite_code() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut rng = rand::rng();
    (0..8)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
