// Geofences through the real page (issue #21): a dispatcher draws a circle fence around a beach in the panel, a demo
// car's JT/T 808 terminal (this test, speaking the protocol over TCP to the demo's gateway) reports a position inside
// it, and the car moves there on the map, the alerts feed says it entered the fence (its name, "驶入"), and the fence
// flashes. A refusal (a dwell time without the dwell rule) is shown with its field named, then dismissed; the fence is
// deleted after its confirmation at the end.
import assert from "node:assert/strict";
import { signedInApi } from "./api.mjs";
import { openTerminal } from "./jt808Terminal.mjs";
import { browserTest, clickMapCentre, waitForReady } from "./pageHelpers.mjs";

const DISPATCHER = { username: "dispatcher", password: "demo-dispatcher" };
// The demo's cars carry terminals named by phone number (data-import Demo/PoliceUnits.cs: 145 and the unit's place in
// the list); the first unit of all is the first station's first car.
const CAR_PHONE = "14500000001";
// The demo's simulator drives the same car and reports it at the current time; a unit moves only forward in time
// (Live/merge_positions.sql), so this terminal reports a little ahead (within the server's 30 s for clocks) and the
// car stays where the test put it while the test looks.
const LEAD_MS = 20000;

async function waitFor(page, what, predicate, arg = null, timeout = 120000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 250 });
  } catch (err) {
    const st = await page.evaluate(() => ({ fences: window.geotwin.geofences?.state.fences.map((f) => [f.id, f.name, f.rules]),
      panel: { ...window.geotwin.geofences?.panel, created: undefined }, cars: window.geotwin.live.units().filter((u) => u.kind === "car").slice(0, 6),
      events: window.geotwin.geofences?.events().slice(0, 5), eventsState: window.geotwin.geofences?.eventsState,
      alerts: window.geotwin.overview?.alerts?.slice(0, 8) }));
    throw new Error(`${what}: ${JSON.stringify(st).slice(0, 3000)}`, { cause: err });
  }
}

browserTest("geofences: a drawn fence, a car entering it over JT/T 808, the alert and the flash", { account: DISPATCHER }, async (s) => {
  const { page } = s;
  const api = await signedInApi(DISPATCHER);
  const ready = JSON.stringify((await api.get("/readyz")).json);
  const port = Number(ready.match(/listening on port (\d+)/)?.[1]);
  assert.ok(port > 0, `the demo's JT/T 808 gateway listens (readyz: ${ready.slice(0, 500)})`);
  const beach = (await api.get("/api/search?q=Larvotto&limit=20")).json.find((h) => h.kind === "place" && /plage|beach/i.test(h.label));
  assert.ok(beach, "the demo has Larvotto beach as a named place");
  const name = `海滩围栏 ${Date.now() % 100000}`;
  let terminal = null;
  let keepThere = null;
  try {
    await page.goto("/", { timeout: 180000 });
    await waitForReady(s);
    await waitFor(page, "live hub", () => window.geotwin.live?.state.connected && window.geotwin.geofences?.state.loads > 0);
    await page.evaluate(([lon, lat]) => window.geotwin.flyTo(lon, lat, 1200), [beach.lon, beach.lat]);
    // the flight's end is enough: a click is read on the ellipsoid (map/viewer.js groundAt), not on loaded tiles
    await waitFor(page, "at the beach", () => window.geotwin.view === "point");

    // draw: a circle centred where the map is looking, its radius typed
    await page.locator("[data-testid=fences-toggle]").dispatchEvent("click");
    await page.locator("[data-testid=fences-draw-circle]").dispatchEvent("click");
    await clickMapCentre(page);
    await waitFor(page, "the centre clicked", () => window.geotwin.geofences.panel.drawing.centre !== null, null, 60000);
    await page.locator("[data-testid=fences-radius]").fill("120");
    await page.locator("[data-testid=fences-radius]").dispatchEvent("change");
    await page.locator("[data-testid=fences-name]").fill(name);
    assert.equal(await page.locator("[data-testid=fences-rule-enter]").isChecked(), true, "enter is the rule offered first");
    assert.match(await page.locator("[data-testid=fences-rules]").innerText(), /驶入.*驶出.*停留超时/s);

    // a refusal first: dwell minutes without the dwell rule; the server's reason, its field in Chinese, until dismissed
    await page.locator("[data-testid=fences-dwell]").fill("5");
    await page.locator("[data-testid=fences-save]").dispatchEvent("click");
    await waitFor(page, "the refusal shown", () => window.geotwin.geofences.panel.error !== null && !window.geotwin.geofences.panel.saving);
    const refusal = await page.locator("[data-testid=fences-error]").innerText();
    assert.match(refusal, /围栏未保存：停留分钟 — 停留分钟只用于“停留超时”规则.*（服务器：is only for the dwell rule）/, refusal);
    assert.doesNotMatch(refusal, /HTTP|422|400/, refusal);
    await page.locator("[data-testid=fences-error-dismiss]").dispatchEvent("click");
    assert.equal(await page.locator("[data-testid=fences-error]").count(), 0, "dismissed");
    await page.locator("[data-testid=fences-dwell]").fill("");
    await page.locator("[data-testid=fences-save]").dispatchEvent("click");
    await waitFor(page, "the fence saved and listed", (n) => window.geotwin.geofences.state.fences.some((f) => f.name === n) || window.geotwin.geofences.panel.error, name);
    assert.equal(await page.evaluate(() => window.geotwin.geofences.panel.error), null);
    const fence = await page.evaluate((n) => window.geotwin.geofences.state.fences.find((f) => f.name === n), name);
    assert.deepEqual(fence.rules, ["enter"]);
    assert.match(await page.locator(`[data-testid=fences-list] li[data-fence="${fence.id}"]`).innerText(), /驶入/);
    await waitFor(page, "the fence drawn with its legend row", () => window.geotwin.geofences.layer.drawn > 0
      && window.geotwin.legend.state.groups.some((g) => g.name === "geofences"));
    const ring = fence.area.type === "MultiPolygon" ? fence.area.coordinates[0][0] : fence.area.coordinates[0];
    const [lon, lat] = [ring.reduce((a, p) => a + p[0], 0) / ring.length, ring.reduce((a, p) => a + p[1], 0) / ring.length].map((v) => Math.round(v * 1e6) / 1e6);

    // the car's terminal reports from inside the fence, and again while the test looks (see LEAD_MS)
    terminal = await openTerminal("127.0.0.1", port, CAR_PHONE);
    assert.equal(await terminal.report(new Date(Date.now() + LEAD_MS), lon, lat), 0, "the gateway stored the position");
    keepThere = setInterval(() => terminal.report(new Date(Date.now() + LEAD_MS), lon, lat).catch(() => {}), 5000);

    await waitFor(page, "the car drawn inside the fence", ([x, y]) => window.geotwin.live.units().some((u) => u.kind === "car"
      && Math.abs(u.lon - x) < 2e-6 && Math.abs(u.lat - y) < 2e-6 && u.drawn && Math.abs(u.drawn.lon - x) < 2e-6), [lon, lat]);
    const car = await page.evaluate(([x, y]) => window.geotwin.live.units().find((u) => u.kind === "car" && Math.abs(u.lon - x) < 2e-6 && Math.abs(u.lat - y) < 2e-6), [lon, lat]);

    // the alert: the car, "驶入", the fence's name, at a local time; the fence flashes on the map
    await waitFor(page, "the enter alert", ([c, n]) => window.geotwin.overview.alerts.some((a) => a.source === "geofences" && a.text.includes(c) && a.text.includes(n)),
      [car.callSign, name], 180000);
    const alert = await page.evaluate(([c, n]) => window.geotwin.overview.alerts.find((a) => a.source === "geofences" && a.text.includes(c) && a.text.includes(n)), [car.callSign, name]);
    assert.equal(alert.text, `围栏 ${car.callSign} 驶入 ${name}`);
    assert.equal(await page.evaluate((id) => window.geotwin.geofences.layer.flashing.includes(id), fence.id), true, "the fence flashes");
    await s.screenshot("geofences-flash");
    if (!(await page.evaluate(() => window.geotwin.overview.open))) await page.locator("[data-testid=overview-fold]").dispatchEvent("click");
    const shown = page.locator(`[data-testid=overview-alerts] li[data-source=geofences][data-key^="fence:${fence.id}:${car.id}:enter"]`);
    await shown.waitFor({ timeout: 30000 });
    const line = await shown.innerText();
    assert.match(line, new RegExp(`^\\d{2}:\\d{2}\\s+围栏 ${car.callSign} 驶入 ${name}$`), line);

    // the map click that set the centre also opened what lies there (a community): closed, as a person would
    if (await page.locator("[data-testid=record-close]").isVisible()) await page.locator("[data-testid=record-close]").dispatchEvent("click");
    await s.screenshot("geofences-1366");
    await page.setViewportSize({ width: 1920, height: 1080 });
    await waitFor(page, "drawn at 1920 wide", () => window.geotwin.viewer.canvas.clientWidth === 1920);
    await s.screenshot("geofences-1920");

    // a polygon: three corners clicked around the map's centre, finished by the button, watched for exits
    await page.setViewportSize({ width: 1366, height: 768 });
    await waitFor(page, "back at 1366 wide", () => window.geotwin.viewer.canvas.clientWidth === 1366);
    // the unfolded overview lies over the map's top: folded, so the clicks reach the map
    if (await page.evaluate(() => window.geotwin.overview.open)) await page.locator("[data-testid=overview-fold]").dispatchEvent("click");
    await page.locator("[data-testid=fences-draw-polygon]").dispatchEvent("click");
    const box = await page.locator("[data-testid=map]").boundingBox();
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    for (const [i, [dx, dy]] of [[-90, -40], [90, -40], [0, 100]].entries()) {
      await page.mouse.click(cx + dx, cy + dy);
      await waitFor(page, `corner ${i + 1}`, (n) => window.geotwin.geofences.panel.drawing.vertices.length === n, i + 1, 60000);
    }
    await page.locator("[data-testid=fences-finish]").dispatchEvent("click");
    await waitFor(page, "the polygon finished", () => window.geotwin.geofences.panel.drawing.finished);
    const polygonName = `${name} 多边形`;
    await page.locator("[data-testid=fences-name]").fill(polygonName);
    await page.locator("[data-testid=fences-rule-enter]").uncheck();
    await page.locator("[data-testid=fences-rule-exit]").check();
    await page.locator("[data-testid=fences-save]").dispatchEvent("click");
    await waitFor(page, "the polygon saved", (n) => window.geotwin.geofences.state.fences.some((f) => f.name === n) || window.geotwin.geofences.panel.error, polygonName);
    assert.equal(await page.evaluate(() => window.geotwin.geofences.panel.error), null);
    const polygon = await page.evaluate((n) => window.geotwin.geofences.state.fences.find((f) => f.name === n), polygonName);
    assert.deepEqual(polygon.rules, ["exit"]);
    assert.match(await page.locator(`[data-testid=fences-list] li[data-fence="${polygon.id}"]`).innerText(), /驶出/);
    assert.equal((await api.get(`/api/geofences`)).json.filter((f) => f.id === polygon.id).length, 1, "the API lists the polygon");

    // deleted after the confirmation
    await page.locator(`[data-testid=fences-list] li[data-fence="${fence.id}"] [data-testid=fences-delete]`).dispatchEvent("click");
    assert.match(await page.locator(`[data-testid=fences-list] li[data-fence="${fence.id}"]`).innerText(), /确认删除围栏/);
    await page.locator("[data-testid=fences-delete-yes]").dispatchEvent("click");
    await waitFor(page, "the fence gone", (id) => !window.geotwin.geofences.state.fences.some((f) => f.id === id), fence.id);
    // the same in English: the alert, the panel's head and the rule
    await page.locator("[data-testid=lang-toggle]").dispatchEvent("click");
    await waitFor(page, "English alert", ([c, n]) => document.querySelector("[data-testid=overview-alerts] li[data-source=geofences]")
      && [...document.querySelectorAll("[data-testid=overview-alerts] li[data-source=geofences]")].some((li) => li.innerText.includes(`Fence: ${c} entered ${n}`)), [car.callSign, name], 30000);
    assert.match(await page.locator("[data-testid=fences-toggle]").innerText(), /Geofences/);
    assert.match(await page.locator("[data-testid=fences-rules]").innerText(), /Enter.*Exit.*Dwell/s);
    assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
  } finally {
    clearInterval(keepThere);
    terminal?.close();
  }
});
