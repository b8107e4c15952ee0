// Interview Lab: browser editor (bundle entry: lab/static/dist/editor.js).
//
// Progressive enhancement of the server-rendered solve page. Without this
// script the page still works: every editable file is a plain <textarea>
// inside #solve-form and the Run / Submit buttons post the form. With it:
//
//   * each textarea becomes a CodeMirror 6 editor (the textarea stays in the
//     form, hidden, and is kept in sync so a plain POST still carries the code)
//     -- code-editor.js;
//   * one tab per file in .file-tabs -- file-tabs.js;
//   * autocomplete / bracket closing toggles, font size and the dark theme's colours
//     (remembered in localStorage) -- editor-options.js;
//   * prompt and editor in resizable panes that fill the window -- panes.js;
//   * Ctrl/Cmd-Enter runs the public tests, Ctrl/Cmd-Shift-Enter submits -- shortcuts.js;
//   * drafts are autosaved with a PUT to the form's data-draft-url, versioned, kept in
//     the browser until saved, across an ended session -- autosave.js, conflict.js,
//     session.js;
//   * Run / Submit go through fetch (run-submit.js) and the result panel is pushed into
//     #result by Server-Sent Events, polled when EventSource is missing or the stream
//     fails (results.js);
//   * "Reset to starter" puts the starter code back -- starter.js;
//   * in a mock interview, every edit is recorded for playback -- timeline.js.
//
// This file only finds the page's elements and wires those modules together.

import { startAutosave } from "./autosave.js";
import { createCodeEditor } from "./code-editor.js";
import { editorOptions } from "./editor-options.js";
import { fileDrop } from "./file-drop.js";
import { createFileTabs } from "./file-tabs.js";
import { setUpPanes } from "./panes.js";
import { handleRunSubmit } from "./run-submit.js";
import { runSubmitShortcuts } from "./shortcuts.js";
import { handleResetToStarter } from "./starter.js";
import { startTimeline } from "./timeline.js";

function init() {
  const form = document.getElementById("solve-form");
  if (!form) return;

  const textareas = Array.from(form.querySelectorAll("textarea[data-filename]"));
  if (textareas.length === 0) return;

  const runButton = form.querySelector('button[type="submit"][name="mode"][value="run"]');
  const submitButton = form.querySelector('button[type="submit"][name="mode"][value="submit"]');
  const resultEl = document.getElementById("result");

  const options = editorOptions(
    document.getElementById("opt-autocomplete"),
    document.getElementById("opt-brackets"),
    document.getElementById("opt-font-size"),
  );
  const runKeys = runSubmitShortcuts(form, runButton, submitButton);
  const noticeEl = document.getElementById("editor-notice");
  const dropFiles = fileDrop((message) => {
    if (noticeEl) noticeEl.textContent = message;
  });

  // The tabs own the file list that autosave, the options and the reset button read.
  const tabs = createFileTabs(form, textareas[0]);
  const { files } = tabs;
  const drafts = startAutosave({
    form,
    draftUrl: form.getAttribute("data-draft-url") || "",
    statusEl: document.getElementById("save-status"),
    snapshot() {
      const out = {};
      for (const file of files) out[file.name] = file.view.state.doc.toString();
      return out;
    },
    replaceFiles(texts) {
      for (const file of files) {
        if (!Object.prototype.hasOwnProperty.call(texts, file.name)) continue;
        const doc = file.view.state.doc;
        const text = String(texts[file.name]);
        if (doc.toString() !== text) file.view.dispatch({ changes: { from: 0, to: doc.length, insert: text } });
      }
    },
  });

  // Mock interview tasks record their edits for playback (timeline.js).
  const recording = startTimeline({
    url: form.getAttribute("data-timeline-url") || "",
    files: () => files,
  });

  textareas.forEach((textarea, index) => {
    const name = textarea.getAttribute("data-filename");
    const { tab, pane } = tabs.build(name, index);
    let view;
    try {
      view = createCodeEditor({
        textarea,
        name,
        parent: pane,
        extras: [...options.extensions(), runKeys, dropFiles],
        onChange(changes) {
          drafts.noteChange();
          recording.noteChanges(name, changes);
        },
      });
    } catch (err) {
      // Leave this file as a plain textarea rather than lose it.
      console.error(`Interview Lab editor: could not set up ${name}`, err);
      return;
    }
    tabs.add({ name, textarea, view, tab, pane });
  });

  if (files.length === 0) return;
  recording.begin();
  const finish = document.getElementById("finish-interview");
  if (finish && finish.form) finish.form.addEventListener("submit", () => recording.flush());
  tabs.select(0, false);
  form.classList.add("has-code-editor");
  setUpPanes(form.closest(".solve"), form);

  options.bind(() => files.map((file) => file.view));
  handleResetToStarter(document.getElementById("reset-starter"), document.getElementById("starter-files"), files);
  handleRunSubmit({ form, runButton, submitButton, resultEl, onDraftVersion: drafts.adoptVersion });
  drafts.restoreUnsaved();
}

// A page brought back from the back/forward cache shows the text it had when it was
// left; the server may have a newer draft since, so load the page again.
window.addEventListener("pageshow", (event) => {
  if (event.persisted && document.getElementById("solve-form")) window.location.reload();
});

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
