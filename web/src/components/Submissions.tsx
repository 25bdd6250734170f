import { useState } from "react";
import type { SubmissionView } from "../api";
import { bytes, VERDICT_NAMES } from "../format";
import { VerdictBadge } from "./VerdictBadge";

/** My submissions, newest first, each with its verdict per test. */
export function Submissions({ submissions }: { submissions: SubmissionView[] }) {
  const [open, setOpen] = useState<string | null>(null);
  if (submissions.length === 0) {
    return <p className="muted small pad">No submissions yet. Submit when your code passes the samples.</p>;
  }
  const sorted = [...submissions].sort((a, b) => b.submitted_at_ms - a.submitted_at_ms);
  return (
    <ol className="submissions" data-testid="submissions">
      {sorted.map((s, i) => {
        const expanded = open === s.id;
        return (
          <li key={s.id} className="submission">
            <button
              type="button"
              className="submission-head"
              aria-expanded={expanded}
              onClick={() => setOpen(expanded ? null : s.id)}
            >
              <span className="muted">#{sorted.length - i}</span>
              {s.status === "judging" || !s.verdict ? (
                <span className="judging" data-testid="judging">
                  <span className="spinner" aria-hidden="true" /> Judging…
                </span>
              ) : (
                <span data-testid="submission-verdict">
                  <VerdictBadge verdict={s.verdict} /> {VERDICT_NAMES[s.verdict]}
                </span>
              )}
              <span className="muted small">
                {s.score}/{s.total} · {s.language} · {new Date(s.submitted_at_ms).toLocaleTimeString()}
              </span>
            </button>
            {expanded && <SubmissionDetail submission={s} />}
          </li>
        );
      })}
    </ol>
  );
}

export function SubmissionDetail({ submission }: { submission: SubmissionView }) {
  const report = submission.report;
  if (!report) return <p className="muted small pad">No report yet.</p>;
  return (
    <div className="submission-detail">
      {report.compile_output && (
        <>
          <h4>Compiler output</h4>
          <pre className="output">{report.compile_output}</pre>
        </>
      )}
      {report.tests.length > 0 && (
        <table className="table tests">
          <thead>
            <tr>
              <th scope="col">Test</th>
              <th scope="col">Verdict</th>
              <th scope="col" className="num">Time</th>
              <th scope="col" className="num">Memory</th>
            </tr>
          </thead>
          <tbody>
            {report.tests.map((t) => (
              <tr key={t.name}>
                <td className="mono">{t.name}</td>
                <td>
                  <VerdictBadge verdict={t.verdict} />
                </td>
                <td className="num">{t.time_ms} ms</td>
                <td className="num">{bytes(t.memory_bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
