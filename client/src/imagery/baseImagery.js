// Offline raster base layers a bureau drops into the server's imagery folder (XYZ folders, MBTiles),
// listed by /api/imagery and drawn over Natural Earth II, under the vector layers. Each gets a box
// in the layers panel's "base imagery" list.
import { Credit, ImageryLayer, Rectangle, UrlTemplateImageryProvider } from "cesium";
import { fetchJson } from "../api.js";

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** The list from /api/imagery, keeping only entries the map can use. */
export async function fetchImagery() {
  const { data } = await fetchJson("/api/imagery");
  if (!Array.isArray(data)) throw new Error("/api/imagery did not return a list");
  return data.filter(
    (s) => s && typeof s.name === "string" && typeof s.tiles === "string" && Array.isArray(s.bounds) && s.bounds.length === 4,
  );
}

/**
 * Put every source on the map right above the globe's own imagery (index 1), shown.
 * Returns { sources: [{ name, source, show, errors }], setShown(name, show), destroy() }.
 */
export function addBaseImagery(viewer, sources, { onError = () => {} } = {}) {
  const entries = sources.map((source, i) => {
    const [w, s, e, n] = source.bounds.map(Number);
    // The server's URL is a template already ({z}/{x}/{y}); Cesium asks for exactly those tiles.
    const provider = new UrlTemplateImageryProvider({
      url: source.tiles,
      rectangle: Rectangle.fromDegrees(w, s, e, n),
      minimumLevel: source.minzoom ?? 0,
      maximumLevel: source.maxzoom ?? 22,
      credit: source.attribution ? new Credit(escapeHtml(source.attribution), true) : undefined,
    });
    const entry = { name: source.name, source, show: true, errors: 0, layer: null };
    provider.errorEvent.addEventListener((err) => {
      // A drone survey covers part of its bounds: a missing tile (404) is normal, not a failure.
      if (err?.error?.statusCode === 404) return;
      entry.errors++;
      onError(source.name, err);
    });
    entry.layer = new ImageryLayer(provider);
    viewer.imageryLayers.add(entry.layer, Math.min(1 + i, viewer.imageryLayers.length));
    return entry;
  });
  return {
    sources: entries,
    setShown(name, show) {
      const entry = entries.find((x) => x.name === name);
      if (!entry) return;
      entry.show = show;
      entry.layer.show = show;
    },
    destroy() {
      for (const { layer } of entries) if (viewer.imageryLayers.contains(layer)) viewer.imageryLayers.remove(layer, true);
      entries.length = 0;
    },
  };
}

/** The panel's list: one box a source, named by its file or folder, with its attribution as a tooltip. */
export function renderImageryList(listEl, base, onShow) {
  listEl.replaceChildren(
    ...(base?.sources ?? []).map((entry) => {
      const row = document.createElement("li");
      row.className = "layer-row";
      row.dataset.testid = "imagery-row";
      row.dataset.imagery = entry.name;
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = entry.show;
      box.dataset.testid = "imagery-toggle";
      box.addEventListener("change", () => onShow(entry.name, box.checked));
      const name = document.createElement("span");
      name.className = "layer-name";
      name.textContent = entry.name;
      if (entry.source.attribution) label.title = entry.source.attribution;
      label.append(box, name);
      row.append(label);
      return row;
    }),
  );
  listEl.hidden = listEl.childElementCount === 0;
}
