"use strict";
/* The framework editor's form, in place: its add / remove / move buttons and module selects
   change the page instead of posting it (the form stays the one the server renders, renumbered
   after each change, so Save posts exactly what a page without scripts would). While there
   are unsaved edits the page says so, Approve is disabled with the reason shown, and leaving
   the page asks first. Listeners sit on the document: a live update may replace the form. */
(() => {
  const FORM = "#framework-editor";
  let dirty = false;

  /* The form, numbered once (the places its parts' labels use): a live update may have put a
     fresh one in. */
  const form = () => {
    const root = document.querySelector(FORM);
    if (root && !root.dataset.numbered) {
      root.dataset.numbered = "true";
      renumber(root);
    }
    return root;
  };
  const scopeOf = (node) => node.parentElement && node.parentElement.closest("[data-scope]");
  const own = (scope, selector) => [...scope.querySelectorAll(selector)].filter((n) => n.closest("[data-scope]") === scope);
  const idOf = (scope, field) => scope.querySelector(`[data-f="${field}"]`).value;

  const showDirty = () => {
    const notice = document.getElementById("editor-unsaved");
    const approve = document.getElementById("approve");
    const reason = document.getElementById("approve-reason");
    if (notice) notice.hidden = !dirty;
    if (approve) {
      approve.disabled = dirty;
      if (dirty) approve.setAttribute("aria-describedby", "approve-reason");
      else approve.removeAttribute("aria-describedby");
    }
    if (reason) reason.hidden = !dirty;
  };
  /* Touched, the form is left alone by live updates (LearnPath.swap), even when the change
     was a button's and no field saw input. */
  const markDirty = () => {
    dirty = true;
    const root = document.querySelector(FORM);
    if (root) root.dataset.touched = "true";
    showDirty();
  };

  /* Names, ids, labels, places and button values from each part's position. */
  function renumber(root) {
    root.querySelectorAll("[data-scope]").forEach((scope) => {
      const parent = scopeOf(scope);
      const index = [...scope.parentElement.children].indexOf(scope);
      scope.dataset.dotted = (parent ? `${parent.dataset.dotted}.` : "") + scope.dataset.scope + index;
      scope.dataset.place = (parent ? `${parent.dataset.place}.` : "") + (index + 1);
      const dotted = scope.dataset.dotted;
      const prefix = dotted.replaceAll(".", "-");
      own(scope, "[data-hint]").forEach((n) => { n.id = `${prefix}-${n.dataset.hint}-hint`; });
      own(scope, "[data-err]").forEach((n) => { n.id = `${prefix}-${n.dataset.err}-error`; });
      own(scope, "[data-for]").forEach((n) => { n.htmlFor = `${prefix}-${n.dataset.for}`; });
      own(scope, "[data-place]").forEach((n) => { n.textContent = scope.dataset.place; });
      own(scope, "[data-f]").forEach((n) => {
        const field = n.dataset.f;
        n.name = `${dotted}.${field}`;
        if (n.type === "hidden") return;
        n.id = `${prefix}-${field}`;
        const described = [`${n.id}-hint`, `${n.id}-error`].filter((id) => scope.querySelector(`#${CSS.escape(id)}`));
        if (described.length) n.setAttribute("aria-describedby", described.join(" "));
        else n.removeAttribute("aria-describedby");
      });
      own(scope, "[data-act]").forEach((b) => {
        b.value = `${b.dataset.act}:${dotted}`;
        if (b.dataset.act === "up") b.disabled = !scope.previousElementSibling;
        if (b.dataset.act === "down") b.disabled = !scope.nextElementSibling;
      });
    });
  }

  const option = (value, label, selected) => {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    o.selected = selected;
    return o;
  };

  /* Prerequisites are chosen by name among the other concepts; a concept's module select
     lists every module. Both follow renames, additions and removals. */
  const syncChoices = (root) => {
    const concepts = [...root.querySelectorAll("[data-scope=c]")].map((c) => ({ id: idOf(c, "concept_id"), name: c.querySelector("[data-names]").value }));
    const modules = [...root.querySelectorAll("[data-scope=m]")].map((m) => ({ id: idOf(m, "module_id"), label: `${m.dataset.place} ${m.querySelector("[data-module-name]").value}` }));
    root.querySelectorAll("[data-scope=c]").forEach((c) => {
      const self = idOf(c, "concept_id");
      const prerequisites = c.querySelector("[data-prerequisites]");
      const chosen = new Set([...prerequisites.selectedOptions].map((o) => o.value));
      prerequisites.replaceChildren(...concepts.filter((x) => x.id !== self).map((x) => option(x.id, x.name, chosen.has(x.id))));
      const home = idOf(scopeOf(c), "module_id");
      c.querySelector("[data-modules]").replaceChildren(...modules.map((m) => option(m.id, m.label, m.id === home)));
    });
  };

  /* A rename shows in the options that name the part, without rebuilding every select. */
  const renameChoice = (root, input) => {
    const scope = input.closest("[data-scope]");
    const concept = scope.dataset.scope === "c";
    const id = idOf(scope, concept ? "concept_id" : "module_id");
    const label = concept ? input.value : `${scope.dataset.place} ${input.value}`;
    root.querySelectorAll(concept ? "[data-prerequisites] option" : "[data-modules] option").forEach((o) => {
      if (o.value === id) o.textContent = label;
    });
  };

  const fresh = (root, prefix, field) => {
    const taken = new Set([...root.querySelectorAll(`[data-f="${field}"]`)].map((n) => n.value));
    let n = 1;
    while (taken.has(`${prefix}-${n}`)) n += 1;
    return `${prefix}-${n}`;
  };

  /* A new stage, module or concept from the page's template, with ids of its own. */
  const blank = (root, kind) => {
    const stage = document.getElementById("ed-new-stage").content.firstElementChild.cloneNode(true);
    const made = kind === "s" ? stage : stage.querySelector(`[data-scope="${kind}"]`);
    [["s", "stage", "stage_id"], ["m", "module", "module_id"], ["c", "concept", "concept_id"]].forEach(([scope, prefix, field]) => {
      const part = scope === made.dataset.scope ? made : made.querySelector(`[data-scope="${scope}"]`);
      if (!part) return;
      const id = fresh(root, prefix, field);
      part.querySelector(`[data-f="${field}"]`).value = id;
      if (scope === "c") part.dataset.concept = id;
    });
    return made;
  };

  const listOf = (root, scope) => (scope ? scope.querySelector(":scope > fieldset > ol.ed-list") : root.querySelector(":scope > ol.ed-list"));
  const childOf = (scope) => (scope ? { s: "m", m: "c" }[scope.dataset.scope] : "s");

  const act = (root, button) => {
    const scope = button.closest("[data-scope]");
    const verb = button.dataset.act;
    let focus = button;
    if (verb === "add") {
      const made = blank(root, childOf(scope));
      listOf(root, scope).append(made);
      focus = made.querySelector("input:not([type=hidden])");
    } else if (verb === "remove") {
      const next = scope.nextElementSibling || scope.previousElementSibling;
      scope.remove();
      focus = next ? next.querySelector("input:not([type=hidden])") : root.querySelector("#title");
    } else if (verb === "up" && scope.previousElementSibling) {
      scope.parentElement.insertBefore(scope, scope.previousElementSibling);
    } else if (verb === "down" && scope.nextElementSibling) {
      scope.parentElement.insertBefore(scope.nextElementSibling, scope);
    }
    renumber(root);
    syncChoices(root);
    markDirty();
    if (focus && !focus.disabled) focus.focus();
  };

  const moveConcept = (root, select) => {
    const concept = select.closest("[data-scope=c]");
    const target = [...root.querySelectorAll("[data-scope=m]")].find((m) => idOf(m, "module_id") === select.value);
    if (!target || target === scopeOf(concept)) return;
    listOf(root, target).append(concept);
    renumber(root);
    syncChoices(root);
    concept.querySelector("[data-modules]").focus();
  };

  document.addEventListener("click", (click) => {
    const root = form();
    const button = click.target.closest && click.target.closest("button[data-act]");
    if (!root || !button || !root.contains(button)) return;
    click.preventDefault();
    act(root, button);
  });
  document.addEventListener("input", (event) => {
    const root = form();
    if (!root || !root.contains(event.target)) return;
    markDirty();
    if (event.target.matches("[data-names], [data-module-name]")) renameChoice(root, event.target);
  });
  document.addEventListener("change", (event) => {
    const root = form();
    if (!root || !root.contains(event.target)) return;
    markDirty();
    if (event.target.matches("[data-modules]")) moveConcept(root, event.target);
  });
  document.addEventListener("submit", (event) => {
    if (event.target.matches(FORM)) dirty = false;  // saving: the page that answers tells
  });
  window.addEventListener("beforeunload", (event) => {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
  document.addEventListener("DOMContentLoaded", () => {
    const notice = document.getElementById("editor-unsaved");
    dirty = Boolean(notice && !notice.hidden);  // a form shown again with its changes unsaved
    showDirty();
  });
})();
