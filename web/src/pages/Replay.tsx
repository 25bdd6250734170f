import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, type BattleEvent, type BattleView, type SubmissionView } from "../api";
import { CodeEditor } from "../components/CodeEditor";
import { SubmissionDetail } from "../components/Submissions";
import { VerdictBadge } from "../components/VerdictBadge";
import { REASONS, VERDICT_NAMES, clock, when } from "../format";
import { useLoad } from "../hooks";

async function loadReplay(id: string): Promise<{ battle: BattleView; events: BattleEvent[] }> {
  const battle = await api.battle(id);
  const events: BattleEvent[] = [];
  for (;;) {
    const page = await api.events(id, events.length ? events[events.length - 1]!.seq : 0);
    events.push(...page.events);
    if (page.events.length < 500) break;
  }
  return { battle, events };
}

/** A finished battle, event by event, with each submission's code and verdict. */
export function Replay() {
  const { id = "" } = useParams();
  const replay = useLoad(() => loadReplay(id), [id]);
  const [selected, setSelected] = useState<string | null>(null);
  if (replay.error) {
    return (
      <section className="page narrow center">
        <h1>Can't show this replay</h1>
        <p className="muted">{replay.error}</p>
      </section>
    );
  }
  if (!replay.data) return <section className="page center"><p className="muted">Loading…</p></section>;
  const { battle, events } = replay.data;
  if (battle.state !== "finished" && battle.state !== "cancelled") {
    return (
      <section className="page narrow center">
        <h1>Still being played</h1>
        <p className="muted">The replay is ready once the battle is over.</p>
        <Link className="btn" to={`/battle/${battle.id}`}>Go to the battle</Link>
      </section>
    );
  }
  const names = new Map(battle.players.map((p) => [p.user_id, p.username]));
  const subs = new Map((battle.submissions ?? []).map((s) => [s.id, s]));
  const start = events.find((e) => e.type === "started")?.at_ms ?? events[0]?.at_ms ?? 0;
  const chosen = selected ? subs.get(selected) : undefined;
  const winner = battle.winner ? names.get(battle.winner) : undefined;
  return (
    <section className="page replay">
      <div className="row between wrap">
        <div>
          <h1>Replay: {battle.players.map((p) => p.username).join(" vs ")}</h1>
          <p className="muted">
            {battle.problem?.name} · {battle.mode} · {when(battle.created_at_ms)} ·{" "}
            {winner ? `${winner} won (${battle.reason ? REASONS[battle.reason] : ""})` : battle.reason ? REASONS[battle.reason] : ""}
          </p>
        </div>
        <Link className="btn ghost" to={`/battle/${battle.id}`}>Final screen</Link>
      </div>
      <div className="replay-grid">
        <ol className="timeline" aria-label="Events" data-testid="timeline">
          {events.map((e) => (
            <li key={e.seq} className={`tl tl-${e.type}`}>
              <span className="tl-time mono">{e.at_ms >= start ? clock(e.at_ms - start) : `-${clock(start - e.at_ms)}`}</span>
              <span className="tl-body">{describe(e, names, subs, setSelected, selected)}</span>
            </li>
          ))}
        </ol>
        <div className="replay-code">
          {chosen ? (
            <SubmissionCard submission={chosen} name={names.get(chosen.user_id) ?? ""} />
          ) : (
            <p className="muted pad">Choose a submission in the timeline to see its code and verdict.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function SubmissionCard({ submission, name }: { submission: SubmissionView; name: string }) {
  return (
    <div className="card">
      <div className="row between">
        <strong>{name}'s submission</strong>
        {submission.verdict && (
          <span>
            <VerdictBadge verdict={submission.verdict} /> {VERDICT_NAMES[submission.verdict]} · {submission.score}/
            {submission.total} · {submission.language}
          </span>
        )}
      </div>
      <CodeEditor key={submission.id} value={submission.source} language={submission.language} readOnly label={`${name}'s code`} />
      <SubmissionDetail submission={submission} />
    </div>
  );
}

function describe(
  e: BattleEvent,
  names: Map<string, string>,
  subs: Map<string, SubmissionView>,
  select: (id: string) => void,
  selected: string | null,
) {
  const who = (id: string) => names.get(id) ?? "someone";
  switch (e.type) {
    case "created":
      return `Battle created (${e.mode}, ${e.players.map((p) => p.username).join(" vs ") || "waiting for players"})`;
    case "joined":
      return `${e.player.username} joined`;
    case "ready":
      return `${who(e.user_id)} arrived`;
    case "countdown":
      return "Countdown";
    case "started":
      return "Started";
    case "submitted":
      return (
        <button className={`linkish ${selected === e.submission_id ? "active" : ""}`} onClick={() => select(e.submission_id)}>
          {who(e.user_id)} submitted #{e.count}
          {subs.get(e.submission_id) ? ` (${subs.get(e.submission_id)!.language})` : ""}
        </button>
      );
    case "judged":
      return (
        <button className={`linkish ${selected === e.submission_id ? "active" : ""}`} onClick={() => select(e.submission_id)}>
          {who(e.user_id)}: <VerdictBadge verdict={e.verdict} /> {e.score}/{e.total}
        </button>
      );
    case "finished":
      return e.winner ? `${who(e.winner)} won: ${REASONS[e.reason]}` : `Over: ${REASONS[e.reason]}`;
    case "cancelled":
      return `Cancelled: ${REASONS[e.reason]}`;
  }
}
