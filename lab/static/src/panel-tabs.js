// The result panel's two views, Tests and Console (what the code printed), as tabs
// (the WAI-ARIA tabs pattern: arrow keys move between them).  The server renders both
// views one under the other with the tab list hidden, which is how the panel reads
// without this script (the submission page).

export function enhancePanelTabs(root) {
  const list = root && root.querySelector(".panel-tabs");
  if (!list) return;
  const tabs = Array.from(list.querySelectorAll('[role="tab"]'));
  const views = tabs.map((tab) => document.getElementById(tab.getAttribute("aria-controls")));
  if (views.some((view) => !view)) return;
  const select = (index, focus) => {
    tabs.forEach((tab, i) => {
      const on = i === index;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      views[i].hidden = !on;
    });
    if (focus) tabs[index].focus();
  };
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => select(index, false));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step === undefined) return;
      event.preventDefault();
      select((index + step + tabs.length) % tabs.length, true);
    });
  });
  list.hidden = false;
  root.querySelector(".result-panel")?.classList.add("tabbed");
  select(0, false);
}
