//! The rules, one by one, on battles built in memory.

use contracts::battle::{BattleMode, BattleState, EndReason, EventBody, PlayerRef};
use contracts::verdict::Verdict;
use uuid::Uuid;

use super::*;
use crate::model::{Battle, Report, Submission};

const TIMING: Timing = Timing {
    countdown_ms: 5_000,
    invite_ttl_ms: 60_000,
    arrive_ms: 30_000,
    grace_ms: 10_000,
    result_timeout_ms: 20_000,
};

fn player(name: &str) -> PlayerRef {
    PlayerRef {
        user_id: Uuid::new_v4(),
        username: name.into(),
        rating: 1500,
    }
}

/// `rules::submit` with a limit that the tests below do not reach.
fn submit(battle: &Battle, s: Submission, now: i64) -> Result<Change, Refusal> {
    super::submit(battle, s, 50, now)
}

/// Applies a change as the store would: the battle afterwards.
fn after(change: &Change) -> Battle {
    change.battle.clone()
}

/// A private battle, joined at 0 and started at 5 s (deadline 5 s + 60 s).
fn active() -> (Battle, PlayerRef, PlayerRef) {
    let (a, b) = (player("ada"), player("bob"));
    let created = create_private(
        Uuid::new_v4(),
        &a,
        ("p", "h"),
        "code".into(),
        60,
        0,
        &TIMING,
    );
    let joined = join(&after(&created), &b, 0, &TIMING).expect("join");
    let started = tick(&after(&joined), 5_000, &TIMING).expect("due");
    let battle = after(&started);
    assert_eq!(battle.state, BattleState::Active);
    assert_eq!(battle.deadline_ms, Some(65_000));
    (battle, a, b)
}

fn submission(battle: &Battle, user: Uuid, at: i64) -> Submission {
    Submission {
        id: Uuid::new_v4(),
        battle_id: battle.id,
        user_id: user,
        language: "python3".into(),
        source: "print(1)".into(),
        submitted_at_ms: at,
        job_id: Uuid::new_v4(),
        attempts: 1,
        resend_at_ms: Some(at + TIMING.result_timeout_ms),
        verdict: None,
        score: 0,
        total: 10,
        report: None,
        judged_at_ms: None,
    }
}

fn verdict(v: Verdict, score: u32) -> Judgement {
    Judgement {
        verdict: v,
        score,
        report: Report::default(),
    }
}

/// Submits for `user` at `at` and records its judgement at `judged`.
fn play(battle: &Battle, user: Uuid, at: i64, judged_at: i64, j: Judgement) -> Battle {
    let s = submission(battle, user, at);
    let submitted = after(&submit(battle, s.clone(), at).expect("submit"));
    after(&judged(&submitted, &s, j, judged_at).expect("judged"))
}

#[test]
fn events_are_numbered_from_one_without_gaps() {
    let (battle, a, _) = active();
    let s = submission(&battle, a.user_id, 6_000);
    let change = submit(&battle, s, 6_000).expect("submit");
    let seqs: Vec<i64> = change.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![battle.last_seq + 1]);
    // created, joined, countdown, started
    assert_eq!(battle.last_seq, 4);
}

#[test]
fn first_accepted_wins_at_once() {
    let (battle, a, b) = active();
    let battle = play(
        &battle,
        b.user_id,
        6_000,
        7_000,
        verdict(Verdict::WrongAnswer, 3),
    );
    let battle = play(
        &battle,
        a.user_id,
        8_000,
        9_000,
        verdict(Verdict::Accepted, 0),
    );
    assert_eq!(battle.state, BattleState::Finished);
    assert_eq!(battle.winner, Some(a.user_id));
    assert_eq!(battle.reason, Some(EndReason::Accepted));
    assert_eq!(battle.player(a.user_id).map(|p| p.best_score), Some(10));
}

#[test]
fn at_the_deadline_the_higher_score_wins() {
    let (battle, a, b) = active();
    let battle = play(
        &battle,
        a.user_id,
        6_000,
        7_000,
        verdict(Verdict::WrongAnswer, 3),
    );
    let battle = play(
        &battle,
        b.user_id,
        8_000,
        9_000,
        verdict(Verdict::WrongAnswer, 5),
    );
    let done = after(&tick(&battle, 65_000, &TIMING).expect("due"));
    assert_eq!(
        (done.winner, done.reason),
        (Some(b.user_id), Some(EndReason::Score))
    );
    assert!(done.result().is_none(), "private battles are not rated");
}

#[test]
fn equal_scores_go_to_whoever_reached_them_first() {
    let (battle, a, b) = active();
    // Bob submitted first but was judged last: submission time decides.
    let s_b = submission(&battle, b.user_id, 6_000);
    let battle = after(&submit(&battle, s_b.clone(), 6_000).expect("submit"));
    let battle = play(
        &battle,
        a.user_id,
        7_000,
        8_000,
        verdict(Verdict::WrongAnswer, 4),
    );
    let battle =
        after(&judged(&battle, &s_b, verdict(Verdict::WrongAnswer, 4), 9_000).expect("judged"));
    let done = after(&tick(&battle, 65_000, &TIMING).expect("due"));
    assert_eq!(
        (done.winner, done.reason),
        (Some(b.user_id), Some(EndReason::TieBreak))
    );
}

#[test]
fn nothing_passed_by_either_is_a_draw() {
    let (battle, a, _) = active();
    let battle = play(
        &battle,
        a.user_id,
        6_000,
        7_000,
        verdict(Verdict::CompileError, 0),
    );
    let done = after(&tick(&battle, 65_000, &TIMING).expect("due"));
    assert_eq!((done.winner, done.reason), (None, Some(EndReason::Draw)));
    assert_eq!(done.state, BattleState::Finished);
}

#[test]
fn a_result_delivered_twice_changes_nothing() {
    let (battle, a, _) = active();
    let s = submission(&battle, a.user_id, 6_000);
    let battle = after(&submit(&battle, s.clone(), 6_000).expect("submit"));
    let first = judged(&battle, &s, verdict(Verdict::WrongAnswer, 2), 7_000).expect("judged");
    let judged_s = first.update_submission.clone().expect("updated");
    assert!(
        judged(
            &after(&first),
            &judged_s,
            verdict(Verdict::Accepted, 0),
            7_001
        )
        .is_none()
    );
}

#[test]
fn one_submission_at_a_time_and_none_after_time_or_from_strangers() {
    let (battle, a, _) = active();
    let battle =
        after(&submit(&battle, submission(&battle, a.user_id, 6_000), 6_000).expect("submit"));
    assert_eq!(
        submit(&battle, submission(&battle, a.user_id, 6_500), 6_500).err(),
        Some(Refusal::StillJudging)
    );
    let stranger = Uuid::new_v4();
    assert_eq!(
        submit(&battle, submission(&battle, stranger, 6_500), 6_500).err(),
        Some(Refusal::NotParticipant)
    );
    let (battle, a, _) = active();
    assert_eq!(
        submit(&battle, submission(&battle, a.user_id, 65_000), 65_000).err(),
        Some(Refusal::TimeUp)
    );
}

#[test]
fn the_deadline_waits_for_submissions_sent_in_time() {
    let (battle, a, b) = active();
    let s = submission(&battle, a.user_id, 64_000);
    let battle = after(&submit(&battle, s.clone(), 64_000).expect("submit"));
    let waiting = after(&tick(&battle, 65_000, &TIMING).expect("due"));
    assert_eq!(waiting.state, BattleState::Active);
    assert_eq!(waiting.due_at_ms, Some(75_000));
    let done =
        after(&judged(&waiting, &s, verdict(Verdict::WrongAnswer, 1), 66_000).expect("judged"));
    assert_eq!(
        (done.winner, done.reason),
        (Some(a.user_id), Some(EndReason::Score))
    );
    let _ = b;
}

#[test]
fn resign_gives_the_win_to_the_opponent() {
    let (battle, a, b) = active();
    let done = after(&resign(&battle, a.user_id, 10_000).expect("resign"));
    assert_eq!(
        (done.winner, done.reason),
        (Some(b.user_id), Some(EndReason::Resigned))
    );
    assert_eq!(resign(&done, b.user_id, 11_000).err(), Some(Refusal::Over));
}

#[test]
fn invites_cannot_be_taken_by_their_creator_or_twice() {
    let (a, b, c) = (player("ada"), player("bob"), player("cy"));
    let created = after(&create_private(
        Uuid::new_v4(),
        &a,
        ("p", "h"),
        "x".into(),
        60,
        0,
        &TIMING,
    ));
    assert_eq!(
        join(&created, &a, 1, &TIMING).err(),
        Some(Refusal::OwnInvite)
    );
    let joined = after(&join(&created, &b, 1, &TIMING).expect("join"));
    assert_eq!(
        join(&joined, &c, 2, &TIMING).err(),
        Some(Refusal::InviteTaken)
    );
}

#[test]
fn an_invite_nobody_takes_is_cancelled() {
    let a = player("ada");
    let created = after(&create_private(
        Uuid::new_v4(),
        &a,
        ("p", "h"),
        "x".into(),
        60,
        0,
        &TIMING,
    ));
    assert!(tick(&created, 59_999, &TIMING).is_none());
    let change = tick(&created, 60_000, &TIMING).expect("due");
    assert!(change.release_players);
    let done = after(&change);
    assert_eq!(
        (done.state, done.reason),
        (BattleState::Cancelled, Some(EndReason::NoOpponent))
    );
}

#[test]
fn a_matched_battle_starts_when_both_arrive_and_is_cancelled_on_a_no_show() {
    let (a, b) = (player("ada"), player("bob"));
    let battle = after(&create_matched(
        Uuid::new_v4(),
        BattleMode::Rated,
        [&a, &b],
        ("p", "h"),
        60,
        0,
        &TIMING,
    ));
    let one = after(
        &arrive(&battle, a.user_id, 1_000, &TIMING)
            .expect("arrive")
            .expect("change"),
    );
    assert!(
        arrive(&one, a.user_id, 1_500, &TIMING)
            .expect("again")
            .is_none()
    );
    let both = after(
        &arrive(&one, b.user_id, 2_000, &TIMING)
            .expect("arrive")
            .expect("change"),
    );
    assert_eq!(both.state, BattleState::Countdown);

    let no_show = after(&tick(&one, 30_000, &TIMING).expect("due"));
    assert_eq!(
        (no_show.state, no_show.reason),
        (BattleState::Cancelled, Some(EndReason::NoShow))
    );
    assert!(
        no_show.result().is_none(),
        "a cancelled battle is not rated"
    );
}

#[test]
fn a_finished_rated_battle_has_a_result_for_the_stream() {
    let (a, b) = (player("ada"), player("bob"));
    let battle = after(&create_matched(
        Uuid::new_v4(),
        BattleMode::Rated,
        [&a, &b],
        ("p", "h"),
        60,
        0,
        &TIMING,
    ));
    let battle = after(
        &arrive(&battle, a.user_id, 0, &TIMING)
            .expect("a")
            .expect("a"),
    );
    let battle = after(
        &arrive(&battle, b.user_id, 0, &TIMING)
            .expect("b")
            .expect("b"),
    );
    let battle = after(&tick(&battle, 5_000, &TIMING).expect("start"));
    let change = resign(&battle, b.user_id, 6_000).expect("resign");
    let result = change.result.clone().expect("rated result");
    assert_eq!(result.winner, Some(a.user_id));
    assert_eq!(result.players, [a.user_id, b.user_id]);
    assert!(matches!(
        change.events.last().map(|e| &e.body),
        Some(EventBody::Finished { .. })
    ));
}

#[test]
fn a_result_after_the_end_is_kept_on_the_submission_only() {
    let (battle, a, b) = active();
    let s = submission(&battle, b.user_id, 64_000);
    let battle = after(&submit(&battle, s.clone(), 64_000).expect("submit"));
    // The grace period runs out with Bob's submission still judging: Ada wins on time.
    let battle = play(
        &battle,
        a.user_id,
        62_000,
        63_000,
        verdict(Verdict::WrongAnswer, 1),
    );
    let over = after(
        &tick(
            &after(&tick(&battle, 65_000, &TIMING).expect("due")),
            75_000,
            &TIMING,
        )
        .expect("due"),
    );
    assert_eq!(
        (over.winner, over.reason),
        (Some(a.user_id), Some(EndReason::Score))
    );
    let change = judged(&over, &s, verdict(Verdict::Accepted, 0), 80_000).expect("recorded");
    assert!(change.events.is_empty(), "the log is final");
    assert_eq!(
        change.update_submission.as_ref().and_then(|s| s.verdict),
        Some(Verdict::Accepted)
    );
    let after_all = after(&change);
    let bob = after_all.player(b.user_id).expect("bob");
    assert_eq!((bob.best_score, bob.judging), (0, None));
    assert_eq!(after_all.winner, Some(a.user_id));
}

#[test]
fn submissions_are_limited_per_player() {
    let (battle, a, _) = active();
    let s = submission(&battle, a.user_id, 6_000);
    let battle = after(&super::submit(&battle, s.clone(), 1, 6_000).expect("first"));
    let battle =
        after(&judged(&battle, &s, verdict(Verdict::WrongAnswer, 0), 7_000).expect("judged"));
    assert_eq!(
        super::submit(&battle, submission(&battle, a.user_id, 8_000), 1, 8_000).err(),
        Some(Refusal::SubmissionLimit)
    );
}

#[test]
fn an_overdue_job_is_sent_again_once_then_ends_as_ie() {
    let (battle, a, _) = active();
    let s = submission(&battle, a.user_id, 6_000);
    let battle = after(&submit(&battle, s.clone(), 6_000).expect("submitted"));
    let lost = || verdict(Verdict::InternalError, 0);
    // The helper's submission was sent once (attempts 1); its result is due at 26 s.
    let job = Uuid::new_v4();
    assert!(
        overdue(&battle, &s, job, lost(), 25_999, &TIMING).is_none(),
        "not due yet"
    );
    let again = overdue(&battle, &s, job, lost(), 26_000, &TIMING).expect("due");
    let resent = again.update_submission.expect("sent again");
    assert_eq!(
        (resent.job_id, resent.attempts),
        (job, 1),
        "counts once confirmed"
    );
    assert_eq!(resent.resend_at_ms, Some(26_000 + CONFIRM_SEND_MS));
    // A confirmation of the old job changes nothing; of the new one, counts.
    assert!(sent(&battle, &resent, s.job_id, 26_100, &TIMING).is_none());
    let confirmed = sent(&battle, &resent, job, 26_100, &TIMING)
        .and_then(|c| c.update_submission)
        .expect("confirmed");
    assert_eq!(confirmed.attempts, 2);
    assert_eq!(
        confirmed.resend_at_ms,
        Some(26_100 + TIMING.result_timeout_ms)
    );
    let given_up =
        overdue(&battle, &confirmed, Uuid::new_v4(), lost(), 46_100, &TIMING).expect("due again");
    assert_eq!(
        given_up.update_submission.and_then(|s| s.verdict),
        Some(Verdict::InternalError)
    );
}

#[test]
fn a_job_that_never_reached_the_judge_is_sent_even_after_the_battle_ended() {
    let (battle, a, b) = active();
    let s = submission(&battle, b.user_id, 6_000);
    let battle = after(&submit(&battle, s.clone(), 6_000).expect("submitted"));
    let over = after(&resign(&battle, a.user_id, 7_000).expect("resigned"));
    let lost = || verdict(Verdict::InternalError, 0);
    // Taken, then the replica died before sending (or every send failed): no attempt.
    let unsent = Submission {
        attempts: 0,
        resend_at_ms: Some(6_000 + CONFIRM_SEND_MS),
        ..s.clone()
    };
    let job = Uuid::new_v4();
    let change = overdue(&over, &unsent, job, lost(), 21_000, &TIMING).expect("due");
    let again = change.update_submission.expect("sent");
    assert_eq!((again.job_id, again.verdict), (job, None));
    assert!(change.events.is_empty());
    // Never through for a whole result timeout after the end: given up.
    let stale = overdue(&over, &unsent, job, lost(), 26_001, &TIMING).expect("due");
    assert_eq!(
        stale.update_submission.and_then(|s| s.verdict),
        Some(Verdict::InternalError)
    );
    // One that did reach the judge and whose result is overdue ends as IE once it is over.
    let change = overdue(&over, &s, job, lost(), 26_000, &TIMING).expect("due");
    assert_eq!(
        change.update_submission.and_then(|s| s.verdict),
        Some(Verdict::InternalError)
    );
}

#[test]
fn a_refused_send_ends_as_ie_and_an_unreachable_judge_is_tried_again_soon() {
    let (battle, a, _) = active();
    let s = Submission {
        attempts: 0,
        ..submission(&battle, a.user_id, 6_000)
    };
    let battle = after(&submit(&battle, s.clone(), 6_000).expect("submitted"));
    let soon = send_failed(&battle, &s, s.job_id, None, 6_100)
        .and_then(|c| c.update_submission)
        .expect("postponed");
    assert_eq!(
        (soon.resend_at_ms, soon.attempts, soon.verdict),
        (Some(6_100 + RESEND_AFTER_FAILURE_MS), 0, None)
    );
    let refused = send_failed(
        &battle,
        &s,
        s.job_id,
        Some(verdict(Verdict::InternalError, 0)),
        6_100,
    )
    .expect("judged");
    assert_eq!(
        refused.update_submission.and_then(|s| s.verdict),
        Some(Verdict::InternalError)
    );
    assert!(
        refused
            .events
            .iter()
            .any(|e| matches!(e.body, EventBody::Judged { .. })),
        "the players see it"
    );
}
