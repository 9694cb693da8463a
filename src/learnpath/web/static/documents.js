"use strict";
/* The Documents pages: a role select for each file chosen on the new-document form; a job
   page that follows its job live (the server's fragment swapped in on each event, the page
   reloaded when the job ends); the outline editor's buttons applied in place, with a guard
   against leaving unsaved edits. */
(() => {
  const LP = window.LearnPath;

  /* New document: one role select per chosen file, named in the order the files are sent. */
  const files = document.getElementById("files");
  const roles = document.getElementById("file-roles");
  if (files && roles) {
    const choices = JSON.parse(roles.dataset.roles);
    files.addEventListener("change", () => {
      roles.replaceChildren();
      Array.from(files.files).forEach((file, index) => {
        const item = document.createElement("li");
        const label = document.createElement("label");
        label.htmlFor = `files-role-${index}`;
        label.textContent = `Role of ${file.name}`;
        const select = document.createElement("select");
        select.id = select.name = `files-role-${index}`;
        choices.forEach(([value, text]) => select.add(new Option(text, value)));
        item.append(label, select);
        roles.append(item);
      });
    });
  }

  /* A job page: follow the job while it runs. */
  const live = document.getElementById("job-live");
  if (live && live.dataset.active === "true") {
    const jobId = live.dataset.job;
    const refresh = LP.debounce(() => LP.swap("job-live", `/documents/${encodeURIComponent(jobId)}/live`), 150);
    LP.follow(jobId, 0, { onEvent: refresh, onEnd: () => window.location.reload() });
  }

  /* The outline editor: its buttons re-render the editor in place; leaving with edits not
     yet written asks first. */
  let editor = document.getElementById("outline-editor");
  if (!editor) return;
  let dirty = editor.dataset.edited === "true";
  window.addEventListener("beforeunload", (event) => {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  document.addEventListener("input", (event) => {
    if (editor.contains(event.target)) dirty = true;
  });
  document.addEventListener("submit", (event) => {
    if (event.target === editor) dirty = false;  // "Write the document": the edits go with it
  });
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[name=action]") : null;
    if (!button || !editor.contains(button) || button.value === "write") return;
    event.preventDefault();
    const data = new FormData(editor);
    data.set("action", button.value);
    let response;
    try {
      /* Not editor.action: the buttons named "action" hide that property. */
      response = await fetch(editor.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" });
    } catch (_) {
      editor.requestSubmit(button);  // unreachable: let the browser send the form itself
      return;
    }
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = doc.getElementById("outline-editor");
    if (!response.ok || !fresh) { editor.requestSubmit(button); return; }
    const [kind] = button.value.split(":");
    const row = button.closest(".outline-row");
    const title = row ? row.querySelector("input[type=text]").value : "";
    const adopted = document.importNode(fresh, true);
    editor.replaceWith(adopted);
    editor = adopted;
    dirty = true;
    /* Focus stays with what was acted on: a new node's title, or the moved node's button. */
    const rows = Array.from(editor.querySelectorAll(".outline-row"));
    const moved = rows.find((r) => r.querySelector("input[type=text]").value === title);
    const titles = rows.map((r) => r.querySelector("input[type=text]"));
    const after = moved ? rows.indexOf(moved) + 1 : 0;
    const focus = kind === "add" ? titles[titles.length - 1]
      : kind.startsWith("add-") ? titles.slice(after).find((input) => input.value === "")
        : kind === "remove" ? editor.querySelector("button[value=add]")
          : moved && moved.querySelector(`button[value^="${kind}:"]`);
    if (focus) focus.focus();
  });
})();
