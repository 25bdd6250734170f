import { useSearchParams } from "react-router";
import { api } from "../api";
import { LeaderboardTable } from "../components/Leaderboard";
import { useLoad } from "../hooks";
import { useSession } from "../session";

export function LeaderboardPage() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page")) || 1);
  const board = useLoad(() => api.leaderboard(page), [page]);
  const pages = board.data ? Math.max(1, Math.ceil(board.data.total / board.data.page_size)) : 1;
  return (
    <section className="page narrow">
      <h1>Leaderboard</h1>
      <p className="muted">Elo ratings from rated battles. {board.data && `${board.data.total} players.`}</p>
      <div className="card">
        {board.error && <p className="form-error">{board.error}</p>}
        {board.data ? <LeaderboardTable page={board.data} me={session?.user.id} /> : !board.error && <p className="muted">Loading…</p>}
      </div>
      <nav className="row center pager" aria-label="Pages">
        <button className="btn ghost small" disabled={page <= 1} onClick={() => setParams({ page: String(page - 1) })}>
          Previous
        </button>
        <span className="muted small">
          Page {page} of {pages}
        </span>
        <button className="btn ghost small" disabled={page >= pages} onClick={() => setParams({ page: String(page + 1) })}>
          Next
        </button>
      </nav>
    </section>
  );
}
