// GeoTwin page entry: top bar (title, search, jurisdiction, server status, language), the map,
// the error banner. Feature slices hang off the viewer here: the vector layers and their panel
// (tiles/), the record panel and picking (records/), the search box (search/).
import "./style.css";
import { ApiError, fetchJson } from "./api.js";
import { currentUser, signIn, signOut } from "./accounts/session.js";
import { applyI18n, onLangChange, pick, t, toggleLang } from "./i18n.js";
import { flyToBbox, flyToPoint, createViewer } from "./map/viewer.js";
import { clearHighlight, highlight } from "./records/highlight.js";
import { attachPicking } from "./records/picking.js";
import { initRecordPanel } from "./records/recordPanel.js";
import { initSearchBox } from "./search/searchBox.js";
import { markSearchResult, searchMark } from "./search/searchMarker.js";
import { clearError, initStatus, reportError, startReadinessPolling } from "./status/status.js";
import { initLayersSlice } from "./tiles/layersSlice.js";
import { initTwin3d } from "./twin3d/twin3dSlice.js";
import { initLiveSlice } from "./live/liveSlice.js";
import { initDispatchPanel } from "./dispatch/dispatchPanel.js";
import { initHotspotsPanel } from "./hotspots/hotspotsPanel.js";
import { term } from "./vocabulary.js";
import { initScanPanel } from "./addresses/scanPanel.js";
import { initRegistrationRates } from "./addresses/registrationRates.js";
import { initOverview } from "./overview/overviewPanel.js";
import { onLiveFeed } from "./status/status.js";
import { initLegend } from "./map/legend.js";
import { initScaleBar } from "./map/scaleBar.js";
import { STATUS_COLORS } from "./live/liveSlice.js";
import { PRIORITY_COLOURS, STATUS_RINGS } from "./dispatch/dispatchPanel.js";
import { layerTitle } from "./tiles/layersPanel.js";
import { INCIDENT_PRIORITIES, UNIT_STATUSES } from "./vocabulary.js";
import { initCoveragePanel } from "./coverage/coveragePanel.js";
import { initInstructionsPage } from "./warnings/instructions/instructionsPage.js";
import { initWarningsPanel } from "./warnings/warningsPanel.js";
import { initGeofences } from "./geofences/geofences.js";
import { initCrowds } from "./crowds/crowds.js";

const $ = (sel) => document.querySelector(sel);

/**
 * Test and debugging handle; stable shape: { viewer, info, view, user, layers, lastPick,
 * layerState(), record(), flyTo(lon, lat, height) }. view is "globe", "flying", "jurisdiction"
 * or "point"; layers is the map-layers controller (null before sign-in; its generation counts
 * redraws, retiring the replaced imagery layers still shown); layerState() lists every layer with
 * show, alpha, its tile counters (requested, empty, errors, pending, lastError) and what the
 * current drawing holds of it (drawnTiles, drawnFeatures: 0 for a hidden layer).
 */
const geotwin = (window.geotwin = {
  searchMark,
  viewer: null,
  info: null,
  view: "globe",
  user: null,
  get layers() {
    return layersSlice.controller();
  },
  get imagery() {
    return layersSlice.imagery()?.sources.map(({ name, show, errors }) => ({ name, show, errors })) ?? [];
  },
  lastPick: null,
  layerState: () => {
    const layers = geotwin.layers;
    if (!layers) return [];
    const drawn = layers.drawn();
    return layers.layers.map(({ name }) => ({
      name,
      ...layers.state.get(name),
      ...layers.stats(name),
      lastError: layers.stats(name).lastError?.message ?? null,
      drawnTiles: drawn[name]?.tiles ?? 0,
      drawnFeatures: drawn[name]?.features ?? 0,
    }));
  },
  record: () => recordPanel.current(),
  twin3d: null, // the 3D tilesets: list(), state() per loaded tileset (ready, allTilesLoaded, tilesFailed), flyTo(name)
  get dispatch() {
    return dispatchPanel.state;
  },
  get hotspots() {
    return hotspotsPanel.state; // the analyst's hotspot panel (hotspots/hotspotsPanel.js)
  },
  flyTo: (lon, lat, height) => flyTo(lon, lat, height),
  /** Open an incident in the dispatch panel (false for a person without one), as a click in its list does. */
  openIncident: (code) => dispatchPanel.open(code),
  get overview() {
    return overview.state; // the commander's overview (overview/overviewPanel.js)
  },
});

applyI18n();
initStatus({ status: $("[data-testid=status]"), banner: $("[data-testid=error-banner]") });
$("[data-testid=lang-toggle]").addEventListener("click", toggleLang);

try {
  geotwin.viewer = createViewer($("[data-testid=map]"), {
    creditContainer: $("#credits"),
    onError: (source, err) =>
      reportError(source, err, source === "baseLayer" ? "error.baseLayer" : "error.render"),
  });
} catch (err) {
  reportError("webgl", err, "error.webgl");
}

// Live police units (live/): geotwin.live.units() lists what the page holds and where it draws it.
const live = (geotwin.live = initLiveSlice(geotwin.viewer));

// ---- jurisdiction / server info -------------------------------------------------------------
const jurisdictionEl = $("[data-testid=jurisdiction]");

function renderInfo() {
  const info = geotwin.info;
  if (!info) {
    jurisdictionEl.textContent = "";
    return;
  }
  const serverName = pick([info.name, info.nameEn]);
  const j = info.jurisdiction;
  jurisdictionEl.textContent = j ? pick([j.name, j.nameEn]) : t("info.noJurisdiction");
  jurisdictionEl.title = [serverName, info.version ? t("info.version", { version: info.version }) : ""]
    .filter(Boolean)
    .join(" · ");
}
onLangChange(renderInfo);

let infoLoading = false;
async function loadInfo() {
  if (!geotwin.user || geotwin.info || infoLoading) return;
  infoLoading = true;
  try {
    const { data } = await fetchJson("/api/info");
    geotwin.info = data ?? {};
    clearError("info");
    renderInfo();
    hotspotsPanel.setBbox(data?.jurisdiction?.bbox);
    // A resident has the scan page, not the map's layers and units (staff only): asking would only earn a 403 banner.
    if (geotwin.user.role !== "resident") {
      loadLayers();
      live.start();
    }
    const bbox = data?.jurisdiction?.bbox;
    if (geotwin.viewer && bbox) await tracked(() => flyToBbox(geotwin.viewer, bbox, { outline: data.jurisdiction.outline }), "jurisdiction");
  } catch (err) {
    reportError("info", err);
  } finally {
    infoLoading = false;
  }
}

// ---- vector layers, records, search ---------------------------------------------------------
const layersSlice = initLayersSlice(geotwin.viewer, $("[data-testid=layers-panel]"));
const recordPanel = initRecordPanel($("[data-testid=record-panel]"), {
  getUser: () => geotwin.user,
  onClose: () => geotwin.viewer && clearHighlight(geotwin.viewer),
});
const twin3d = (geotwin.twin3d = initTwin3d(geotwin.viewer, $("[data-testid=layers-panel]")));
const dispatchPanel = initDispatchPanel(geotwin.viewer, $("[data-testid=map]").parentElement, {
  onError: (err) => reportError("dispatch", err),
});
const hotspotsPanel = initHotspotsPanel(geotwin.viewer, $("[data-testid=map]").parentElement, {
  onOpenRecord: (target) => recordPanel.open(target),
});
// The commander's overview along the top of the map (overview/): an incident it names opens in the dispatch
// panel for those who dispatch, as a record for everyone else.
const overview = initOverview($("[data-testid=map]").parentElement, {
  onOpenIncident: (code) => dispatchPanel.open(code) || recordPanel.open({ kind: "incident", key: code }),
});
onLiveFeed((feed) => overview.liveFeed(feed));

// ---- legend and scale bar (map/): every slice that draws says what it draws -------------------------------
const stage = $("[data-testid=map]").parentElement;
const legend = (geotwin.legend = initLegend(stage));
const scaleBar = initScaleBar(geotwin.viewer, stage);
geotwin.scaleBar = scaleBar.state;
const SHAPES = { point: "point", line: "line", polygon: "fill" };
legend.source("boundary", () => t("legend.boundary"), () => (geotwin.info?.jurisdiction ? [{ swatch: { colour: "#ffd700", shape: "line" }, text: pick([geotwin.info.jurisdiction.name, geotwin.info.jurisdiction.nameEn]) }] : []));
legend.source("layers", () => t("layers.title"), () => (geotwin.layers?.layers ?? [])
  .filter((l) => geotwin.layers.state.get(l.name)?.show)
  .map((l) => ({ swatch: { colour: l.geometry === "polygon" ? l.style?.stroke ?? "#3388ff" : l.style?.fill ?? l.style?.stroke ?? "#3388ff", shape: SHAPES[l.geometry] ?? "fill" },
    text: l.name === "incidents" ? `${layerTitle(l)} · ${incidentWindowText()}` : layerTitle(l) })));
legend.source("units", () => t("legend.units"), () => {
  const present = new Set(live.units().map((u) => u.status));
  const rows = UNIT_STATUSES.filter((s) => present.has(s)).map((s) => ({ swatch: { colour: STATUS_COLORS[s] ?? "#999", shape: "point" }, text: term("unitStatuses", s) }));
  if (rows.length && live.units().some((u) => u.freshness !== "live")) rows.push({ swatch: { colour: "rgba(150,150,150,0.5)", shape: "point" }, text: t("legend.faded") });
  return rows;
});
legend.source("dispatch", () => t("legend.openIncidents"), () => (dispatchPanel.state.incidents.length
  ? [...INCIDENT_PRIORITIES.map((p) => ({ swatch: { colour: PRIORITY_COLOURS[p]?.toCssColorString() ?? "#fff", shape: "point" }, text: term("incidentPriorities", p) })),
    ...Object.entries(STATUS_RINGS).map(([status, colour]) => ({ swatch: { colour: colour.toCssColorString(), shape: "ring" }, text: term("incidentStatuses", status) }))]
  : []));
/** The incident layer's time window in words (the filter's own words; "all" when none is set). */
function incidentWindowText() {
  return layersSlice.incidentWindow?.() ?? "";
}
// Geofences (geofences/): the layer, the dispatch roles' panel, and the fence events into the overview's alerts feed.
const geofences = (geotwin.geofences = initGeofences(geotwin.viewer, stage, {
  layersPanel: $("[data-testid=layers-panel]"), legend, live, onEvents: (events) => overview.fenceEvents(events),
}));
// Crowd counts (crowds/): the areas by level, the panel with today's curve, the level changes into the alerts feed.
const crowds = (geotwin.crowds = initCrowds(geotwin.viewer, stage, {
  layersPanel: $("[data-testid=layers-panel]"), legend, live, onEvents: (events) => overview.crowdEvents(events),
}));
// The door-plate scan page (/qr/{code}): a panel over the map, phone first (addresses/).
const scanPanel = (geotwin.scan = initScanPanel($("[data-testid=map]").parentElement, { getUser: () => geotwin.user }));
// The planner's camera coverage panel (coverage/): geotwin.coverage is its state.
const coveragePanel = initCoveragePanel(geotwin.viewer, $("[data-testid=map]").parentElement);
geotwin.coverage = coveragePanel.state;
// The daily list (/today) and the instruction board (/instructions): pages over the map (warnings/instructions/).
const instructionsPage = (geotwin.instructions = initInstructionsPage($("[data-testid=map]").parentElement, { getUser: () => geotwin.user }));
// The four-colour warnings (warnings/): geotwin.warnings is its state (places by level, alerts, the open place).
// On a phone the open warnings and rate panels take the same sheet (style.css :root): opening one folds the other.
const phone = window.matchMedia("(max-width: 600px)");
const warningsPanel = initWarningsPanel(geotwin.viewer, $("[data-testid=map]").parentElement, legend, { onOpen: () => phone.matches && ratesPanel.fold() });
geotwin.warnings = warningsPanel.state;
// The registration rate by community on the map and in a table (addresses/): geotwin.rates is its state.
const ratesPanel = initRegistrationRates(geotwin.viewer, $("[data-testid=map]").parentElement, legend, { onOpen: () => phone.matches && warningsPanel.fold() });
geotwin.rates = ratesPanel.state;
const searchBox = initSearchBox($("[data-testid=search]"), {
  onChoose: async (result) => {
    if (geotwin.viewer) clearHighlight(geotwin.viewer);
    if (geotwin.viewer) markSearchResult(geotwin.viewer, result);
    recordPanel.open(searchTarget(result));
    await flyTo(result.lon, result.lat);
  },
});

/** What a search result opens: its record where it has one, otherwise just its label. */
function searchTarget(result) {
  if (["address", "camera", "house", "incident"].includes(result.kind)) return { kind: result.kind, key: result.key };
  return { kind: result.kind, key: result.key, title: result.label, attributes: { label: result.label, lon: result.lon, lat: result.lat } };
}

async function flyTo(lon, lat, height = 600) {
  if (!geotwin.viewer) return false;
  return tracked(() => flyToPoint(geotwin.viewer, lon, lat, { height }), "point");
}

let flights = 0;
/** Run a camera flight and keep geotwin.view true: only the latest flight may set where it ended. */
async function tracked(fly, endView) {
  const mine = ++flights;
  geotwin.view = "flying";
  const arrived = await fly();
  if (mine === flights) geotwin.view = arrived ? endView : "globe";
  return arrived;
}

function loadLayers() {
  if (!geotwin.user || geotwin.user.role === "resident") return;
  layersSlice.load(geotwin.info?.jurisdiction?.bbox);
  twin3d.load();
}

if (geotwin.viewer) {
  const viewer = geotwin.viewer;
  attachPicking(viewer, {
    getLayers: () => geotwin.layers,
    // a unit's icon (or its label) opens the unit, even where it stands in front of a house or on a road
    above: (position) => {
      const u = live.unitAt(position);
      return u && { kind: "unit", key: String(u.id), title: u.callSign,
        attributes: { callSign: u.callSign, kind: u.kind, status: u.status, station: u.station, speed: u.speed, time: u.time, lon: u.lon, lat: u.lat } };
    },
    onAbove: (target) => {
      geotwin.lastPick = { layer: "units", id: target.key, target };
      clearError("pick");
      clearHighlight(viewer);
      recordPanel.open(target);
      live.select(Number(target.key));
    },
    preempt: (position) => twin3d.pick(position),
    onPreempt: (target) => {
      geotwin.lastPick = { layer: "houses-3d", id: target.key, target };
      clearError("pick");
      clearHighlight(viewer);
      recordPanel.open(target);
    },
    onPick: (pick) => {
      geotwin.lastPick = {
        lon: pick.lon,
        lat: pick.lat,
        zoom: pick.zoom,
        layer: pick.layer.name,
        id: pick.feature.id ?? null,
        tile: pick.tile,
        target: pick.target,
      };
      clearError("pick");
      recordPanel.open(pick.target);
      highlight(viewer, pick.feature, pick.tile);
    },
    onMiss: (ground) => (geotwin.lastPick = { lon: ground.lon, lat: ground.lat, zoom: ground.zoom, layer: null }),
    onError: (err) => reportError("pick", new ApiError("pick.failed", { detail: String(err?.message ?? err) })),
  });
}

// ---- the signed-in person -------------------------------------------------------------------
const form = $("[data-testid=signin]");
const formError = $("[data-testid=signin-error]");
const userEl = $("[data-testid=user]");
const signOutButton = $("[data-testid=signout]");

/** After sign-in or sign-out: who is signed in decides what the page offers. */
function showUser() {
  const user = geotwin.user;
  form.hidden = Boolean(user);
  userEl.hidden = signOutButton.hidden = !user;
  searchBox.setEnabled(Boolean(user));
  dispatchPanel.show(user);
  hotspotsPanel.show(user);
  overview.show(user);
  geofences.show(user);
  overview.fenceEvents(geofences.events()); // the overview's feed starts empty at each show
  crowds.show(user);
  overview.crowdEvents(crowds.events());
  legend.show(user);
  scanPanel.refresh();
  coveragePanel.show(user);
  instructionsPage.refresh();
  warningsPanel.show(user);
  ratesPanel.show(user);
  renderUser();
}

/** The person's name and role in the page language (a language switch re-labels, it does not sign in again). */
function renderUser() {
  const user = geotwin.user;
  userEl.textContent = user ? `${user.displayName} · ${term("roles", user.role)}` : "";
}
onLangChange(renderUser);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const fields = new FormData(form);
  formError.hidden = true;
  try {
    const { user, errorKey, detail } = await signIn(String(fields.get("username")), String(fields.get("password")));
    if (!user) {
      formError.textContent = t(errorKey, { detail });
      formError.hidden = false;
      return;
    }
    geotwin.user = user;
    form.reset();
    showUser();
    loadInfo();
  } catch (err) {
    reportError("signin", err);
  }
});

signOutButton.addEventListener("click", async () => {
  await signOut().catch((err) => reportError("signout", err));
  geotwin.user = null;
  geotwin.info = null;
  layersSlice.unload();
  twin3d.unload();
  live.stop();
  recordPanel.close();
  renderInfo();
  showUser();
});

async function start() {
  try {
    geotwin.user = await currentUser();
  } catch (err) {
    reportError("info", err);
  }
  showUser();
  loadInfo();
}

start();
// If the server was down at start, look again as soon as it reports ready.
startReadinessPolling({
  onReady: () => {
    if (!geotwin.user) return start();
    loadInfo();
    if (geotwin.info) loadLayers(); // retry a catalog that failed while the server was down
  },
});
