// Drafts: the files are saved with a PUT to the form's data-draft-url shortly after the
// typing stops, and flushed (keepalive) when the page is hidden.  Nothing typed is lost:
//   * each save names the version it grew from (data-draft-version); a save the server
//     refuses as stale (409 with the stored text: another tab, a page from Back) shows
//     both versions and lets the person choose (conflict.js), never overwrites;
//   * until a save covers the latest edit, a copy stays in this browser (localStorage)
//     and is offered back when the page opens again;
//   * an ended session or a stale CSRF token is recovered on the page (session.js);
//   * a refusal that cannot change by retrying (too large, not text) is said once, in
//     the server's words, and nothing is sent again until the next edit;
//   * network errors and server trouble are retried with backoff.
// #save-status says where things stand.
//
// While an interviewer watches (the form's data-live-save-ms, set by the page or later by
// interview.js), a save also goes out at most that long after the first unsaved edit, so
// continuous typing reaches the live view instead of waiting for a pause.

import { askWhichVersion } from "./conflict.js";
import { csrfToken } from "./csrf.js";
import { errorMessageFrom } from "./http.js";
import { sendKeepingSession, sessionProblem } from "./session.js";

const SAVE_DEBOUNCE_MS = 800;
const BACKUP_DEBOUNCE_MS = 400;
const SAVE_RETRY_FIRST_MS = 1000;
const SAVE_RETRY_MAX_MS = 30000;
const KEEPALIVE_BODY_LIMIT = 60000; // browsers cap keepalive bodies at 64 KiB
const BACKUP_PREFIX = "lab-unsaved:";
const PERMANENT = new Set([400, 413, 422]); // the same text would be refused again

// `snapshot()` returns {filename: text} for every editor; `replaceFiles(files)` puts
// texts into the editors.  Returns { noteChange, restoreUnsaved, adoptVersion }.
export function startAutosave({ form, draftUrl, statusEl, snapshot, replaceFiles }) {
  let changeCount = 0; // bumped on every edit
  let savedCount = 0; // changeCount covered by the last successful save
  let saveTimer = null;
  let backupTimer = null;
  let saveInFlight = false;
  let retryDelay = 0;
  let refused = false; // a permanent refusal: wait for the next edit
  let choosing = false; // two versions on screen: wait for the person's choice
  let firstUnsavedAt = null; // when the oldest edit no save has taken yet was made
  let baseVersion = parseInt(form.getAttribute("data-draft-version") || "0", 10) || 0;
  const versionInput = form.querySelector('input[name="draft_version"]');
  const backupKey = BACKUP_PREFIX + draftUrl;

  function say(text) {
    if (statusEl) statusEl.textContent = text;
  }

  // The version later saves and the Run form (draft_version) are based on.
  function adoptVersion(version) {
    if (typeof version !== "number") return;
    baseVersion = version;
    form.setAttribute("data-draft-version", String(version));
    if (versionInput) versionInput.value = String(version);
  }

  function keepBackup(files) {
    try {
      localStorage.setItem(backupKey, JSON.stringify({ files: files || snapshot(), base: baseVersion }));
    } catch (_) {
      /* storage full or disabled: the server save is still tried */
    }
  }

  function dropBackup() {
    clearTimeout(backupTimer);
    try {
      localStorage.removeItem(backupKey);
    } catch (_) {
      /* nothing to drop */
    }
  }

  function readBackup() {
    try {
      const data = JSON.parse(localStorage.getItem(backupKey) || "null");
      if (data && typeof data.files === "object" && typeof data.base === "number") return data;
    } catch (_) {
      /* unreadable: ignored */
    }
    return null;
  }

  function draftRequest(body, keepalive) {
    return fetch(draftUrl, {
      method: "PUT",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(form),
      },
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
    if (!draftUrl || saveInFlight || refused || choosing || savedCount === changeCount) return;
    saveInFlight = true;
    firstUnsavedAt = null; // this save takes every edit so far
    const covering = changeCount;
    const files = snapshot();
    const body = JSON.stringify({ files, base_version: baseVersion });
    keepBackup(files);
    say("Saving…");
    let response = null;
    try {
      response = await sendKeepingSession(() => draftRequest(body, false), say);
    } catch (_) {
      response = null; // network error
    }
    saveInFlight = false;
    await handleAnswer(response, covering);
  }

  async function handleAnswer(response, covering) {
    if (response && response.ok && !response.redirected) {
      let data = {};
      try {
        data = await response.json();
      } catch (_) {
        data = {};
      }
      adoptVersion(data.version);
      retryDelay = 0;
      if (covering > savedCount) savedCount = covering;
      if (savedCount === changeCount) {
        dropBackup();
        say("Saved");
      } else if (saveTimer === null) {
        scheduleSave(nextSaveDelay()); // edited while the request was out
      }
      return;
    }
    if (response && response.status === 409) {
      let data = null;
      try {
        data = await response.clone().json();
      } catch (_) {
        data = null;
      }
      if (data && data.conflict) {
        await chooseVersion(data.conflict);
        return;
      }
      // The server's clock ended the time for this work (mock interviews): retrying
      // cannot help, so say why and stop.
      savedCount = changeCount;
      dropBackup();
      say(await errorMessageFrom(response));
      return;
    }
    // A session refusal that outlived the recovery (or came from the keepalive save,
    // which does not recover): retry; the next save signs in again.
    const sessionRefused = response ? (await sessionProblem(response)) !== null : false;
    if (response && !sessionRefused && PERMANENT.has(response.status)) {
      refused = true;
      retryDelay = 0;
      say(`Not saved: ${await errorMessageFrom(response)}`);
      return;
    }
    say("Not saved — retrying");
    retryDelay = retryDelay ? Math.min(retryDelay * 2, SAVE_RETRY_MAX_MS) : SAVE_RETRY_FIRST_MS;
    // A later edit may already have queued a sooner save; the retry replaces it, and
    // whichever request goes out snapshots the latest text.
    scheduleSave(retryDelay);
  }

  // `theirs`: {version, files, saved_at} stored on the server; `mine`: this editor's
  // text, or the browser's unsaved copy when the page opens with one.
  async function chooseVersion(theirs, mine = null, mineLabel = "") {
    choosing = true;
    say("Not saved — two versions, choose one");
    const choice = await askWhichVersion({
      form,
      mine: mine || snapshot(),
      theirs: theirs.files,
      savedAt: theirs.saved_at,
      mineLabel,
    });
    choosing = false;
    adoptVersion(theirs.version);
    if (choice === "theirs") {
      replaceFiles(theirs.files);
      clearTimeout(saveTimer);
      saveTimer = null;
      savedCount = changeCount;
      dropBackup();
      say("Saved");
    } else {
      if (mine) replaceFiles(mine);
      if (savedCount === changeCount) changeCount += 1; // nothing new typed: still send it
      scheduleSave(0);
    }
  }

  function noteChange() {
    changeCount += 1;
    if (firstUnsavedAt === null) firstUnsavedAt = performance.now();
    refused = false;
    clearTimeout(backupTimer);
    backupTimer = setTimeout(() => {
      if (savedCount !== changeCount) keepBackup();
    }, BACKUP_DEBOUNCE_MS);
    // While retrying after a failure keep the backoff; the retry sends the latest text.
    if (retryDelay !== 0) return;
    // Watched: a pending save is not pushed back by more typing (the maximum wait).
    if (liveSaveMs() && saveTimer !== null) return;
    scheduleSave(nextSaveDelay());
  }

  // Unwatched: a pause in typing.  Watched: what is left of the maximum wait since the
  // oldest unsaved edit (0 when a save in flight already made it wait longer).
  function nextSaveDelay() {
    const live = liveSaveMs();
    if (!live) return SAVE_DEBOUNCE_MS;
    const since = firstUnsavedAt === null ? 0 : performance.now() - firstUnsavedAt;
    return Math.max(0, live - since);
  }

  function liveSaveMs() {
    const value = parseInt(form.getAttribute("data-live-save-ms") || "0", 10);
    return value > 0 ? Math.min(value, SAVE_DEBOUNCE_MS) : 0;
  }

  // After the editors exist: a copy left by an earlier visit whose save never arrived.
  // Based on the version this page shows, it is simply put back and saved; based on an
  // older one, the person chooses between it and what the server has now.
  function restoreUnsaved() {
    if (!draftUrl) return;
    const backup = readBackup();
    if (!backup) return;
    const current = snapshot();
    const names = Object.keys(backup.files).filter((name) => name in current);
    if (!names.some((name) => backup.files[name] !== current[name])) {
      dropBackup();
      return;
    }
    const unsaved = {};
    for (const name of names) unsaved[name] = String(backup.files[name]);
    if (backup.base === baseVersion) {
      replaceFiles(unsaved);
      say("Restored unsaved changes kept in this browser");
      return;
    }
    chooseVersion({ version: baseVersion, files: current, saved_at: null }, unsaved,
      "Use the unsaved copy kept in this browser");
  }

  function saveOnHide() {
    if (!draftUrl || refused || choosing || savedCount === changeCount) return;
    clearTimeout(saveTimer);
    saveTimer = null;
    const covering = changeCount;
    const files = snapshot();
    keepBackup(files); // if the request does not make it, the next visit offers this copy
    const body = JSON.stringify({ files, base_version: baseVersion });
    const keepalive = new Blob([body]).size <= KEEPALIVE_BODY_LIMIT;
    say("Saving…");
    draftRequest(body, keepalive).then(
      (response) => handleAnswer(response, covering),
      () => handleAnswer(null, covering),
    );
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveOnHide();
  });

  return { noteChange, restoreUnsaved, adoptVersion };
}
