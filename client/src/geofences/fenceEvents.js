// The fence events the page knows: pushed by the live hub ("fenceEvents", an array of GET /api/geofences/events'
// objects, through the live slice's one connection) and read from GET /api/geofences/events when the page starts
// and every POLL_MS, so an event pushed while the hub was away (or by a server without the push) still arrives.
// Each event is taken once (by id); onNew(events) hears only the ones not seen before.
import { fetchJson } from "../api.js";

const POLL_MS = 30000;
const KEPT = 200;

/** Returns { start(), stop(), take(events), events() (newest first), state: { reads, pushed, lastError } }. */
export function fenceEvents({ onNew = () => {} } = {}) {
  const byId = new Map();
  const state = { reads: 0, pushed: 0, lastError: null };
  let timer = null;
  let since = null; // the newest event's time: a read asks only for what came after it
  let running = false;

  function take(events, pushed = false) {
    const fresh = (Array.isArray(events) ? events : []).filter((e) => e && e.id != null && !byId.has(e.id));
    for (const e of fresh) byId.set(e.id, e);
    if (pushed) state.pushed += fresh.length;
    for (const e of fresh) if (!since || Date.parse(e.at) > Date.parse(since)) since = e.at;
    if (byId.size > KEPT) {
      const keep = list().slice(0, KEPT);
      byId.clear();
      for (const e of keep) byId.set(e.id, e);
    }
    if (fresh.length) onNew(fresh);
  }

  const list = () => [...byId.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || b.id - a.id);

  async function read() {
    if (!running) return;
    try {
      // the same instant again (>=): two events of one fix share it; take() drops the ones already held
      const { status, data } = await fetchJson(`/api/geofences/events?limit=100${since ? `&since=${encodeURIComponent(since)}` : ""}`, { allowStatus: [403, 404] });
      state.lastError = null;
      if (status === 200 && running) take(data);
    } catch (err) {
      state.lastError = String(err?.message ?? err); // the banner already says when the server is away
    } finally {
      state.reads++;
    }
  }

  return {
    state,
    take: (events) => take(events, true),
    events: list,
    start() {
      if (running) return;
      running = true;
      read();
      timer = setInterval(read, POLL_MS);
    },
    stop() {
      running = false;
      clearInterval(timer);
      byId.clear();
      since = null;
    },
  };
}
