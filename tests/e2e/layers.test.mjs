// The layers panel and the vector layers on the map, in the real page against GEOTWIN_URL.
import assert from "node:assert/strict";
import { before } from "node:test";
import { pngDiff } from "./browser.mjs";
import { findFeature, jurisdictionBbox, signedInApi } from "./api.mjs";
import {
  browserTest,
  flyAndRender,
  layerState,
  screenState,
  sel,
  waitForGlobeRendered,
  waitForLayers,
  waitForReady,
} from "./pageHelpers.mjs";

let catalog;
let house; // { id, lon, lat } of a real house, to look at
before(async () => {
  const api = await signedInApi();
  catalog = (await api.get("/api/layers")).json;
  const bbox = await jurisdictionBbox(api);
  const feature = await findFeature(api, "houses", bbox);
  assert.ok(feature, "the demo has no house in its tiles");
  const record = (await api.get(`/api/houses/${feature.id}`)).json;
  house = { id: feature.id, lon: record.lon, lat: record.lat };
});

const rowOf = (page, name) => page.locator(`[data-testid=layer-row][data-layer="${name}"]`);

browserTest("(g) the layers panel lists the catalog; hiding a layer takes it off the map, showing brings it back", {}, async (s, t) => {
  const { page } = s;
  await page.goto("/");
  await waitForReady(s);
  await waitForLayers(page);

  // one row per catalog layer, titled in Chinese, then in English
  const panel = page.locator("[data-testid=layers-panel]");
  assert.equal(await panel.isVisible(), true, "layers panel hidden");
  const names = await page.locator("[data-testid=layer-row]").evaluateAll((rows) => rows.map((r) => r.dataset.layer));
  assert.deepEqual([...names].sort(), catalog.map((l) => l.name).sort(), "panel rows differ from /api/layers");
  const titleOf = (name) => rowOf(page, name).locator(".layer-name").innerText();
  assert.equal(await titleOf("houses"), catalog.find((l) => l.name === "houses").title.zh);
  await page.locator(sel.lang).click();
  assert.equal(await titleOf("houses"), catalog.find((l) => l.name === "houses").title.en);
  await page.locator(sel.lang).click();

  // close over a house, where houses are drawn
  await flyAndRender(page, house.lon, house.lat, 400);
  let state = await layerState(page);
  t.diagnostic(`layers shown: ${JSON.stringify(Object.values(state).map((l) => [l.name, l.drawnFeatures, l.errors]))}`);
  assert.ok(state.houses.show && state.houses.drawnFeatures > 0, `no house drawn: ${JSON.stringify(state.houses)}`);
  assert.equal(state.houses.errors, 0, `house tiles failed: ${state.houses.lastError}`);
  const mapEl = page.locator(sel.map);
  const shown = await s.screenshot("g-layers-houses-shown", mapEl);

  // hide houses: the next drawing has no house in it, other layers stay, the picture changes
  let generation = await page.evaluate(() => window.geotwin.layers.generation);
  await rowOf(page, "houses").locator("[data-testid=layer-toggle]").uncheck();
  await waitForLayers(page, { generationAbove: generation });
  await flyAndRender(page, house.lon, house.lat, 400);
  state = await layerState(page);
  assert.equal(state.houses.show, false);
  assert.equal(state.houses.drawnFeatures, 0, "hidden houses were still drawn");
  const others = Object.values(state).filter((l) => l.name !== "houses" && l.drawnFeatures > 0);
  assert.ok(others.length > 0, "hiding houses took every other layer off the map too");
  const hidden = await s.screenshot("g-layers-houses-hidden", mapEl);
  const centre = { x: 0.35, y: 0.3, w: 0.3, h: 0.4 };
  const changed = await pngDiff(page, shown, hidden, { crop: centre });
  t.diagnostic(`pixels changed in the middle of the map by hiding houses: ${(changed * 100).toFixed(2)}%`);
  assert.ok(changed > 0.002, `hiding houses changed almost nothing on screen (${changed})`);

  // show houses again: drawn again, and the picture comes back
  generation = await page.evaluate(() => window.geotwin.layers.generation);
  await rowOf(page, "houses").locator("[data-testid=layer-toggle]").check();
  await waitForLayers(page, { generationAbove: generation });
  await waitForGlobeRendered(page);
  state = await layerState(page);
  assert.ok(state.houses.drawnFeatures > 0, "houses did not come back");
  const back = await s.screenshot("g-layers-houses-back", mapEl);
  assert.ok((await pngDiff(page, shown, back, { crop: centre })) < changed, "showing houses again did not restore them");

  // opacity: the slider sets the layer's alpha (and redraws)
  await rowOf(page, "roads").locator("[data-testid=layer-opacity]").fill("40");
  await page.waitForFunction(() => window.geotwin.layerState().find((l) => l.name === "roads")?.alpha === 0.4);
  assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
  s.assertOnlyLocalRequests();
});

browserTest("(h) a failing layer is said on screen and the other layers still draw", {}, async (s) => {
  const { page } = s;
  // Simulated in the browser: every tile request that includes houses fails with HTTP 500.
  await page.route(/\/tiles\/[^/]*houses[^/]*\/\d+\/\d+\/\d+\.mvt/, (route) =>
    route.fulfill({ status: 500, contentType: "application/problem+json", body: '{"title":"boom"}' }),
  );
  await page.goto("/");
  await waitForReady(s);
  await waitForLayers(page);
  await flyAndRender(page, house.lon, house.lat, 400);

  const row = rowOf(page, "houses");
  await page.waitForFunction((q) => document.querySelector(q)?.dataset.state === "error", '[data-testid=layer-row][data-layer="houses"]');
  assert.match(await row.innerText(), /个瓦片失败/);
  const banner = page.locator(sel.banner);
  await banner.waitFor({ state: "visible" });
  const title = catalog.find((l) => l.name === "houses").title.zh;
  // the status and what the answer's problem body said
  assert.match(await banner.innerText(), new RegExp(`图层“${title}”有 \\d+ 个瓦片加载失败（HTTP 500: boom）`), JSON.stringify(await screenState(page)));

  const state = await layerState(page);
  assert.ok(state.houses.errors > 0 && state.houses.drawnFeatures === 0, JSON.stringify(state.houses));
  const drawing = Object.values(state).filter((l) => l.name !== "houses" && l.drawnFeatures > 0);
  assert.ok(drawing.length > 0, `one failing layer blanked the others: ${JSON.stringify(state)}`);
  await s.screenshot("h-failing-layer");

  await page.locator(sel.lang).click();
  assert.match(await banner.innerText(), /tiles failed to load \(HTTP 500: boom\)/);
  s.assertOnlyLocalRequests();
});

browserTest("(j) the incident filter sends the server's category and date filters and refuses a reversed range", {}, async (s) => {
  const { page } = s;
  await page.goto("/");
  await waitForReady(s);
  await waitForLayers(page);
  const form = page.locator("[data-testid=incident-filter]");
  assert.equal(await form.isVisible(), true, "no incident filter in the layers panel");

  // a category: the map redraws, asking for incident tiles with that filter, and they are answered
  const filtered = page.waitForResponse((r) => r.url().includes("/tiles/") && r.url().includes("category=robbery"), { timeout: 150000 });
  await form.locator("[data-testid=incident-category]").selectOption("robbery");
  const response = await filtered;
  assert.ok([200, 204].includes(response.status()), `filtered tile: HTTP ${response.status()}`);
  // by default only the last 24 hours are asked for (from the top of the hour 24 h back)
  assert.match(await page.evaluate(() => window.geotwin.layers.filter()), /^category=robbery&from=\d{4}-\d\d-\d\dT\d\d%3A00%3A00Z$/);

  // a range of dates (the window "Dates…"): "to" is inclusive, so the server gets the next midnight
  await form.locator("[data-testid=incident-window]").selectOption("range");
  await form.locator("[data-testid=incident-from]").fill("2025-01-01");
  await form.locator("[data-testid=incident-to]").fill("2025-12-31");
  await page.waitForFunction(() => window.geotwin.layers.filter() === "category=robbery&from=2025-01-01&to=2026-01-01");

  // reversed: said on the form, not sent
  await form.locator("[data-testid=incident-from]").fill("2026-02-01");
  await page.waitForFunction(() => document.querySelector("[data-testid=incident-filter]").dataset.state === "invalid");
  assert.match(await form.locator("[data-testid=incident-filter-problem]").innerText(), /起始日期晚于截止日期/);
  assert.equal(await page.evaluate(() => window.geotwin.layers.filter()), "category=robbery&from=2025-01-01&to=2026-01-01");
  const incidents = (await layerState(page)).incidents;
  assert.equal(incidents.errors, 0, `incident tiles failed: ${incidents.lastError}`);
  s.assertOnlyLocalRequests();
});
