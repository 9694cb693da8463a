"use strict";
/* The roadmap viewer: follows the roadmap's active task and swaps in the navigator and the
   concept panel when item states change; item retry buttons call the API without a reload.
   A "Manage" disclosure the reader opened stays open across a swap. */
(() => {
  const LP = window.LearnPath;
  let following = null;
  let followedTask = "";

  const current = () => document.getElementById("roadmap-live");

  const track = () => {
    const root = current();
    if (!root) return;
    const task = root.dataset.task || "";
    if (task === followedTask) return;
    if (following) following.stop();
    following = null;
    followedTask = task;
    if (task) {
      following = LP.follow(task, 0, { onEvent: () => refresh(), onEnd: () => refresh() });
    }
  };

  /* Swap the viewer in, reopening the disclosures that were open. */
  const swapKeepingOpen = async (force) => {
    const root = current();
    const open = [...root.querySelectorAll("details[open][id]")].map((d) => d.id);
    await LP.swap("roadmap-live", root.dataset.liveUrl, force);
    open.forEach((id) => { const d = document.getElementById(id); if (d) d.open = true; });
    track();
  };

  const refresh = LP.debounce(async () => {
    const root = current();
    if (!root || !root.dataset.liveUrl) return;  // a graded quiz stays as it is until retaken
    await swapKeepingOpen(false);
  }, 250);

  document.addEventListener("submit", async (submit) => {
    const form = submit.target;
    if (!form.classList || !form.classList.contains("retry-item")) return;
    submit.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    const answer = await LP.api("POST", form.dataset.api);
    if (!answer.ok && answer.status !== 409) {
      button.disabled = false;
      const error = document.createElement("span");
      error.className = "error";
      error.setAttribute("role", "alert");
      error.textContent = ` ${(answer.data && answer.data.detail) || "Could not retry"}`;
      form.append(error);
      return;
    }
    await swapKeepingOpen(true);
  });

  track();
})();
