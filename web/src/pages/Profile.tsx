import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { api, type BattleView, type HistoryPoint } from "../api";
import { RatingChart } from "../components/RatingChart";
import { REASONS, ago, signed } from "../format";
import { useLoad } from "../hooks";
import { useSession } from "../session";

/** A player: rating, rank, record, the rating graph, recent battles. */
export function Profile() {
  const { id = "" } = useParams();
  const session = useSession();
  const own = session?.user.id === id;
  const player = useLoad(() => api.player(id), [id]);
  const history = useLoad(() => api.history(id), [id]);
  const mine = useLoad(() => (own ? api.mine() : Promise.resolve(null)), [id, own]);

  if (player.error) {
    return (
      <section className="page narrow center">
        <h1>Player not found</h1>
        <p className="muted">{player.error}</p>
      </section>
    );
  }
  const p = player.data;
  const points = history.data?.points ?? [];
  const name = p?.username || (own ? session?.user.username : "") || "Player";
  return (
    <section className="page profile">
      <div className="profile-head">
        <div className="avatar" aria-hidden="true">{name.slice(0, 1).toUpperCase()}</div>
        <div>
          <h1>{name}</h1>
          <p className="muted">{p?.rank ? `Rank #${p.rank}` : "Not ranked yet: play a rated battle"}</p>
        </div>
      </div>
      <div className="stats">
        <Stat label="Rating" value={p ? String(Math.round(p.rating)) : "…"} testid="profile-rating" />
        <Stat label="Peak" value={p ? String(Math.round(p.peak)) : "…"} />
        <Stat label="Rated games" value={p ? String(p.games) : "…"} />
        <Stat label="Won / lost / drawn" value={p ? `${p.wins} / ${p.losses} / ${p.draws}` : "…"} />
      </div>
      <div className="card">
        <h2>Rating history</h2>
        {points.length > 0 ? <RatingChart points={points} /> : <p className="muted">No rated battles yet.</p>}
      </div>
      <div className="card">
        <h2>Recent battles</h2>
        {own && mine.data ? <MyBattleList battles={mine.data.history} me={id} /> : <RatedList points={points} />}
      </div>
    </section>
  );
}

function Stat({ label, value, testid }: { label: string; value: string; testid?: string }) {
  return (
    <div className="stat">
      <div className="stat-value" data-testid={testid}>{value}</div>
      <div className="stat-label muted small">{label}</div>
    </div>
  );
}

function RatedList({ points }: { points: HistoryPoint[] }) {
  if (points.length === 0) return <p className="muted">Nothing yet.</p>;
  return (
    <ul className="battle-list">
      {[...points].reverse().slice(0, 20).map((pt) => (
        <li key={pt.battle_id}>
          <span className={`pill ${pt.outcome}`}>{pt.outcome}</span>
          <span>
            vs <OpponentLink id={pt.opponent} />
          </span>
          <span className={pt.delta >= 0 ? "up" : "down"}>{signed(pt.delta)}</span>
          <span className="muted small">{ago(pt.finished_at_ms)}</span>
          <Link to={`/battle/${pt.battle_id}/replay`} className="small">Replay</Link>
        </li>
      ))}
    </ul>
  );
}

// A rating history names opponents by id: their names, read once per page load.
const names = new Map<string, Promise<string>>();

function OpponentLink({ id }: { id: string }) {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let load = names.get(id);
    if (!load) {
      load = api.player(id).then((p) => p.username || "a player", () => "a player");
      names.set(id, load);
    }
    void load.then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [id]);
  return <Link to={`/u/${id}`}>{name ?? "…"}</Link>;
}

function MyBattleList({ battles, me }: { battles: BattleView[]; me: string }) {
  if (battles.length === 0) return <p className="muted">No battles yet.</p>;
  return (
    <ul className="battle-list">
      {battles.map((b) => {
        const opponent = b.players.find((p) => p.user_id !== me);
        const outcome = b.state === "cancelled" ? "cancelled" : !b.winner ? "draw" : b.winner === me ? "win" : "loss";
        return (
          <li key={b.id}>
            <span className={`pill ${outcome}`}>{outcome}</span>
            <span>vs {opponent?.username ?? "nobody"}</span>
            <span className="muted small">{b.problem?.name} · {b.mode}{b.reason ? ` · ${REASONS[b.reason]}` : ""}</span>
            <span className="muted small">{ago(b.finished_at_ms ?? b.created_at_ms)}</span>
            <Link to={`/battle/${b.id}/replay`} className="small">Replay</Link>
          </li>
        );
      })}
    </ul>
  );
}
