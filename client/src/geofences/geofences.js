// Geofences in the viewer (issue #21): the fences layer (a box in the layers panel, a legend row while shown), the
// dispatch roles' panel that draws and deletes fences, and the fence events, pushed by the live hub or read every
// 30 s, handed to the overview's alerts feed and flashing their fence on the map.
import { fetchJson } from "../api.js";
import { onLangChange, t } from "../i18n.js";
import { allowed } from "../vocabulary.js";
import { fenceEvents } from "./fenceEvents.js";
import { FENCE_COLOUR, fencesLayer } from "./fencesLayer.js";
import { fencesPanel } from "./fencesPanel.js";
import "./geofences.css";

const FLASH_RECENT_MS = 120000; // an event older than this (read at start) is news for the feed, not for the map

/**
 * layersPanel: the layers panel element (gets a "Geofences" box); legend: map/legend.js; live: the live slice (its hub
 * brings "fenceEvents"); onEvents(list): every change of the events held (newest first), for the alerts feed.
 * Returns { show(user), state } (window.geotwin.geofences): fences, layer, events(), eventsState, panel.
 */
export function initGeofences(viewer, container, { layersPanel, legend, live, onEvents = () => {} }) {
  const state = { fences: [], lastError: null, loads: 0 };
  const layer = fencesLayer(viewer, { onChange: () => legend?.refresh() });
  const events = fenceEvents({
    onNew: (fresh) => {
      onEvents(events.events());
      for (const e of fresh) if (Date.now() - Date.parse(e.at) < FLASH_RECENT_MS) layer.flash(e.fenceId);
      if (fresh.some((e) => !state.fences.some((f) => f.id === e.fenceId))) load(); // a fence someone else drew since
    },
  });
  live?.onFenceEvents((list) => events.take(list));
  let user = null;

  const panel = fencesPanel(viewer, container, { fences: () => state.fences, reload: load });

  // the layers panel's box, under the catalog layers
  const section = document.createElement("section");
  section.className = "fences-layer";
  section.hidden = true;
  layersPanel?.querySelector("[data-role=body]")?.append(section);
  function renderBox() {
    section.innerHTML = `<ul class="layers-list"><li class="layers-item"><label><input type="checkbox" data-testid="fences-layer" ${layer.state.show ? "checked" : ""}>
      <span class="fences-swatch" style="--c:${FENCE_COLOUR}"></span> <span></span></label></li></ul>`;
    section.querySelector("label > span:last-child").textContent = t("fences.layer", { n: state.fences.length });
    section.querySelector("input").addEventListener("change", (e) => layer.show(e.target.checked));
  }
  legend?.source("geofences", () => t("fences.title"), () => (layer.state.show && layer.state.drawn > 0
    ? [{ swatch: { colour: FENCE_COLOUR, shape: "ring" }, text: t("fences.legend", { n: state.fences.length }) }] : []));
  onLangChange(renderBox);

  async function load() {
    if (!user) return;
    try {
      const { data } = await fetchJson("/api/geofences");
      state.fences = Array.isArray(data) ? data : [];
      state.lastError = null;
    } catch (err) {
      state.lastError = String(err?.message ?? err);
    } finally {
      state.loads++;
    }
    layer.setFences(state.fences);
    renderBox();
    panel.render();
  }

  return {
    state,
    layer: layer.state,
    panel: panel.state,
    events: () => events.events(),
    eventsState: events.state,
    show(who) {
      user = who && who.role !== "resident" ? who : null;
      section.hidden = !user;
      panel.show(Boolean(user && allowed("dispatch", user.role)));
      if (!user) {
        events.stop();
        state.fences = [];
        layer.setFences([]);
        onEvents([]);
        return;
      }
      renderBox();
      load();
      events.start();
    },
  };
}
