//! The verdict rules: how one run's outcome becomes a verdict, and which verdict a whole
//! submission gets. The [`Verdict`] type itself is the one the services share
//! ([`contracts::verdict`]).
//!
//! A submission: the first failing test case decides, in judging order (samples, then
//! secret data, groups in lexicographic order). Pass-fail problems stop there; scoring
//! problems run every test case to compute the score. Per test: time or wall limit → TLE;
//! the cgroup's OOM killer fired → MLE; stdout or file size limit → OLE; any other
//! non-zero exit or signal → RTE; otherwise the validator says AC or WA. A sandbox failure
//! or a broken validator is IE.
//!
//! An interactive run: see [`of_interaction`].
//!
//! A custom run (a player's "Run" on their own input) is not validated: AC when the
//! program ran and exited 0, and too much output is cut off rather than a failure.

use sandbox::{ExitStatus, LimitKind};

pub use contracts::verdict::Verdict;

/// The verdict a test run's limit and exit status decide on their own; `None` when the
/// program stayed within its limits and exited 0, so that its output decides.
pub(crate) fn of_test_run(limit: Option<LimitKind>, status: ExitStatus) -> Option<Verdict> {
    match limit {
        Some(LimitKind::CpuTime | LimitKind::WallTime) => Some(Verdict::TimeLimitExceeded),
        Some(LimitKind::Memory) => Some(Verdict::MemoryLimitExceeded),
        Some(LimitKind::Output | LimitKind::FileSize) => Some(Verdict::OutputLimitExceeded),
        None if !status.success() => Some(Verdict::RunTimeError),
        None => None,
    }
}

/// How an interactive problem's interactor ended, as far as the verdict cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InteractorEnd {
    /// Exit 42.
    Accepted,
    /// Exit 43.
    Rejected,
    /// Killed by SIGPIPE: it wrote to a submission that had stopped reading.
    Hangup,
    /// Crashed, hit a limit, or exited with another code: a judge error.
    Failed,
}

/// The verdict of one interactive run. What ended first decides, as judges
/// that run interactive problems do: an interactor that rejected (or broke)
/// before the submission ended decides (WA, or IE) whatever the submission did
/// after it — crashed on the closed pipe, or spun until its time limit.
/// Otherwise a limit the judge enforced on the submission (TLE, MLE) decides,
/// then the submission's own failure (RTE, OLE): a submission that crashed
/// first is RTE even though the interactor then rejected on end-of-file or
/// broke on the closed pipe. A submission that ended cleanly gets the
/// interactor's verdict; one that quit before the interactor was done (it was
/// cut off writing) is WA.
pub(crate) fn of_interaction(
    limit: Option<LimitKind>,
    status: ExitStatus,
    interactor: InteractorEnd,
    interactor_first: bool,
) -> Verdict {
    match (interactor, interactor_first) {
        (InteractorEnd::Rejected, true) => return Verdict::WrongAnswer,
        (InteractorEnd::Failed, true) => return Verdict::InternalError,
        _ => {}
    }
    match (of_test_run(limit, status), interactor) {
        (Some(v), _) => v,
        (None, InteractorEnd::Accepted) => Verdict::Accepted,
        (None, InteractorEnd::Rejected | InteractorEnd::Hangup) => Verdict::WrongAnswer,
        (None, InteractorEnd::Failed) => Verdict::InternalError,
    }
}

/// The verdict of a custom run; `stdout_truncated` says its output was more than it
/// may show.
pub(crate) fn of_custom_run(
    limit: Option<LimitKind>,
    status: ExitStatus,
    stdout_truncated: bool,
) -> Verdict {
    match limit {
        Some(LimitKind::CpuTime | LimitKind::WallTime) => Verdict::TimeLimitExceeded,
        Some(LimitKind::Memory) => Verdict::MemoryLimitExceeded,
        // A run's output is only shown, so too much of it is cut, not a failure.
        Some(LimitKind::Output) if stdout_truncated => Verdict::Accepted,
        Some(LimitKind::Output | LimitKind::FileSize) => Verdict::OutputLimitExceeded,
        None if status.success() => Verdict::Accepted,
        None => Verdict::RunTimeError,
    }
}

/// A submission's verdict, built from its tests' verdicts in judging order.
pub(crate) struct SubmissionVerdict {
    verdict: Verdict,
    scoring: bool,
}

impl SubmissionVerdict {
    pub(crate) fn new(scoring: bool) -> SubmissionVerdict {
        SubmissionVerdict {
            verdict: Verdict::Accepted,
            scoring,
        }
    }

    /// Takes the next test's verdict; false when judging stops after it.
    pub(crate) fn record(&mut self, test: Verdict) -> bool {
        let failed = test != Verdict::Accepted;
        if failed && self.verdict == Verdict::Accepted {
            self.verdict = test;
        }
        // An internal error stops judging even for scoring problems.
        !(failed && (!self.scoring || self.verdict == Verdict::InternalError))
    }

    pub(crate) fn verdict(&self) -> Verdict {
        self.verdict
    }
}

/// The verdict a `submissions/<dir>/` folder expects, as in problemtools'
/// verifyproblem. `rejected` (any rejection) is `None`.
pub fn expected_in_submission_dir(dir: &str) -> Option<Verdict> {
    Some(match dir {
        "accepted" => Verdict::Accepted,
        "wrong_answer" => Verdict::WrongAnswer,
        "time_limit_exceeded" => Verdict::TimeLimitExceeded,
        "memory_limit_exceeded" => Verdict::MemoryLimitExceeded,
        "run_time_error" => Verdict::RunTimeError,
        "output_limit_exceeded" => Verdict::OutputLimitExceeded,
        "compile_error" => Verdict::CompileError,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submission_dirs_name_their_verdicts() {
        assert_eq!(
            expected_in_submission_dir("time_limit_exceeded"),
            Some(Verdict::TimeLimitExceeded)
        );
        assert_eq!(expected_in_submission_dir("rejected"), None);
    }

    #[test]
    fn limits_decide_before_the_output() {
        let ok = ExitStatus::Exited(0);
        assert_eq!(of_test_run(None, ok), None);
        assert_eq!(
            of_test_run(Some(LimitKind::WallTime), ok),
            Some(Verdict::TimeLimitExceeded)
        );
        assert_eq!(
            of_test_run(Some(LimitKind::Memory), ExitStatus::Signaled(9)),
            Some(Verdict::MemoryLimitExceeded)
        );
        assert_eq!(
            of_test_run(None, ExitStatus::Exited(1)),
            Some(Verdict::RunTimeError)
        );
        assert_eq!(
            of_custom_run(Some(LimitKind::Output), ok, true),
            Verdict::Accepted
        );
        assert_eq!(
            of_custom_run(Some(LimitKind::FileSize), ok, true),
            Verdict::OutputLimitExceeded
        );
    }

    #[test]
    fn interactions_follow_the_format() {
        use InteractorEnd::*;
        let ok = ExitStatus::Exited(0);
        let crashed = ExitStatus::Signaled(11);
        let wall = Some(LimitKind::WallTime);
        let killed = ExitStatus::Signaled(9);
        // (limit, status, interactor, interactor ended first) -> verdict
        let cases = [
            (None, ok, Accepted, false, Verdict::Accepted),
            (None, ok, Accepted, true, Verdict::Accepted),
            (None, ok, Rejected, false, Verdict::WrongAnswer),
            // The interactor rejected first: WA, whatever the submission did after.
            (None, crashed, Rejected, true, Verdict::WrongAnswer),
            (wall, killed, Rejected, true, Verdict::WrongAnswer),
            // The submission crashed first; the interactor then rejected on
            // end-of-file, or broke on the closed pipe: the crash is reported.
            (None, crashed, Rejected, false, Verdict::RunTimeError),
            (None, crashed, Failed, false, Verdict::RunTimeError),
            // A limit the judge enforced, the interactor still waiting.
            (wall, killed, Rejected, false, Verdict::TimeLimitExceeded),
            (
                Some(LimitKind::Memory),
                killed,
                Accepted,
                false,
                Verdict::MemoryLimitExceeded,
            ),
            (wall, ok, Failed, false, Verdict::TimeLimitExceeded),
            // Accepted, yet the submission failed: the failure is reported.
            (None, crashed, Accepted, true, Verdict::RunTimeError),
            (None, crashed, Hangup, false, Verdict::RunTimeError),
            // Quit early without failing; a broken interactor.
            (None, ok, Hangup, false, Verdict::WrongAnswer),
            (None, ok, Failed, false, Verdict::InternalError),
            (None, crashed, Failed, true, Verdict::InternalError),
        ];
        for (limit, status, end, first, want) in cases {
            assert_eq!(
                of_interaction(limit, status, end, first),
                want,
                "{limit:?} {status:?} {end:?} first={first}"
            );
        }
    }

    #[test]
    fn the_first_failure_decides() {
        let mut pass_fail = SubmissionVerdict::new(false);
        assert!(pass_fail.record(Verdict::Accepted));
        assert!(!pass_fail.record(Verdict::WrongAnswer));
        assert_eq!(pass_fail.verdict(), Verdict::WrongAnswer);

        let mut scoring = SubmissionVerdict::new(true);
        assert!(scoring.record(Verdict::TimeLimitExceeded));
        assert!(scoring.record(Verdict::WrongAnswer));
        assert_eq!(scoring.verdict(), Verdict::TimeLimitExceeded);

        let mut broken = SubmissionVerdict::new(true);
        assert!(!broken.record(Verdict::InternalError));
        assert_eq!(broken.verdict(), Verdict::InternalError);
    }
}
