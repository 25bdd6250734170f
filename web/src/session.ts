// The signed-in user, as React state that follows sign-in, refresh and sign-out (in this
// tab and, through the storage event, in others).

import { useSyncExternalStore } from "react";
import { client, type Session } from "./api";
import { realtime } from "./realtime";

let current: Session | null = client.session;
const listeners = new Set<() => void>();

function notify() {
  const before = current?.user.id;
  current = client.session;
  // Another tab signed out or in as someone else: this tab's socket follows.
  if (current?.user.id !== before) {
    if (before) realtime.stop();
    if (current) realtime.start();
  }
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
