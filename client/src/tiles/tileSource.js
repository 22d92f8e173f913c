// Fetches, decodes and keeps GeoTwin's vector tiles, per layer.
// The map needs several layers of the same tile at once, so they are asked for in one request
// (/tiles/a,b,c/{z}/{x}/{y}.mvt) and the answer is split by layer into a bounded cache that both
// drawing and picking read. If a combined request fails, each layer is asked for alone, so one
// broken layer fails on its own and never blanks the others. 204 means "nothing here".
// Counters per layer (requested, empty, errors, pending, lastError) feed the panel and the banner.
import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader } from "pbf";
import { fetchRaw, problemText } from "../api.js";

const CACHE_TILES = 600; // decoded tiles kept per layer
// At most this many tile fetches in flight; beyond it the imagery provider tells Cesium to ask
// again on a later frame (its documented back-pressure), so panning never floods the server.
export const MAX_IN_FLIGHT = 8;

export class TileError extends Error {
  constructor(url, status, detail) {
    super(`${url}: ${[status ? `HTTP ${status}` : null, detail].filter(Boolean).join(" ")}`);
    this.name = "TileError";
    this.url = url;
    this.status = status;
    this.detail = detail;
  }
}

/** Decode an .mvt buffer: { layerName: [{ id, type, props, rings, extent }] }. */
export function decodeTile(buffer) {
  const tile = new VectorTile(new PbfReader(new Uint8Array(buffer)));
  const out = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    const features = (out[name] = []);
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      features.push({ id: f.id, type: f.type, props: f.properties, rings: f.loadGeometry(), extent: layer.extent });
    }
  }
  return out;
}

export class TileSource {
  /** layers: the catalog; onChange(name) after a layer's counters change. */
  constructor(layers, { onChange = () => {} } = {}) {
    this.layers = new Map(layers.map((l) => [l.name, l]));
    this.onChange = onChange;
    this.cache = new Map(layers.map((l) => [l.name, new Map()])); // name -> "z/x/y" -> features
    this.loading = new Map(); // "name|z/x/y" -> Promise, so drawing and picking share a fetch
    this.stats = new Map(
      layers.map((l) => [l.name, { requested: 0, empty: 0, errors: 0, pending: 0, lastError: null }]),
    );
    this.inFlight = 0;
    this.filter = ""; // the incident filter's URL query, sent with every tile request
    this.filterGeneration = 0;
  }

  /** A new incident filter: every decoded tile is dropped (a tile fetched under the old one is not kept). */
  setFilter(query) {
    if (query === this.filter) return false;
    this.filter = query;
    this.filterGeneration++;
    for (const cache of this.cache.values()) cache.clear();
    this.loading.clear();
    return true;
  }

  get busy() {
    return this.inFlight >= MAX_IN_FLIGHT;
  }

  /** Cached features of one layer's tile, or undefined. */
  cached(name, key) {
    return this.cache.get(name)?.get(key);
  }

  /**
   * The features of the named layers in tile z/x/y: { name: features }. Fetches only what is not
   * cached, in one request. Rejects with a TileError only for layers that really failed; the
   * result of the others is still cached for the next try.
   */
  async load(z, x, y, names) {
    const key = `${z}/${x}/${y}`;
    const missing = names.filter((n) => !this.cached(n, key) && !this.loading.has(`${n}|${key}`));
    if (missing.length > 0) {
      const fetching = this.fetchSplitting(z, x, y, missing);
      for (const n of missing) {
        const one = fetching.then((results) => {
          if (results[n] instanceof Error) throw results[n];
          return results[n];
        });
        one.catch(() => {}); // failures are reported by whoever awaits, and counted in stats
        this.loading.set(`${n}|${key}`, one);
        one.finally(() => this.loading.delete(`${n}|${key}`)).catch(() => {});
      }
    }
    // Take every layer's answer (or promise of one) now, before awaiting anything.
    const waits = names.map((n) => [n, this.cached(n, key) ?? this.loading.get(`${n}|${key}`)]);
    const out = {};
    let failure = null;
    for (const [n, wait] of waits) {
      try {
        out[n] = (await wait) ?? [];
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw Object.assign(failure, { partial: out });
    return out;
  }

  /** One combined request; if it fails, one request per layer. Resolves { name: features | Error }. */
  async fetchSplitting(z, x, y, names) {
    try {
      return await this.fetchLayers(z, x, y, names, names.length === 1);
    } catch (err) {
      if (names.length === 1) return { [names[0]]: err };
      const each = await Promise.all(names.map((n) => this.fetchLayers(z, x, y, [n], true).catch((e) => ({ [n]: e }))));
      return Object.assign({}, ...each);
    }
  }

  async fetchLayers(z, x, y, names, countErrors) {
    const url = `/tiles/${names.map(encodeURIComponent).join(",")}/${z}/${x}/${y}.mvt${this.filter ? `?${this.filter}` : ""}`;
    const generation = this.filterGeneration;
    this.count(names, (s) => {
      s.requested++;
      s.pending++;
    });
    this.inFlight++;
    try {
      let res;
      try {
        res = await fetchRaw(url, { timeoutMs: 30000, init: { cache: "default" } });
      } catch (err) {
        throw new TileError(url, 0, err?.params?.detail ?? String(err?.message ?? err));
      }
      if (res.status !== 204 && !res.ok) {
        // a refused filter answers problem+json: its detail says what to change
        const body = await res.json().catch(() => null);
        throw new TileError(url, res.status, problemText(body) ?? undefined);
      }
      const decoded = res.status === 204 ? {} : decodeTile(await res.arrayBuffer());
      const out = {};
      for (const n of names) {
        out[n] = decoded[n] ?? [];
        if (out[n].length === 0) this.stats.get(n).empty++;
        if (generation === this.filterGeneration) this.remember(n, `${z}/${x}/${y}`, out[n]);
      }
      return out;
    } catch (err) {
      const error = err instanceof TileError ? err : new TileError(url, 0, String(err?.message ?? err));
      // A combined request that fails is retried layer by layer: only those failures count.
      if (countErrors) {
        this.count(names, (s) => {
          s.errors++;
          s.lastError = error;
        });
      }
      throw error;
    } finally {
      this.inFlight--;
      this.count(names, (s) => s.pending--);
    }
  }

  count(names, fn) {
    for (const n of names) {
      fn(this.stats.get(n));
      this.onChange(n);
    }
  }

  remember(name, key, features) {
    const cache = this.cache.get(name);
    cache.delete(key);
    cache.set(key, features); // Map order doubles as least-recently-stored order
    while (cache.size > CACHE_TILES) cache.delete(cache.keys().next().value);
  }
}
