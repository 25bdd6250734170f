import { act } from "react";
import type { ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, it } from "vitest";
import type { ProblemDetail } from "../api";
import { parseInteraction } from "./Interaction";
import { RunPanel } from "./RunPanel";
import { Statement } from "./Statement";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

function render(node: ReactNode): HTMLElement {
  const host = document.createElement("div");
  document.body.appendChild(host);
  const root = createRoot(host);
  act(() => root.render(node));
  cleanup = () => {
    act(() => root.unmount());
    host.remove();
  };
  return host;
}

// As the catalogue serves problems/sonar: its samples' `.in` (the hidden position) is not
// sent, only the transcript.
const sonar: ProblemDetail = {
  slug: "sonar",
  name: "Sonar Sweep",
  difficulty: "easy",
  tags: ["interactive"],
  time_limit_ms: 2000,
  memory_limit_bytes: 256 * 1024 * 1024,
  tests: 12,
  interactive: true,
  statement_format: "markdown",
  statement: "Find the submarine.",
  samples: [
    { name: "sample/01", input: "", output: "", interaction: "<10\n>? 5\n<>\n>? 8\n<<\n>? 7\n<=\n>! 7\n" },
    { name: "sample/02", input: "", output: "", interaction: "<3\n>? 2\n<<\n>! 1\n" },
  ],
};

const plain: ProblemDetail = {
  ...sonar,
  slug: "twobells",
  name: "Two Bells",
  tags: [],
  interactive: false,
  samples: [{ name: "sample/01", input: "3 4\n", output: "12\n", interaction: null }],
};

describe("parseInteraction", () => {
  it("tells the interactor's lines from the program's, in order", () => {
    expect(parseInteraction("<10\n>? 5\n<>\n>! 7\n")).toEqual([
      { kind: "interactor", text: "10" },
      { kind: "program", text: "? 5" },
      { kind: "interactor", text: ">" },
      { kind: "program", text: "! 7" },
    ]);
  });

  it("numbers the passes of a multi-pass transcript and keeps stray lines as notes", () => {
    expect(parseInteraction("<1\r\n>2\r\n---\r\n<3\r\nend\r\n")).toEqual([
      { kind: "interactor", text: "1" },
      { kind: "program", text: "2" },
      { kind: "pass", pass: 2 },
      { kind: "interactor", text: "3" },
      { kind: "note", text: "end" },
    ]);
  });
});

describe("an interactive problem's statement", () => {
  it("shows each sample as a labelled two-column transcript, not input and output boxes", () => {
    const page = render(<Statement problem={sonar} />);
    expect(page.textContent).toContain("Interactive");
    expect(page.textContent).not.toMatch(/Input 1|Output 1/);
    expect(page.querySelectorAll(".sample pre")).toHaveLength(0);

    const tables = page.querySelectorAll("table.interaction-table");
    expect(tables).toHaveLength(2);
    const first = tables[0]!;
    // The table is named by its heading; the columns say who writes.
    const name = document.getElementById(first.getAttribute("aria-labelledby")!);
    expect(name?.textContent).toBe("Sample 1");
    const headers = [...first.querySelectorAll("thead th")].map((th) => th.textContent?.trim());
    expect(headers).toEqual(["⇠ Interactor writes", "Your program writes ⇢"]);
    expect([...first.querySelectorAll("thead th")].every((th) => th.getAttribute("scope") === "col")).toBe(true);

    const rows = [...first.querySelectorAll("tbody tr")];
    expect(rows.map((r) => r.getAttribute("data-from"))).toEqual([
      "interactor", "program", "interactor", "program", "interactor", "program", "interactor", "program",
    ]);
    // The interactor's lines in the left column, the program's in the right, each with a
    // label a screen reader says (not colour alone).
    const cells = rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent));
    expect(cells[0]).toEqual(["Interactor: 10", ""]);
    expect(cells[1]).toEqual(["", "Your program: ? 5"]);
    expect(cells[2]).toEqual(["Interactor: >", ""]);
    expect(cells[7]).toEqual(["", "Your program: ! 7"]);
  });

  it("does not show an empty input or output for a sample", () => {
    const page = render(<Statement problem={sonar} />);
    expect(page.querySelectorAll(".sample-part")).toHaveLength(0);
    expect(page.querySelector(".interaction-legend")?.textContent).toMatch(/left column is what the interactor writes/);
  });
});

describe("a problem that is not interactive", () => {
  it("keeps its input and output boxes", () => {
    const page = render(<Statement problem={plain} />);
    expect(page.querySelectorAll("table.interaction-table")).toHaveLength(0);
    const boxes = [...page.querySelectorAll(".sample pre")].map((p) => p.textContent);
    expect(boxes).toEqual(["3 4\n", "12\n"]);
    expect(page.querySelector(".interaction-legend")).toBeNull();
  });

  it("offers custom input in the Run panel", () => {
    const runRef: { current: (() => void) | null } = { current: null };
    const page = render(<RunPanel language="python" source={() => ""} problem={plain} runRef={runRef} />);
    expect(page.querySelector<HTMLTextAreaElement>("textarea#stdin")?.value).toBe("3 4\n");
    expect(page.querySelector("[data-testid=run]")).not.toBeNull();
    expect(runRef.current).toBeTypeOf("function");
  });
});

describe("an interactive problem's Run panel", () => {
  it("offers no custom input, says why and points to Submit", () => {
    const runRef: { current: (() => void) | null } = { current: () => {} };
    const page = render(<RunPanel language="python" source={() => ""} problem={sonar} runRef={runRef} />);
    expect(page.querySelector("textarea")).toBeNull();
    expect(page.querySelector("[data-testid=run]")).toBeNull();
    const note = page.querySelector("[data-testid=interactive-note]");
    expect(note?.textContent).toMatch(/interactor/);
    expect(note?.textContent).toMatch(/Submit judges your program against the interactor/);
    const title = document.getElementById(note!.getAttribute("aria-labelledby")!);
    expect(title?.textContent).toMatch(/No custom runs/);
    // The Run shortcut does nothing.
    expect(runRef.current).toBeNull();
  });
});
