// Small formatting helpers shared by the pages.

import type { EndReason, Verdict } from "./api";

export const VERDICT_NAMES: Record<Verdict, string> = {
  AC: "Accepted",
  WA: "Wrong answer",
  TLE: "Time limit exceeded",
  MLE: "Memory limit exceeded",
  RTE: "Run-time error",
  OLE: "Output limit exceeded",
  CE: "Compilation error",
  IE: "Judging error",
};

export const REASONS: Record<EndReason, string> = {
  accepted: "solved it first",
  score: "passed more tests when time ran out",
  tie_break: "reached the best score first",
  draw: "draw",
  resigned: "opponent resigned",
  no_opponent: "nobody joined",
  no_show: "opponent never showed up",
  withdrawn: "withdrawn",
};

/** `m:ss` (or `h:mm:ss`) for a duration in milliseconds, never negative. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  });
}

export function ago(ms: number, now = Date.now()): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function signed(n: number): string {
  const r = Math.round(n);
  return r > 0 ? `+${r}` : `${r}`;
}

export function bytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${Math.round(n / (1 << 10))} KiB`;
  return `${n} B`;
}
