// The chaos run (scripts/chaos starts the cluster and then this): PAIRS pairs of scripted
// players (chaos-player.mjs) play rated battles through the ingress while faults are
// injected in turn, with GAP_MS of steady play before each: an execution replica killed
// (SIGKILL) while it judges, a battle replica, the rating service (its results consumer),
// a realtime replica, then PostgreSQL, Redis and RabbitMQ restarted. The cluster runs its
// processes under a supervisor that starts a killed one again (as Kubernetes would).
// Then the players finish the battles in hand and chaos-check.mjs compares what they saw
// with what the services and the database say. The report is printed and written to
// REPORT as JSON; the exit code is 0 only when every check holds.
//
//   BASE=http://127.0.0.1:PORT STATE=<cluster state dir> DATABASE=<name> PROBLEMS=<dir> \
//     SERVICES=<scripts/services> PAIRS=50 GAP_MS=10000 FAULTS=all REPORT=<file> \
//     node chaos.mjs

import { execSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

import { Calls, Player, sleep, until } from "./chaos-player.mjs";
import { verify } from "./chaos-check.mjs";

const BASE = process.env.BASE;
const STATE = process.env.STATE;
const DATABASE = process.env.DATABASE;
const PROBLEMS = process.env.PROBLEMS;
const SERVICES = process.env.SERVICES;
const PAIRS = Number(process.env.PAIRS ?? "50");
const GAP_MS = Number(process.env.GAP_MS ?? "10000");
const REPORT = process.env.REPORT;
/** After a fault recovers, how long its effects (503s, slow verdicts) still count as its own. */
const AFTERMATH_MS = 5000;

/** The supervised processes and their ports (scripts/cluster). */
const PORTS = {
  auth: 3001,
  battle: 3002,
  "battle-2": 3012,
  "execution-1": 3003,
  "execution-2": 3013,
  rating: 3004,
  "realtime-1": 3005,
  "realtime-2": 3015,
};

class Faults {
  constructor() {
    /** [{name, at, outageMs, recoveryMs, end}] */
    this.log = [];
  }

  /** The names of the faults that were on at some moment of [from, to]. */
  activeBetween(from, to) {
    return this.log
      .filter((f) => f.at <= to && (f.end === undefined || f.end + AFTERMATH_MS >= from))
      .map((f) => f.name);
  }
}

async function ready(port) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
    return r.status === 200;
  } catch {
    return false;
  }
}

async function allReady() {
  const states = await Promise.all(Object.values(PORTS).map(ready));
  return states.every(Boolean);
}

function pidOf(name) {
  return Number(readFileSync(join(STATE, "pids", name), "utf8").trim());
}

function shell(command) {
  execSync(command, { stdio: ["ignore", "ignore", "inherit"], shell: "/bin/bash" });
}

async function metric(port, name) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(" ").pop()) : 0;
}

/** SIGKILL a supervised process; recovered when a new one is ready on its port. */
async function kill(name, { before } = {}) {
  if (before) await before();
  const pid = pidOf(name);
  const at = Date.now();
  process.kill(pid, "SIGKILL");
  await until(`${name} restarted`, async () => pidOf(name) !== pid && (await ready(PORTS[name])), 100);
  return { at, outageMs: Date.now() - at };
}

function listening(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Restarts a store with `stop` then `start`; outage until its port answers, recovery until every service is ready. */
async function restartStore(port, stop, start) {
  const at = Date.now();
  shell(stop);
  shell(start);
  await until(`port ${port} open`, () => listening(port), 100);
  return { at, outageMs: Date.now() - at };
}

/** The Redis server's run_id: a new one after every restart. */
function redisRunId() {
  const info = execSync("redis-cli -p 6379 info server", { encoding: "utf8" });
  return info.split("\n").find((l) => l.startsWith("run_id:"))?.trim();
}

const postgresVersion = () => readdirSync("/etc/postgresql").sort((a, b) => Number(a) - Number(b)).pop();

const FAULTS = {
  "execution worker mid-job": () =>
    kill(KILLS["execution worker mid-job"], {
      before: () => until("execution-1 judging", async () => (await metric(3003, "execution_busy_slots")) > 0, 50),
    }),
  "battle replica": () => kill(KILLS["battle replica"]),
  "rating consumer": () => kill(KILLS["rating consumer"]),
  "realtime replica": () => kill(KILLS["realtime replica"]),
  "PostgreSQL restart": () =>
    restartStore(5432, `pg_ctlcluster --skip-systemctl-redirect ${postgresVersion()} main stop -m fast`, SERVICES),
  // Shut down with a snapshot and started again on it (as a managed Redis with persistence
  // restarts); the machine's Redis otherwise keeps nothing on disk, so the snapshot goes after.
  "Redis restart": async () => {
    const before = redisRunId();
    const result = await restartStore(6379, "redis-cli -p 6379 shutdown save || true", SERVICES);
    rmSync("/var/lib/redis/dump.rdb", { force: true });
    if (redisRunId() === before) throw new Error("Redis did not restart (same run_id)");
    return result;
  },
  "RabbitMQ restart": () => restartStore(5672, "rabbitmqctl -q shutdown", SERVICES),
};

/** Which process each fault kills (the others must never exit). */
const KILLS = {
  "execution worker mid-job": "execution-1",
  "battle replica": "battle",
  "rating consumer": "rating",
  "realtime replica": "realtime-1",
};

/** Every process exited only when a fault killed it: none fell over by itself (say, when a store restarted). */
function exits(chosen) {
  const problems = [];
  for (const name of Object.keys(PORTS)) {
    const log = join(STATE, "logs", `${name}.log`);
    if (!existsSync(log)) continue;
    const exited = readFileSync(log, "utf8").split("\n").filter((l) => l.startsWith(`cluster: ${name} exited`)).length;
    const killed = chosen.filter((f) => KILLS[f] === name).length;
    if (exited !== killed) problems.push(`${name} exited ${exited} times, killed ${killed}`);
  }
  return { name: "no process exited but those killed", ok: problems.length === 0, detail: problems.length ? problems : { processes: Object.keys(PORTS).length } };
}

function solutions() {
  const out = {};
  for (const slug of readdirSync(PROBLEMS)) {
    const accepted = join(PROBLEMS, slug, "submissions", "accepted");
    if (!existsSync(accepted)) continue;
    const python = readdirSync(accepted).find((f) => f.endsWith(".py"));
    if (!python) continue;
    out[slug] = { right: readFileSync(join(accepted, python), "utf8"), wrong: 'print("chaos")\n' };
  }
  return out;
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function latencies(samples) {
  const sorted = samples.slice().sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? null };
}

async function main() {
  const started = Date.now();
  const chosen = (process.env.FAULTS ?? "all") === "all" ? Object.keys(FAULTS) : process.env.FAULTS.split(",");
  const calls = new Calls(BASE);
  const faults = new Faults();
  const known = solutions();
  if (!Object.keys(known).length) throw new Error(`no problem in ${PROBLEMS} has a Python solution`);

  const tag = Math.random().toString(36).slice(2, 7);
  const players = Array.from({ length: 2 * PAIRS }, (_, i) => new Player(calls, `chaos${tag}${i}`, known, faults));
  for (let i = 0; i < players.length; i += 8) {
    await Promise.all(players.slice(i, i + 8).map((p) => p.register()));
  }
  await Promise.all(players.map((p) => p.connect(BASE)));
  console.error(`chaos: ${players.length} players registered and connected`);

  const stop = { requested: false };
  const playing = players.map((p) => p.play(stop));
  const battlesStarted = () => new Set(players.flatMap((p) => p.battles.map((b) => b.battle))).size;
  await until("the first battles", async () => battlesStarted() >= Math.ceil(PAIRS / 2), 500);

  for (const name of chosen) {
    if (!FAULTS[name]) throw new Error(`no fault named ${name}; known: ${Object.keys(FAULTS)}`);
    await sleep(GAP_MS);
    console.error(`chaos: ${name}`);
    const entry = { name, at: Date.now() };
    faults.log.push(entry);
    const { at, outageMs } = await FAULTS[name]();
    entry.at = at;
    entry.outageMs = outageMs;
    await until("every service ready", allReady, 100);
    entry.end = Date.now();
    entry.recoveryMs = entry.end - at;
    console.error(`chaos: ${name}: back in ${entry.recoveryMs} ms (outage ${outageMs} ms)`);
  }
  await sleep(GAP_MS);
  stop.requested = true;
  console.error("chaos: faults done; finishing the battles in hand");
  await Promise.all(playing);
  // The last rating changes and events are on their way: give them a moment.
  await sleep(3000);

  const checks = await verify(calls, players, faults, DATABASE);
  checks.push(exits(chosen));
  const submissions = players.flatMap((p) => p.battles.flatMap((b) => b.submissions));
  const report = {
    date: new Date().toISOString(),
    pairs: PAIRS,
    players: players.length,
    seconds: Math.round((Date.now() - started) / 1000),
    battles: new Set(players.flatMap((p) => p.battles.map((b) => b.battle))).size,
    submissions: submissions.length,
    requests: calls.count,
    faults: faults.log.map(({ name, at, outageMs, recoveryMs }) => ({ name, at: new Date(at).toISOString(), outageMs, recoveryMs })),
    verdictLatencyMs: {
      steady: latencies(submissions.filter((s) => !s.duringFault?.length).map((s) => s.latencyMs)),
      duringFaults: latencies(submissions.filter((s) => s.duringFault?.length).map((s) => s.latencyMs)),
      byFault: Object.fromEntries(
        faults.log.map((f) => [f.name, latencies(submissions.filter((s) => s.duringFault?.includes(f.name)).map((s) => s.latencyMs))]),
      ),
    },
    checks,
    ok: checks.every((c) => c.ok),
  };
  for (const p of players) p.socket.close();
  if (REPORT) writeFileSync(REPORT, JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report, null, 2));
  return report.ok;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
