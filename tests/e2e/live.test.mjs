// Live units in the real page: after sign-in the page subscribes to /hubs/live, draws the demo units
// (driven by the simulator of serve --demo) and a unit's drawn position moves as new fixes arrive.
import assert from "node:assert/strict";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

// openBrowser signs in as the demo admin by default.
browserTest("live units: a simulated unit moves on the page; list, filter, details and track", {}, async (s) => {
  const { page } = s;
  await page.goto("/", { waitUntil: "load" });
  await waitForReady(s);

  const state = () => page.evaluate(() => ({ ...window.geotwin.live.state, units: window.geotwin.live.units() }));
  try {
    await page.waitForFunction(() => {
      const live = window.geotwin?.live;
      return live?.state.connected && live.units().some((u) => u.drawn && u.kind !== "boat" && u.freshness === "live");
    }, null, { timeout: 60000, polling: 250 });
  } catch (err) {
    throw new Error(`no live unit drawn: ${JSON.stringify(await state()).slice(0, 1000)}`, { cause: err });
  }
  const first = (await state()).units.find((u) => u.drawn && u.kind !== "boat" && u.freshness === "live");

  // The same unit, drawn somewhere else a few seconds later, with the position the server pushed.
  try {
    await page.waitForFunction((u) => {
      const now = window.geotwin.live.units().find((x) => x.id === u.id);
      return now && now.time !== u.time && Math.hypot(now.drawn.lon - u.drawn.lon, now.drawn.lat - u.drawn.lat) > 1e-6;
    }, first, { timeout: 30000, polling: 250 });
  } catch (err) {
    throw new Error(`unit ${first.callSign} did not move: ${JSON.stringify((await state()).units.find((u) => u.id === first.id))}`, { cause: err });
  }
  const moved = (await state()).units.find((u) => u.id === first.id);
  assert.ok(Math.abs(moved.drawn.lon - moved.lon) < 1e-6 && Math.abs(moved.drawn.lat - moved.lat) < 1e-6,
    `drawn at ${JSON.stringify(moved.drawn)}, pushed ${moved.lon},${moved.lat}`);
  assert.ok((await state()).received > 0, "no pushed deltas counted");
  assert.ok((await state()).moved > 0, "no unit moved by a packed moves frame");

  // The list shows every unit; the status filter keeps only that status.
  const listed = await page.locator("[data-testid=live-list] li").count();
  assert.equal(listed, (await state()).units.length);
  await page.selectOption("[data-testid=live-filter]", "available");
  const statuses = await page.$$eval("[data-testid=live-list] li", (lis) => lis.map((li) => li.dataset.unitId));
  const byId = new Map((await state()).units.map((u) => [String(u.id), u]));
  assert.ok(statuses.length > 0 && statuses.every((id) => byId.get(id).status === "available"), "filter let other statuses through");

  // Clicking a unit shows its details and fetches its track.
  await page.click(`[data-testid=live-list] li[data-unit-id="${statuses[0]}"]`);
  await page.waitForFunction(() => window.geotwin.live.state.track !== null, null, { timeout: 15000 });
  const detail = await page.locator("[data-testid=live-detail]").innerText();
  assert.match(detail, new RegExp(byId.get(statuses[0]).callSign));
  assert.ok((await state()).track.fixes > 0, "the track holds no fix");
  await s.screenshot("live-units");
  assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
});
