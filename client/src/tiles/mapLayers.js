// The catalog's layers on the map. All visible layers are drawn by one MvtImageryProvider into
// one Cesium ImageryLayer (one request and one texture per tile); showing, hiding or fading a
// layer builds a new provider for the new set, which redraws from the shared decoded tiles, and the
// old imagery layer is removed once the globe has loaded the new one (no blank flash).
// Areas are drawn first, then lines, then points; picking goes the other way.
import { ImageryLayer, Rectangle } from "cesium";
import { fetchJson } from "../api.js";
import { featuresAt } from "./hitTest.js";
import { MvtImageryProvider } from "./mvtImageryProvider.js";
import { locateInTile } from "./tileMath.js";
import { TileSource } from "./tileSource.js";

const STORAGE_KEY = "geotwin.layers"; // { name: { show, alpha } }, so a reload keeps the choice
const GEOMETRY_ORDER = { polygon: 0, line: 1, point: 2 };
const REBUILD_DELAY_MS = 150; // an opacity drag rebuilds once it pauses, not on every step
const RETIRE_TIMEOUT_MS = 10000;

/**
 * The catalog the signed-in user may see (GET /api/layers). Throws ApiError. The zoom range is
 * minzoom/maxzoom (the written contract, TileJSON's spelling).
 */
export async function fetchCatalog() {
  const { data } = await fetchJson("/api/layers");
  if (!Array.isArray(data)) throw new Error("/api/layers did not return a list");
  return data
    .filter((l) => l && typeof l.name === "string")
    .map((l) => ({ ...l, minzoom: l.minzoom ?? 0, maxzoom: l.maxzoom ?? 22 }));
}

function savedChoices() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}") ?? {};
  } catch {
    return {};
  }
}

function saveChoices(state) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(state)));
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
 * onStats(name) is called whenever a layer's tile counters change.
 * Returns { layers, state, stats, drawn, generation, setShown, setAlpha, setFilter, filter, pick, destroy }.
 */
export function addMapLayers(viewer, catalog, { bbox, onStats = () => {} } = {}) {
  const rectangle = dataRectangle(bbox);
  const saved = savedChoices();
  const layers = catalog
    .map((layer, i) => ({ layer, i }))
    .sort((a, b) => (GEOMETRY_ORDER[a.layer.geometry] ?? 1) - (GEOMETRY_ORDER[b.layer.geometry] ?? 1) || a.i - b.i)
    .map(({ layer }) => layer);
  const state = new Map(
    layers.map((l) => [
      l.name,
      // a computed overlay (hot spot cells) is listed but hidden until asked for: it would cover every other layer
      { show: saved[l.name]?.show ?? !l.hidden, alpha: Number.isFinite(saved[l.name]?.alpha) ? saved[l.name].alpha : 1 },
    ]),
  );
  const source = new TileSource(layers, { onChange: onStats });
  let imagery = null;
  let provider = null;
  let timer = null;
  let destroyed = false;
  const controller = { layers, state, generation: 0, retiring: 0 };

  function rebuild() {
    timer = null;
    if (destroyed) return;
    controller.generation++;
    const visible = layers
      .filter((l) => state.get(l.name).show && state.get(l.name).alpha > 0)
      .map((layer) => ({ layer, alpha: state.get(layer.name).alpha }));
    const old = imagery;
    provider = visible.length > 0 ? new MvtImageryProvider({ source, visible, rectangle }) : null;
    imagery = provider ? new ImageryLayer(provider) : null;
    if (imagery) viewer.imageryLayers.add(imagery);
    if (old) retire(old);
    viewer.scene.requestRender();
  }

  /** Remove a replaced imagery layer once the globe went busy with its successor and is idle again. */
  function retire(old) {
    controller.retiring++;
    const globe = viewer.scene.globe;
    let busy = false;
    let off = () => {};
    const finish = () => {
      off();
      clearTimeout(fallback);
      controller.retiring--;
      if (viewer.imageryLayers.contains(old)) viewer.imageryLayers.remove(old, true);
      viewer.scene.requestRender();
    };
    const fallback = setTimeout(finish, imagery ? RETIRE_TIMEOUT_MS : 0);
    if (!imagery) return;
    off = globe.tileLoadProgressEvent.addEventListener((queued) => {
      if (queued > 0) busy = true;
      else if (busy) finish();
    });
  }

  function change(name, fn) {
    const s = state.get(name);
    if (!s) return;
    fn(s);
    saveChoices(state);
    clearTimeout(timer);
    timer = setTimeout(rebuild, REBUILD_DELAY_MS);
  }

  /** A decoded tile of layer at about zoom z covering lon/lat: the cached one nearest z, else fetched. */
  async function tileAt(layer, lon, lat, z) {
    const clamp = (v) => Math.max(layer.minzoom, Math.min(layer.maxzoom, v));
    const wanted = clamp(Math.round(z));
    for (const dz of [0, 1, -1, 2, -2]) {
      const at = locateInTile(lon, lat, clamp(wanted + dz), 1);
      const features = source.cached(layer.name, `${at.z}/${at.x}/${at.y}`);
      if (features) return { at, features };
    }
    const at = locateInTile(lon, lat, wanted, 1);
    const byLayer = await source.load(at.z, at.x, at.y, [layer.name]);
    return { at, features: byLayer[layer.name] ?? [] };
  }

  rebuild();

  return Object.assign(controller, {
    /** Tile counters of one layer: requested, empty, errors, pending, lastError. */
    stats: (name) => source.stats.get(name),
    /** What the current provider drew per layer: { name: { tiles, features } } (hidden layers: none). */
    drawn: () => (provider ? structuredClone(provider.drawn) : {}),
    setShown: (name, show) => change(name, (s) => (s.show = Boolean(show))),
    setAlpha: (name, alpha) => change(name, (s) => (s.alpha = Math.max(0, Math.min(1, Number(alpha))))),
    /** The incident filter as a URL query (category, from, to); the map redraws with it. */
    setFilter(query) {
      if (!source.setFilter(query)) return;
      clearTimeout(timer);
      timer = setTimeout(rebuild, REBUILD_DELAY_MS);
    },
    filter: () => source.filter,
    /**
     * What is drawn at lon/lat: the first hit of the visible layers, topmost layer first.
     * z is the zoom shown there, toleranceM how far (metres) a click may miss a point or line.
     * Resolves to { layer, feature, tile: { z, x, y } } or null; a layer whose tile fails is skipped (and reported).
     */
    async pick(lon, lat, z, toleranceM) {
      let failure = null;
      for (const layer of [...layers].reverse()) {
        const s = state.get(layer.name);
        if (!s.show || s.alpha === 0 || z < layer.minzoom - 0.5) continue;
        try {
          const { at, features } = await tileAt(layer, lon, lat, z);
          if (features.length === 0) continue;
          const extent = features[0].extent;
          const tileMetres = (40075016.686 * Math.cos((lat * Math.PI) / 180)) / 2 ** at.z;
          const [feature] = featuresAt(features, at.px * extent, at.py * extent, (toleranceM / tileMetres) * extent);
          if (feature) return { layer, feature, tile: { z: at.z, x: at.x, y: at.y } };
        } catch (err) {
          failure ??= err; // a failing layer must not hide the layers below it
        }
      }
      if (failure) throw failure;
      return null;
    },
    destroy() {
      destroyed = true;
      clearTimeout(timer);
      if (imagery) viewer.imageryLayers.remove(imagery, true);
      imagery = provider = null;
    },
  });
}
