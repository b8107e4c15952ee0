// Run / Submit without leaving the page: the form is posted with fetch (asking for
// JSON), and the answer's URLs are followed into #result. Both buttons are disabled
// while a request is out so one click is one submission.

import { csrfToken } from "./csrf.js";
import { SIGNED_OUT, errorMessageFrom } from "./http.js";
import { sendKeepingSession, sessionProblem } from "./session.js";
import { followEvents, pollPanel, setText, showError, showStillWaiting } from "./results.js";

// `onDraftVersion(version)` is told the draft version the Run stored its files as.
// The result panel may sit under the editor, below the fold: bring it into view when a
// run starts, unless it is on screen already.
function revealResult(resultEl) {
  if (!resultEl || typeof resultEl.scrollIntoView !== "function") return;
  const box = resultEl.getBoundingClientRect();
  if (box.top >= 0 && box.top < window.innerHeight - 80) return;
  resultEl.scrollIntoView({ block: "start", behavior: "smooth" });
}

export function handleRunSubmit({ form, runButton, submitButton, resultEl, onDraftVersion = () => {} }) {
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

  async function runOrSubmit(mode) {
    setPending(true);
    try {
      // Built at each try: after a new sign-in the form's token input holds the
      // new session's token, and the form field is what the server checks first.
      const send = () => {
        const body = new FormData(form);
        body.set("mode", mode);
        return fetch(form.action, {
          method: "POST",
          body,
          headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
          credentials: "same-origin",
        });
      };
      let response;
      try {
        response = await sendKeepingSession(send, (text) => setText(resultEl, text));
      } catch (_) {
        showError(resultEl, "Could not reach the server. Check your connection and try again.");
        return;
      }
      if (response.redirected || (await sessionProblem(response)) !== null) {
        showError(resultEl, SIGNED_OUT);
        return;
      }
      if (!response.ok) {
        // A refused Run may still have stored its files as the draft: follow that version.
        const copy = response.clone();
        showError(resultEl, await errorMessageFrom(response));
        try {
          const refused = await copy.json();
          if (refused && typeof refused.draft_version === "number") onDraftVersion(refused.draft_version);
        } catch (_) {
          /* not JSON: nothing to follow */
        }
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
      if (typeof data.draft_version === "number") onDraftVersion(data.draft_version);
      setText(resultEl, mode === "submit" ? "Submitted, waiting for the grader…" : "Queued, waiting for the grader…");
      revealResult(resultEl);
      const how = typeof data.events_url === "string" ? await followEvents(resultEl, data.events_url) : "fallback";
      if (how === "fallback") await pollPanel(resultEl, data.panel_url);
      else if (how === "timeout") showStillWaiting(resultEl);
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
