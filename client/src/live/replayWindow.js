// The after-action review's time slider: a window (the last hour, the last 24 h, or a from–to pair of local
// date-times), the incidents over it (GET /api/incidents/replay: each one's status changes) and the units' positions
// and statuses (GET /api/units/replay, read in slices so the page can say how far it has got), shown at the
// slider's time: incidents as dots (priority colour, status ring, label in words), units by the live slice.
import { Cartesian2, Cartesian3, DistanceDisplayCondition, LabelCollection, LabelStyle, PointPrimitiveCollection, Color } from "cesium";
import { errorMessage, fetchJson } from "../api.js";
import { onLangChange, t } from "../i18n.js";
import { localTime } from "../records/fields.js";
import { INCIDENT_STATUSES, term } from "../vocabulary.js";
import { ENDED_RING, PRIORITY_COLOURS, STATUS_RINGS } from "../dispatch/dispatchPanel.js";

const HOUR_MS = 3600e3;
const UNITS_SLICE_MS = 24 * HOUR_MS; // the most /api/units/replay gives at once
const LABEL_DISTANCE_M = 6000;
const CHOICES = ["live", "hour", "day", "range"];

/** Seconds between replayed fixes: fine for an hour, coarser for longer windows (the server caps the points). */
const stepSeconds = (ms) => (ms <= HOUR_MS ? 10 : ms <= 24 * HOUR_MS ? 60 : 300);

/** The last entry of a time-ordered list at or before at (seconds or ms, as the list has them), or null. */
export function lastAtOrBefore(list, at, time = (x) => x[0]) {
  let best = null;
  for (const x of list ?? []) if (time(x) <= at) best = x; else break;
  return best;
}

const pad = (n) => String(n).padStart(2, "0");
/** A datetime-local input's value for a time, in the page's local time. */
const localInput = (ms) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/**
 * Mounts the controls in el. onTime(atMs, units) shows the units at a time (units: Map id -> { points, statuses }),
 * onTime(null) goes back to live. state: { choice, from, to, loading, progress (0-100), loaded, at, error }.
 */
export function initReplayWindow(el, viewer, { onTime }) {
  const state = { choice: "live", from: null, to: null, loading: false, progress: 0, loaded: false, at: null, error: null };
  let incidents = [];
  let units = new Map();
  let generation = 0;

  const scene = viewer?.scene;
  const dots = scene ? scene.primitives.add(new PointPrimitiveCollection()) : null;
  const labels = scene ? scene.primitives.add(new LabelCollection({ scene })) : null;

  el.innerHTML = `
    <div class="replay-row"><label><span data-role="windowLabel"></span>
      <select data-role="choice" data-testid="replay-choice">${CHOICES.map((c) => `<option value="${c}"></option>`).join("")}</select></label>
      <button type="button" data-role="load" data-testid="replay-load"></button></div>
    <div class="replay-row" data-role="range" hidden>
      <label><span data-role="fromLabel"></span> <input type="datetime-local" data-role="from" data-testid="replay-from" /></label>
      <label><span data-role="toLabel"></span> <input type="datetime-local" data-role="to" data-testid="replay-to" /></label></div>
    <div class="replay-row"><input type="range" min="0" max="0" step="10" value="0" data-role="slider" data-testid="live-slider" disabled />
      <span data-role="when" data-testid="replay-when"></span></div>
    <div class="replay-row" data-role="summary" data-testid="replay-summary"></div>`;
  const $ = (role) => el.querySelector(`[data-role=${role}]`);

  $("choice").addEventListener("change", () => {
    state.choice = $("choice").value;
    $("range").hidden = state.choice !== "range";
    if (state.choice === "range" && !$("from").value) {
      $("to").value = localInput(Date.now());
      $("from").value = localInput(Date.now() - HOUR_MS);
    }
    if (state.choice === "live") goLive();
    render();
  });
  $("load").addEventListener("click", () => load());
  $("slider").addEventListener("input", () => setTime(state.from + Number($("slider").value) * 1000));

  function windowOf(choice) {
    const now = Date.now();
    if (choice === "hour") return [now - HOUR_MS, now];
    if (choice === "day") return [now - 24 * HOUR_MS, now];
    // datetime-local values are the page's local time: new Date reads them so
    const from = new Date($("from").value).getTime(), to = new Date($("to").value).getTime();
    return Number.isFinite(from) && Number.isFinite(to) ? [from, to] : null;
  }

  async function load() {
    if (state.choice === "live") return goLive();
    const window = windowOf(state.choice);
    if (!window) {
      state.error = t("replay.pickWindow");
      return render();
    }
    const [from, to] = window;
    const mine = ++generation;
    Object.assign(state, { from, to, loading: true, progress: 0, loaded: false, error: null });
    render();
    const iso = (ms) => encodeURIComponent(new Date(ms).toISOString());
    // The unit slices, and the incidents first: the server checks the window there (from before to, at most 7 days).
    const slices = [];
    for (let a = from; a < to; a += UNITS_SLICE_MS) slices.push([a, Math.min(to, a + UNITS_SLICE_MS)]);
    const step = stepSeconds(to - from);
    try {
      const loadedIncidents = (await fetchJson(`/api/incidents/replay?from=${iso(from)}&to=${iso(to)}`)).data;
      const loadedUnits = new Map();
      for (let i = 0; i <= slices.length; i++) {
        if (mine !== generation) return;
        state.progress = Math.round((100 * (i + 1)) / (slices.length + 1));
        render();
        if (i === slices.length) break;
        const [a, b] = slices[i];
        for (const u of (await fetchJson(`/api/units/replay?from=${iso(a)}&to=${iso(b)}&stepSeconds=${step}`, { timeoutMs: 60000 })).data) {
          const held = loadedUnits.get(u.unitId) ?? { points: [], statuses: [] };
          held.points.push(...u.points);
          held.statuses.push(...u.statuses);
          loadedUnits.set(u.unitId, held);
        }
      }
      incidents = loadedIncidents.map((i) => ({ ...i, changes: i.changes.map((c) => ({ ...c, ms: Date.parse(c.at) })) }));
      units = loadedUnits;
      Object.assign(state, { loading: false, loaded: true });
      const slider = $("slider");
      slider.max = String(Math.round((to - from) / 1000));
      slider.step = String(step);
      slider.disabled = false;
      slider.value = slider.max;
      setTime(to);
    } catch (err) {
      if (mine !== generation) return;
      // the server's window rule (GET /api/incidents/replay) said in the page's words; anything else as the API says it
      const badWindow = err?.status === 400 && ["from", "to"].includes(err.body?.field);
      Object.assign(state, { loading: false, error: badWindow ? t("replay.badWindow") : t("replay.failed", { reason: errorMessage(err) }) });
      render();
    }
  }

  function goLive() {
    generation++;
    Object.assign(state, { choice: "live", loading: false, loaded: false, at: null, error: null, progress: 0 });
    $("choice").value = "live";
    $("range").hidden = true;
    $("slider").disabled = true;
    incidents = [];
    units = new Map();
    drawIncidents();
    onTime(null);
    render();
  }

  function setTime(atMs) {
    if (!state.loaded) return;
    state.at = Math.min(state.to, Math.max(state.from, atMs));
    $("slider").value = String(Math.round((state.at - state.from) / 1000));
    onTime(state.at, units);
    drawIncidents();
    render();
  }

  /** Each incident received by the slider's time, with its status then. */
  function incidentsAt(at) {
    if (at == null) return [];
    return incidents.map((i) => ({ i, change: lastAtOrBefore(i.changes, at, (c) => c.ms) })).filter((x) => x.change)
      .map(({ i, change }) => ({ code: i.code, category: i.category, priority: i.priority, lon: i.lon, lat: i.lat, status: change.status }));
  }

  const labelOf = (x) => `${term("incidentCategories", x.category)} · ${term("incidentStatuses", x.status)}`;

  function drawIncidents() {
    if (!dots) return;
    dots.removeAll();
    labels.removeAll();
    for (const x of incidentsAt(state.at)) {
      const position = Cartesian3.fromDegrees(x.lon, x.lat, 6);
      dots.add({ position, pixelSize: 12, color: PRIORITY_COLOURS[x.priority] ?? Color.WHITE, outlineColor: STATUS_RINGS[x.status] ?? ENDED_RING,
        outlineWidth: 3, disableDepthTestDistance: Number.POSITIVE_INFINITY });
      labels.add({ position, text: labelOf(x), font: "12px sans-serif", style: LabelStyle.FILL_AND_OUTLINE, outlineWidth: 3,
        outlineColor: Color.BLACK, pixelOffset: new Cartesian2(0, -18), disableDepthTestDistance: Number.POSITIVE_INFINITY,
        distanceDisplayCondition: new DistanceDisplayCondition(0, LABEL_DISTANCE_M) });
    }
    scene.requestRender();
  }

  function render() {
    $("windowLabel").textContent = `${t("replay.window")} `;
    for (const o of $("choice").options) o.text = t(`replay.${o.value}`);
    $("load").textContent = t("replay.load");
    $("load").hidden = state.choice === "live";
    $("fromLabel").textContent = t("replay.from");
    $("toLabel").textContent = t("replay.to");
    $("when").textContent = state.loading ? t("replay.loading", { percent: state.progress })
      : state.error ?? (state.at != null ? localTime(new Date(state.at)) : t("live.now"));
    const now = incidentsAt(state.at);
    const counts = INCIDENT_STATUSES.map((s) => [s, now.filter((x) => x.status === s).length]).filter(([, n]) => n > 0);
    $("summary").textContent = state.at == null ? ""
      : now.length === 0 ? t("replay.none")
        : `${t("replay.incidents", { n: now.length })}: ${counts.map(([s, n]) => `${term("incidentStatuses", s)} ${n}`).join(" · ")}`;
  }

  onLangChange(() => { render(); drawIncidents(); });
  render();

  /** Test handle: the incidents as drawn at the slider's time, with their labels. */
  const shown = () => incidentsAt(state.at).map((x) => ({ ...x, label: labelOf(x) }));
  return { state, load, setTime, goLive, incidents: shown, reset: goLive };
}
