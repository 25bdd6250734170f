import type { PlayerView } from "../api";
import { VERDICT_NAMES } from "../format";
import { VerdictBadge } from "./VerdictBadge";

/** A player's live progress: tests passed, attempts, last verdict, connection. */
export function PlayerCard(props: {
  player: PlayerView;
  total: number;
  online: boolean | undefined;
  me: boolean;
  winner: boolean;
}) {
  const { player, total } = props;
  const pct = total > 0 ? Math.round((player.best_score / total) * 100) : 0;
  const label = props.me ? "You" : "Opponent";
  return (
    <section
      className={`player-card ${props.me ? "mine" : "theirs"} ${props.winner ? "winner" : ""}`}
      aria-label={`${label}: ${player.username}`}
      data-testid={props.me ? "me-card" : "opponent-card"}
    >
      <div className="player-top">
        <span
          className={`dot ${props.online === undefined ? "unknown" : props.online ? "on" : "off"}`}
          title={props.online === undefined ? undefined : props.online ? "Connected" : "Disconnected"}
          role={props.online === undefined ? undefined : "img"}
          aria-label={props.online === undefined ? undefined : props.online ? "connected" : "disconnected"}
          aria-hidden={props.online === undefined ? true : undefined}
          data-testid="presence"
        />
        <strong className="player-name">{player.username}</strong>
        <span className="muted small">{player.rating}</span>
        {props.winner && <span className="pill win">Winner</span>}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={`${label}: tests passed`}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={player.best_score}
      >
        <div className="progress-bar" style={{ width: `${pct}%` }} />
      </div>
      <div className="player-stats small">
        <span data-testid="tests-passed">
          {player.best_score}/{total} tests
        </span>
        <span>
          {player.submissions} {player.submissions === 1 ? "attempt" : "attempts"}
        </span>
        {player.judging ? (
          <span className="judging">
            <span className="spinner" aria-hidden="true" /> judging
          </span>
        ) : player.last_verdict ? (
          <span title={VERDICT_NAMES[player.last_verdict]}>
            last <VerdictBadge verdict={player.last_verdict} />
          </span>
        ) : null}
      </div>
    </section>
  );
}
