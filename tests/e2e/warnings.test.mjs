// The four-colour warnings over the demo (issue #17): the demo's call-handling platform serves new calls, the demo's
// connector pulls them, and a community officer watching the warnings panel sees a compound of their station turn from
// orange to red on the map, the alert arrive live, and the place's incidents and history on a click; all in Chinese
// words (no raw level or kind codes), times local. The test pushes the calls into the platform itself and asks for a
// pull at once (admin "pull now"), so it waits for states, never for the clock.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { signedInApi } from "./api.mjs";
import { ARTIFACTS_DIR } from "./browser.mjs";
import { RENDER_TIMEOUT_MS, assertApart, browserTest, waitForReady } from "./pageHelpers.mjs";

const OFFICER = { username: "officer", password: "demo-officer" };
const VOCABULARY = JSON.parse(readFileSync(new URL("../../server/GeoTwin.Domain/vocabulary.json", import.meta.url), "utf8"));
const LEVEL_COLOUR = Object.fromEntries(Object.entries(VOCABULARY.warnings.levels).map(([k, v]) => [k, v.color.toLowerCase()]));
// A raw code on the Chinese page: a level, kind, warning or category code as a whole word.
const RAW_CODE = /\b(none|yellow|orange|red|black|one_short_of_\w+|compound|village|unit_premises|patrol_zone|theft|robbery|snatching|new|dispatched)\b/;

async function shot(page, name) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), timeout: 240000 }); // SwiftShader on a shared machine
}

/** Wait for a predicate over window.geotwin.warnings; on timeout say what the panel held. */
async function waitForWarnings(page, what, predicate, arg, timeout = 120000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 250 });
  } catch (err) {
    const held = await page.evaluate((code) => {
      const w = window.geotwin.warnings;
      return { visible: w?.visible, hub: w?.hub, loading: w?.loading, lastError: w?.lastError, place: w?.places?.[code], alerts: w?.alerts?.slice(0, 3),
        banner: document.querySelector("[data-testid=error-banner]")?.innerText };
    }, typeof arg === "string" ? arg : arg?.[0]);
    throw new Error(`${what}: ${JSON.stringify(held).slice(0, 2000)}`, { cause: err });
  }
}

/** The fill colour Cesium holds for a place's polygons (what the map draws), as #rrggbb. */
const drawnColour = (page, id) =>
  page.evaluate((id) => {
    const e = window.geotwin.viewer.entities.values.find((x) => x.properties?.warningPlaceId?.getValue() === id);
    return e ? e.polygon.material.color.getValue().toCssHexString().slice(0, 7) : null;
  }, id);

browserTest("new calls pulled from the demo platform turn an orange compound red on the map and raise an alert", { account: OFFICER }, async (s) => {
  const { page } = s;
  page.setDefaultTimeout(RENDER_TIMEOUT_MS); // every click waits for a stable element, which takes the globe's frames: slow on a busy machine
  const admin = await signedInApi();
  const officer = await signedInApi(OFFICER);
  const source = await admin.get("/api/warnings/pull/source");
  assert.equal(source.status, 200);
  assert.ok(source.json.demoPlatform, `the demo pulls from its platform: ${JSON.stringify(source.json)}`);
  assert.equal(source.json.url, `${source.json.demoPlatform}/jq/incidents`);
  const platform = source.json.demoPlatform;

  // A compound of the officer's station with no incident yet this month (early in a month most have none).
  const places = (await officer.get("/api/warnings/places")).json;
  const candidates = places.places.filter((p) => p.kind === "compound" && p.count === 0).sort((a, b) => a.id - b.id).slice(0, 5);
  assert.ok(candidates.length > 0, "the officer's station has a compound without incidents this month");
  let place = candidates[0];

  /** Calls at the place in the platform, then a pull now; returns the place's level the server then reports. */
  async function callsAndPull(count) {
    const pushed = await fetch(`${platform}/jq/demo/incidents`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ place: place.code, count, category: "theft" }),
    });
    assert.equal(pushed.status, 200, `the platform took the calls: ${await pushed.clone().text()}`);
    const runs = await admin.post("/api/warnings/pull/run", {});
    assert.equal(runs.status, 200);
    assert.ok(runs.json[0].ok, `the pull ran: ${JSON.stringify(runs.json[0])}`);
    const now = (await officer.get("/api/warnings/places")).json.places.find((p) => p.id === place.id);
    return now;
  }

  // Two thefts: orange, before the page opens (as it would be found). A compound inside a preferred place (a unit's
  // premises around it) never gets its own incidents: the next candidate is taken then.
  let orange = null;
  for (place of candidates) if ((orange = await callsAndPull(2)).level === "orange") break;
  assert.equal(orange.level, "orange", `two thefts make a compound orange: ${JSON.stringify(orange)}`);

  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto("/", { timeout: 120000 });
  await waitForReady(s);
  await waitForWarnings(page, "the warnings panel with this month's places and live alerts connected", (code) => {
    const w = window.geotwin.warnings;
    return w?.visible && w.loading === 0 && w.places[code] && w.hub === "connected";
  }, place.code);
  // Folded, the panel colours nothing (its switch is inside it), so the map's legend has no warning rows either.
  const folded = await page.evaluate(() => ({ drawn: window.geotwin.warnings.drawn, legend: window.geotwin.legend.state.groups.map((g) => g.name) }));
  assert.equal(folded.drawn, 0, "no warning colours on the map while the panel is folded");
  assert.ok(!folded.legend.includes("warnings"), `no warning rows in the map's legend while folded: ${folded.legend}`);
  await page.click("[data-testid=warnings-toggle]", { timeout: 120000 });
  await waitForWarnings(page, "the places coloured once the panel is open", () => window.geotwin.warnings.drawn > 0);
  assert.equal(await drawnColour(page, place.id), LEVEL_COLOUR.orange, "the map draws the compound orange");
  const legend = await page.locator("[data-testid=warnings-legend]").innerText();
  for (const words of ["黄色预警 (1–1)", "橙色预警 (2–3)", "红色预警 (4–5)", "黑色预警 (6 起及以上)"]) assert.ok(legend.includes(words), `the legend: ${legend}`);
  // The map's legend names every colour drawn, with its words, in Chinese and in English.
  const mapLegend = () => page.evaluate(() => {
    const group = document.querySelector("[data-testid=legend] [data-legend=warnings]");
    const levels = [...new Set(Object.values(window.geotwin.warnings.places).map((p) => p.level))];
    return { levels, title: group?.querySelector("h4")?.innerText, visible: Boolean(group?.checkVisibility()),
      rows: [...(group?.querySelectorAll("li") ?? [])].map((li) => ({ text: li.innerText, colour: li.querySelector(".legend-swatch").style.getPropertyValue("--c").toLowerCase() })) };
  });
  const checkMapLegend = (drawn, lang) => {
    assert.ok(drawn.visible, `the map's legend shows the warning group (${lang})`);
    assert.ok(drawn.levels.includes("orange"));
    assert.equal(drawn.rows.length, drawn.levels.length, `one row a colour drawn (${lang}): ${JSON.stringify(drawn)}`);
    for (const level of drawn.levels) {
      const row = drawn.rows.find((r) => r.colour === LEVEL_COLOUR[level]);
      const word = VOCABULARY.warnings.levels[level].label[lang === "zh" ? 0 : 1];
      assert.ok(row?.text.startsWith(`${word} (`), `the legend names ${level} (${lang}): ${JSON.stringify(drawn.rows)}`);
    }
  };
  const zh = await mapLegend();
  assert.equal(zh.title, "四色预警（本月两抢一盗起数）");
  checkMapLegend(zh, "zh");
  assert.ok(zh.rows.some((r) => r.text === "橙色预警 (2–3)"), `the orange row with its counts: ${JSON.stringify(zh.rows)}`);
  await page.click("[data-testid=lang-toggle]", { timeout: 120000 });
  await page.waitForFunction(() => document.querySelector("[data-testid=legend] [data-legend=warnings] h4")?.innerText.startsWith("Four-colour"), null, { timeout: 30000 });
  const en = await mapLegend();
  checkMapLegend(en, "en");
  assert.ok(en.rows.some((r) => r.text === "orange (2–3)"), `the orange row in English: ${JSON.stringify(en.rows)}`);
  await page.click("[data-testid=lang-toggle]", { timeout: 120000 });
  await page.waitForFunction(() => document.querySelector("[data-testid=legend] [data-legend=warnings] h4")?.innerText.startsWith("四色预警"), null, { timeout: 30000 });
  // The whole jurisdiction is in view (Monaco is small): no flight, so the screenshot waits for no new imagery.
  await shot(page, "warnings-orange-1366");

  // Two more: red. The alert comes over the hub, the panel reads the places again, the map turns red.
  const alertsBefore = await page.evaluate(() => window.geotwin.warnings.alerts.length);
  const red = await callsAndPull(2);
  assert.equal(red.level, "red");
  await waitForWarnings(page, "the red alert and the compound red", (code) => {
    const w = window.geotwin.warnings;
    return w.places[code]?.level === "red" && w.alerts.some((a) => a.placeCode === code && a.kind === "red") && w.loading === 0;
  }, place.code);
  assert.ok((await page.evaluate(() => window.geotwin.warnings.alerts.length)) > alertsBefore, "a new alert is listed");
  await page.waitForFunction(([id, colour]) => {
    const e = window.geotwin.viewer.entities.values.find((x) => x.properties?.warningPlaceId?.getValue() === id);
    return e?.polygon.material.color.getValue().toCssHexString().slice(0, 7) === colour;
  }, [place.id, LEVEL_COLOUR.red], { timeout: 30000, polling: 250 });
  const alert = page.locator(`[data-testid=warnings-alert][data-code="${place.code}"][data-kind=red]`);
  const alertText = await alert.innerText();
  assert.match(alertText, /达到红色预警（4 起）/, `the alert in words: ${alertText}`);
  assert.match(alertText, /\d{4}\/\d{1,2}\/\d{1,2}/, `the alert's local time: ${alertText}`);
  const listed = page.locator(`[data-testid=warnings-list-item][data-code="${place.code}"]`);
  assert.equal(await listed.getAttribute("data-level"), "red", "the compound is in the list of red places");
  assert.match(await listed.innerText(), /比上月/, "with its change on last month");

  // A leader turns the warning into an instruction: the place's details list it with its status, holder and deadline.
  const task = `排查小区车棚 ${Date.now()}`;
  const raised = await (await signedInApi({ username: "commander", password: "demo-commander" })).post("/api/warnings/instructions", { placeId: place.id, task, hours: 48 });
  assert.equal(raised.status, 201, JSON.stringify(raised.json));

  // A click: the place's incidents this month, its history and its instructions.
  await listed.click();
  await waitForWarnings(page, "the place's details", (code) => window.geotwin.warnings.place === code, place.code);
  const incidents = await page.locator("[data-testid=warnings-place-incidents] li").allInnerTexts();
  assert.equal(incidents.length, 4, `four thefts this month: ${incidents}`);
  assert.ok(incidents.every((i) => i.includes("盗窃")), `categories in words: ${incidents}`);
  const history = await page.locator("[data-testid=warnings-place-history]").innerText();
  assert.match(history, /橙色预警 → 红色预警（4 起）/, `the history: ${history}`);
  const instructions = await page.locator("[data-testid=warnings-place-instructions] li").allInnerTexts();
  const ours = instructions.find((i) => i.includes(task));
  assert.ok(ours, `the instruction raised is listed: ${instructions}`);
  assert.ok(ours.includes(VOCABULARY.instructions.statuses[raised.json.status].label[0]) && ours.includes(raised.json.assigneeName) && ours.includes("期限"),
    `its status in words, holder and deadline: ${ours}`);
  // The officer may read the responsible people (the server logs it).
  await page.click("[data-testid=warnings-show-people]");
  await page.waitForSelector("[data-testid=warnings-place-people] li", { timeout: 30000 });
  assert.match(await page.locator("[data-testid=warnings-place-people]").innerText(), /\+999 /);

  const panelText = await page.locator("[data-testid=warnings-panel]").innerText();
  assert.doesNotMatch(panelText, RAW_CODE, `no raw code on the Chinese panel: ${panelText.match(RAW_CODE)?.[0]}`);
  await shot(page, "warnings-red-1366");

  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "warnings-red-phone");
  const phone = { width: 390, height: 844 };
  // The open panel is a sheet clear of the legend, the live units and the rate panel's bar (the layers panel, open
  // from the wide screen, is the user's to fold).
  await assertApart(page, ["warnings-panel", "legend", "live-panel", "rates-panel"], phone);
  // Opening the rate panel folds the warnings on a phone (both take the same sheet): their colours leave the map.
  await page.click("[data-testid=rates-toggle]", { timeout: 120000 });
  await waitForWarnings(page, "the warnings folded by the rate panel", () => !window.geotwin.warnings.open && window.geotwin.warnings.drawn === 0 && window.geotwin.rates.open);
  await assertApart(page, ["warnings-panel", "legend", "live-panel", "rates-panel"], phone);
  await shot(page, "warnings-phone-rates-open");
});
