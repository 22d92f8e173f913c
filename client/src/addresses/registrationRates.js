// The registration rate (登记率) for the staff who answer for it (policy "registration": community officers, analysts,
// commanders, admins): registered floating residents ÷ floating residents counted in the houses, against the
// deployment's target, and timeliness (registrations made by their due day). On the map the communities are filled
// by their rate's class (one table below, shared by the map, the legend and the table); the table groups by
// community, responsibility area or station. Folded to its title until opened; nothing is fetched before that.
import { errorMessage, fetchJson } from "../api.js";
import { applyI18n, onLangChange, pick, t } from "../i18n.js";
import { areaLayer } from "../map/areas.js";
import { allowed, term } from "../vocabulary.js";
import "./rates.css";

/**
 * A rate's class against the target: no floating residents counted, meets the target, within 10 points of it,
 * within 25 points, or further below. The one rule the map's colours, the legend and the table's swatches use.
 */
export const RATE_CLASSES = {
  none: { colour: "#9aa5b1" },
  met: { colour: "#2e7d32" },
  near: { colour: "#f2c200" },
  below: { colour: "#f07f09" },
  far: { colour: "#d62728" },
};

export function rateClass(rate, target) {
  if (rate === null || rate === undefined) return "none";
  if (rate >= target) return "met";
  if (rate >= target - 0.1) return "near";
  if (rate >= target - 0.25) return "below";
  return "far";
}

const pct = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);

/** The legend's words for a class (the thresholds follow the target, so they are said with it). */
function classText(cls, target) {
  const p = (v) => `${Math.round(Math.max(0, v) * 100)}%`;
  switch (cls) {
    case "met": return t("rates.class.met", { target: p(target) });
    case "near": return t("rates.class.near", { from: p(target - 0.1), to: p(target) });
    case "below": return t("rates.class.below", { from: p(target - 0.25), to: p(target - 0.1) });
    case "far": return t("rates.class.far", { to: p(target - 0.25) });
    default: return t("rates.class.none");
  }
}

const PANEL_HTML = `
  <button class="rates-head" type="button" data-role="toggle" data-testid="rates-toggle" aria-expanded="false" data-i18n="rates.title"></button>
  <div class="rates-body" data-role="body" hidden>
    <div class="rates-row">
      <label><span data-i18n="rates.by"></span><select data-role="by" data-testid="rates-by"></select></label>
      <label><input type="checkbox" data-role="layer" data-testid="rates-layer" checked /><span data-i18n="rates.onMap"></span></label>
      <button type="button" data-role="reload" data-testid="rates-reload" data-i18n="rates.reload"></button>
    </div>
    <p class="rates-state" data-role="state" data-testid="rates-state" role="status"></p>
    <p class="rates-target" data-role="target" data-testid="rates-target"></p>
    <table class="rates-table" data-testid="rates-table"><thead><tr>
      <th data-i18n="rates.col.place"></th><th data-i18n="rates.col.registered"></th><th data-i18n="rates.col.rate"></th>
      <th data-i18n="rates.col.timeliness"></th></tr></thead><tbody data-role="rows"></tbody></table>
  </div>`;

/**
 * viewer: the Cesium viewer (or null); container: where the panel goes; legend: the map's legend (map/legend.js);
 * onOpen: called when the user opens the panel. Returns { show(user), fold(), state }; state (window.geotwin.rates) is for tests: by, target, places (the table's rows),
 * communities (code -> { rate, cls } as drawn), drawn (entities on the map), loading, lastError.
 */
export function initRegistrationRates(viewer, container, legend, { onOpen } = {}) {
  const el = document.createElement("aside");
  el.className = "rates";
  el.dataset.testid = "rates-panel";
  el.hidden = true;
  el.innerHTML = PANEL_HTML;
  container.appendChild(el);
  const $ = (role) => el.querySelector(`[data-role=${role}]`);
  const state = { visible: false, open: false, by: "community", target: null, places: [], communities: {}, drawn: 0, loading: 0, lastError: null };
  let communities = null; // the last community answer, with outlines
  const areas = areaLayer(viewer);
  let user = null;

  for (const by of ["community", "area", "station"]) {
    const o = document.createElement("option");
    o.value = by;
    $("by").append(o);
  }

  const placeName = (p) => pick([p.name, p.nameEn ?? p.name]);

  function labelOptions() {
    const kinds = { community: "community", area: "responsibility_area", station: "station" };
    for (const o of $("by").options) o.textContent = term("jurisdictionKinds", kinds[o.value]);
  }

  function render() {
    applyI18n(el);
    labelOptions();
    $("toggle").setAttribute("aria-expanded", String(state.open));
    $("body").hidden = !state.open;
    $("state").textContent = state.lastError ? t("rates.failed", { detail: state.lastError }) : state.loading ? t("rates.loading") : "";
    $("target").textContent = state.target === null ? "" : t("rates.target", { target: pct(state.target) });
    const rows = $("rows");
    rows.replaceChildren();
    for (const p of state.places) {
      const tr = document.createElement("tr");
      tr.dataset.testid = "rates-place";
      tr.dataset.code = p.code;
      tr.dataset.class = rateClass(p.rate, state.target);
      const name = document.createElement("td");
      const swatch = document.createElement("span");
      swatch.className = "rates-swatch";
      swatch.style.background = RATE_CLASSES[tr.dataset.class].colour;
      name.append(swatch, document.createTextNode(placeName(p)));
      name.dataset.name = "";
      const cells = [
        t("rates.registeredOf", { registered: p.registeredFloating, floating: p.floating }),
        pct(p.rate),
        p.timeliness === null ? "—" : t("rates.onTimeOf", { pct: pct(p.timeliness), onTime: p.onTime, timed: p.timed }),
      ].map((text, i) => {
        const td = document.createElement("td");
        td.textContent = text;
        td.dataset.testid = ["rates-registered", "rates-rate", "rates-timeliness"][i];
        return td;
      });
      tr.append(name, ...cells);
      rows.append(tr);
    }
    legend?.refresh();
  }

  function clearEntities() {
    areas.clear();
    state.drawn = 0;
  }

  /** The communities filled by their rate's class (a MultiPolygon's parts each one entity). */
  function draw() {
    clearEntities();
    state.communities = {};
    if (!communities) return;
    for (const p of communities.places) state.communities[p.code] = { rate: p.rate, cls: rateClass(p.rate, communities.target) };
    if (!viewer || !state.open || !$("layer").checked) return;
    state.drawn = areas.draw(communities.places.map((p) => ({
      key: `registration-rate:${p.code}`, name: placeName(p), boundary: p.boundary,
      colour: RATE_CLASSES[state.communities[p.code].cls].colour, alpha: 0.45,
    })));
  }

  /** The communities (with outlines, for the map) and, when the table groups otherwise, that grouping too. */
  async function load() {
    state.loading++;
    state.lastError = null;
    render();
    try {
      const { data } = await fetchJson("/api/registration/rates?by=community&outlines=true");
      communities = data;
      const table = state.by === "community" ? data : (await fetchJson(`/api/registration/rates?by=${state.by}`)).data;
      state.target = table.target;
      state.places = table.places;
      draw();
    } catch (err) {
      state.lastError = errorMessage(err);
    } finally {
      state.loading--;
      render();
    }
  }

  $("toggle").addEventListener("click", () => {
    state.open = !state.open;
    if (state.open) load();
    else draw();
    render();
    if (state.open) onOpen?.();
  });
  $("reload").addEventListener("click", load);
  $("by").addEventListener("change", () => {
    state.by = $("by").value;
    load();
  });
  $("layer").addEventListener("change", () => {
    draw();
    render();
  });
  onLangChange(render);

  legend?.source("registration-rates", () => t("rates.legend"), () =>
    state.drawn > 0 ? Object.keys(RATE_CLASSES).map((cls) => ({ swatch: { colour: RATE_CLASSES[cls].colour, shape: "fill" }, text: classText(cls, communities.target) })) : []);

  render();
  return {
    state,
    /** Folds the panel (its communities leave the map), as if its title were clicked while open. */
    fold() {
      if (!state.open) return;
      state.open = false;
      draw();
      render();
    },
    /** Shown for the roles that answer for the rate, and not on the scan page (its panel is the page there). */
    show(next) {
      user = next;
      state.visible = Boolean(user && allowed("registration", user.role) && !document.body.classList.contains("scanning"));
      el.hidden = !state.visible;
      if (!state.visible) {
        state.open = false;
        clearEntities();
        render();
      } else if (state.open) load();
    },
  };
}
