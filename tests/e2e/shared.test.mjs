// What every panel shares: the codes of server/GeoTwin.Domain/vocabulary.json said in words of the page
// language (never a raw code such as missing_person in the Chinese page), a language switch that re-labels
// every open panel, and a refused request whose server detail reaches the banner.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { signedInApi } from "./api.mjs";
import { ARTIFACTS_DIR } from "./browser.mjs";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

const DISPATCHER = { username: "dispatcher", password: "demo-dispatcher" };
// The shared file itself, read here as the server reads it: the page must agree with it.
const VOCABULARY = JSON.parse(readFileSync(new URL("../../server/GeoTwin.Domain/vocabulary.json", import.meta.url), "utf8"));
const codes = (list) => Object.keys(VOCABULARY[list]).filter((k) => !k.startsWith("_"));
const words = (list, lang) => codes(list).map((c) => VOCABULARY[list][c].label[lang === "en" ? 1 : 0]);
// A raw code on the page: any category, status or kind code as a whole word (theft, missing_person, en_route...).
const RAW_CODE = new RegExp(
  `\\b(${["incidentCategories", "incidentStatuses", "unitStatuses", "unitKinds"].flatMap(codes).join("|")})\\b`,
);
const CJK = /[\u3400-\u9fff\uff00-\uffef]/;

const optionTexts = (page, testid) => page.$$eval(`[data-testid=${testid}] option`, (os) => os.map((o) => o.textContent.trim()));
const text = (page, testid) => page.locator(`[data-testid=${testid}]`).innerText();

/**
 * A screenshot of the page, or of one panel cut from it (a panel whose timers tick is never "stable" for an
 * element shot); a frame can take long under SwiftShader on a busy machine.
 */
async function shot(page, name, testid) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const clip = testid ? await page.locator(`[data-testid=${testid}]`).boundingBox() : undefined;
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), clip, timeout: 120000 });
}

/** Wait for predicate (a page function); on timeout say what the page held. */
async function waitFor(page, what, predicate, arg, timeout = 90000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 250 });
  } catch (err) {
    const held = await page.evaluate(() => ({
      dispatch: { hub: window.geotwin.dispatch?.hub, incidents: window.geotwin.dispatch?.incidents?.length, lastError: window.geotwin.dispatch?.lastError },
      live: { ...window.geotwin.live?.state, units: window.geotwin.live?.units().length },
      banner: document.querySelector("[data-testid=error-banner]")?.innerText,
    }));
    throw new Error(`${what}: ${JSON.stringify(held).slice(0, 1500)}`, { cause: err });
  }
}

browserTest("(a, b) categories and statuses in words of the vocabulary in zh-CN, and the language switch re-labels every open panel", { account: DISPATCHER }, async (s) => {
  const { page } = s;
  // An open incident of the category the review saw raw (missing_person), where a past one happened (inside the jurisdiction).
  const api = await signedInApi(DISPATCHER);
  const past = (await api.get("/api/incidents/?limit=50")).json;
  assert.ok(past.length > 0, "the demo has no incidents");
  const created = await api.post("/api/incidents", { category: "missing_person", priority: 1, location: { lon: past[0].lon, lat: past[0].lat } });
  assert.equal(created.status, 201, `intake failed: ${created.buffer}`);
  const code = created.json.code;

  await page.goto("/", { timeout: 120000 }); // the first load can be slow on a busy machine
  await waitForReady(s);
  await waitFor(page, "dispatch list, incident filter and live units", (code) => {
    const g = window.geotwin;
    return g.dispatch?.hub === "connected" && g.dispatch.incidents.some((i) => i.code === code) &&
      !document.querySelector("[data-testid=incident-filter]").hidden && g.live.units().length > 0;
  }, code);
  await page.click(`[data-testid=dispatch-list] [data-code="${code}"]`, { timeout: 90000 }); // slow when the machine is busy
  await waitFor(page, "the incident opened in the dispatch panel", (code) => window.geotwin.dispatch.current?.code === code, code);
  await page.locator("[data-testid=live-list] li").first().click({ timeout: 90000 });
  await waitFor(page, "a unit's details", () => !document.querySelector("[data-testid=live-detail]").hidden);

  // (a) zh-CN: every category offered or shown in the vocabulary's Chinese words, no raw code anywhere
  const zhCategories = words("incidentCategories", "zh");
  const zhGroups = Object.values(VOCABULARY.incidentCategoryGroups).map((g) => g.label[0]);
  assert.deepEqual((await optionTexts(page, "incident-category")).slice(1), [...zhCategories, ...zhGroups], "incident filter");
  assert.deepEqual(await optionTexts(page, "dispatch-category"), zhCategories, "dispatch intake categories");
  assert.deepEqual(await optionTexts(page, "dispatch-priority"), words("incidentPriorities", "zh"), "dispatch priorities");
  assert.deepEqual((await optionTexts(page, "live-filter")).slice(1), words("unitStatuses", "zh"), "live status filter");
  const zh = {
    dispatch: await text(page, "dispatch-panel"),
    layers: await text(page, "layers-panel"),
    live: await text(page, "live-panel"),
  };
  for (const [panel, shown] of Object.entries(zh)) assert.doesNotMatch(shown, RAW_CODE, `a raw code in the ${panel} panel:\n${shown}`);
  const current = await text(page, "dispatch-current");
  assert.ok(current.includes(VOCABULARY.incidentCategories.missing_person.label[0]), `no 人员走失 in ${current}`);
  assert.ok(current.includes(VOCABULARY.incidentStatuses.new.label[0]), `no 新警情 in ${current}`);
  assert.ok(current.includes(VOCABULARY.incidentPriorities["1"].label[0]), `no 一级 in ${current}`);
  await shot(page, "shared-dispatch-zh", "dispatch-panel");
  await shot(page, "shared-layers-zh", "layers-panel");
  await shot(page, "shared-zh");

  // (b) English: the same panels, still open, in English words, without a sign-in again or a new hub connection
  const negotiations = s.requests.filter((u) => u.includes("/negotiate")).length;
  await page.click("[data-testid=lang-toggle]");
  await waitFor(page, "the page in English", () => document.documentElement.lang === "en");
  assert.deepEqual((await optionTexts(page, "incident-category")).slice(1), [...words("incidentCategories", "en"), ...Object.values(VOCABULARY.incidentCategoryGroups).map((g) => g.label[1])]);
  assert.deepEqual(await optionTexts(page, "dispatch-category"), words("incidentCategories", "en"));
  assert.deepEqual(await optionTexts(page, "dispatch-priority"), words("incidentPriorities", "en"));
  assert.deepEqual((await optionTexts(page, "live-filter")).slice(1), words("unitStatuses", "en"));
  const enCurrent = await text(page, "dispatch-current");
  for (const w of ["missing person", VOCABULARY.incidentStatuses.new.label[1], VOCABULARY.incidentPriorities["1"].label[1]])
    assert.ok(enCurrent.includes(w), `no "${w}" in ${enCurrent}`);

  // Nothing Chinese left in the panels but the names that are data (call signs, stations, places, layer titles without English).
  const names = await page.evaluate(() => [
    ...window.geotwin.live.units().flatMap((u) => [u.callSign, u.station]),
    ...(window.geotwin.dispatch.recommendations?.units ?? []).flatMap((u) => [u.callSign, u.divertFrom]),
    ...(window.geotwin.layers?.layers ?? []).filter((l) => !l.title?.en).map((l) => l.title?.zh),
    ...(window.geotwin.imagery ?? []).map((i) => i.name),
    ...[...document.querySelectorAll("[data-testid=incident-camera]")].map((b) => b.dataset.name),
    window.geotwin.user.displayName,
    "中文", // the language button names the other language in its own words
  ].filter(Boolean));
  const strip = (shown) => names.reduce((rest, n) => rest.split(n).join(""), shown);
  for (const panel of ["dispatch-panel", "live-panel", "layers-panel", "topbar"]) {
    const shown = await text(page, panel);
    assert.doesNotMatch(strip(shown), CJK, `Chinese words left in ${panel} after the switch:\n${shown}`);
  }
  const person = await page.evaluate(() => window.geotwin.user.displayName);
  assert.equal(await text(page, "user"), `${person} · ${VOCABULARY.roles.dispatcher.label[1]}`);
  assert.equal(s.requests.filter((u) => u.includes("/negotiate")).length, negotiations, "the language switch reconnected a hub");
  await shot(page, "shared-en");
  assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
});

browserTest("(c) a refused intake outside the jurisdiction shows the server's detail, not only its status", { account: DISPATCHER }, async (s) => {
  const { page } = s;
  const api = await signedInApi(DISPATCHER);
  const [, , east, north] = (await api.get("/api/info")).json.jurisdiction.bbox;
  await page.goto("/", { timeout: 120000 }); // the first load can be slow on a busy machine
  await waitForReady(s);
  await waitFor(page, "the dispatch panel", () => window.geotwin.dispatch?.hub === "connected" && window.geotwin.view === "jurisdiction");
  // 3 km beyond the jurisdiction's north-east corner
  await page.evaluate(([lon, lat]) => window.geotwin.flyTo(lon, lat, 700), [east + 0.03, north + 0.03]);
  await page.waitForFunction(() => window.geotwin.view === "point", null, { timeout: 60000 });

  await page.click("[data-testid=dispatch-new]");
  const refused = page.waitForResponse((r) => r.url().endsWith("/api/incidents") && r.request().method() === "POST", { timeout: 30000 });
  const box = await page.locator("[data-testid=map]").boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const answer = await refused;
  assert.equal(answer.status(), 422);
  const problem = await answer.json();
  assert.ok(problem.detail?.length > 10, `the server's answer has no detail: ${JSON.stringify(problem)}`);

  await waitFor(page, "the banner", (detail) => document.querySelector("[data-testid=error-banner]")?.innerText.includes(detail), problem.detail, 15000);
  const banner = await text(page, "error-banner");
  assert.match(banner, /422/, banner);
  assert.match(banner, /服务器拒绝了请求/, `the banner is not in the page language: ${banner}`);
  assert.ok((await text(page, "dispatch-error")).includes(problem.detail), "the dispatch panel does not say why");
  await shot(page, "shared-refused");
});
