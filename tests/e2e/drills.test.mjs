// The seeds' stories as drills through the real page (issue #20), each asserting the times on screen.
// (a) A child lost on a beach: the call-taker says where by the beach's name, the nearest unit by road is sent, the
// demo simulator drives it there, the arrival watcher records the arrival from its position, and the incident is
// closed as "found". No sleeps: every step waits for the state it needs, with a busy machine's deadline.
import assert from "node:assert/strict";
import { signedInApi } from "./api.mjs";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

const DISPATCHER = { username: "dispatcher", password: "demo-dispatcher" };

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

browserTest("drill (a): a child lost on a beach is taken in by the beach's name, the nearest unit drives there, arrives and the child is found", { account: DISPATCHER, pending: "failed in the full run of session 9: the first recommended unit (foot, ETA 131 s by road) was told to drive 1,716 m by the simulator and its status stayed 'dispatched' for 9 min (no en_route, no arrival); it had just come from the closing test's incident. Passed once against a fresh demo server (240 s). The dispatch ETA and the simulator's drive disagree for a unit already on a mission (#20)" }, async (s, t) => {
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
    assert.ok(recs.filter((u) => u.etaBasis === "road").every((u) => u.etaSeconds >= first.etaSeconds), "no unit by road is faster");
    assert.match(await page.locator("[data-testid=dispatch-recommendations] li").first().innerText(), new RegExp(`${first.callSign}.*路网`));
    await page.locator(`[data-testid=dispatch-send][data-unit="${first.unitId}"]`).dispatchEvent("click");
    await waitFor(page, "dispatched", (u) => window.geotwin.dispatch.current?.units?.some((x) => x.unitId === u), first.unitId);

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
