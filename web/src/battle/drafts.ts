// The code being written in a battle, kept in localStorage per battle (and per language, so
// switching languages loses nothing) — a reload or a crash of the tab loses nothing.

export interface Draft {
  language: string;
  sources: Record<string, string>;
}

const key = (battleId: string) => `codearena.draft.${battleId}`;

export function loadDraft(battleId: string): Draft | null {
  try {
    const raw = localStorage.getItem(key(battleId));
    if (!raw) return null;
    const draft = JSON.parse(raw) as Draft;
    return typeof draft.language === "string" && draft.sources ? draft : null;
  } catch {
    return null;
  }
}

export function saveDraft(battleId: string, draft: Draft): void {
  try {
    localStorage.setItem(key(battleId), JSON.stringify(draft));
  } catch {
    // Storage full or refused: the editor keeps the code for this page's life.
  }
}

/** A starting point per language: read the input, print the answer. */
export const TEMPLATES: Record<string, string> = {
  c: `#include <stdio.h>

int main(void) {
    // Read the input from stdin, print the answer to stdout.
    return 0;
}
`,
  cpp: `#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    // Read the input from stdin, print the answer to stdout.
    return 0;
}
`,
  python: `import sys


def main() -> None:
    data = sys.stdin.read().split()
    # Read the input from data, print the answer.


main()
`,
  javascript: `const data = require("fs").readFileSync(0, "utf8").split(/\\s+/).filter(Boolean);
// Read the input from data, print the answer with console.log.
`,
  java: `import java.io.*;
import java.util.*;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        // Read the input, print the answer.
    }
}
`,
  rust: `use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    // Read the input, print the answer.
}
`,
  go: `package main

import (
\t"bufio"
\t"fmt"
\t"os"
)

func main() {
\tin := bufio.NewReader(os.Stdin)
\t_ = in
\tfmt.Println()
}
`,
};

export function template(language: string): string {
  return TEMPLATES[language] ?? "";
}

/** The language chosen last time, for new battles. */
export function preferredLanguage(): string | null {
  return localStorage.getItem("codearena.language");
}

export function setPreferredLanguage(language: string): void {
  localStorage.setItem("codearena.language", language);
}
