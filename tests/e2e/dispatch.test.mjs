// The dispatcher's panel in the real page: a new incident by clicking the map, the recommended units
// with their routes, one-click dispatch, the unit's status changing, arrival by hand; the dispatch hub
// tells the screen about each change.
import assert from "node:assert/strict";
import { signedInApi } from "./api.mjs";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

const DISPATCHER = { username: "dispatcher", password: "demo-dispatcher" };

/** Wait for a predicate over window.geotwin.dispatch; on timeout say what the panel held. */
async function waitForDispatch(page, what, predicate, timeout = 60000) {
  try {
    await page.waitForFunction(predicate, null, { timeout });
  } catch (err) {
    const d = await page.evaluate(() => {
      const s = window.geotwin.dispatch;
      return { mode: s?.mode, hub: s?.hub, lastError: s?.lastError, current: s?.current, recs: s?.recommendations?.units?.length };
    });
    throw new Error(`${what}: ${JSON.stringify(d)}`, { cause: err });
  }
}

browserTest("a dispatcher creates an incident by clicking the map, dispatches the first recommended unit and records its arrival", { account: DISPATCHER }, async (s) => {
  const { page } = s;
  // A place where incidents happen (a past one, so inside a jurisdiction) and no unit stands within 200 m:
  // the unit sent there must not count as arrived by its position before the dispatcher says so.
  const api = await signedInApi(DISPATCHER);
  const units = (await api.get("/api/units")).json.filter((u) => u.lon != null);
  const past = (await api.get("/api/incidents/?limit=300")).json;
  const metres = (a, b) => Math.hypot((a.lon - b.lon) * 80500, (a.lat - b.lat) * 111200);
  // The demo's simulator now drives a dispatched unit to the scene by itself: take the past incident farthest from
  // every unit, so the dispatcher's click comes long before the unit could get there.
  const nearestUnit = (i) => Math.min(...units.map((u) => metres(u, i)));
  const spot = past.reduce((best, i) => (best == null || nearestUnit(i) > nearestUnit(best) ? i : best), null);
  assert.ok(spot && nearestUnit(spot) > 200, "no past incident lies 200 m from every unit");

  await page.goto("/");
  await waitForReady(s);
  await waitForDispatch(page, "panel and hub", () => window.geotwin.dispatch?.hub === "connected" && window.geotwin.view === "jurisdiction", 90000);
  await page.evaluate(([lon, lat]) => window.geotwin.flyTo(lon, lat, 700), [spot.lon, spot.lat]);
  await page.waitForFunction(() => window.geotwin.view === "point", null, { timeout: 60000 });

  await page.click("[data-testid=dispatch-new]");
  await waitForDispatch(page, "placing mode", () => window.geotwin.dispatch.mode === "placing", 5000);
  const box = await page.locator("[data-testid=map]").boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await waitForDispatch(page, "incident created with recommendations", () => {
    const d = window.geotwin.dispatch;
    return d.current?.status === "new" && d.recommendations?.units?.length > 0;
  });
  const { code, first } = await page.evaluate(() => ({
    code: window.geotwin.dispatch.current.code,
    first: window.geotwin.dispatch.recommendations.units[0],
  }));
  assert.ok(first.route.length >= 2, "the first unit's route is drawn");
  const etas = await page.evaluate(() => window.geotwin.dispatch.recommendations.units.map((u) => u.etaSeconds));
  assert.deepEqual(etas, [...etas].sort((a, b) => a - b), "units come fastest first");

  await page.locator("[data-testid=dispatch-send]").first().click();
  await waitForDispatch(page, "unit dispatched", () => {
    const c = window.geotwin.dispatch.current;
    // en_route follows within a second once the simulator picks the unit up
    return c.status === "dispatched" && ["dispatched", "en_route"].includes(c.units[0]?.unitStatus);
  });
  assert.equal(await page.evaluate(() => window.geotwin.dispatch.current.units[0].unitId), first.unitId);

  await page.locator("[data-testid=dispatch-arrive]").first().click();
  await waitForDispatch(page, "unit arrived", () => {
    const c = window.geotwin.dispatch.current;
    return c.status === "on_scene" && c.units[0]?.unitStatus === "on_scene" && c.units[0]?.arrivalHow === "by_hand";
  });
  // the hub told this screen about its own changes too (every dispatcher in scope hears them)
  await waitForDispatch(page, "hub messages", () => window.geotwin.dispatch.changes >= 2, 15000);
  const trail = (await api.get(`/api/incidents/${code}/trail`)).json.map((e) => e.kind);
  assert.deepEqual(trail, ["intake", "dispatch", "arrival"]);
  const listed = await page.locator(`[data-testid=dispatch-list] [data-code="${code}"]`).getAttribute("data-status");
  assert.equal(listed, "on_scene");
});
