// The four-colour warning viewer (staff): places coloured by their level for a month (a layer with its legend and a
// month selector), the list of black, red and one-short places with their counts and the change on last month and
// last year, a place's incidents and level history (and, for the roles that read personal data, its responsible
// people: the server logs each reading), and the alerts list, which the /hubs/warnings push keeps up to date.
// The places are coloured on the map only while the panel is open: the switch that hides them is inside it, and the
// registration rate's communities (also yellow, orange, red) must not be taken for them. The map's legend names
// every level drawn, while it is drawn.
// Every word through i18n.js, every level, kind and role through vocabulary.js, every time in local time.
import { ScreenSpaceEventHandler, ScreenSpaceEventType } from "cesium";
import { errorMessage, fetchJson } from "../api.js";
import { connectHub } from "../hub.js";
import { applyI18n, getLang, onLangChange, pick, t } from "../i18n.js";
import { areaLayer } from "../map/areas.js";
import { WARNING_LEVELS, nestedTerm, term, vocabulary, warningColour, warningTerm } from "../vocabulary.js";
import "./warnings.css";

const MONTHS_OFFERED = 25; // this month and the two years before it: the list compares with last year
const ALERTS_KEPT = 50;
const INSTRUCTIONS_SHOWN = 20; // the latest; the instruction board (/instructions) has them all
const PERSONAL = new Set(Object.entries(vocabulary.roles).filter(([, r]) => r?.personalData).map(([code]) => code));

const PANEL_HTML = `
  <button class="warnings-head" type="button" data-role="toggle" data-testid="warnings-toggle" aria-expanded="false"
          data-i18n="warnings.title" data-i18n-title="warnings.toggleTitle"></button>
  <div class="warnings-body" data-role="body" hidden>
    <div class="wn-row">
      <label class="wn-check"><input type="checkbox" data-role="layer" data-testid="warnings-layer" checked /><span data-i18n="warnings.layer"></span></label>
      <label><span data-i18n="warnings.month"></span> <select data-role="month" data-testid="warnings-month"></select></label>
    </div>
    <p class="wn-state" data-role="state" data-testid="warnings-state" role="status"></p>
    <div class="wn-legend" data-testid="warnings-legend"><h4 data-i18n="warnings.legend"></h4><ul data-role="legend"></ul></div>
    <h4 data-i18n="warnings.list"></h4>
    <ul class="wn-list" data-role="list" data-testid="warnings-list"></ul>
    <div class="wn-place" data-role="place" data-testid="warnings-place" hidden></div>
    <h4><span data-i18n="warnings.alerts"></span> <small data-role="hub" data-testid="warnings-hub"></small></h4>
    <ul class="wn-alerts" data-role="alerts" data-testid="warnings-alerts"></ul>
  </div>`;

/** "2026-03" of a Date in local time (the month selector's values and the server's month parameter). */
const monthKey = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
const monthLabel = (key) => {
  const [y, m] = key.split("-").map(Number);
  return new Date(y, m - 1, 1).toLocaleDateString(getLang(), { year: "numeric", month: "long" });
};
const localTime = (iso) => (iso ? new Date(iso).toLocaleString(getLang(), { hour12: false }) : "—");
const signed = (n) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "±0");
const rank = (level) => WARNING_LEVELS.indexOf(level);
const placeName = (p) => pick([p.name ?? p.placeName, p.nameEn ?? p.placeNameEn ?? p.name ?? p.placeName]);

/** The alert in words: "entered red" or "one short of red". */
function alertText(a) {
  const place = placeName(a);
  if (a.kind.startsWith("one_short_of_"))
    return t("warnings.alert.oneShort", { place, level: warningTerm("levels", a.level), next: warningTerm("levels", a.kind.slice(13)), count: a.count });
  return t("warnings.alert.entered", { place, level: warningTerm("levels", a.kind), count: a.count });
}

/**
 * viewer: the Cesium viewer (or null); container: where the panel goes; legend: the map's legend (map/legend.js);
 * onOpen: called when the user opens the panel. Returns { show(user), fold(), state }; state (window.geotwin.warnings) is for tests: open, month, places (code ->
 * { level, count, nearNext }), alerts, drawn (entities on the map), hub, loading, lastError, place (the open place's code).
 */
export function initWarningsPanel(viewer, container, legend, { onOpen } = {}) {
  const el = document.createElement("aside");
  el.className = "warnings";
  el.dataset.testid = "warnings-panel";
  el.hidden = true;
  el.innerHTML = PANEL_HTML;
  container.appendChild(el);
  const $ = (role) => el.querySelector(`[data-role=${role}]`);

  const state = { visible: false, open: false, month: monthKey(new Date()), places: {}, alerts: [], drawn: 0, hub: "closed", loading: 0, lastError: null, place: null, generation: 0 };
  let user = null;
  let answer = null;
  let hub = null;
  const areas = areaLayer(viewer);
  let drawnLevels = []; // the levels of the places drawn now, in WARNING_LEVELS order (the map legend's rows)
  let openPlace = null;
  let people = null;

  // ---- month selector ---------------------------------------------------------------------------------
  function fillMonths() {
    const now = new Date();
    const select = $("month");
    select.innerHTML = "";
    for (let i = 0; i < MONTHS_OFFERED; i++) {
      const key = monthKey(new Date(now.getFullYear(), now.getMonth() - i, 1));
      select.add(new Option(monthLabel(key), key, false, key === state.month));
    }
  }
  $("month").addEventListener("change", () => {
    state.month = $("month").value;
    load();
  });
  $("layer").addEventListener("change", draw);
  function setOpen(open) {
    state.open = open;
    $("body").hidden = !open;
    $("toggle").setAttribute("aria-expanded", String(open));
    draw();
  }
  $("toggle").addEventListener("click", () => {
    setOpen($("body").hidden);
    if (state.open) onOpen?.();
  });

  // ---- places: load, draw, list ---------------------------------------------------------------------
  async function load() {
    if (!user) return;
    state.loading++;
    $("state").textContent = t("warnings.loading");
    try {
      const { data } = await fetchJson(`/api/warnings/places?month=${state.month}`);
      if (data.month.slice(0, 7) !== state.month) return; // an older answer for another month
      answer = data;
      state.places = Object.fromEntries(data.places.map((p) => [p.code, { id: p.id, level: p.level, count: p.count, nearNext: p.nearNext }]));
      state.lastError = null;
      render();
      draw();
      state.generation++;
    } catch (err) {
      state.lastError = errorMessage(err);
      $("state").textContent = t("warnings.failed", { detail: state.lastError });
    } finally {
      state.loading--;
    }
  }

  function render() {
    renderLegend();
    if (!answer) return;
    const warned = answer.places.filter((p) => p.level !== "none");
    $("state").textContent = t("warnings.loaded", { month: monthLabel(state.month), places: answer.places.length, warned: warned.length });
    // Black first, then red, then the one-short ones; the highest count first within each.
    const listed = answer.places
      .filter((p) => p.level === "black" || p.level === "red" || p.nearNext)
      .sort((a, b) => rank(b.level) - rank(a.level) || b.count - a.count || a.code.localeCompare(b.code));
    const list = $("list");
    list.innerHTML = "";
    if (listed.length === 0) list.append(Object.assign(document.createElement("li"), { className: "wn-empty", textContent: t("warnings.listEmpty") }));
    for (const p of listed) {
      const li = document.createElement("li");
      li.dataset.testid = "warnings-list-item";
      li.dataset.code = p.code;
      li.dataset.level = p.level;
      li.tabIndex = 0;
      li.innerHTML = `<span class="wn-swatch"></span><span class="wn-name"></span><span class="wn-level"></span><small class="wn-delta"></small>`;
      li.querySelector(".wn-swatch").style.background = warningColour(p.level);
      li.querySelector(".wn-name").textContent = `${placeName(p)} · ${warningTerm("placeKinds", p.kind)}`;
      li.querySelector(".wn-level").textContent = `${warningTerm("levels", p.level)}${p.nearNext ? ` · ${pick(vocabulary.warnings.nearNext.label)}` : ""} · ${t("warnings.count", { count: p.count })}`;
      li.querySelector(".wn-delta").textContent = `${t("warnings.vsLastMonth", { delta: signed(p.count - p.previousMonthCount) })} · ${t("warnings.vsLastYear", { delta: signed(p.count - p.lastYearCount) })}`;
      li.addEventListener("click", () => openDetail(p.id));
      li.addEventListener("keydown", (e) => e.key === "Enter" && openDetail(p.id));
      list.append(li);
    }
  }

  /** A level's words with its range of counts: the deployment's thresholds (from the server's answer) for compounds, the kind most places are. */
  function levelText(level) {
    const from = answer?.thresholds?.compound ?? WARNING_LEVELS.slice(1).map((l) => vocabulary.warnings.levels[l].from);
    const i = rank(level);
    const range = i === 0 ? "0" : i < from.length ? `${from[i - 1]}–${from[i] - 1}` : t("warnings.legendFrom", { count: from[i - 1] });
    return `${warningTerm("levels", level)} (${range})`;
  }

  function renderLegend() {
    const ul = $("legend");
    ul.innerHTML = "";
    for (const level of WARNING_LEVELS) {
      const li = document.createElement("li");
      li.dataset.level = level;
      li.innerHTML = `<span class="wn-swatch"></span><span></span>`;
      li.querySelector(".wn-swatch").style.background = warningColour(level);
      li.lastChild.textContent = levelText(level);
      ul.append(li);
    }
  }

  function clearEntities() {
    areas.clear();
    state.drawn = 0;
    drawnLevels = [];
    legend?.refresh();
  }

  /** The places filled with their level's colour, while the panel is open and its switch is on. */
  function draw() {
    clearEntities();
    if (!viewer || !answer || !$("layer").checked || !state.visible || !state.open) return;
    // Patrol zones under the places they cross, so a compound's colour is not hidden by its street's.
    const places = [...answer.places].sort((a, b) => (a.kind === "patrol_zone" ? 0 : 1) - (b.kind === "patrol_zone" ? 0 : 1));
    state.drawn = areas.draw(places.map((p) => ({
      key: `warning-place:${p.id}`, name: placeName(p), boundary: p.boundary,
      colour: warningColour(p.level), alpha: p.level === "none" ? 0.15 : 0.55, properties: { warningPlaceId: p.id },
    })));
    const levels = new Set(places.map((p) => p.level));
    drawnLevels = state.drawn > 0 ? WARNING_LEVELS.filter((l) => levels.has(l)) : [];
    legend?.refresh();
  }

  // A click on a coloured place opens it (the other slices' picking sees tiles, not these entities).
  if (viewer) {
    const clicks = new ScreenSpaceEventHandler(viewer.scene.canvas);
    clicks.setInputAction((event) => {
      if (!state.visible || areas.count === 0) return;
      const picked = viewer.scene.pick(event.position);
      const id = picked?.id?.properties?.warningPlaceId?.getValue();
      if (id) openDetail(id);
    }, ScreenSpaceEventType.LEFT_CLICK);
  }

  // ---- one place --------------------------------------------------------------------------------------
  async function openDetail(id) {
    try {
      // The place and its instructions (指令) together: the duty leader sees at a glance what is not done there.
      const [{ data }, { data: instructions }] = await Promise.all([
        fetchJson(`/api/warnings/places/${id}?month=${state.month}`),
        fetchJson(`/api/warnings/instructions?place=${id}&limit=${INSTRUCTIONS_SHOWN}`),
      ]);
      openPlace = { ...data, instructions };
      people = null;
      state.place = data.code;
      renderPlace();
    } catch (err) {
      state.lastError = errorMessage(err);
      $("state").textContent = t("warnings.failed", { detail: state.lastError });
    }
  }

  async function showPeople() {
    try {
      const { data } = await fetchJson(`/api/warnings/places/${openPlace.id}/people`);
      people = data;
      renderPlace();
    } catch (err) {
      state.lastError = errorMessage(err);
      $("state").textContent = t("warnings.failed", { detail: state.lastError });
    }
  }

  function renderPlace() {
    const box = $("place");
    box.hidden = !openPlace;
    box.innerHTML = "";
    if (!openPlace) return;
    const p = openPlace;
    const h = document.createElement("h4");
    h.innerHTML = `<span class="wn-swatch"></span><span></span>`;
    h.firstChild.style.background = warningColour(p.level);
    h.lastChild.textContent = `${placeName(p)} · ${warningTerm("placeKinds", p.kind)} · ${warningTerm("levels", p.level)} · ${t("warnings.count", { count: p.count })}`;
    const close = Object.assign(document.createElement("button"), { type: "button", textContent: t("warnings.place.close") });
    close.addEventListener("click", () => {
      openPlace = null;
      state.place = null;
      renderPlace();
    });
    box.append(h, close);

    const section = (titleKey, rows, emptyKey, testid) => {
      const h5 = Object.assign(document.createElement("h5"), { textContent: t(titleKey) });
      const ul = document.createElement("ul");
      ul.dataset.testid = testid;
      if (rows.length === 0) ul.append(Object.assign(document.createElement("li"), { textContent: t(emptyKey) }));
      for (const text of rows) ul.append(Object.assign(document.createElement("li"), { textContent: text }));
      box.append(h5, ul);
    };
    section("warnings.place.incidents",
      p.incidents.map((i) => `${localTime(i.receivedAt)} · ${term("incidentCategories", i.category)} · ${term("incidentStatuses", i.status)} · ${i.code}`),
      "warnings.place.noIncidents", "warnings-place-incidents");
    section("warnings.place.history",
      p.history.map((c) => `${localTime(c.at)} · ${monthLabel(c.month.slice(0, 7))} · ${t("warnings.place.change", { from: warningTerm("levels", c.from), to: warningTerm("levels", c.to), count: c.count })}${c.nearNext ? ` · ${pick(vocabulary.warnings.nearNext.label)}` : ""}`),
      "warnings.place.noHistory", "warnings-place-history");
    section("warnings.place.instructions",
      p.instructions.map((i) => `${nestedTerm("instructions", "statuses", i.status)}${i.overdue ? ` · ${t("wi.overdue")}` : ""} · ${i.task} · ${i.assigneeName} · ${t("wi.due")} ${localTime(i.dueAt)}`),
      "warnings.place.noInstructions", "warnings-place-instructions");
    if (!PERSONAL.has(user?.role)) return; // the server refuses the others too; the button is not offered
    if (people === null) {
      const button = Object.assign(document.createElement("button"), { type: "button", textContent: t("warnings.place.showPeople") });
      button.dataset.testid = "warnings-show-people";
      button.addEventListener("click", showPeople);
      box.append(Object.assign(document.createElement("h5"), { textContent: t("warnings.place.people") }), button);
    } else {
      section("warnings.place.people", people.map((x) => `${warningTerm("personRoles", x.role)} · ${x.name} · ${x.phone}`), "warnings.place.noPeople", "warnings-place-people");
    }
  }

  // ---- alerts, live ---------------------------------------------------------------------------------
  async function loadAlerts() {
    try {
      const { data } = await fetchJson(`/api/warnings/alerts?limit=${ALERTS_KEPT}`);
      state.alerts = data;
      renderAlerts();
    } catch (err) {
      state.lastError = errorMessage(err);
      $("state").textContent = t("warnings.failed", { detail: state.lastError });
    }
  }

  function onAlert(alert) {
    if (state.alerts.some((a) => a.id === alert.id)) return;
    state.alerts = [alert, ...state.alerts].slice(0, ALERTS_KEPT);
    renderAlerts();
    // The place changed colour: the month it counts in is read again if it is the one shown.
    if (alert.month.slice(0, 7) === state.month) load();
  }

  function renderAlerts() {
    const ul = $("alerts");
    ul.innerHTML = "";
    if (state.alerts.length === 0) ul.append(Object.assign(document.createElement("li"), { className: "wn-empty", textContent: t("warnings.alertsEmpty") }));
    for (const a of state.alerts) {
      const li = document.createElement("li");
      li.dataset.testid = "warnings-alert";
      li.dataset.code = a.placeCode;
      li.dataset.kind = a.kind;
      li.innerHTML = `<span class="wn-swatch"></span><span></span><small></small>`;
      li.firstChild.style.background = warningColour(a.kind.startsWith("one_short_of_") ? a.level : a.kind);
      li.children[1].textContent = alertText(a);
      li.lastChild.textContent = localTime(a.at);
      li.addEventListener("click", () => openDetail(a.placeId));
      ul.append(li);
    }
  }

  function renderHub() {
    $("hub").textContent = t(`warnings.hub.${state.hub}`);
  }

  function start() {
    hub?.stop();
    hub = connectHub("/hubs/warnings", {
      handlers: { alert: onAlert },
      // After every (re)connection: what was raised while away is in the list, and the colours are read again (a
      // page busy drawing can miss the hub's heartbeats and reconnect, and the pushes sent meanwhile are gone).
      onConnected: () => Promise.all([loadAlerts(), state.generation > 0 ? load() : null]),
      onState: (s) => {
        state.hub = s;
        renderHub();
      },
    });
    load();
  }

  onLangChange(() => {
    applyI18n(el);
    fillMonths();
    render();
    renderAlerts();
    renderPlace();
    renderHub();
  });

  applyI18n(el);
  fillMonths();
  renderLegend();
  renderAlerts();
  legend?.source("warnings", () => t("warnings.mapLegend"), () =>
    drawnLevels.map((level) => ({ swatch: { colour: warningColour(level), shape: "fill" }, text: levelText(level) })));

  return {
    state,
    /** Folds the panel (its places leave the map), as if its title were clicked while open. */
    fold() {
      if (state.open) setOpen(false);
    },
    /** Staff see the panel (residents do not); signing out stops the push and clears the map. */
    show(next) {
      user = next;
      const visible = Boolean(user && user.role !== "resident");
      el.hidden = !visible;
      state.visible = visible;
      if (visible) start();
      else {
        hub?.stop();
        hub = null;
        answer = null;
        openPlace = null;
        clearEntities();
      }
    },
  };
}
