// The chaos run's verdict on what the players saw (chaos-player.mjs) against what the
// services and their database say: each check is {name, ok, detail}.

import { execFileSync } from "node:child_process";

/** One value from PostgreSQL (the cluster's database), through psql. */
function sql(database, query) {
  return execFileSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", query], {
    encoding: "utf8",
  }).trim();
}

function check(name, problems, counted) {
  return { name, ok: problems.length === 0, detail: problems.length ? problems.slice(0, 10) : counted };
}

function equalSeqs(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * @param calls the run's Calls (the HTTP client and its record of answers ≥ 500)
 * @param players every Player
 * @param faults the Faults log
 * @param database the cluster's database name
 */
export async function verify(calls, players, faults, database) {
  const checks = [];

  // Every battle a player played, with both its players' records.
  const battles = new Map();
  for (const p of players) {
    for (const b of p.battles) {
      if (!battles.has(b.battle)) battles.set(b.battle, []);
      battles.get(b.battle).push({ player: p, record: b });
    }
  }

  // 1. Each battle finished with the outcome its submissions deserve.
  const outcome = [];
  const views = new Map();
  for (const [id, sides] of battles) {
    const player = sides[0].player;
    const view = (await calls.request("GET", `/api/battle/${id}`, player.token)).body;
    views.set(id, view);
    if (sides.length !== 2) {
      const others = view?.players?.filter((p) => p.user_id !== player.id).map((p) => players.find((q) => q.id === p.user_id));
      const trace = others?.map((o) => ({ name: o?.name, left: o?.left, battles: o?.battles.length }));
      outcome.push(`${id}: ${sides.length} players recorded it; ${view?.state} (${view?.reason}); the other: ${JSON.stringify(trace)}`);
    }
    if (view?.state !== "finished") outcome.push(`${id}: ${view?.state}`);
    else if (view.winner !== sides[0].record.expectedWinner || view.reason !== "accepted") {
      outcome.push(`${id}: winner ${view.winner} (${view.reason}), expected ${sides[0].record.expectedWinner}`);
    }
  }
  const unfinished = Number(sql(database, "SELECT count(*) FROM battles WHERE state NOT IN ('finished', 'cancelled')"));
  const inDatabase = Number(sql(database, "SELECT count(*) FROM battles"));
  if (unfinished) outcome.push(`${unfinished} battles in the database are not over`);
  if (inDatabase !== battles.size) outcome.push(`${inDatabase} battles in the database, the players played ${battles.size}`);
  checks.push(check("every battle finished with the winner its submissions deserve", outcome, { battles: battles.size }));

  // 2. Every submission recorded once, with exactly one final verdict.
  const verdicts = [];
  let submissions = 0;
  for (const [id, sides] of battles) {
    const view = views.get(id);
    const sent = sides.flatMap((s) => s.record.submissions);
    const stored = view?.submissions ?? [];
    submissions += sent.length;
    const storedIds = stored.map((s) => s.id).sort();
    const sentIds = sent.map((s) => s.id).sort();
    if (!equalSeqs(storedIds, sentIds)) verdicts.push(`${id}: stored ${storedIds.length} submissions, players made ${sentIds.length}`);
    for (const s of sent) {
      const kept = stored.find((x) => x.id === s.id);
      if (!kept?.verdict) verdicts.push(`${s.id}: no verdict`);
      else if ((kept.verdict === "AC") !== s.right) verdicts.push(`${s.id}: ${kept.verdict} for a ${s.right ? "right" : "wrong"} solution`);
      else if (kept.verdict !== s.verdict) verdicts.push(`${s.id}: the player was told ${s.verdict}, the battle says ${kept.verdict}`);
    }
    const log = (await calls.request("GET", `/api/battle/${id}/events?after=0&limit=500`, sides[0].player.token)).body?.events ?? [];
    for (const s of stored) {
      // A verdict that comes after the battle ended is kept on the submission only.
      const expected = s.judged_at_ms <= view.finished_at_ms ? 1 : 0;
      const judged = log.filter((e) => e.type === "judged" && e.submission_id === s.id).length;
      if (judged !== expected) verdicts.push(`${s.id}: ${judged} judged events, expected ${expected}`);
      if (s.verdict === "IE") verdicts.push(`${s.id}: IE (never judged)`);
    }
    views.get(id).log = log;
  }
  const pending = Number(sql(database, "SELECT count(*) FROM submissions WHERE verdict IS NULL"));
  if (pending) verdicts.push(`${pending} submissions in the database have no verdict`);
  const stored = Number(sql(database, "SELECT count(*) FROM submissions"));
  if (stored !== submissions) verdicts.push(`${stored} submissions in the database, the players made ${submissions}`);
  checks.push(check("every submission has exactly one final verdict", verdicts, { submissions }));

  // 3. Every rated battle applied to the ratings exactly once.
  const ratings = [];
  for (const p of players) {
    const points = (await calls.request("GET", `/api/rating/users/${p.id}/history`, p.token)).body?.points ?? [];
    const applied = points.map((h) => h.battle_id).sort();
    const played = p.battles.map((b) => b.battle).sort();
    if (!equalSeqs(applied, played)) ratings.push(`${p.name}: history has ${applied.length} battles, played ${played.length}`);
    // Applied twice would show as a broken chain, a game count or a rating off the history.
    points.forEach((h, i) => {
      if (i > 0 && h.before !== points[i - 1].after) ratings.push(`${p.name}: game ${h.game} starts at ${h.before}, the last ended at ${points[i - 1].after}`);
    });
    const rating = (await calls.request("GET", `/api/rating/users/${p.id}`, p.token)).body;
    if (rating?.games !== points.length) ratings.push(`${p.name}: ${rating?.games} games, ${points.length} in the history`);
    if (points.length && rating?.rating !== points[points.length - 1].after) {
      ratings.push(`${p.name}: rated ${rating?.rating}, the history ends at ${points[points.length - 1].after}`);
    }
  }
  const twice = Number(
    sql(database, "SELECT count(*) FROM (SELECT battle_id FROM rating_history GROUP BY battle_id HAVING count(*) <> 2) t"),
  );
  if (twice) ratings.push(`${twice} battles have other than two history rows`);
  const applied = Number(sql(database, "SELECT count(*) FROM rating_battles"));
  if (applied !== battles.size) ratings.push(`${applied} battles applied, ${battles.size} played`);
  checks.push(check("every rated battle applied exactly once", ratings, { applied }));

  // 4. Every player's socket saw every event of its battles, once each, in order.
  const sockets = [];
  let events = 0;
  for (const [id, sides] of battles) {
    const all = views.get(id).log.map((e) => e.seq);
    events += all.length;
    for (const { player } of sides) {
      const seen = player.seenOf(id).seqs;
      // Events from before the player knew the battle (`created`) come with its first join.
      if (!equalSeqs(seen, all)) sockets.push(`${player.name} in ${id}: saw [${seen}], the log has [${all}]`);
    }
  }
  const reconnects = players.reduce((n, p) => n + p.connects - 1, 0);
  const duplicates = players.reduce((n, p) => n + [...p.seen.values()].reduce((m, s) => m + s.duplicates, 0), 0);
  checks.push(check("every socket saw every event of its battle, in order", sockets, { events, reconnects, duplicates }));

  // 5. No answer ≥ 500 but 503s while a fault was on (and a few seconds after it).
  const bad = calls.bad.filter((c) => c.status !== 503 || faults.activeBetween(c.at, c.end).length === 0);
  checks.push(
    check("no 5xx except 503s during an outage", bad.map((c) => JSON.stringify(c)), {
      requests: calls.count,
      documented503s: calls.bad.length - bad.length,
    }),
  );

  // 6. Nothing went wrong inside the players themselves.
  const errors = players.flatMap((p) => p.errors.map((e) => `${p.name}: ${e}`));
  checks.push(check("every player played to the end", errors, { players: players.length }));
  return checks;
}
