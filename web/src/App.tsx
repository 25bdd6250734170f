import { Suspense, lazy, useEffect, type ReactNode } from "react";
import { Link, NavLink, Navigate, Route, Routes, useLocation, useNavigate } from "react-router";
import { api } from "./api";
import { realtime, useConnection } from "./realtime";
import { useSession } from "./session";
import { AuthPage } from "./pages/Auth";
import { Lobby } from "./pages/Lobby";
import { JoinInvite } from "./pages/JoinInvite";

// The editor, Markdown/KaTeX and the chart load with the pages that use them.
const BattleRoom = lazy(() => import("./pages/BattleRoom").then((m) => ({ default: m.BattleRoom })));
const Replay = lazy(() => import("./pages/Replay").then((m) => ({ default: m.Replay })));
const Profile = lazy(() => import("./pages/Profile").then((m) => ({ default: m.Profile })));
import { LeaderboardPage } from "./pages/LeaderboardPage";

export function App() {
  const session = useSession();
  const navigate = useNavigate();

  // A match found anywhere in the app takes the player to the battle.
  useEffect(() => {
    if (!session) return;
    return realtime.on("match:found", (found) => navigate(`/battle/${found.battle_id}`));
  }, [session, navigate]);

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Header />
      <ConnectionBanner />
      <main id="main" className="main">
        <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/signin" element={<AuthPage mode="signin" />} />
          <Route path="/signup" element={<AuthPage mode="signup" />} />
          <Route path="/" element={<RequireAuth><Lobby /></RequireAuth>} />
          <Route path="/battle/:id" element={<RequireAuth><BattleRoom /></RequireAuth>} />
          <Route path="/battle/:id/replay" element={<RequireAuth><Replay /></RequireAuth>} />
          <Route path="/join/:code" element={<RequireAuth><JoinInvite /></RequireAuth>} />
          <Route path="/u/:id" element={<Profile />} />
          <Route path="/leaderboard" element={<LeaderboardPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
        </Suspense>
      </main>
    </div>
  );
}

function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/signin?next=${next}`} replace />;
  }
  return <>{children}</>;
}

function Header() {
  const session = useSession();
  const navigate = useNavigate();
  return (
    <header className="header">
      <Link to="/" className="brand" aria-label="CodeArena home">
        <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
          <rect width="32" height="32" rx="7" fill="var(--accent)" />
          <path d="M12 9l-7 7 7 7M20 9l7 7-7 7" stroke="#fff" strokeWidth="3" fill="none" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <span>CodeArena</span>
      </Link>
      <nav className="nav" aria-label="Main">
        {session && <NavLink to="/" end>Play</NavLink>}
        <NavLink to="/leaderboard">Leaderboard</NavLink>
        {session && <NavLink to={`/u/${session.user.id}`}>Profile</NavLink>}
      </nav>
      <div className="header-user">
        {session ? (
          <>
            <span className="who" data-testid="whoami">{session.user.username}</span>
            <button
              className="btn ghost small"
              onClick={() => {
                void api.logout().finally(() => navigate("/signin"));
              }}
            >
              Sign out
            </button>
          </>
        ) : (
          <>
            <Link className="btn ghost small" to="/signin">Sign in</Link>
            <Link className="btn small" to="/signup">Sign up</Link>
          </>
        )}
      </div>
    </header>
  );
}

function ConnectionBanner() {
  const state = useConnection();
  if (state !== "reconnecting") return null;
  return (
    <div className="banner warn" role="status" aria-live="polite" data-testid="reconnecting">
      <span className="spinner" aria-hidden="true" /> Connection lost — reconnecting… Nothing
      is lost: the battle catches up as soon as you are back.
    </div>
  );
}

function Loading() {
  return (
    <section className="page center">
      <p className="muted">
        <span className="spinner" aria-hidden="true" /> Loading…
      </p>
    </section>
  );
}

function NotFound() {
  return (
    <section className="page narrow center">
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link className="btn" to="/">Back to the lobby</Link>
    </section>
  );
}
