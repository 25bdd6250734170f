//! Rows to values, for [`super::sql_impl`]: one function per row shape, stamped out for
//! the pool's row type.

/// `battle_row`, `participant_row`, `submission_row`, `queue_row` and `int` for rows of
/// type `$row`, in the calling module.
macro_rules! row_decoders {
    ($row:ty) => {
        fn battle_row(row: &$row) -> Result<Battle, StoreError> {
            Ok(Battle {
                id: row.try_get("id")?,
                mode: mode(row.try_get("mode")?)?,
                state: state(row.try_get("state")?)?,
                problem: row.try_get("problem")?,
                problem_hash: row.try_get("problem_hash")?,
                invite_code: row.try_get("invite_code")?,
                created_by: row.try_get("created_by")?,
                created_at_ms: row.try_get("created_at_ms")?,
                duration_secs: row.try_get("duration_secs")?,
                due_at_ms: row.try_get("due_at_ms")?,
                starts_at_ms: row.try_get("starts_at_ms")?,
                deadline_ms: row.try_get("deadline_ms")?,
                finished_at_ms: row.try_get("finished_at_ms")?,
                winner: row.try_get("winner")?,
                reason: reason(row.try_get("reason")?)?,
                version: row.try_get("version")?,
                last_seq: row.try_get("last_seq")?,
                players: Vec::new(),
            })
        }

        fn participant_row(row: &$row) -> Result<Participant, StoreError> {
            Ok(Participant {
                user_id: row.try_get("user_id")?,
                seat: row.try_get("seat")?,
                username: row.try_get("username")?,
                rating: row.try_get("rating")?,
                joined_at_ms: row.try_get("joined_at_ms")?,
                ready: row.try_get("ready")?,
                submissions: count(row.try_get::<i32, _>("submissions")?.into()),
                best_score: count(row.try_get::<i32, _>("best_score")?.into()),
                best_at_ms: row.try_get("best_at_ms")?,
                last_verdict: verdict(row.try_get("last_verdict")?)?,
                judging: row.try_get("judging")?,
            })
        }

        fn submission_row(row: &$row) -> Result<Submission, StoreError> {
            Ok(Submission {
                id: row.try_get("id")?,
                battle_id: row.try_get("battle_id")?,
                user_id: row.try_get("user_id")?,
                language: row.try_get("language")?,
                source: row.try_get("source")?,
                submitted_at_ms: row.try_get("submitted_at_ms")?,
                job_id: row.try_get("job_id")?,
                attempts: count(row.try_get::<i32, _>("attempts")?.into()),
                resend_at_ms: row.try_get("resend_at_ms")?,
                verdict: verdict(row.try_get("verdict")?)?,
                score: count(row.try_get::<i32, _>("score")?.into()),
                total: count(row.try_get::<i32, _>("total")?.into()),
                report: report(row.try_get("report")?)?,
                judged_at_ms: row.try_get("judged_at_ms")?,
            })
        }

        fn queue_row(row: &$row) -> Result<QueueEntry, StoreError> {
            Ok(QueueEntry {
                user_id: row.try_get("user_id")?,
                username: row.try_get("username")?,
                mode: mode(row.try_get("mode")?)?,
                language: row.try_get("language")?,
                rating: row.try_get("rating")?,
                enqueued_at_ms: row.try_get("enqueued_at_ms")?,
            })
        }

        fn int(n: u32) -> i32 {
            i32::try_from(n).unwrap_or(i32::MAX)
        }
    };
}
pub(crate) use row_decoders;
