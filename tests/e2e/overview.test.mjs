// The commander's overview in the real page: its numbers are the server's (which the server tests hold to the
// database), it follows a new incident and a dispatch by itself (hub push), its timers tick, the panels fold, every
// word is translated, and the screen is kept as a screenshot at the command room's, a laptop's and a tablet's size.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { signedInApi } from "./api.mjs";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

const VOCABULARY = JSON.parse(readFileSync(new URL("../../server/GeoTwin.Domain/vocabulary.json", import.meta.url), "utf8"));
const COMMANDER = { username: "commander", password: "demo-commander" };
const DISPATCHER = { username: "dispatcher", password: "demo-dispatcher" };

/** Wait for a predicate over window.geotwin.overview (arg passed through); on timeout say what the overview held. */
export async function waitForOverview(page, what, predicate, arg = null, timeout = 60000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout });
  } catch (err) {
    const o = await page.evaluate(() => {
      const s = window.geotwin.overview;
      return { hub: s?.hub, refreshes: s?.refreshes, lastError: String(s?.lastError ?? ""), summary: s?.summary, open: s?.incidents?.length };
    });
    throw new Error(`${what}: ${JSON.stringify(o).slice(0, 2000)}`, { cause: err });
  }
}

const cellText = (page, code, role) => page.locator(`[data-testid=overview-incidents] tr[data-code="${code}"] td[data-role=${role}]`).textContent();

browserTest("the overview shows the server's counts, follows a new incident and its dispatch by itself, and its timers tick", { account: COMMANDER }, async (s) => {
  const { page } = s;
  const api = await signedInApi(COMMANDER);
  const dispatcher = await signedInApi(DISPATCHER);
  await page.goto("/", { timeout: 180000 }); // a loaded test machine takes long to parse the bundle
  await page.waitForFunction(() => document.querySelector("[data-testid=status]")?.dataset.state === "ready", null, { timeout: 180000 }); // a busy machine
  await waitForReady(s);
  await waitForOverview(page, "overview read with its hub", () => window.geotwin.overview?.summary && window.geotwin.overview.hub === "connected");
  // A new screen shows the strip only (the map stays the main thing); the commander unfolds the open incidents.
  assert.equal(await page.locator("[data-testid=overview]").getAttribute("data-open"), "false");
  await page.locator("[data-testid=overview-fold]").dispatchEvent("click");
  await page.locator(".overview-body").waitFor({ state: "visible" });

  // The strip says what the API says (the API's counts are tested against the database in OverviewEndpointsTests).
  const summary = (await api.get("/api/overview")).json;
  const shown = async () => page.evaluate(() => ({
    open: Number(document.querySelector("[data-testid=overview-open]").dataset.count),
    priorities: [...document.querySelectorAll("[data-testid=overview-priorities] [data-priority]")].map((e) => [Number(e.dataset.priority), Number(e.dataset.count)]),
    units: Object.fromEntries([...document.querySelectorAll("[data-testid=overview-units] [data-status]")].map((e) => [e.dataset.status, Number(e.dataset.count)])),
    today: Number(document.querySelector("[data-testid=overview-today-count]").textContent),
    todayLast: Number(document.querySelector("[data-testid=overview-today-count-last]").dataset.last),
    week: Number(document.querySelector("[data-testid=overview-week-count]").textContent),
    weekLast: Number(document.querySelector("[data-testid=overview-week-count-last]").dataset.last),
  }));
  const before = await shown();
  assert.equal(before.open, summary.openTotal);
  for (const [p, n] of before.priorities) assert.equal(n, summary.open.filter((g) => g.priority === p).reduce((a, g) => a + g.count, 0), `P${p}`);
  const byStatus = {};
  for (const u of summary.units) byStatus[u.status] = (byStatus[u.status] ?? 0) + u.count;
  for (const [status, n] of Object.entries(byStatus)) assert.equal(before.units[status], n, `units ${status}`);
  assert.equal(before.todayLast, summary.intake.sameDayLastWeek);
  assert.equal(before.weekLast, summary.intake.sameSpanLastWeek);

  // A call comes in: the overview hears it from the hub (no reload) and counts it.
  const spot = (await api.get("/api/incidents/?limit=50")).json.find((i) => i.status !== "merged");
  const created = await dispatcher.post("/api/incidents", { category: "fight", priority: 1, description: "overview test", location: { lon: spot.lon, lat: spot.lat } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const code = created.json.code;
  await waitForOverview(page, "new incident shown", (c) => window.geotwin.overview.incidents.some((i) => i.code === c), code);
  await page.locator(`[data-testid=overview-incidents] tr[data-code="${code}"]`).waitFor();
  const after = await shown();
  assert.equal(after.open, before.open + 1);
  assert.equal(after.priorities.find(([p]) => p === 1)[1], before.priorities.find(([p]) => p === 1)[1] + 1);
  assert.ok(after.today >= before.today + 1 && after.week >= before.week + 1, `today ${before.today} -> ${after.today}, week ${before.week} -> ${after.week}`);
  assert.equal(await cellText(page, code, "since-dispatch"), "—");
  // the timer since intake ticks on its own: wait for it to move past its first reading
  const first = await cellText(page, code, "since-intake");
  assert.match(first, /^\d+:\d\d$/);
  await page.waitForFunction(([c, was]) => document.querySelector(`tr[data-code="${c}"] td[data-role=since-intake]`)?.textContent !== was, [code, first], { timeout: 15000 });

  // It is dispatched: the row says so and the timer since dispatch starts.
  const recs = (await dispatcher.get(`/api/incidents/${code}/recommendations?k=3`)).json;
  const unit = recs.units[0];
  const sent = await dispatcher.post(`/api/incidents/${code}/dispatch`, { units: [{ unitId: unit.unitId, seenStatus: unit.status }] });
  assert.equal(sent.status, 200, JSON.stringify(sent.json));
  await waitForOverview(page, "dispatch shown", (c) => window.geotwin.overview.incidents.find((i) => i.code === c)?.firstDispatchAt, code);
  await page.waitForFunction((c) => /^\d+:\d\d$/.test(document.querySelector(`tr[data-code="${c}"] td[data-role=since-dispatch]`)?.textContent ?? ""), code, { timeout: 15000 });
  assert.notEqual(await page.locator(`tr[data-code="${code}"]`).getAttribute("data-status"), "new");

  // A click on the row opens the incident (the commander's record panel).
  // (the row is redrawn whenever the hub reports a change, so the click goes to whichever row is there now)
  await page.locator(`[data-testid=overview-incidents] tr[data-code="${code}"]`).dispatchEvent("click");
  await page.waitForFunction((c) => window.geotwin.record()?.key === c || window.geotwin.dispatch?.current?.code === c, code, { timeout: 30000 });

  // Rows are translated (no raw codes); the English screen too.
  const categoryCell = await page.locator(`tr[data-code="${code}"] td`).nth(1).textContent();
  assert.equal(categoryCell, VOCABULARY.incidentCategories.fight.label[0], "the category in Chinese words");
  await page.click("[data-testid=lang-toggle]");
  await page.waitForFunction(() => document.querySelector("[data-testid=overview-open]")?.textContent.includes("Open"));
  const english = await page.locator("[data-testid=overview]").textContent();
  for (const raw of ["on_scene", "en_route", "missing_person", "traffic_accident", "firstDispatchAt"]) assert.ok(!english.includes(raw), `raw code ${raw} on screen`);

  // The panels fold to the strip and unfold again; the choice is kept.
  await page.locator("[data-testid=overview-fold]").dispatchEvent("click");
  await page.locator(".overview-body").waitFor({ state: "hidden" });
  await page.locator("[data-testid=overview-fold]").dispatchEvent("click");
  await page.locator(".overview-body").waitFor({ state: "visible" });

  // Clean up: the incident is closed so other tests see the demo as it was.
  await dispatcher.post(`/api/incidents/${code}/close`, { disposition: "overview test done" });
});

for (const [name, viewport] of [["1920x1080", { width: 1920, height: 1080 }], ["1366x768", { width: 1366, height: 768 }], ["tablet-768x1024", { width: 768, height: 1024 }]]) {
  browserTest(`the commander's screen at ${name}: the strip fits on one screen and the map stays visible`, { account: COMMANDER, viewport }, async (s) => {
    const { page } = s;
    await page.goto("/", { timeout: 180000 }); // a loaded test machine takes long to parse the bundle
    await page.waitForFunction(() => document.querySelector("[data-testid=status]")?.dataset.state === "ready", null, { timeout: 180000 }); // a busy machine
    await waitForReady(s);
    await waitForOverview(page, "overview read", () => window.geotwin.overview?.summary && window.geotwin.view === "jurisdiction", null, 120000);
    // unfolded (the default for a new screen): the strip and the body both show
    // (read in one evaluation: the strip and body are drawn again on every tick, and a first read may fold it back)
    const boxes = () => page.evaluate(() => {
      const rect = (q) => { const el = document.querySelector(q); const r = el?.getBoundingClientRect(); return r && r.width > 0 && r.height > 0 ? { x: r.x, y: r.y, width: r.width, height: r.height } : null; };
      return { strip: rect(".overview-strip"), body: rect(".overview-body") };
    });
    let seen = await boxes();
    for (const deadline = Date.now() + 60000; !(seen.strip && seen.body); seen = await boxes()) {
      assert.ok(Date.now() < deadline, `the overview did not unfold at ${name}: ${JSON.stringify(seen)}`);
      if (!seen.body) await page.locator("[data-testid=overview-fold]").dispatchEvent("click");
      await page.locator(".overview-body").waitFor({ state: "visible", timeout: 10000 }).catch(() => {});
    }
    const { strip, body } = seen;
    const map = await page.locator("[data-testid=map]").boundingBox();
    // every part of the overview lies inside the window, and together they leave at least half of the map free
    for (const box of [strip, body]) {
      assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width + 1 && box.y + box.height <= viewport.height + 1, `${JSON.stringify(box)} out of ${name}`);
    }
    assert.ok(strip.width * strip.height + body.width * body.height < 0.5 * map.width * map.height, `overview covers too much of the map at ${name}`);
    await s.screenshot(`overview-${name}`);
    await page.locator("[data-testid=overview-fold]").dispatchEvent("click");
    await s.screenshot(`overview-${name}-folded`);
  });
}
