// What the editor says about a failed request, shared by autosave, run/submit and the
// result panel so the wording stays the same everywhere.

// fetch follows redirects silently; a redirect from these endpoints means the login
// page answered, i.e. the session ended and nothing was stored.
export const SIGNED_OUT =
  "Your session has ended. Sign in again in another tab, then come back and try again: your code is still here.";

// The JSON API answers errors as {"error": "..."}; anything else (an HTML error page,
// a proxy's reply) gets the status line instead.
export async function errorMessageFrom(response) {
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
