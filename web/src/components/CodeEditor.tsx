// CodeMirror 6 with a syntax mode per judge language. The parent owns the text: the editor
// reports every change and follows `value` when it changes from outside (a language switch,
// a restored draft).

import { useEffect, useRef } from "react";
import { EditorView, basicSetup } from "codemirror";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { cpp } from "@codemirror/lang-cpp";
import { python } from "@codemirror/lang-python";
import { javascript } from "@codemirror/lang-javascript";
import { java } from "@codemirror/lang-java";
import { rust } from "@codemirror/lang-rust";
import { go } from "@codemirror/lang-go";
import { oneDarkTheme } from "@codemirror/theme-one-dark";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

// One Dark's colours, the red, violet and grey lightened so that every token has a contrast
// of at least 4.5:1 on the editor's background, the active line's included (WCAG AA).
const highlight = HighlightStyle.define([
  { tag: t.keyword, color: "#d69ae8" },
  { tag: [t.name, t.deleted, t.character, t.propertyName, t.macroName], color: "#f08d95" },
  { tag: [t.function(t.variableName), t.labelName], color: "#61afef" },
  { tag: [t.color, t.constant(t.name), t.standard(t.name)], color: "#d19a66" },
  { tag: [t.definition(t.name), t.separator], color: "#abb2bf" },
  { tag: [t.typeName, t.className, t.number, t.changed, t.annotation, t.modifier, t.self, t.namespace], color: "#e5c07b" },
  { tag: [t.operator, t.operatorKeyword, t.url, t.escape, t.regexp, t.link, t.special(t.string)], color: "#56b6c2" },
  { tag: [t.meta, t.comment], color: "#9ba6b8" },
  { tag: t.strong, fontWeight: "bold" },
  { tag: t.emphasis, fontStyle: "italic" },
  { tag: t.strikethrough, textDecoration: "line-through" },
  { tag: t.link, color: "#9ba6b8", textDecoration: "underline" },
  { tag: t.heading, fontWeight: "bold", color: "#f08d95" },
  { tag: [t.atom, t.bool, t.special(t.variableName)], color: "#d19a66" },
  { tag: [t.processingInstruction, t.string, t.inserted], color: "#98c379" },
  { tag: t.invalid, color: "#ffffff" },
]);

export function languageMode(id: string): Extension {
  switch (id) {
    case "c":
    case "cpp":
      return cpp();
    case "python":
      return python();
    case "javascript":
      return javascript();
    case "java":
      return java();
    case "rust":
      return rust();
    case "go":
      return go();
    default:
      return [];
  }
}

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "14px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
});

export function CodeEditor(props: {
  value: string;
  language: string;
  onChange?: (value: string) => void;
  readOnly?: boolean;
  label: string;
  onSubmitShortcut?: () => void;
  onRunShortcut?: () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const mode = useRef(new Compartment());
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    if (!host.current) return;
    const shortcuts = keymap.of([
      {
        key: "Mod-Enter",
        run: () => {
          callbacks.current.onRunShortcut?.();
          return Boolean(callbacks.current.onRunShortcut);
        },
      },
      {
        key: "Mod-Shift-Enter",
        run: () => {
          callbacks.current.onSubmitShortcut?.();
          return Boolean(callbacks.current.onSubmitShortcut);
        },
      },
    ]);
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          shortcuts,
          basicSetup,
          keymap.of([indentWithTab]),
          oneDarkTheme,
          syntaxHighlighting(highlight),
          theme,
          mode.current.of(languageMode(props.language)),
          EditorState.readOnly.of(Boolean(props.readOnly)),
          EditorView.editable.of(!props.readOnly),
          EditorView.contentAttributes.of({ "aria-label": props.label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) callbacks.current.onChange?.(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is made once; value and language follow below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: mode.current.reconfigure(languageMode(props.language)) });
  }, [props.language]);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  return <div className={`editor ${props.readOnly ? "readonly" : ""}`} ref={host} data-testid="editor" />;
}
