// The GeoTwin API from node, signed in as the demo admin: what the browser tests use to find real
// things to click and search for (never exact counts: the demo data may grow), and the tile test.
import assert from "node:assert/strict";
import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader } from "pbf";
import { baseUrl, DEMO_ADMIN } from "./browser.mjs";

/** Sign in and return { get(path), post(path, body) -> { status, json, buffer, headers }, url }; post sends the CSRF header. */
export async function signedInApi(account = DEMO_ADMIN) {
  const base = baseUrl();
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(account),
  });
  assert.equal(login.status, 200, `sign-in as ${account.username} failed: HTTP ${login.status}`);
  // The session cookie (and the CSRF cookie, unused by GETs) from Set-Cookie.
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const csrf = decodeURIComponent(cookie.match(/(?:^|; )geotwin\.csrf=([^;]*)/)?.[1] ?? "");
  async function get(path, init = {}) {
    const res = await fetch(`${base}${path}`, { ...init, headers: { Cookie: cookie, ...(init.headers ?? {}) } });
    const buffer = Buffer.from(await res.arrayBuffer());
    let json = null;
    if ((res.headers.get("content-type") ?? "").includes("json") && buffer.length > 0) json = JSON.parse(buffer.toString("utf8"));
    return { status: res.status, json, buffer, headers: res.headers };
  }
  const post = (path, body) =>
    get(path, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) });
  return { get, post, url: base };
}

/** Web Mercator tile (x, y) of lon/lat at zoom z, written out here rather than taken from the client. */
export function tileOf(lon, lat, z) {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return {
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n),
  };
}

/** Every tile at zoom z that covers bbox [w, s, e, n]. */
export function tilesCovering([w, s, e, n], z) {
  const a = tileOf(w, n, z);
  const b = tileOf(e, s, z);
  const out = [];
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) out.push({ z, x, y });
  return out;
}

/** The signed-in user's jurisdiction bbox from /api/info. */
export async function jurisdictionBbox(api) {
  const { status, json } = await api.get("/api/info");
  assert.equal(status, 200, "/api/info");
  const bbox = json?.jurisdiction?.bbox;
  assert.ok(Array.isArray(bbox) && bbox.length === 4, `no jurisdiction bbox in /api/info: ${JSON.stringify(json)}`);
  return bbox;
}

/** An .mvt body decoded with @mapbox/vector-tile, the decoder the viewer uses. */
export const decodeTile = (buffer) => new VectorTile(new PbfReader(buffer));

/**
 * Every feature of layer over bbox at zoom z, each once: from the tile whose interior holds its first point, not
 * again from a neighbour's buffer. Each tile must answer 200 or 204. [{ feature, tile: { z, x, y }, lon, lat }]
 */
export async function featuresOnce(api, layer, bbox, z) {
  const found = [];
  for (const { x, y } of tilesCovering(bbox, z)) {
    const res = await api.get(`/tiles/${layer}/${z}/${x}/${y}.mvt`);
    assert.ok([200, 204].includes(res.status), `${layer} ${z}/${x}/${y}: HTTP ${res.status}`);
    const l = res.status === 200 ? decodeTile(res.buffer).layers[layer] : undefined;
    for (let i = 0; i < (l?.length ?? 0); i++) {
      const feature = l.feature(i);
      const [[p]] = feature.loadGeometry();
      if (p.x < 0 || p.y < 0 || p.x >= l.extent || p.y >= l.extent) continue;
      const n = 2 ** z;
      const lon = ((x + p.x / l.extent) / n) * 360 - 180;
      const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * (y + p.y / l.extent)) / n))) * 180) / Math.PI;
      found.push({ feature, tile: { z, x, y }, lon, lat });
    }
  }
  return found;
}

/** The features of layer in the first non-empty tile over bbox at zoom z: [{ id, properties }]. */
export async function findFeatures(api, layer, bbox, z = 16) {
  for (const { x, y } of tilesCovering(bbox, z)) {
    const res = await api.get(`/tiles/${layer}/${z}/${x}/${y}.mvt`);
    if (res.status !== 200) continue;
    const l = decodeTile(res.buffer).layers[layer];
    if (l?.length > 0) {
      return Array.from({ length: l.length }, (_, i) => l.feature(i)).map((f) => ({ id: f.id, properties: f.properties }));
    }
  }
  return [];
}

/** The first feature of layer in the tiles over bbox at zoom z: { id, properties } (or null). */
export async function findFeature(api, layer, bbox, z = 16) {
  return (await findFeatures(api, layer, bbox, z))[0] ?? null;
}
