import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { api, type BattleView, type SubmissionView } from "../api";
import type { RatingDelta } from "../battle/reducer";
import { REASONS, signed } from "../format";
import { CodeEditor } from "./CodeEditor";
import { VerdictBadge } from "./VerdictBadge";

/**
 * How the battle ended: the winner and why, each player's rating change (pushed on the
 * socket, or read from their rating history when the push came before this page), and
 * both players' final code side by side.
 */
export function EndScreen(props: { battle: BattleView; me: string | null; ratings: RatingDelta[] | null }) {
  const { battle, me } = props;
  const ratings = useRatingChanges(battle, props.ratings);
  // The editor that had focus is gone: the result takes it, and screen readers read it.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const winner = battle.players.find((p) => p.user_id === battle.winner);
  const iPlayed = battle.players.some((p) => p.user_id === me);
  let title: string;
  if (battle.state === "cancelled") title = "Battle cancelled";
  else if (!winner) title = "Draw";
  else if (iPlayed) title = winner.user_id === me ? "You won!" : "You lost";
  else title = `${winner.username} won`;
  const tone = battle.state === "cancelled" || !winner ? "neutral" : !iPlayed ? "neutral" : winner.user_id === me ? "win" : "loss";

  return (
    <section className={`end-screen ${tone}`} aria-labelledby="end-title" data-testid="end-screen">
      <div className="end-head">
        <h2 id="end-title" data-testid="end-title" ref={heading} tabIndex={-1}>{title}</h2>
        {battle.reason && (
          <p className="muted">
            {winner ? `${winner.username} ${REASONS[battle.reason]}` : REASONS[battle.reason]}
          </p>
        )}
      </div>
      <div className="end-players">
        {battle.players.map((p) => {
          const change = ratings?.find((r) => r.user_id === p.user_id);
          return (
            <div key={p.user_id} className={`end-player ${p.user_id === battle.winner ? "winner" : ""}`}>
              <strong>{p.username}</strong>
              <span className="muted small">
                {p.best_score} {p.best_score === 1 ? "test" : "tests"} passed · {p.submissions}{" "}
                {p.submissions === 1 ? "attempt" : "attempts"}
              </span>
              {battle.mode === "rated" && battle.state === "finished" && (
                <span className="rating-change" data-testid={`rating-change-${p.username}`}>
                  {change ? (
                    <>
                      {Math.round(change.before)} → <strong>{Math.round(change.after)}</strong>{" "}
                      <span className={change.delta >= 0 ? "up" : "down"}>({signed(change.delta)})</span>
                    </>
                  ) : (
                    <span className="muted">rating updating…</span>
                  )}
                </span>
              )}
            </div>
          );
        })}
      </div>
      <FinalCode battle={battle} />
      <div className="row center">
        <Link className="btn" to="/">Back to the lobby</Link>
        <Link className="btn ghost" to={`/battle/${battle.id}/replay`}>Watch the replay</Link>
      </div>
    </section>
  );
}

/** Each player's last submission (their accepted one if any), side by side. */
function FinalCode({ battle }: { battle: BattleView }) {
  const subs = battle.submissions ?? [];
  const anyAttempt = battle.players.some((p) => p.submissions > 0);
  if (subs.length === 0) {
    // The codes come with the battle as read after the end.
    return <p className="muted center">{anyAttempt ? "Loading both codes…" : "Nobody submitted any code."}</p>;
  }
  return (
    <div className="final-code">
      {battle.players.map((p) => {
        const s = finalSubmission(subs.filter((x) => x.user_id === p.user_id));
        return (
          <div key={p.user_id} className="final-code-col">
            <div className="row between">
              <strong>{p.username}</strong>
              {s?.verdict && (
                <span className="small">
                  <VerdictBadge verdict={s.verdict} /> {s.score}/{s.total} · {s.language}
                </span>
              )}
            </div>
            {s ? (
              <CodeEditor value={s.source} language={s.language} readOnly label={`${p.username}'s code`} />
            ) : (
              <p className="muted">No submission.</p>
            )}
          </div>
        );
      })}
    </div>
  );
}

export function finalSubmission(subs: SubmissionView[]): SubmissionView | undefined {
  const sorted = [...subs].sort((a, b) => a.submitted_at_ms - b.submitted_at_ms);
  return sorted.find((s) => s.verdict === "AC") ?? sorted[sorted.length - 1];
}

function useRatingChanges(battle: BattleView, pushed: RatingDelta[] | null): RatingDelta[] | null {
  const [read, setRead] = useState<RatingDelta[] | null>(null);
  const rated = battle.mode === "rated" && battle.state === "finished";
  useEffect(() => {
    if (!rated || pushed) return;
    let live = true;
    let tries = 0;
    const look = async () => {
      tries++;
      try {
        const histories = await Promise.all(battle.players.map((p) => api.history(p.user_id)));
        const found = histories.map((h) => {
          const point = h.points.find((pt) => pt.battle_id === battle.id);
          return point && { user_id: h.user_id, before: point.before, after: point.after, delta: point.delta };
        });
        if (live && found.every(Boolean)) {
          setRead(found as RatingDelta[]);
          return;
        }
      } catch {
        // Tried again.
      }
      if (live && tries < 30) timer = setTimeout(look, 2000);
    };
    let timer = setTimeout(look, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [rated, pushed, battle.id, battle.players]);
  return pushed ?? read;
}
