// The client side of the realtime benchmark (crates/bench/src/bin/realtime_load/ starts
// it): many spectators connected to one replica, ROOM of them in one battle's room, through
// the official socket.io-client.
//
//   BASE=http://127.0.0.1:PORT TOKEN=... BATTLE=<uuid> SOCKETS=10000 ROOM=100 EVENTS=50 \
//     BATCH=200 node load.mjs
//
// Opens SOCKETS websocket connections, BATCH at a time (each its own connection: forceNew),
// all with the spectator's token. ROOM of them (default: all), spread evenly over the
// connecting order, join BATTLE; the others only connect (the server puts every socket in
// its user's room) and are held. Then prints one line
// `ready {joined, held, failed, failures, last_seq, connect_ms, rss_before, rss_after}` on
// stdout (joined: in the room; held: connected, not in it). From then on it records, for
// every `battle:event` on every socket of the room, Date.now() - at_ms (whole milliseconds
// on both sides), and prints `result {...}` once every joined socket has had EVENTS events
// past last_seq, or as soon as a line `end` arrives on stdin. An event that reaches a socket
// outside the room is counted as `stray`. Progress goes to stderr.

import readline from "node:readline";
import { io } from "socket.io-client";

const BASE = process.env.BASE;
const TOKEN = process.env.TOKEN;
const BATTLE = process.env.BATTLE;
const SOCKETS = Number(process.env.SOCKETS ?? "1000");
const ROOM = Math.min(SOCKETS, Number(process.env.ROOM ?? SOCKETS));
const EVENTS = Number(process.env.EVENTS ?? "50");
const BATCH = Number(process.env.BATCH ?? "200");
const PATIENCE_MS = 60_000;

// The sockets in the battle's room; `held` counts the others.
const sockets = [];
let held = 0;
let stray = 0;
const failures = {};
let failed = 0;
let lastSeq = null;
let dropped = 0;
let outOfOrder = 0;
let received = 0;
let ready = false;
let finished = false;
let cpuAtReady = null;
let readyAt = 0;
// delays[k][i]: socket i's delay for event k (the (k+1)-th event after last_seq); NaN = not yet.
let delays = [];

function fail(reason) {
  failures[reason] = (failures[reason] ?? 0) + 1;
  failed++;
}

/** The n-th socket to connect (from 0) joins the room: ROOM of SOCKETS, evenly spread. */
function member(n) {
  return Math.floor(((n + 1) * ROOM) / SOCKETS) > Math.floor((n * ROOM) / SOCKETS);
}

/**
 * One socket, connected (and in the battle's room if `join`); null (and a failure counted)
 * if not.
 */
function open(join) {
  return new Promise((resolve) => {
    const socket = io(BASE, {
      auth: { token: TOKEN },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      timeout: PATIENCE_MS,
    });
    const me = { socket, join, index: -1, next: 0 };
    let settled = false;
    const done = (reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (reason) {
        fail(reason);
        socket.close();
        resolve(null);
      } else {
        resolve(me);
      }
    };
    const timer = setTimeout(() => done("timeout"), PATIENCE_MS);
    socket.once("connect_error", (e) => done(`connect_error: ${e.message}`));
    socket.on("disconnect", (why) => {
      if (ready && !finished) dropped++;
      done(`disconnected while joining: ${why}`);
    });
    socket.on("battle:event", (e) => onEvent(me, e));
    socket.once("hello", async () => {
      if (!join) return done(null);
      try {
        const reply = await socket
          .timeout(PATIENCE_MS)
          .emitWithAck("battle:join", { battle_id: BATTLE });
        if (reply.status !== "ok") return done(`join: ${reply.code}`);
        lastSeq ??= reply.last_seq;
        done(null);
      } catch (e) {
        done(`join: ${e.message}`);
      }
    });
  });
}

function onEvent(me, event) {
  const now = Date.now();
  if (!me.join) {
    stray++;
    return;
  }
  if (!ready || me.index < 0 || lastSeq === null) return;
  const k = event.seq - lastSeq - 1;
  if (k !== me.next || k >= EVENTS) {
    outOfOrder++;
    return;
  }
  me.next++;
  delays[k][me.index] = now - event.at_ms;
  received++;
  if (received === sockets.length * EVENTS) finish();
}

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.round((sorted.length - 1) * q)];
}

function summary(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: percentile(sorted, 1),
  };
}

function finish() {
  if (finished) return;
  finished = true;
  const cpu = process.cpuUsage(cpuAtReady);
  const all = [];
  const last = [];
  const first = [];
  for (const row of delays) {
    let lo = Infinity;
    let hi = -Infinity;
    let complete = true;
    for (const d of row) {
      if (Number.isNaN(d)) {
        complete = false;
        continue;
      }
      all.push(d);
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    if (lo !== Infinity) first.push(lo);
    // The last socket's arrival only counts for an event every socket got.
    if (complete && hi !== -Infinity) last.push(hi);
  }
  const result = {
    sockets: sockets.length,
    expected: sockets.length * EVENTS,
    received,
    out_of_order: outOfOrder,
    stray,
    dropped,
    all: summary(all),
    first_socket: summary(first),
    last_socket: summary(last),
    client_cpu_ms: (cpu.user + cpu.system) / 1000,
    client_wall_ms: Date.now() - readyAt,
  };
  process.stdout.write(`result ${JSON.stringify(result)}\n`, () => process.exit(0));
}

const rssBefore = process.memoryUsage().rss;
const started = Date.now();
let tried = 0;
while (tried < SOCKETS) {
  const n = Math.min(BATCH, SOCKETS - tried);
  const opened = await Promise.all(Array.from({ length: n }, (_, i) => open(member(tried + i))));
  tried += n;
  for (const me of opened) {
    if (me?.join) {
      me.index = sockets.length;
      sockets.push(me);
    } else if (me) {
      held++;
    }
  }
  if (tried % 1000 < BATCH || tried === SOCKETS) {
    process.stderr.write(
      `load.mjs: ${sockets.length} joined, ${held} held, ${failed} failed, ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }
}
const connectMs = Date.now() - started;
delays = Array.from({ length: EVENTS }, () => new Float64Array(sockets.length).fill(NaN));
cpuAtReady = process.cpuUsage();
readyAt = Date.now();
ready = true;
const line = {
  joined: sockets.length,
  held,
  failed,
  failures,
  last_seq: lastSeq,
  connect_ms: connectMs,
  rss_before: rssBefore,
  rss_after: process.memoryUsage().rss,
};
process.stdout.write(`ready ${JSON.stringify(line)}\n`);
if (sockets.length === 0 || EVENTS === 0) finish();
readline.createInterface({ input: process.stdin }).on("line", (l) => {
  if (l.trim() === "end") finish();
});
