// Ctrl/Cmd-Enter runs the public tests, Ctrl/Cmd-Shift-Enter submits: inside an editor
// (a CodeMirror keymap) and anywhere else in the form (a plain keydown listener).
// Both press the real button, so a disabled button (closed task, request pending)
// also disables its key.

import { Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";

function clickIfEnabled(button) {
  if (button && !button.disabled) button.click();
  return true; // swallow the key either way (don't insert a newline)
}

// Installs the form-wide listener and returns the extension each editor needs.
export function runSubmitShortcuts(form, runButton, submitButton) {
  // Same shortcuts while focus is elsewhere in the form (tabs, checkboxes,
  // buttons). Keys already handled by an editor arrive defaultPrevented.
  form.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.key !== "Enter") return;
    if (event.target.closest && event.target.closest(".cm-editor")) return;
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    event.preventDefault();
    clickIfEnabled(event.shiftKey ? submitButton : runButton);
  });

  // Highest precedence: Mod-Enter would otherwise insert a line (defaultKeymap).
  return Prec.highest(
    keymap.of([
      { key: "Mod-Enter", run: () => clickIfEnabled(runButton) },
      { key: "Mod-Shift-Enter", run: () => clickIfEnabled(submitButton) },
    ]),
  );
}
