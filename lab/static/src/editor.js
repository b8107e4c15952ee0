// Interview Lab: browser editor.
//
// Progressive enhancement of the server-rendered solve page. Without this
// script the page still works: every editable file is a plain <textarea>
// inside #solve-form and the Run / Submit buttons post the form. With it:
//
//   * each textarea becomes a CodeMirror 6 editor (the textarea stays in the
//     form, hidden, and is kept in sync so a plain POST still carries the code);
//   * one tab per file in .file-tabs;
//   * autocomplete / bracket closing toggles (remembered in localStorage);
//   * Ctrl/Cmd-Enter runs the public tests, Ctrl/Cmd-Shift-Enter submits;
//   * drafts are autosaved with a PUT to the form's data-draft-url;
//   * Run / Submit go through fetch and the result panel is pushed into #result by
//     Server-Sent Events (polled when EventSource is missing or the stream fails);
//   * "Reset to starter" puts the starter code back.

import { EditorState, Compartment, Prec } from "@codemirror/state";
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
import {
  defaultKeymap,
  history,
  historyKeymap,
  indentWithTab,
} from "@codemirror/commands";
import {
  indentOnInput,
  indentUnit,
  bracketMatching,
  syntaxHighlighting,
  defaultHighlightStyle,
  StreamLanguage,
} from "@codemirror/language";
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  currentCompletions,
} from "@codemirror/autocomplete";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { python } from "@codemirror/lang-python";
import { yaml } from "@codemirror/lang-yaml";
import { dockerFile } from "@codemirror/legacy-modes/mode/dockerfile";

const SAVE_DEBOUNCE_MS = 800;
const SAVE_RETRY_FIRST_MS = 1000;
const SAVE_RETRY_MAX_MS = 30000;
const KEEPALIVE_BODY_LIMIT = 60000; // browsers cap keepalive bodies at 64 KiB
const POLL_INTERVAL_MS = 400;
const POLL_MAX_MS = 3 * 60 * 1000;

const SIGNED_OUT = "Your session has ended. Sign in again in another tab, then come back and try again: your code is still here.";

const PREF_KEYS = {
  autocomplete: "interview-lab.editor.autocomplete",
  brackets: "interview-lab.editor.closeBrackets",
};

// ---------------------------------------------------------------------------
// Small helpers

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

function setText(el, text) {
  if (el) el.textContent = text;
}

function showError(resultEl, message) {
  if (!resultEl) return;
  const box = document.createElement("div");
  box.className = "result-error";
  box.setAttribute("role", "alert");
  box.textContent = message;
  resultEl.textContent = "";
  resultEl.appendChild(box);
}

function fragmentIsDone(html) {
  const tpl = document.createElement("template");
  tpl.innerHTML = html;
  const root = tpl.content.firstElementChild;
  return !!root && root.getAttribute("data-status") === "done";
}

async function errorMessageFrom(response) {
  let message = "";
  try {
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) {
      const data = await response.json();
      if (data && typeof data.error === "string") message = data.error;
    }
  } catch (_) {
    /* fall through to the generic message */
  }
  return message || `The server answered ${response.status} ${response.statusText}`.trim();
}

// ---------------------------------------------------------------------------
// Language per file name

function languageFor(filename) {
  const base = filename.split("/").pop().toLowerCase();
  if (base.endsWith(".py")) return [python(), indentUnit.of("    ")];
  if (base.endsWith(".yaml") || base.endsWith(".yml")) return [yaml(), indentUnit.of("  ")];
  if (base === "dockerfile" || base.endsWith(".dockerfile")) {
    return [StreamLanguage.define(dockerFile), indentUnit.of("    ")];
  }
  return [indentUnit.of("    ")];
}

// ---------------------------------------------------------------------------
// Main

function init() {
  const form = document.getElementById("solve-form");
  if (!form) return;

  const textareas = Array.from(form.querySelectorAll("textarea[data-filename]"));
  if (textareas.length === 0) return;

  const csrfInput = form.querySelector('input[name="csrf_token"]');
  const csrfToken = () => (csrfInput ? csrfInput.value : "");
  const draftUrl = form.getAttribute("data-draft-url") || "";
  const runButton = form.querySelector('button[type="submit"][name="mode"][value="run"]');
  const submitButton = form.querySelector('button[type="submit"][name="mode"][value="submit"]');
  const resetButton = document.getElementById("reset-starter");
  const autocompleteBox = document.getElementById("opt-autocomplete");
  const bracketsBox = document.getElementById("opt-brackets");
  const resultEl = document.getElementById("result");
  const saveStatusEl = document.getElementById("save-status");

  // ----- preferences -------------------------------------------------------

  function initialPref(box, key) {
    const stored = readPref(key);
    if (box && stored !== null) box.checked = stored;
    return box ? box.checked : stored !== false;
  }

  const autocompleteSlot = new Compartment();
  const bracketsSlot = new Compartment();
  const autocompleteExt = (on) => (on ? autocompletion() : []);
  const bracketsExt = (on) => (on ? [closeBrackets(), keymap.of(closeBracketsKeymap)] : []);
  let autocompleteOn = initialPref(autocompleteBox, PREF_KEYS.autocomplete);
  let bracketsOn = initialPref(bracketsBox, PREF_KEYS.brackets);

  // ----- shortcuts ---------------------------------------------------------

  function clickIfEnabled(button) {
    if (button && !button.disabled) button.click();
    return true; // swallow the key either way (don't insert a newline)
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

  const runKeys = Prec.highest(
    keymap.of([
      { key: "Mod-Enter", run: () => clickIfEnabled(runButton) },
      { key: "Mod-Shift-Enter", run: () => clickIfEnabled(submitButton) },
    ]),
  );

  // Same shortcuts while focus is elsewhere in the form (tabs, checkboxes,
  // buttons). Keys already handled by an editor arrive defaultPrevented.
  form.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.key !== "Enter") return;
    if (event.target.closest && event.target.closest(".cm-editor")) return;
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    event.preventDefault();
    clickIfEnabled(event.shiftKey ? submitButton : runButton);
  });

  // ----- autosave ----------------------------------------------------------

  let changeCount = 0; // bumped on every edit
  let savedCount = 0; // changeCount covered by the last successful save
  let saveTimer = null;
  let saveInFlight = false;
  let retryDelay = 0;

  const files = []; // {name, textarea, view, tab, pane}

  function snapshot() {
    const out = {};
    for (const file of files) out[file.name] = file.view.state.doc.toString();
    return out;
  }

  function draftRequest(body, keepalive) {
    return fetch(draftUrl, {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body,
      credentials: "same-origin",
      keepalive,
    });
  }

  function scheduleSave(delay) {
    if (!draftUrl) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveNow, delay);
  }

  async function saveNow() {
    saveTimer = null;
    if (!draftUrl || saveInFlight || savedCount === changeCount) return;
    saveInFlight = true;
    const covering = changeCount;
    const body = JSON.stringify({ files: snapshot() });
    setText(saveStatusEl, "Saving…");
    let ok = false;
    try {
      const response = await draftRequest(body, false);
      // A redirect means the session ended (login page): the draft was not stored.
      ok = response.ok && !response.redirected;
      if (response.status === 409) {
        // The server's clock ended the time for this work (mock interviews): retrying
        // cannot help, so say why and stop.
        saveInFlight = false;
        savedCount = changeCount;
        setText(saveStatusEl, await errorMessageFrom(response));
        return;
      }
    } catch (_) {
      ok = false; // network error
    }
    saveInFlight = false;
    if (ok) {
      retryDelay = 0;
      if (covering > savedCount) savedCount = covering;
      if (savedCount === changeCount) {
        setText(saveStatusEl, "Saved");
      } else if (saveTimer === null) {
        // Edited while the request was out and no save is queued: send the rest.
        scheduleSave(SAVE_DEBOUNCE_MS);
      }
    } else {
      setText(saveStatusEl, "Not saved — retrying");
      retryDelay = retryDelay ? Math.min(retryDelay * 2, SAVE_RETRY_MAX_MS) : SAVE_RETRY_FIRST_MS;
      // A later edit may already have queued a sooner save; the retry replaces it,
      // and whichever request goes out snapshots the latest text.
      scheduleSave(retryDelay);
    }
  }

  function noteChange() {
    changeCount += 1;
    // While retrying after a failure keep the backoff; the retry sends the latest text.
    if (retryDelay === 0) scheduleSave(SAVE_DEBOUNCE_MS);
  }

  function saveOnHide() {
    if (!draftUrl || savedCount === changeCount) return;
    clearTimeout(saveTimer);
    saveTimer = null;
    const covering = changeCount;
    const body = JSON.stringify({ files: snapshot() });
    const keepalive = new Blob([body]).size <= KEEPALIVE_BODY_LIMIT;
    setText(saveStatusEl, "Saving…");
    draftRequest(body, keepalive).then(
      (response) => {
        if (response.ok && !response.redirected) {
          retryDelay = 0;
          if (covering > savedCount) savedCount = covering;
          if (savedCount === changeCount) setText(saveStatusEl, "Saved");
          else if (saveTimer === null) scheduleSave(SAVE_DEBOUNCE_MS);
        } else {
          setText(saveStatusEl, "Not saved — retrying");
          scheduleSave(SAVE_RETRY_FIRST_MS);
        }
      },
      () => {
        setText(saveStatusEl, "Not saved — retrying");
        scheduleSave(SAVE_RETRY_FIRST_MS);
      },
    );
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveOnHide();
  });

  // ----- editors and tabs --------------------------------------------------

  let tabList = form.querySelector(".file-tabs");
  if (!tabList) {
    tabList = document.createElement("div");
    tabList.className = "file-tabs";
    tabList.setAttribute("role", "tablist");
    textareas[0].parentNode.insertBefore(tabList, textareas[0]);
  }
  tabList.setAttribute("role", "tablist");
  tabList.setAttribute("aria-label", "Files");

  function selectFile(index, focusTab) {
    files.forEach((file, i) => {
      const active = i === index;
      file.tab.setAttribute("aria-selected", active ? "true" : "false");
      file.tab.tabIndex = active ? 0 : -1;
      file.tab.classList.toggle("is-active", active);
      file.pane.hidden = !active;
    });
    const file = files[index];
    file.view.requestMeasure(); // it may have been laid out while hidden
    if (focusTab) file.tab.focus();
  }

  tabList.addEventListener("keydown", (event) => {
    const current = files.findIndex((f) => f.tab === document.activeElement);
    if (current < 0) return;
    let next = -1;
    if (event.key === "ArrowRight") next = (current + 1) % files.length;
    else if (event.key === "ArrowLeft") next = (current - 1 + files.length) % files.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = files.length - 1;
    if (next < 0) return;
    event.preventDefault();
    selectFile(next, true);
  });

  textareas.forEach((textarea, index) => {
    const name = textarea.getAttribute("data-filename");
    const uid = `code-file-${index}`;

    const pane = document.createElement("div");
    pane.className = "editor-pane";
    pane.id = `${uid}-panel`;
    pane.setAttribute("role", "tabpanel");

    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "file-tab";
    tab.id = `${uid}-tab`;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", pane.id);
    tab.textContent = name;
    pane.setAttribute("aria-labelledby", tab.id);

    let view;
    try {
      view = new EditorView({
        parent: pane,
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
            autocompleteSlot.of(autocompleteExt(autocompleteOn)),
            bracketsSlot.of(bracketsExt(bracketsOn)),
            runKeys,
            escapeThenTab,
            keymap.of([...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
            EditorView.contentAttributes.of({ "aria-label": `Code editor for ${name}` }),
            EditorView.updateListener.of((update) => {
              if (!update.docChanged) return;
              textarea.value = update.state.doc.toString();
              noteChange();
            }),
          ],
        }),
      });
    } catch (err) {
      // Leave this file as a plain textarea rather than lose it.
      console.error(`Interview Lab editor: could not set up ${name}`, err);
      return;
    }

    textarea.parentNode.insertBefore(pane, textarea.nextSibling);
    textarea.hidden = true; // still submitted with the form (hidden != disabled)
    if (textarea.id) {
      const label = form.querySelector(`label[for="${CSS.escape(textarea.id)}"]`);
      if (label) label.hidden = true;
    }

    const position = files.length;
    tab.addEventListener("click", () => selectFile(position, false));
    tabList.appendChild(tab);
    files.push({ name, textarea, view, tab, pane });
  });

  if (files.length === 0) return;
  selectFile(0, false);
  form.classList.add("has-code-editor");

  // ----- option checkboxes -------------------------------------------------

  if (autocompleteBox) {
    autocompleteBox.addEventListener("change", () => {
      autocompleteOn = autocompleteBox.checked;
      writePref(PREF_KEYS.autocomplete, autocompleteOn);
      const effect = autocompleteSlot.reconfigure(autocompleteExt(autocompleteOn));
      for (const file of files) file.view.dispatch({ effects: effect });
    });
  }
  if (bracketsBox) {
    bracketsBox.addEventListener("change", () => {
      bracketsOn = bracketsBox.checked;
      writePref(PREF_KEYS.brackets, bracketsOn);
      const effect = bracketsSlot.reconfigure(bracketsExt(bracketsOn));
      for (const file of files) file.view.dispatch({ effects: effect });
    });
  }

  // ----- reset to starter --------------------------------------------------

  const starterEl = document.getElementById("starter-files");
  if (resetButton) {
    resetButton.addEventListener("click", () => {
      let starter;
      try {
        starter = JSON.parse(starterEl ? starterEl.textContent : "");
      } catch (_) {
        window.alert("The starter code is not available on this page.");
        return;
      }
      if (!window.confirm("Replace your code with the starter code? Your current code will be lost.")) {
        return;
      }
      for (const file of files) {
        if (!Object.prototype.hasOwnProperty.call(starter, file.name)) continue;
        const text = String(starter[file.name]);
        const doc = file.view.state.doc;
        if (doc.toString() === text) continue;
        file.view.dispatch({ changes: { from: 0, to: doc.length, insert: text } });
      }
    });
  }

  // ----- run / submit ------------------------------------------------------

  let pending = false;
  let lastClicked = null; // fallback for browsers without SubmitEvent.submitter

  for (const button of [runButton, submitButton]) {
    if (button) button.addEventListener("click", () => (lastClicked = button));
  }

  function setPending(on) {
    pending = on;
    if (runButton) runButton.disabled = on;
    if (submitButton) submitButton.disabled = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function pollPanel(panelUrl) {
    const deadline = Date.now() + POLL_MAX_MS;
    let shown = null;
    while (Date.now() < deadline) {
      let response = null;
      try {
        response = await fetch(panelUrl, {
          headers: { Accept: "text/html" },
          credentials: "same-origin",
          cache: "no-store",
        });
      } catch (_) {
        response = null; // network hiccup: keep polling until the deadline
      }
      if (response && response.redirected) {
        showError(resultEl, SIGNED_OUT);
        return;
      }
      if (response && response.ok) {
        const html = await response.text();
        if (html !== shown) {
          shown = html;
          if (resultEl) resultEl.innerHTML = html;
        }
        if (fragmentIsDone(html)) return;
      } else if (response && response.status >= 400 && response.status < 500) {
        showError(resultEl, await errorMessageFrom(response));
        return;
      }
      await sleep(POLL_INTERVAL_MS);
    }
    showStillWaiting();
  }

  function showStillWaiting() {
    const note = document.createElement("p");
    note.className = "result-timeout";
    note.textContent = "Still waiting for the result after 3 minutes. Reload the page to check again.";
    if (resultEl) resultEl.appendChild(note);
  }

  // The result pushed by the server (Server-Sent Events) instead of polled: one event with
  // the rendered panel now and one at each change. Resolves "done" once the final panel is
  // shown, "timeout" after POLL_MAX_MS, and "fallback" when the stream cannot be used (no
  // EventSource, the server refused it or keeps failing): the caller then polls.
  function followEvents(eventsUrl) {
    return new Promise((resolve) => {
      if (typeof window.EventSource !== "function") {
        resolve("fallback");
        return;
      }
      let source;
      try {
        source = new window.EventSource(eventsUrl);
      } catch (_) {
        resolve("fallback");
        return;
      }
      let shown = null;
      let received = false;
      let failures = 0;
      let timer = null;
      const finish = (how) => {
        clearTimeout(timer);
        source.close();
        resolve(how);
      };
      timer = setTimeout(() => finish("timeout"), POLL_MAX_MS);
      source.addEventListener("status", (event) => {
        let data = null;
        try {
          data = JSON.parse(event.data);
        } catch (_) {
          return;
        }
        received = true;
        failures = 0;
        if (data && typeof data.html === "string" && data.html !== shown) {
          shown = data.html;
          if (resultEl) resultEl.innerHTML = data.html;
        }
        if (data && data.status === "done") finish("done");
      });
      source.onerror = () => {
        // CLOSED: the server refused the stream (busy, signed out). CONNECTING after some
        // events: the server ended a stream at its time cap and the browser reconnects by
        // itself, which is fine unless it keeps failing.
        failures += 1;
        if (source.readyState === window.EventSource.CLOSED || !received || failures >= 3) {
          finish("fallback");
        }
      };
    });
  }

  async function runOrSubmit(mode) {
    setPending(true);
    try {
      const body = new FormData(form);
      body.set("mode", mode);
      let response;
      try {
        response = await fetch(form.action, {
          method: "POST",
          body,
          headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
          credentials: "same-origin",
        });
      } catch (_) {
        showError(resultEl, "Could not reach the server. Check your connection and try again.");
        return;
      }
      if (response.redirected) {
        showError(resultEl, SIGNED_OUT);
        return;
      }
      if (!response.ok) {
        showError(resultEl, await errorMessageFrom(response));
        return;
      }
      let data = null;
      try {
        data = await response.json();
      } catch (_) {
        data = null;
      }
      if (!data || typeof data.panel_url !== "string") {
        showError(resultEl, (data && data.error) || "Unexpected answer from the server.");
        return;
      }
      setText(resultEl, mode === "submit" ? "Submitted, waiting for the grader…" : "Queued, waiting for the grader…");
      const how = typeof data.events_url === "string" ? await followEvents(data.events_url) : "fallback";
      if (how === "fallback") await pollPanel(data.panel_url);
      else if (how === "timeout") showStillWaiting();
    } finally {
      setPending(false);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (pending) return;
    const submitter = event.submitter || lastClicked;
    lastClicked = null;
    const mode = submitter && submitter.value === "submit" ? "submit" : "run";
    runOrSubmit(mode).catch((err) => {
      console.error("Interview Lab editor: run failed", err);
      showError(resultEl, "Something went wrong. Please try again.");
      setPending(false);
    });
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
