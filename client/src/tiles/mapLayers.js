// The catalog's layers on the map: one Cesium ImageryLayer (with its MvtImageryProvider) per
// catalog entry, so show/hide and opacity are Cesium's own per-layer switches and a hidden layer
// requests nothing. Areas are drawn first, then lines, then points; picking goes the other way.
import { ImageryLayer, Rectangle } from "cesium";
import { fetchJson } from "../api.js";
import { MvtImageryProvider } from "./mvtImageryProvider.js";

const STORAGE_KEY = "geotwin.layers"; // { name: { show, alpha } }, so a reload keeps the choice
const GEOMETRY_ORDER = { polygon: 0, line: 1, point: 2 };

/** The catalog the signed-in user may see (GET /api/layers). Throws ApiError. */
export async function fetchCatalog() {
  const { data } = await fetchJson("/api/layers");
  if (!Array.isArray(data)) throw new Error("/api/layers did not return a list");
  return data.filter((l) => l && typeof l.name === "string");
}

function savedChoices() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}") ?? {};
  } catch {
    return {};
  }
}

function saveChoices(entries) {
  const choices = Object.fromEntries(entries.map((e) => [e.name, { show: e.imagery.show, alpha: e.imagery.alpha }]));
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(choices));
  } catch {
    // not fatal: the choice holds for this page view
  }
}

/** bbox [w, s, e, n] grown by a margin, as a Cesium Rectangle; undefined if bbox is unusable. */
function dataRectangle(bbox, margin = 0.1) {
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(Number.isFinite)) return undefined;
  const [w, s, e, n] = bbox;
  const dx = (e - w) * margin;
  const dy = (n - s) * margin;
  return Rectangle.fromDegrees(Math.max(w - dx, -180), Math.max(s - dy, -85), Math.min(e + dx, 180), Math.min(n + dy, 85));
}

/**
 * Put the catalog on the viewer. bbox limits where tiles are requested (the user's jurisdiction).
 * onStats(entry) is called whenever a layer's tile counters change.
 * Returns { entries, setShown, setAlpha, pick, destroy }; entries are in drawing order.
 */
export function addMapLayers(viewer, catalog, { bbox, onStats = () => {} } = {}) {
  const rectangle = dataRectangle(bbox);
  const saved = savedChoices();
  const ordered = catalog
    .map((layer, i) => ({ layer, i }))
    .sort((a, b) => (GEOMETRY_ORDER[a.layer.geometry] ?? 1) - (GEOMETRY_ORDER[b.layer.geometry] ?? 1) || a.i - b.i)
    .map(({ layer }) => layer);

  const entries = ordered.map((layer) => {
    const entry = { name: layer.name, layer };
    entry.provider = new MvtImageryProvider({ layer, rectangle, onChange: () => onStats(entry) });
    entry.imagery = new ImageryLayer(entry.provider, {
      show: saved[layer.name]?.show ?? true,
      alpha: Number.isFinite(saved[layer.name]?.alpha) ? saved[layer.name].alpha : 1,
    });
    viewer.imageryLayers.add(entry.imagery);
    return entry;
  });
  const byName = new Map(entries.map((e) => [e.name, e]));

  function change(name, fn) {
    const entry = byName.get(name);
    if (!entry) return;
    fn(entry.imagery);
    saveChoices(entries);
    viewer.scene.requestRender();
  }

  return {
    entries,
    setShown: (name, show) => change(name, (l) => (l.show = Boolean(show))),
    setAlpha: (name, alpha) => change(name, (l) => (l.alpha = Math.max(0, Math.min(1, Number(alpha))))),
    /**
     * What is drawn at lon/lat: the first hit of the visible layers, topmost layer first.
     * z is the zoom shown there, toleranceM how far (metres) a click may miss a point or line.
     * Resolves to { entry, feature } or null.
     */
    async pick(lon, lat, z, toleranceM) {
      let failure = null;
      for (const entry of [...entries].reverse()) {
        if (!entry.imagery.show || entry.imagery.alpha === 0) continue;
        try {
          const [feature] = await entry.provider.pick(lon, lat, z, toleranceM);
          if (feature) return { entry, feature };
        } catch (err) {
          failure ??= err; // a failing layer must not hide the layers below it
        }
      }
      if (failure) throw failure;
      return null;
    },
    destroy() {
      for (const e of entries) viewer.imageryLayers.remove(e.imagery, true);
      entries.length = 0;
      byName.clear();
    },
  };
}
