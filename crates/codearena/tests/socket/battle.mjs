// A whole rated battle as two browsers would play it, through the official socket.io-client:
// register, connect (Ada over websocket, Bob over long-polling), queue, get matched on the
// socket, join the battle's room, submit (Bob wrong, Ada right), see the verdicts, the end
// and the rating change live; Bob drops mid-battle and, reconnecting with the last sequence
// number he saw, gets exactly what he missed. Also: bad tokens, a stranger at a private
// battle and malformed requests are refused and leave the connection healthy.
//
//   BASE=http://127.0.0.1:PORT CORRECT=... WRONG=... node battle.mjs
//
// With REPLICAS=2 (behind the ingress, two realtime replicas) each client sends a sticky
// key, and Ada and Bob are put on different replicas. Exits 0 when every check holds;
// prints what it saw.

import assert from "node:assert/strict";
import { io } from "socket.io-client";

const BASE = process.env.BASE;
const CORRECT = process.env.CORRECT;
const WRONG = process.env.WRONG;
const LANGUAGE = process.env.LANGUAGE ?? "python";
const DEADLINE_MS = 60_000;
const REPLICAS = Number(process.env.REPLICAS ?? "1");
const tag = Math.random().toString(36).slice(2, 8);

async function api(method, path, token, body) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function register(name) {
  const r = await api("POST", "/api/auth/register", null, {
    username: `${name}${tag}`,
    email: `${name}${tag}@example.com`,
    password: "correct horse",
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { token: r.body.access_token, id: r.body.user.id, name };
}

/** Resolves with the first value for which `test` holds among what `events` collects. */
function waitFor(what, events, test) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const look = () => {
      const found = events.find(test);
      if (found !== undefined) return resolve(found);
      if (Date.now() - started > DEADLINE_MS) {
        return reject(new Error(`timed out waiting for ${what}; saw ${JSON.stringify(events)}`));
      }
      setTimeout(look, 20);
    };
    look();
  });
}

/** A connected socket, the replica that holds it, and everything it received. */
function connect(player, transports, sticky = `${player.name}-${Math.random()}`) {
  const socket = io(BASE, {
    auth: { token: player.token },
    query: { sticky },
    transports,
    reconnection: false,
  });
  const seen = { battle: [], match: [], rating: [], presence: [] };
  socket.on("battle:event", (e) => seen.battle.push(e));
  socket.on("match:found", (e) => seen.match.push(e));
  socket.on("rating:updated", (e) => seen.rating.push(e));
  socket.on("presence", (e) => seen.presence.push(e));
  return new Promise((resolve, reject) => {
    socket.once("hello", (hello) => {
      assert.equal(hello.user_id, player.id);
      resolve({ socket, seen, server: hello.server, sticky });
    });
    socket.once("connect_error", reject);
  });
}

/** Connects `player` on a replica other than `other`'s (when there are two). */
async function connectElsewhere(player, transports, other) {
  for (let i = 0; i < 32; i++) {
    const s = await connect(player, transports);
    if (REPLICAS < 2 || s.server !== other.server) return s;
    s.socket.close();
  }
  throw new Error("every sticky key led to the same replica");
}

function refused(auth) {
  const socket = io(BASE, { auth, transports: ["polling"], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => reject(new Error("a bad token was let in")));
    socket.once("connect_error", (e) => {
      socket.close();
      resolve(e.message);
    });
  });
}

function seqs(events) {
  return events.map((e) => e.seq);
}

async function main() {
  // Bad tokens are refused at connect, with a clear message.
  assert.equal(await refused({ token: "not-a-token" }), "invalid_token");
  assert.equal(await refused({}), "missing_token");

  const ada = await register("ada");
  const bob = await register("bob");
  const a = await connect(ada, ["websocket"]);
  let b = await connectElsewhere(bob, ["polling"], a);

  // Malformed requests get an error answer; the connection stays up.
  const malformed = await a.socket.emitWithAck("battle:join", { battle: "nope" });
  assert.equal(malformed.status, "error");
  assert.equal(malformed.code, "invalid_request");
  const unknown = await a.socket.emitWithAck("battle:join", {
    battle_id: "00000000-0000-0000-0000-000000000001",
  });
  assert.equal(unknown.code, "not_found");

  // A private battle is closed to strangers while it is played.
  const carol = await register("carol");
  const dave = await register("dave");
  const privately = await api("POST", "/api/battle/create", carol.token, {});
  assert.equal(privately.status, 201, JSON.stringify(privately.body));
  const joinedPrivate = await api("POST", `/api/battle/join/${privately.body.invite_code}`, dave.token);
  assert.equal(joinedPrivate.status, 200);
  const stranger = await a.socket.emitWithAck("battle:join", { battle_id: privately.body.id });
  assert.equal(stranger.code, "not_a_participant");
  for (const p of [carol, dave]) {
    await api("POST", `/api/battle/${privately.body.id}/resign`, p.token);
  }

  // Matched on the socket.
  for (const p of [ada, bob]) {
    const q = await api("POST", "/api/battle/queue", p.token, { mode: "rated" });
    assert.equal(q.status, 202, JSON.stringify(q.body));
  }
  const found = await waitFor("ada's match", a.seen.match, () => true);
  const foundBob = await waitFor("bob's match", b.seen.match, () => true);
  assert.equal(found.battle_id, foundBob.battle_id);
  const id = found.battle_id;

  for (const [p, s] of [[ada, a], [bob, b]]) {
    const joined = await s.socket.emitWithAck("battle:join", { battle_id: id, after: 0 });
    assert.equal(joined.status, "ok", JSON.stringify(joined));
    assert.equal(joined.role, "player");
    const ready = await api("POST", `/api/battle/${id}/ready`, p.token);
    assert.equal(ready.status, 200);
  }
  await waitFor("the start on Ada's socket", a.seen.battle, (e) => e.type === "started");
  const started = await waitFor("the start on Bob's socket", b.seen.battle, (e) => e.type === "started");

  // Ada sees Bob arrive, and Bob, who came second, is told that Ada is already here; Bob
  // drops; Ada sees him go.
  await waitFor("Bob online", a.seen.presence, (e) => e.user_id === bob.id && e.online);
  await waitFor("Ada already here", b.seen.presence, (e) => e.user_id === ada.id && e.online && e.reply);
  const before = b.seen.battle.slice();
  b.socket.disconnect();
  await waitFor("Bob offline", a.seen.presence, (e) => e.user_id === bob.id && !e.online);

  // While Bob is away he submits a wrong solution over HTTP; its verdict comes to Ada live.
  const wrong = await api("POST", `/api/battle/${id}/submissions`, bob.token, { language: LANGUAGE, source: WRONG });
  assert.equal(wrong.status, 202, JSON.stringify(wrong.body));
  await waitFor("Bob's verdict on Ada's socket", a.seen.battle, (e) => e.type === "judged" && e.user_id === bob.id);

  // Bob comes back with the last number he saw and gets exactly what he missed.
  // Same sticky key: back to the replica that held his first socket.
  const firstServer = b.server;
  b = await connect(bob, ["polling", "websocket"], b.sticky);
  assert.equal(b.server, firstServer);
  const last = before[before.length - 1].seq;
  assert.ok(last >= started.seq);
  const rejoined = await b.socket.emitWithAck("battle:join", { battle_id: id, after: last });
  assert.equal(rejoined.status, "ok");
  const judged = await waitFor("Bob's verdict after reconnecting", b.seen.battle, (e) => e.type === "judged");
  assert.equal(judged.verdict, "WA");

  // Ada wins; both see the end and the rating change.
  const right = await api("POST", `/api/battle/${id}/submissions`, ada.token, { language: LANGUAGE, source: CORRECT });
  assert.equal(right.status, 202, JSON.stringify(right.body));
  for (const [who, s] of [["Ada", a], ["Bob", b]]) {
    const finished = await waitFor(`the end on ${who}'s socket`, s.seen.battle, (e) => e.type === "finished");
    assert.equal(finished.winner, ada.id);
    const rating = await waitFor(`the rating change on ${who}'s socket`, s.seen.rating, () => true);
    assert.equal(rating.type, "rating.updated");
    assert.equal(rating.battle_id, id);
    const mine = rating.players.find((p) => p.user_id === ada.id);
    assert.ok(mine.after > mine.before, JSON.stringify(rating));
  }

  // Every event once, in order: Ada from 1, Bob from 1 across his reconnect.
  const log = await api("GET", `/api/battle/${id}/events`, ada.token);
  const all = seqs(log.body.events);
  assert.deepEqual(seqs(a.seen.battle), all);
  assert.deepEqual([...seqs(before), ...seqs(b.seen.battle)], all);

  a.socket.close();
  b.socket.close();
  console.log(JSON.stringify({ battle: id, events: all.length, servers: [a.server, b.server] }));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
