"use strict";
/* The task page: the live log (grouped by step, filtered by level), the stepper's edit-loop
   counts, and the status panel refreshed from the server as events arrive. */
(() => {
  const LP = window.LearnPath;
  const log = document.getElementById("log");
  if (!log) return;
  const taskId = log.dataset.task;
  const connection = document.getElementById("log-connection");
  const loops = { validation_edit: 0, review_edit: 0 };
  let previousStep = null;
  const LEVEL = {
    failed: "error", concept_failed: "error", task_failed: "error",
    cancelled: "warning", task_recovering: "warning", human_review_required: "warning",
  };

  const showLoops = () => {
    document.querySelectorAll("[data-loop]").forEach((badge) => {
      const rounds = loops[badge.dataset.loop] || 0;
      badge.hidden = rounds === 0;
      badge.textContent = `↺ ${rounds}`;
      badge.setAttribute("aria-label", `${rounds} edit round(s)`);
    });
  };

  const refresh = LP.debounce(async (force) => {
    await LP.swap("task-live", `/tasks/${encodeURIComponent(taskId)}/live`, force);
    showLoops();
  }, 250);
  document.addEventListener("learnpath:changed", () => refresh(true));

  const group = (step) => {
    const key = step || "task";
    let section = log.querySelector(`section[data-step="${CSS.escape(key)}"]`);
    if (!section) {
      section = document.createElement("section");
      section.dataset.step = key;
      const title = document.createElement("h3");
      title.textContent = key.replace(/_/g, " ");
      section.append(title, document.createElement("ol"));
      log.append(section);
    }
    return section.querySelector("ol");
  };

  const append = (event) => {
    const level = event.error ? "error" : LEVEL[event.type] || "info";
    const entry = document.createElement("li");
    entry.className = `level-${level}`;
    entry.dataset.seq = event.seq;
    const time = document.createElement("time");
    time.dateTime = event.timestamp;
    time.textContent = new Date(event.timestamp).toLocaleTimeString();
    const text = document.createElement("span");
    const where = event.concept_name ? ` — ${event.concept_name}${event.content_type ? ` (${event.content_type})` : ""}` : "";
    text.textContent = ` ${event.message}${where}`;
    entry.append(time, text);
    if (event.error) {
      const error = document.createElement("span");
      error.className = "error";
      error.textContent = ` ${event.error}`;
      entry.append(error);
    }
    group(event.step).append(entry);
    if (event.step && event.step !== previousStep && event.step in loops) loops[event.step] += 1;
    if (event.step) previousStep = event.step;
  };

  document.getElementById("log-level").addEventListener("change", (change) => {
    log.dataset.min = change.target.value;
  });

  LP.follow(taskId, 0, {
    onEvent: (event) => { append(event); refresh(false); },
    onEnd: () => refresh(false),
    onState: (text) => {
      connection.textContent = { live: "Live", reconnecting: "Connection lost; reconnecting…", finished: "Finished: the log is complete." }[text];
    },
  });
})();
