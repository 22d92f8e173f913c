// Offline raster base imagery from the server's imagery folder: a drone-like XYZ folder dropped in
// while the server runs shows up in the layers panel and on the map, from 127.0.0.1 only.
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { after, before } from "node:test";
import { pngDiff, pngStats } from "./browser.mjs";
import { jurisdictionBbox, signedInApi, tilesCovering } from "./api.mjs";
import { browserTest, sel, waitForGlobeRendered, waitForLayers, waitForReady } from "./pageHelpers.mjs";

const NAME = "e2e-ortho";
const MAGENTA = [255, 0, 255];

/** A 256 x 256 PNG of one colour (truecolour, no filter), encoded here so no package is needed. */
function solidPng([r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(256, 0);
  header.writeUInt32BE(256, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + 256 * 3);
  for (let i = 0; i < 256; i++) row.set([r, g, b], 1 + i * 3);
  const raw = Buffer.concat(Array.from({ length: 256 }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

let folder;
let layerNames; // the catalog's vector layers, switched off in the test
before(async () => {
  const root = process.env.GEOTWIN_IMAGERY_DIR;
  assert.ok(root, "set GEOTWIN_IMAGERY_DIR to the server's imagery folder (./geotwin test does: <data dir>/imagery)");
  const api = await signedInApi();
  layerNames = (await api.get("/api/layers")).json.map((l) => l.name);
  const bbox = await jurisdictionBbox(api);
  folder = join(root, NAME);
  const png = solidPng(MAGENTA);
  // Every tile over the jurisdiction from z8 to z17, like a survey cut to its area.
  for (let z = 8; z <= 17; z++)
    for (const { x, y } of tilesCovering(bbox, z)) {
      mkdirSync(join(folder, `${z}`, `${x}`), { recursive: true });
      writeFileSync(join(folder, `${z}`, `${x}`, `${y}.png`), png);
    }
  writeFileSync(join(folder, "metadata.json"), JSON.stringify({ attribution: "E2E survey <b>2026</b>", bounds: bbox }));
});
after(() => folder && rmSync(folder, { recursive: true, force: true }));

browserTest("(i) a raster folder in the imagery folder is a base layer over Natural Earth II, served by GeoTwin", {}, async (s, t) => {
  const { page } = s;
  const tiles = [];
  page.context().on("response", (r) => {
    if (new URL(r.url()).pathname.startsWith(`/imagery/${NAME}/`)) tiles.push([r.status(), r.headers()["content-type"]]);
  });
  // The vector layers off: the test reads the base imagery at the map's centre, where communities and incidents would
  // be drawn over it.
  await page.addInitScript((names) => {
    localStorage.setItem("geotwin.layers", JSON.stringify(Object.fromEntries(names.map((n) => [n, { show: false, alpha: 1 }]))));
  }, layerNames);
  await page.goto("/");
  await waitForReady(s);
  await waitForLayers(page);

  // listed in the panel, shown, on the map
  const row = page.locator(`[data-testid=imagery-row][data-imagery="${NAME}"]`);
  await row.waitFor({ state: "visible" });
  assert.equal(await row.locator("[data-testid=imagery-toggle]").isChecked(), true);
  assert.deepEqual(await page.evaluate(() => window.geotwin.imagery), [{ name: NAME, show: true, errors: 0 }]);

  await waitForGlobeRendered(page);
  // 404 is a tile the survey does not have (the map asks for tiles that merely touch its bounds)
  assert.ok(tiles.some(([status]) => status === 200), `no tile of the base imagery was served: ${JSON.stringify(tiles)}`);
  assert.ok(tiles.every(([status, type]) => (status === 200 && type === "image/png") || status === 404), `imagery tiles: ${JSON.stringify(tiles)}`);
  t.diagnostic(`imagery tiles: ${tiles.filter(([st]) => st === 200).length} served, ${tiles.filter(([st]) => st === 404).length} not in the survey`);
  const centre = { x: 0.4, y: 0.4, w: 0.2, h: 0.2 };
  const mapEl = page.locator(sel.map);
  const shown = await s.screenshot("i-imagery-shown", mapEl);
  const stats = await pngStats(page, shown, centre);
  t.diagnostic(`map centre with the imagery: ${JSON.stringify(stats.meanRgb)}`);
  const [r, g, b] = stats.meanRgb;
  assert.ok(r > g + 60 && b > g + 60, `the magenta survey is not what the map shows: ${JSON.stringify(stats)}`);
  // its attribution is credited as text, not markup
  assert.match(await page.locator("[data-testid=credits]").innerText(), /E2E survey <b>2026<\/b>/);

  // hidden: Natural Earth II is back under the vector layers
  await row.locator("[data-testid=imagery-toggle]").uncheck();
  await page.waitForFunction(() => window.geotwin.imagery[0]?.show === false);
  await waitForGlobeRendered(page);
  const hidden = await s.screenshot("i-imagery-hidden", mapEl);
  const changed = await pngDiff(page, shown, hidden, { crop: centre });
  const after = await pngStats(page, hidden, centre);
  t.diagnostic(`map centre without it: ${JSON.stringify(after.meanRgb)}, ${(changed * 100).toFixed(1)}% of pixels changed`);
  assert.ok(changed > 0.2, `hiding the imagery changed only ${changed} of the map centre`);
  assert.ok(!(after.meanRgb[0] > after.meanRgb[1] + 60 && after.meanRgb[2] > after.meanRgb[1] + 60), `still magenta: ${JSON.stringify(after)}`);
  s.assertOnlyLocalRequests();
});
