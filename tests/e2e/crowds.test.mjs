// Crowd counts through the real page (issue #21): the demo's beaches and squares are drawn coloured by level with a
// legend, the crowds panel lists them, and choosing Larvotto draws today against its typical day (the demo feeder
// filled in the past days). Then an admin draws a small area with a counter, a crowd_ingest token posts a count over
// its red threshold, and the red crowd warning arrives in the alerts feed, in words.
import assert from "node:assert/strict";
import { signedInApi } from "./api.mjs";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

const ADMIN = { username: "admin", password: "demo-admin" };

async function waitFor(page, what, predicate, arg = null, timeout = 180000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 250 });
  } catch (err) {
    const st = await page.evaluate(() => ({ crowds: { ...window.geotwin.crowds?.state, areas: window.geotwin.crowds?.state.areas.map((a) => [a.id, a.name, a.count, a.level]),
      day: undefined }, alerts: window.geotwin.overview?.alerts?.slice(0, 8) }));
    throw new Error(`${what}: ${JSON.stringify(st).slice(0, 3000)}`, { cause: err });
  }
}

browserTest("crowds: areas by level with a legend, today against a typical day, a red warning in the alerts feed", { account: ADMIN }, async (s) => {
  const { page } = s;
  const api = await signedInApi(ADMIN);
  await page.goto("/", { timeout: 180000 });
  await waitForReady(s);
  // the feeder counts every 30 s once the server listens: the first counts may come after the page
  await waitFor(page, "the demo's counted areas", () => window.geotwin.crowds?.state.areas.some((a) => /larvotto/i.test(a.name) && a.count != null)
    && window.geotwin.crowds.state.drawn > 0);
  const legend = await page.locator("[data-testid=legend] [data-legend=crowds]").innerText();
  assert.match(legend, /正常.*黄色预警.*橙色预警.*红色预警/s, "the legend names the levels in Chinese");

  await page.locator("[data-testid=crowds-panel] [data-role=fold]").dispatchEvent("click");
  const larvotto = await page.evaluate(() => window.geotwin.crowds.state.areas.find((a) => /larvotto/i.test(a.name)).id);
  await page.locator(`[data-testid=crowds-panel] li[data-area="${larvotto}"]`).dispatchEvent("click");
  await waitFor(page, "today's chart", () => window.geotwin.crowds.state.chartDrawn && window.geotwin.crowds.state.day?.today.some((n) => n != null));
  const day = await page.evaluate(() => window.geotwin.crowds.state.day);
  assert.equal(day.today.length, 96);
  assert.ok(day.typical.some((n) => n != null), `a typical day from the days filled in (${day.typicalBasis})`);
  assert.match(await page.locator("[data-testid=crowds-panel]").innerText(), /今日与常日/);

  // A new area by Larvotto with a counter, and a count over its red threshold from a crowd_ingest token.
  const place = (await api.get("/api/search?q=Larvotto&limit=20")).json.find((h) => h.kind === "place");
  const [lon, lat] = [place.lon, place.lat];
  const name = `测试沙滩 ${Date.now() % 100000}`;
  const sensor = `E2E-${Date.now() % 1000000}`;
  const created = await api.post("/api/crowds/areas", {
    name, capacity: 100, sensors: [{ code: sensor, name: "北门" }],
    area: { type: "Polygon", coordinates: [[[lon, lat], [lon + 0.0005, lat], [lon + 0.0005, lat + 0.0005], [lon, lat + 0.0005], [lon, lat]]] },
    thresholds: [{ from: "00:00", yellow: 0.5, orange: 0.7, red: 0.9 }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const token = await api.post("/api/tokens", { name: `e2e crowds ${sensor}`, purpose: "crowd_ingest", jurisdictionCode: created.json.jurisdiction });
  assert.equal(token.status, 201, JSON.stringify(token.json));
  const sent = await fetch(`${api.url}/api/crowds/counts`, {
    method: "POST", headers: { authorization: `Bearer ${token.json.secret}`, "content-type": "application/json" },
    body: JSON.stringify({ counts: [{ sensor, time: new Date().toISOString(), count: 95, in: 120, out: 25 }] }),
  });
  assert.equal(sent.status, 200, await sent.text());

  await waitFor(page, "the red warning in the alerts feed", (n) => window.geotwin.overview.alerts.some((a) => a.source === "crowds" && a.text.includes(n)), name, 120000);
  const alert = await page.evaluate((n) => window.geotwin.overview.alerts.find((a) => a.source === "crowds" && a.text.includes(n)), name);
  assert.equal(alert.level, "critical");
  assert.match(alert.text, /人流红色预警/);
  assert.match(alert.text, /95\/100/);
  await waitFor(page, "the new area drawn red", (n) => window.geotwin.crowds.state.areas.some((a) => a.name === n && a.level === "red"), name, 60000);
  // a picture of the beach's areas, the legend and the chart, for a person to look at (tests/e2e/artifacts)
  await page.evaluate(([x, y]) => window.geotwin.flyTo(x, y, 1500), [lon, lat]);
  await waitFor(page, "at the beach", () => window.geotwin.view === "point", null, 60000);
  await s.screenshot("crowds-larvotto");
  // the same at the command room's screen and at phone size, for a person to look at
  for (const [w, h] of [[1920, 1080], [390, 844]]) {
    await page.setViewportSize({ width: w, height: h });
    await s.screenshot(`crowds-larvotto-${w}`);
  }
});
