import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, ApiError, describeError, type BattleMode, type BattleView, type QueueStatus } from "../api";
import { LeaderboardTable } from "../components/Leaderboard";
import { clock } from "../format";
import { useLoad, useNow } from "../hooks";
import { useSession } from "../session";

/** Where a player starts: play rated or casual, invite a friend, watch, the leaderboard. */
export function Lobby() {
  const session = useSession();
  const mine = useLoad(() => api.mine(), []);
  const active = mine.data?.active;
  return (
    <section className="page lobby">
      {active && <ActiveBattle battle={active} />}
      <div className="lobby-grid">
        <div className="stack">
          <QuickPlay disabled={Boolean(active)} />
          <PrivateBattle disabled={Boolean(active)} />
        </div>
        <div className="stack">
          <LiveBattles />
          <div className="card">
            <div className="card-head">
              <h2>Leaderboard</h2>
              <Link to="/leaderboard" className="small">Full leaderboard</Link>
            </div>
            <TopPlayers me={session?.user.id} />
          </div>
        </div>
      </div>
    </section>
  );
}

function ActiveBattle({ battle }: { battle: BattleView }) {
  const opponent = battle.players.map((p) => p.username).join(" vs ");
  return (
    <div className="banner info" role="status">
      <span>
        You are in a {battle.mode} battle ({opponent}, {battle.state}).
      </span>
      <Link className="btn small" to={`/battle/${battle.id}`}>
        Return to the battle
      </Link>
    </div>
  );
}

function QuickPlay({ disabled }: { disabled: boolean }) {
  const navigate = useNavigate();
  const now = useNow(500);
  const [status, setStatus] = useState<QueueStatus | null>(null);
  const [since, setSince] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Picks up a queue entry made before a reload, and follows it while waiting (the socket's
  // match:found usually comes first; this is the fallback). Only a wait seen to end in a
  // match moves the player to the battle: an existing battle is offered by the banner.
  const queued = status !== null;
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const s = await api.queueStatus();
        if (!live) return;
        if (s.state === "matched" && s.battle_id && queued) {
          navigate(`/battle/${s.battle_id}`, { replace: true });
          return;
        }
        if (s.state === "queued") {
          setStatus(s);
          setSince((old) => old ?? Date.now() - (s.waiting_ms ?? 0));
        } else if (queued) {
          setStatus(null);
          setSince(null);
        }
      } catch {
        // Shown when the player acts; polling goes on.
      }
      if (live) timer = setTimeout(poll, queued ? 2000 : 10000);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [navigate, queued]);

  async function play(mode: Exclude<BattleMode, "private">) {
    setBusy(true);
    setError(null);
    try {
      const s = await api.queue({ mode, language: localStorage.getItem("codearena.language") });
      if (s.state === "matched" && s.battle_id) {
        navigate(`/battle/${s.battle_id}`);
        return;
      }
      setStatus(s);
      setSince(Date.now() - (s.waiting_ms ?? 0));
    } catch (err) {
      if (err instanceof ApiError && err.code === "already_queued") {
        const s = await api.queueStatus().catch(() => null);
        if (s?.state === "queued") {
          setStatus(s);
          setSince(Date.now() - (s.waiting_ms ?? 0));
          return;
        }
      }
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  async function cancel() {
    setBusy(true);
    try {
      await api.leaveQueue();
      setStatus(null);
      setSince(null);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card play">
      <h2>Play now</h2>
      {status ? (
        <div className="queue" role="status" aria-live="polite" data-testid="queue-status">
          <span className="pulse" aria-hidden="true" />
          <div>
            <strong>Looking for a {status.mode} opponent…</strong>
            <div className="muted small">
              Waiting {clock(since ? now - since : 0)}
              {status.window !== undefined && ` · ratings within ±${status.window}`}
            </div>
          </div>
          <button className="btn ghost" onClick={cancel} disabled={busy}>
            Cancel
          </button>
        </div>
      ) : (
        <>
          <p className="muted">
            Get matched with a player near your rating. Same problem, same clock: the first to pass
            every test wins.
          </p>
          <div className="row">
            <button className="btn big" onClick={() => play("rated")} disabled={busy || disabled}>
              Play rated
            </button>
            <button className="btn big secondary" onClick={() => play("casual")} disabled={busy || disabled}>
              Play casual
            </button>
          </div>
        </>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
    </div>
  );
}

function PrivateBattle({ disabled }: { disabled: boolean }) {
  const navigate = useNavigate();
  const problems = useLoad(() => api.problems(), []);
  const [problem, setProblem] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    setError(null);
    try {
      const battle = await api.create(problem ? { problem } : {});
      navigate(`/battle/${battle.id}`);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  }

  return (
    <div className="card">
      <h2>Challenge a friend</h2>
      <p className="muted">Create a private battle and send the invite link. It does not change ratings.</p>
      <div className="row wrap">
        <label className="sr-only" htmlFor="private-problem">Problem</label>
        <select id="private-problem" value={problem} onChange={(e) => setProblem(e.target.value)}>
          <option value="">Any problem for my level</option>
          {problems.data?.problems.map((p) => (
            <option key={p.slug} value={p.slug}>
              {p.name} ({p.difficulty}{p.interactive ? ", interactive" : ""})
            </option>
          ))}
        </select>
        <button className="btn secondary" onClick={create} disabled={busy || disabled}>
          Create private battle
        </button>
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
    </div>
  );
}

function LiveBattles() {
  const live = useLoad(() => api.live(), []);
  useEffect(() => {
    const t = setInterval(live.reload, 5000);
    return () => clearInterval(t);
  }, [live.reload]);
  const battles = live.data?.battles ?? [];
  return (
    <div className="card">
      <div className="card-head">
        <h2>Being played now</h2>
        <span className="muted small">{battles.length} live</span>
      </div>
      {live.error && <p className="form-error">{live.error}</p>}
      {battles.length === 0 ? (
        <p className="muted">No battle is being played right now.</p>
      ) : (
        <ul className="live-list" data-testid="live-battles">
          {battles.map((b) => (
            <li key={b.id}>
              <div>
                <strong>{b.players.map((p) => `${p.username} (${p.rating})`).join(" vs ")}</strong>
                <div className="muted small">
                  {b.problem?.name ?? "A problem"} · {b.mode}
                </div>
              </div>
              <Link className="btn ghost small" to={`/battle/${b.id}`}>
                Watch
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function TopPlayers({ me }: { me?: string }) {
  const board = useLoad(() => api.leaderboard(1), []);
  if (board.error) return <p className="form-error">{board.error}</p>;
  if (!board.data) return <p className="muted">Loading…</p>;
  return <LeaderboardTable page={{ ...board.data, rows: board.data.rows.slice(0, 10) }} me={me} />;
}
