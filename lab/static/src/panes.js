// The workspace's panes: a separator between the prompt and the work (columns, wide
// screens only) and one under the editor (its height).  Each is an ARIA separator: drag
// it, or focus it and use the arrow keys (Home/End for the ends); the sizes are
// remembered in localStorage.  Without this script the page flows and scrolls as before.

const KEYS = { prompt: "interview-lab.layout.promptPercent", editor: "interview-lab.layout.editorPixels" };

function readNumber(key) {
  try {
    const value = Number(window.localStorage.getItem(key));
    return Number.isFinite(value) && value > 0 ? value : null;
  } catch (_) {
    return null;
  }
}

function writeNumber(key, value) {
  try {
    window.localStorage.setItem(key, String(Math.round(value)));
  } catch (_) {
    /* not remembered, still applied */
  }
}

// One separator sizing `size.property` (a CSS variable) on `size.target`, in `size.unit`
// ("%" or "px"), between `size.min()` and `size.max()`; `step` is one arrow key press,
// `fromPointer` turns a pointer position into a size, `key` remembers it.
function separator(el, label, orientation, key, size) {
  const { target, property, unit, words, min, max, step, fromPointer } = size;
  let value = size.start;
  el.className = `splitter splitter-${orientation === "vertical" ? "columns" : "rows"}`;
  el.setAttribute("role", "separator");
  el.setAttribute("tabindex", "0");
  el.setAttribute("aria-label", label);
  el.setAttribute("aria-orientation", orientation);
  const apply = (wanted) => {
    value = Math.min(max(), Math.max(min(), wanted));
    target.style.setProperty(property, `${value}${unit}`);
    el.setAttribute("aria-valuemin", String(Math.round(min())));
    el.setAttribute("aria-valuemax", String(Math.round(max())));
    el.setAttribute("aria-valuenow", String(Math.round(value)));
    el.setAttribute("aria-valuetext", `${Math.round(value)} ${words}`);
  };
  apply(readNumber(key) ?? value);
  const [back, forward] = orientation === "vertical" ? ["ArrowLeft", "ArrowRight"] : ["ArrowUp", "ArrowDown"];
  const keys = { [back]: () => value - step, [forward]: () => value + step, Home: min, End: max };
  el.addEventListener("keydown", (event) => {
    if (!Object.prototype.hasOwnProperty.call(keys, event.key)) return;
    event.preventDefault();
    apply(keys[event.key]());
    writeNumber(key, value);
  });
  el.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    el.setPointerCapture(event.pointerId);
    el.classList.add("dragging");
    const move = (e) => apply(fromPointer(e));
    const up = () => {
      el.classList.remove("dragging");
      el.removeEventListener("pointermove", move);
      el.removeEventListener("pointerup", up);
      el.removeEventListener("pointercancel", up);
      writeNumber(key, value);
    };
    el.addEventListener("pointermove", move);
    el.addEventListener("pointerup", up);
    el.addEventListener("pointercancel", up);
  });
}

// `solve` holds .prompt and .work; `form` is the editor form, whose panes get the height.
export function setUpPanes(solve, form) {
  if (!solve || !form) return;
  const prompt = solve.querySelector(".prompt");
  const work = solve.querySelector(".work");
  if (!prompt || !work) return;

  // The panes fill the window below whatever sits above them (header, interview clock).
  const fitHeight = () => {
    const top = solve.getBoundingClientRect().top + window.scrollY;
    solve.style.setProperty("--solve-top", `${Math.ceil(top) + 8}px`);
  };
  document.documentElement.classList.add("panes-ready");
  fitHeight();
  window.addEventListener("resize", fitHeight);

  const columns = document.createElement("div");
  solve.insertBefore(columns, work);
  const across = (event) => {
    const box = solve.getBoundingClientRect();
    return ((event.clientX - box.left) / box.width) * 100;
  };
  separator(columns, "Resize the prompt and the editor", "vertical", KEYS.prompt, {
    target: solve, property: "--prompt-width", unit: "%", words: "percent for the prompt",
    start: 38, min: () => 20, max: () => 70, step: 2, fromPointer: across,
  });

  const panes = form.querySelectorAll(".editor-pane");
  if (panes.length === 0) return;
  const rows = document.createElement("div");
  panes[panes.length - 1].after(rows);
  const down = (event) => {
    const shown = form.querySelector(".editor-pane:not([hidden])") || panes[0];
    return event.clientY - shown.getBoundingClientRect().top;
  };
  separator(rows, "Resize the editor", "horizontal", KEYS.editor, {
    target: form, property: "--editor-height", unit: "px", words: "pixels high",
    start: Math.round(window.innerHeight * 0.55), min: () => 160,
    max: () => Math.max(200, window.innerHeight - 120), step: 24, fromPointer: down,
  });
}
