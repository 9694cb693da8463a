"use strict";
/* The task page: the compact log (server-rendered, extended live, filtered in place), the
   stepper's edit-loop counts, and the status panel, updated from the same events as the log
   before the server's fragment is swapped in. */
(() => {
  const LP = window.LearnPath;
  const log = document.getElementById("log");
  if (!log) return;
  const taskId = log.dataset.task;
  const rendered = Number(log.dataset.after);
  const labels = JSON.parse(log.dataset.labels);
  const connection = document.getElementById("log-connection");
  const loops = { validation_edit: 0, review_edit: 0 };
  const ITEM = new Set(["concept_complete", "concept_failed"]);
  const TASK = new Set(["task_started", "human_review_required", "completed", "failed", "cancelled", "task_recovering"]);
  const PROBLEM = new Set(["concept_failed", "failed", "cancelled"]);
  let previousStep = null;
  let previousProgress = null;

  const label = (step) => labels[step] || (step || "task").replace(/_/g, " ");
  const showLoops = () => {
    document.querySelectorAll("[data-loop]").forEach((badge) => {
      const rounds = loops[badge.dataset.loop] || 0;
      badge.hidden = rounds === 0;
      badge.textContent = `↺ ${rounds}`;
      badge.setAttribute("aria-label", `${rounds} edit round(s)`);
    });
  };

  /* What the events said last (the counts as the page was rendered, plus every item event
     after it): a fragment rendered before those events must not take it back. */
  const counted = {};
  document.querySelectorAll("[data-count]").forEach((count) => {
    counted[count.dataset.count] = Number(count.textContent);
  });
  let endedAs = null;
  const keepAhead = () => {
    document.querySelectorAll("[data-count]").forEach((count) => {
      const shown = Math.max(counted[count.dataset.count] || 0, Number(count.textContent));
      count.textContent = String(shown);
    });
    const status = document.getElementById("task-status");
    if (status && endedAs) {
      status.textContent = endedAs.replace(/_/g, " ");
      status.className = `badge status-${endedAs}`;
    }
  };

  const refresh = LP.debounce(async (force) => {
    await LP.swap("task-live", `/tasks/${encodeURIComponent(taskId)}/live`, force);
    keepAhead();
    showLoops();
  }, 250);
  document.addEventListener("learnpath:changed", () => refresh(true));

  const shows = (entry, shown) => shown === "problems" ? entry.classList.contains("problem")
    : shown === "steps" ? entry.dataset.kind === "step" : true;

  const kindOf = (event) => {
    if (ITEM.has(event.type)) return "item";
    if (TASK.has(event.type)) return "task";
    if (event.type === "progress" && event.step !== previousProgress) return "step";
    return null;
  };

  const textOf = (event, kind) => {
    if (kind === "step") return label(event.step);
    if (kind === "item") {
      const outcome = event.type === "concept_complete" ? "done" : "failed";
      return `${event.concept_name || event.concept_id} · ${event.content_type} ${outcome}`;
    }
    return event.message;
  };

  const append = (event, kind) => {
    const entry = document.createElement("li");
    entry.dataset.seq = event.seq;
    entry.dataset.kind = kind;
    if (event.step) entry.dataset.step = event.step;
    if (PROBLEM.has(event.type) || event.error) entry.className = "problem";
    const time = document.createElement("time");
    time.dateTime = event.timestamp;
    time.textContent = event.timestamp.slice(11, 19);
    const text = document.createElement("span");
    text.textContent = textOf(event, kind);
    entry.append(time, " ", text);
    if (event.error) {
      const error = document.createElement("span");
      error.className = "error";
      error.textContent = event.error;
      entry.append(" ", error);
    }
    entry.hidden = !shows(entry, log.dataset.shown);
    log.append(entry);
  };

  /* The panel follows the event that was just logged: no wait for the fragment. */
  const updatePanel = (event) => {
    const status = document.getElementById("task-status");
    if (status && event.status) {
      status.textContent = event.status.replace(/_/g, " ");
      status.className = `badge status-${event.status}`;
    }
    const step = document.getElementById("current-step");
    if (step && event.type === "progress" && event.step) step.textContent = label(event.step);
    if (event.status && LP.FINISHED.has(event.status)) endedAs = event.status;
    if (ITEM.has(event.type)) {
      const name = event.type === "concept_complete" ? "completed" : "failed";
      counted[name] = (counted[name] || 0) + 1;
      keepAhead();
    }
  };

  const onEvent = (event) => {
    const kind = kindOf(event);
    if (event.type === "progress") previousProgress = event.step;
    if (event.step && event.step !== previousStep && event.step in loops) loops[event.step] += 1;
    if (event.step) previousStep = event.step;
    if (event.seq <= rendered) { showLoops(); return; }
    if (kind) append(event, kind);
    updatePanel(event);
    refresh(ITEM.has(event.type));  // forced: the counts just raised come back from the server
  };

  document.getElementById("log-filters").addEventListener("click", (click) => {
    const link = click.target.closest("a[data-filter]");
    if (!link) return;
    click.preventDefault();
    log.dataset.shown = link.dataset.filter;
    log.querySelectorAll("li").forEach((entry) => { entry.hidden = !shows(entry, link.dataset.filter); });
    document.querySelectorAll("#log-filters a").forEach((a) => {
      if (a === link) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
    history.replaceState(null, "", `?log=${link.dataset.filter}`);
  });

  LP.follow(taskId, 0, {
    onEvent,
    onEnd: () => refresh(false),
    onState: (text) => {
      connection.textContent = { live: "Live", reconnecting: "Connection lost; reconnecting…", finished: "Finished: the log is complete." }[text];
    },
  });
})();
