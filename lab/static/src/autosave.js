// Drafts: the files are saved with a PUT to the form's data-draft-url shortly after the
// typing stops, retried with backoff when a save fails, and flushed (keepalive) when
// the page is hidden so closing the tab does not lose the last edits. #save-status
// says where things stand.

import { csrfToken } from "./csrf.js";
import { errorMessageFrom } from "./http.js";

const SAVE_DEBOUNCE_MS = 800;
const SAVE_RETRY_FIRST_MS = 1000;
const SAVE_RETRY_MAX_MS = 30000;
const KEEPALIVE_BODY_LIMIT = 60000; // browsers cap keepalive bodies at 64 KiB

// `snapshot()` returns {filename: text} for every editor. Returns `noteChange`, to call
// after each edit. Without a draft URL nothing is ever sent.
export function startAutosave({ form, draftUrl, statusEl, snapshot }) {
  let changeCount = 0; // bumped on every edit
  let savedCount = 0; // changeCount covered by the last successful save
  let saveTimer = null;
  let saveInFlight = false;
  let retryDelay = 0;

  function say(text) {
    if (statusEl) statusEl.textContent = text;
  }

  function draftRequest(body, keepalive) {
    return fetch(draftUrl, {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
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
    say("Saving…");
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
        say(await errorMessageFrom(response));
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
        say("Saved");
      } else if (saveTimer === null) {
        // Edited while the request was out and no save is queued: send the rest.
        scheduleSave(SAVE_DEBOUNCE_MS);
      }
    } else {
      say("Not saved — retrying");
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
    say("Saving…");
    draftRequest(body, keepalive).then(
      (response) => {
        if (response.ok && !response.redirected) {
          retryDelay = 0;
          if (covering > savedCount) savedCount = covering;
          if (savedCount === changeCount) say("Saved");
          else if (saveTimer === null) scheduleSave(SAVE_DEBOUNCE_MS);
        } else {
          say("Not saved — retrying");
          scheduleSave(SAVE_RETRY_FIRST_MS);
        }
      },
      () => {
        say("Not saved — retrying");
        scheduleSave(SAVE_RETRY_FIRST_MS);
      },
    );
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveOnHide();
  });

  return noteChange;
}
