import { describe, expect, it } from "vitest";
import type { BattleEvent, BattleView } from "../api";
import { initialRoom, missingFrom, roomReducer, type RoomState } from "./reducer";

const ADA = "00000000-0000-0000-0000-00000000000a";
const BOB = "00000000-0000-0000-0000-00000000000b";
const ID = "00000000-0000-0000-0000-000000000001";

function battle(last_seq: number): BattleView {
  return {
    id: ID,
    mode: "rated",
    state: "waiting",
    problem: null,
    players: [
      { user_id: ADA, username: "ada", rating: 1500, ready: false, submissions: 0, best_score: 0, judging: false },
      { user_id: BOB, username: "bob", rating: 1500, ready: false, submissions: 0, best_score: 0, judging: false },
    ],
    created_at_ms: 1,
    duration_secs: 900,
    last_seq,
  };
}

const base = { battle_id: ID, at_ms: 100 };
// The events of a battle Ada wins, in order: seq 2..8 (1 was "created").
const EVENTS: BattleEvent[] = [
  { ...base, seq: 2, type: "ready", user_id: ADA },
  { ...base, seq: 3, type: "ready", user_id: BOB },
  { ...base, seq: 4, type: "countdown", starts_at_ms: 5000 },
  { ...base, seq: 5, type: "started", deadline_ms: 900_000 },
  { ...base, seq: 6, type: "submitted", user_id: BOB, submission_id: "s1", count: 1 },
  { ...base, seq: 7, type: "judged", user_id: BOB, submission_id: "s1", verdict: "WA", score: 0, total: 3, best_score: 0 },
  { ...base, seq: 8, type: "submitted", user_id: ADA, submission_id: "s2", count: 1 },
  { ...base, seq: 9, type: "judged", user_id: ADA, submission_id: "s2", verdict: "AC", score: 3, total: 3, best_score: 3 },
  { ...base, seq: 10, type: "finished", winner: ADA, reason: "accepted", at_ms: 777 },
];

function run(state: RoomState, events: BattleEvent[]): RoomState {
  return events.reduce((s, e) => roomReducer(s, { type: "events", events: [e] }), state);
}

const loaded = () => roomReducer(initialRoom, { type: "snapshot", battle: battle(1) });

describe("roomReducer", () => {
  it("applies events in order to the snapshot", () => {
    const s = run(loaded(), EVENTS);
    expect(s.seq).toBe(10);
    expect(s.battle?.state).toBe("finished");
    expect(s.battle?.winner).toBe(ADA);
    expect(s.battle?.reason).toBe("accepted");
    expect(s.battle?.finished_at_ms).toBe(777);
    const [ada, bob] = s.battle!.players;
    expect(ada).toMatchObject({ ready: true, submissions: 1, best_score: 3, last_verdict: "AC", judging: false });
    expect(bob).toMatchObject({ ready: true, submissions: 1, best_score: 0, last_verdict: "WA" });
    expect(s.timeline.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("ignores duplicates, however often they come", () => {
    const once = run(loaded(), EVENTS);
    const twice = run(run(loaded(), EVENTS), [...EVENTS, ...EVENTS.slice(3)]);
    expect(twice).toEqual(once);
    // A judged event seen again does not count the submission twice or reopen judging.
    const mid = run(loaded(), EVENTS.slice(0, 6));
    const again = run(mid, [EVENTS[4]!, EVENTS[5]!]);
    expect(again).toBe(mid);
    expect(again.battle?.players[1]).toMatchObject({ submissions: 1, judging: false, last_verdict: "WA" });
  });

  it("holds events that skip ahead until the gap is filled, then applies all in order", () => {
    let s = run(loaded(), [EVENTS[0]!, EVENTS[2]!, EVENTS[3]!]);
    expect(s.seq).toBe(2);
    expect(s.battle?.state).toBe("waiting");
    expect(missingFrom(s)).toBe(2);
    s = run(s, [EVENTS[1]!]);
    expect(s.seq).toBe(5);
    expect(s.battle?.state).toBe("active");
    expect(missingFrom(s)).toBeNull();
    expect(s.timeline.map((e) => e.seq)).toEqual([2, 3, 4, 5]);
  });

  it("gives the same battle for any arrival order", () => {
    const inOrder = run(loaded(), EVENTS);
    const reversed = run(loaded(), [...EVENTS].reverse());
    const shuffled = run(loaded(), [EVENTS[5]!, EVENTS[1]!, EVENTS[8]!, EVENTS[0]!, EVENTS[3]!, EVENTS[2]!, EVENTS[7]!, EVENTS[4]!, EVENTS[6]!]);
    expect(reversed.battle).toEqual(inOrder.battle);
    expect(shuffled.battle).toEqual(inOrder.battle);
    expect(shuffled.timeline.map((e) => e.seq)).toEqual(inOrder.timeline.map((e) => e.seq));
  });

  it("waits for the snapshot, and drops what it already contains", () => {
    // Events before the snapshot (the socket was faster than the HTTP call).
    let s = run(initialRoom, EVENTS.slice(0, 5));
    expect(s.battle).toBeNull();
    s = roomReducer(s, { type: "snapshot", battle: { ...battle(4), state: "countdown" } });
    expect(s.seq).toBe(6);
    expect(s.timeline.map((e) => e.seq)).toEqual([5, 6]);
    expect(s.battle?.state).toBe("active");
    expect(Object.keys(s.pending)).toEqual([]);
  });

  it("ignores a snapshot older than the events already applied", () => {
    const s = run(loaded(), EVENTS.slice(0, 4));
    const stale = roomReducer(s, { type: "snapshot", battle: battle(3) });
    expect(stale).toBe(s);
    const fresh = roomReducer(s, { type: "snapshot", battle: { ...battle(5), state: "active" } });
    expect(fresh.seq).toBe(5);
  });

  it("adds a player who joins, once", () => {
    const lone = { ...battle(1), mode: "private" as const, players: battle(1).players.slice(0, 1) };
    let s = roomReducer(initialRoom, { type: "snapshot", battle: lone });
    const joined: BattleEvent = { ...base, seq: 2, type: "joined", player: { user_id: BOB, username: "bob", rating: 1510 } };
    s = run(s, [joined, joined]);
    expect(s.battle?.players.map((p) => p.username)).toEqual(["ada", "bob"]);
  });

  it("records presence and rating changes", () => {
    let s = roomReducer(loaded(), { type: "presence", user_id: BOB, online: true });
    expect(s.online[BOB]).toBe(true);
    s = roomReducer(s, { type: "ratings", changes: [{ user_id: ADA, before: 1500, after: 1520, delta: 20 }] });
    expect(s.ratings?.[0]?.delta).toBe(20);
  });
});
