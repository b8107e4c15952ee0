// Playback of a mock interview (bundle entry: lab/static/dist/replay.js).  The server
// sends the recorded edits (CodeMirror change sets or whole files, at milliseconds from
// the start), the markers (item switches, hints, Runs and Submits) and the notes the
// viewer may read; this rebuilds the files at any moment with CodeMirror's own ChangeSet,
// and plays them at 1×, 4× or 16×.

import { ChangeSet, Text } from "@codemirror/state";

const CHECKPOINT_EVERY = 400; // events between saved states, so seeking back is cheap

function clock(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function toText(text) {
  return Text.of(String(text).split("\n"));
}

// Files of every item at any moment: `at(ms)` moves forward from where it is, or back
// from the nearest checkpoint.
function timelineState(data) {
  const initial = {};
  for (const item of data.items) {
    initial[item.number] = {};
    for (const [name, text] of Object.entries(item.start_files || {})) initial[item.number][name] = toText(text);
  }
  const copy = (files) => {
    const out = {};
    for (const [number, texts] of Object.entries(files)) out[number] = { ...texts };
    return out;
  };
  const checkpoints = [{ index: 0, files: copy(initial) }];
  let files = copy(initial);
  let index = 0; // events applied
  let broken = 0;

  function applyOne(event) {
    const item = files[event.item] || (files[event.item] = {});
    if (event.snapshot !== undefined) {
      item[event.file] = toText(event.snapshot);
      return;
    }
    try {
      item[event.file] = ChangeSet.fromJSON(event.changes).apply(item[event.file] || Text.empty);
    } catch (_) {
      broken += 1; // recorded against other text (cannot happen with the server's checks)
    }
  }

  function at(ms) {
    let target = data.events.findIndex((event) => event.at > ms);
    if (target < 0) target = data.events.length;
    if (target < index) {
      let best = checkpoints[0];
      for (const point of checkpoints) if (point.index <= target && point.index > best.index) best = point;
      files = copy(best.files);
      index = best.index;
    }
    while (index < target) {
      applyOne(data.events[index]);
      index += 1;
      if (index % CHECKPOINT_EVERY === 0 && !checkpoints.some((p) => p.index === index)) {
        checkpoints.push({ index, files: copy(files) });
      }
    }
    return files;
  }

  return { at, broken: () => broken };
}

function start() {
  const root = document.getElementById("replay");
  if (!root) return;
  const status = document.getElementById("replay-status");
  fetch(root.dataset.timelineUrl, { credentials: "same-origin", cache: "no-store" })
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`${response.status}`))))
    .then((data) => run(root, data))
    .catch((err) => {
      status.textContent = `The timeline could not be loaded (${err.message}).`;
    });
}

function run(root, data) {
  const controls = root.querySelector(".replay-controls");
  const play = document.getElementById("replay-play");
  const speed = document.getElementById("replay-speed");
  const slider = document.getElementById("replay-slider");
  const timeEl = document.getElementById("replay-time");
  const itemSelect = document.getElementById("replay-item");
  const code = document.getElementById("replay-code");
  const moments = document.getElementById("replay-moments");
  const marks = document.getElementById("replay-marks");
  const status = document.getElementById("replay-status");
  const state = timelineState(data);
  const duration = Math.max(data.duration_ms, ...data.events.map((e) => e.at), 0);
  let now = 0;
  let playing = false;
  let last = 0;

  slider.max = String(duration);
  controls.hidden = false;
  for (const item of data.items) {
    if (item.kind !== "task") continue;
    const option = document.createElement("option");
    option.value = String(item.number);
    option.textContent = `${item.number}. ${item.title}`;
    itemSelect.append(option);
  }
  status.textContent = data.events.length
    ? `${count(data.events.length, "recorded edit")}, ${count(data.markers.length, "moment")}, ${count(data.notes.length, "note")} (${Math.round(data.bytes / 1024)} KiB).`
    : "Nothing was recorded in the editor during this interview.";

  // Markers and notes, on the bar under the slider and as a list to jump from.
  const moments_ = [
    ...data.markers.map((m) => ({ at: m.at, text: markerText(m), kind: m.kind })),
    ...data.notes.map((n) => ({ at: n.at, text: `Note on item ${n.item}: ${n.body}`, kind: "note", quote: n.quote })),
  ].sort((a, b) => a.at - b.at);
  for (const moment of moments_) {
    const li = document.createElement("li");
    li.dataset.kind = moment.kind;
    const jump = document.createElement("button");
    jump.type = "button";
    jump.className = "link-button";
    jump.textContent = clock(moment.at);
    jump.addEventListener("click", () => seek(moment.at));
    li.append(jump, ` ${moment.text}`);
    if (moment.quote) {
      const pre = document.createElement("pre");
      pre.className = "note-quote";
      pre.textContent = moment.quote;
      li.append(pre);
    }
    moments.append(li);
    const tick = document.createElement("span");
    tick.className = `replay-mark replay-mark-${moment.kind}`;
    tick.style.left = `${duration ? (100 * moment.at) / duration : 0}%`;
    tick.title = `${clock(moment.at)} ${moment.text}`;
    marks.append(tick);
  }

  function itemAt(ms) {
    if (itemSelect.value !== "follow") return Number(itemSelect.value);
    let number = data.items.find((i) => i.kind === "task")?.number || 1;
    for (const marker of data.markers) if (marker.kind === "item" && marker.at <= ms) number = marker.item;
    for (const event of data.events) if (event.at <= ms) number = event.item; else break;
    return number;
  }

  function render() {
    const files = state.at(now);
    const number = itemAt(now);
    const texts = files[number] || {};
    const item = data.items.find((i) => i.number === number);
    const blocks = [];
    const heading = document.createElement("h2");
    heading.textContent = item ? `${item.number}. ${item.title}` : "";
    blocks.push(heading);
    if (item && item.kind !== "task") {
      const p = document.createElement("p");
      p.textContent = "A question: no code to show.";
      blocks.push(p);
    }
    for (const [name, text] of Object.entries(texts)) {
      const title = document.createElement("h3");
      title.textContent = name;
      const pre = document.createElement("pre");
      pre.className = "watch-code";
      pre.dataset.file = name;
      pre.tabIndex = 0;
      pre.textContent = text.toString();
      blocks.push(title, pre);
    }
    code.replaceChildren(...blocks);
    slider.value = String(now);
    timeEl.textContent = `${clock(now)} / ${clock(duration)}`;
  }

  function seek(ms) {
    now = Math.min(Math.max(0, ms), duration);
    render();
  }

  function frame(stamp) {
    if (!playing) return;
    now = Math.min(duration, now + (stamp - last) * Number(speed.value));
    last = stamp;
    render();
    if (now >= duration) {
      playing = false;
      play.textContent = "Play";
      return;
    }
    requestAnimationFrame(frame);
  }

  play.addEventListener("click", () => {
    playing = !playing;
    play.textContent = playing ? "Pause" : "Play";
    if (playing) {
      if (now >= duration) now = 0;
      last = performance.now();
      requestAnimationFrame(frame);
    }
  });
  slider.addEventListener("input", () => seek(Number(slider.value)));
  itemSelect.addEventListener("change", render);
  render();
}

function count(n, noun) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function markerText(marker) {
  if (marker.kind === "item") return `opened item ${marker.item}`;
  if (marker.kind === "hint") return `took a hint on item ${marker.item}`;
  const what = marker.kind === "run" ? "Run" : "Submit";
  return `${what} on item ${marker.item}${marker.verdict ? `: ${marker.verdict}` : ""}`;
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
