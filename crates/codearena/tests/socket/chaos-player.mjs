// A scripted player of the chaos run (chaos.mjs): registers, keeps one socket open through
// the ingress (the official socket.io-client, reconnecting by itself), and plays rated
// battles one after another until told to stop: queue → matched (on the socket, or seen by
// polling when the socket was down at that moment) → ready → started → a wrong submission
// → its verdict → then the right one if this player is the battle's designated winner (the
// lower user id), or a second wrong one. Every HTTP answer is recorded (503s are retried
// after their Retry-After; anything else ≥ 500 is a failure the run reports), as is every
// event the socket gets and every verdict's latency. The checks are in chaos-check.mjs.

import { io } from "socket.io-client";

const PATIENCE_MS = Number(process.env.PATIENCE_MS ?? "240000");

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every HTTP answer and connection failure of the run, for the report. */
export class Calls {
  constructor(base) {
    this.base = base;
    /** {at, method, route, status} of every answer ≥ 500 or failed request. */
    this.bad = [];
    this.count = 0;
  }

  /** `path` with ids and codes replaced, so that answers group by route. */
  static route(path) {
    return path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}").replace(/\?.*$/, "");
  }

  /**
   * One request; 503 answers and refused connections are retried until `until` (a
   * deadline in ms) unless `once`. Answers {status, body}; status 0 = no answer.
   */
  async request(method, path, token, body, { once = false, until = Date.now() + PATIENCE_MS } = {}) {
    const headers = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    for (;;) {
      const at = Date.now();
      let status = 0;
      let parsed = null;
      let retryAfter = 1;
      try {
        const response = await fetch(this.base + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        });
        status = response.status;
        retryAfter = Number(response.headers.get("retry-after") ?? "1") || 1;
        const text = await response.text();
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          parsed = { unparsed: text.slice(0, 200) };
        }
      } catch (e) {
        parsed = { error: String(e.cause?.code ?? e.name ?? e) };
      }
      this.count++;
      if (status >= 500 || status === 0) {
        const code = parsed?.code ?? parsed?.error;
        this.bad.push({ at, end: Date.now(), method, route: Calls.route(path), status, code });
      }
      const retry = status === 503 || status === 0;
      if (!retry || once || Date.now() > until) return { status, body: parsed };
      await sleep(Math.min(retryAfter, 2) * 1000);
    }
  }
}

/** Resolves with `probe()`'s first truthy value, asking every `everyMs`; throws after PATIENCE. */
export async function until(what, probe, everyMs = 250) {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > PATIENCE_MS) throw new Error(`timed out: ${what}`);
    await sleep(everyMs);
  }
}

export class Player {
  /**
   * @param calls the shared Calls
   * @param name a unique username
   * @param solutions (problem slug) → {right, wrong} Python sources
   * @param faults the run's fault log, to mark latencies measured during one
   */
  constructor(calls, name, solutions, faults) {
    this.calls = calls;
    this.name = name;
    this.solutions = solutions;
    this.faults = faults;
    this.token = null;
    this.id = null;
    this.socket = null;
    this.connects = 0;
    /**
     * battle id → {seqs, events, duplicates} as this player's socket saw them: an event
     * whose seq was seen already (two joins asking from the same point) is counted, not kept.
     */
    this.seen = new Map();
    /** The battle being played, for re-joining its room after a reconnect. */
    this.current = null;
    this.matched = null;
    /** What was played: [{battle, expectedWinner, submissions: [{id, right, verdict, latencyMs, duringFault}]}] */
    this.battles = [];
    this.errors = [];
  }

  async register() {
    const r = await this.calls.request("POST", "/api/auth/register", null, {
      username: this.name,
      email: `${this.name}@example.com`,
      password: "correct horse battery",
    });
    if (r.status !== 201) throw new Error(`register ${this.name}: ${r.status} ${JSON.stringify(r.body)}`);
    this.token = r.body.access_token;
    this.id = r.body.user.id;
  }

  /** Opens the socket; it reconnects by itself (through the ingress, to any live replica). */
  connect(base) {
    this.socket = io(base, {
      auth: { token: this.token },
      query: { sticky: `${this.name}-${Math.random()}` },
      transports: ["websocket"],
      reconnectionDelay: 200,
      reconnectionDelayMax: 2000,
      randomizationFactor: 0.3,
    });
    this.socket.on("connect", () => {
      this.connects++;
      if (this.current) this.joinRoom(this.current);
    });
    this.socket.on("match:found", (e) => {
      this.matched = e.battle_id;
    });
    this.socket.on("battle:event", (e) => this.onEvent(e));
    return new Promise((resolve, reject) => {
      this.socket.once("connect", resolve);
      setTimeout(() => reject(new Error(`${this.name}: no socket`)), 30_000);
    });
  }

  seenOf(battle) {
    if (!this.seen.has(battle)) this.seen.set(battle, { seqs: [], events: [], duplicates: 0 });
    return this.seen.get(battle);
  }

  onEvent(e) {
    const seen = this.seenOf(e.battle_id);
    if (seen.seqs.length && e.seq <= seen.seqs[seen.seqs.length - 1]) {
      seen.duplicates++;
      return;
    }
    seen.seqs.push(e.seq);
    seen.events.push(e);
  }

  /** Joins a battle's room, asking for everything after the last event this socket saw. */
  leaveRoom(battle) {
    this.socket
      .timeout(10_000)
      .emitWithAck("battle:leave", { battle_id: battle })
      .then((answer) => {
        if (answer?.status !== "left") this.errors.push(`leave ${battle}: ${JSON.stringify(answer)}`);
      })
      .catch(() => {
        // No answer: if the socket dropped, its session (and what it followed) went with it.
        if (this.socket.connected) this.errors.push(`leave ${battle}: no answer on a connected socket`);
      });
  }

  joinRoom(battle) {
    const seqs = this.seenOf(battle).seqs;
    const after = seqs.length ? seqs[seqs.length - 1] : 0;
    this.socket
      .timeout(10_000)
      .emitWithAck("battle:join", { battle_id: battle, after })
      .then((answer) => {
        if (answer?.status !== "ok") this.errors.push(`join ${battle}: ${JSON.stringify(answer)}`);
      })
      .catch(() => {
        // No answer: if the socket dropped, its "connect" joins again; if not, the server
        // lost the join, and the events it would bring are lost with it.
        if (this.socket.connected) this.errors.push(`join ${battle}: no answer on a connected socket`);
      });
  }

  event(battle, test) {
    return this.seenOf(battle).events.find(test);
  }

  async battleView(id) {
    const r = await this.calls.request("GET", `/api/battle/${id}`, this.token);
    return r.status === 200 ? r.body : null;
  }

  /** Plays battles until `stop.requested`; returns when the one in hand is over. */
  async play(stop) {
    while (!stop.requested) {
      try {
        if (!(await this.playOne(stop))) return;
      } catch (e) {
        this.errors.push(String(e.stack ?? e));
        return;
      }
    }
  }

  async playOne(stop) {
    this.matched = null;
    const queued = await this.calls.request("POST", "/api/battle/queue", this.token, { mode: "rated", language: "python" });
    if (queued.status !== 202 && queued.body?.code !== "already_queued") {
      throw new Error(`queue: ${queued.status} ${JSON.stringify(queued.body)}`);
    }
    // The match comes on the socket; polled too, in case the socket was down just then.
    // When the run ends, a player still waiting leaves the queue (unless matched meanwhile).
    let polled = 0;
    const battleId = await until("a match", async () => {
      if (this.matched) return this.matched;
      if (!stop.requested && ++polled % 8 !== 0) return null;
      let left = null;
      if (stop.requested) left = await this.calls.request("DELETE", "/api/battle/queue", this.token);
      const status = await this.calls.request("GET", "/api/battle/queue", this.token);
      if (status.body?.state === "matched") return status.body.battle_id;
      if (!stop.requested) return null;
      this.left = { at: Date.now(), leave: left?.status, status: status.status, state: status.body?.state };
      return "left";
    });
    if (battleId === "left") return false;
    this.current = battleId;
    this.joinRoom(battleId);
    const ready = await this.calls.request("POST", `/api/battle/${battleId}/ready`, this.token);
    if (ready.status !== 200) throw new Error(`ready: ${ready.status} ${JSON.stringify(ready.body)}`);
    const started = await until("the start", async () => {
      if (this.event(battleId, (e) => e.type === "started")) return this.battleView(battleId);
      const view = await this.battleView(battleId);
      return view && view.state !== "countdown" && view.state !== "waiting" ? view : null;
    }, 500);
    const ids = started.players.map((p) => p.user_id).sort();
    const record = { battle: battleId, expectedWinner: ids[0], submissions: [], problem: started.problem.slug };
    this.battles.push(record);
    const solution = this.solutions[record.problem];
    if (!solution) throw new Error(`no solution for ${record.problem}`);
    const winner = ids[0] === this.id;
    await this.submit(record, solution.wrong, false);
    if (started.state === "active") {
      await this.submit(record, winner ? solution.right : solution.wrong, winner);
    }
    // The end, as the socket tells it: its room is joined again after every reconnect until then.
    await until("the end on the socket", () => this.event(battleId, (e) => e.type === "finished" || e.type === "cancelled"), 200);
    this.current = null;
    // Nothing follows the end: leave the room, as the web app does when its battle page
    // closes. A socket follows at most 8 battles (realtime's max_battles_per_socket), and
    // one that stays connected through more battles than that is refused the next join.
    this.leaveRoom(battleId);
    return true;
  }

  /** Submits and waits for the verdict; a lost answer is reconciled with my submission list. */
  async submit(record, source, right) {
    const path = `/api/battle/${record.battle}/submissions`;
    const known = record.submissions.length;
    let submission = null;
    const sentAt = Date.now();
    while (!submission) {
      const r = await this.calls.request("POST", path, this.token, { language: "python", source }, { once: true });
      if (r.status === 202) {
        submission = r.body;
      } else if (r.status === 503 || r.status === 0 || r.status === 502) {
        // Did it land before the answer was lost? Then it is in my list: never send twice.
        // (Once the battle is over the list has the opponent's too.)
        const mine = await this.calls.request("GET", path, this.token);
        const list = (mine.body?.submissions ?? []).filter((x) => x.user_id === this.id);
        if (list.length > known) submission = list[list.length - 1];
        else await sleep(1000);
      } else if (r.status === 409) {
        return; // the battle is over (the opponent won first): nothing to judge
      } else {
        throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }
    const entry = { id: submission.id, right, verdict: null, latencyMs: null, sentAt };
    record.submissions.push(entry);
    let lastAsked = 0;
    const judged = await until("a verdict", async () => {
      const e = this.event(record.battle, (x) => x.type === "judged" && x.submission_id === submission.id);
      if (e) return e;
      // The socket may be reconnecting: ask now and then.
      if (Date.now() - sentAt < 5000 || Date.now() - lastAsked < 1000) return null;
      lastAsked = Date.now();
      const view = await this.calls.request("GET", `${path}/${submission.id}`, this.token);
      return view.body?.verdict ? view.body : null;
    }, 100);
    entry.verdict = judged.verdict;
    entry.latencyMs = Date.now() - sentAt;
    entry.duringFault = this.faults.activeBetween(sentAt, Date.now());
  }
}
