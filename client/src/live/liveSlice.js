// Live police units on the map: a SignalR subscription for the current view (snapshot + coalesced
// deltas), drawn with Cesium primitive collections (billboards, labels, trail polylines; no entities,
// so thousands of units stay smooth), a unit list with a status filter, unit details with its track,
// and a time slider for the after-action review (replayWindow.js: units and incidents over a chosen window).
import {
  BillboardCollection,
  Cartesian3,
  Color,
  DistanceDisplayCondition,
  LabelCollection,
  LabelStyle,
  Material,
  Math as CesiumMath,
  PolylineCollection,
  VerticalOrigin,
  Cartesian2,
} from "cesium";
import { fetchJson } from "../api.js";
import { connectHub } from "../hub.js";
import { showLiveFeed } from "../status/status.js";
import { onLangChange, t } from "../i18n.js";
import { FRESHNESS, UNIT_STATUSES, term } from "../vocabulary.js";
import { initReplayWindow, lastAtOrBefore } from "./replayWindow.js";
import "./live.css";

// Colours and icon letters are drawing, not words: the statuses and kinds themselves (and their names) come
// from the vocabulary; one it adds is drawn grey with "?" until it gets its own here.
export const STATUS_COLORS = {
  available: "#2ecc71", dispatched: "#f39c12", en_route: "#e67e22", on_scene: "#e74c3c",
  busy: "#9b59b6", off_duty: "#7f8c8d", out_of_service: "#4d5656",
};
const KIND_LETTER = { car: "车", foot: "步", motorbike: "摩", boat: "艇" };
const TRAIL_LENGTH = 12;
const LABEL_DISTANCE_M = 4000;
const ICON_PICK_PX = 14; // half an icon and a finger's slack: a click this close to a unit's icon means the unit

const statusName = (s) => term("unitStatuses", s);

/**
 * A "moves" frame (server Live/LiveFrame.cs): base64 of 28-byte little-endian records — id int64, fix time int64
 * Unix ms, lon and lat int32 in 1e-7 degrees, speed and heading uint16 in hundredths (0xFFFF: none).
 * Calls each(id, timeMs, lon, lat, speedKmh, headingDeg) a unit and returns how many.
 */
export function readMoves(base64, each) {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const d = new DataView(bytes.buffer);
  const hundredths = (v) => (v === 0xffff ? null : v / 100);
  let n = 0;
  for (let o = 0; o + 28 <= bytes.length; o += 28, n++) {
    each(Number(d.getBigInt64(o, true)), Number(d.getBigInt64(o + 8, true)), d.getInt32(o + 16, true) / 1e7,
      d.getInt32(o + 20, true) / 1e7, hundredths(d.getUint16(o + 24, true)), hundredths(d.getUint16(o + 26, true)));
  }
  return n;
}

const iconCache = new Map();
/** A round icon by kind (letter) and status (colour), with an arrow on top showing the heading. */
function icon(kind, status, faded) {
  const key = `${kind}|${status}|${faded}`;
  if (iconCache.has(key)) return iconCache.get(key);
  const c = document.createElement("canvas");
  c.width = c.height = 36;
  const g = c.getContext("2d");
  const color = faded ? "#9aa0a6" : STATUS_COLORS[status] ?? "#ccc";
  g.fillStyle = color;
  g.beginPath();
  g.moveTo(18, 0);
  g.lineTo(24, 8);
  g.lineTo(12, 8);
  g.closePath();
  g.fill();
  g.beginPath();
  g.arc(18, 20, 12, 0, Math.PI * 2);
  g.fill();
  g.lineWidth = 2;
  g.strokeStyle = "#fff";
  g.stroke();
  g.fillStyle = "#fff";
  g.font = "bold 13px sans-serif";
  g.textAlign = "center";
  g.textBaseline = "middle";
  g.fillText(KIND_LETTER[kind] ?? "?", 18, 21);
  iconCache.set(key, c);
  return c;
}

export function initLiveSlice(viewer) {
  const units = new Map(); // id -> { view, trail: [lon, lat][], billboard, label, line }
  // hub: the connector's state (connecting|connected|reconnecting|closed), hubAttempts its failed tries since
  // the last connection; snapshots counts subscriptions answered (one more after every reconnection).
  const state = {
    connected: false, hub: "closed", hubAttempts: 0, received: 0, moved: 0, snapshots: 0, filter: "", selected: null,
    track: null, mode: "live", replayAt: null, error: null,
  };
  let hub = null;
  const fenceListeners = new Set();
  const crowdListeners = new Set();
  // The server's snapshot repeats these; until the first one, the shared rule's numbers.
  let staleSeconds = FRESHNESS.staleSeconds;
  let offlineSeconds = FRESHNESS.offlineSeconds;
  let replay = null; // Map(id -> { points: [epoch s, lon, lat, heading][], statuses: [{ at, status }] }) while replaying

  const scene = viewer?.scene;
  const billboards = scene ? scene.primitives.add(new BillboardCollection({ scene })) : null;
  const labels = scene ? scene.primitives.add(new LabelCollection({ scene })) : null;
  const trails = scene ? scene.primitives.add(new PolylineCollection()) : null;
  const tracks = scene ? scene.primitives.add(new PolylineCollection()) : null;

  // ---- panel ------------------------------------------------------------------------------
  const panel = document.createElement("aside");
  panel.className = "live-panel";
  panel.dataset.testid = "live-panel";
  panel.hidden = true;
  panel.innerHTML = `
    <header><strong data-role="title"></strong> <small data-role="hub" data-testid="live-hub"></small>
      <select data-role="filter" data-testid="live-filter"><option value=""></option></select></header>
    <ul data-role="list" data-testid="live-list"></ul>
    <div class="live-detail" data-role="detail" data-testid="live-detail" hidden></div>
    <div class="live-time" data-role="time" data-testid="live-time"></div>`;
  (viewer?.container ?? document.body).appendChild(panel);
  const $ = (role) => panel.querySelector(`[data-role=${role}]`);
  const filterEl = $("filter");
  for (const s of UNIT_STATUSES) filterEl.add(new Option("", s));
  // The filter hides the other units' icons on the map at once, not at their next report (a parked unit has none).
  filterEl.addEventListener("change", () => { state.filter = filterEl.value; redrawAll(); });
  const replayWindow = initReplayWindow($("time"), viewer, { onTime: showAt });

  function freshness(v, now = Date.now()) {
    if (!v.time) return "never";
    const age = (now - Date.parse(v.time)) / 1000;
    return age >= offlineSeconds ? "offline" : age >= staleSeconds ? "stale" : "live";
  }

  // ---- drawing ----------------------------------------------------------------------------
  function draw(u, lon, lat, heading, status = u.view.status) {
    if (!billboards || lon == null || lat == null) return;
    const position = Cartesian3.fromDegrees(lon, lat, 2);
    const fresh = state.mode === "live" ? freshness(u.view) : "live";
    const faded = fresh === "stale" || fresh === "offline";
    if (!u.billboard) {
      // drawn over the 3D houses (no depth test): a unit in a street between tall houses is still seen and picked
      u.billboard = billboards.add({ position, verticalOrigin: VerticalOrigin.CENTER, id: { unitId: u.view.id }, disableDepthTestDistance: Number.POSITIVE_INFINITY });
      u.label = labels.add({
        position, text: u.view.callSign, font: "12px sans-serif", style: LabelStyle.FILL_AND_OUTLINE,
        outlineWidth: 3, outlineColor: Color.BLACK, pixelOffset: new Cartesian2(0, -26),
        distanceDisplayCondition: new DistanceDisplayCondition(0, LABEL_DISTANCE_M), id: { unitId: u.view.id },
      });
      u.line = trails.add({ positions: [position, position], width: 2, material: Material.fromType("Color", { color: Color.WHITE.withAlpha(0.5) }) });
    }
    u.billboard.position = position;
    // Only on change, and by key: the atlas then holds each icon once and a moving unit never reloads it.
    const key = `${u.view.kind}|${status}|${faded}`;
    if (u.iconKey !== key) {
      u.billboard.setImage(key, icon(u.view.kind, status, faded));
      u.iconKey = key;
    }
    u.billboard.rotation = -CesiumMath.toRadians(heading ?? 0);
    u.billboard.alignedAxis = Cartesian3.ZERO;
    u.label.position = position;
    const hidden = state.filter && status !== state.filter;
    u.billboard.show = u.label.show = !hidden;
    const trail = state.mode === "live" ? u.trail : [];
    u.line.show = !hidden && trail.length > 1;
    if (trail.length > 1) u.line.positions = trail.map(([x, y]) => Cartesian3.fromDegrees(x, y, 1));
    scene.requestRender();
  }

  function apply(view) {
    let u = units.get(view.id);
    if (!u) units.set(view.id, (u = { view, trail: [] }));
    u.view = view;
    if (view.lon != null) {
      const last = u.trail[u.trail.length - 1];
      if (!last || last[0] !== view.lon || last[1] !== view.lat) u.trail.push([view.lon, view.lat]);
      if (u.trail.length > TRAIL_LENGTH) u.trail.shift();
    }
    if (state.mode === "live") draw(u, view.lon, view.lat, view.heading);
  }

  function redrawAll() {
    for (const u of units.values()) {
      if (state.mode === "live") draw(u, u.view.lon, u.view.lat, u.view.heading);
      else drawReplayed(u);
    }
    renderList();
  }

  // ---- list and details ----------------------------------------------------------------------
  let listTimer = null;
  const rowsById = new Map();
  function renderListSoon() {
    if (!listTimer) listTimer = setTimeout(() => { listTimer = null; renderList(); }, 500);
  }
  function renderList() {
    $("title").textContent = t("live.title", { count: units.size });
    filterEl.options[0].text = t("live.allStatuses");
    for (const o of [...filterEl.options].slice(1)) o.text = statusName(o.value);
    const list = $("list");
    const now = Date.now();
    const rows = [...units.values()].filter((u) => !state.filter || u.view.status === state.filter)
      .sort((a, b) => a.view.callSign.localeCompare(b.view.callSign));
    // Rows are kept per unit and only updated, so a row being clicked is never swapped under the pointer.
    const items = rows.map((u) => {
      let li = rowsById.get(u.view.id);
      if (!li) {
        li = document.createElement("li");
        li.dataset.unitId = u.view.id;
        li.append(document.createElement("span"), document.createElement("span"));
        li.firstChild.className = "dot";
        li.addEventListener("click", () => select(Number(li.dataset.unitId)));
        rowsById.set(u.view.id, li);
      }
      const f = freshness(u.view, now);
      li.className = `${f} ${state.selected === u.view.id ? "selected" : ""}`;
      li.firstChild.style.background = STATUS_COLORS[u.view.status] ?? "#ccc";
      li.lastChild.textContent = `${u.view.callSign} · ${statusName(u.view.status)}${f === "live" ? "" : ` · ${term("freshness", f)}`}`;
      return li;
    });
    const current = [...list.children];
    if (current.length !== items.length || current.some((li, i) => li !== items[i])) list.replaceChildren(...items);
    renderDetail();
  }

  function renderDetail() {
    const el = $("detail");
    const u = state.selected != null ? units.get(state.selected) : null;
    el.hidden = !u;
    if (!u) return;
    const v = u.view;
    const age = v.time ? Math.round((Date.now() - Date.parse(v.time)) / 1000) : null;
    el.textContent = [
      `${v.callSign} (${term("unitKinds", v.kind)}) · ${v.station}`,
      `${t("live.status")}: ${statusName(v.status)}`,
      v.lon != null ? `${v.lon.toFixed(5)}, ${v.lat.toFixed(5)} · ${Math.round(v.speed ?? 0)} km/h · ${Math.round(v.heading ?? 0)}°` : "",
      age != null ? `${t("live.fix")}: ${t("live.ago", { seconds: age })}` : "",
      state.track ? t("live.track", { fixes: state.track.fixes, points: state.track.points.length }) : "",
    ].filter(Boolean).join("\n");
  }

  async function select(id) {
    state.selected = id;
    state.track = null;
    tracks?.removeAll();
    renderList();
    try {
      const { data } = await fetchJson(`/api/units/${id}/track?from=${encodeURIComponent(new Date(Date.now() - 3600e3).toISOString())}`);
      if (state.selected !== id) return;
      state.track = data;
      if (tracks && data.points.length > 1)
        tracks.add({ positions: data.points.map(([x, y]) => Cartesian3.fromDegrees(x, y, 1)), width: 3,
          material: Material.fromType("Color", { color: Color.CYAN.withAlpha(0.8) }) });
      scene?.requestRender();
      renderDetail();
    } catch (err) {
      state.error = String(err?.message ?? err);
    }
  }

  // ---- replay --------------------------------------------------------------------------------
  /** The replay window's time (null: live again); units holds each unit's replayed fixes and statuses. */
  function showAt(atMs, replayed) {
    state.mode = atMs == null ? "live" : "replay";
    state.replayAt = atMs == null ? null : new Date(atMs).toISOString();
    replay = atMs == null ? null : replayed;
    redrawAll();
  }

  function drawReplayed(u) {
    const held = replay?.get(u.view.id);
    const at = Date.parse(state.replayAt) / 1000;
    const best = lastAtOrBefore(held?.points, at);
    if (!best) { if (u.billboard) u.billboard.show = u.label.show = u.line.show = false; return; }
    // coloured by the status it had then, not the one it has now
    const status = lastAtOrBefore(held.statuses, at, (x) => x.at)?.status ?? u.view.status;
    u.replayStatus = status;
    draw(u, best[1], best[2], best[3] >= 0 ? best[3] : 0, status);
  }

  // ---- connection ----------------------------------------------------------------------------
  function viewRectangle() {
    const r = viewer?.camera.computeViewRectangle();
    if (!r) return [-180, -90, 180, 90];
    const d = CesiumMath.toDegrees;
    let [w, s, e, n] = [d(r.west), d(r.south), d(r.east), d(r.north)];
    if (e <= w) [w, e] = [-180, 180]; // the view crosses the antimeridian: take every longitude
    return [Math.max(-180, w), Math.max(-90, s), Math.min(180, e), Math.min(90, n)].map((v) => Math.round(v * 1e6) / 1e6)
      .map((v, i, a) => (i >= 2 && v <= a[i - 2] ? a[i - 2] + 1e-6 : v));
  }

  /** Subscribe to the current view; the answer is a snapshot of every unit in it. */
  async function subscribe() {
    const connection = hub?.connection;
    if (!connection || connection.state !== "Connected") return;
    try {
      const snapshot = await connection.invoke("Subscribe", ...viewRectangle());
      staleSeconds = snapshot.staleSeconds;
      offlineSeconds = snapshot.offlineSeconds;
      state.snapshots++;
      for (const v of snapshot.units) apply(v);
      renderList();
    } catch (err) {
      state.error = String(err?.message ?? err);
    }
  }

  let moveTimer = null;
  const onMoveEnd = () => { clearTimeout(moveTimer); moveTimer = setTimeout(subscribe, 300); };

  function renderHub() {
    $("hub").textContent = state.hub === "connected" ? "" : t(`hub.${state.hub}`);
    panel.dataset.hub = state.hub;
  }

  function start() {
    if (hub) return;
    panel.hidden = false;
    viewer?.camera.moveEnd.addEventListener(onMoveEnd);
    hub = connectHub("/hubs/live", {
      handlers: {
        // the server says when positions stop arriving (and when they come back): the banner shows it
        feed: (state) => showLiveFeed(state),
        // fence events of the fences this jurisdiction sees (geofences/): handed on, this slice draws nothing of them
        fenceEvents: (events) => { for (const fn of fenceListeners) fn(events); },
        // crowd level changes of the areas this jurisdiction sees (crowds/): handed on likewise
        crowdEvents: (events) => { for (const fn of crowdListeners) fn(events); },
        positions: (views) => {
          state.received += views.length;
          for (const v of views) apply(v);
          renderListSoon();
        },
        moves: (frame) => {
          let unknown = false;
          state.received += readMoves(frame, (id, time, lon, lat, speed, heading) => {
            const u = units.get(id);
            if (!u) { unknown = true; return; }
            state.moved++;
            apply({ ...u.view, time: new Date(time).toISOString(), lon, lat, speed, heading, freshness: "live" });
          });
          // A move of a unit this page never had (it entered the view between snapshot and subscription): fetch it all.
          if (unknown) { clearTimeout(moveTimer); moveTimer = setTimeout(subscribe, 300); }
          renderListSoon();
        },
      },
      // a server that restarted, or a connection that dropped, has no subscription: ask again (a fresh snapshot)
      onConnected: subscribe,
      onState: (hubState, attempts) => {
        state.hub = hubState;
        state.hubAttempts = attempts;
        state.connected = hubState === "connected";
        renderHub();
      },
    });
  }

  async function stop() {
    viewer?.camera.moveEnd.removeEventListener(onMoveEnd);
    const h = hub;
    hub = null;
    units.clear();
    rowsById.clear();
    billboards?.removeAll();
    labels?.removeAll();
    trails?.removeAll();
    tracks?.removeAll();
    replayWindow.reset();
    panel.hidden = true;
    await h?.stop();
  }

  // Every word of the panel follows the language switch.
  onLangChange(() => {
    renderHub();
    renderList();
  });

  /** Test handle: units as the page holds them, with where each is drawn. */
  function snapshot() {
    return [...units.values()].map((u) => ({
      ...u.view,
      freshness: freshness(u.view),
      drawn: u.billboard ? { show: u.billboard.show, ...toDegrees(u.billboard.position), status: state.mode === "replay" ? u.replayStatus : u.view.status } : null,
      trail: u.trail.length,
    }));
  }

  function toDegrees(p) {
    const c = scene.globe.ellipsoid.cartesianToCartographic(p);
    return { lon: CesiumMath.toDegrees(c.longitude), lat: CesiumMath.toDegrees(c.latitude) };
  }

  /** The unit whose icon or label is under a screen position, even behind a house (drillPick), or null. */
  function unitAt(position) {
    if (!scene) return null;
    const hit = scene.drillPick(position, 8).find((p) => p?.id?.unitId !== undefined && units.has(p.id.unitId));
    // The pick buffer is the last frame drawn: on a slow machine (software WebGL) a moving icon has left it. The icon
    // nearest the click on screen, within its own size, is the one meant.
    const u = hit ? units.get(hit.id.unitId) : nearestIcon(position);
    return u ? { ...u.view, freshness: freshness(u.view) } : null;
  }

  // Where each icon stood in the last frame drawn: the click was aimed at that frame, and on a slow machine the unit's
  // next reports (which move the icon at once) can land before the pick runs.
  scene?.postRender.addEventListener(() => {
    for (const u of units.values()) if (u.billboard) u.shownAt = Cartesian3.clone(u.billboard.position, u.shownAt);
  });

  function nearestIcon(position, withinPx = ICON_PICK_PX) {
    let best = null;
    let bestD = withinPx;
    for (const u of units.values()) {
      if (!u.billboard?.show) continue;
      for (const at of [u.billboard.position, u.shownAt]) {
        const p = at && scene.cartesianToCanvasCoordinates(at);
        const d = p ? Math.hypot(p.x - position.x, p.y - position.y) : Infinity;
        if (d <= bestD) [best, bestD] = [u, d];
      }
    }
    return best;
  }

  /** Hear the hub's "fenceEvents" pushes (an array of GET /api/geofences/events' objects) on this one connection. */
  const onFenceEvents = (fn) => fenceListeners.add(fn);
  /** Hear the hub's "crowdEvents" pushes (an array of GET /api/crowds/events' objects). */
  const onCrowdEvents = (fn) => crowdListeners.add(fn);

  return { start, stop, state, units: snapshot, select, subscribe, setTime: replayWindow.setTime, replay: replayWindow, hub: () => hub, unitAt, onFenceEvents, onCrowdEvents };
}
