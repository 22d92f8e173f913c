// The 3D twin in the real page against GEOTWIN_URL: Cesium loads the houses tileset and the converted
// Production_5 photogrammetry tileset with no tile failing, and a click on a 3D house opens its record.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { before } from "node:test";
import { findFeature, jurisdictionBbox, signedInApi } from "./api.mjs";
import { baseUrl, DEMO_ADMIN } from "./browser.mjs";
import { browserTest, clickMapCentre, flyAndRender, sel, waitForReady } from "./pageHelpers.mjs";

const PRODUCTION_5 = fileURLToPath(new URL("../data/osgb/Production_5/", import.meta.url));
const NAME = "production-5";
let house;
let layerNames; // the vector layers, switched off here: the test is about the 3D tiles, and SwiftShader is slow

// ---- a stored (uncompressed) zip, enough to upload a folder --------------------------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function zipFolder(root) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push({ name: relative(root, path).split("\\").join("/"), data: readFileSync(path) });
    }
  };
  walk(root);
  const parts = [];
  const central = [];
  let offset = 0;
  for (const { name, data } of files) {
    const nameBuf = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBuf.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, nameBuf, data);
    central.push(entry, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const centralBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, centralBuf, end]);
}

/** Production_5 converted by the server's job, unless an earlier run already did. */
async function ensureProduction5(api) {
  if ((await api.get("/api/tilesets")).json.some((t) => t.name === NAME)) return;
  const base = baseUrl();
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(DEMO_ADMIN),
  });
  const cookies = login.headers.getSetCookie().map((c) => c.split(";")[0]);
  const csrf = cookies.find((c) => c.startsWith("geotwin.csrf="))?.split("=")[1] ?? "";
  const form = new FormData();
  form.append("file", new Blob([zipFolder(PRODUCTION_5)]), "production5.zip");
  form.append("name", NAME);
  form.append("title", "Production_5");
  form.append("outsideOk", "true"); // southern China, far from the Monaco demo
  const res = await fetch(`${base}/api/tilesets/osgb`, { method: "POST", body: form, headers: { Cookie: cookies.join("; "), "X-CSRF-Token": csrf } });
  assert.equal(res.status, 202, `OSGB upload: HTTP ${res.status} ${await res.text()}`);
  const location = res.headers.get("location");
  for (let i = 0; i < 240; i++) {
    const job = (await api.get(location)).json;
    if (job.status === "done") return;
    assert.notEqual(job.status, "failed", `conversion failed: ${job.message}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the OSGB conversion job did not finish in 120 s");
}

before(async () => {
  const api = await signedInApi();
  // The demo start queues the houses build as a job: wait until it is published.
  for (let i = 0; i < 120 && !(await api.get("/api/tilesets")).json.some((t) => t.name === "houses"); i++) await new Promise((r) => setTimeout(r, 500));
  await ensureProduction5(api);
  layerNames = (await api.get("/api/layers")).json.map((l) => l.name);
  const h = await findFeature(api, "houses", await jurisdictionBbox(api));
  assert.ok(h, "the demo has no house in its tiles");
  house = (await api.get(`/api/houses/${h.id}`)).json;
});

async function waitForTileset(page, name) {
  try {
    await page.waitForFunction(
      (n) => {
        const s = window.geotwin.twin3d?.state()[n];
        return s && (s.tilesFailed > 0 || s.lastError || (s.ready && s.show && s.allTilesLoaded && s.tilesLoaded > 0));
      },
      name,
      { timeout: 90000, polling: 250 },
    );
  } finally {
    const state = await page.evaluate((n) => window.geotwin.twin3d?.state()[n], name);
    assert.ok(state, `tileset ${name} was never loaded`);
    assert.equal(state.tilesFailed, 0, `${name}: ${state.tilesFailed} tiles failed: ${state.lastError}`);
    assert.equal(state.lastError, null, `${name}: ${state.lastError}`);
  }
}

// A smaller window than the other tests: SwiftShader's cost follows the pixels, and Cesium asks for fewer tiles.
browserTest("the houses and Production_5 tilesets load without a failed tile; a click on a 3D house opens its record", { viewport: { width: 900, height: 640 } }, async (s, t) => {
  const { page } = s;
  const started = Date.now();
  const lap = (what) => t.diagnostic(`${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await page.addInitScript((names) => {
    localStorage.setItem("geotwin.layers", JSON.stringify(Object.fromEntries(names.map((n) => [n, { show: false, alpha: 1 }]))));
  }, layerNames);
  await page.goto("/");
  await waitForReady(s);
  await page.waitForFunction(() => window.geotwin.twin3d?.list().some((x) => x.name === "houses"), null, { timeout: 60000 });
  assert.ok(await page.locator("[data-testid=twin3d-show-houses]").isChecked());

  // Straight above a point inside the house: its roof is under the middle of the map.
  lap("ready");
  await flyAndRender(page, house.lon, house.lat, 300);
  await waitForTileset(page, "houses");
  lap("houses loaded");
  await s.screenshot("twin3d-houses");
  await clickMapCentre(page);
  await page
    .waitForFunction(
      (id) => {
        const el = document.querySelector("[data-testid=record-panel]");
        return el && !el.hidden && el.dataset.kind === "house" && el.dataset.key === id && el.dataset.state === "ready";
      },
      String(house.id),
      { timeout: 30000 },
    )
    .catch(async (err) => {
      // Say what the click found instead: the pick and the panel's state.
      const seen = await page.evaluate(() => {
        const el = document.querySelector("[data-testid=record-panel]");
        return { pick: window.geotwin.lastPick, panel: el && { hidden: el.hidden, ...el.dataset } };
      });
      throw new Error(`house ${house.id} did not open from a click on its roof: ${JSON.stringify(seen)}`, { cause: err });
    });
  const pick = await page.evaluate(() => window.geotwin.lastPick);
  t.diagnostic(`picked ${JSON.stringify(pick)}`);
  assert.equal(pick.layer, "houses-3d", "the click was not taken by the 3D house");
  lap("record open");

  // Colour by floating share: the tileset carries no counts, so the viewer fetches them through the scoped API
  // (/api/houses/counts) for the houses of its loaded tiles; the picked house's share is the API's.
  await page.selectOption("[data-testid=twin3d-colour]", "floating");
  assert.equal(await page.evaluate(() => localStorage.getItem("geotwin.twin3d.colour")), "floating");
  await page.waitForFunction((id) => window.geotwin.twin3d.floatingShare(id) !== undefined, String(house.id), { timeout: 30000 });
  const expectedShare = house.residentsTotal > 0 ? Math.round((house.residentsFloating / house.residentsTotal) * 1e4) / 1e4 : null;
  assert.equal(await page.evaluate((id) => window.geotwin.twin3d.floatingShare(id), String(house.id)), expectedShare);
  const counts = await page.evaluate(() => window.geotwin.twin3d.countsState());
  assert.equal(counts.failed, 0, `counts requests failed: ${counts.lastError}`);

  // The photogrammetry set: listed, flown to, every tile in view loaded (the record panel closed first: on
  // this window it covers the layers panel).
  await page.locator("[data-testid=record-close]").click();
  await page.locator(`[data-testid=twin3d-fly-${NAME}]`).click();
  await waitForTileset(page, NAME);
  lap("Production_5 loaded");
  await s.screenshot("twin3d-production5");
  assert.ok(await page.locator(`[data-testid=twin3d-show-${NAME}]`).isChecked());
});
