// The editor's options: the Autocomplete and Close brackets checkboxes each toggle a
// CodeMirror extension in every open editor, the font size applies to all of them, and
// the colours follow the page's theme (static/theme.js).  Choices are remembered in
// localStorage across pages.

import { Compartment, Prec } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { autocompletion, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { oneDark } from "@codemirror/theme-one-dark";

const PREF_KEYS = {
  autocomplete: "interview-lab.editor.autocomplete",
  brackets: "interview-lab.editor.closeBrackets",
  fontSize: "interview-lab.editor.fontSize",
};
const FONT_SIZES = [12, 13, 14, 15, 16, 18, 20, 24];

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
    window.localStorage.setItem(key, typeof on === "boolean" ? (on ? "1" : "0") : String(on));
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

// The font size: a <select> the page renders hidden (useless without the editor), shown
// here; the size is a CSS variable the editor panes read (editor.css).
function fontSize(select) {
  let stored = null;
  try {
    stored = Number(window.localStorage.getItem(PREF_KEYS.fontSize));
  } catch (_) {
    stored = null;
  }
  const apply = (px) => document.documentElement.style.setProperty("--code-font-size", `${px}px`);
  if (FONT_SIZES.includes(stored)) apply(stored);
  if (!select) return;
  if (FONT_SIZES.includes(stored)) select.value = String(stored);
  select.closest("[hidden]")?.removeAttribute("hidden");
  select.addEventListener("change", () => {
    const px = Number(select.value);
    if (!FONT_SIZES.includes(px)) return;
    apply(px);
    writePref(PREF_KEYS.fontSize, px);
  });
}

// The editor's colours: One Dark while the page is dark, CodeMirror's own light look
// otherwise; switched in place when the theme changes.
function colours() {
  const slot = new Compartment();
  // One Dark on its own background falls short of 4.5:1 contrast for its line numbers
  // (3.9) and its red and purple (4.4): a darker background of its own palette and
  // lighter line numbers pass (axe checks it in tests/browser/test_workspace.py).
  const readable = Prec.highest(
    EditorView.theme(
      {
        "&": { backgroundColor: "#21252b" },
        ".cm-gutters": { backgroundColor: "#21252b", color: "#a3abb9" },
        ".cm-activeLine": { backgroundColor: "#6699ff08" },
      },
      { dark: true },
    ),
  );
  const themeFor = (name) => (name === "dark" ? [oneDark, readable] : []);
  const current = () => (typeof window.labTheme === "function" ? window.labTheme() : "light");
  return {
    extension: () => slot.of(themeFor(current())),
    bind(views) {
      window.addEventListener("lab-theme", (event) => {
        const effect = slot.reconfigure(themeFor(event.detail));
        for (const view of views()) view.dispatch({ effects: effect });
      });
    },
  };
}

// `extensions()` goes into each new editor; `bind(views)` wires the controls once the
// editors exist (`views` returns them all).
export function editorOptions(autocompleteBox, bracketsBox, fontSizeSelect) {
  const toggles = [
    option(autocompleteBox, PREF_KEYS.autocomplete, (on) => (on ? autocompletion() : [])),
    option(bracketsBox, PREF_KEYS.brackets, (on) =>
      on ? [closeBrackets(), keymap.of(closeBracketsKeymap)] : [],
    ),
    colours(),
  ];
  fontSize(fontSizeSelect);
  return {
    extensions: () => toggles.map((t) => t.extension()),
    bind: (views) => toggles.forEach((t) => t.bind(views)),
  };
}
