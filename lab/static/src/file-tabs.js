// One tab per file above the editors, following the WAI-ARIA tabs pattern: a tablist
// of buttons, one tabpanel (the editor pane) shown at a time, arrow keys / Home / End
// to move between tabs. It also owns the list of files the other modules read.

// `form` is #solve-form; `firstTextarea` marks where a missing .file-tabs goes.
export function createFileTabs(form, firstTextarea) {
  const files = []; // {name, textarea, view, tab, pane}

  let tabList = form.querySelector(".file-tabs");
  if (!tabList) {
    tabList = document.createElement("div");
    tabList.className = "file-tabs";
    tabList.setAttribute("role", "tablist");
    firstTextarea.parentNode.insertBefore(tabList, firstTextarea);
  }
  tabList.setAttribute("role", "tablist");
  tabList.setAttribute("aria-label", "Files");

  function select(index, focusTab) {
    files.forEach((file, i) => {
      const active = i === index;
      file.tab.setAttribute("aria-selected", active ? "true" : "false");
      file.tab.tabIndex = active ? 0 : -1;
      file.tab.classList.toggle("is-active", active);
      file.pane.hidden = !active;
    });
    const file = files[index];
    file.view.requestMeasure(); // it may have been laid out while hidden
    if (focusTab) file.tab.focus();
  }

  tabList.addEventListener("keydown", (event) => {
    const current = files.findIndex((f) => f.tab === document.activeElement);
    if (current < 0) return;
    let next = -1;
    if (event.key === "ArrowRight") next = (current + 1) % files.length;
    else if (event.key === "ArrowLeft") next = (current - 1 + files.length) % files.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = files.length - 1;
    if (next < 0) return;
    event.preventDefault();
    select(next, true);
  });

  // The tab and the (still detached) pane for the index-th textarea. Ids follow the
  // textarea's position, so they stay stable even if an earlier editor failed.
  function build(name, index) {
    const uid = `code-file-${index}`;

    const pane = document.createElement("div");
    pane.className = "editor-pane";
    pane.id = `${uid}-panel`;
    pane.setAttribute("role", "tabpanel");

    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "file-tab";
    tab.id = `${uid}-tab`;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", pane.id);
    tab.textContent = name;
    pane.setAttribute("aria-labelledby", tab.id);
    return { tab, pane };
  }

  // Puts a working editor's pane in place of its textarea and adds its tab.
  function add(file) {
    const { textarea, tab, pane } = file;
    textarea.parentNode.insertBefore(pane, textarea.nextSibling);
    textarea.hidden = true; // still submitted with the form (hidden != disabled)
    if (textarea.id) {
      const label = form.querySelector(`label[for="${CSS.escape(textarea.id)}"]`);
      if (label) label.hidden = true;
    }

    const position = files.length;
    tab.addEventListener("click", () => select(position, false));
    tabList.appendChild(tab);
    files.push(file);
  }

  return { files, build, add, select };
}
