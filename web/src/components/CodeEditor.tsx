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
import { oneDark } from "@codemirror/theme-one-dark";

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
          oneDark,
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
