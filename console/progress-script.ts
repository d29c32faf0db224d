/**
 * The console's one script, served from /progress.js (the CSP allows scripts from the console
 * only on the pages that load it, and no inline script): a rollback's page subscribes to its
 * Server-Sent Events and swaps in the part the server re-rendered. Without script the page
 * keeps its Refresh link.
 */
export const PROGRESS_SCRIPT = `'use strict';
(() => {
  const live = document.getElementById('live');
  const url = live && live.dataset.events;
  if (!url) return;
  const events = new EventSource(url);
  events.addEventListener('update', (event) => {
    live.innerHTML = event.data;
  });
  // The rollback reached a final stage: nothing more will change, and EventSource would reconnect.
  events.addEventListener('end', () => events.close());
})();
`;
