// Keeps a battle room's state: the battle fetched once, then every event after it from the
// socket, in order, each once; what a dropped connection missed is asked for again with
// the last sequence number applied (the server sends exactly what came after), and a gap
// the reducer notices is filled from the HTTP event log.

import { useEffect, useReducer, useRef, useState } from "react";
import { api, ApiError, describeError } from "../api";
import { realtime, useConnection } from "../realtime";
import { initialRoom, missingFrom, roomReducer, type RoomState } from "./reducer";

export interface Room {
  state: RoomState;
  error: { code: string; message: string } | null;
  role: "player" | "spectator" | null;
  refresh: () => void;
}

export function useRoom(battleId: string): Room {
  const [state, dispatch] = useReducer(roomReducer, initialRoom);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [role, setRole] = useState<"player" | "spectator" | null>(null);
  const [joined, setJoined] = useState(false);
  const latest = useRef(state);
  latest.current = state;
  const connection = useConnection();
  const [tick, setTick] = useState(0);

  // The snapshot (again after the battle ends: it then carries every submission's code).
  useEffect(() => {
    let live = true;
    api.battle(battleId).then(
      (battle) => live && dispatch({ type: "snapshot", battle }),
      (err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError) setError({ code: err.code, message: err.readable });
        else setError({ code: "error", message: describeError(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [battleId, tick]);

  const loaded = state.battle !== null;
  const over = state.battle?.state === "finished" || state.battle?.state === "cancelled";
  useEffect(() => {
    if (over) setTick((t) => t + 1);
  }, [over]);

  // The room on the socket, joined again on every reconnect from where this page is.
  useEffect(() => {
    if (!loaded) return;
    const offEvent = realtime.on("battle:event", (event) => {
      if (event.battle_id === battleId) dispatch({ type: "events", events: [event] });
    });
    const offPresence = realtime.on("presence", (p) => {
      if (p.battle_id === battleId) dispatch({ type: "presence", user_id: p.user_id, online: p.online });
    });
    const offRating = realtime.on("rating:updated", (r) => {
      if (r.battle_id === battleId) dispatch({ type: "ratings", changes: r.players });
    });
    let retry: ReturnType<typeof setTimeout> | undefined;
    const join = () => {
      clearTimeout(retry);
      void realtime.join(battleId, latest.current.seq).then((reply) => {
        if (reply.status === "ok") {
          setRole(reply.role);
          setJoined(true);
          setError(null);
        } else if (reply.status === "error" && reply.code !== "offline") {
          // Until it works, the log is read over HTTP (below) and the join tried again.
          setJoined(false);
          setError({ code: reply.code, message: reply.message });
          retry = setTimeout(join, 3000);
        }
      });
    };
    const offConnect = realtime.onConnect(() => {
      setJoined(false);
      join();
    });
    return () => {
      offEvent();
      offPresence();
      offRating();
      offConnect();
      clearTimeout(retry);
      realtime.leave(battleId);
    };
  }, [battleId, loaded]);

  // A gap (or a connection that is down): read the log over HTTP.
  const gap = missingFrom(state);
  const offline = connection !== "connected" || !joined;
  useEffect(() => {
    if (!loaded || (gap === null && !offline)) return;
    let live = true;
    const fill = async () => {
      try {
        const page = await api.events(battleId, latest.current.seq);
        if (live) dispatch({ type: "events", events: page.events });
      } catch {
        // Tried again below.
      }
    };
    const first = setTimeout(fill, gap === null ? 0 : 400);
    const again = setInterval(fill, 3000);
    return () => {
      live = false;
      clearTimeout(first);
      clearInterval(again);
    };
  }, [battleId, loaded, gap, offline]);

  return { state, error, role, refresh: () => setTick((t) => t + 1) };
}
