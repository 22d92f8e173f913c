// GeoTwin's real vector tiles decoded in node with @mapbox/vector-tile (the decoder the viewer
// uses): layer names, feature ids and attributes match the catalog, the ids open their records,
// and no personal attribute ever appears. No browser here: fast.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { decodeTile as decode, featuresOnce, jurisdictionBbox, signedInApi, tilesCovering } from "./api.mjs";

// Column names of the personal tables (people_identity, organization_contacts, incident_callers)
// and other words for the same things: none may be a tile attribute.
const PERSONAL = ["full_name", "fullname", "id_number", "idnumber", "phone", "caller_phone", "caller_name",
  "hukou_address", "nationality", "responsible_person", "person", "people", "birth", "contact"];

let api;
let catalog;
let bbox;
before(async () => {
  api = await signedInApi();
  const res = await api.get("/api/layers");
  assert.equal(res.status, 200, "/api/layers");
  catalog = res.json;
  bbox = await jurisdictionBbox(api);
});

const byName = () => new Map(catalog.map((l) => [l.name, l]));
const minzoomOf = (l) => l.minzoom;

test("the catalog lists the nine layers with titles, geometry, zoom range, style and a tile URL", () => {
  const names = catalog.map((l) => l.name).sort();
  for (const n of ["addresses", "cameras", "communities", "houses", "incidents", "jurisdictions", "organizations", "roads", "stations"]) {
    assert.ok(names.includes(n), `layer ${n} missing from /api/layers: ${names.join(", ")}`);
  }
  for (const l of catalog) {
    assert.ok(l.title?.zh && l.title?.en, `${l.name}: title needs zh and en`);
    assert.ok(["polygon", "line", "point"].includes(l.geometry), `${l.name}: geometry ${l.geometry}`);
    assert.ok(Number.isInteger(minzoomOf(l)), `${l.name}: no minzoom`);
    assert.ok(Number.isInteger(l.maxzoom) && !("minZoom" in l), `${l.name}: zoom range not spelled minzoom/maxzoom`);
    assert.ok(Array.isArray(l.attributes) && l.attributes.includes("id"), `${l.name}: attributes must include id`);
    assert.match(l.style?.stroke ?? "", /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/, `${l.name}: stroke colour`);
    assert.equal(l.tiles, `/tiles/${l.name}/{z}/{x}/{y}.mvt`);
    for (const a of l.attributes) assert.ok(!PERSONAL.includes(a.toLowerCase()), `${l.name} offers personal attribute ${a}`);
  }
});

test("every tile over the jurisdiction decodes: known layers, catalog attributes, ids that open records", async (t) => {
  const layers = byName();
  const names = catalog.map((l) => l.name);
  const z = 16; // at or above every layer's minzoom in the demo, and few enough tiles
  const tiles = tilesCovering(bbox, z);
  assert.ok(tiles.length > 0 && tiles.length < 400, `${tiles.length} tiles at z${z}`);
  const seen = new Map(); // layer -> features seen
  const samples = new Map(); // layer -> first feature
  let empty = 0;
  for (const { x, y } of tiles) {
    const res = await api.get(`/tiles/${names.join(",")}/${z}/${x}/${y}.mvt`);
    if (res.status === 204) {
      empty++;
      assert.equal(res.buffer.length, 0, "a 204 tile has no body");
      continue;
    }
    assert.equal(res.status, 200, `tile ${z}/${x}/${y}: HTTP ${res.status}`);
    assert.match(res.headers.get("content-type") ?? "", /vnd\.mapbox-vector-tile/);
    const tile = decode(res.buffer);
    for (const [name, layer] of Object.entries(tile.layers)) {
      const def = layers.get(name);
      assert.ok(def, `tile ${z}/${x}/${y} holds a layer the catalog does not list: ${name}`);
      assert.equal(layer.extent, 4096, `${name}: extent`);
      for (let i = 0; i < layer.length; i++) {
        const f = layer.feature(i);
        const keys = Object.keys(f.properties);
        for (const k of keys) {
          assert.ok(def.attributes.includes(k), `${name} feature has attribute ${k}, not in the catalog's ${def.attributes}`);
          assert.ok(!PERSONAL.includes(k.toLowerCase()), `${name} feature carries personal attribute ${k}`);
        }
        const type = { 1: "point", 2: "line", 3: "polygon" }[f.type];
        assert.equal(type, def.geometry, `${name} feature ${f.id} is a ${type}`);
        assert.ok(f.id !== undefined, `${name}: feature without an id`);
        if (name === "cameras") {
          assert.match(String(f.properties.id), /^\d{20}$/, "camera id attribute is the 20-digit GB/T 28181 id");
        } else {
          assert.equal(f.properties.id, f.id, `${name}: attribute id equals the feature id (the record id)`);
        }
        seen.set(name, (seen.get(name) ?? 0) + 1);
        if (!samples.has(name)) samples.set(name, { properties: f.properties, id: f.id });
      }
    }
  }
  t.diagnostic(`${tiles.length} tiles at z${z}, ${empty} empty; features: ${JSON.stringify(Object.fromEntries(seen))}`);
  for (const n of ["houses", "addresses", "roads"]) assert.ok(seen.get(n) > 0, `no ${n} in any tile over the jurisdiction`);

  // The keys in the tiles open the records the viewer shows.
  const house = samples.get("houses");
  const houseRecord = await api.get(`/api/houses/${house.id}`);
  assert.equal(houseRecord.status, 200, `house ${house.id} from the tile has no record`);
  assert.equal(houseRecord.json.code, house.properties.code);
  const address = samples.get("addresses");
  const addressRecord = await api.get(`/api/addresses/${encodeURIComponent(address.properties.code)}`);
  assert.equal(addressRecord.status, 200, `address ${address.properties.code} from the tile has no record`);
  if (samples.has("cameras")) {
    const camera = await api.get(`/api/cameras/${samples.get("cameras").properties.id}`);
    assert.equal(camera.status, 200, "camera from the tile has no record");
  }
  if (samples.has("incidents")) {
    const incident = await api.get(`/api/incidents/${encodeURIComponent(samples.get("incidents").properties.code)}`);
    assert.equal(incident.status, 200, "incident from the tile has no record");
  }
});

test("below z14 incidents come as clusters that count every incident once", async (t) => {
  async function incidentsAt(z) {
    const found = { incidents: 0, features: 0, clusters: 0 };
    for (const { feature: f } of await featuresOnce(api, "incidents", bbox, z)) {
      assert.ok(Number.isInteger(f.properties.count) && f.properties.count >= 1, `incident feature ${f.id}: count ${f.properties.count}`);
      if (f.properties.count > 1) {
        found.clusters++;
        assert.equal(f.properties.code, undefined, "a cluster names no one incident");
      } else {
        assert.ok(f.properties.code, "a lone incident keeps its code, to open its record");
      }
      found.incidents += f.properties.count;
      found.features++;
    }
    return found;
  }
  const low = await incidentsAt(12);
  const high = await incidentsAt(14);
  t.diagnostic(`z12: ${JSON.stringify(low)}; z14: ${JSON.stringify(high)}`);
  assert.ok(high.incidents > 100, `the demo has incidents at z14: ${high.incidents}`);
  assert.equal(high.clusters, 0, "from z14 each incident is its own point");
  assert.equal(low.incidents, high.incidents, "the clusters at z12 count every incident drawn at z14, once");
  assert.ok(low.features < high.features / 4, `z12 draws far fewer points (${low.features}) than incidents (${high.features})`);
});

test("tile answers: 204 where nothing is, 400 out of range, 404 unknown layer, TileJSON 3.0", async () => {
  // Null Island at z16 has no GeoTwin data.
  assert.equal((await api.get("/tiles/houses/16/32768/32768.mvt")).status, 204);
  assert.equal((await api.get("/tiles/houses/16/65536/0.mvt")).status, 400);
  assert.equal((await api.get("/tiles/houses/31/0/0.mvt")).status, 400);
  assert.equal((await api.get("/tiles/no_such_layer/1/0/0.mvt")).status, 404);
  const tj = await api.get("/tiles/houses.json");
  assert.equal(tj.status, 200);
  assert.equal(tj.json.tilejson, "3.0.0");
  assert.ok(tj.json.tiles?.[0]?.endsWith("/tiles/houses/{z}/{x}/{y}.mvt"), JSON.stringify(tj.json.tiles));
  assert.equal(tj.json.vector_layers?.[0]?.id, "houses");
});
