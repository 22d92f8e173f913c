// The vector layers as one piece of the page: load the catalog for the signed-in user, put it on
// the map, keep the layers panel in step, say failing layers in the error banner, and take it all
// away on sign-out.
import { ApiError, errorMessage } from "../api.js";
import { onLangChange, t } from "../i18n.js";
import { groundAtCentre } from "../map/viewer.js";
import { clearError, reportError } from "../status/status.js";
import { addMapLayers, fetchCatalog } from "./mapLayers.js";
import { addBaseImagery, fetchImagery, renderImageryList } from "../imagery/baseImagery.js";
import { initLayersPanel, layerTitle } from "./layersPanel.js";
import { initIncidentFilter } from "./incidentFilter.js";

/**
 * viewer: the Cesium viewer (or null when WebGL failed); panelEl: the panel element.
 * Returns { load(bbox), unload(), controller(), imagery() } where controller() is addMapLayers' result
 * or null and imagery() addBaseImagery's (the raster base layers) or null.
 */
export function initLayersSlice(viewer, panelEl) {
  let controller = null;
  let base = null;
  const imageryList = panelEl.querySelector("[data-role=imagery]");
  const imageryTitle = panelEl.querySelector("[data-role=imagery-title]");
  const filterEl = panelEl.querySelector("[data-role=incident-filter]");
  const incidentFilter = initIncidentFilter(filterEl, (query) => controller?.setFilter(query));
  let loading = false;
  let generation = 0; // an unload while the catalog loads wins
  const failing = new Set(); // layers whose "layer:<name>" message is in the banner

  const panel = initLayersPanel(panelEl, {
    onShow: (name, show) => controller?.setShown(name, show),
    onAlpha: (name, alpha) => controller?.setAlpha(name, alpha),
  });

  /** A layer whose tiles fail is said in the banner, with its title and the last failure. */
  function reportTileErrors(name) {
    const { errors, lastError } = controller?.stats(name) ?? {};
    if (!errors) return;
    failing.add(name);
    const layer = controller.layers.find((l) => l.name === name);
    const detail = [lastError?.status ? `HTTP ${lastError.status}` : null, lastError?.detail].filter(Boolean).join(": ") || "?";
    reportError(`layer:${name}`, new ApiError("error.layerTiles", { layer: layerTitle(layer), count: errors, detail }));
  }
  onLangChange(() => [...failing].forEach(reportTileErrors));

  if (viewer) {
    // Tell the panel the zoom the map shows, so it can say "zoom in to see" a layer.
    viewer.camera.percentageChanged = 0.1;
    viewer.camera.changed.addEventListener(() => panel.setZoom(groundAtCentre(viewer)?.zoom ?? null));
  }

  /** Load the catalog and draw it; bbox (the jurisdiction) limits where tiles are asked for. */
  async function load(bbox) {
    if (!viewer || controller || loading) return;
    loading = true;
    const mine = generation;
    panel.loading();
    try {
      const catalog = await fetchCatalog();
      if (mine !== generation) return;
      controller = addMapLayers(viewer, catalog, {
        bbox,
        onStats: (name) => {
          panel.updateStats(name);
          reportTileErrors(name);
        },
      });
      panel.setLayers(controller);
      filterEl.hidden = !catalog.some((l) => l.name === "incidents");
      controller.setFilter(incidentFilter.query());
      panel.setZoom(groundAtCentre(viewer)?.zoom ?? null);
      clearError("layers");
      await loadImagery(mine);
    } catch (err) {
      if (mine !== generation) return;
      panel.failed(errorMessage(err));
      reportError("layers", err);
    } finally {
      loading = false;
    }
  }

  /** The raster base layers; a failure is said in the banner and leaves the vector layers alone. */
  async function loadImagery(mine) {
    try {
      const sources = await fetchImagery();
      if (mine !== generation) return;
      base = addBaseImagery(viewer, sources, {
        onError: (name) => reportError(`imagery:${name}`, new ApiError("error.imagery", { name })),
      });
      renderImageryList(imageryList, base, (name, show) => base?.setShown(name, show));
      imageryTitle.hidden = imageryList.hidden;
      clearError("imagery");
    } catch (err) {
      if (mine === generation) reportError("imagery", err);
    }
  }

  function unload() {
    generation++;
    controller?.destroy();
    controller = null;
    incidentFilter.reset();
    filterEl.hidden = true;
    for (const entry of base?.sources ?? []) clearError(`imagery:${entry.name}`);
    base?.destroy();
    base = null;
    renderImageryList(imageryList, null);
    imageryTitle.hidden = true;
    panel.clear();
    for (const name of failing) clearError(`layer:${name}`);
    failing.clear();
  }

  return { load, unload, controller: () => controller, imagery: () => base, incidentWindow: () => incidentFilter.windowText() };
}
