// The after-action review in the real page: an incident is taken in and a unit dispatched to it, then the
// live panel's time slider replays a from–to window of local date-times: the incident appears at its intake
// time as new, is dispatched at its dispatch time, and the unit is drawn where it was with the status it had.
import assert from "node:assert/strict";
import { signedInApi } from "./api.mjs";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

const DISPATCHER = { username: "dispatcher", password: "demo-dispatcher" };

async function waitFor(page, what, predicate, arg, timeout = 90000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout });
  } catch (err) {
    const r = await page.evaluate(() => ({ replay: window.geotwin.live?.replay?.state, when: document.querySelector("[data-testid=replay-when]")?.textContent }));
    throw new Error(`${what}: ${JSON.stringify(r)}`, { cause: err });
  }
}

browserTest("replay: a recorded and dispatched incident and its unit are on the map at a chosen time of a from–to window, with the status they had", { account: DISPATCHER }, async (s) => {
  const { page } = s;
  const api = await signedInApi(DISPATCHER);
  // Where a past incident was (inside a jurisdiction), as far as can be from every unit: the unit sent there is
  // still on its way when the replay is read.
  const units = (await api.get("/api/units")).json.filter((u) => u.lon != null);
  const past = (await api.get("/api/incidents/?limit=300")).json;
  const metres = (a, b) => Math.hypot((a.lon - b.lon) * 80500, (a.lat - b.lat) * 111200);
  const nearestUnit = (i) => Math.min(...units.map((u) => metres(u, i)));
  const spot = past.reduce((best, i) => (best == null || nearestUnit(i) > nearestUnit(best) ? i : best), null);

  const created = await api.post("/api/incidents", { category: "theft", priority: 2, description: "replay drill", location: { lon: spot.lon, lat: spot.lat } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const code = created.json.code;
  const rec = (await api.get(`/api/incidents/${code}/recommendations?k=3`)).json.units[0];
  const sent = await api.post(`/api/incidents/${code}/dispatch`, { units: [{ unitId: rec.unitId, seenStatus: rec.status }] });
  assert.equal(sent.status, 200, JSON.stringify(sent.json));
  const trail = (await api.get(`/api/incidents/${code}/trail`)).json;
  const intakeAt = Date.parse(trail.find((e) => e.kind === "intake").at);
  const dispatchAt = Date.parse(trail.find((e) => e.kind === "dispatch").at);

  await page.goto("/");
  await waitForReady(s);
  await waitFor(page, "the live panel's units", (id) => window.geotwin.live?.units().some((u) => u.id === id), rec.unitId);
  // The simulator drives the unit: wait for a fix after the dispatch (a real state, read from the page's units).
  await waitFor(page, "a fix of the unit after its dispatch", ([id, at]) => {
    const u = window.geotwin.live.units().find((x) => x.id === id);
    return u?.time && Date.parse(u.time) > at + 1000;
  }, [rec.unitId, dispatchAt]);
  const fixAt = await page.evaluate((id) => Date.parse(window.geotwin.live.units().find((x) => x.id === id).time), rec.unitId);

  // A from–to pair of local date-times (minutes): from 10 minutes before the intake to 2 minutes from now.
  await page.selectOption("[data-testid=replay-choice]", "range");
  const [fromText, toText] = await page.evaluate(([a, b]) => {
    const pad = (n) => String(n).padStart(2, "0");
    const local = (ms) => { const d = new Date(ms); return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`; };
    return [local(a), local(b)];
  }, [intakeAt - 10 * 60e3, Date.now() + 2 * 60e3]);
  await page.fill("[data-testid=replay-from]", fromText);
  await page.fill("[data-testid=replay-to]", toText);
  await page.click("[data-testid=replay-load]");
  await waitFor(page, "the window loaded", () => window.geotwin.live.replay.state.loaded);
  assert.equal(await page.evaluate(() => window.geotwin.live.replay.state.progress), 100);

  const at = (ms) => page.evaluate((t) => {
    window.geotwin.live.setTime(t);
    return { incidents: window.geotwin.live.replay.incidents(), units: window.geotwin.live.units(),
      when: document.querySelector("[data-testid=replay-when]").textContent, summary: document.querySelector("[data-testid=replay-summary]").textContent };
  }, ms);
  const mine = (r) => r.incidents.find((i) => i.code === code);

  // before the intake: not there yet
  assert.equal(mine(await at(intakeAt - 60e3)), undefined, "the incident before its intake");
  // at its intake: new, in words
  const taken = mine(await at(intakeAt));
  assert.equal(taken?.status, "new");
  assert.equal(taken.label, "盗窃 · 新警情");

  // At the unit's fix after the dispatch, by the slider itself (it moves in steps from the window's start).
  const { from } = await page.evaluate(() => window.geotwin.live.replay.state);
  const step = Number(await page.getAttribute("[data-testid=live-slider]", "step"));
  const value = Math.ceil((fixAt - from) / 1000 / step) * step;
  await page.$eval("[data-testid=live-slider]", (el, v) => { el.value = String(v); el.dispatchEvent(new Event("input")); }, value);
  const shown = await page.evaluate(() => ({ at: window.geotwin.live.replay.state.at, incidents: window.geotwin.live.replay.incidents(),
    units: window.geotwin.live.units(), when: document.querySelector("[data-testid=replay-when]").textContent,
    summary: document.querySelector("[data-testid=replay-summary]").textContent }));
  assert.ok(shown.at >= fixAt, `the slider's time ${shown.at} is after the fix ${fixAt}`);
  const later = mine(shown);
  assert.ok(["dispatched", "on_scene"].includes(later?.status), `the incident then: ${JSON.stringify(later)}`);
  const unit = shown.units.find((u) => u.id === rec.unitId);
  assert.ok(unit.drawn?.show, "the unit is drawn at that time");
  assert.ok(["dispatched", "en_route", "on_scene"].includes(unit.drawn.status), `the unit's status then: ${unit.drawn.status}`);
  // local time in words on screen, no ISO stamp, no raw codes
  assert.ok(!shown.when.includes("T") && /\d{1,2}:\d\d:\d\d/.test(shown.when), `local time: ${shown.when}`);
  assert.match(shown.summary, /已派警|已到场/);
  assert.ok(!/\b(on_scene|dispatched|new)\b/.test(shown.summary), `no raw codes: ${shown.summary}`);

  await page.evaluate(([lon, lat]) => window.geotwin.flyTo(lon, lat, 1200), [spot.lon, spot.lat]);
  await page.waitForFunction(() => window.geotwin.view === "point", null, { timeout: 60000 });
  await s.screenshot("replay-window");

  // the same in English
  await page.click("[data-testid=lang-toggle]");
  await page.waitForFunction((c) => window.geotwin.live.replay.incidents().find((i) => i.code === c)?.label.startsWith("theft"), code, { timeout: 15000 });
  const english = await page.evaluate(() => document.querySelector("[data-testid=live-time]").innerText);
  assert.match(english, /Replay window/);
  assert.match(english, /Incidents \d+/);

  // a window the server refuses (more than 7 days) is said in words, and nothing is replayed from it
  await page.fill("[data-testid=replay-from]", fromText.replace(/^(\d{4})/, (y) => String(Number(y) - 1)));
  await page.click("[data-testid=replay-load]");
  await waitFor(page, "the refusal", () => window.geotwin.live.replay.state.error != null);
  const refused = await page.textContent("[data-testid=replay-when]");
  assert.match(refused, /at most 7 days/);
  assert.ok(!/HTTP \d{3}/.test(refused), `no bare HTTP status: ${refused}`);
  await s.screenshot("replay-refused", page.locator("[data-testid=live-panel]"));

  await api.post(`/api/incidents/${code}/cancel`, { reason: "replay test done" });
});
