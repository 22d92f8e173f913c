// Crowd counts in the viewer (issue #21): the counting areas (beaches, squares, piers) coloured by their level, from
// their count against capacity (a box in the layers panel, a legend row per level); a panel listing them with count and
// capacity, where choosing one draws today against its typical day (ECharts); and the level changes, pushed by the
// live hub ("crowdEvents") or read every 30 s, handed to the overview's alerts feed.
import { fetchJson } from "../api.js";
import { onLangChange, t } from "../i18n.js";
import { areaLayer } from "../map/areas.js";
import { crowdChart } from "./crowdChart.js";
import { CROWD_LEVELS, levelColour, levelWords } from "./crowdLevels.js";
import "./crowds.css";

const POLL_MS = 30000;
const SHOW_KEY = "geotwin.crowds.show";
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * layersPanel: gets a "Crowds" box; legend: map/legend.js; live: the live slice (its hub brings "crowdEvents");
 * onEvents(list): the level changes held, newest first, for the alerts feed.
 * Returns { show(user), state } (window.geotwin.crowds): areas, events, selected, day (the chart's answer), chartDrawn.
 */
export function initCrowds(viewer, container, { layersPanel, legend, live, onEvents = () => {} }) {
  const state = { areas: [], events: [], show: localStorage.getItem(SHOW_KEY) !== "0", drawn: 0, selected: null, day: null,
    chartDrawn: false, loads: 0, pushed: 0, lastError: null };
  const areas = areaLayer(viewer);
  const byId = new Map();
  let user = null;
  let timer = null;
  let open = false;

  const panel = document.createElement("section");
  panel.className = "crowds";
  panel.dataset.testid = "crowds-panel";
  panel.hidden = true;
  panel.innerHTML = `<button type="button" class="crowds-head" data-role="fold" aria-expanded="false"></button>
    <div class="crowds-body" hidden><ul class="crowds-list" data-role="list"></ul>
      <h4 data-role="chart-title"></h4><div class="crowds-chart" data-testid="crowds-chart"></div></div>`;
  container.append(panel);
  const chart = crowdChart(panel.querySelector(".crowds-chart"));

  const box = document.createElement("section");
  box.hidden = true;
  layersPanel?.querySelector("[data-role=body]")?.append(box);

  function render() {
    panel.querySelector("[data-role=fold]").textContent = t("crowds.title", { n: state.areas.length });
    panel.querySelector("[data-role=fold]").setAttribute("aria-expanded", String(open));
    panel.querySelector(".crowds-body").hidden = !open;
    panel.querySelector("[data-role=list]").innerHTML = state.areas.length === 0 ? `<li>${esc(t("crowds.none"))}</li>` : state.areas.map((a) => `
      <li data-area="${a.id}" class="${state.selected === a.id ? "selected" : ""}">
        <span class="crowds-dot" style="--c:${levelColour(a.level)}"></span>
        <span class="crowds-name">${esc(a.name)}</span>
        <small>${esc(a.count == null ? t("crowds.noCount") : t("crowds.count", { count: a.count, capacity: a.capacity }))} · ${esc(levelWords(a.level))}</small>
      </li>`).join("");
    const chosen = state.areas.find((a) => a.id === state.selected);
    panel.querySelector("[data-role=chart-title]").textContent = chosen ? t("crowds.chart.title", { name: chosen.name }) : t("crowds.chart.pick");
    box.innerHTML = `<ul class="layers-list"><li class="layers-item"><label><input type="checkbox" data-testid="crowds-layer" ${state.show ? "checked" : ""}>
      <span class="crowds-dot" style="--c:${levelColour("red")}"></span> <span></span></label></li></ul>`;
    box.querySelector("label > span:last-child").textContent = t("crowds.layer", { n: state.areas.length });
  }

  function draw() {
    if (!state.show || state.areas.length === 0) {
      areas.clear();
      state.drawn = 0;
    } else {
      state.drawn = areas.draw(state.areas.map((a) => ({ key: `crowd:${a.id}`, name: a.name, boundary: a.area, colour: levelColour(a.level),
        alpha: 0.25 + 0.35 * Math.min(1, a.fraction ?? 0), outline: { colour: levelColour(a.level), width: 2 },
        label: a.count == null ? a.name : `${a.name} ${a.count}/${a.capacity}`, properties: { crowdAreaId: a.id } })));
    }
    legend?.refresh();
  }

  async function choose(id) {
    state.selected = id;
    render();
    try {
      const { data } = await fetchJson(`/api/crowds/areas/${id}/today`);
      if (state.selected !== id) return;
      state.day = data;
      chart.render(data);
      chart.resize();
      state.chartDrawn = chart.drawn();
    } catch (err) {
      state.lastError = String(err?.message ?? err);
    }
  }

  panel.addEventListener("click", (e) => {
    if (e.target.closest("[data-role=fold]")) {
      open = !open;
      render();
      if (open) chart.resize();
      return;
    }
    const li = e.target.closest("[data-area]");
    if (li) choose(Number(li.dataset.area));
  });
  box.addEventListener("change", (e) => {
    state.show = e.target.checked;
    localStorage.setItem(SHOW_KEY, state.show ? "1" : "0");
    draw();
  });
  legend?.source("crowds", () => t("crowds.legend"), () => (state.show && state.drawn > 0
    ? CROWD_LEVELS.map((l) => ({ swatch: { colour: levelColour(l), shape: "fill" }, text: levelWords(l) })) : []));
  onLangChange(() => {
    render();
    chart.rerender();
  });

  function takeEvents(list, pushed = false) {
    const fresh = (Array.isArray(list) ? list : []).filter((e) => e && e.id != null && !byId.has(e.id));
    if (fresh.length === 0) return;
    for (const e of fresh) byId.set(e.id, e);
    if (pushed) state.pushed += fresh.length;
    state.events = [...byId.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || b.id - a.id).slice(0, 200);
    onEvents(state.events);
    if (pushed) load(); // the area's colour follows its new level at once
  }
  live?.onCrowdEvents?.((list) => takeEvents(list, true));

  async function load() {
    if (!user) return;
    try {
      const [areasRead, eventsRead] = await Promise.all([fetchJson("/api/crowds/areas"), fetchJson("/api/crowds/events?limit=100")]);
      state.areas = Array.isArray(areasRead.data) ? areasRead.data : [];
      takeEvents(eventsRead.data);
      state.lastError = null;
    } catch (err) {
      state.lastError = String(err?.message ?? err); // the banner already says when the server is away
    } finally {
      state.loads++;
    }
    render();
    draw();
    if (state.selected != null && open) choose(state.selected);
  }

  return {
    state,
    events: () => state.events,
    choose,
    show(who) {
      user = who && who.role !== "resident" ? who : null;
      panel.hidden = box.hidden = !user;
      clearInterval(timer);
      if (!user) {
        state.areas = [];
        state.events = [];
        byId.clear();
        draw();
        onEvents([]);
        return;
      }
      render();
      load();
      timer = setInterval(load, POLL_MS);
    },
  };
}
