// SOCKETS sockets of one player (each its own connection) emit `battle:join` the moment
// `connect` fires, as the web app does on every (re)connect; every join must be answered
// `ok` within 5 s. Exits 0 when all are, 1 otherwise (with the count).
//
//   BASE=http://127.0.0.1:PORT TOKEN=... BATTLE=<id> SOCKETS=200 node join-on-connect.mjs

import { io } from "socket.io-client";

const { BASE, TOKEN, BATTLE } = process.env;
const SOCKETS = Number(process.env.SOCKETS ?? "200");

function joinOnConnect() {
  return new Promise((resolve) => {
    const socket = io(BASE, { auth: { token: TOKEN }, transports: ["websocket"], reconnection: false, forceNew: true });
    socket.on("connect_error", (e) => resolve(`connect_error ${e.message}`));
    socket.on("connect", () => {
      socket
        .timeout(5000)
        .emitWithAck("battle:join", { battle_id: BATTLE, after: 0 })
        .then((reply) => resolve(reply.status === "ok" ? "ok" : JSON.stringify(reply)))
        .catch(() => resolve("no answer"))
        .finally(() => socket.close());
    });
  });
}

const outcomes = {};
for (let i = 0; i < SOCKETS; i += 50) {
  const batch = await Promise.all(Array.from({ length: Math.min(50, SOCKETS - i) }, joinOnConnect));
  for (const o of batch) outcomes[o] = (outcomes[o] ?? 0) + 1;
}
console.log(JSON.stringify(outcomes));
process.exit(outcomes.ok === SOCKETS ? 0 : 1);
