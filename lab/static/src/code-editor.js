// One CodeMirror 6 editor for one file: the extensions every editor gets, the language
// chosen from the file name, and the hook that keeps the hidden textarea in sync.

import { EditorState } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  drawSelection,
  dropCursor,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  indentOnInput,
  indentUnit,
  bracketMatching,
  syntaxHighlighting,
  defaultHighlightStyle,
  StreamLanguage,
} from "@codemirror/language";
import { currentCompletions } from "@codemirror/autocomplete";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { python } from "@codemirror/lang-python";
import { yaml } from "@codemirror/lang-yaml";
import { dockerFile } from "@codemirror/legacy-modes/mode/dockerfile";

function languageFor(filename) {
  const base = filename.split("/").pop().toLowerCase();
  if (base.endsWith(".py")) return [python(), indentUnit.of("    ")];
  if (base.endsWith(".yaml") || base.endsWith(".yml")) return [yaml(), indentUnit.of("  ")];
  if (base === "dockerfile" || base.endsWith(".dockerfile")) {
    return [StreamLanguage.define(dockerFile), indentUnit.of("    ")];
  }
  return [indentUnit.of("    ")];
}

// Esc then Tab must always let keyboard users leave the editor. CodeMirror
// arms that on Escape only when no keymap used the key, and autocompletion
// swallows Escape whenever a completion source is merely pending or came back
// empty (nothing on screen). So arm it here unless a completion list is shown;
// in that case Escape closes the list and a second Escape arms it.
const escapeThenTab = EditorView.domEventObservers({
  keydown(event, view) {
    if (event.key === "Escape" && currentCompletions(view.state).length === 0) {
      view.setTabFocusMode(2000);
    }
  },
});

// Builds the editor for `textarea` inside `parent`. `extras` are the page's own
// extensions (option toggles, run/submit keys); `onChange(changes)` runs after each edit,
// once the textarea holds the new text, with the edit's ChangeSet. Throws if CodeMirror cannot start; the caller then
// leaves the plain textarea in place.
export function createCodeEditor({ textarea, name, parent, extras, onChange }) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        dropCursor(),
        indentOnInput(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        bracketMatching(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        languageFor(name),
        ...extras,
        escapeThenTab,
        keymap.of([...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": `Code editor for ${name}` }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          textarea.value = update.state.doc.toString();
          onChange(update.changes);
        }),
      ],
    }),
  });
}
