import { useState } from "react";
import { api, describeError, type JobRecord, type ProblemDetail } from "../api";
import { bytes, VERDICT_NAMES } from "../format";
import { VerdictBadge } from "./VerdictBadge";

/** Tokens of an output, as the default output validator compares them. */
function tokens(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

type RunPanelProps = {
  language: string;
  source: () => string;
  problem: ProblemDetail | null;
  runRef?: { current: (() => void) | null };
};

/**
 * Runs the code on custom input (a sample's by default) and shows what it printed. An
 * interactive problem has no such run (a custom run has no interactor to talk with): the
 * panel says so and points to Submit.
 */
export function RunPanel(props: RunPanelProps) {
  if (props.problem?.interactive) return <InteractiveNote problem={props.problem} runRef={props.runRef} />;
  return <CustomRun {...props} />;
}

function InteractiveNote(props: { problem: ProblemDetail; runRef?: RunPanelProps["runRef"] }) {
  // Ctrl/⌘ + Enter runs nothing here.
  if (props.runRef) props.runRef.current = null;
  return (
    <section className="run-panel interactive-note" aria-labelledby="interactive-note-title" data-testid="interactive-note">
      <div>
        <h4 id="interactive-note-title">
          <span className="pill interactive-pill">Interactive</span> No custom runs for this problem
        </h4>
        <p>
          In <strong>{props.problem.name}</strong> your program talks with an interactor: it reads the
          interactor's replies and writes its own lines in turn. A run on typed input has no interactor to
          answer, so custom input is not offered here.
        </p>
        <p>
          <strong>Submit</strong> judges your program against the interactor on every test. The samples
          in the statement show such an exchange line by line.
        </p>
      </div>
      <ul className="muted small interactive-tips">
        <li>Flush standard output after every line you write, or the interactor never sees it.</li>
        <li>
          Read one line at a time: standard input does not end while the interactor waits for you, so
          reading all of it at once waits forever.
        </li>
        <li>Exit once you have written your final answer.</li>
      </ul>
    </section>
  );
}

function CustomRun(props: RunPanelProps) {
  const firstSample = props.problem?.samples[0]?.input ?? "";
  const [stdin, setStdin] = useState<string | null>(null);
  const [job, setJob] = useState<JobRecord | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = stdin ?? firstSample;

  async function run() {
    if (running) return;
    setRunning(true);
    setError(null);
    setJob(null);
    try {
      const accepted = await api.run({ language: props.language, source: props.source(), stdin: input });
      let record = await api.job(accepted.job_id, 20);
      while (record.state !== "done") record = await api.job(accepted.job_id, 20);
      setJob(record);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setRunning(false);
    }
  }
  if (props.runRef) props.runRef.current = run;

  const result = job?.result ?? null;
  const sample = props.problem?.samples.find((s) => s.input === input);
  const matches =
    sample && result?.run ? tokens(result.run.stdout).join(" ") === tokens(sample.output).join(" ") : null;

  return (
    <div className="run-panel">
      <div className="run-input">
        <div className="row between">
          <label htmlFor="stdin">Custom input</label>
          <div className="row">
            {props.problem?.samples.map((s, i) => (
              <button key={s.name} type="button" className="btn ghost tiny" onClick={() => setStdin(s.input)}>
                Sample {i + 1}
              </button>
            ))}
          </div>
        </div>
        <textarea
          id="stdin"
          value={input}
          onChange={(e) => setStdin(e.target.value)}
          spellCheck={false}
          rows={5}
        />
        <button type="button" className="btn secondary" onClick={run} disabled={running} data-testid="run">
          {running ? "Running…" : "Run"}
        </button>
        <span className="muted tiny-text"> Ctrl/⌘ + Enter</span>
      </div>
      <div className="run-output" aria-live="polite" data-testid="run-output">
        {error && <p className="form-error">{error}</p>}
        {running && (
          <p className="muted">
            <span className="spinner" aria-hidden="true" /> Running in the sandbox…
          </p>
        )}
        {result && (
          <>
            <div className="row">
              <VerdictBadge verdict={result.verdict} />
              <span data-testid="run-verdict">{result.verdict === "AC" ? "Ran to the end" : VERDICT_NAMES[result.verdict]}</span>
              <span className="muted small">
                {result.time_ms} ms · {bytes(result.memory_bytes)}
                {result.run?.exit_code != null && ` · exit ${result.run.exit_code}`}
              </span>
              {matches !== null && (
                <span className={`pill ${matches ? "win" : "loss"}`} data-testid="sample-match">
                  {matches ? "Matches the sample's output" : "Differs from the sample's output"}
                </span>
              )}
            </div>
            {result.compile_output && (
              <>
                <h4>Compiler output</h4>
                <pre className="output">{result.compile_output}</pre>
              </>
            )}
            {result.error && <pre className="output">{result.error}</pre>}
            {result.run && (
              <>
                <h4>Output</h4>
                <pre className="output" data-testid="stdout">{result.run.stdout || " "}</pre>
                {result.run.stdout_truncated && <p className="muted small">(output truncated)</p>}
                {sample && matches === false && (
                  <>
                    <h4>Expected</h4>
                    <pre className="output">{sample.output}</pre>
                  </>
                )}
                {result.run.stderr && (
                  <>
                    <h4>Standard error</h4>
                    <pre className="output err">{result.run.stderr}</pre>
                  </>
                )}
              </>
            )}
          </>
        )}
        {!result && !running && !error && <p className="muted small">Run your code to see its output here.</p>}
      </div>
    </div>
  );
}
