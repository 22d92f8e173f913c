// A Cesium ImageryProvider that draws one GeoTwin vector-tile layer.
// Each tile is fetched from /tiles/{layer}/{z}/{x}/{y}.mvt (same origin, so the session cookie
// goes with it), decoded with @mapbox/vector-tile + pbf and rasterised onto a 256 px canvas.
// The decoded features stay in a bounded per-layer cache so a click can be hit-tested against
// exactly what was drawn (see pick()). 204 means "nothing here": a transparent tile.
// Failures are counted and reported through onChange; Cesium marks the tile failed, and the
// layers panel and the error banner say so (never a silent blank map).
import { Event, Rectangle, WebMercatorTilingScheme } from "cesium";
import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader } from "pbf";
import { drawFeatures } from "./rasterize.js";
import { featuresAt } from "./hitTest.js";
import { locateInTile } from "./tileMath.js";

const TILE_SIZE = 256;
const CACHE_TILES = 400; // decoded tiles kept per layer for picking
// At most this many tile fetches in flight over all layers; beyond it requestImage returns
// undefined, which tells Cesium to ask again on a later frame (its documented back-pressure).
const MAX_IN_FLIGHT = 12;
let inFlight = 0;

// One shared 1x1 transparent canvas for empty tiles: no texture memory wasted on nothing.
let emptyTile;
function empty() {
  if (!emptyTile) {
    emptyTile = document.createElement("canvas");
    emptyTile.width = emptyTile.height = 1;
  }
  return emptyTile;
}

export class TileError extends Error {
  constructor(url, status, detail) {
    super(`${url}: ${status ? `HTTP ${status}` : detail}`);
    this.name = "TileError";
    this.url = url;
    this.status = status;
    this.detail = detail;
  }
}

/** Decode an .mvt buffer into plain features of one layer: { id, type, props, rings, extent }. */
export function decodeTile(buffer, layerName) {
  const tile = new VectorTile(new PbfReader(new Uint8Array(buffer)));
  const layer = tile.layers[layerName];
  if (!layer) return [];
  const out = [];
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i);
    out.push({ id: f.id, type: f.type, props: f.properties, rings: f.loadGeometry(), extent: layer.extent });
  }
  return out;
}

export class MvtImageryProvider {
  /**
   * layer: one entry of /api/layers. rectangle (optional Cesium Rectangle): where tiles may have
   * data, so nothing is requested for the rest of the world. onChange(stats) after every tile.
   */
  constructor({ layer, rectangle, onChange = () => {} }) {
    this.layer = layer;
    this.name = layer.name;
    this.template = layer.tiles ?? `/tiles/${encodeURIComponent(layer.name)}/{z}/{x}/{y}.mvt`;
    this.minzoom = Number.isFinite(layer.minzoom) ? layer.minzoom : 0;
    this.maxzoom = Number.isFinite(layer.maxzoom) ? layer.maxzoom : 22;
    this.onChange = onChange;
    this.cache = new Map(); // "z/x/y" -> features; Map order doubles as least-recently-used order
    this.loading = new Map(); // "z/x/y" -> Promise<features>, so picking and drawing share a fetch
    this.stats = { requested: 0, drawn: 0, empty: 0, errors: 0, features: 0, pending: 0, lastError: null };

    // ImageryProvider interface (read by Cesium)
    this.tilingScheme = new WebMercatorTilingScheme();
    this.rectangle = rectangle
      ? Rectangle.intersection(rectangle, this.tilingScheme.rectangle) ?? this.tilingScheme.rectangle
      : this.tilingScheme.rectangle;
    this.tileWidth = TILE_SIZE;
    this.tileHeight = TILE_SIZE;
    this.minimumLevel = 0; // below minzoom we hand back empty tiles: see requestImage
    this.maximumLevel = this.maxzoom;
    this.tileDiscardPolicy = undefined;
    this.errorEvent = new Event();
    this.credit = undefined;
    this.proxy = undefined;
    this.hasAlphaChannel = true;
  }

  getTileCredits() {
    return undefined;
  }

  /** Cesium's picking hook; GeoTwin hit-tests itself (pick below), so nothing here. */
  pickFeatures() {
    return undefined;
  }

  requestImage(x, y, level) {
    // Outside the layer's zoom range it is simply not drawn (and costs no request).
    if (level < this.minzoom) return Promise.resolve(empty());
    const key = `${level}/${x}/${y}`;
    if (!this.cache.has(key) && !this.loading.has(key) && inFlight >= MAX_IN_FLIGHT) return undefined;
    return this.load(level, x, y).then((features) => this.draw(features));
  }

  /** The decoded features of z/x/y: from the cache, or fetched once (concurrent callers share it). */
  load(z, x, y) {
    const key = `${z}/${x}/${y}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key); // refresh its place in the LRU order
      this.cache.set(key, cached);
      return Promise.resolve(cached);
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.fetchTile(z, x, y).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  async fetchTile(z, x, y) {
    const url = this.template.replace("{z}", z).replace("{x}", x).replace("{y}", y);
    this.stats.requested++;
    this.stats.pending++;
    inFlight++;
    this.onChange(this.stats);
    try {
      let res;
      try {
        res = await fetch(url, { credentials: "same-origin", signal: AbortSignal.timeout(30000) });
      } catch (err) {
        throw new TileError(url, 0, String(err?.message ?? err));
      }
      let features = [];
      if (res.status === 204) {
        this.stats.empty++;
      } else if (res.ok) {
        features = decodeTile(await res.arrayBuffer(), this.name);
      } else {
        throw new TileError(url, res.status);
      }
      this.remember(`${z}/${x}/${y}`, features);
      return features;
    } catch (err) {
      this.stats.errors++;
      this.stats.lastError = err instanceof TileError ? err : new TileError(url, 0, String(err?.message ?? err));
      throw err;
    } finally {
      inFlight--;
      this.stats.pending--;
      this.onChange(this.stats);
    }
  }

  remember(key, features) {
    this.cache.set(key, features);
    while (this.cache.size > CACHE_TILES) this.cache.delete(this.cache.keys().next().value);
  }

  draw(features) {
    if (features.length === 0) return empty();
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = TILE_SIZE;
    const drawn = drawFeatures(canvas.getContext("2d"), features, this.layer.style, TILE_SIZE);
    this.stats.drawn++;
    this.stats.features += drawn;
    this.onChange(this.stats);
    return canvas;
  }

  /**
   * The features of this layer under lon/lat, topmost first. z is the zoom the map shows there
   * (clamped into the layer's range; below minzoom the layer is not drawn, so nothing is picked),
   * tolerance is in metres on the ground. Uses the cached tile, fetching it only if it is missing.
   */
  async pick(lon, lat, z, toleranceM) {
    if (z < this.minzoom) return [];
    const zoom = Math.min(Math.round(z), this.maxzoom);
    const at = locateInTile(lon, lat, zoom, 1); // px, py as fractions of the tile
    const features = await this.load(zoom, at.x, at.y);
    if (features.length === 0) return [];
    const extent = features[0].extent;
    const tileMetres = (40075016.686 * Math.cos((lat * Math.PI) / 180)) / 2 ** zoom;
    return featuresAt(features, at.px * extent, at.py * extent, (toleranceM / tileMetres) * extent);
  }
}
