"use strict";
/* Shared by every page: the CSRF token, JSON API calls, following a task's events over SSE,
   and swapping a server-rendered fragment in when it changed. */
window.LearnPath = (() => {
  const TYPES = [
    "task_started", "progress", "human_review_required", "concept_start", "concept_complete",
    "concept_failed", "completed", "failed", "cancelled", "task_recovering", "task_progress",
    "outline_generated", "document_generated", "task_completed", "task_failed",
  ];
  const TERMINAL = new Set(["completed", "failed", "cancelled", "task_completed", "task_failed"]);
  const FINISHED = new Set(["completed", "partial_failure", "failed", "cancelled"]);

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)learnpath_csrf=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(method, path, body) {
    const headers = { "Accept": "application/json", "X-CSRF-Token": csrfToken() };
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (_) {
      return { ok: false, status: 0, data: { detail: "The server cannot be reached" } };
    }
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    return { ok: response.ok, status: response.status, data };
  }

  /* Follow a task's events after `after` (replay, then live). A dropped connection reopens
     from the last seq seen; the stream ends after the task's final terminal event. */
  function follow(taskId, after, handlers) {
    let last = after;
    let source = null;
    let stopped = false;
    let ending = false;
    let delay = 500;
    const state = (text) => handlers.onState && handlers.onState(text);
    const stop = () => { stopped = true; if (source) source.close(); };
    const checkEnd = async () => {
      const answer = await api("GET", `/api/v1/tasks/${encodeURIComponent(taskId)}`);
      if (answer.status === 0) { setTimeout(checkEnd, delay); delay = Math.min(delay * 2, 8000); return; }
      if (answer.ok && FINISHED.has(answer.data.status) && answer.data.last_event_seq <= last) {
        stop();
        state("finished");
        if (handlers.onEnd) handlers.onEnd(answer.data);
      } else {
        ending = false;
        open();
      }
    };
    const open = () => {
      if (stopped) return;
      source = new EventSource(`/api/v1/tasks/${encodeURIComponent(taskId)}/events?after=${last}`);
      source.onopen = () => { delay = 500; state("live"); };
      const handle = (message) => {
        const event = JSON.parse(message.data);
        if (event.seq <= last) return;
        last = event.seq;
        handlers.onEvent(event);
        if (TERMINAL.has(event.type)) ending = true;
      };
      TYPES.forEach((type) => source.addEventListener(type, handle));
      source.onerror = () => {
        source.close();
        if (stopped) return;
        if (ending) { checkEnd(); return; }
        state("reconnecting");
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 8000);
      };
    };
    open();
    return { stop };
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  /* Fetch a fragment and put it in place of the element with the same id, when its
     data-signature differs (or always with `force`). A fragment holding a form the reader
     has started filling in (quiz answers, feedback) stays until they submit it: a live
     update must not wipe what they typed. Returns the element now in the page. */
  async function swap(id, url, force) {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } });
    } catch (_) {
      return document.getElementById(id);  // unreachable for now: the next event retries
    }
    if (!response.ok) return document.getElementById(id);
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = doc.getElementById(id);
    const current = document.getElementById(id);
    if (!fresh || !current) return current;
    if (!force && current.querySelector("form[data-touched]")) return current;
    if (!force && fresh.dataset.signature === current.dataset.signature) return current;
    const adopted = document.importNode(fresh, true);
    current.replaceWith(adopted);
    return adopted;
  }

  return { api, csrfToken, follow, debounce, swap, FINISHED };
})();

/* Forms the reader has typed or clicked in: live updates leave them alone (see swap). */
document.addEventListener("input", (event) => {
  const form = event.target instanceof Element ? event.target.closest("form") : null;
  if (form) form.dataset.touched = "true";
});

/* A page that refused a form opens at the list of what to correct, wherever the form was. */
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
