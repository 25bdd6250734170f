import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError, type Session, type SessionStore } from "./client";

function memoryStore(initial: Session | null): SessionStore & { value: Session | null } {
  return {
    value: initial,
    load() {
      return this.value;
    },
    save(s) {
      this.value = s;
    },
  };
}

const user = { id: "u1", username: "ada", email: "ada@example.com", created_at: "2026-01-01T00:00:00Z" };

function session(n: number): Session {
  return { access_token: `access-${n}`, refresh_token: `refresh-${n}`, expires_at_ms: Date.now() + 600_000, user };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json", ...headers },
  });
}

function tokens(n: number) {
  return { access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: "Bearer", expires_in: 900, user };
}

/** A fake server: /api/auth/refresh rotates (each refresh token works once), the rest
 * answers 200 to the current access token and 401 to any other. */
function server(start: number) {
  let current = start;
  const spent = new Set<string>();
  const calls: { path: string; auth?: string; body?: string }[] = [];
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    const path = String(url);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ path, auth: headers.authorization, body: init?.body as string | undefined });
    await new Promise((r) => setTimeout(r, 5));
    if (path === "/api/auth/refresh") {
      const sent = JSON.parse(String(init?.body)).refresh_token as string;
      if (spent.has(sent) || sent !== `refresh-${current}`) {
        return json(401, { type: "x", title: "Reused", status: 401, code: "refresh_token_reused" });
      }
      spent.add(sent);
      current += 1;
      return json(200, tokens(current));
    }
    if (headers.authorization !== `Bearer access-${current}`) {
      return json(401, { type: "x", title: "Unauthorized", status: 401, code: "invalid_token" });
    }
    return json(200, { ok: true, path });
  });
  return {
    fetch,
    calls,
    refreshes: () => calls.filter((c) => c.path === "/api/auth/refresh"),
  };
}

describe("ApiClient", () => {
  it("sends the access token and reads JSON", async () => {
    const srv = server(1);
    const api = new ApiClient({ store: memoryStore(session(1)), fetch: srv.fetch, locks: null });
    const body = await api.request<{ ok: boolean }>("GET", "/api/battle/mine");
    expect(body.ok).toBe(true);
    expect(srv.calls[0]?.auth).toBe("Bearer access-1");
  });

  it("refreshes once on a 401 and retries the call with the new token", async () => {
    const srv = server(2);
    const store = memoryStore(session(1));
    // The stored access token is stale, but the refresh token is the current one.
    store.value = { ...session(1), refresh_token: "refresh-2" };
    const api = new ApiClient({ store, fetch: srv.fetch, locks: null });
    const body = await api.request<{ ok: boolean }>("GET", "/api/battle/mine");
    expect(body.ok).toBe(true);
    expect(srv.refreshes()).toHaveLength(1);
    expect(store.value?.access_token).toBe("access-3");
    expect(store.value?.refresh_token).toBe("refresh-3");
  });

  it("never sends a refresh token twice when many calls fail at once", async () => {
    const srv = server(2);
    const store = memoryStore({ ...session(1), refresh_token: "refresh-2" });
    const api = new ApiClient({ store, fetch: srv.fetch, locks: null });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api.request<{ ok: boolean }>("GET", `/api/battle/${i}`)),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const sent = srv.refreshes().map((c) => JSON.parse(String(c.body)).refresh_token);
    expect(sent).toEqual(["refresh-2"]);
  });

  it("uses tokens another tab stored instead of refreshing again", async () => {
    const srv = server(2);
    const store = memoryStore({ ...session(1), refresh_token: "refresh-2" });
    // A lock that lets "another tab" rotate the session first.
    const locks = {
      async request<T>(_name: string, cb: () => Promise<T>): Promise<T> {
        const other = await srv.fetch("/api/auth/refresh", {
          method: "POST",
          body: JSON.stringify({ refresh_token: "refresh-2" }),
        });
        const t = (await other.json()) as ReturnType<typeof tokens>;
        store.value = { ...session(0), access_token: t.access_token, refresh_token: t.refresh_token };
        return cb();
      },
    };
    const api = new ApiClient({ store, fetch: srv.fetch, locks });
    const body = await api.request<{ ok: boolean }>("GET", "/api/battle/mine");
    expect(body.ok).toBe(true);
    const sent = srv.refreshes().map((c) => JSON.parse(String(c.body)).refresh_token);
    expect(sent).toEqual(["refresh-2"]);
  });

  it("signs out when the refresh is refused, and does not retry again", async () => {
    const srv = server(5);
    const store = memoryStore({ ...session(1), refresh_token: "refresh-old" });
    const api = new ApiClient({ store, fetch: srv.fetch, locks: null });
    const seen: (Session | null)[] = [];
    api.subscribe((s) => seen.push(s));
    const err = await api.request("GET", "/api/battle/mine").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect(store.value).toBeNull();
    expect(seen).toEqual([null]);
    expect(srv.refreshes()).toHaveLength(1);
    expect(srv.calls.filter((c) => c.path === "/api/battle/mine")).toHaveLength(1);
  });

  it("refreshes an access token about to expire before sending it", async () => {
    const srv = server(2);
    const store = memoryStore({ ...session(2), expires_at_ms: Date.now() + 1000 });
    const api = new ApiClient({ store, fetch: srv.fetch, locks: null });
    await api.request("GET", "/api/battle/mine");
    const calls = srv.calls.filter((c) => c.path === "/api/battle/mine");
    expect(srv.refreshes()).toHaveLength(1);
    expect(calls.map((c) => c.auth)).toEqual(["Bearer access-3"]);
  });

  it("keeps the session when the refresh cannot reach the server", async () => {
    const srv = server(2);
    const flaky = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      if (String(url) === "/api/auth/refresh") throw new TypeError("Failed to fetch");
      return srv.fetch(url, init);
    });
    const store = memoryStore({ ...session(1), refresh_token: "refresh-2" });
    const api = new ApiClient({ store, fetch: flaky, locks: null });
    const err = (await api.request("GET", "/api/battle/mine").catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(401);
    expect(store.value?.refresh_token).toBe("refresh-2");
  });

  it("turns problem+json into an error with its code and field messages", async () => {
    const fetch = vi.fn(async () =>
      json(422, {
        type: "urn:codearena:problem:validation_failed",
        title: "The request has invalid fields",
        status: 422,
        code: "validation_failed",
        errors: [{ field: "password", message: "must be 8 to 128 characters long" }],
      }),
    );
    const api = new ApiClient({ store: memoryStore(null), fetch, locks: null });
    const err = (await api.request("POST", "/api/auth/register", { body: {}, auth: false }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("validation_failed");
    expect(err.field("password")).toBe("must be 8 to 128 characters long");
    expect(err.readable).toContain("password must be 8 to 128 characters long");
  });

  it("keeps the detail and Retry-After of a problem", async () => {
    const fetch = vi.fn(async () =>
      json(429, { type: "x", title: "Too many requests", status: 429, code: "rate_limited", detail: "Slow down." }, { "retry-after": "7" }),
    );
    const api = new ApiClient({ store: memoryStore(null), fetch, locks: null });
    const err = (await api.request("GET", "/api/x", { auth: false }).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("rate_limited");
    expect(err.readable).toBe("Slow down. Try again in 7 s.");
  });

  it("reads a non-JSON error page and a network failure as readable errors", async () => {
    const html = vi.fn(async () => new Response("<html>Bad gateway</html>", { status: 502 }));
    const api = new ApiClient({ store: memoryStore(null), fetch: html, locks: null });
    const err = (await api.request("GET", "/api/x", { auth: false }).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("http_502");
    expect(err.readable).toBe("The server had a problem");

    const down = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const offline = new ApiClient({ store: memoryStore(null), fetch: down, locks: null });
    const e2 = (await offline.request("GET", "/api/x", { auth: false }).catch((e: unknown) => e)) as ApiError;
    expect(e2.status).toBe(0);
    expect(e2.readable).toMatch(/Can't reach CodeArena/);
  });
});
