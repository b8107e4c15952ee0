// Files dropped on an editor go in as text only when they are UTF-8. CodeMirror's own
// drop handling decodes any bytes, so a binary or Latin-1 file would turn into U+FFFD
// characters without a word; here such a file is refused, saying which and why.

import { EditorView } from "@codemirror/view";

async function readStrictly(file) {
  const bytes = await file.arrayBuffer();
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

async function insertFiles(files, view, pos, say) {
  const texts = [];
  for (const file of files) {
    try {
      texts.push(await readStrictly(file));
    } catch (err) {
      const why = err instanceof TypeError ? "is not UTF-8 text" : "could not be read";
      say(`${file.name} ${why}; nothing was inserted.`);
      return;
    }
  }
  const text = texts.join("\n");
  view.dispatch({
    changes: { from: pos, insert: text },
    selection: { anchor: pos + text.length },
    userEvent: "input.drop",
  });
  say(`Inserted ${files.map((file) => file.name).join(", ")}.`);
}

// `say(message)` shows the outcome to the candidate (a status line of the page).
export function fileDrop(say) {
  return EditorView.domEventHandlers({
    drop(event, view) {
      const files = Array.from((event.dataTransfer && event.dataTransfer.files) || []);
      if (files.length === 0) return false; // dragged text: CodeMirror's own handling
      event.preventDefault();
      const at = view.posAtCoords({ x: event.clientX, y: event.clientY });
      insertFiles(files, view, at == null ? view.state.selection.main.head : at, say);
      return true;
    },
  });
}
