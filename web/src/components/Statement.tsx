// A problem statement: Markdown with TeX math ($…$ inline, $$…$$ display) rendered by
// KaTeX, then the samples with copy buttons. Raw HTML in the Markdown is not rendered
// (markdown-it with `html: false` escapes it). An interactive problem's samples are
// transcripts of the exchange with the interactor (see Interaction.tsx).

import { useMemo } from "react";
import MarkdownIt from "markdown-it";
import katex from "katex";
import type { ProblemDetail } from "../api";
import { CopyButton } from "./CopyButton";
import { Interaction } from "./Interaction";
import { bytes } from "../format";

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

function tex(source: string, displayMode: boolean): string {
  return katex.renderToString(source, { displayMode, throwOnError: false, output: "htmlAndMathml" });
}

// $$…$$ on lines of their own: a display block.
md.block.ruler.before("fence", "math_block", (state, startLine, endLine, silent) => {
  const start = state.bMarks[startLine]! + state.tShift[startLine]!;
  const firstLine = state.src.slice(start, state.eMarks[startLine]);
  if (!firstLine.startsWith("$$")) return false;
  let content = firstLine.slice(2);
  let line = startLine;
  let closed = content.trimEnd().endsWith("$$") && content.trim().length >= 2;
  if (closed) content = content.trimEnd().slice(0, -2);
  while (!closed) {
    line++;
    if (line >= endLine) return false;
    const text = state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]);
    if (text.trimEnd().endsWith("$$")) {
      content += "\n" + text.trimEnd().slice(0, -2);
      closed = true;
    } else content += "\n" + text;
  }
  if (silent) return true;
  const token = state.push("math_block", "div", 0);
  token.content = content;
  token.map = [startLine, line + 1];
  state.line = line + 1;
  return true;
});

// $…$ inside a paragraph (not `\$`, not empty, not spanning a blank line).
md.inline.ruler.after("escape", "math_inline", (state, silent) => {
  if (state.src[state.pos] !== "$") return false;
  let end = state.pos + 1;
  while (end < state.posMax) {
    if (state.src[end] === "\\") end += 2;
    else if (state.src[end] === "$") break;
    else end++;
  }
  if (end >= state.posMax || end === state.pos + 1) return false;
  if (!silent) {
    const token = state.push("math_inline", "span", 0);
    token.content = state.src.slice(state.pos + 1, end);
  }
  state.pos = end + 1;
  return true;
});

md.renderer.rules.math_inline = (tokens, idx) => tex(tokens[idx]!.content, false);
md.renderer.rules.math_block = (tokens, idx) => `<div class="math-display">${tex(tokens[idx]!.content, true)}</div>`;

/** The statement as HTML; a leading `# Title` is dropped (the page shows the name). */
export function renderStatement(source: string, format: string): string {
  if (format !== "markdown") return `<pre class="statement-raw">${md.utils.escapeHtml(source)}</pre>`;
  return md.render(source.replace(/^\s*#\s[^\n]*\n/, ""));
}

export function Statement({ problem }: { problem: ProblemDetail }) {
  const html = useMemo(
    () => renderStatement(problem.statement, problem.statement_format),
    [problem.statement, problem.statement_format],
  );
  const s = problem;
  return (
    <article className="statement" aria-label="Problem statement">
      <h2 className="statement-title">{s.name}</h2>
      <div className="limits muted small">
        <span className={`pill diff-${s.difficulty}`}>{s.difficulty}</span>
        {s.time_limit_ms != null && <span>Time {s.time_limit_ms / 1000} s</span>}
        <span>Memory {bytes(s.memory_limit_bytes)}</span>
        <span>{s.tests} tests</span>
        {s.interactive && <span className="pill interactive-pill">Interactive</span>}
      </div>
      <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />
      {problem.samples.length > 0 && (
        <section className="samples" aria-label="Samples">
          <h3>Samples</h3>
          {s.interactive && (
            <p className="muted small interaction-legend">
              Your program talks with an interactor. Each sample shows the exchange in order: the left
              column is what the interactor writes (your program reads it), the right column what your
              program writes.
            </p>
          )}
          {problem.samples.map((sample, i) =>
            sample.interaction != null ? (
              <Interaction key={sample.name} transcript={sample.interaction} index={i + 1} />
            ) : (
              <div className="sample" key={sample.name}>
                <div className="sample-part">
                  <div className="sample-head">
                    <span>Input {i + 1}</span>
                    <CopyButton text={sample.input} label="Copy input" />
                  </div>
                  <pre>{sample.input}</pre>
                </div>
                <div className="sample-part">
                  <div className="sample-head">
                    <span>Output {i + 1}</span>
                    <CopyButton text={sample.output} label="Copy output" />
                  </div>
                  <pre>{sample.output}</pre>
                </div>
              </div>
            ),
          )}
        </section>
      )}
    </article>
  );
}
