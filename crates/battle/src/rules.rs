//! The game's rules as pure functions: from a battle as read and a command to the change it
//! makes, or the reason it is refused. No I/O, no clock (the time is an argument), so every
//! rule is tested directly; the service commits the change with an optimistic lock.

use contracts::battle::{BattleMode, BattleState, EndReason, EventBody, PlayerRef};
use contracts::verdict::Verdict;
use uuid::Uuid;

use crate::model::{Battle, Change, Participant, Report, Submission};

/// The clock of a battle, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// From both players present to the problem opening.
    pub countdown_ms: i64,
    /// How long an invite waits for the second player.
    pub invite_ttl_ms: i64,
    /// How long a matched battle waits for both players to arrive.
    pub arrive_ms: i64,
    /// After the deadline, how long submissions sent in time may still be judged.
    pub grace_ms: i64,
    /// How long a judge result may take before the job is sent again (once), then IE.
    pub result_timeout_ms: i64,
}

/// Why a command is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("you are not a player of this battle")]
    NotParticipant,
    #[error("this is your own invite")]
    OwnInvite,
    #[error("this invite was already taken")]
    InviteTaken,
    #[error("the battle is not active")]
    NotActive,
    #[error("the battle is over")]
    Over,
    #[error("time is up: no more submissions")]
    TimeUp,
    #[error("a submission of yours is still being judged")]
    StillJudging,
    #[error("only the creator of a private battle can withdraw it, before anyone joined")]
    CannotWithdraw,
    #[error("a matched battle is entered by arriving, not by invite")]
    NotAnInvite,
    #[error("you have used every submission this battle allows")]
    SubmissionLimit,
}

/// A private battle with its creator in the first seat, waiting for the second player.
pub fn create_private(
    id: Uuid,
    creator: &PlayerRef,
    problem: (&str, &str),
    invite_code: String,
    duration_secs: i64,
    now: i64,
    timing: &Timing,
) -> Change {
    let battle = new_battle(
        id,
        BattleMode::Private,
        vec![Participant::new(creator, 0, now, true)],
        problem,
        duration_secs,
        now,
        now + timing.invite_ttl_ms,
    );
    let mut change = Change::create(Battle {
        invite_code: Some(invite_code),
        ..battle
    });
    let players = vec![creator.clone()];
    change.push(
        now,
        created(BattleMode::Private, problem.0, players, duration_secs),
    );
    change
}

/// A matched battle: both seats taken, waiting for both players to arrive.
pub fn create_matched(
    id: Uuid,
    mode: BattleMode,
    players: [&PlayerRef; 2],
    problem: (&str, &str),
    duration_secs: i64,
    now: i64,
    timing: &Timing,
) -> Change {
    let seats = vec![
        Participant::new(players[0], 0, now, false),
        Participant::new(players[1], 1, now, false),
    ];
    let battle = new_battle(
        id,
        mode,
        seats,
        problem,
        duration_secs,
        now,
        now + timing.arrive_ms,
    );
    let refs = players.iter().map(|p| (*p).clone()).collect();
    let mut change = Change::create(battle);
    change.push(now, created(mode, problem.0, refs, duration_secs));
    change
}

fn created(
    mode: BattleMode,
    problem: &str,
    players: Vec<PlayerRef>,
    duration_secs: i64,
) -> EventBody {
    EventBody::Created {
        mode,
        problem: problem.to_owned(),
        players,
        duration_secs,
    }
}

fn new_battle(
    id: Uuid,
    mode: BattleMode,
    players: Vec<Participant>,
    (problem, hash): (&str, &str),
    duration_secs: i64,
    now: i64,
    due: i64,
) -> Battle {
    Battle {
        id,
        mode,
        state: BattleState::Waiting,
        problem: problem.to_owned(),
        problem_hash: hash.to_owned(),
        invite_code: None,
        created_by: players.first().map(|p| p.user_id).unwrap_or_default(),
        created_at_ms: now,
        duration_secs,
        due_at_ms: Some(due),
        starts_at_ms: None,
        deadline_ms: None,
        finished_at_ms: None,
        winner: None,
        reason: None,
        version: 1,
        last_seq: 0,
        players,
    }
}

/// The second player takes the invite: the countdown starts.
pub fn join(
    battle: &Battle,
    player: &PlayerRef,
    now: i64,
    timing: &Timing,
) -> Result<Change, Refusal> {
    if battle.mode != BattleMode::Private {
        return Err(Refusal::NotAnInvite);
    }
    if battle.is_participant(player.user_id) {
        return Err(Refusal::OwnInvite);
    }
    if battle.state != BattleState::Waiting || battle.players.len() != 1 {
        return Err(Refusal::InviteTaken);
    }
    let mut change = Change::of(battle);
    change
        .battle
        .players
        .push(Participant::new(player, 1, now, true));
    change.battle.invite_code = None;
    change.claim_players.push(player.user_id);
    change.push(
        now,
        EventBody::Joined {
            player: player.clone(),
        },
    );
    start_countdown(&mut change, now, timing);
    Ok(change)
}

/// A matched player arrives; when both have, the countdown starts. Arriving twice is
/// harmless (`None`: nothing changes).
pub fn arrive(
    battle: &Battle,
    user: Uuid,
    now: i64,
    timing: &Timing,
) -> Result<Option<Change>, Refusal> {
    let player = battle.player(user).ok_or(Refusal::NotParticipant)?;
    if player.ready || battle.state != BattleState::Waiting {
        return Ok(None);
    }
    let mut change = Change::of(battle);
    if let Some(p) = change.battle.player_mut(user) {
        p.ready = true;
    }
    change.push(now, EventBody::Ready { user_id: user });
    if change.battle.players.iter().all(|p| p.ready) {
        start_countdown(&mut change, now, timing);
    }
    Ok(Some(change))
}

fn start_countdown(change: &mut Change, now: i64, timing: &Timing) {
    let starts_at_ms = now + timing.countdown_ms;
    change.battle.state = BattleState::Countdown;
    change.battle.starts_at_ms = Some(starts_at_ms);
    change.battle.due_at_ms = Some(starts_at_ms);
    change.push(now, EventBody::Countdown { starts_at_ms });
}

/// The creator of a private battle takes it back before anyone joined.
pub fn withdraw(battle: &Battle, user: Uuid, now: i64) -> Result<Change, Refusal> {
    if battle.mode != BattleMode::Private
        || battle.state != BattleState::Waiting
        || battle.created_by != user
    {
        return Err(Refusal::CannotWithdraw);
    }
    let mut change = Change::of(battle);
    cancel(&mut change, EndReason::Withdrawn, now);
    Ok(change)
}

/// A player gives up: the opponent wins.
pub fn resign(battle: &Battle, user: Uuid, now: i64) -> Result<Change, Refusal> {
    if !battle.is_participant(user) {
        return Err(Refusal::NotParticipant);
    }
    match battle.state {
        BattleState::Countdown | BattleState::Active => {}
        BattleState::Waiting => return Err(Refusal::NotActive),
        BattleState::Finished | BattleState::Cancelled => return Err(Refusal::Over),
    }
    let mut change = Change::of(battle);
    let winner = battle.opponent(user).map(|p| p.user_id);
    finish(&mut change, winner, EndReason::Resigned, now);
    Ok(change)
}

/// What the clock does at `now`: expire a wait, open the problem, or end the battle.
/// `None` when nothing is due.
pub fn tick(battle: &Battle, now: i64, timing: &Timing) -> Option<Change> {
    let due = battle.due_at_ms?;
    if now < due {
        return None;
    }
    let mut change = Change::of(battle);
    match battle.state {
        BattleState::Waiting => {
            let reason = match battle.mode {
                BattleMode::Private => EndReason::NoOpponent,
                _ => EndReason::NoShow,
            };
            cancel(&mut change, reason, now);
        }
        BattleState::Countdown => {
            let deadline_ms = battle.starts_at_ms.unwrap_or(now) + battle.duration_secs * 1000;
            change.battle.state = BattleState::Active;
            change.battle.deadline_ms = Some(deadline_ms);
            change.battle.due_at_ms = Some(deadline_ms);
            change.push(now, EventBody::Started { deadline_ms });
        }
        BattleState::Active => {
            let deadline = battle.deadline_ms.unwrap_or(due);
            let judging = battle.players.iter().any(|p| p.judging.is_some());
            if judging && now < deadline + timing.grace_ms {
                // Submissions sent in time are still being judged: wait for them.
                change.battle.due_at_ms = Some(deadline + timing.grace_ms);
            } else {
                finish_on_time(&mut change, now);
            }
        }
        BattleState::Finished | BattleState::Cancelled => {
            change.battle.due_at_ms = None;
        }
    }
    Some(change)
}

/// Records a new submission (judging). Refused outside the active window, for
/// non-players, while the player's previous submission is still being judged, and after
/// `max_submissions`.
pub fn submit(
    battle: &Battle,
    submission: Submission,
    max_submissions: u32,
    now: i64,
) -> Result<Change, Refusal> {
    let player = battle
        .player(submission.user_id)
        .ok_or(Refusal::NotParticipant)?;
    match battle.state {
        BattleState::Active => {}
        BattleState::Waiting | BattleState::Countdown => return Err(Refusal::NotActive),
        BattleState::Finished | BattleState::Cancelled => return Err(Refusal::Over),
    }
    if battle.deadline_ms.is_some_and(|d| now >= d) {
        return Err(Refusal::TimeUp);
    }
    if player.judging.is_some() {
        return Err(Refusal::StillJudging);
    }
    if player.submissions >= max_submissions {
        return Err(Refusal::SubmissionLimit);
    }
    let mut change = Change::of(battle);
    let count = player.submissions + 1;
    if let Some(p) = change.battle.player_mut(submission.user_id) {
        p.submissions = count;
        p.judging = Some(submission.id);
    }
    change.push(
        now,
        EventBody::Submitted {
            user_id: submission.user_id,
            submission_id: submission.id,
            count,
        },
    );
    change.insert_submission = Some(submission);
    Ok(change)
}

/// What a judge result says about a submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub score: u32,
    pub report: Report,
}

/// Records a submission's result. `None` if it was judged already (a result delivered
/// twice changes nothing). An AC ends an active battle at once; so does the last result
/// after the deadline. A result that comes after the battle is over is kept on the
/// submission only: the standings and the log are final.
pub fn judged(
    battle: &Battle,
    submission: &Submission,
    judgement: Judgement,
    now: i64,
) -> Option<Change> {
    if !submission.is_judging() {
        return None;
    }
    let score = if judgement.verdict == Verdict::Accepted {
        submission.total
    } else {
        judgement.score.min(submission.total)
    };
    let mut change = Change::of(battle);
    let mut done = submission.clone();
    done.verdict = Some(judgement.verdict);
    done.score = score;
    done.report = Some(judgement.report);
    done.resend_at_ms = None;
    done.judged_at_ms = Some(now);
    let user = submission.user_id;
    if battle.state.is_over() {
        if let Some(p) = change.battle.player_mut(user)
            && p.judging == Some(submission.id)
        {
            p.judging = None;
        }
        change.update_submission = Some(done);
        return Some(change);
    }
    let mut best_score = 0;
    if let Some(p) = change.battle.player_mut(user) {
        if p.judging == Some(submission.id) {
            p.judging = None;
        }
        p.last_verdict = Some(judgement.verdict);
        // Reached first = submitted first: the judge's queue must not decide the tie-break.
        if score > p.best_score
            || (score == p.best_score
                && score > 0
                && p.best_at_ms.is_none_or(|t| submission.submitted_at_ms < t))
        {
            p.best_score = score;
            p.best_at_ms = Some(submission.submitted_at_ms);
        }
        best_score = p.best_score;
    }
    change.push(
        now,
        EventBody::Judged {
            user_id: user,
            submission_id: submission.id,
            verdict: judgement.verdict,
            score,
            total: submission.total,
            best_score,
        },
    );
    change.update_submission = Some(done);
    if battle.state == BattleState::Active {
        if judgement.verdict == Verdict::Accepted {
            finish(&mut change, Some(user), EndReason::Accepted, now);
        } else if battle.deadline_ms.is_some_and(|d| now >= d)
            && change.battle.players.iter().all(|p| p.judging.is_none())
        {
            finish_on_time(&mut change, now);
        }
    }
    Some(change)
}

/// Until its send is confirmed a submission is due again this soon: if the replica that took
/// it dies before sending, any replica's clock sends it after this, not after the result
/// timeout.
pub const CONFIRM_SEND_MS: i64 = 15_000;
/// A send that failed (execution unreachable) is tried again this soon, by the clock.
pub const RESEND_AFTER_FAILURE_MS: i64 = 2_000;

/// The job `job_id` reached execution: one more attempt counts, and the result now has the
/// result timeout to come.
pub fn sent(
    battle: &Battle,
    submission: &Submission,
    job_id: Uuid,
    now: i64,
    timing: &Timing,
) -> Option<Change> {
    if !submission.is_judging() || submission.job_id != job_id {
        return None;
    }
    let mut change = Change::of(battle);
    let mut s = submission.clone();
    s.attempts += 1;
    s.resend_at_ms = Some(now + timing.result_timeout_ms);
    change.update_submission = Some(s);
    Some(change)
}

/// Sending `job_id` failed: refused for good (`refused` holds the IE to record: execution
/// will never take it), or execution was unreachable and the clock tries again soon.
pub fn send_failed(
    battle: &Battle,
    submission: &Submission,
    job_id: Uuid,
    refused: Option<Judgement>,
    now: i64,
) -> Option<Change> {
    if !submission.is_judging() || submission.job_id != job_id {
        return None;
    }
    if let Some(lost) = refused {
        return judged(battle, submission, lost, now);
    }
    let mut change = Change::of(battle);
    let mut s = submission.clone();
    s.resend_at_ms = Some(now + RESEND_AFTER_FAILURE_MS);
    change.update_submission = Some(s);
    Some(change)
}

/// A submission whose `resend_at_ms` has come: its send was never confirmed, or its result
/// is overdue. `attempts` counts the sends execution confirmed. The job is sent again under
/// `job_id` unless it ends as `lost` (IE): two confirmed sends without a result; or, once the
/// battle is over (a result can no longer change it), one confirmed send whose result is
/// overdue, or sends that never got through for a whole result timeout. A job that never
/// reached execution is still sent after the battle ended, for its real verdict (kept on
/// the submission only).
pub fn overdue(
    battle: &Battle,
    submission: &Submission,
    job_id: Uuid,
    lost: Judgement,
    now: i64,
    timing: &Timing,
) -> Option<Change> {
    let due = submission.resend_at_ms.is_some_and(|t| t <= now);
    if !submission.is_judging() || !due {
        return None;
    }
    let over = battle.state.is_over();
    let stale = now - submission.submitted_at_ms > timing.result_timeout_ms;
    if submission.attempts >= 2 || (over && (submission.attempts >= 1 || stale)) {
        return judged(battle, submission, lost, now);
    }
    Some(resend(battle, submission, job_id, now))
}

/// The submission's job is sent again under a new id; it counts as an attempt once its
/// send is confirmed (`sent`).
pub fn resend(battle: &Battle, submission: &Submission, job_id: Uuid, now: i64) -> Change {
    let mut change = Change::of(battle);
    let mut again = submission.clone();
    again.job_id = job_id;
    again.resend_at_ms = Some(now + CONFIRM_SEND_MS);
    change.update_submission = Some(again);
    change
}

/// Time is up: the higher best score wins; equal scores go to whoever reached theirs
/// first; nothing passed by either (or a dead heat) is a draw.
fn finish_on_time(change: &mut Change, now: i64) {
    let (winner, reason) = match change.battle.players.as_slice() {
        [a, b] if a.best_score != b.best_score => {
            let w = if a.best_score > b.best_score { a } else { b };
            (Some(w.user_id), EndReason::Score)
        }
        [a, b] if a.best_score > 0 => match (a.best_at_ms, b.best_at_ms) {
            (Some(x), Some(y)) if x < y => (Some(a.user_id), EndReason::TieBreak),
            (Some(x), Some(y)) if y < x => (Some(b.user_id), EndReason::TieBreak),
            _ => (None, EndReason::Draw),
        },
        _ => (None, EndReason::Draw),
    };
    finish(change, winner, reason, now);
}

fn finish(change: &mut Change, winner: Option<Uuid>, reason: EndReason, now: i64) {
    let b = &mut change.battle;
    b.state = BattleState::Finished;
    b.winner = winner;
    b.reason = Some(reason);
    b.finished_at_ms = Some(now);
    b.due_at_ms = None;
    b.invite_code = None;
    change.release_players = true;
    change.push(now, EventBody::Finished { winner, reason });
    change.result = change.battle.result();
}

fn cancel(change: &mut Change, reason: EndReason, now: i64) {
    let b = &mut change.battle;
    b.state = BattleState::Cancelled;
    b.reason = Some(reason);
    b.finished_at_ms = Some(now);
    b.due_at_ms = None;
    b.invite_code = None;
    change.release_players = true;
    change.push(now, EventBody::Cancelled { reason });
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
