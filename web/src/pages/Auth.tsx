import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { api, ApiError, describeError } from "../api";
import { useSession } from "../session";

type Mode = "signin" | "signup";

/** Sign in and sign up: the API's field errors are shown at their fields. */
export function AuthPage({ mode }: { mode: Mode }) {
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [values, setValues] = useState({ username: "", email: "", login: "", password: "" });
  const [error, setError] = useState<ApiError | null>(null);
  const [other, setOther] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (session) return <Navigate to={next} replace />;

  const set = (field: keyof typeof values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [field]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setOther(null);
    try {
      if (mode === "signup") {
        await api.register({ username: values.username, email: values.email, password: values.password });
      } else {
        await api.login({ login: values.login, password: values.password });
      }
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else setOther(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (name: string) => error?.field(name);
  // The form's own message: anything not shown at a field.
  const shownAtFields = error ? error.fields.every((f) => fields(mode).includes(f.field)) && error.fields.length > 0 : false;
  const formError = other ?? (error && !shownAtFields ? error.readable : null);

  return (
    <section className="page auth">
      <div className="card auth-card">
        <h1>{mode === "signup" ? "Create your account" : "Sign in to CodeArena"}</h1>
        <p className="muted">
          {mode === "signup"
            ? "Pick a name your opponents will see."
            : "Real-time 1v1 programming battles."}
        </p>
        <form onSubmit={submit} noValidate>
          {mode === "signup" ? (
            <>
              <Field label="Username" name="username" autoComplete="username" value={values.username} onChange={set("username")} error={fieldError("username")} />
              <Field label="Email" name="email" type="email" autoComplete="email" value={values.email} onChange={set("email")} error={fieldError("email")} />
            </>
          ) : (
            <Field label="Username or email" name="login" autoComplete="username" value={values.login} onChange={set("login")} error={fieldError("login")} />
          )}
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete={mode === "signup" ? "new-password" : "current-password"}
            value={values.password}
            onChange={set("password")}
            error={fieldError("password")}
            hint={mode === "signup" ? "At least 8 characters." : undefined}
          />
          {formError && (
            <p className="form-error" role="alert">
              {formError}
            </p>
          )}
          <button className="btn block" type="submit" disabled={busy}>
            {busy ? "Please wait…" : mode === "signup" ? "Sign up" : "Sign in"}
          </button>
        </form>
        <p className="muted small switch">
          {mode === "signup" ? (
            <>Already have an account? <Link to={`/signin?next=${encodeURIComponent(next)}`}>Sign in</Link></>
          ) : (
            <>New here? <Link to={`/signup?next=${encodeURIComponent(next)}`}>Create an account</Link></>
          )}
        </p>
      </div>
    </section>
  );
}

function fields(mode: Mode): string[] {
  return mode === "signup" ? ["username", "email", "password"] : ["login", "password"];
}

/** Only paths of this site: `next` comes from the address bar. */
function safeNext(next: string | null): string {
  if (!next) return "/";
  try {
    const url = new URL(next, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : "/";
  } catch {
    return "/";
  }
}

function Field(props: {
  label: string;
  name: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
  type?: string;
  autoComplete?: string;
  error?: string;
  hint?: string;
}) {
  const id = `f-${props.name}`;
  const described = props.error ? `${id}-error` : props.hint ? `${id}-hint` : undefined;
  return (
    <div className={`field ${props.error ? "invalid" : ""}`}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        onChange={props.onChange}
        autoComplete={props.autoComplete}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={described}
        required
      />
      {props.error ? (
        <p className="field-error" id={`${id}-error`}>
          {props.label} {props.error}
        </p>
      ) : props.hint ? (
        <p className="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}
