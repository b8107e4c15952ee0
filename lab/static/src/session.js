// Keeping a request alive across an ended session or a stale CSRF token.
//
// A save or a Run can be refused because the session ended (the CSRF check fails first,
// answering reason "csrf"; older paths redirect to /login) or because signing in again
// in another tab started a new session whose token differs from this page's.  Instead of
// failing, the editor asks GET /session for the token of the session it has now, signs
// in again in a dialog on this page when it has none, and sends the request once more.
// The page's code stays in the editors the whole time.

import { CSRF_FIELD, setCsrfToken } from "./csrf.js";

const STATE_URL = "/session";
const LOGIN_URL = "/login";

async function sessionState() {
  const response = await fetch(STATE_URL, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`session state: ${response.status}`);
  const state = await response.json();
  setCsrfToken(state.token);
  return state;
}

// What kind of refusal a response is: "session" (ended or stale token), or null.
export async function sessionProblem(response) {
  if (response.redirected && new URL(response.url).pathname === LOGIN_URL) return "session";
  if (response.status === 401) return "session";
  if (response.status !== 400) return null;
  try {
    const data = await response.clone().json();
    return data && data.reason === "csrf" ? "session" : null;
  } catch (_) {
    return null;
  }
}

let signingIn = null; // one dialog for every request that waits on it

function buildDialog() {
  const dialog = document.createElement("dialog");
  dialog.className = "signin-dialog";
  dialog.setAttribute("aria-labelledby", "signin-title");
  dialog.innerHTML = `
    <form method="dialog" class="signin-form">
      <h2 id="signin-title">Sign in again</h2>
      <p>Your session has ended. Your code is still in the editor; sign in and it will be saved.</p>
      <label>Email <input type="email" name="email" autocomplete="username" required></label>
      <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
      <p class="signin-error" role="alert"></p>
      <p class="buttons"><button type="submit" value="signin">Sign in</button></p>
    </form>`;
  document.body.appendChild(dialog);
  return dialog;
}

// Resolves once this browser is signed in again (through the dialog).
function signInAgain() {
  if (signingIn) return signingIn;
  signingIn = new Promise((resolve) => {
    const dialog = buildDialog();
    const form = dialog.querySelector("form");
    const errorEl = dialog.querySelector(".signin-error");
    // Escape would close the dialog and leave the request waiting with no way back.
    dialog.addEventListener("cancel", (event) => event.preventDefault());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errorEl.textContent = "";
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        const { token } = await sessionState();
        const body = new URLSearchParams({
          email: form.elements.email.value,
          password: form.elements.password.value,
          [CSRF_FIELD]: token,
        });
        const response = await fetch(LOGIN_URL, {
          method: "POST",
          body,
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        let data = null;
        try {
          data = await response.json();
        } catch (_) {
          data = null;
        }
        if (response.ok && data && data.signed_in) {
          setCsrfToken(data.token);
          dialog.close();
          dialog.remove();
          signingIn = null;
          resolve();
          return;
        }
        errorEl.textContent = (data && data.error) || `The server answered ${response.status}.`;
      } catch (_) {
        errorEl.textContent = "Could not reach the server. Check your connection and try again.";
      } finally {
        button.disabled = false;
      }
    });
    dialog.showModal();
  });
  return signingIn;
}

// Sends `request()` (a function returning a fetch promise; it must read the token when
// called), and when the answer is a session refusal, recovers the session and sends it
// once more.  `onWait(text)` is told while the page waits for the person to sign in.
export async function sendKeepingSession(request, onWait = () => {}) {
  const response = await request();
  if ((await sessionProblem(response)) === null) return response;
  const state = await sessionState();
  if (!state.signed_in) {
    onWait("Signed out: sign in again to go on (your code is kept here)");
    await signInAgain();
  }
  return request();
}
