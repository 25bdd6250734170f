// Follows one battle on one socket until an event of a given type arrives, then prints the
// sequence numbers it received and exits 0 (1 after a minute without it).
//
//   BASE=http://127.0.0.1:PORT TOKEN=... BATTLE=<id> UNTIL=finished node follow.mjs
//
// Prints `joined <last_seq>` once in the battle's room, so the caller can act then.

import { io } from "socket.io-client";

const { BASE, TOKEN, BATTLE, UNTIL } = process.env;
const socket = io(BASE, { auth: { token: TOKEN }, transports: ["websocket"], reconnection: false });
const seqs = [];
const fail = (why) => {
  console.error(why);
  process.exit(1);
};
setTimeout(() => fail(`no ${UNTIL} event within a minute; saw ${JSON.stringify(seqs)}`), 60_000);
socket.on("connect_error", (e) => fail(`connect_error: ${e.message}`));
socket.on("disconnect", (reason) => fail(`disconnected: ${reason}`));
socket.on("battle:event", (event) => {
  seqs.push(event.seq);
  if (event.type === UNTIL) {
    console.log(JSON.stringify({ seqs }));
    process.exit(0);
  }
});
socket.on("connect", async () => {
  const reply = await socket.emitWithAck("battle:join", { battle_id: BATTLE, after: 0 });
  if (reply.status !== "ok") fail(`join refused: ${JSON.stringify(reply)}`);
  console.log(`joined ${reply.last_seq}`);
});
