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
