// The pages' one event client: the only place that opens an EventSource. A page opens the SSE
// stream whose URL its template gives (data-events-url), listens by event name (`queue:jobs`,
// `queue:status`, `scan:progress`, `worker:<kind>:<n>:status` ...) and follows a job with
// `followJob`, which also polls the job while it is unfinished, so pages work without the stream.
//
//   const stream = openStream(root.dataset.eventsUrl, { onState: (state) => ... });
//   stream.on("queue:jobs", (job) => ...);   // data is the job object the API lists
//
// Events are notifications: after a gap a page re-reads what it shows from the API.

import { api } from "./app.js";

export const FINISHED = new Set(["done", "error", "cancelled"]);

export function isFinished(job) {
  return FINISHED.has(job.status);
}

// The stream: EventSource reconnects by itself and resumes after Last-Event-ID; a page that
// closes and reopens it passes the last id it saw as ?last_event_id= so nothing is missed.
export function openStream(url, options = {}) {
  const handlers = new Map();
  const onState = options.onState || (() => {});
  let source = null;
  let lastEventId = "";

  function deliver(name, event) {
    if (event.lastEventId) lastEventId = event.lastEventId;
    let data;
    try {
      data = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    for (const handler of handlers.get(name) || []) {
      try {
        handler(data, event);
      } catch (error) {
        console.error(`event handler for ${name} failed`, error);
      }
    }
  }

  function listen(name) {
    if (source) source.addEventListener(name, (event) => deliver(name, event));
  }

  function open() {
    if (!window.EventSource) return;
    let target = url;
    if (lastEventId) {
      const resume = new URL(url, window.location.href);
      resume.searchParams.set("last_event_id", lastEventId);
      target = `${resume.pathname}${resume.search}`;
    }
    source = new EventSource(target);
    for (const name of handlers.keys()) listen(name);
    source.addEventListener("open", () => onState("open"));
    // A refused stream (401/403) stays CLOSED: the page's polling carries on alone.
    source.addEventListener("error", () => {
      onState(source.readyState === EventSource.CLOSED ? "closed" : "connecting");
    });
  }

  open();
  return {
    on(name, handler) {
      if (!handlers.has(name)) {
        handlers.set(name, []);
        listen(name);
      }
      handlers.get(name).push(handler);
      // The returned function unsubscribes this handler.
      return () => {
        const list = handlers.get(name);
        const index = list.indexOf(handler);
        if (index >= 0) list.splice(index, 1);
      };
    },
    isOpen() {
      return Boolean(source) && source.readyState === EventSource.OPEN;
    },
    close() {
      if (source) source.close();
      source = null;
    },
    reopen() {
      this.close();
      open();
    },
  };
}

// Follow one job to its end: `queue:jobs` events as they come, and a poll of `jobUrl` every
// `pollMs` while it is unfinished. `onUpdate(job)` gets each new state; `onFinish(job)` once the
// finished job as the API reads it (with its result, which events do not carry); `onError` a
// failed read (a 404 ends the following). Returns { stop }.
export function followJob(stream, jobId, jobUrl, options = {}) {
  const { onUpdate = () => {}, onFinish = () => {}, onError = () => {}, pollMs = 1500 } = options;
  let timer = null;
  let stopped = false;
  let unsubscribe = () => {};

  function stop() {
    stopped = true;
    clearTimeout(timer);
    unsubscribe();
  }

  async function poll() {
    clearTimeout(timer);
    if (stopped) return;
    try {
      const job = await api(jobUrl);
      if (stopped) return;
      onUpdate(job);
      if (isFinished(job)) {
        stop();
        return onFinish(job);
      }
    } catch (error) {
      if (stopped) return;
      onError(error);
      if (error.status === 404) return stop();
    }
    timer = setTimeout(poll, pollMs);
  }

  if (stream) {
    unsubscribe = stream.on("queue:jobs", (job) => {
      if (stopped || job.id !== jobId) return;
      onUpdate(job);
      if (isFinished(job)) poll();
    });
  }
  poll();
  return { stop };
}
