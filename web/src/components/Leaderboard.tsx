import { Link } from "react-router";
import type { LeaderboardPage } from "../api";

export function LeaderboardTable({ page, me }: { page: LeaderboardPage; me?: string }) {
  if (page.rows.length === 0) {
    return <p className="muted">No rated battles yet. Play one to be the first on the board.</p>;
  }
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Player</th>
          <th scope="col" className="num">Rating</th>
          <th scope="col" className="num">W / L / D</th>
        </tr>
      </thead>
      <tbody>
        {page.rows.map((row) => (
          <tr key={row.user_id} className={row.user_id === me ? "me" : undefined}>
            <td>{row.rank}</td>
            <td>
              <Link to={`/u/${row.user_id}`}>{row.username}</Link>
            </td>
            <td className="num strong">{Math.round(row.rating)}</td>
            <td className="num muted">
              {row.wins} / {row.losses} / {row.draws}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
