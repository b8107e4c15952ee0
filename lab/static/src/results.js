// The #result panel: errors shown in place, and the server-rendered result fragment
// followed until the grader is done, pushed by Server-Sent Events or, when the stream
// cannot be used, polled.

import { SIGNED_OUT, errorMessageFrom } from "./http.js";
import { enhancePanelTabs } from "./panel-tabs.js";

const POLL_INTERVAL_MS = 400;
const POLL_MAX_MS = 3 * 60 * 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function setText(el, text) {
  if (el) el.textContent = text;
}

// The server-rendered panel, with its Tests / Console tabs working.
function showPanel(resultEl, html) {
  if (!resultEl) return;
  resultEl.innerHTML = html;
  enhancePanelTabs(resultEl);
}

export function showError(resultEl, message) {
  if (!resultEl) return;
  const box = document.createElement("div");
  box.className = "result-error";
  box.setAttribute("role", "alert");
  box.textContent = message;
  resultEl.textContent = "";
  resultEl.appendChild(box);
}

export function showStillWaiting(resultEl) {
  const note = document.createElement("p");
  note.className = "result-timeout";
  note.textContent = "Still waiting for the result after 3 minutes. Reload the page to check again.";
  if (resultEl) resultEl.appendChild(note);
}

// The panel template marks its root data-status="done" once the verdict is final.
function fragmentIsDone(html) {
  const tpl = document.createElement("template");
  tpl.innerHTML = html;
  const root = tpl.content.firstElementChild;
  return !!root && root.getAttribute("data-status") === "done";
}

export async function pollPanel(resultEl, panelUrl) {
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
        showPanel(resultEl, html);
      }
      if (fragmentIsDone(html)) return;
    } else if (response && response.status >= 400 && response.status < 500) {
      showError(resultEl, await errorMessageFrom(response));
      return;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  showStillWaiting(resultEl);
}

// The result pushed by the server (Server-Sent Events) instead of polled: one event with
// the rendered panel now and one at each change. Resolves "done" once the final panel is
// shown, "timeout" after POLL_MAX_MS, and "fallback" when the stream cannot be used (no
// EventSource, the server refused it or keeps failing): the caller then polls.
export function followEvents(resultEl, eventsUrl) {
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
        showPanel(resultEl, data.html);
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
