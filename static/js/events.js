// Live events for pages: a WebSocket to /ws/connect that joins rooms, answers with the
// session cookie, keeps itself alive and reconnects with back-off (re-joining its rooms).
//
//   const events = window.nomarrEvents.connect({ rooms: ["queue"] });
//   events.on("job_update", (data) => ...);        // any server message type
//   events.on("open", () => refreshFromApi());      // (re)connected: re-read state
//
// Events are notifications: on "open" a page re-reads what it shows from the API.
(function () {
  const PING_MS = 25000;
  const MAX_BACKOFF_MS = 30000;

  function socketUrl(path, token) {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const query = token ? `?token=${encodeURIComponent(token)}` : "";
    return `${scheme}//${window.location.host}${path}${query}`;
  }

  function connect(options = {}) {
    const rooms = new Set(options.rooms || []);
    const handlers = new Map();
    let socket = null;
    let pingTimer = null;
    let retryTimer = null;
    let backoff = 1000;
    let closed = false;

    function fire(type, data, message) {
      for (const handler of handlers.get(type) || []) {
        try {
          handler(data, message);
        } catch (error) {
          console.error(`nomarrEvents handler for ${type} failed`, error);
        }
      }
    }

    function send(payload) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(payload));
      }
    }

    function open() {
      socket = new WebSocket(socketUrl(options.path || "/ws/connect", options.token));
      socket.addEventListener("message", (event) => {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        if (message.type === "connected") {
          backoff = 1000;
          rooms.forEach((room) => send({ action: "join", data: { room } }));
          fire("open", message.data, message);
        }
        fire(message.type, message.data, message);
        fire("*", message.data, message);
      });
      socket.addEventListener("close", (event) => {
        clearInterval(pingTimer);
        fire("close", { code: event.code }, null);
        if (closed) return;
        retryTimer = setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      });
      clearInterval(pingTimer);
      pingTimer = setInterval(() => send({ type: "ping" }), PING_MS);
    }

    open();
    return {
      on(type, handler) {
        if (!handlers.has(type)) handlers.set(type, []);
        handlers.get(type).push(handler);
        return this;
      },
      join(room) {
        rooms.add(room);
        send({ action: "join", data: { room } });
      },
      leave(room) {
        rooms.delete(room);
        send({ action: "leave", data: { room } });
      },
      close() {
        closed = true;
        clearTimeout(retryTimer);
        clearInterval(pingTimer);
        if (socket) socket.close();
      },
    };
  }

  // The SSE stream, for pages that prefer EventSource (it reconnects and resumes by itself).
  function stream(handlers, options = {}) {
    const params = new URLSearchParams();
    if (options.rooms) params.set("rooms", options.rooms.join(","));
    if (options.token) params.set("token", options.token);
    const query = params.toString();
    const source = new EventSource(`/api/web/events/status${query ? `?${query}` : ""}`);
    for (const [name, handler] of Object.entries(handlers)) {
      source.addEventListener(name, (event) => handler(JSON.parse(event.data), event));
    }
    return source;
  }

  window.nomarrEvents = { connect, stream };
})();
