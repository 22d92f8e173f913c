// Picking and search in the real page against GEOTWIN_URL: a click on a house opens its record
// (people only on request, audited); search flies to an address and opens it.
import assert from "node:assert/strict";
import { before } from "node:test";
import { decodeTile, featuresOnce, findFeature, findFeatures, jurisdictionBbox, signedInApi } from "./api.mjs";
import { browserTest, clickMapCentre, flyAndRender, sel, waitForGlobeRendered, waitForLayers, waitForReady } from "./pageHelpers.mjs";

const panel = "[data-testid=record-panel]";
let api;
let aboveHouses; // names of the point and line layers (addresses, cameras, roads, ...), drawn above houses
let house; // the house record (GET /api/houses/{id}) of a house found in the tiles
let address; // the record (GET /api/addresses/{code}) of an address found in the tiles, with its houses
let allLayers; // every layer name of the catalog
let bbox;
before(async () => {
  api = await signedInApi();
  const catalog = (await api.get("/api/layers")).json;
  aboveHouses = catalog.filter((l) => l.geometry !== "polygon").map((l) => l.name);
  allLayers = catalog.map((l) => l.name);
  bbox = await jurisdictionBbox(api);
  const h = await findFeature(api, "houses", bbox);
  assert.ok(h, "the demo has no house in its tiles");
  house = (await api.get(`/api/houses/${h.id}`)).json;
  // An address with a house at it, if the first tile with addresses has one.
  const found = await findFeatures(api, "addresses", bbox);
  assert.ok(found.length > 0, "the demo has no address in its tiles");
  const records = [];
  for (const a of found.slice(0, 20)) {
    records.push((await api.get(`/api/addresses/${encodeURIComponent(a.properties.code)}`)).json);
    if (records.at(-1).houses?.length > 0) break;
  }
  const withHouse = records.find((r) => r.houses?.length > 0) ?? records[0];
  address = { ...withHouse.address, houses: withHouse.houses ?? [] };
});

/** Wait for the record panel to show kind/key loaded; returns its text. */
async function waitForRecord(page, kind, key) {
  try {
    await page.waitForFunction(
      ([q, kind, key]) => {
        const el = document.querySelector(q);
        return el && !el.hidden && el.dataset.kind === kind && el.dataset.key === key && el.dataset.state === "ready";
      },
      [panel, kind, String(key)],
      { timeout: 30000 },
    );
  } catch (err) {
    const state = await page.evaluate((q) => ({ ...document.querySelector(q)?.dataset, text: document.querySelector(q)?.innerText, pick: window.geotwin.lastPick }), panel);
    throw new Error(`record ${kind} ${key} did not open: ${JSON.stringify(state)}`, { cause: err });
  }
  return page.locator(panel).innerText();
}

/** Newest audit row id for reads of this house's people (0 if none). */
async function lastPeopleAudit(id) {
  const { json } = await api.get("/api/audit?user=admin&limit=100");
  return Math.max(0, ...json.filter((r) => String(r.endpoint ?? "").includes(`/houses/${id}/people`)).map((r) => r.id));
}

browserTest("(i) a click on a house opens its record with resident counts; people on request, audited", {}, async (s, t) => {
  const { page } = s;
  // A house's address point often lies inside it (and a road may pass within a few pixels), and a
  // click there rightly picks the point or road (drawn above houses). Start with the point and
  // line layers switched off (the panel's saved choice) so the click reaches the house.
  await page.addInitScript((names) => {
    localStorage.setItem("geotwin.layers", JSON.stringify(Object.fromEntries(names.map((n) => [n, { show: false, alpha: 1 }]))));
  }, aboveHouses);
  await page.goto("/");
  await waitForReady(s);
  await waitForLayers(page);
  // Straight above the house (a point inside its footprint): it is under the middle of the map.
  await flyAndRender(page, house.lon, house.lat, 300);
  await s.screenshot("i-before-click");
  await clickMapCentre(page);

  const text = await waitForRecord(page, "house", house.id);
  const pick = await page.evaluate(() => window.geotwin.lastPick);
  t.diagnostic(`picked ${JSON.stringify(pick)}`);
  assert.equal(pick.layer, "houses");
  assert.ok(await page.evaluate(() => Boolean(window.geotwin.viewer.entities.getById("picked-feature"))), "the picked house is not outlined");
  assert.match(text, /实有房屋/);
  if (house.addressText) assert.equal(await page.locator("[data-testid=record-title]").innerText(), house.addressText);
  const counts = await page.locator("[data-testid=record-residents]").innerText();
  assert.match(counts, new RegExp(`${house.residentsTotal}\\s+实有人口`), counts);
  assert.match(counts, new RegExp(`${house.residentsFloating}\\s+流动人口`), counts);
  assert.match(text, new RegExp(house.code));

  // People: the admin may read them; the read is announced as audited and really is audited.
  const people = page.locator("[data-testid=record-people]");
  assert.match(await people.innerText(), /写入审计日志/);
  const auditBefore = await lastPeopleAudit(house.id);
  await page.locator("[data-testid=record-people-button]").click();
  await page.waitForFunction(
    (q) => /\S/.test(document.querySelector(q)?.querySelector(".people-list, p:not(.note)")?.textContent ?? "") &&
      !document.querySelector(q).querySelector(".record-loading"),
    "[data-testid=record-people]",
  );
  const expected = (await api.get(`/api/houses/${house.id}/people`)).json;
  const listed = await people.locator(".people-list li").count();
  assert.equal(listed, expected.length, `people listed ${listed}, API has ${expected.length}`);
  if (expected.length > 0) {
    assert.match(await people.innerText(), new RegExp(expected[0].fullName));
    assert.ok((await lastPeopleAudit(house.id)) > auditBefore, "listing the people wrote no audit row");
  } else {
    // (The server logs only reads that showed someone; an empty house leaves no audit row.)
    assert.match(await people.innerText(), /没有登记的住户/);
  }
  t.diagnostic(`people listed: ${expected.length}`);
  await s.screenshot("i-house-record");

  await page.locator("[data-testid=record-close]").click();
  assert.equal(await page.locator(panel).isVisible(), false);
  assert.equal(await page.evaluate(() => window.geotwin.viewer.entities.getById("picked-feature")), undefined, "outline stays after close");
  assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
  s.assertOnlyLocalRequests();
});

/** The incident cluster with the largest count at zoom z over the jurisdiction: { id, count, lon, lat }. */
async function biggestCluster(z) {
  const clusters = (await featuresOnce(api, "incidents", bbox, z)).filter(({ feature }) => feature.properties.count > 1);
  const best = clusters.sort((a, b) => b.feature.properties.count - a.feature.properties.count)[0];
  return best && { id: best.feature.id, count: best.feature.properties.count, lon: best.lon, lat: best.lat };
}

browserTest("(k) below z14 a click on an incident cluster says how many incidents are there, not one record", {}, async (s, t) => {
  const { page } = s;
  const cluster = await biggestCluster(13);
  assert.ok(cluster, "the demo has no incident cluster at z13");
  t.diagnostic(`cluster ${JSON.stringify(cluster)}`);
  await page.addInitScript((names) => {
    localStorage.setItem("geotwin.layers", JSON.stringify(Object.fromEntries(names.map((n) => [n, { show: false, alpha: 1 }]))));
  }, allLayers.filter((n) => n !== "incidents"));
  await page.goto("/");
  await waitForReady(s);
  await waitForLayers(page);
  // The 3D houses stand above the ground and would take the click: switch them off once they are listed.
  const box = "[data-testid=twin3d-show-houses]";
  await page.waitForSelector(box, { state: "attached", timeout: 120000 });
  await page.evaluate((q) => {
    const el = document.querySelector(q);
    if (el.checked) {
      el.checked = false;
      el.dispatchEvent(new Event("change"));
    }
  }, box);
  // The map asks for the last 24 hours by default; the cluster was found over all incidents, so show them all.
  await page.evaluate(() => {
    const win = document.querySelector("[data-testid=incident-window]");
    win.value = "all";
    win.dispatchEvent(new Event("change"));
  });
  await page.waitForFunction(() => window.geotwin.layers.filter() === "");
  // A live unit's icon wins any click (it is drawn above everything): at z13 one may stand on the cluster. Show only
  // a status no unit has (the live panel's filter hides the others' icons).
  await page.evaluate(() => {
    const f = document.querySelector("[data-testid=live-filter]");
    const used = new Set(window.geotwin.live.units().map((u) => u.status));
    f.value = [...f.options].map((o) => o.value).find((v) => v && !used.has(v));
    f.dispatchEvent(new Event("change"));
  });
  await page.waitForFunction(() => window.geotwin.live.units().every((u) => !u.drawn?.show));
  // Straight above the cluster, at the height where the map shows z13 (found from the zoom the first click reports).
  let height = 20000;
  let pick = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    await flyAndRender(page, cluster.lon, cluster.lat, height);
    await page.evaluate(() => (window.geotwin.lastPick = null));
    await clickMapCentre(page);
    await page.waitForFunction(() => window.geotwin.lastPick !== null, null, { timeout: 30000 });
    pick = await page.evaluate(() => window.geotwin.lastPick);
    t.diagnostic(`height ${Math.round(height)} m: picked ${JSON.stringify({ ...pick, target: undefined })}`);
    if (Math.round(pick.zoom) === 13) break;
    height *= 2 ** (pick.zoom - 13);
  }
  assert.equal(Math.round(pick.zoom), 13, `the map did not settle at z13: ${pick.zoom}`);
  assert.equal(pick.layer, "incidents");
  // The disc on top under the click: this cluster, or a neighbour's larger disc drawn over its middle.
  const { count } = pick.target.attributes;
  assert.ok(count > 1, `picked a single incident, not a cluster: ${JSON.stringify(pick.target)}`);
  assert.equal(pick.target.kind, "feature", "a cluster opens no one incident's record");
  const text = await waitForRecord(page, "feature", pick.id);
  assert.match(text, new RegExp(`此处 ${count} 起警情`));
  // the same cluster, with the same count, is in the server's tile at that zoom
  const served = await api.get(`/tiles/incidents/${pick.tile.z}/${pick.tile.x}/${pick.tile.y}.mvt`);
  const layer = decodeTile(served.buffer).layers.incidents;
  const same = Array.from({ length: layer.length }, (_, i) => layer.feature(i)).find((f) => f.id === pick.id);
  assert.equal(same?.properties.count, count, `cluster ${pick.id} in tile ${JSON.stringify(pick.tile)}`);
  await s.screenshot("k-incident-cluster");
  assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
  s.assertOnlyLocalRequests();
});

// As the analyst: a staff role that may not read personal data.
const ANALYST = { username: "analyst", password: "demo-analyst" };

browserTest("(j) tablet, analyst: search finds an address, flies there and opens it; its house shows no people", { viewport: { width: 768, height: 1024 }, account: ANALYST }, async (s, t) => {
  const { page } = s;
  await page.goto("/");
  await waitForReady(s);
  await waitForLayers(page);
  const input = page.locator("[data-testid=search-input]");
  assert.equal(await input.isVisible(), true, "no search box at 768 px");
  assert.equal(await input.getAttribute("placeholder"), "搜索地址、编码、摄像头、呼号");

  await input.fill(address.fullText);
  const result = page.locator(`[data-testid=search-result][data-kind=address][data-key="${address.code}"]`);
  await result.waitFor({ state: "visible", timeout: 15000 });
  assert.match(await result.innerText(), /地址/);
  await s.screenshot("j-search-suggestions");
  await result.click();

  const text = await waitForRecord(page, "address", address.code);
  assert.equal(await page.locator("[data-testid=record-title]").innerText(), address.fullText);
  assert.match(text, /标准地址/);
  assert.match(text, new RegExp(address.code));

  await page.waitForFunction(() => window.geotwin.view !== "flying", null, { timeout: 30000 });
  await waitForGlobeRendered(page);
  const camera = await page.evaluate(() => {
    const c = window.geotwin.viewer.camera.positionCartographic;
    return { lon: (c.longitude * 180) / Math.PI, lat: (c.latitude * 180) / Math.PI, height: c.height, view: window.geotwin.view };
  });
  t.diagnostic(`camera after the search: ${JSON.stringify(camera)}`);
  assert.equal(camera.view, "point");
  assert.ok(Math.abs(camera.lon - address.lon) < 0.0005 && Math.abs(camera.lat - address.lat) < 0.0005,
    `camera ended at ${camera.lon}, ${camera.lat}, not over ${address.lon}, ${address.lat}`);
  assert.ok(camera.height < 2000, `camera is ${camera.height} m up`);

  // The record sheet fits the tablet screen, and the page does not scroll sideways.
  const box = await page.locator(panel).boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 768 && box.y + box.height <= 1024, `record panel off screen: ${JSON.stringify(box)}`);
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 768, "page scrolls sideways");
  await s.screenshot("j-search-address-768");

  // A house at the address opens from the list; the analyst is told people are not for this role,
  // gets no button for them, and the page never asks for them.
  if (address.houses.length > 0) {
    await page.locator("[data-testid=record-house-link]").first().click();
    const houseText = await waitForRecord(page, "house", address.houses[0].id);
    assert.match(houseText, /你的角色无权查看人员信息/);
    assert.equal(await page.locator("[data-testid=record-people-button]").count(), 0, "people button offered to the analyst");
    await s.screenshot("j-analyst-house-768");
  } else {
    t.diagnostic("no address with a house in the first tile: the analyst's house view is not checked");
  }
  assert.ok(!s.requests.some((u) => /\/people(\?|$)/.test(new URL(u).pathname)), "the analyst's page asked for people");

  await page.locator(sel.lang).click();
  assert.equal(await input.getAttribute("placeholder"), "Search address, code, camera, call sign");
  assert.match(await page.locator(panel).innerText(), /House|Standard address/);
  s.assertOnlyLocalRequests();
});
