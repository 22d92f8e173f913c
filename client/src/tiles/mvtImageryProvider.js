// A Cesium ImageryProvider that draws GeoTwin's vector-tile layers onto one canvas per tile.
// All visible layers go into one imagery layer on purpose: one request and one texture per tile
// instead of one per layer (nine textures a tile made the globe three times slower to settle in
// the software renderer the tests use, and costs GPU memory everywhere). Show/hide and opacity
// therefore build a new provider for the new set (see mapLayers.js); decoded tiles are shared
// through the TileSource, so that redraw fetches nothing already fetched.
// The provider is immutable: `visible` is [{ layer, alpha }] in drawing order (bottom first).
import { Event, Rectangle, WebMercatorTilingScheme } from "cesium";
import { drawFeatures } from "./rasterize.js";

const TILE_SIZE = 256;

// One shared 1x1 transparent canvas for empty tiles: no texture memory wasted on nothing.
let emptyTile;
function empty() {
  if (!emptyTile) {
    emptyTile = document.createElement("canvas");
    emptyTile.width = emptyTile.height = 1;
  }
  return emptyTile;
}

export class MvtImageryProvider {
  /** source: the shared TileSource; rectangle (optional): where there is data at all. */
  constructor({ source, visible, rectangle }) {
    this.source = source;
    this.visible = visible;
    /** Per layer: tiles this provider drew with at least one of its features, and features drawn. */
    this.drawn = Object.fromEntries(visible.map(({ layer }) => [layer.name, { tiles: 0, features: 0 }]));

    // ImageryProvider interface (read by Cesium)
    this.tilingScheme = new WebMercatorTilingScheme();
    this.rectangle = rectangle
      ? (Rectangle.intersection(rectangle, this.tilingScheme.rectangle) ?? this.tilingScheme.rectangle)
      : this.tilingScheme.rectangle;
    this.tileWidth = TILE_SIZE;
    this.tileHeight = TILE_SIZE;
    this.minimumLevel = 0; // below a layer's minzoom it is simply left out of the tile
    this.maximumLevel = Math.max(0, ...visible.map(({ layer }) => layer.maxzoom ?? 22));
    this.tileDiscardPolicy = undefined;
    this.errorEvent = new Event();
    this.credit = undefined;
    this.proxy = undefined;
    this.hasAlphaChannel = true;
  }

  getTileCredits() {
    return undefined;
  }

  /** Cesium's picking hook; GeoTwin hit-tests the decoded features itself (mapLayers.pick). */
  pickFeatures() {
    return undefined;
  }

  /** The visible layers drawn at zoom level (inside their minzoom..maxzoom). */
  layersAt(level) {
    return this.visible.filter(({ layer }) => level >= (layer.minzoom ?? 0) && level <= (layer.maxzoom ?? 22));
  }

  requestImage(x, y, level) {
    const here = this.layersAt(level);
    if (here.length === 0) return Promise.resolve(empty());
    const key = `${level}/${x}/${y}`;
    const allCached = here.every(({ layer }) => this.source.cached(layer.name, key));
    if (!allCached && this.source.busy) return undefined; // Cesium asks again on a later frame
    return this.source
      .load(level, x, y, here.map(({ layer }) => layer.name))
      .then((byLayer) => this.draw(here, byLayer))
      .catch((err) => {
        // Draw what did arrive; the failing layer is counted and reported by the TileSource.
        if (err?.partial && Object.keys(err.partial).length > 0) return this.draw(here, err.partial);
        throw err;
      });
  }

  draw(here, byLayer) {
    const work = here.filter(({ layer }) => byLayer[layer.name]?.length > 0);
    if (work.length === 0) return empty();
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = TILE_SIZE;
    const ctx = canvas.getContext("2d");
    for (const { layer, alpha } of work) {
      ctx.globalAlpha = alpha;
      const count = drawFeatures(ctx, byLayer[layer.name], layer.style, TILE_SIZE);
      const d = this.drawn[layer.name];
      d.tiles++;
      d.features += count;
    }
    return canvas;
  }
}
