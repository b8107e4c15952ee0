// Two versions of one draft: this page's text and a newer one saved elsewhere (another
// tab, another device, or this browser's unsaved copy against a draft that moved on).
// Nothing is overwritten silently: the person sees both and picks one.

function formatTime(iso) {
  if (!iso) return "";
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? "" : ` at ${when.toLocaleTimeString()}`;
}

// Shows the choice above the editors and resolves with "mine" or "theirs".
// `mine` and `theirs` are {filename: text}; `saved_at` is when theirs was stored.
export function askWhichVersion({ form, mine, theirs, savedAt, mineLabel }) {
  const old = document.getElementById("draft-conflict");
  if (old) old.remove();
  const box = document.createElement("section");
  box.id = "draft-conflict";
  box.className = "draft-conflict";
  box.setAttribute("role", "alert");
  const title = document.createElement("p");
  title.className = "draft-conflict-title";
  title.textContent =
    `This code was also changed somewhere else (saved${formatTime(savedAt)}). ` +
    "Which version do you want to keep?";
  box.appendChild(title);

  for (const name of Object.keys(theirs).sort()) {
    if (mine[name] === theirs[name]) continue;
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = `Saved version of ${name}`;
    const pre = document.createElement("pre");
    pre.textContent = theirs[name];
    details.append(summary, pre);
    box.appendChild(details);
  }

  const buttons = document.createElement("p");
  buttons.className = "buttons";
  const keepMine = document.createElement("button");
  keepMine.type = "button";
  keepMine.textContent = mineLabel || "Keep the version in this editor";
  const takeTheirs = document.createElement("button");
  takeTheirs.type = "button";
  takeTheirs.textContent = "Use the saved version";
  buttons.append(keepMine, takeTheirs);
  box.appendChild(buttons);
  form.parentNode.insertBefore(box, form);
  box.scrollIntoView({ block: "nearest" });

  return new Promise((resolve) => {
    const choose = (choice) => {
      box.remove();
      resolve(choice);
    };
    keepMine.addEventListener("click", () => choose("mine"));
    takeTheirs.addEventListener("click", () => choose("theirs"));
  });
}
