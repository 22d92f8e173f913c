// The dispatcher's panel in the real page: a new incident by clicking the map, the recommended units
// with their routes, one-click dispatch, the unit's status changing, arrival by hand; the dispatch hub
// tells the screen about each change.
import assert from "node:assert/strict";
import { signedInApi } from "./api.mjs";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

const DISPATCHER = { username: "dispatcher", password: "demo-dispatcher" };

/** Wait for a predicate over window.geotwin.dispatch; on timeout say what the panel held. */
async function waitForDispatch(page, what, predicate, timeout = 60000, arg = null) {
  try {
    await page.waitForFunction(predicate, arg, { timeout });
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
  // Fastest first by road; a straight-line guess (a unit off the road network) never outranks a road ETA and comes
  // after them, fastest first among themselves (the ranking rule, Recommender).
  const ranked = await page.evaluate(() => window.geotwin.dispatch.recommendations.units.map((u) => ({ eta: u.etaSeconds, road: u.etaBasis === "road" })));
  const byRule = [...ranked].sort((a, b) => (b.road - a.road) || (a.eta - b.eta));
  assert.deepEqual(ranked, byRule, "units come fastest first, road ETAs before straight-line guesses");

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

/** The overview strip's counts as the page shows them (data-count of each chip). */
const overviewCounts = (page) => page.evaluate(() => ({
  open: Number(document.querySelector("[data-testid=overview-open]")?.dataset.count),
  priorities: Object.fromEntries([...document.querySelectorAll("[data-testid=overview-priorities] [data-priority]")].map((e) => [e.dataset.priority, Number(e.dataset.count)])),
  units: Object.fromEntries([...document.querySelectorAll("[data-testid=overview-units] [data-status]")].map((e) => [e.dataset.status, Number(e.dataset.count)])),
}));

browserTest("a dispatcher re-dispatches: the first unit is taken off and a second sent; the trail shows both and the overview counts the incident once", { account: DISPATCHER }, async (s, t) => {
  const { page } = s;
  const api = await signedInApi(DISPATCHER);
  const units = (await api.get("/api/units")).json.filter((u) => u.lon != null);
  const past = (await api.get("/api/incidents/?limit=300")).json;
  const metres = (a, b) => Math.hypot((a.lon - b.lon) * 80500, (a.lat - b.lat) * 111200);
  const nearestUnit = (i) => Math.min(...units.map((u) => metres(u, i)));
  // far from every unit: neither unit gets there (and counts as arrived) during the test
  const spot = past.reduce((best, i) => (best == null || nearestUnit(i) > nearestUnit(best) ? i : best), null);

  await page.goto("/", { timeout: 180000 });
  await waitForReady(s);
  await waitForDispatch(page, "overview and dispatch hub", () => window.geotwin.overview?.summary && window.geotwin.overview.hub === "connected"
    && window.geotwin.dispatch?.hub === "connected", 120000);
  const before = await overviewCounts(page);

  const created = await api.post("/api/incidents", { category: "theft", priority: 2, description: "re-dispatch test", location: { lon: spot.lon, lat: spot.lat } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const code = created.json.code;
  // cancelled whatever happens: a unit left driving to this incident would skew the drills that follow on the same server
  t.after(() => api.post(`/api/incidents/${code}/cancel`, { reason: "re-dispatch test done" }));
  const [first, second] = (await api.get(`/api/incidents/${code}/recommendations?k=3`)).json.units;
  assert.ok(first && second, "two units are offered");
  const sent = await api.post(`/api/incidents/${code}/dispatch`, { units: [{ unitId: first.unitId, seenStatus: first.status }] });
  assert.equal(sent.status, 200, JSON.stringify(sent.json));
  const row = `[data-testid=overview-incidents] tr[data-code="${code}"]`;
  await waitForDispatch(page, "the overview has it dispatched", (r) => document.querySelector(r)?.dataset.status === "dispatched", 90000, row);
  const dispatched = await overviewCounts(page);
  // The demo's call platform adds calls of its own at any moment, so the counts may only grow past ours; the incident
  // itself is listed exactly once.
  assert.equal(await page.locator(row).count(), 1, "listed once");
  assert.ok(dispatched.open >= before.open + 1, `open ${before.open} -> ${dispatched.open}`);
  assert.ok(dispatched.priorities["2"] >= before.priorities["2"] + 1, `P2 ${before.priorities["2"]} -> ${dispatched.priorities["2"]}`);

  // the first unit is taken off and the second one sent, in one step
  const reassigned = await api.post(`/api/incidents/${code}/reassign`, { unitId: first.unitId, to: { unitId: second.unitId, seenStatus: second.status } });
  assert.equal(reassigned.status, 200, JSON.stringify(reassigned.json));
  const byUnit = Object.fromEntries(reassigned.json.units.map((u) => [u.unitId, u]));
  assert.equal(byUnit[first.unitId].releaseReason, "reassigned");
  assert.ok(["dispatched", "en_route"].includes(byUnit[second.unitId].unitStatus));

  // The overview: still one open incident more than before, still dispatched, and its unit counts as the server's.
  await waitForDispatch(page, "the overview's units after the re-dispatch", () => {
    const o = window.geotwin.overview;
    return o.refreshes > 0 && o.summary && o.incidents.some((i) => i.status === "dispatched");
  }, 60000);
  const summary = (await api.get("/api/overview")).json;
  const apiUnits = {};
  for (const u of summary.units) apiUnits[u.status] = (apiUnits[u.status] ?? 0) + u.count;
  const busy = (u) => (u.dispatched ?? 0) + (u.en_route ?? 0) + (u.on_scene ?? 0);
  await page.waitForFunction(([r, n]) => document.querySelector(r)?.dataset.status === "dispatched"
    && Number(document.querySelector("[data-testid=overview-open]")?.dataset.count) >= n, [row, dispatched.open], { timeout: 60000 });
  const after = await overviewCounts(page);
  assert.equal(await page.locator(row).count(), 1, "still listed once");
  assert.ok(after.open >= dispatched.open, `the re-dispatch closes no incident: open ${dispatched.open} -> ${after.open}`);
  assert.ok(after.priorities["2"] >= dispatched.priorities["2"]);
  assert.equal(summary.open.filter((g) => g.priority === 2 && g.status === "dispatched").reduce((a, g) => a + g.count, 0),
    (await api.get("/api/incidents/?status=dispatched&limit=5000")).json.filter((i) => i.priority === 2).length);
  assert.equal(busy(apiUnits), busy(dispatched.units), "one unit out before and after: the first came back, the second went");

  // The trail on screen: the first dispatch, the first unit taken off, the second dispatched, with their call signs.
  await page.evaluate((c) => window.geotwin.openIncident(c), code);
  // A merge offer is the server's note of an open incident nearby (earlier tests on the same demo server leave some):
  // it is not a step of this re-dispatch, so the steps are read without it.
  const steps = (list) => list.filter((e) => e.kind !== "merge_offer");
  const trail = (await api.get(`/api/incidents/${code}/trail`)).json;
  assert.deepEqual(steps(trail).map((e) => e.kind), ["intake", "dispatch", "reassign", "dispatch"]);
  await page.waitForFunction((n) => document.querySelectorAll("[data-testid=dispatch-trail] li").length === n, trail.length, { timeout: 30000 });
  const shown = steps(await page.locator("[data-testid=dispatch-trail] li").evaluateAll((lis) => lis.map((li) => ({ kind: li.dataset.kind, text: li.textContent }))));
  assert.deepEqual(shown.map((x) => x.kind), ["intake", "dispatch", "reassign", "dispatch"]);
  assert.ok(shown[1].text.includes(first.callSign) && shown[2].text.includes(first.callSign), JSON.stringify(shown));
  assert.ok(shown[3].text.includes(second.callSign), JSON.stringify(shown));
  assert.ok(shown[2].text.includes("改派"), `the step in words: ${shown[2].text}`);
  await s.screenshot("dispatch-redispatch", page.locator("[data-testid=dispatch-panel]"));
});
