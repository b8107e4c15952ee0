// The edit timeline of a mock interview task, for playback (lab/interviews/timeline.py):
// every change the editor makes is queued as CodeMirror's change set and sent about once
// a second, each with how long ago it was made (the server's clock stamps it).  The page
// starts with a snapshot of each file; when the server cannot apply a batch (another tab
// recorded since, a batch lost), the next one starts from snapshots again.  When the
// timeline is full or the item closes, recording stops quietly: drafts are saved as before.

import { csrfToken } from "./csrf.js";

const SEND_EVERY_MS = 1000;
const QUEUE_LIMIT = 2000; // past this (a long outage) the queue is replaced by snapshots
const STOP = new Set([400, 403, 404, 410, 413]);

function sessionId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// `files()` returns [{name, view}] for every editor.  Returns { begin(), noteChanges(name,
// changes), flush() }: begin() once the editors exist (the snapshots), flush() before the
// page is left on purpose (Finish), so the last edits go out first.
export function startTimeline({ url, files }) {
  if (!url || typeof crypto === "undefined" || !crypto.getRandomValues) {
    return { begin() {}, noteChanges() {}, flush() {} };
  }
  const session = sessionId();
  let queue = [];
  let timer = null;
  let sending = false;
  let stopped = false;
  let resyncs = 0;

  function snapshots() {
    const now = performance.now();
    return files().map((file) => ({ t: now, file: file.name, snapshot: file.view.state.doc.toString() }));
  }

  function schedule() {
    if (timer === null && !stopped) timer = setTimeout(send, SEND_EVERY_MS);
  }

  async function send(keepalive = false) {
    timer = null;
    if (sending || stopped || queue.length === 0) return;
    sending = true;
    const batch = queue;
    queue = [];
    const now = performance.now();
    const body = JSON.stringify({
      session,
      events: batch.map((event) => {
        const out = { ago: Math.max(0, Math.round(now - event.t)), file: event.file };
        if (event.snapshot !== undefined) out.snapshot = event.snapshot;
        else out.changes = event.changes;
        return out;
      }),
    });
    let response = null;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        keepalive: keepalive && body.length < 60000,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body,
      });
    } catch (_) {
      response = null;
    }
    sending = false;
    if (response && response.ok) {
      resyncs = 0;
    } else if (response && STOP.has(response.status)) {
      stopped = true;
      queue = [];
      return;
    } else if (response && (response.status === 409 || response.status === 422)) {
      // The server's copy differs from this page's: start again from the files as they are.
      resyncs += 1;
      if (resyncs > 3) {
        stopped = true;
        return;
      }
      queue = snapshots();
    } else {
      // Network trouble, a rate limit, a server error: keep the edits and try again.
      queue = batch.concat(queue);
      if (queue.length > QUEUE_LIMIT) queue = snapshots();
    }
    if (queue.length) schedule();
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") send(true);
  });

  return {
    begin() {
      queue = snapshots().concat(queue);
      schedule();
    },
    flush() {
      clearTimeout(timer);
      send(true);
    },
    noteChanges(name, changes) {
      if (stopped) return;
      queue.push({ t: performance.now(), file: name, changes: changes.toJSON() });
      if (queue.length > QUEUE_LIMIT) queue = snapshots();
      schedule();
    },
  };
}
