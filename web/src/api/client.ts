// The one HTTP client of the app: JSON in and out, the access token on every call, one
// token refresh when a call is answered 401, and problem+json errors turned into ApiError.
//
// The refresh token rotates: the server accepts each one once, and a second use of a spent
// one revokes the whole session. So it is never sent twice: concurrent 401s share one
// refresh (single flight inside this page), and tabs take a Web Lock around the refresh and
// re-read the stored session inside it, so a tab that lost the race uses the tokens the
// winner stored instead of sending the spent token again.

import type { components } from "./schema/auth";

export type UserView = components["schemas"]["User"];
export type TokenResponse = components["schemas"]["TokenResponse"];

/** What is kept between page loads. */
export interface Session {
  access_token: string;
  refresh_token: string;
  /** Unix milliseconds when the access token stops being accepted. */
  expires_at_ms: number;
  user: UserView;
}

/** Where the session is kept (localStorage in the app, memory in tests). */
export interface SessionStore {
  load(): Session | null;
  save(session: Session | null): void;
}

export interface FieldError {
  field: string;
  message: string;
}

/** An error the API answered (problem+json), or a network failure (`status` 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  readonly fields: FieldError[];
  readonly retryAfterSecs?: number;

  constructor(init: {
    status: number;
    code: string;
    title: string;
    detail?: string;
    fields?: FieldError[];
    retryAfterSecs?: number;
  }) {
    super(init.detail ?? init.title);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.fields = init.fields ?? [];
    this.retryAfterSecs = init.retryAfterSecs;
  }

  /** The message for `field`, if the API named that field. */
  field(name: string): string | undefined {
    return this.fields.find((f) => f.field === name)?.message;
  }

  /** One sentence for people. */
  get readable(): string {
    if (this.status === 0) return "Can't reach CodeArena. Check your connection and try again.";
    const base = this.detail ?? this.title;
    if (this.fields.length > 0 && !this.detail) {
      return `${base}: ${this.fields.map((f) => `${f.field} ${f.message}`).join("; ")}`;
    }
    if (this.retryAfterSecs) return `${base} Try again in ${this.retryAfterSecs} s.`;
    return base;
  }
}

/** A readable message for anything a call may throw. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.readable;
  if (err instanceof Error) return err.message;
  return String(err);
}

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface RequestOptions {
  body?: unknown;
  /** Send the access token (default true). */
  auth?: boolean;
  signal?: AbortSignal;
}

type Listener = (session: Session | null) => void;

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export class ApiClient {
  private readonly base: string;
  private readonly store: SessionStore;
  private readonly fetchImpl: typeof fetch;
  private readonly locks?: LockManagerLike;
  private refreshing: Promise<Session | null> | null = null;
  private listeners = new Set<Listener>();

  constructor(options: {
    store: SessionStore;
    baseUrl?: string;
    fetch?: typeof fetch;
    locks?: LockManagerLike | null;
  }) {
    this.base = options.baseUrl ?? "";
    this.store = options.store;
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
    const nav = typeof navigator === "undefined" ? undefined : navigator;
    // Web Locks exist only in secure contexts (HTTPS, localhost); over plain HTTP elsewhere
    // a lease in localStorage keeps tabs from refreshing at once.
    this.locks =
      options.locks === null
        ? undefined
        : (options.locks ??
          (nav?.locks as LockManagerLike | undefined) ??
          (typeof localStorage === "undefined" ? undefined : storageLock));
  }

  get session(): Session | null {
    return this.store.load();
  }

  /** Called with the new session whenever it changes (sign in, refresh, sign out). */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setSession(session: Session | null): void {
    this.store.save(session);
    for (const l of this.listeners) {
      try {
        l(session);
      } catch (err) {
        console.error("a session listener failed", err);
      }
    }
  }

  /** Stores the session a register, login or refresh answered. */
  adopt(tokens: TokenResponse): Session {
    const session: Session = {
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      expires_at_ms: Date.now() + tokens.expires_in * 1000,
      user: tokens.user,
    };
    this.setSession(session);
    return session;
  }

  async request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? true;
    let session = auth ? this.store.load() : null;
    // A token about to expire is refreshed first rather than sent to be refused.
    if (session && session.expires_at_ms - Date.now() < 5_000) {
      session = await this.refresh(session.access_token);
    }
    let response = await this.send(method, path, options, session?.access_token);
    if (response.status === 401 && auth && session) {
      const renewed = await this.refresh(session.access_token);
      if (renewed) response = await this.send(method, path, options, renewed.access_token);
    }
    return this.read<T>(response);
  }

  /**
   * A fresh session, refreshing at most once however many callers ask: `staleAccess` is
   * the access token the caller saw refused; if the stored one differs, someone (this page
   * or another tab) already refreshed and that is used.
   */
  refresh(staleAccess: string): Promise<Session | null> {
    const current = this.store.load();
    if (current && current.access_token !== staleAccess) return Promise.resolve(current);
    if (!this.refreshing) {
      const run = () => this.refreshNow(staleAccess);
      const flight = this.locks ? this.locks.request("codearena-refresh", run) : run();
      this.refreshing = flight.finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async refreshNow(staleAccess: string): Promise<Session | null> {
    const current = this.store.load();
    if (!current) return null;
    if (current.access_token !== staleAccess) return current;
    let response: Response;
    try {
      response = await this.send(
        "POST",
        "/api/auth/refresh",
        { body: { refresh_token: current.refresh_token } },
        undefined,
      );
    } catch {
      // Offline: keep the session; the refresh token was perhaps never received.
      return null;
    }
    if (response.ok) {
      const tokens = (await response.json()) as TokenResponse;
      return this.adopt(tokens);
    }
    if (response.status === 400 || response.status === 401) {
      // The session is over (expired, revoked or signed out elsewhere).
      this.setSession(null);
    }
    return null;
  }

  private async send(
    method: Method,
    path: string,
    options: RequestOptions,
    token: string | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      return await this.fetchImpl(this.base + path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") throw err;
      throw new ApiError({ status: 0, code: "network", title: "Network error" });
    }
  }

  private async read<T>(response: Response): Promise<T> {
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    throw problem(response, text);
  }
}

/** The ApiError for a failed response, whatever its body. */
export function problem(response: Response, text: string): ApiError {
  const retry = Number(response.headers.get("retry-after"));
  const retryAfterSecs = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  try {
    const body = JSON.parse(text) as Partial<components["schemas"]["Problem"]>;
    if (typeof body.code === "string") {
      return new ApiError({
        status: response.status,
        code: body.code,
        title: body.title ?? response.statusText,
        detail: body.detail ?? undefined,
        fields: Array.isArray(body.errors) ? body.errors : [],
        retryAfterSecs,
      });
    }
  } catch {
    // Not JSON: a proxy's error page, say.
  }
  return new ApiError({
    status: response.status,
    code: `http_${response.status}`,
    title: response.status >= 500 ? "The server had a problem" : `Request failed (${response.status})`,
    retryAfterSecs,
  });
}

/** A random id; crypto.randomUUID exists only in secure contexts. */
export function randomId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A cross-tab lock for browsers without Web Locks: a lease in localStorage, taken when free
 * or expired, confirmed after a pause (the last writer wins), held for at most 10 s.
 */
const storageLock: LockManagerLike = {
  async request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    const key = `codearena.lock.${name}`;
    const me = randomId();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const held = JSON.parse(localStorage.getItem(key) ?? "null") as { owner: string; until: number } | null;
      if (!held || held.until < Date.now()) {
        localStorage.setItem(key, JSON.stringify({ owner: me, until: Date.now() + 10_000 }));
        await sleep(30);
        const now = JSON.parse(localStorage.getItem(key) ?? "null") as { owner: string } | null;
        if (now?.owner === me) {
          try {
            return await callback();
          } finally {
            localStorage.removeItem(key);
          }
        }
      }
      await sleep(50 + Math.random() * 100);
    }
    return callback();
  },
};

/** The session in localStorage, shared by the tabs of this browser. */
export const localSessionStore: SessionStore = {
  load() {
    try {
      const raw = localStorage.getItem("codearena.session");
      return raw ? (JSON.parse(raw) as Session) : null;
    } catch {
      return null;
    }
  },
  save(session) {
    if (session) localStorage.setItem("codearena.session", JSON.stringify(session));
    else localStorage.removeItem("codearena.session");
  },
};
