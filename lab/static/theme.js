// Light or dark pages: by default the system's choice (prefers-color-scheme, applied by
// lab.css alone, so it works without this script); the header's Theme button overrides
// it, remembered in localStorage.  Loaded in <head> without defer, so the chosen theme
// is set before the page is drawn (no flash of the other one).  Served as it is; the
// editor bundle follows the change through the "lab-theme" event.
(function () {
  var KEY = "interview-lab.theme";
  var ORDER = ["auto", "dark", "light"];
  var root = document.documentElement;

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return ORDER.indexOf(value) >= 0 ? value : "auto";
    } catch (_) {
      return "auto"; // storage disabled: follow the system
    }
  }

  function apply(choice) {
    if (choice === "auto") root.removeAttribute("data-theme");
    else root.setAttribute("data-theme", choice);
  }

  // What the page shows now, for the editor: the override, or the system's scheme.
  window.labTheme = function () {
    var choice = root.getAttribute("data-theme");
    if (choice) return choice;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  };

  apply(stored());

  function announce() {
    window.dispatchEvent(new CustomEvent("lab-theme", { detail: window.labTheme() }));
  }

  if (window.matchMedia) {
    var query = window.matchMedia("(prefers-color-scheme: dark)");
    if (query.addEventListener) query.addEventListener("change", announce);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    function label(choice) {
      button.textContent = "Theme: " + choice;
      button.setAttribute("aria-label", "Theme: " + choice + " (change)");
    }
    var choice = stored();
    label(choice);
    button.hidden = false;
    button.addEventListener("click", function () {
      choice = ORDER[(ORDER.indexOf(choice) + 1) % ORDER.length];
      try {
        window.localStorage.setItem(KEY, choice);
      } catch (_) {
        /* not remembered, still applied */
      }
      apply(choice);
      label(choice);
      announce();
    });
  });
})();
