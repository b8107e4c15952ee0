// "Reset to starter": the page embeds the starter files as JSON in #starter-files, and
// the button writes them back into the editors (an undoable edit, autosaved as usual).

export function handleResetToStarter(resetButton, starterEl, files) {
  if (!resetButton) return;
  resetButton.addEventListener("click", () => {
    let starter;
    try {
      starter = JSON.parse(starterEl ? starterEl.textContent : "");
    } catch (_) {
      window.alert("The starter code is not available on this page.");
      return;
    }
    if (!window.confirm("Replace your code with the starter code? Your current code will be lost.")) {
      return;
    }
    for (const file of files) {
      if (!Object.prototype.hasOwnProperty.call(starter, file.name)) continue;
      const text = String(starter[file.name]);
      const doc = file.view.state.doc;
      if (doc.toString() === text) continue;
      file.view.dispatch({ changes: { from: 0, to: doc.length, insert: text } });
    }
  });
}
