// Mock interview page (bundle entry: lab/static/dist/interview.js): the countdown,
// resynchronised with the server, and the time an item is on screen.  The server's clock
// decides; this only shows it.  Remaining time is counted with performance.now(), which
// changing the computer's clock does not move.

import { csrfToken } from "./csrf.js";

// The script tag is deferred, so the page is parsed by the time this runs.
function init() {
  const bar = document.getElementById("interview-clock");
  if (!bar) return;
  const totalEl = document.getElementById("clock-total");
  const sectionEl = document.getElementById("clock-section");
  const statusEl = document.getElementById("clock-status");
  const RESYNC_MS = 15000;
  const TIME_REPORT_MS = 10000;
  let anchor = performance.now();
  let total = parseFloat(bar.dataset.secondsLeft);
  let item = parseFloat(bar.dataset.itemSecondsLeft);
  let ended = false;

  function show(el, seconds) {
    if (!el) return;
    const s = Math.max(0, Math.ceil(seconds));
    const text = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    if (el.textContent !== text) el.textContent = text;
  }

  function lock(message) {
    for (const el of document.querySelectorAll("#solve-form button, #answer-form button, #answer-form input, #answer-form textarea")) {
      el.disabled = true;
    }
    if (statusEl) statusEl.textContent = message;
  }

  function tick() {
    const elapsed = (performance.now() - anchor) / 1000;
    const totalLeft = total - elapsed;
    const itemLeft = item - elapsed;
    show(totalEl, totalLeft);
    show(sectionEl, itemLeft);
    if (!ended && totalLeft <= 0) {
      ended = true;
      lock("Time is up. Grading your saved work…");
      // Give the server a moment to pass its deadline, then show the scorecard.
      setTimeout(() => window.location.assign(bar.dataset.endUrl), 1500);
    } else if (!ended && itemLeft <= 0) {
      lock("Time for this section is up; its answers are locked.");
    }
  }

  // Who watches live, as the server last said: the banner, and how soon drafts are saved.
  function showWatchers(data) {
    const form = document.getElementById("solve-form");
    if (form) form.setAttribute("data-live-save-ms", String(data.live_save_ms || 0));
    const banner = document.getElementById("watch-banner");
    if (!banner || !Array.isArray(data.watchers)) return;
    banner.hidden = data.watchers.length === 0;
    const names = document.getElementById("watch-names");
    if (names) names.textContent = data.watchers.join(", ");
  }
  showWatchers({ live_save_ms: parseInt(bar.dataset.liveSaveMs || "0", 10) });

  async function resync() {
    try {
      const response = await fetch(bar.dataset.clockUrl, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok || response.redirected) return;
      const data = await response.json();
      if (data.status !== "active") {
        window.location.assign(bar.dataset.endUrl);
        return;
      }
      showWatchers(data);
      anchor = performance.now();
      total = data.seconds_left;
      if (typeof data.item_seconds_left === "number") item = data.item_seconds_left;
    } catch (_) {
      // Offline: keep counting; the server refuses late work whatever this shows.
    }
  }

  let lastReport = performance.now();
  function reportTime(keepalive) {
    const now = performance.now();
    const seconds = (now - lastReport) / 1000;
    lastReport = now;
    if (ended || document.visibilityState !== "visible" && !keepalive) return;
    fetch(bar.dataset.timeUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ seconds }),
      credentials: "same-origin",
      keepalive,
    }).catch(() => {});
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") reportTime(true);
    else {
      lastReport = performance.now();
      resync();
    }
  });
  // Quiz answers save themselves as they change (the button stays for no-JS use).
  const answerForm = document.getElementById("answer-form");
  const answerStatus = document.getElementById("answer-status");
  let answerTimer = null;
  async function saveAnswer() {
    answerTimer = null;
    if (ended) return;
    const body = new FormData(answerForm);
    if ([...body.keys()].every((key) => !key.startsWith("q:") || !body.get(key))) return;
    try {
      const response = await fetch(answerForm.action, {
        method: "POST",
        body,
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      });
      let message = "Saved";
      if (!response.ok) {
        const data = await response.json().catch(() => null);
        message = (data && data.error) || `Not saved (${response.status})`;
      }
      if (answerStatus) answerStatus.textContent = message;
    } catch (_) {
      if (answerStatus) answerStatus.textContent = "Not saved: no connection. Use Save answer when back online.";
    }
  }
  if (answerForm) {
    answerForm.addEventListener("change", () => {
      clearTimeout(answerTimer);
      answerTimer = setTimeout(saveAnswer, 300);
    });
    answerForm.addEventListener("input", () => {
      clearTimeout(answerTimer);
      answerTimer = setTimeout(saveAnswer, 800);
    });
  }

  setInterval(tick, 250);
  setInterval(resync, RESYNC_MS);
  setInterval(() => reportTime(false), TIME_REPORT_MS);
  tick();
}

init();
