// The one connector to GeoTwin's SignalR hubs (/hubs/live, /hubs/dispatch): it keeps a hub open until stop(),
// however long the server is away. SignalR's own automatic reconnect gives up after four tries (about 42 s) and
// never retries a first start that failed; here every try is followed by another (back-off up to 15 s), a
// connection that closed anyway is started again, and onConnected runs after every (re)connection, because a
// server that restarted has forgotten what this page subscribed to. The state is for the panels to show:
// connecting (never connected yet) | connected | reconnecting (was connected, is trying again) | closed (stopped).
import { HubConnectionBuilder, LogLevel } from "@microsoft/signalr";
import { csrfToken } from "./api.js";

/** Pause before try n+1 (the last one repeats): quick at first, as a dropped socket usually comes straight back. */
export const RETRY_DELAYS_MS = [0, 500, 1000, 2000, 4000, 8000, 15000];
const delay = (n) => RETRY_DELAYS_MS[Math.min(n, RETRY_DELAYS_MS.length - 1)];

/**
 * url: the hub; handlers: { methodName: fn(...args) } for what the server sends; onConnected(connection): after
 * each connection and reconnection (subscribe there); onState(state, attempts): every change of state, attempts
 * counting the failed tries since the last connection. Returns { stop(), state(), attempts(), connection }.
 */
export function connectHub(url, { handlers = {}, onConnected = async () => {}, onState = () => {} }) {
  let stopped = false;
  let state = "closed";
  let attempts = 0;
  let everConnected = false;
  let timer = null;

  const connection = new HubConnectionBuilder()
    // a cookie-authenticated negotiation is a POST: it carries the CSRF header like any other write
    .withUrl(url, { headers: { "X-CSRF-Token": csrfToken() } })
    .withAutomaticReconnect({
      // never null: SignalR stops retrying only when this returns null
      nextRetryDelayInMilliseconds: ({ previousRetryCount }) => {
        attempts = previousRetryCount;
        set("reconnecting");
        return delay(previousRetryCount);
      },
    })
    .configureLogging(LogLevel.Warning)
    .build();
  for (const [name, fn] of Object.entries(handlers)) connection.on(name, fn);

  function set(next) {
    state = next;
    onState(state, attempts);
  }

  async function connected() {
    attempts = 0;
    everConnected = true;
    set("connected");
    try {
      await onConnected(connection);
    } catch (err) {
      console.warn(`[geotwin] ${url}: after connecting:`, err);
    }
  }

  connection.onreconnecting(() => set("reconnecting"));
  connection.onreconnected(connected);
  // Closed for good in SignalR's eyes (the server closed it, or a reconnect failed): start it again ourselves.
  connection.onclose(() => {
    if (stopped) return set("closed");
    set(everConnected ? "reconnecting" : "connecting");
    again();
  });

  function again() {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(open, delay(attempts++));
  }

  async function open() {
    if (stopped || connection.state !== "Disconnected") return;
    set(everConnected ? "reconnecting" : "connecting");
    try {
      await connection.start();
    } catch {
      return again();
    }
    if (stopped) return void connection.stop();
    await connected();
  }

  open();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      set("closed");
      return connection.stop();
    },
    state: () => state,
    attempts: () => attempts,
    connection,
  };
}
