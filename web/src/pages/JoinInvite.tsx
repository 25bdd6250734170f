import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, describeError } from "../api";

// One join per code and page load, however often the effect runs (React runs effects
// twice in development; a second join would be refused as already in a battle).
const joins = new Map<string, ReturnType<typeof api.joinInvite>>();

function joinOnce(code: string) {
  let join = joins.get(code);
  if (!join) {
    join = api.joinInvite(code);
    joins.set(code, join);
    join.catch(() => joins.delete(code));
  }
  return join;
}

/** An invite link: join the private battle and go to its room. */
export function JoinInvite() {
  const { code = "" } = useParams();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    joinOnce(code).then(
      (battle) => live && navigate(`/battle/${battle.id}`, { replace: true }),
      (err: unknown) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [code, navigate]);
  return (
    <section className="page narrow center">
      {error ? (
        <>
          <h1>Can't join this battle</h1>
          <p className="muted">{error}</p>
          <Link className="btn" to="/">Back to the lobby</Link>
        </>
      ) : (
        <p className="muted"><span className="spinner" aria-hidden="true" /> Joining the battle…</p>
      )}
    </section>
  );
}
