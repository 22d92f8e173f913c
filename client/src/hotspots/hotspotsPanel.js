// The analyst's hotspot panel (policy "analysis": analyst, commander, admin; hidden for everyone else):
// filters (category group, categories, dates, hours, weekdays, optional cell size and band), three layers
// (Gi* cells, kernel density tiles, emerging patterns) with their legends, the parameters the server chose said
// in words, a clicked cell's numbers and incidents, when incidents happen as two charts, and exports.
// Every word through i18n.js, every code through vocabulary.js, every failure with the server's detail.
import { ScreenSpaceEventHandler, ScreenSpaceEventType, UrlTemplateImageryProvider } from "cesium";
import { ApiError, errorMessage, fetchJson } from "../api.js";
import { applyI18n, getLang, onLangChange, t } from "../i18n.js";
import { groundAt, toRectangle } from "../map/viewer.js";
import { clearError, reportError } from "../status/status.js";
import { INCIDENT_CATEGORIES, allowed, options, term } from "../vocabulary.js";
import { createCellsLayer } from "./cellsLayer.js";
import { createCharts } from "./charts.js";
import {
  cellUrl,
  densityLegendUrl,
  densityTemplate,
  download,
  emergingUrl,
  filterQuery,
  getAnalysis,
  giUrl,
  whenUrl,
} from "./hotspotsApi.js";
import { PATTERN_COLOURS, binColour, binLabel, patternLabel, renderDensityLegend, renderEmergingLegend, renderGiLegend, serverLabel } from "./legend.js";
import "./hotspots.css";

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const MAX_INCIDENTS_LISTED = 50;
const DENSITY_ALPHA = 0.75;

// The panel opens folded: only its title bar sits over the map until the analyst unfolds it, so it never covers
// what a commander or admin clicks on the map.
const PANEL_HTML = `
  <button class="hotspots-head" type="button" data-role="toggle" data-testid="hotspots-toggle" aria-expanded="false"
          data-i18n="hotspots.title" data-i18n-title="hotspots.toggleTitle"></button>
  <div class="hotspots-body" data-role="body" hidden>
    <details class="hs-filters" data-testid="hotspots-filters" open>
      <summary data-i18n="hotspots.filters"></summary>
      <label><span data-i18n="hotspots.group"></span><select data-role="group" data-testid="hotspots-group"></select></label>
      <label><span data-i18n="hotspots.categories"></span><select data-role="categories" data-testid="hotspots-categories" multiple size="3"></select></label>
      <div class="hs-row">
        <label><span data-i18n="hotspots.from"></span><input type="date" data-role="from" data-testid="hotspots-from" /></label>
        <label><span data-i18n="hotspots.to"></span><input type="date" data-role="to" data-testid="hotspots-to" /></label>
      </div>
      <div class="hs-row">
        <span data-i18n="hotspots.hours"></span>
        <select data-role="hourFrom" data-testid="hotspots-hour-from"></select>
        <span data-i18n="hotspots.hoursTo"></span>
        <select data-role="hourTo" data-testid="hotspots-hour-to"></select>
      </div>
      <div class="hs-row hs-weekdays" data-role="weekdays" data-testid="hotspots-weekdays"><span data-i18n="hotspots.weekdays"></span></div>
      <div class="hs-row">
        <label><span data-i18n="hotspots.cellSize"></span><input type="number" min="1" step="any" data-role="cellSize" data-testid="hotspots-cell-size" /></label>
        <label><span data-i18n="hotspots.band"></span><input type="number" min="1" step="any" data-role="band" data-testid="hotspots-band" /></label>
      </div>
      <div class="hs-row">
        <button type="button" data-role="apply" data-testid="hotspots-apply" data-i18n="hotspots.apply"></button>
        <small class="hs-invalid" data-role="invalid" data-testid="hotspots-invalid"></small>
      </div>
    </details>
    <fieldset class="hs-layers">
      <legend data-i18n="hotspots.layers"></legend>
      <label><input type="checkbox" data-layer="gi" data-testid="hotspots-layer-gi" /><span data-i18n="hotspots.layer.gi"></span></label>
      <label><input type="checkbox" data-layer="density" data-testid="hotspots-layer-density" /><span data-i18n="hotspots.layer.density"></span></label>
      <label><input type="checkbox" data-layer="emerging" data-testid="hotspots-layer-emerging" /><span data-i18n="hotspots.layer.emerging"></span></label>
    </fieldset>
    <p class="hs-state" data-role="state" data-testid="hotspots-state" role="status"></p>
    <div class="hs-legend" data-role="legend-gi" data-testid="hotspots-legend-gi" hidden></div>
    <div class="hs-legend" data-role="legend-density" data-testid="hotspots-legend-density" hidden></div>
    <div class="hs-legend" data-role="legend-emerging" data-testid="hotspots-legend-emerging" hidden></div>
    <div class="hs-params" data-role="params" data-testid="hotspots-params" hidden></div>
    <div class="hs-cell" data-role="cell" data-testid="hotspots-cell" hidden></div>
    <div class="hs-charts">
      <div class="hs-scope"><strong data-role="scope" data-testid="hotspots-chart-scope"></strong>
        <button type="button" data-role="back" data-testid="hotspots-back" data-i18n="hotspots.cell.back" hidden></button></div>
      <h4 data-i18n="hotspots.chart.when"></h4>
      <div class="hs-chart hs-chart-heat" data-role="chart-when" data-testid="hotspots-chart-when"></div>
      <h4 data-i18n="hotspots.chart.months"></h4>
      <div class="hs-chart hs-chart-months" data-role="chart-months" data-testid="hotspots-chart-months"></div>
    </div>
    <div class="hs-row hs-export">
      <span data-i18n="hotspots.export"></span>
      <button type="button" data-export="geojson" data-testid="hotspots-export-geojson" data-i18n="hotspots.export.geojson"></button>
      <button type="button" data-export="csv" data-testid="hotspots-export-csv" data-i18n="hotspots.export.csv"></button>
    </div>
  </div>`;

/** "1-5,7" from a set of ISO weekdays; "" when all seven (no narrowing). */
export function weekdayRanges(days) {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return "";
  const parts = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** "22-23,0-6" for the hours from..to inclusive, across midnight when from > to; "" for the whole day. */
export function hourRanges(from, to) {
  if (from === 0 && to === 23) return "";
  return from <= to ? `${from}-${to}` : `${from}-23,0-${to}`;
}

const num = (v, digits = 3) => (Number.isFinite(Number(v)) && v !== null ? Number(v).toFixed(digits) : "—");
/** A p-value as analysts write it: "p < 0.001" below a thousandth (never "p = 0"), else "p = 0.0123". */
export const pValue = (v, symbol = "p") => {
  const n = Number(v);
  if (v === null || v === undefined || !Number.isFinite(n)) return "—";
  return n < 0.001 ? `${symbol} < 0.001` : `${symbol} = ${n.toFixed(4)}`;
};

/**
 * viewer: the Cesium viewer (or null); container: where the panel goes; onOpenRecord(target) opens an incident in
 * the record panel. Returns { show(user), setBbox(bbox), state } (state is window.geotwin.hotspots).
 */
export function initHotspotsPanel(viewer, container, { onOpenRecord = () => {} } = {}) {
  const el = document.createElement("aside");
  el.className = "hotspots";
  el.dataset.testid = "hotspots-panel";
  el.hidden = true;
  el.innerHTML = PANEL_HTML;
  container.appendChild(el);
  const $ = (role) => el.querySelector(`[data-role=${role}]`);

  /**
   * What the panel holds, for tests and debugging: layers shown, the answers in hand, the selected cell, the
   * charts' scope; loading counts the requests under way; lastError the words of the last failure.
   */
  const state = {
    visible: false,
    layers: { gi: false, density: false, emerging: false },
    loading: 0,
    progress: null,
    lastError: null,
    query: "",
    gi: null, // { parameters, cells }
    density: null, // { legend, tileErrors }
    emerging: null, // { parameters, cells }
    selected: null, // { id, detail, cell }
    charts: { scope: "all", when: null },
    cellPosition: (id) => gi.windowPosition(id) ?? emerging.windowPosition(id),
    cellsDrawn: () => ({ gi: gi.count, emerging: emerging.count }),
  };

  // Not-significant cells stay faint, so the map under them (and the coloured cells) read through.
  const gi = createCellsLayer(viewer, { colourOf: (c) => binColour(c.bin), alphaOf: (c) => (Math.trunc(Number(c.bin) || 0) === 0 ? 0.25 : 0.7) });
  const emerging = createCellsLayer(viewer, { colourOf: (c) => PATTERN_COLOURS[c.pattern] ?? null, alpha: 0.7 });
  gi.show(false);
  emerging.show(false);
  let densityLayer = null;
  let bbox = null;
  let generation = 0; // a newer analysis wins over the answers of an older one
  let charts = null;

  // ---- the filter controls --------------------------------------------------------------------
  function fillOptions() {
    const group = $("group");
    const chosenGroup = group.value;
    group.replaceChildren(new Option(t("hotspots.noGroup"), ""), ...options("incidentCategoryGroups").map(([c, w]) => new Option(w, c)));
    group.value = chosenGroup;
    const cats = $("categories");
    const chosen = new Set([...cats.selectedOptions].map((o) => o.value));
    cats.replaceChildren(...INCIDENT_CATEGORIES.map((c) => new Option(term("incidentCategories", c), c, false, chosen.has(c))));
    for (const role of ["hourFrom", "hourTo"]) {
      const sel = $(role);
      const v = sel.value || (role === "hourFrom" ? "0" : "23");
      sel.replaceChildren(...Array.from({ length: 24 }, (_, h) => new Option(t("hotspots.chart.hour", { hour: h }), String(h))));
      sel.value = v;
    }
    const wd = $("weekdays");
    const checked = new Set(WEEKDAYS.filter((d) => wd.querySelector(`[data-day="${d}"]`)?.checked ?? true));
    wd.querySelectorAll("label").forEach((l) => l.remove());
    for (const d of WEEKDAYS) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.dataset.day = String(d);
      box.checked = checked.has(d);
      const span = document.createElement("span");
      span.textContent = t(`hotspots.weekday.${d}`);
      label.append(box, span);
      wd.append(label);
    }
  }

  /** The filter the controls say, or { invalid: key } when they contradict themselves. */
  function readFilter() {
    const from = $("from").value;
    const to = $("to").value;
    if (from && to && from >= to) return { invalid: "hotspots.badDates" };
    const h0 = Number($("hourFrom").value);
    const h1 = Number($("hourTo").value);
    if (![h0, h1].every((h) => Number.isInteger(h) && h >= 0 && h <= 23)) return { invalid: "hotspots.badHours" };
    const days = WEEKDAYS.filter((d) => $("weekdays").querySelector(`[data-day="${d}"]`)?.checked);
    if (days.length === 0) return { invalid: "hotspots.noWeekday" };
    return {
      group: $("group").value,
      categories: [...$("categories").selectedOptions].map((o) => o.value),
      from,
      to,
      hours: hourRanges(h0, h1),
      weekdays: weekdayRanges(days),
      cellSize: $("cellSize").value,
      band: $("band").value,
    };
  }

  // ---- running the analyses -------------------------------------------------------------------
  let lastFailure = null; // kept so a language switch says it again in the new language
  function failed(err) {
    lastFailure = err;
    state.lastError = err ? errorMessage(err) : null;
  }

  /** Run work counted in state.loading; a failure is said in the panel and the banner, with the server's detail. */
  async function guard(what, work) {
    state.loading++;
    renderState();
    try {
      const answer = await work();
      clearError(`hotspots:${what}`);
      return answer;
    } catch (err) {
      failed(err);
      reportError(`hotspots:${what}`, err);
      return null;
    } finally {
      state.loading--;
      renderState();
    }
  }

  function apply() {
    const filter = readFilter();
    $("invalid").textContent = filter.invalid ? t(filter.invalid) : "";
    if (filter.invalid) return;
    const mine = ++generation;
    failed(null);
    state.progress = null;
    // The cell size and band steer the cells only; the charts, density and exports take the rest of the filter.
    state.query = filterQuery({ ...filter, cellSize: "", band: "" });
    state.cellQuery = filterQuery(filter);
    selectCell(null);
    const work = [loadWhen(mine, null)];
    if (state.layers.gi) work.push(loadGi(mine));
    if (state.layers.density) work.push(loadDensity(mine));
    if (state.layers.emerging) work.push(loadEmerging(mine));
    return Promise.all(work);
  }

  async function loadGi(mine = generation) {
    // polygons=true: the server's own hexagons, drawn as it binned them
    const answer = await guard("gi", () => getAnalysis(giUrl(`${state.cellQuery}${state.cellQuery ? "&" : ""}polygons=true`), { onProgress: progress }));
    if (mine !== generation || !answer) return;
    const cells = Array.isArray(answer.cells) ? answer.cells : featureCells(answer);
    state.gi = { parameters: answer.parameters ?? {}, cells };
    gi.set(cells, choiceValue(answer.parameters?.cellSize));
    gi.show(state.layers.gi);
    renderLegends();
    renderParams();
  }

  async function loadEmerging(mine = generation) {
    const answer = await guard("emerging", () => getAnalysis(emergingUrl(state.cellQuery), { onProgress: progress }));
    if (mine !== generation || !answer) return;
    // The emerging cells are the Gi* cells of the same filters (same ids): their hexagons are reused when in hand.
    const polygons = new Map((state.gi?.cells ?? []).map((c) => [String(c.id), c.polygon]));
    const cells = (Array.isArray(answer.cells) ? answer.cells : featureCells(answer)).map((c) => ({ polygon: polygons.get(String(c.id)), ...c }));
    const parameters = { ...(answer.parameters?.gi ?? {}), ...(answer.parameters ?? {}) };
    state.emerging = { parameters, cells };
    emerging.set(cells, choiceValue(parameters.cellSize) ?? choiceValue(state.gi?.parameters?.cellSize));
    emerging.show(state.layers.emerging);
    renderLegends();
    renderParams();
  }

  async function loadDensity(mine = generation) {
    removeDensity();
    // The legend first: a refused filter says why here (a tile's refusal cannot show its words on the map).
    const legend = await guard("density", async () => (await fetchJson(densityLegendUrl(state.query), { timeoutMs: 60000 })).data);
    if (mine !== generation || !legend) return;
    state.density = { legend, tileErrors: 0 };
    if (viewer && state.layers.density) {
      const provider = new UrlTemplateImageryProvider({
        url: densityTemplate(state.query),
        rectangle: bboxRectangle(),
        maximumLevel: 19,
        hasAlphaChannel: true,
        credit: undefined,
      });
      provider.errorEvent.addEventListener((err) => densityTileFailed(err, mine));
      densityLayer = viewer.imageryLayers.addImageryProvider(provider);
      densityLayer.alpha = DENSITY_ALPHA;
      // on top of the vector layers' fills (communities, stations), which would hide it; the cells are drawn above it
      viewer.imageryLayers.raiseToTop(densityLayer);
    }
    renderLegends();
    renderParams();
  }

  /** A failed density tile: ask the same URL once for its problem+json, so the banner says the server's words. */
  async function densityTileFailed(err, mine) {
    if (mine !== generation || !state.density) return;
    if (state.density.tileErrors++ > 0) return;
    const url = densityTemplate(state.query).replace("{z}", err.level).replace("{x}", err.x).replace("{y}", err.y);
    try {
      await fetchJson(url);
      reportError("hotspots:density", new ApiError("error.http", { url, status: "?" }));
    } catch (e) {
      failed(e);
      reportError("hotspots:density", e);
      renderState();
    }
  }

  function removeDensity() {
    if (densityLayer && viewer) viewer.imageryLayers.remove(densityLayer, true);
    densityLayer = null;
  }

  async function loadWhen(mine, cellId) {
    const answer = await guard("when", async () => (await fetchJson(whenUrl(state.query, cellId), { timeoutMs: 60000 })).data);
    if (mine !== generation || !answer) return;
    state.charts = { scope: cellId === null ? "all" : String(cellId), when: answer };
    renderCharts();
  }

  function progress(percent) {
    state.progress = percent;
    renderState();
  }

  // ---- a clicked cell -------------------------------------------------------------------------
  async function selectCell(cell) {
    if (!cell) {
      state.selected = null;
      renderCell();
      return;
    }
    const mine = generation;
    state.selected = { id: cell.id, cell, detail: null, loading: true };
    renderCell();
    const [detail] = await Promise.all([
      guard("cell", async () => (await fetchJson(cellUrl(cell.id, state.cellQuery), { timeoutMs: 60000 })).data),
      loadWhen(mine, cell.id),
    ]);
    if (mine !== generation || state.selected?.id !== cell.id) return;
    state.selected = { id: cell.id, cell, detail, loading: false };
    renderCell();
  }

  if (viewer) {
    const handler = new ScreenSpaceEventHandler(viewer.scene.canvas);
    handler.setInputAction((click) => {
      if (!state.visible) return;
      const ground = groundAt(viewer, click.position);
      if (!ground) return;
      const cell = gi.cellAt(ground.lon, ground.lat) ?? emerging.cellAt(ground.lon, ground.lat);
      if (cell) selectCell(cell);
    }, ScreenSpaceEventType.LEFT_CLICK);
  }

  // ---- rendering ------------------------------------------------------------------------------
  function renderState() {
    const s = $("state");
    if (state.loading > 0) s.textContent = state.progress === null ? t("hotspots.loading") : t("hotspots.progress", { percent: state.progress });
    else if (state.lastError) s.textContent = t("hotspots.failed", { detail: state.lastError });
    else if (state.gi && state.layers.gi) {
      const count = state.gi.parameters?.count ?? state.gi.cells.reduce((n, c) => n + (Number(c.count) || 0), 0);
      s.textContent = t("hotspots.summary", { count, cells: state.gi.parameters?.cells ?? state.gi.cells.length });
    } else s.textContent = "";
    el.dataset.state = state.loading > 0 ? "loading" : state.lastError ? "error" : "ready";
  }

  function renderLegends() {
    const giEl = $("legend-gi");
    giEl.hidden = !(state.layers.gi && state.gi);
    if (!giEl.hidden) {
      const counts = {};
      for (const c of state.gi.cells) counts[Math.trunc(Number(c.bin) || 0)] = (counts[Math.trunc(Number(c.bin) || 0)] ?? 0) + 1;
      renderGiLegend(giEl, counts);
    }
    const dEl = $("legend-density");
    dEl.hidden = !(state.layers.density && state.density);
    if (!dEl.hidden) renderDensityLegend(dEl, state.density.legend);
    const eEl = $("legend-emerging");
    eEl.hidden = !(state.layers.emerging && state.emerging);
    if (!eEl.hidden) {
      const counts = {};
      for (const c of state.emerging.cells) counts[c.pattern ?? "no_pattern"] = (counts[c.pattern ?? "no_pattern"] ?? 0) + 1;
      renderEmergingLegend(eEl, counts);
    }
  }

  /** Each value the server chose, with its rule and its reason, as a sentence. */
  function renderParams() {
    const lines = [];
    const say = (nameKey, choice) => {
      if (!choice || typeof choice !== "object") return;
      const value = Number(choice.value);
      const rule = choice.label ? serverLabel(choice.label) : ruleWords(choice.rule);
      // the reason in the page's language: whyLabel {zh, en} from the server; why (English) only from an older one
      const why = choice.whyLabel ? serverLabel(choice.whyLabel) : choice.why;
      lines.push([t("hotspots.param.value", { name: t(nameKey), value: Number.isFinite(value) ? Math.round(value * 10) / 10 : choice.value, rule }), why]);
    };
    if (state.layers.gi || state.layers.emerging) {
      const p = (state.layers.gi ? state.gi?.parameters : null) ?? state.emerging?.parameters;
      say("hotspots.param.cellSize", p?.cellSize);
      say("hotspots.param.band", p?.band);
    }
    if (state.layers.density) say("hotspots.param.bandwidth", state.density?.legend?.bandwidth);
    // the bureau's clock the hours and weekdays were read on (the jurisdiction's time zone), as every answer states it
    const zone = state.gi?.parameters?.filters?.timeZone ?? state.emerging?.parameters?.gi?.filters?.timeZone ?? state.density?.legend?.timeZone;
    if (lines.length > 0 && zone) lines.push([t("hotspots.param.timeZone", { zone }), null]);
    const box = $("params");
    box.hidden = lines.length === 0;
    const h = document.createElement("h4");
    h.textContent = t("hotspots.params");
    box.replaceChildren(h, ...lines.map(([main, why]) => {
      const p = document.createElement("p");
      p.textContent = main;
      if (why) {
        const small = document.createElement("small");
        small.textContent = String(why);
        p.append(document.createElement("br"), small);
      }
      return p;
    }));
  }

  function renderCell() {
    const box = $("cell");
    const sel = state.selected;
    box.hidden = !sel;
    if (!sel) return;
    const d = sel.detail ?? {};
    // what the emerging answer says of the same cell (pattern, count trend), when that layer was run
    const e = state.emerging?.cells.find((x) => String(x.id) === String(sel.id)) ?? {};
    const c = { ...e, ...(sel.cell ?? {}) };
    const h = document.createElement("h4");
    h.textContent = t("hotspots.cell", { id: sel.id });
    if (sel.loading) {
      const p = document.createElement("p");
      p.textContent = t("hotspots.cell.loading");
      box.replaceChildren(h, p);
      return;
    }
    const dl = document.createElement("dl");
    const row = (key, value, testid) => {
      const dt = document.createElement("dt");
      dt.textContent = t(key);
      const dd = document.createElement("dd");
      dd.textContent = value;
      if (testid) dd.dataset.testid = testid;
      dl.append(dt, dd);
    };
    row("hotspots.cell.count", String(d.count ?? c.count ?? "—"), "hotspots-cell-count");
    row("hotspots.cell.z", num(d.z ?? c.z), "hotspots-cell-z");
    row("hotspots.cell.p", pValue(d.p ?? c.p), "hotspots-cell-p");
    if ((d.q_fdr ?? c.q_fdr) !== undefined) row("hotspots.cell.q", pValue(d.q_fdr ?? c.q_fdr, "q"), "hotspots-cell-q");
    if ((d.bin ?? c.bin) !== undefined) row("hotspots.cell.bin", binLabel(d.bin ?? c.bin), "hotspots-cell-bin");
    const trend = d.trend ?? c.trend ?? e.trend;
    if (trend !== undefined && trend !== null) row("hotspots.cell.trend", trendText(trend, d.countTrend ?? c.countTrend ?? e.countTrend), "hotspots-cell-trend");
    const pattern = d.pattern ?? c.pattern ?? e.pattern;
    if (pattern) row("hotspots.cell.pattern", patternLabel(pattern));
    const incidents = Array.isArray(d.incidents) ? d.incidents : [];
    const total = Number(d.incidentCount ?? d.count ?? incidents.length);
    const title = document.createElement("h5");
    title.textContent = t("hotspots.cell.incidents", { count: incidents.length });
    const ul = document.createElement("ul");
    ul.dataset.testid = "hotspots-cell-incidents";
    for (const i of incidents.slice(0, MAX_INCIDENTS_LISTED)) {
      const li = document.createElement("li");
      const when = i.receivedAt ? new Date(i.receivedAt) : null;
      const parts = [
        term("incidentCategories", i.category),
        when && !Number.isNaN(when.getTime()) ? when.toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN", { dateStyle: "short", timeStyle: "short" }) : null,
        i.priority !== undefined ? term("incidentPriorities", i.priority) : null,
        i.status ? term("incidentStatuses", i.status) : null,
      ].filter(Boolean);
      li.textContent = parts.join(" · ");
      li.title = i.code ?? "";
      li.dataset.code = i.code ?? "";
      if (i.code) li.addEventListener("click", () => onOpenRecord({ kind: "incident", key: String(i.code) }));
      ul.append(li);
    }
    const extra = [];
    const more = Math.max(0, total - Math.min(incidents.length, MAX_INCIDENTS_LISTED), incidents.length - MAX_INCIDENTS_LISTED);
    if (more > 0) {
      const p = document.createElement("small");
      p.textContent = t("hotspots.cell.more", { count: more });
      extra.push(p);
    }
    box.replaceChildren(h, dl, title, ul, ...extra);
  }

  /**
   * A trend in words: "up"/"down"/"none" (with the Mann-Kendall test beside it for its p), a pattern code, a signed
   * number, or { z|tau|s|direction, p }.
   */
  function trendText(trend, test) {
    if (typeof trend === "string") {
      if (PATTERN_COLOURS[trend] !== undefined) return patternLabel(trend);
      const p = pValue(test?.p);
      if (trend === "up") return t("hotspots.trend.up", { p });
      if (trend === "down") return t("hotspots.trend.down", { p });
      if (trend === "none") return t("hotspots.trend.none", { p });
      return trend;
    }
    const value = typeof trend === "number" ? trend : Number(trend.z ?? trend.tau ?? trend.s ?? trend.direction ?? trend.value);
    const p = typeof trend === "object" ? trend.p : undefined;
    const significant = p === undefined || Number(p) <= 0.05;
    const key = !significant || !value ? "hotspots.trend.none" : value > 0 ? "hotspots.trend.up" : "hotspots.trend.down";
    return t(key, { p: pValue(p) });
  }

  function ensureCharts() {
    if (charts || el.hidden || $("body").hidden) return charts;
    charts = createCharts($("chart-when"), $("chart-months"));
    return charts;
  }

  function renderCharts() {
    const scope = state.charts.scope;
    $("scope").textContent = scope === "all" ? t("hotspots.charts.scope.all") : t("hotspots.charts.scope.cell", { id: scope });
    $("back").hidden = scope === "all";
    if (state.charts.when) ensureCharts()?.render(state.charts.when);
  }

  /** The jurisdiction as a Cesium Rectangle (toRectangle makes one), or undefined for the whole world. */
  const bboxRectangle = () => toRectangle(bbox) ?? undefined;

  // ---- wiring ---------------------------------------------------------------------------------
  $("toggle").addEventListener("click", () => {
    const body = $("body");
    body.hidden = !body.hidden;
    $("toggle").setAttribute("aria-expanded", String(!body.hidden));
    if (!body.hidden) {
      ensureCharts()?.resize();
      renderCharts();
    }
  });
  $("apply").addEventListener("click", () => apply());
  $("back").addEventListener("click", () => {
    selectCell(null);
    loadWhen(generation, null);
  });
  for (const box of el.querySelectorAll("[data-layer]")) {
    box.addEventListener("change", () => setLayer(box.dataset.layer, box.checked));
  }
  for (const button of el.querySelectorAll("[data-export]")) {
    button.addEventListener("click", () => {
      const format = button.dataset.export;
      guard("export", () => download(giUrl(state.cellQuery ?? "", format), `hotspots-gi.${format === "csv" ? "csv" : "geojson"}`));
    });
  }

  /** Show or hide one of the three layers; the first showing runs its analysis with the current filter. */
  async function setLayer(name, on) {
    state.layers[name] = on;
    el.querySelector(`[data-layer=${name}]`).checked = on;
    if (state.cellQuery === undefined) {
      const filter = readFilter();
      if (filter.invalid) return;
      state.query = filterQuery({ ...filter, cellSize: "", band: "" });
      state.cellQuery = filterQuery(filter);
      loadWhen(generation, null);
    }
    if (name === "gi") {
      gi.show(on);
      if (on && !state.gi) await loadGi();
    } else if (name === "emerging") {
      emerging.show(on);
      if (on && !state.emerging) await loadEmerging();
    } else if (name === "density") {
      if (on) await loadDensity();
      else removeDensity();
    }
    viewer?.scene.requestRender();
    renderLegends();
    renderParams();
    renderState();
  }

  onLangChange(() => {
    if (el.hidden) return;
    failed(lastFailure);
    applyI18n(el);
    fillOptions();
    renderState();
    renderLegends();
    renderParams();
    renderCell();
    renderCharts();
  });

  applyI18n(el);
  fillOptions();

  return {
    state,
    setLayer,
    apply,
    /** Show the panel to a user whose role may analyse; take everything away for anyone else (or nobody). */
    show(user) {
      const may = allowed("analysis", user?.role);
      state.visible = may;
      el.hidden = !may;
      if (may) {
        applyI18n(el);
        fillOptions();
        renderCharts();
        return;
      }
      generation++;
      for (const name of Object.keys(state.layers)) state.layers[name] = false;
      el.querySelectorAll("[data-layer]").forEach((b) => (b.checked = false));
      gi.clear();
      emerging.clear();
      removeDensity();
      failed(null);
      Object.assign(state, { gi: null, density: null, emerging: null, selected: null, cellQuery: undefined, charts: { scope: "all", when: null } });
      for (const what of ["gi", "density", "emerging", "when", "cell", "export"]) clearError(`hotspots:${what}`);
      renderLegends();
      renderParams();
      renderCell();
    },
    /** The jurisdiction's box, which bounds where density tiles are asked for. */
    setBbox(value) {
      bbox = value;
    },
  };
}

/** How the server chose a value (its rule code, camelCase or snake_case) in words; an unknown rule as it comes. */
const RULES = new Set(["given", "nearestNeighbourRule", "firstSignificantPeak", "highestPeak", "nearestNeighbours", "standardDistance", "minimumOfExtent", "silvermanRule"]);
function ruleWords(rule) {
  const code = String(rule ?? "").replace(/_(\w)/g, (_, ch) => ch.toUpperCase());
  return RULES.has(code) ? t(`hotspots.rule.${code}`) : String(rule ?? "—");
}

/** A FeatureCollection answer's features as cells (properties plus the polygon). */
function featureCells(answer) {
  if (answer?.type !== "FeatureCollection" || !Array.isArray(answer.features)) return [];
  return answer.features.map((f) => ({ ...(f.properties ?? {}), id: f.id ?? f.properties?.id, polygon: f.geometry }));
}

const choiceValue = (choice) => (choice && typeof choice === "object" ? Number(choice.value) : Number(choice)) || undefined;
