// The one place the CSRF token is read, shared by both bundles. Every page that posts
// carries Flask-WTF's hidden csrf_token input (the no-JavaScript forms need it), so
// fetch requests reuse its value in the X-CSRFToken header rather than the page
// exposing the token a second way.

// `scope` narrows the lookup to one form; any csrf_token input on the page holds the
// same session token, so the whole document is the default.
export function csrfToken(scope = document) {
  const input = scope.querySelector('input[name="csrf_token"]');
  return input ? input.value : "";
}

// The form field the server reads the token from (Flask-WTF's default name).
export const CSRF_FIELD = "csrf_token";

// After a new sign-in or a new session every token input on the page gets the new
// token, so later form posts (Reset, Log out, the no-JavaScript fallbacks) carry it too.
export function setCsrfToken(token) {
  for (const input of document.querySelectorAll(`input[name="${CSRF_FIELD}"]`)) input.value = token;
}
