// The battle room's state: the battle as last fetched (a snapshot with its `last_seq`) and
// the events that came after it, applied strictly in sequence order.
//
// Events come from the socket (each once and in order, the server promises) and from the
// HTTP event log when the room catches up after a reconnect, so the reducer must not trust
// either: an event at or below the sequence number already applied is a duplicate and is
// ignored; one that skips ahead waits in `pending` until the gap is filled (the room asks
// the log for what is missing), then everything applicable is applied at once.

import type { BattleEvent, BattleView, PlayerView } from "../api";

export interface RatingDelta {
  user_id: string;
  before: number;
  after: number;
  delta: number;
}

export interface RoomState {
  battle: BattleView | null;
  /** The newest sequence number applied to `battle`. */
  seq: number;
  /** Every event applied, oldest first (the room's timeline). */
  timeline: BattleEvent[];
  /** Events ahead of `seq + 1`, by sequence number. */
  pending: Record<number, BattleEvent>;
  /** Players' connection to the room, as presence messages said. */
  online: Record<string, boolean>;
  /** How the players' ratings moved, once the rating service applied the battle. */
  ratings: RatingDelta[] | null;
}

export type RoomAction =
  | { type: "snapshot"; battle: BattleView }
  | { type: "events"; events: BattleEvent[] }
  | { type: "presence"; user_id: string; online: boolean }
  | { type: "ratings"; changes: RatingDelta[] }
  | { type: "reset" };

export const initialRoom: RoomState = {
  battle: null,
  seq: 0,
  timeline: [],
  pending: {},
  online: {},
  ratings: null,
};

export function roomReducer(state: RoomState, action: RoomAction): RoomState {
  switch (action.type) {
    case "reset":
      return initialRoom;
    case "snapshot": {
      // A snapshot older than what the events already brought is stale (it raced them).
      if (state.battle && action.battle.last_seq < state.seq) {
        return state;
      }
      const pending = { ...state.pending };
      for (const key of Object.keys(pending)) {
        if (Number(key) <= action.battle.last_seq) delete pending[Number(key)];
      }
      return drain({ ...state, battle: action.battle, seq: action.battle.last_seq, pending });
    }
    case "events": {
      let pending = state.pending;
      let changed = false;
      for (const event of action.events) {
        if (event.seq <= state.seq || pending[event.seq]) continue;
        if (!changed) pending = { ...pending };
        pending[event.seq] = event;
        changed = true;
      }
      return changed ? drain({ ...state, pending }) : state;
    }
    case "presence":
      if (state.online[action.user_id] === action.online) return state;
      return { ...state, online: { ...state.online, [action.user_id]: action.online } };
    case "ratings":
      return { ...state, ratings: action.changes };
  }
}

/** Applies every pending event that follows `seq` without a gap. */
function drain(state: RoomState): RoomState {
  if (!state.battle) return state;
  let { battle, seq } = state;
  const pending = { ...state.pending };
  const applied: BattleEvent[] = [];
  for (let next = pending[seq + 1]; next; next = pending[seq + 1]) {
    delete pending[seq + 1];
    battle = apply(battle, next);
    seq = next.seq;
    applied.push(next);
  }
  if (applied.length === 0 && Object.keys(pending).length === Object.keys(state.pending).length) {
    return state;
  }
  return { ...state, battle, seq, pending, timeline: [...state.timeline, ...applied] };
}

/** The sequence number the room is waiting for, when later events are already here. */
export function missingFrom(state: RoomState): number | null {
  const keys = Object.keys(state.pending).map(Number);
  return keys.length > 0 ? state.seq : null;
}

function updatePlayer(
  battle: BattleView,
  userId: string,
  change: (p: PlayerView) => PlayerView,
): BattleView {
  return {
    ...battle,
    players: battle.players.map((p) => (p.user_id === userId ? change(p) : p)),
  };
}

/** The battle after one event. */
export function apply(battle: BattleView, event: BattleEvent): BattleView {
  const next: BattleView = { ...battle, last_seq: event.seq };
  switch (event.type) {
    case "created":
      return next;
    case "joined":
      if (next.players.some((p) => p.user_id === event.player.user_id)) return next;
      return {
        ...next,
        players: [
          ...next.players,
          {
            ...event.player,
            ready: false,
            submissions: 0,
            best_score: 0,
            judging: false,
          },
        ],
      };
    case "ready":
      return updatePlayer(next, event.user_id, (p) => ({ ...p, ready: true }));
    case "countdown":
      return { ...next, state: "countdown", starts_at_ms: event.starts_at_ms };
    case "started":
      return { ...next, state: "active", deadline_ms: event.deadline_ms };
    case "submitted":
      return updatePlayer(next, event.user_id, (p) => ({
        ...p,
        submissions: event.count,
        judging: true,
      }));
    case "judged":
      return updatePlayer(next, event.user_id, (p) => ({
        ...p,
        last_verdict: event.verdict,
        best_score: event.best_score,
        judging: false,
      }));
    case "finished":
      return {
        ...next,
        state: "finished",
        winner: event.winner ?? undefined,
        reason: event.reason,
        finished_at_ms: event.at_ms,
        players: next.players.map((p) => ({ ...p, judging: false })),
      };
    case "cancelled":
      return { ...next, state: "cancelled", reason: event.reason, finished_at_ms: event.at_ms };
  }
}
