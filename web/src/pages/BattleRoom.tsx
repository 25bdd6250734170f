import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { api, describeError, type BattleView, type Language, type SubmissionView } from "../api";
import { loadDraft, preferredLanguage, saveDraft, setPreferredLanguage, template } from "../battle/drafts";
import { useRoom } from "../battle/useRoom";
import { CodeEditor } from "../components/CodeEditor";
import { CopyButton } from "../components/CopyButton";
import { EndScreen } from "../components/EndScreen";
import { PlayerCard } from "../components/PlayerCard";
import { RunPanel } from "../components/RunPanel";
import { Statement } from "../components/Statement";
import { Submissions } from "../components/Submissions";
import { clock } from "../format";
import { useLoad, useNow } from "../hooks";
import { useSession } from "../session";

/** The battle room: statement, editor, run and submit, both players live, the clock, the end. */
export function BattleRoom() {
  const { id = "" } = useParams();
  // A new battle id is a new room: nothing of the last one's state carries over.
  return <Room key={id} id={id} />;
}

function Room({ id }: { id: string }) {
  const session = useSession();
  const me = session?.user.id ?? null;
  const room = useRoom(id);
  const battle = room.state.battle;
  const slug = battle?.problem?.slug;
  const problem = useLoad(() => (slug ? api.problem(slug) : Promise.resolve(null)), [slug]);

  if (room.error && !battle) {
    return (
      <section className="page narrow center">
        <h1>{room.error.code === "not_found" ? "No such battle" : "Can't open this battle"}</h1>
        <p className="muted">{room.error.message}</p>
        <Link className="btn" to="/">Back to the lobby</Link>
      </section>
    );
  }
  if (!battle) {
    return (
      <section className="page center">
        <p className="muted"><span className="spinner" aria-hidden="true" /> Loading the battle…</p>
      </section>
    );
  }

  const mine = battle.players.some((p) => p.user_id === me);
  const over = battle.state === "finished" || battle.state === "cancelled";
  return (
    <div className="room" data-state={battle.state}>
      {room.error && (
        <div className="banner warn" role="alert">
          {room.error.message} Trying again…
        </div>
      )}
      <RoomBar battle={battle} me={me} online={room.state.online} spectator={!mine} />
      {over ? (
        <div className="room-end">
          <EndScreen battle={battle} me={me} ratings={room.state.ratings} />
        </div>
      ) : mine ? (
        <PlayerView battle={battle} me={me!} problem={problem.data} />
      ) : (
        <SpectatorView battle={battle} problem={problem.data} />
      )}
    </div>
  );
}

function RoomBar(props: { battle: BattleView; me: string | null; online: Record<string, boolean>; spectator: boolean }) {
  const { battle, me } = props;
  const now = useNow(250);
  const total = battle.problem?.tests ?? 0;
  const players = [...battle.players].sort((a, b) => (a.user_id === me ? -1 : b.user_id === me ? 1 : 0));
  let timer: string | null = null;
  let urgent = false;
  if (battle.state === "countdown" && battle.starts_at_ms) timer = `Starts in ${clock(battle.starts_at_ms - now)}`;
  if (battle.state === "active" && battle.deadline_ms) {
    timer = clock(battle.deadline_ms - now);
    urgent = battle.deadline_ms - now < 60_000;
  }
  const [resigning, setResigning] = useState(false);
  return (
    <div className="room-bar">
      <div className="room-title">
        <strong>{battle.problem?.name ?? "Battle"}</strong>
        <span className={`pill mode-${battle.mode}`}>{battle.mode}</span>
        {props.spectator && <span className="pill">spectating</span>}
      </div>
      <div className="room-players">
        {players.map((p) => (
          <PlayerCard
            key={p.user_id}
            player={p}
            total={total}
            me={p.user_id === me}
            online={p.user_id === me ? true : props.online[p.user_id]}
            winner={battle.winner === p.user_id}
          />
        ))}
      </div>
      <div className="room-clock">
        {timer && (
          <span className={`timer ${urgent ? "urgent" : ""}`} role="timer" aria-label="Time left" data-testid="timer">
            {timer}
          </span>
        )}
        {battle.state === "active" && !props.spectator && (
          <button
            className="btn ghost small danger"
            disabled={resigning}
            onClick={async () => {
              if (!window.confirm("Resign this battle? Your opponent wins.")) return;
              setResigning(true);
              try {
                await api.resign(battle.id);
              } catch (err) {
                window.alert(describeError(err));
              } finally {
                setResigning(false);
              }
            }}
          >
            Resign
          </button>
        )}
      </div>
    </div>
  );
}

function PlayerView(props: { battle: BattleView; me: string; problem: Awaited<ReturnType<typeof api.problem>> | null }) {
  const { battle, me } = props;
  const languages = useLoad(() => api.languages(), []);
  // On a phone one pane shows: the code pane (with the invite or the countdown) until the
  // battle starts, then the problem.
  const [pane, setPane] = useState<"problem" | "code">(battle.state === "active" ? "problem" : "code");
  const started = battle.state === "active";
  useEffect(() => setPane(started ? "problem" : "code"), [started]);
  const [tab, setTab] = useState<"run" | "submissions">("run");
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [draft, setDraft] = useState(() => {
    const saved = loadDraft(battle.id);
    if (saved) return saved;
    const language = preferredLanguage() ?? "python";
    return { language, sources: { [language]: template(language) } };
  });
  const source = draft.sources[draft.language] ?? template(draft.language);
  const sourceRef = useRef(source);
  sourceRef.current = source;
  const runRef = useRef<(() => void) | null>(null);

  useEffect(() => saveDraft(battle.id, draft), [battle.id, draft]);

  // A saved or preferred language this server does not have: the first one it has.
  const available = languages.data?.languages;
  useEffect(() => {
    if (available && available.length > 0 && !available.some((l) => l.id === draft.language)) {
      const language = available[0]!.id;
      setDraft((d) => ({ language, sources: { ...d.sources, [language]: d.sources[language] ?? template(language) } }));
    }
  }, [available, draft.language]);

  // Arriving in the room is being ready: the battle starts when both players are here.
  const meReady = battle.players.find((p) => p.user_id === me)?.ready ?? false;
  const mustArrive = battle.state === "waiting" && battle.players.length === 2 && !meReady;
  useEffect(() => {
    if (!mustArrive) return;
    // Retried until the ready event comes: a lost call would count as not showing up.
    const arrive = () => void api.ready(battle.id).catch(() => {});
    arrive();
    const t = setInterval(arrive, 3000);
    return () => clearInterval(t);
  }, [battle.id, mustArrive]);

  const submissions = useMySubmissions(battle, me);
  const active = battle.state === "active";

  const inFlight = useRef(false);
  const submit = useCallback(async () => {
    if (!active || inFlight.current) return;
    inFlight.current = true;
    setSubmitting(true);
    setSubmitError(null);
    try {
      await api.submit(battle.id, { language: draft.language, source: sourceRef.current });
      setTab("submissions");
      submissions.reload();
    } catch (err) {
      setSubmitError(describeError(err));
    } finally {
      inFlight.current = false;
      setSubmitting(false);
    }
  }, [active, battle.id, draft.language, submissions]);

  const setLanguage = (language: string) => {
    setPreferredLanguage(language);
    setDraft((d) => ({
      language,
      sources: { ...d.sources, [language]: d.sources[language] ?? template(language) },
    }));
  };

  return (
    <div className={`room-body show-${pane}`}>
      <div className="pane-switch" role="tablist" aria-label="Show">
        <button role="tab" aria-selected={pane === "problem"} onClick={() => setPane("problem")}>Problem</button>
        <button role="tab" aria-selected={pane === "code"} onClick={() => setPane("code")}>Code</button>
      </div>
      <div className="pane statement-pane">
        {props.problem ? <Statement problem={props.problem} /> : <p className="muted pad">Loading the problem…</p>}
      </div>
      <div className="pane code-pane">
        {!active && <Waiting battle={battle} me={me} />}
        <div className="toolbar" inert={!active}>
          <label className="sr-only" htmlFor="language">Language</label>
          <LanguagePicker id="language" value={draft.language} languages={languages.data?.languages ?? []} onChange={setLanguage} />
          <button
            className="btn ghost small"
            type="button"
            onClick={() => {
              if (window.confirm("Replace your code with the template?")) {
                setDraft((d) => ({ ...d, sources: { ...d.sources, [d.language]: template(d.language) } }));
              }
            }}
          >
            Reset
          </button>
          <span className="grow" />
          <button className="btn" onClick={submit} disabled={!active || submitting} data-testid="submit">
            {submitting ? "Submitting…" : "Submit"}
          </button>
        </div>
        {submitError && <p className="form-error pad" role="alert">{submitError}</p>}
        <div className="editor-wrap" inert={!active}>
          <CodeEditor
            value={source}
            language={draft.language}
            label="Your code"
            onChange={(text) => setDraft((d) => ({ ...d, sources: { ...d.sources, [d.language]: text } }))}
            onRunShortcut={() => runRef.current?.()}
            onSubmitShortcut={submit}
          />
        </div>
        <div className="bottom-tabs" role="tablist" aria-label="Results">
          <button role="tab" aria-selected={tab === "run"} onClick={() => setTab("run")}>Run</button>
          <button role="tab" aria-selected={tab === "submissions"} onClick={() => setTab("submissions")}>
            My submissions ({submissions.list.length})
          </button>
        </div>
        <div className="bottom-panel">
          {tab === "run" ? (
            <RunPanel language={draft.language} source={() => sourceRef.current} problem={props.problem} runRef={runRef} />
          ) : (
            <Submissions submissions={submissions.list} />
          )}
        </div>
      </div>
    </div>
  );
}

function LanguagePicker(props: { id: string; value: string; languages: Language[]; onChange: (l: string) => void }) {
  const known = props.languages.some((l) => l.id === props.value);
  return (
    <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid="language">
      {!known && <option value={props.value}>{props.value}</option>}
      {props.languages.map((l) => (
        <option key={l.id} value={l.id}>
          {l.name} {l.version && `(${l.version.split(/\s/)[0]})`}
        </option>
      ))}
    </select>
  );
}

/** My submissions, read again whenever an event says one of mine was submitted or judged. */
function useMySubmissions(battle: BattleView, me: string) {
  const mine = battle.players.find((p) => p.user_id === me);
  const key = `${mine?.submissions ?? 0}:${mine?.judging ? 1 : 0}:${mine?.last_verdict ?? ""}`;
  const loaded = useLoad(() => api.submissions(battle.id), [battle.id, key]);
  const list: SubmissionView[] = loaded.data?.submissions ?? [];
  return useMemo(() => ({ list, reload: loaded.reload }), [list, loaded.reload]);
}

function Waiting({ battle, me }: { battle: BattleView; me: string }) {
  const now = useNow(200);
  const [error, setError] = useState<string | null>(null);
  if (battle.state === "countdown" && battle.starts_at_ms) {
    return (
      <div className="overlay" role="status">
        <div className="countdown" aria-hidden="true">{Math.max(0, Math.ceil((battle.starts_at_ms - now) / 1000))}</div>
        <p>Get ready: the battle starts now.</p>
      </div>
    );
  }
  const link = battle.invite_code ? `${window.location.origin}/join/${battle.invite_code}` : null;
  const opponentHere = battle.players.length === 2;
  return (
    <div className="overlay" role="status">
      {link ? (
        <>
          <h3>Invite your opponent</h3>
          <p className="muted">Send this link; the battle starts when they open it.</p>
          <div className="invite">
            <input readOnly value={link} aria-label="Invite link" data-testid="invite-link" onFocus={(e) => e.target.select()} />
            <CopyButton text={link} label="Copy link" />
          </div>
          <button
            className="btn ghost small"
            onClick={() => api.withdraw(battle.id).catch((e: unknown) => setError(describeError(e)))}
          >
            Cancel the battle
          </button>
          {error && <p className="form-error">{error}</p>}
        </>
      ) : opponentHere ? (
        <>
          <h3>Waiting for your opponent</h3>
          <p className="muted">
            {battle.players.filter((p) => p.user_id !== me).map((p) => p.username).join("")} has been matched with you and
            is on the way.
          </p>
        </>
      ) : (
        <h3>Waiting for an opponent…</h3>
      )}
    </div>
  );
}

function SpectatorView(props: { battle: BattleView; problem: Awaited<ReturnType<typeof api.problem>> | null }) {
  return (
    <div className="room-body spectator">
      <div className="pane statement-pane">
        {props.problem ? <Statement problem={props.problem} /> : <p className="muted pad">Loading the problem…</p>}
      </div>
      <div className="pane">
        <div className="card">
          <h3>You are watching</h3>
          <p className="muted">
            Submissions and verdicts appear above as they happen. Both players' code is shown when the battle
            ends.
          </p>
          {props.battle.state === "waiting" && <p>The players are on their way.</p>}
        </div>
      </div>
    </div>
  );
}
