"use strict";
/* Direct editing of the framework in review: rename, add, remove and reorder modules and
   concepts, then save through the API; errors appear next to the part they concern. */
(() => {
  const LP = window.LearnPath;
  let model = null;
  let roadmapId = null;
  let counter = 0;

  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    });
    node.append(...children);
    return node;
  };

  const allConceptIds = () => new Set(model.stages.flatMap((s) => s.modules.flatMap((m) => m.concepts.map((c) => c.concept_id))));
  const fresh = (prefix, taken) => {
    let id;
    do { counter += 1; id = `${prefix}-${counter}`; } while (taken.has(id));
    return id;
  };
  const newConcept = () => ({
    concept_id: fresh("new-concept", allConceptIds()), name: "New concept", description: "",
    estimated_hours: 1, difficulty: "medium", prerequisites: [], keywords: [],
  });
  const move = (list, index, by) => {
    const [item] = list.splice(index, 1);
    list.splice(index + by, 0, item);
  };

  const button = (label, name, action, disabled) => {
    const b = el("button", { type: "button", class: "secondary small", "aria-label": name, text: label });
    if (disabled) b.disabled = true;
    b.addEventListener("click", () => { action(); render(); });
    return b;
  };
  const textInput = (label, value, onInput, type) => {
    const input = el("input", { type: type || "text", "aria-label": label });
    input.value = value;
    input.addEventListener("input", () => onInput(input.value));
    return input;
  };
  const errorSlot = (path) => el("p", { class: "field-error", dataset: { errorFor: path }, role: "alert", hidden: "" });

  const render = () => {
    const editor = document.getElementById("editor");
    const root = el("div", { class: "editor" });
    root.append(el("p", { class: "field-error", id: "editor-error", role: "alert", hidden: "" }));
    model.stages.forEach((stage, si) => {
      const stagePath = `stages.${si}`;
      const box = el("fieldset", { class: "edit-stage", dataset: { path: stagePath } });
      box.append(el("legend", { text: `Stage ${si + 1}` }));
      box.append(textInput(`Stage ${si + 1} name`, stage.name, (v) => { stage.name = v; }), errorSlot(stagePath));
      stage.modules.forEach((module, mi) => {
        const modulePath = `${stagePath}.modules.${mi}`;
        const mbox = el("div", { class: "edit-module", dataset: { path: modulePath } });
        const label = `Module ${module.name}`;
        mbox.append(el("div", { class: "edit-row" },
          textInput(`Module ${si + 1}.${mi + 1} name`, module.name, (v) => { module.name = v; }),
          button("↑", `Move ${label} up`, () => move(stage.modules, mi, -1), mi === 0),
          button("↓", `Move ${label} down`, () => move(stage.modules, mi, 1), mi === stage.modules.length - 1),
          button("✕", `Remove ${label}`, () => removeModule(stage, mi))), errorSlot(modulePath));
        const list = el("ol", { class: "edit-concepts" });
        module.concepts.forEach((concept, ci) => {
          const path = `${modulePath}.concepts.${ci}`;
          const name = `concept ${concept.name}`;
          const item = el("li", { class: "edit-concept", dataset: { path, concept: concept.concept_id } });
          item.append(el("div", { class: "edit-row" },
            textInput(`Concept ${si + 1}.${mi + 1}.${ci + 1} name`, concept.name, (v) => { concept.name = v; }),
            textInput(`Hours of ${name}`, String(concept.estimated_hours), (v) => { concept.estimated_hours = Number(v); }, "number"),
            button("↑", `Move ${name} up`, () => move(module.concepts, ci, -1), ci === 0),
            button("↓", `Move ${name} down`, () => move(module.concepts, ci, 1), ci === module.concepts.length - 1),
            button("✕", `Remove ${name}`, () => removeConcept(module, ci))), errorSlot(path));
          list.append(item);
        });
        mbox.append(list, button("+ Concept", `Add a concept to module ${module.name}`, () => module.concepts.push(newConcept())));
        box.append(mbox);
      });
      box.append(button("+ Module", `Add a module to stage ${stage.name}`, () => {
        const taken = new Set(model.stages.flatMap((s) => s.modules.map((m) => m.module_id)));
        stage.modules.push({ module_id: fresh("new-module", taken), name: "New module", description: "", concepts: [newConcept()] });
      }));
      root.append(box);
    });
    const save = el("button", { type: "button", id: "save-framework", text: "Save changes" });
    save.addEventListener("click", submit);
    const cancel = el("button", { type: "button", class: "secondary", text: "Discard changes" });
    cancel.addEventListener("click", () => { editor.hidden = true; editor.replaceChildren(); document.getElementById("edit-framework").hidden = false; });
    root.append(el("div", { class: "actions" }, save, cancel));
    editor.replaceChildren(root);
    editor.hidden = false;
  };

  const removeConcept = (module, index) => {
    const [gone] = module.concepts.splice(index, 1);
    model.stages.forEach((s) => s.modules.forEach((m) => m.concepts.forEach((c) => {
      c.prerequisites = c.prerequisites.filter((p) => p !== gone.concept_id);
    })));
  };
  const removeModule = (stage, index) => {
    const module = stage.modules[index];
    while (module.concepts.length) removeConcept(module, 0);
    stage.modules.splice(index, 1);
  };

  const showErrors = (detail) => {
    const general = document.getElementById("editor-error");
    const messages = Array.isArray(detail) ? detail : [{ loc: [], msg: String(detail) }];
    messages.forEach((problem) => {
      const loc = (problem.loc || []).filter((part) => part !== "body").map(String);
      for (let n = loc.length; n >= 0; n -= 1) {
        const path = loc.slice(0, n).join(".");
        const slot = n ? document.querySelector(`[data-error-for="${CSS.escape(path)}"]`) : general;
        if (slot) {
          const field = loc.slice(n).join(".");
          slot.textContent = [slot.textContent, `${field ? `${field}: ` : ""}${problem.msg}`].filter(Boolean).join(" ");
          slot.hidden = false;
          const owner = slot.closest("[data-path]");
          if (owner) owner.classList.add("invalid");
          break;
        }
      }
    });
  };

  const submit = async () => {
    render();
    const answer = await LP.api("PUT", `/api/v1/roadmaps/${encodeURIComponent(roadmapId)}/framework`, model);
    if (answer.ok) {
      document.dispatchEvent(new CustomEvent("learnpath:changed"));
      return;
    }
    showErrors(answer.data ? answer.data.detail : `Saving failed (${answer.status})`);
  };

  document.addEventListener("click", async (click) => {
    const trigger = click.target.closest && click.target.closest("#edit-framework");
    if (!trigger) return;
    roadmapId = trigger.dataset.roadmap;
    const answer = await LP.api("GET", `/api/v1/roadmaps/${encodeURIComponent(roadmapId)}`);
    if (!answer.ok) return;
    model = { title: answer.data.title, summary: answer.data.summary, stages: answer.data.stages };
    trigger.hidden = true;
    render();
  });
})();
