// The signed-in user, as React state that follows sign-in, refresh and sign-out (in this
// tab and, through the storage event, in others).

import { useSyncExternalStore } from "react";
import { client, type Session } from "./api";

let current: Session | null = client.session;
const listeners = new Set<() => void>();

function notify() {
  current = client.session;
  for (const l of listeners) l();
}

client.subscribe(notify);
if (typeof window !== "undefined") {
  window.addEventListener("storage", (e) => {
    if (e.key === "codearena.session") notify();
  });
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(
    subscribe,
    () => current,
    () => current,
  );
}
