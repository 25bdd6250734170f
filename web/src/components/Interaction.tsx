// An interactive problem's sample: the `.interaction` transcript (Kattis problem package
// format) as a two-column table, in the order the messages were sent. A line starting
// with `<` is what the interactor wrote (what the program reads), `>` what the program
// wrote; `---` separates the passes of a multi-pass problem. Who sent a line is told by
// its column, its header and a visually hidden label, never by colour alone.

import { CopyButton } from "./CopyButton";

export type Message =
  | { kind: "interactor" | "program"; text: string }
  | { kind: "pass"; pass: number }
  | { kind: "note"; text: string };

/** The messages of a transcript; a trailing newline is not an empty message. */
export function parseInteraction(transcript: string): Message[] {
  const lines = transcript.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n");
  const out: Message[] = [];
  let pass = 1;
  for (const line of lines) {
    if (line.startsWith("<")) out.push({ kind: "interactor", text: line.slice(1) });
    else if (line.startsWith(">")) out.push({ kind: "program", text: line.slice(1) });
    else if (line.trim() === "---") out.push({ kind: "pass", pass: ++pass });
    else if (line.trim() !== "") out.push({ kind: "note", text: line });
  }
  return out;
}

/** What the interactor wrote, one line each: what the program reads if it answers alike. */
function interactorLines(messages: Message[]): string {
  return messages.map((m) => (m.kind === "interactor" ? `${m.text}\n` : "")).join("");
}

export function Interaction({ transcript, index }: { transcript: string; index: number }) {
  const messages = parseInteraction(transcript);
  const passes = messages.some((m) => m.kind === "pass");
  return (
    <div className="interaction">
      <div className="sample-head">
        <span id={`interaction-${index}`}>Sample {index}</span>
        <CopyButton text={interactorLines(messages)} label="Copy interactor lines" />
      </div>
      <table className="interaction-table" aria-labelledby={`interaction-${index}`}>
        <thead>
          <tr>
            <th scope="col">
              <span aria-hidden="true" className="arrow">⇠ </span>Interactor writes
            </th>
            <th scope="col">
              Your program writes<span aria-hidden="true" className="arrow"> ⇢</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {passes && (
            <tr className="interaction-pass">
              <th colSpan={2} scope="rowgroup">Pass 1</th>
            </tr>
          )}
          {messages.map((m, i) => {
            if (m.kind === "pass") {
              return (
                <tr key={i} className="interaction-pass">
                  <th colSpan={2} scope="rowgroup">Pass {m.pass}</th>
                </tr>
              );
            }
            if (m.kind === "note") {
              return (
                <tr key={i} className="interaction-note">
                  <td colSpan={2}>{m.text}</td>
                </tr>
              );
            }
            const cell = (
              <td className={`msg ${m.kind}`}>
                <span className="sr-only">{m.kind === "interactor" ? "Interactor: " : "Your program: "}</span>
                <code>{m.text === "" ? "\u00a0" : m.text}</code>
              </td>
            );
            const empty = <td className="msg-gap" />;
            return (
              <tr key={i} data-from={m.kind}>
                {m.kind === "interactor" ? (
                  <>
                    {cell}
                    {empty}
                  </>
                ) : (
                  <>
                    {empty}
                    {cell}
                  </>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
