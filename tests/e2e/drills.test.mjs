// The seeds' stories as drills through the real page (issue #20), each asserting the times on screen.
// (a) A child lost on a beach: the call-taker says where by the beach's name, the nearest unit by road is sent, the
// demo simulator drives it there, the arrival watcher records the arrival from its position, and the incident is
// closed as "found". No sleeps: every step waits for the state it needs, with a busy machine's deadline.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { signedInApi } from "./api.mjs";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

const DISPATCHER = { username: "dispatcher", password: "demo-dispatcher" };
const VOCABULARY = JSON.parse(readFileSync(new URL("../../server/GeoTwin.Domain/vocabulary.json", import.meta.url), "utf8"));

/** Metres along a drawn route (lon, lat pairs), as the simulator measures the drive. */
function routeMetres(route) {
  let m = 0;
  for (let i = 1; i < route.length; i++) {
    const [a, b] = [route[i - 1], route[i]];
    const lat = ((a[1] + b[1]) / 2) * Math.PI / 180;
    const dx = (b[0] - a[0]) * Math.PI / 180 * Math.cos(lat) * 6371008.8, dy = (b[1] - a[1]) * Math.PI / 180 * 6371008.8;
    m += Math.hypot(dx, dy);
  }
  return m;
}

/** The screen's ETA is the unit's route at its kind's speed (vocabulary.json responseKmh), never a car's time for a walker. */
function assertEtaByKind(u) {
  const kmh = VOCABULARY.unitKinds[u.kind].responseKmh;
  const atKindSpeed = routeMetres(u.route) / (kmh / 3.6);
  assert.ok(u.etaSeconds >= atKindSpeed * 0.98, `${u.callSign} (${u.kind}): ETA ${u.etaSeconds} s, its ${Math.round(routeMetres(u.route))} m route at ${kmh} km/h takes ${Math.round(atKindSpeed)} s`);
}

async function waitFor(page, what, predicate, arg = null, timeout = 90000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout });
  } catch (err) {
    const st = await page.evaluate(() => {
      const d = window.geotwin.dispatch;
      return { current: d?.current, recs: d?.recommendations?.units?.slice(0, 3), trail: d?.trail, lastError: d?.lastError, intake: d?.intake };
    });
    throw new Error(`${what}: ${JSON.stringify(st).slice(0, 2000)}`, { cause: err });
  }
}

browserTest("drill (a): a child lost on a beach is taken in by the beach's name, the nearest unit drives there, arrives and the child is found", { account: DISPATCHER }, async (s, t) => {
  const { page } = s;
  const started = Date.now();
  const api = await signedInApi(DISPATCHER);
  const beach = (await api.get("/api/search?q=Larvotto&limit=20")).json.find((h) => h.kind === "place" && /plage|beach/i.test(h.label));
  assert.ok(beach, "the demo has Larvotto beach as a named place");
  let code = null;
  try {
    await page.goto("/", { timeout: 180000 }); // a loaded test machine takes long to parse the bundle
    await waitForReady(s);
    await waitFor(page, "dispatch hub", () => window.geotwin.dispatch?.hub === "connected", null, 120000);

    // intake by the beach's name, as the caller says it
    await page.locator("[data-testid=intake-open]").dispatchEvent("click"); // no wait for a "stable" element: SwiftShader frames are slow
    await page.locator("[data-testid=intake]").waitFor();
    await page.locator("[data-testid=intake-kind-address]").dispatchEvent("click");
    await page.locator("[data-testid=intake-address]").fill(beach.label);
    await page.locator("[data-testid=intake-category]").selectOption("missing_person");
    await page.locator("[data-testid=intake-priority]").selectOption("1");
    await page.locator("[data-testid=intake-description]").fill("child, 6, lost on the beach");
    await page.locator("[data-testid=intake-submit]").dispatchEvent("click");
    await waitFor(page, "incident registered at the beach", () => {
      const d = window.geotwin.dispatch;
      return (d.intake.created?.code && d.current?.code === d.intake.created.code) || d.intake.error;
    });
    const intakeError = await page.evaluate(() => window.geotwin.dispatch.intake.error);
    assert.equal(intakeError, null, `intake refused: ${intakeError}`);
    code = await page.evaluate(() => window.geotwin.dispatch.intake.created.code);
    const incident = (await api.get(`/api/incidents/${code}/detail`)).json;
    assert.ok(Math.abs(incident.lon - beach.lon) < 1e-6 && Math.abs(incident.lat - beach.lat) < 1e-6, `at the beach: ${JSON.stringify(incident)}`);

    // the nearest unit by road is first among the recommendations on screen; it is the one sent
    // a read that timed out on a busy machine (the panel says why) is asked again, up to a deadline
    const deadline = Date.now() + 240000;
    for (;;) {
      await waitFor(page, "recommendations", (c) => (window.geotwin.dispatch.current?.code === c && (window.geotwin.dispatch.recommendations?.units?.length ?? 0) > 0)
        || window.geotwin.dispatch.lastError, code);
      if (await page.evaluate(() => (window.geotwin.dispatch.recommendations?.units?.length ?? 0) > 0)) break;
      assert.ok(Date.now() < deadline, `no recommendations: ${await page.evaluate(() => window.geotwin.dispatch.lastError)}`);
      await page.evaluate((c) => window.geotwin.openIncident(c), code);
    }
    const recs = await page.evaluate(() => window.geotwin.dispatch.recommendations.units);
    const first = recs[0];
    assert.equal(first.etaBasis, "road", `the first is ranked by road: ${JSON.stringify(first)}`);
    recs.filter((u) => u.etaBasis === "road").forEach(assertEtaByKind);
    assert.ok(recs.filter((u) => u.etaBasis === "road").every((u) => u.etaSeconds >= first.etaSeconds), "no unit by road is faster");
    assert.match(await page.locator("[data-testid=dispatch-recommendations] li").first().innerText(), new RegExp(`${first.callSign} \\(${VOCABULARY.unitKinds[first.kind].label[0]}\\).*路网`));
    await page.locator(`[data-testid=dispatch-send][data-unit="${first.unitId}"]`).dispatchEvent("click");
    await waitFor(page, "dispatched", (u) => window.geotwin.dispatch.current?.units?.some((x) => x.unitId === u), first.unitId);
    // the crew's "en route" (the simulated device's report) reaches the screen, not only the database
    // (a refresh the hub triggered that timed out on a busy machine leaves the screen behind: the incident is opened
    // again, as a click in the list would, until it shows, up to a deadline, as drill (b) waits for its arrivals)
    const enRouteBy = Date.now() + 240000;
    for (;;) {
      const shown = await page.waitForFunction((u) => {
        const li = document.querySelector(`[data-testid=dispatch-units] li[data-unit="${u}"]`);
        return ["en_route", "on_scene"].includes(li?.dataset.unitStatus);
      }, first.unitId, { timeout: 60000 }).then(() => true, () => false);
      if (shown) break;
      if (Date.now() > enRouteBy) await waitFor(page, "en route on screen", () => false, null, 1); // fails, with the panel's state
      await page.evaluate((c) => window.geotwin.openIncident(c), code);
    }

    // it drives there (the simulator) and its arrival is recorded from its position (the arrival watcher), not by hand
    const lineM = Math.round(first.straightLineM);
    const etaS = Math.round(first.etaSeconds);
    await waitFor(page, "arrival recorded", (u) => window.geotwin.dispatch.current?.units?.find((x) => x.unitId === u)?.arrivedAt
      && window.geotwin.dispatch.trail.some((e) => e.kind === "arrival"), first.unitId, Math.max(240000, etaS * 4000));
    const assignment = (await api.get(`/api/incidents/${code}/detail`)).json.units.find((u) => u.unitId === first.unitId);
    assert.equal(assignment.arrivalHow, "position", JSON.stringify(assignment));

    // closed as "found", after the confirmation
    await page.locator("[data-testid=dispatch-disposition]").selectOption("found");
    await page.locator("[data-testid=dispatch-close]").dispatchEvent("click");
    assert.match(await page.locator("[data-testid=dispatch-confirm]").innerText(), /已找到/);
    await page.locator("[data-testid=dispatch-close-confirm]").dispatchEvent("click");
    await waitFor(page, "closed", () => window.geotwin.dispatch.current?.status === "closed" && window.geotwin.dispatch.trail.some((e) => e.kind === "close"));

    // the times on screen: every step of the trail, in order, at the API's instants, said as local time (no ISO, no epoch)
    const trail = (await api.get(`/api/incidents/${code}/trail`)).json;
    assert.deepEqual(trail.map((e) => e.kind).filter((k) => ["intake", "dispatch", "arrival", "close"].includes(k)), ["intake", "dispatch", "arrival", "close"]);
    const shown = await page.locator("[data-testid=dispatch-trail] li").evaluateAll((lis) => lis.map((li) => ({
      kind: li.dataset.kind, text: li.innerText, at: li.querySelector("time").getAttribute("datetime"), time: li.querySelector("time").textContent })));
    assert.deepEqual(shown.map((x) => [x.kind, x.at]), trail.map((e) => [e.kind, e.at]));
    for (const x of shown) {
      assert.equal(x.time, await page.evaluate((at) => new Date(at).toLocaleString("zh-CN"), x.at));
      assert.ok(!/T\d\d:|^\d{10}/.test(x.time), `local time, not ${x.time}`);
    }
    const at = Object.fromEntries(trail.map((e) => [e.kind, Date.parse(e.at)]));
    assert.ok(at.intake <= at.dispatch && at.dispatch <= at.arrival && at.arrival <= at.close, JSON.stringify(at));
    assert.match(shown.find((x) => x.kind === "arrival").text, /按定位自动确认/);
    assert.match(shown.find((x) => x.kind === "close").text, /已找到/);
    assert.match(await page.locator("[data-testid=dispatch-ended]").innerText(), /已结案 · 已找到/);
    await s.screenshot("drill-a-beach");
    t.diagnostic(`${lineM} m in a straight line, ETA ${etaS} s, dispatch to arrival ${((at.arrival - at.dispatch) / 1000).toFixed(0)} s, whole drill ${((Date.now() - started) / 1000).toFixed(0)} s`);
    code = null;
  } finally {
    if (code) await api.post(`/api/incidents/${code}/cancel`, { reason: "drill test ended early" });
  }
});

// (b) A hill fire at the edge of the jurisdiction: taken in by the place's name (the Jardin Exotique, on the cliff at
// Monaco's western border), the nearest units by road sent, two of them; the one the screen says is faster arrives
// first (the simulator drives each at its kind's pace, the one rule the ETA follows), and the trail shows every step.
browserTest("drill (b): a hill fire at the edge of the jurisdiction: the nearest units are sent, the fastest arrives first, the trail shows every step", { account: DISPATCHER }, async (s, t) => {
  const { page } = s;
  const api = await signedInApi(DISPATCHER);
  const hill = (await api.get("/api/search?q=Jardin%20Exotique&limit=20")).json.find((h) => h.kind === "place" && h.label === "Jardin Exotique");
  assert.ok(hill, "the demo has the Jardin Exotique as a named place");
  // at the edge: within 400 m of the jurisdiction's own outline
  const outline = (await api.get("/api/info")).json.jurisdiction.outline.flat();
  const edgeM = Math.min(...outline.map((p) => routeMetres([p, [hill.lon, hill.lat]])));
  assert.ok(edgeM < 400, `the hill is ${Math.round(edgeM)} m from the jurisdiction's edge`);
  let code = null;
  try {
    await page.goto("/", { timeout: 180000 }); // a loaded test machine takes long to parse the bundle
    await waitForReady(s);
    await waitFor(page, "dispatch hub", () => window.geotwin.dispatch?.hub === "connected", null, 120000);

    await page.locator("[data-testid=intake-open]").dispatchEvent("click");
    await page.locator("[data-testid=intake]").waitFor();
    await page.locator("[data-testid=intake-kind-address]").dispatchEvent("click");
    await page.locator("[data-testid=intake-address]").fill(hill.label);
    await page.locator("[data-testid=intake-category]").selectOption("fire");
    await page.locator("[data-testid=intake-priority]").selectOption("1");
    await page.locator("[data-testid=intake-description]").fill("brush fire on the hillside above the garden");
    await page.locator("[data-testid=intake-submit]").dispatchEvent("click");
    await waitFor(page, "incident registered on the hill", () => {
      const d = window.geotwin.dispatch;
      return (d.intake.created?.code && d.current?.code === d.intake.created.code) || d.intake.error;
    });
    const intakeError = await page.evaluate(() => window.geotwin.dispatch.intake.error);
    assert.equal(intakeError, null, `intake refused: ${intakeError}`);
    code = await page.evaluate(() => window.geotwin.dispatch.intake.created.code);

    const deadline = Date.now() + 240000;
    for (;;) {
      await waitFor(page, "recommendations", (c) => (window.geotwin.dispatch.current?.code === c && (window.geotwin.dispatch.recommendations?.units?.length ?? 0) > 1)
        || window.geotwin.dispatch.lastError, code);
      if (await page.evaluate(() => (window.geotwin.dispatch.recommendations?.units?.length ?? 0) > 1)) break;
      assert.ok(Date.now() < deadline, `fewer than two recommendations: ${await page.evaluate(() => window.geotwin.dispatch.lastError)}`);
      await page.evaluate((c) => window.geotwin.openIncident(c), code);
    }
    const recs = (await page.evaluate(() => window.geotwin.dispatch.recommendations.units)).filter((u) => u.etaBasis === "road");
    recs.forEach(assertEtaByKind);
    assert.ok(recs.length >= 2, `two units by road: ${JSON.stringify(recs)}`);
    // the nearest by road, and the next one whose ETA is clearly longer (so which arrives first is the drive's doing,
    // not the second's start a tick later); within ten minutes, so the drill stays a drill
    const fast = recs[0];
    const slow = recs.slice(1).find((u) => u.etaSeconds >= fast.etaSeconds * 1.5 + 30 && u.etaSeconds <= 600) ?? recs[1];
    for (const u of [fast, slow]) {
      await waitFor(page, `send button of ${u.callSign}`, (id) => document.querySelector(`[data-testid=dispatch-send][data-unit="${id}"]`), u.unitId);
      await page.locator(`[data-testid=dispatch-send][data-unit="${u.unitId}"]`).dispatchEvent("click");
      await waitFor(page, `${u.callSign} dispatched`, (id) => window.geotwin.dispatch.current?.units?.some((x) => x.unitId === id), u.unitId);
    }

    // the hub says when each arrives; a read that timed out on a busy machine leaves the screen behind, so the incident
    // is opened again (as a click in the list would) until both arrivals show, up to a deadline
    const arrivedBy = Date.now() + Math.max(300000, slow.etaSeconds * 4000);
    for (;;) {
      const both = await page.waitForFunction((ids) => ids.every((id) => window.geotwin.dispatch.current?.units?.find((x) => x.unitId === id)?.arrivedAt)
        && window.geotwin.dispatch.trail.filter((e) => e.kind === "arrival").length >= 2, [fast.unitId, slow.unitId], { timeout: 60000 }).then(() => true, () => false);
      if (both) break;
      assert.ok(Date.now() < arrivedBy, `both arrivals not on screen: ${JSON.stringify(await page.evaluate(() => window.geotwin.dispatch.current?.units))}`);
      await page.evaluate((c) => window.geotwin.openIncident(c), code);
    }
    const units = (await api.get(`/api/incidents/${code}/detail`)).json.units;
    const [a, b] = [fast, slow].map((u) => units.find((x) => x.unitId === u.unitId));
    assert.ok(a.arrivalHow === "position" && b.arrivalHow === "position", JSON.stringify(units));
    if (slow.etaSeconds >= fast.etaSeconds * 1.5 + 30)
      assert.ok(Date.parse(a.arrivedAt) <= Date.parse(b.arrivedAt), `${fast.callSign} (ETA ${fast.etaSeconds} s) arrived at ${a.arrivedAt}, after ${slow.callSign} (ETA ${slow.etaSeconds} s) at ${b.arrivedAt}`);

    await page.locator("[data-testid=dispatch-disposition]").selectOption("resolved");
    await page.locator("[data-testid=dispatch-close]").dispatchEvent("click");
    await page.locator("[data-testid=dispatch-close-confirm]").dispatchEvent("click");
    await waitFor(page, "closed", () => window.geotwin.dispatch.current?.status === "closed" && window.geotwin.dispatch.trail.some((e) => e.kind === "close"));

    // every step on screen, in order, at the API's instants, as local time: intake, two dispatches, two arrivals, the close
    const trail = (await api.get(`/api/incidents/${code}/trail`)).json;
    const steps = trail.map((e) => e.kind).filter((k) => ["intake", "dispatch", "arrival", "close"].includes(k));
    assert.deepEqual(steps, ["intake", "dispatch", "dispatch", "arrival", "arrival", "close"]);
    const shown = await page.locator("[data-testid=dispatch-trail] li").evaluateAll((lis) => lis.map((li) => ({
      kind: li.dataset.kind, text: li.innerText, at: li.querySelector("time").getAttribute("datetime"), time: li.querySelector("time").textContent })));
    assert.deepEqual(shown.map((x) => [x.kind, x.at]), trail.map((e) => [e.kind, e.at]));
    for (const x of shown) assert.equal(x.time, await page.evaluate((at) => new Date(at).toLocaleString("zh-CN"), x.at));
    const arrivals = shown.filter((x) => x.kind === "arrival");
    if (slow.etaSeconds >= fast.etaSeconds * 1.5 + 30) assert.match(arrivals[0].text, new RegExp(fast.callSign));
    assert.ok(shown.filter((x) => x.kind === "dispatch").every((x, i) => x.text.includes([fast, slow][i].callSign)), JSON.stringify(shown));
    await s.screenshot("drill-b-hill-fire");
    t.diagnostic(`${Math.round(edgeM)} m from the edge; ${fast.callSign} (${fast.kind}) ETA ${fast.etaSeconds} s arrived ${a.arrivedAt}; ${slow.callSign} (${slow.kind}) ETA ${slow.etaSeconds} s arrived ${b.arrivedAt}`);
    code = null;
  } finally {
    if (code) await api.post(`/api/incidents/${code}/cancel`, { reason: "drill test ended early" });
  }
});

// (c) A shift: ten calls over an hour, entered as they came in (each with the time its call was received: a
// call-taker's late entry, POST /api/incidents receivedAt), dispatched, arrived at, closed and cancelled in turn. After
// each step the commander's overview must count the open incidents by priority and status, mark exactly the overdue
// ones (vocabulary.json targets, from the call's time, on the server's clock) and time each from its call.
const COMMANDER = { username: "commander", password: "demo-commander" };
// ago: minutes before the drill's start the call came in; each at least 8 minutes from every target it could cross, so a
// slow run does not move an incident over a line. steps: what happens to it at step k (after incident k is taken in).
const SHIFT = [
  { ago: 58, priority: 3, category: "disturbance", steps: { 2: "dispatch", 3: "arrive", 5: "close" } },
  { ago: 52, priority: 2, category: "theft", steps: { 4: "dispatch" } },
  { ago: 46, priority: 4, category: "other", steps: {} },
  { ago: 40, priority: 1, category: "fight", steps: { 5: "dispatch", 6: "arrive" } },
  { ago: 34, priority: 3, category: "fraud", steps: { 7: "dispatch" } },
  { ago: 30, priority: 2, category: "snatching", steps: { 8: "cancel" } },
  { ago: 24, priority: 4, category: "other", steps: {} },
  { ago: 18, priority: 1, category: "robbery", steps: { 9: "dispatch" } },
  { ago: 10, priority: 4, category: "disturbance", steps: {} },
  { ago: 4, priority: 3, category: "theft", steps: {} },
];

/** The overdue rule as vocabulary.json states it (the page and the server each apply it; the drill checks both). */
function overdue(i, nowMs) {
  const target = VOCABULARY.incidentPriorities[String(i.priority)].targetMinutes;
  const minutes = (nowMs - Date.parse(i.receivedAt)) / 60000;
  return (!i.firstDispatchAt && minutes >= target.dispatch) || (!i.firstArrivalAt && minutes >= target.arrival);
}

browserTest("drill (c): a shift of ten calls over an hour: the overview's open counts by priority and status, overdue marks and timers at each step", { account: COMMANDER }, async (s, t) => {
  const { page } = s;
  const api = await signedInApi(DISPATCHER);
  const units = (await api.get("/api/units")).json.filter((u) => u.lon != null);
  // the whole record, not the latest 500: after the other tests (and the demo's own calls) the latest cluster in a few places
  const past = (await api.get("/api/incidents/?limit=5000")).json;
  const metres = (a, b) => Math.hypot((a.lon - b.lon) * 80500, (a.lat - b.lat) * 111200);
  const nearestUnit = (i) => Math.min(...units.map((u) => metres(u, i)));
  // ten places where incidents happen, the farthest from the units first (units sent there take a while to arrive)
  // 210 m apart: beyond intake's 200 m merge radius, so no call of the shift is offered as another's duplicate (at 250 m
  // the demo's record gave 9 to 11 places, by which incidents other tests had added)
  const spots = [...past].sort((a, b) => nearestUnit(b) - nearestUnit(a)).filter((p, i, all) => all.findIndex((q) => metres(p, q) < 210) === i).slice(0, 10);
  assert.equal(spots.length, 10, "ten distinct places of past incidents");

  await page.goto("/", { timeout: 180000 });
  await waitForReady(s);
  await page.waitForFunction(() => window.geotwin.overview?.summary && window.geotwin.overview.hub === "connected", null, { timeout: 120000 });
  await page.locator("[data-testid=overview-fold]").dispatchEvent("click");
  await page.locator(".overview-body").waitFor({ state: "visible" });
  const groups = (summary) => Object.fromEntries(summary.open.map((g) => [`${g.priority}/${g.status}`, g.count]));
  const start = Date.parse((await api.get("/api/overview")).json.now);

  const mine = []; // { code, ...plan, status }
  const codes = [];
  try {
    for (let k = 0; k < SHIFT.length; k++) {
      const plan = SHIFT[k];
      const created = await api.post("/api/incidents", { category: plan.category, priority: plan.priority, description: `shift call ${k + 1}`,
        receivedAt: new Date(start - plan.ago * 60e3).toISOString(), location: { lon: spots[k].lon, lat: spots[k].lat } });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      codes.push(created.json.code);
      mine.push({ ...plan, code: created.json.code, status: "new" });
      for (const m of mine) {
        const action = m.steps[k];
        if (!action) continue;
        if (action === "dispatch") {
          // an available unit: a P1 may be offered one already out (a diversion), whose status the simulator changes
          // under the test's feet (dispatched -> en route), and the server rightly refuses a stale seenStatus
          const offered = (await api.get(`/api/incidents/${m.code}/recommendations?k=5`)).json.units;
          const rec = offered.find((u) => u.eligible && u.status === "available") ?? offered[0];
          const r = await api.post(`/api/incidents/${m.code}/dispatch`, { units: [{ unitId: rec.unitId, seenStatus: rec.status }] });
          assert.equal(r.status, 200, JSON.stringify(r.json));
          m.unit = rec.unitId;
          m.status = "dispatched";
        } else if (action === "arrive") {
          const d = (await api.get(`/api/incidents/${m.code}/detail`)).json;
          // the simulator may have driven the unit there already (the arrival watcher recorded it): that is the arrival
          if (d.status !== "on_scene") assert.equal((await api.post(`/api/incidents/${m.code}/arrive`, { unitId: m.unit })).status, 200);
          m.status = "on_scene";
        } else if (action === "close") {
          assert.equal((await api.post(`/api/incidents/${m.code}/close`, { disposition: "resolved" })).status, 200);
          m.status = "closed";
        } else if (action === "cancel") {
          assert.equal((await api.post(`/api/incidents/${m.code}/cancel`, { reason: "caller rang back: no longer needed" })).status, 200);
          m.status = "cancelled";
        }
      }
      // The open incidents and the overview read together: the demo's call platform keeps taking calls of its own, so the
      // list is read before and after the overview until it did not change in between (a real state, not a pause).
      let summary, openList;
      for (let tries = 0; ; tries++) {
        const before = (await api.get("/api/incidents/?status=open&limit=5000")).json;
        summary = (await api.get("/api/overview")).json;
        openList = (await api.get("/api/incidents/?status=open&limit=5000")).json;
        const key = (list) => list.map((i) => `${i.code}/${i.status}`).sort().join();
        if (key(before) === key(openList)) break;
        assert.ok(tries < 10, "the open incidents kept changing under the drill");
      }
      // A dispatched incident may be on scene by now through the simulator: its status is the server's, checked against the plan.
      const listed = Object.fromEntries(openList.map((i) => [i.code, i]));
      const open = mine.filter((m) => ["new", "dispatched", "on_scene"].includes(m.status));
      for (const m of open) {
        const server = listed[m.code];
        assert.ok(server, `${m.code} (call ${mine.indexOf(m) + 1}) is open`);
        assert.ok(server.status === m.status || (m.status === "dispatched" && server.status === "on_scene"), `${m.code}: ${server.status}, planned ${m.status}`);
        m.now = server;
      }
      for (const m of mine.filter((x) => !open.includes(x))) assert.equal(listed[m.code], undefined, `${m.code} has ended`);

      // The page has caught up: every open one of ours listed with its status, the ended ones gone, and its strip counting
      // what its list holds (both come from one read; a call of the demo's platform in between is followed by another read).
      const want = open.map((m) => [m.code, m.now.status]);
      await Promise.resolve(page.waitForFunction(([w, gone]) => w.every(([c, st]) => document.querySelector(`[data-testid=overview-incidents] tr[data-code="${c}"]`)?.dataset.status === st)
        && gone.every((c) => !document.querySelector(`[data-testid=overview-incidents] tr[data-code="${c}"]`))
        && Number(document.querySelector("[data-testid=overview-open]")?.dataset.count) === document.querySelectorAll("[data-testid=overview-incidents] tr[data-code]").length,
      [want, mine.filter((x) => !open.includes(x)).map((x) => x.code)], { timeout: 90000 })).catch(async (err) => {
        // what the page held when it gave up: a read failing again and again, or a read that succeeded with other data
        const held = await page.evaluate(() => {
          const o = window.geotwin.overview;
          return { hub: o.hub, refreshes: o.refreshes, lastError: String(o.lastError ?? ""), openTotal: o.summary?.openTotal,
            rows: [...document.querySelectorAll("[data-testid=overview-incidents] tr[data-code]")].map((r) => `${r.dataset.code}/${r.dataset.status}`) };
        });
        throw new Error(`step ${k + 1}: the page did not catch up: want ${JSON.stringify(want)}; page ${JSON.stringify(held)}; ${err.message}`);
      });
      const serverNow = Date.parse(summary.now);

      // the server's counts: the others open plus ours as planned, by priority and status
      const expected = {};
      for (const i of openList.filter((x) => !codes.includes(x.code))) expected[`${i.priority}/${i.status}`] = (expected[`${i.priority}/${i.status}`] ?? 0) + 1;
      for (const m of open) expected[`${m.priority}/${m.now.status}`] = (expected[`${m.priority}/${m.now.status}`] ?? 0) + 1;
      const got = groups(summary);
      for (const key of new Set([...Object.keys(expected), ...Object.keys(got)])) assert.equal(got[key] ?? 0, expected[key] ?? 0, `step ${k + 1}: open ${key}`);

      // the page: the strip's counts as the server's, each of ours marked overdue exactly when the rule says, timed from its call
      const shown = await page.evaluate((cs) => ({
        open: Number(document.querySelector("[data-testid=overview-open]").dataset.count),
        listed: [...document.querySelectorAll("[data-testid=overview-incidents] tr[data-code]")].map((r) => Number(r.dataset.priority)),
        overdue: Number(document.querySelector("[data-testid=overview-overdue]").dataset.count),
        overdueRows: document.querySelectorAll("[data-testid=overview-incidents] tr[data-overdue=true]").length,
        priorities: Object.fromEntries([...document.querySelectorAll("[data-testid=overview-priorities] [data-priority]")].map((e) => [e.dataset.priority, Number(e.dataset.count)])),
        rows: Object.fromEntries(cs.map((c) => { const r = document.querySelector(`[data-testid=overview-incidents] tr[data-code="${c}"]`);
          return [c, r && { overdue: r.dataset.overdue === "true", since: r.querySelector("[data-role=since-intake]").textContent, sinceDispatch: r.querySelector("[data-role=since-dispatch]").textContent }]; })),
        skew: window.geotwin.overview.skewMs,
      }), open.map((m) => m.code));
      // the strip counts what the page lists, by priority (the server's counts were checked above)
      assert.equal(shown.open, shown.listed.length, `step ${k + 1}: open`);
      for (const p of ["1", "2", "3", "4"]) assert.equal(shown.priorities[p], shown.listed.filter((x) => String(x) === p).length, `step ${k + 1}: P${p}`);
      assert.equal(shown.overdue, shown.overdueRows, `step ${k + 1}: the overdue count is the rows marked`);
      for (const m of open) {
        const row = shown.rows[m.code];
        assert.equal(row.overdue, overdue(m.now, serverNow), `step ${k + 1}: ${m.code} (P${m.priority}, ${m.ago} min ago, ${m.now.status}) overdue`);
        // m:ss or h:mm:ss since the call (not since it was entered), on the server's clock: within a minute of the API's now
        const [a, b, c] = row.since.split(":").map(Number);
        const seconds = c === undefined ? a * 60 + b : a * 3600 + b * 60 + c;
        const want = (serverNow - Date.parse(m.now.receivedAt)) / 1000;
        assert.ok(Math.abs(seconds - want) < 60, `step ${k + 1}: ${m.code} shows ${row.since} since its call, ${Math.round(want)} s by the server`);
        assert.equal(row.sinceDispatch === "—", !m.now.firstDispatchAt, `step ${k + 1}: ${m.code} since dispatch ${row.sinceDispatch}`);
      }
      const ours = open.filter((m) => shown.rows[m.code].overdue).length;
      t.diagnostic(`step ${k + 1}: ${open.length} of ours open, ${ours} overdue; page open ${shown.open}, overdue ${shown.overdue}`);
    }
    await s.screenshot("drill-c-shift");
  } finally {
    for (const m of mine) if (["new", "dispatched", "on_scene"].includes(m.status)) await api.post(`/api/incidents/${m.code}/cancel`, { reason: "drill ended" });
  }
});
