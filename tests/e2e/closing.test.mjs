// Closing an incident in the real page: a disposition from the one list, said back for confirmation before it is
// done; the incident's whole trail on screen (translated steps, local times, who) and exported as CSV.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { signedInApi } from "./api.mjs";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

const DISPATCHER = { username: "dispatcher", password: "demo-dispatcher" };
const VOCABULARY = JSON.parse(readFileSync(new URL("../../server/GeoTwin.Domain/vocabulary.json", import.meta.url), "utf8"));

browserTest("a dispatcher closes an incident as 'found' after confirming, and its trail is on screen and exported as CSV", { account: DISPATCHER }, async (s) => {
  const { page } = s;
  const api = await signedInApi(DISPATCHER);
  const spot = (await api.get("/api/incidents/?limit=50")).json.find((i) => i.status !== "merged");
  const created = await api.post("/api/incidents", { category: "missing_person", priority: 1, description: "closing test", location: { lon: spot.lon, lat: spot.lat } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const code = created.json.code;
  const unit = (await api.get(`/api/incidents/${code}/recommendations?k=3`)).json.units[0];
  assert.equal((await api.post(`/api/incidents/${code}/dispatch`, { units: [{ unitId: unit.unitId, seenStatus: unit.status }] })).status, 200);

  await page.goto("/", { timeout: 180000 }); // a loaded test machine takes long to parse the bundle
  await page.waitForFunction(() => document.querySelector("[data-testid=status]")?.dataset.state === "ready", null, { timeout: 180000 }); // a busy machine
  await waitForReady(s);
  await page.waitForFunction(() => window.geotwin.dispatch?.hub === "connected", null, { timeout: 90000 });
  // Open it as a click in the list would (the list may still be loading on a busy machine); a read that timed out
  // on the way (the panel says why) is tried again, up to a deadline.
  const deadline = Date.now() + 180000;
  for (;;) {
    await page.evaluate((c) => window.geotwin.openIncident(c), code);
    await page.waitForFunction((c) => {
      const d = window.geotwin.dispatch;
      return (d.current?.code === c && d.trail.length >= 2) || d.lastError;
    }, code, { timeout: 90000 });
    if (await page.evaluate((c) => window.geotwin.dispatch.current?.code === c && window.geotwin.dispatch.trail.length >= 2, code)) break;
    assert.ok(Date.now() < deadline, `the incident did not open: ${await page.evaluate(() => window.geotwin.dispatch.lastError)}`);
  }

  // The panel sets its state (detail, trail) before it asks for the recommendations and draws only after them, so
  // the state above can be there before the page shows it: wait for the drawn incident's closing form.
  await page.locator(`[data-testid=dispatch-current][data-code="${code}"] [data-testid=dispatch-disposition]`).waitFor({ state: "attached", timeout: 90000 });
  // the disposition comes from the vocabulary's list, in words
  const options = await page.locator("[data-testid=dispatch-disposition] option").evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  const listed = Object.keys(VOCABULARY.incidentDispositions).filter((k) => !k.startsWith("_"));
  assert.deepEqual(options.map(([v]) => v), listed);
  assert.deepEqual(options.map(([, words]) => words), listed.map((k) => VOCABULARY.incidentDispositions[k].label[0]));
  await page.locator("[data-testid=dispatch-disposition]").selectOption("found");
  await page.locator("[data-testid=dispatch-close]").dispatchEvent("click");
  // said back first; going back leaves the incident open
  const confirm = await page.locator("[data-testid=dispatch-confirm]").textContent();
  assert.ok(confirm.includes(code) && confirm.includes("已找到"), confirm);
  await page.locator("[data-testid=dispatch-close-back]").dispatchEvent("click");
  assert.notEqual((await api.get(`/api/incidents/${code}/detail`)).json.status, "closed");
  await page.locator("[data-testid=dispatch-close]").dispatchEvent("click");
  await page.locator("[data-testid=dispatch-close-confirm]").dispatchEvent("click");
  await page.waitForFunction(() => window.geotwin.dispatch.current?.status === "closed", null, { timeout: 90000 }); // a busy machine
  const detail = (await api.get(`/api/incidents/${code}/detail`)).json;
  assert.equal(detail.status, "closed");
  assert.equal(detail.disposition, "found");
  assert.match(await page.locator("[data-testid=dispatch-ended]").textContent(), /已结案 · 已找到/);

  // the trail on screen: every step the API has, in order, with words and local times, never raw codes
  const trail = (await api.get(`/api/incidents/${code}/trail`)).json;
  const kinds = trail.map((e) => e.kind);
  for (const k of ["intake", "dispatch", "unit_released", "close"]) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
  await page.waitForFunction((n) => document.querySelectorAll("[data-testid=dispatch-trail] li").length === n, trail.length, { timeout: 15000 });
  const shown = await page.locator("[data-testid=dispatch-trail] li").evaluateAll((lis) => lis.map((li) => ({ kind: li.dataset.kind, text: li.textContent, time: li.querySelector("time").textContent })));
  assert.deepEqual(shown.map((x) => x.kind), kinds);
  for (const x of shown) {
    assert.ok(!/\b(unit_released|merge_offer|by_hand|eta_seconds)\b/.test(x.text), `raw code on screen: ${x.text}`);
    assert.ok(!/^\d{10}/.test(x.time) && !x.time.includes("T"), `time as local time: ${x.time}`);
  }
  assert.ok(shown.find((x) => x.kind === "close").text.includes("已找到"));
  assert.ok(shown.find((x) => x.kind === "dispatch").text.includes(unit.callSign));

  // exported: one row a step after the incident line and the header, same steps, in the page's language
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("[data-testid=dispatch-trail-export]").dispatchEvent("click")]);
  const csv = readFileSync(await download.path(), "utf8").replace(/^\ufeff/, "");
  const lines = csv.trim().split(/\r\n/);
  assert.equal(lines.length, trail.length + 2, csv);
  assert.ok(lines[0].includes(code));
  assert.ok(lines[1].startsWith("时间（本地）"));
  assert.ok(lines.at(-1).includes("结案") && lines.at(-1).includes("已找到"), lines.at(-1));
  assert.ok(download.suggestedFilename().startsWith(code));
  await s.screenshot("closing-trail");
});
