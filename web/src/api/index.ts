// Every call the app makes, typed by the services' OpenAPI documents (src/api/schema/*,
// generated): a field renamed in a service breaks the build here, not a page at run time.

import { ApiClient, localSessionStore } from "./client";
import type { components as AuthC, paths as AuthP } from "./schema/auth";
import type { components as BattleC, paths as BattleP } from "./schema/battle";
import type { components as ExecC, paths as ExecP } from "./schema/execution";
import type { components as RatingC, paths as RatingP } from "./schema/rating";

export { ApiClient, ApiError, describeError } from "./client";
export type { Session, SessionStore, UserView } from "./client";

type B = BattleC["schemas"];
export type BattleView = B["BattleView"];
export type BattleEvent = B["BattleEvent"];
export type BattleMode = B["BattleMode"];
export type BattleState = B["BattleState"];
export type EndReason = B["EndReason"];
export type PlayerView = B["PlayerView"];
export type PlayerRef = B["PlayerRef"];
export type SubmissionView = B["SubmissionView"];
export type TestOutcome = B["TestOutcome"];
export type Verdict = B["Verdict"];
export type ProblemSummary = B["ProblemSummary"];
export type ProblemDetail = B["ProblemDetail"];
export type QueueStatus = B["QueueStatus"];
export type MyBattles = B["MyBattles"];
export type Language = ExecC["schemas"]["Language"];
export type JobRecord = ExecC["schemas"]["JobRecord"];
export type PlayerRating = RatingC["schemas"]["PlayerRating"];
export type LeaderboardPage = RatingC["schemas"]["LeaderboardPage"];
export type HistoryPoint = RatingC["schemas"]["HistoryPoint"];
export type RegisterRequest = AuthC["schemas"]["RegisterRequest"];
export type LoginRequest = AuthC["schemas"]["LoginRequest"];

/** The JSON body a path and method answer with `status`. */
type Body<Op, Status extends number> = Op extends {
  responses: { [S in Status]: { content: { "application/json": infer T } } };
}
  ? T
  : never;
/** The JSON request body of an operation. */
type Req<Op> = Op extends { requestBody?: { content: { "application/json": infer T } } }
  ? T
  : never;

// Each response type is read off the path it is called on, so the path strings below are
// checked too (a path that is gone makes its type `never` and its use fail to compile).
type Get<P, K extends keyof P> = P[K] extends { get: infer Op } ? Op : never;
type Post<P, K extends keyof P> = P[K] extends { post: infer Op } ? Op : never;
type Delete<P, K extends keyof P> = P[K] extends { delete: infer Op } ? Op : never;

export const client = new ApiClient({ store: localSessionStore });

const enc = encodeURIComponent;

export const api = {
  register: async (body: Req<Post<AuthP, "/api/auth/register">>) =>
    client.adopt(
      await client.request<Body<Post<AuthP, "/api/auth/register">, 201>>(
        "POST",
        "/api/auth/register",
        { body, auth: false },
      ),
    ),
  login: async (body: Req<Post<AuthP, "/api/auth/login">>) =>
    client.adopt(
      await client.request<Body<Post<AuthP, "/api/auth/login">, 200>>(
        "POST",
        "/api/auth/login",
        { body, auth: false },
      ),
    ),
  logout: async () => {
    try {
      await client.request<void>("POST", "/api/auth/logout");
    } finally {
      client.setSession(null);
    }
  },

  problems: () =>
    client.request<Body<Get<BattleP, "/api/battle/problems">, 200>>("GET", "/api/battle/problems", {
      auth: false,
    }),
  problem: (slug: string) =>
    client.request<Body<Get<BattleP, "/api/battle/problems/{slug}">, 200>>(
      "GET",
      `/api/battle/problems/${enc(slug)}`,
      { auth: false },
    ),
  battle: (id: string) =>
    client.request<Body<Get<BattleP, "/api/battle/{id}">, 200>>("GET", `/api/battle/${enc(id)}`),
  events: (id: string, after: number) =>
    client.request<Body<Get<BattleP, "/api/battle/{id}/events">, 200>>(
      "GET",
      `/api/battle/${enc(id)}/events?after=${after}&limit=500`,
    ),
  mine: () =>
    client.request<Body<Get<BattleP, "/api/battle/mine">, 200>>("GET", "/api/battle/mine"),
  live: () =>
    client.request<Body<Get<BattleP, "/api/battle/live">, 200>>("GET", "/api/battle/live"),
  create: (body: Req<Post<BattleP, "/api/battle/create">>) =>
    client.request<Body<Post<BattleP, "/api/battle/create">, 201>>("POST", "/api/battle/create", {
      body,
    }),
  joinInvite: (code: string) =>
    client.request<Body<Post<BattleP, "/api/battle/join/{code}">, 200>>(
      "POST",
      `/api/battle/join/${enc(code)}`,
    ),
  withdraw: (id: string) =>
    client.request<Body<Delete<BattleP, "/api/battle/{id}">, 200>>(
      "DELETE",
      `/api/battle/${enc(id)}`,
    ),
  ready: (id: string) =>
    client.request<Body<Post<BattleP, "/api/battle/{id}/ready">, 200>>(
      "POST",
      `/api/battle/${enc(id)}/ready`,
    ),
  resign: (id: string) =>
    client.request<Body<Post<BattleP, "/api/battle/{id}/resign">, 200>>(
      "POST",
      `/api/battle/${enc(id)}/resign`,
    ),
  submit: (id: string, body: Req<Post<BattleP, "/api/battle/{id}/submissions">>) =>
    client.request<Body<Post<BattleP, "/api/battle/{id}/submissions">, 202>>(
      "POST",
      `/api/battle/${enc(id)}/submissions`,
      { body },
    ),
  submissions: (id: string) =>
    client.request<Body<Get<BattleP, "/api/battle/{id}/submissions">, 200>>(
      "GET",
      `/api/battle/${enc(id)}/submissions`,
    ),
  queue: (body: Req<Post<BattleP, "/api/battle/queue">>) =>
    client.request<Body<Post<BattleP, "/api/battle/queue">, 202>>("POST", "/api/battle/queue", {
      body,
    }),
  queueStatus: () =>
    client.request<Body<Get<BattleP, "/api/battle/queue">, 200>>("GET", "/api/battle/queue"),
  leaveQueue: () => client.request<void>("DELETE", "/api/battle/queue"),

  languages: () =>
    client.request<Body<Get<ExecP, "/api/execution/languages">, 200>>(
      "GET",
      "/api/execution/languages",
      { auth: false },
    ),
  run: (body: Req<Post<ExecP, "/api/execution/run">>) =>
    client.request<Body<Post<ExecP, "/api/execution/run">, 202>>("POST", "/api/execution/run", {
      body,
    }),
  /** Long-polls a job for up to `wait` seconds. */
  job: (id: string, wait: number, signal?: AbortSignal) =>
    client.request<Body<Get<ExecP, "/api/execution/jobs/{id}">, 200>>(
      "GET",
      `/api/execution/jobs/${enc(id)}?wait=${wait}`,
      { signal },
    ),

  leaderboard: (page: number) =>
    client.request<Body<Get<RatingP, "/api/rating/leaderboard">, 200>>(
      "GET",
      `/api/rating/leaderboard?page=${page}`,
      { auth: false },
    ),
  player: (id: string) =>
    client.request<Body<Get<RatingP, "/api/rating/users/{id}">, 200>>(
      "GET",
      `/api/rating/users/${enc(id)}`,
      { auth: false },
    ),
  history: (id: string) =>
    client.request<Body<Get<RatingP, "/api/rating/users/{id}/history">, 200>>(
      "GET",
      `/api/rating/users/${enc(id)}/history`,
      { auth: false },
    ),
};
