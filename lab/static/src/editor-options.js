// The Autocomplete and Close brackets checkboxes: each toggles a CodeMirror extension
// in every open editor, and the choice is remembered in localStorage across pages.

import { Compartment } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { autocompletion, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";

const PREF_KEYS = {
  autocomplete: "interview-lab.editor.autocomplete",
  brackets: "interview-lab.editor.closeBrackets",
};

function readPref(key) {
  try {
    const value = window.localStorage.getItem(key);
    return value === null ? null : value === "1";
  } catch (_) {
    return null; // storage disabled (privacy mode, sandboxed iframe, ...)
  }
}

function writePref(key, on) {
  try {
    window.localStorage.setItem(key, on ? "1" : "0");
  } catch (_) {
    /* not fatal: the choice just isn't remembered */
  }
}

// A stored choice wins over the checkbox's server-rendered default; with no checkbox
// on the page the option is on unless it was turned off before.
function initialPref(box, key) {
  const stored = readPref(key);
  if (box && stored !== null) box.checked = stored;
  return box ? box.checked : stored !== false;
}

// One toggle: a compartment so the extension can be swapped in place without
// rebuilding the editors (which would lose undo history and selection).
function option(box, key, extensionFor) {
  const slot = new Compartment();
  let on = initialPref(box, key);
  return {
    extension: () => slot.of(extensionFor(on)),
    bind(views) {
      if (!box) return;
      box.addEventListener("change", () => {
        on = box.checked;
        writePref(key, on);
        const effect = slot.reconfigure(extensionFor(on));
        for (const view of views()) view.dispatch({ effects: effect });
      });
    },
  };
}

// `extensions()` goes into each new editor; `bind(views)` wires the checkboxes once the
// editors exist (`views` returns them all).
export function editorOptions(autocompleteBox, bracketsBox) {
  const toggles = [
    option(autocompleteBox, PREF_KEYS.autocomplete, (on) => (on ? autocompletion() : [])),
    option(bracketsBox, PREF_KEYS.brackets, (on) =>
      on ? [closeBrackets(), keymap.of(closeBracketsKeymap)] : [],
    ),
  ];
  return {
    extensions: () => toggles.map((t) => t.extension()),
    bind: (views) => toggles.forEach((t) => t.bind(views)),
  };
}
