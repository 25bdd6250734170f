// The one Socket.IO connection of a signed-in tab, with the access token in the handshake.
//
// The connection's state is observable (the banner shows a dropped connection); a refused
// handshake with an expired token refreshes the token and tries again; rooms are joined
// again by their pages on every (re)connect, with the last sequence number they applied,
// so the server sends exactly what they missed.

import { io, type Socket } from "socket.io-client";
import { useSyncExternalStore } from "react";
import { client, type BattleEvent, type BattleMode, type PlayerRef } from "./api";
import { randomId } from "./api/client";

export type ConnectionState = "offline" | "connecting" | "connected" | "reconnecting";

export interface MatchFound {
  battle_id: string;
  mode: BattleMode;
  problem: string;
  players: PlayerRef[];
}

export interface RatingUpdated {
  type: "rating.updated";
  battle_id: string;
  players: { user_id: string; username: string; before: number; after: number; delta: number; k: number }[];
  at_ms: number;
}

export interface Presence {
  battle_id: string;
  user_id: string;
  online: boolean;
  at_ms: number;
}

export type JoinReply =
  | { status: "ok"; battle_id: string; state: string; last_seq: number; role: "player" | "spectator" }
  | { status: "left"; battle_id: string }
  | { status: "error"; code: string; message: string };

interface ServerEvents {
  hello: (hello: { user_id: string; username: string; server: string }) => void;
  "battle:event": (event: BattleEvent) => void;
  "match:found": (found: MatchFound) => void;
  "rating:updated": (event: RatingUpdated) => void;
  presence: (presence: Presence) => void;
}

interface ClientEvents {
  "battle:join": (req: { battle_id: string; after?: number }, ack: (reply: JoinReply) => void) => void;
  "battle:leave": (req: { battle_id: string }, ack: (reply: JoinReply) => void) => void;
}

type AppSocket = Socket<ServerEvents, ClientEvents>;

class Realtime {
  private socket: AppSocket | null = null;
  private state: ConnectionState = "offline";
  private everConnected = false;
  private listeners = new Set<() => void>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  getState = (): ConnectionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(state: ConnectionState) {
    if (this.state === state) return;
    this.state = state;
    for (const l of this.listeners) l();
  }

  /** Connects if signed in and not connected yet. */
  start(): void {
    if (this.socket || !client.session) return;
    const socket: AppSocket = io({
      path: "/socket.io/",
      // The ingress keeps a long-polling client on one replica by this key.
      query: { sticky: randomId() },
      auth: (cb) => cb({ token: client.session?.access_token ?? "" }),
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket = socket;
    this.set("connecting");
    socket.on("connect", () => {
      this.everConnected = true;
      this.set("connected");
    });
    socket.on("disconnect", (reason) => {
      if (reason === "io client disconnect") {
        this.set("offline");
        return;
      }
      this.set("reconnecting");
      // The server dropped this socket (too slow to keep up): the client does not come back
      // by itself after that.
      if (reason === "io server disconnect") this.retryLater(socket, 1000);
    });
    socket.io.on("reconnect_attempt", () => this.set("reconnecting"));
    socket.on("connect_error", (err) => {
      this.set(this.everConnected ? "reconnecting" : "connecting");
      // A refused handshake is not retried by the client itself: refresh and try again.
      if (!socket.active) {
        const stale = client.session?.access_token;
        if (err.message === "invalid_token" && stale) {
          void client.refresh(stale).then((s) => {
            // Signed out (the refresh was refused): the session listener stops us.
            if (s) this.retryLater(socket, 0);
            else if (client.session) this.retryLater(socket, 3000);
          });
        } else {
          this.retryLater(socket, 2000);
        }
      }
    });
  }

  private retryLater(socket: AppSocket, ms: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.socket === socket && client.session && !socket.connected) socket.connect();
    }, ms);
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.disconnect();
    this.socket?.removeAllListeners();
    this.socket = null;
    this.everConnected = false;
    this.set("offline");
  }

  /** Test hook and "go offline" for the reconnect banner: drops the transport. */
  drop(): void {
    this.socket?.io.engine?.close();
  }

  on<E extends keyof ServerEvents>(event: E, handler: ServerEvents[E]): () => void {
    this.start();
    const socket = this.socket;
    if (!socket) return () => {};
    // socket.io-client's typings need the listener as its own event's type.
    socket.on(event, handler as never);
    return () => {
      socket.off(event, handler as never);
    };
  }

  /** Called on every (re)connect, and now if connected. */
  onConnect(handler: () => void): () => void {
    this.start();
    const socket = this.socket;
    if (!socket) return () => {};
    socket.on("connect", handler);
    if (socket.connected) handler();
    return () => {
      socket.off("connect", handler);
    };
  }

  async join(battleId: string, after: number | undefined): Promise<JoinReply> {
    const socket = this.socket;
    if (!socket?.connected) return { status: "error", code: "offline", message: "Not connected." };
    try {
      return await socket
        .timeout(10_000)
        .emitWithAck("battle:join", after === undefined ? { battle_id: battleId } : { battle_id: battleId, after });
    } catch {
      return { status: "error", code: "timeout", message: "The server did not answer." };
    }
  }

  leave(battleId: string): void {
    if (this.socket?.connected) this.socket.emit("battle:leave", { battle_id: battleId }, () => {});
  }
}

export const realtime = new Realtime();

client.subscribe((session) => {
  if (session) realtime.start();
  else realtime.stop();
});

export function useConnection(): ConnectionState {
  return useSyncExternalStore(realtime.subscribe, realtime.getState, realtime.getState);
}
