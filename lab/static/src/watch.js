// The interviewer's live view: the server sends the interview's whole state (items, files,
// Runs and Submits, the item on the candidate's screen, the clock) over Server-Sent
// Events at each change; this puts it on the page.  Without EventSource, or when the
// stream is refused, the state is polled once a second.  Without JavaScript the page is
// the state at load, and says to reload.

import { CSRF_FIELD, csrfToken } from "./csrf.js";

const POLL_MS = 1000;

function start() {
  const bar = document.getElementById("watch-bar");
  const initial = document.getElementById("watch-state");
  if (!bar || !initial) return;
  const clockEl = document.getElementById("watch-clock");
  const statusEl = document.getElementById("watch-status");
  const linkEl = document.getElementById("watch-link");
  const follow = document.getElementById("follow");
  const sections = Array.from(document.querySelectorAll(".watch-item"));
  let state = JSON.parse(initial.textContent);
  let shown = state.current_item;
  let secondsLeft = state.seconds_left;
  let anchor = performance.now();
  let ended = false;

  function say(text) {
    linkEl.textContent = text;
  }

  function show(number) {
    shown = number;
    const noteItem = document.getElementById("note-item");
    if (noteItem) noteItem.value = String(number); // a new note is about what is on screen
    for (const section of sections) section.hidden = Number(section.dataset.number) !== number;
    for (const link of document.querySelectorAll(".interview-items a[data-item]")) {
      if (Number(link.dataset.item) === number) link.setAttribute("aria-current", "step");
      else link.removeAttribute("aria-current");
    }
  }

  function runText(run) {
    const what = run.mode === "run" ? "Run" : "Submit";
    if (run.status !== "done") return `${what} · ${run.status}…`;
    return `${what} · ${run.verdict} · ${run.passed_tests} of ${run.tests} tests passed`;
  }

  function renderFiles(section, files) {
    const holder = section.querySelector(".watch-files");
    if (!holder || !files) return;
    for (const [name, text] of Object.entries(files)) {
      let pre = Array.from(holder.querySelectorAll("pre[data-file]")).find((p) => p.dataset.file === name);
      if (!pre) {
        const heading = document.createElement("h3");
        heading.className = "watch-file-name";
        heading.textContent = name;
        pre = document.createElement("pre");
        pre.className = "watch-code";
        pre.dataset.file = name;
        pre.tabIndex = 0;
        pre.setAttribute("aria-label", `${name}, read-only`);
        pre.appendChild(document.createElement("code"));
        holder.append(heading, pre);
      }
      const code = pre.querySelector("code");
      if (code.textContent !== text) code.textContent = text;
    }
  }

  function renderRuns(section, runs) {
    const list = section.querySelector(".watch-runs");
    if (!list) return;
    const items = runs.map((run) => {
      const li = document.createElement("li");
      li.dataset.id = String(run.id);
      li.textContent = runText(run);
      return li;
    });
    if (!items.length) {
      const none = document.createElement("li");
      none.className = "note";
      none.textContent = "None yet.";
      items.push(none);
    }
    const same = items.length === list.children.length &&
      items.every((li, i) => li.textContent === list.children[i].textContent);
    if (!same) list.replaceChildren(...items);
  }

  function render(next) {
    state = next;
    secondsLeft = next.seconds_left;
    anchor = performance.now();
    for (const item of next.items) {
      const section = sections.find((s) => Number(s.dataset.number) === item.number);
      if (!section) continue;
      renderFiles(section, item.files);
      renderRuns(section, item.submissions || []);
      const saved = section.querySelector(".watch-saved");
      if (saved) saved.textContent = item.saved_at ? new Date(item.saved_at).toLocaleTimeString() : "not yet";
      const hints = section.querySelector(".watch-hints");
      if (hints) hints.textContent = String(item.hints_used);
      const answer = section.querySelector(".watch-answer");
      if (answer) answer.textContent = item.answer ? JSON.stringify(item.answer.value) : "not answered yet";
    }
    for (const mark of document.querySelectorAll(".interview-items .on-screen")) {
      const link = mark.parentElement.querySelector("a[data-item]");
      mark.hidden = !link || Number(link.dataset.item) !== next.current_item;
    }
    if (follow.checked) show(next.current_item);
    statusEl.dataset.status = next.status;
    statusEl.textContent = next.status === "active" ? "In progress"
      : next.status === "grading" ? "Ended, being graded" : "Over";
    if (next.status !== "active") {
      ended = true;
      say("The interview has ended.");
    }
  }

  function tick() {
    const left = ended ? 0 : Math.max(0, secondsLeft - (performance.now() - anchor) / 1000);
    const text = `${Math.floor(left / 60)}:${String(Math.floor(left % 60)).padStart(2, "0")}`;
    if (clockEl.textContent !== text) clockEl.textContent = text;
  }

  async function poll() {
    if (ended) return;
    try {
      const response = await fetch(bar.dataset.stateUrl, { credentials: "same-origin", cache: "no-store" });
      if (response.status === 404 || response.redirected) {
        say("Your access to this interview has ended.");
        ended = true;
        return;
      }
      if (response.ok) {
        render(await response.json());
        say("Live (polling)");
      }
    } catch (_) {
      say("Reconnecting…");
    }
    setTimeout(poll, POLL_MS);
  }

  function listen() {
    if (typeof window.EventSource !== "function") {
      poll();
      return;
    }
    const source = new window.EventSource(bar.dataset.eventsUrl);
    let failures = 0;
    source.addEventListener("open", () => say("Live"));
    source.addEventListener("state", (event) => {
      failures = 0;
      say("Live");
      render(JSON.parse(event.data));
      if (state.status === "done") source.close();
    });
    source.addEventListener("gone", () => {
      source.close();
      ended = true;
      say("Your access to this interview has ended.");
    });
    source.addEventListener("error", () => {
      if (ended) return;
      failures += 1;
      say("Reconnecting…");
      // A refused stream (a full server, a lost session) is CLOSED: poll instead, which
      // also says when the access itself is gone.
      if (source.readyState === window.EventSource.CLOSED || failures >= 5) {
        source.close();
        poll();
      }
    });
  }

  for (const link of document.querySelectorAll(".interview-items a[data-item]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const number = Number(link.dataset.item);
      if (number !== state.current_item) follow.checked = false; // looking elsewhere
      show(number);
    });
  }
  keepNotesOnThePage();
  follow.addEventListener("change", () => {
    if (follow.checked) show(state.current_item);
  });
  show(shown);
  say("Connecting…");
  setInterval(tick, 250);
  listen();
}

// A note is sent without leaving the page (the live stream stays open); the server's
// answer is added to the list, a refusal is said next to the form.
function keepNotesOnThePage() {
  const form = document.getElementById("note-form");
  const list = document.getElementById("note-list");
  if (!form || !list) return;
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  status.className = "note-status";
  form.append(status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(form).entries());
    delete fields[CSRF_FIELD];
    status.textContent = "Saving…";
    let response = null;
    try {
      response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken(form) },
        body: JSON.stringify(fields),
      });
    } catch (_) {
      status.textContent = "Not saved: the lab did not answer. Your note is still in the box.";
      return;
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      status.textContent = `Not saved: ${data.error || response.statusText}`;
      return;
    }
    const none = document.getElementById("no-notes");
    if (none) none.remove();
    list.append(noteItem(data));
    form.querySelector("textarea").value = "";
    status.textContent = "Note saved. Only you see it until you share your review.";
  });
}

function noteItem(note) {
  const li = document.createElement("li");
  li.className = "interview-note";
  li.dataset.id = String(note.id);
  const when = document.createElement("span");
  when.className = "note";
  const minutes = Math.floor(note.at_seconds / 60);
  const seconds = String(Math.floor(note.at_seconds % 60)).padStart(2, "0");
  when.textContent = `${minutes}:${seconds} into the interview · item ${note.item}` +
    (note.file ? ` · ${note.file} lines ${note.line_from}–${note.line_to}` : "");
  const body = document.createElement("div");
  body.className = "note-body";
  body.textContent = note.body;
  li.append(when, body);
  if (note.quote) {
    const pre = document.createElement("pre");
    pre.className = "note-quote";
    const code = document.createElement("code");
    code.textContent = note.quote;
    pre.append(code);
    li.append(pre);
  }
  return li;
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
