// The dispatcher's panel: open incidents by status with timers, a new incident by clicking the map,
// the recommended units with ETAs and their routes drawn, one-click dispatch, arrival by hand.
// Every dispatcher's screen refetches when the dispatch hub says an incident changed.
import {
  Cartesian3,
  Color,
  LabelCollection,
  PointPrimitiveCollection,
  PolylineCollection,
  ScreenSpaceEventHandler,
  ScreenSpaceEventType,
  VerticalOrigin,
  Cartesian2,
  Material,
} from "cesium";
import { errorMessage, fetchJson, postJson } from "../api.js";
import { connectHub } from "../hub.js";
import { groundAt } from "../map/viewer.js";
import { onLangChange, t } from "../i18n.js";
import { INCIDENT_CATEGORIES, INCIDENT_DISPOSITIONS, INCIDENT_PRIORITIES, OPEN_INCIDENT_STATUSES, allowed, term } from "../vocabulary.js";
import { downloadTrail, renderTrail } from "./trail.js";
import { initIntakeForm } from "./intakeForm.js";
import "./intake.css";
import { showIncidentCameras } from "../coverage/video/incidentCameras.js";

export const PRIORITY_COLOURS = { 1: Color.RED, 2: Color.ORANGE, 3: Color.YELLOW, 4: Color.LIGHTSKYBLUE };
/** An incident's status as the ring around its dot: new white, dispatched blue, on scene green, ended grey. */
export const STATUS_RINGS = { new: Color.WHITE, dispatched: Color.BLUE, on_scene: Color.GREEN };
export const ENDED_RING = Color.GRAY;
const ROUTE_COLOURS = [Color.CYAN, Color.LIME, Color.MAGENTA, Color.WHITE, Color.GOLD];
const isOpen = (status) => OPEN_INCIDENT_STATUSES.includes(status);

/**
 * state (window.geotwin.dispatch): { mode: "idle"|"placing"|"creating", incidents, current (detail), recommendations,
 * hub: "connecting"|"connected"|"reconnecting"|"closed" (see hub.js), lastError (the words shown), changes (count of hub messages) }.
 */
export function initDispatchPanel(viewer, container, { onError }) {
  const state = { mode: "idle", incidents: [], current: null, recommendations: null, trail: [], closing: null, hub: "closed", lastError: null, changes: 0 };
  const el = document.createElement("aside");
  el.className = "dispatch";
  el.dataset.testid = "dispatch-panel";
  el.hidden = true;
  container.appendChild(el);

  // The call-taker's intake form (intakeForm.js): a new incident opens here, with its recommendations.
  const intake = initIntakeForm(viewer, container, {
    onCreated: async (code) => {
      await select(code);
      await refreshList();
    },
  });
  state.intake = intake.state;

  const points = viewer ? viewer.scene.primitives.add(new PointPrimitiveCollection()) : null;
  const labels = viewer ? viewer.scene.primitives.add(new LabelCollection()) : null;
  const routes = viewer ? viewer.scene.primitives.add(new PolylineCollection()) : null;
  let hub = null;
  let timer = null;
  let user = null;

  if (viewer) {
    const handler = new ScreenSpaceEventHandler(viewer.scene.canvas);
    handler.setInputAction((click) => {
      if (state.mode !== "placing") return;
      const ground = groundAt(viewer, click.position);
      if (ground) create(ground.lon, ground.lat);
    }, ScreenSpaceEventType.LEFT_CLICK);
  }

  /** Run work, saying a failure in the panel and the banner. A refresh (keepError) leaves the last step's failure shown. */
  async function guard(work, { keepError = false } = {}) {
    try {
      if (!keepError) state.lastError = null;
      return await work();
    } catch (err) {
      state.lastError = errorMessage(err);
      onError(err);
      render();
      return null;
    }
  }

  async function create(lon, lat) {
    state.mode = "creating";
    render();
    const category = el.querySelector("[data-role=category]")?.value ?? "other";
    const priority = Number(el.querySelector("[data-role=priority]")?.value ?? 2);
    const created = await guard(async () => (await postJson("/api/incidents", { category, priority, location: { lon, lat } })).data);
    state.mode = "idle";
    if (created) await select(created.code);
    await refreshList();
  }

  async function select(code) {
    await guard(async () => {
      state.current = (await fetchJson(`/api/incidents/${encodeURIComponent(code)}/detail`)).data;
      state.trail = (await fetchJson(`/api/incidents/${encodeURIComponent(code)}/trail`)).data ?? [];
      if (state.closing !== code) state.closing = null;
      state.recommendations = isOpen(state.current.status)
        ? (await fetchJson(`/api/incidents/${encodeURIComponent(code)}/recommendations?k=5`)).data
        : null;
    });
    draw();
    render();
  }

  async function refreshList() {
    await guard(async () => {
      state.incidents = (await fetchJson("/api/incidents/?status=open&limit=100")).data ?? [];
    }, { keepError: true });
    draw();
    render();
  }

  async function act(path, body) {
    const code = state.current?.code;
    if (!code) return;
    const done = await guard(async () => (await postJson(`/api/incidents/${encodeURIComponent(code)}/${path}`, body)).data);
    if (done) await select(code);
    await refreshList();
  }

  function draw() {
    if (!points) return;
    points.removeAll();
    labels.removeAll();
    routes.removeAll();
    for (const i of state.incidents) {
      points.add({
        position: Cartesian3.fromDegrees(i.lon, i.lat, 5),
        pixelSize: i.code === state.current?.code ? 16 : 11,
        color: PRIORITY_COLOURS[i.priority] ?? Color.WHITE,
        outlineColor: STATUS_RINGS[i.status] ?? ENDED_RING,
        outlineWidth: 3,
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      });
    }
    (state.recommendations?.units ?? []).forEach((u, n) => {
      const colour = ROUTE_COLOURS[n % ROUTE_COLOURS.length];
      if (u.route?.length >= 2)
        routes.add({ positions: Cartesian3.fromDegreesArray(u.route.flat()), width: n === 0 ? 5 : 3, material: Material.fromType("Color", { color: colour }) });
      const [lon, lat] = u.route?.[0] ?? [];
      if (lon === undefined) return;
      points.add({ position: Cartesian3.fromDegrees(lon, lat, 5), pixelSize: 9, color: colour, disableDepthTestDistance: Number.POSITIVE_INFINITY });
      labels.add({
        position: Cartesian3.fromDegrees(lon, lat, 5),
        text: `${u.callSign} ${Math.round(u.etaSeconds)} s`,
        font: "13px sans-serif",
        fillColor: colour,
        verticalOrigin: VerticalOrigin.BOTTOM,
        pixelOffset: new Cartesian2(0, -8),
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      });
    });
    viewer.scene.requestRender();
  }

  const minutes = (from, to) => {
    if (!from) return "";
    const s = Math.max(0, ((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000);
    return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
  };
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  function render() {
    el.dataset.mode = state.mode;
    el.dataset.hub = state.hub;
    const cur = state.current;
    const byStatus = OPEN_INCIDENT_STATUSES.map((s) => [s, state.incidents.filter((i) => i.status === s)]);
    const option = (list, code, chosen) => `<option value="${esc(code)}" ${String(code) === chosen ? "selected" : ""}>${esc(term(list, code))}</option>`;
    el.innerHTML = `
      <h2>${t("dispatch.title")} <small data-testid="dispatch-hub" data-hub="${esc(state.hub)}">${esc(t(`hub.${state.hub}`))}</small></h2>
      <div class="dispatch-new">
        <select data-role="category" data-testid="dispatch-category" aria-label="${esc(t("dispatch.category"))}">${INCIDENT_CATEGORIES.map((c) => option("incidentCategories", c, el.dataset.category ?? "theft")).join("")}</select>
        <select data-role="priority" data-testid="dispatch-priority" aria-label="${esc(t("dispatch.priority"))}">${INCIDENT_PRIORITIES.map((p) => option("incidentPriorities", p, el.dataset.priority ?? "2")).join("")}</select>
        <button type="button" data-role="intake" data-testid="intake-open">${t("intake.open")}</button>
        <button type="button" data-role="add" data-testid="dispatch-new">${state.mode === "placing" ? t("dispatch.placing") : t("dispatch.add")}</button>
      </div>
      ${state.lastError ? `<p class="dispatch-error" data-testid="dispatch-error">${esc(state.lastError)}</p>` : ""}
      <div class="dispatch-list" data-testid="dispatch-list">
        ${byStatus.map(([s, list]) => `<h3>${esc(term("incidentStatuses", s))} (${list.length})</h3>` + list.map((i) => `
          <button type="button" class="dispatch-incident" data-code="${esc(i.code)}" data-status="${esc(i.status)}" data-priority="${esc(i.priority)}">
            P${esc(i.priority)} ${esc(term("incidentCategories", i.category))} · ${t("dispatch.since")} <span data-since="${esc(i.receivedAt)}">${minutes(i.receivedAt)}</span>${i.firstArrivalAt ? ` · ${t("dispatch.toArrival")} ${minutes(i.receivedAt, i.firstArrivalAt)}` : ""}
          </button>`).join("")).join("")}
      </div>
      ${cur ? `
      <div class="dispatch-current" data-testid="dispatch-current" data-code="${esc(cur.code)}" data-status="${esc(cur.status)}">
        <h3>${esc(cur.code)} · ${esc(term("incidentCategories", cur.category))} · ${esc(term("incidentPriorities", cur.priority))} · ${esc(term("incidentStatuses", cur.status))}</h3>
        <ul data-testid="dispatch-units">${cur.units.map((u) => `
          <li data-unit="${u.unitId}" data-unit-status="${esc(u.unitStatus)}">${esc(u.callSign)} · ${esc(term("unitStatuses", u.unitStatus))}${u.arrivedAt ? " ✓" : ""}
            ${!u.releasedAt && !u.arrivedAt ? `<button type="button" data-role="arrive" data-unit="${u.unitId}" data-testid="dispatch-arrive">${t("dispatch.arrive")}</button>` : ""}</li>`).join("")}
        </ul>
        <h3>${t("dispatch.recs")}</h3>
        <ol data-testid="dispatch-recommendations">${(state.recommendations?.units ?? []).map((u) => `
          <li data-kind="${esc(u.kind)}">${esc(u.callSign)} (${esc(term("unitKinds", u.kind))}) · ${Math.round(u.etaSeconds)} s (${esc(t(`dispatch.eta.${u.etaBasis}`))}) · ${Math.round(u.straightLineM)} m${u.etaNote ? ` · <span class="dispatch-eta-note" data-testid="dispatch-eta-note" data-note="${esc(u.etaNote)}">${esc(t(`dispatch.etaNote.${u.etaNote}`))}</span>` : ""}${u.diversion ? ` · ⤳ ${esc(u.divertFrom)}` : ""}
            <button type="button" data-role="dispatch" data-unit="${u.unitId}" data-seen="${esc(u.status)}" data-testid="dispatch-send">${t("dispatch.send")}</button></li>`).join("") || `<li>${t("dispatch.none")}</li>`}
        </ol>
        ${isOpen(cur.status) ? (state.closing === cur.code ? `
          <p class="dispatch-confirm" data-testid="dispatch-confirm">${esc(t("dispatch.confirmClose", { code: cur.code, disposition: term("incidentDispositions", el.dataset.disposition ?? INCIDENT_DISPOSITIONS[0]) }))}
            <button type="button" data-role="close-confirm" data-testid="dispatch-close-confirm">${t("dispatch.confirm")}</button>
            <button type="button" data-role="close-back" data-testid="dispatch-close-back">${t("dispatch.back")}</button></p>` : `
          <div class="dispatch-closing">
            <select data-role="disposition" data-testid="dispatch-disposition" aria-label="${esc(t("dispatch.disposition"))}">${INCIDENT_DISPOSITIONS.map((d) => option("incidentDispositions", d, el.dataset.disposition ?? INCIDENT_DISPOSITIONS[0])).join("")}</select>
            <button type="button" data-role="close" data-testid="dispatch-close">${t("dispatch.close")}</button>
          </div>`) : `<p data-testid="dispatch-ended">${esc(term("incidentStatuses", cur.status))}${cur.disposition ? ` · ${esc(term("incidentDispositions", cur.disposition))}` : ""}${cur.closedAt ? ` · ${esc(new Date(cur.closedAt).toLocaleString())}` : ""}</p>`}
        <h3>${t("dispatch.trail")} <button type="button" data-role="export" data-testid="dispatch-trail-export">${t("dispatch.exportCsv")}</button></h3>
        ${renderTrail(state.trail ?? [])}
        <div data-role="incident-cameras"></div>
      </div>` : ""}`;
    showIncidentCameras(el.querySelector("[data-role=incident-cameras]"), cur?.code ?? null);
  }

  el.addEventListener("click", (event) => {
    const b = event.target.closest("button");
    if (!b) return;
    if (b.dataset.role === "intake") intake.open();
    else if (b.dataset.role === "add") {
      state.mode = state.mode === "placing" ? "idle" : "placing";
      render();
    } else if (b.dataset.role === "dispatch") act("dispatch", { units: [{ unitId: Number(b.dataset.unit), seenStatus: b.dataset.seen }] });
    else if (b.dataset.role === "arrive") act("arrive", { unitId: Number(b.dataset.unit) });
    else if (b.dataset.role === "close") {
      // closing ends the incident and releases its units: said back once before it is done
      state.closing = state.current?.code ?? null;
      render();
    } else if (b.dataset.role === "close-back") {
      state.closing = null;
      render();
    } else if (b.dataset.role === "close-confirm") {
      state.closing = null;
      act("close", { disposition: el.dataset.disposition ?? INCIDENT_DISPOSITIONS[0] });
    } else if (b.dataset.role === "export") {
      if (state.current) downloadTrail(state.current.code, state.trail ?? []);
    }
    else if (b.dataset.code) select(b.dataset.code);
  });
  // keep the chosen category and priority across re-renders
  el.addEventListener("change", (event) => {
    const s = event.target;
    if (s.dataset.role) el.dataset[s.dataset.role] = s.value;
  });

  // Every word of the panel follows the language switch (the chosen category and priority stay chosen).
  onLangChange(() => {
    if (!el.hidden) render();
  });

  return {
    state,
    /** Open an incident here (the overview's click); false when this person has no dispatch panel. */
    open(code) {
      if (el.hidden) return false;
      select(code);
      return true;
    },
    /** Show the panel to a person the dispatch policy allows, with its own hub connection; hide it otherwise. */
    show(signedIn) {
      user = signedIn;
      const mayDispatch = allowed("dispatch", user?.role);
      el.hidden = !mayDispatch;
      hub?.stop();
      hub = null;
      clearInterval(timer);
      if (!mayDispatch) {
        intake.close();
        state.incidents = [];
        state.current = state.recommendations = null;
        if (points) draw();
        return;
      }
      hub = connectHubFor();
      // the timers tick in place; the rest of the panel is redrawn only when something changed
      timer = setInterval(() => el.querySelectorAll("[data-since]").forEach((t) => (t.textContent = minutes(t.dataset.since))), 1000);
      refreshList();
    },
  };

  function connectHubFor() {
    return connectHub("/hubs/dispatch", {
      handlers: {
        incident: (change) => {
          state.changes++;
          refreshList();
          if (change?.code && change.code === state.current?.code) select(change.code);
        },
      },
      // changes made while the hub was away were never heard: read the list again after every (re)connection
      onConnected: () => refreshList(),
      onState: (s) => {
        state.hub = s;
        el.dataset.hub = s;
        const badge = el.querySelector("[data-testid=dispatch-hub]");
        if (badge) {
          badge.dataset.hub = s;
          badge.textContent = t(`hub.${s}`);
        }
      },
    });
  }
}

