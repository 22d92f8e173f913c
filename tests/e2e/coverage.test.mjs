// The planner's camera coverage over the demo (issue #18): the fields of view and the blind streets show with a
// legend in words, a camera's real visibility draws, the shares per area and the neediest streets are listed;
// five suggestions come with the optimality gap said in words, accepting one plans a camera and the covered
// share rises. Screenshots at 1366x768 and 1920x1080.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS_DIR } from "./browser.mjs";
import { browserTest, closeBannerWhenInTheWay, flyAndRender, waitForGlobeRendered, waitForReady } from "./pageHelpers.mjs";

const PLANNER = { username: "planner", password: "demo-planner" };
const PANEL = "[data-testid=coverage-panel]";
// Codes that must never show raw on the Chinese page: camera statuses and owners, area kinds, request words.
const RAW_CODE = /\b(online|offline|fault|planned|government|social|station|responsibility_area|community|ptz|fixed|incidents|streets|imported)\b/;

async function shot(page, name) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), timeout: 300000 });
}

/** Wait for a predicate over window.geotwin.coverage; on timeout say what the panel held. */
async function waitForCoverage(page, what, predicate, arg, timeout = 240000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 250 });
  } catch (err) {
    const held = await page.evaluate(() => {
      const c = window.geotwin.coverage;
      return {
        visible: c?.visible, loading: c?.loading, computing: c?.computing, lastError: c?.lastError, drawn: c?.drawn(),
        share: c?.streets?.share, placement: c?.placement ? { k: c.placement.k, greedy: c.placement.greedy.length } : null,
        state: document.querySelector("[data-testid=coverage-state]")?.innerText,
        banner: document.querySelector("[data-testid=error-banner]")?.innerText,
      };
    });
    throw new Error(`${what}: ${JSON.stringify(held).slice(0, 2000)}`, { cause: err });
  }
}

browserTest("a planner sees the wedges and the blind streets, asks for 5 suggestions, accepts one and the covered share rises", { account: PLANNER, pending: "not yet seen passing (#18): three runs on 3 Dec (load 30-35, then 5-25 on 2 cores) got through the cameras, wedges, legend, shares and one camera's visibility; then the globe flown to 1500 m over the camera never reported its tiles loaded within 150 s (twice, the second time as the load fell), and before that change the screenshot there waited 300 s for a frame. Placement and acceptance not reached. Next: find whether the 471 ground-clamped wedges and clamped points keep the globe from settling (try it with the cameras layer off), or take the shot at the jurisdiction view. The error banner over the toggle (the reason before) is now closed whenever it is in the way" }, async (s) => {
  const { page } = s;
  await closeBannerWhenInTheWay(page);
  await page.goto("/", { timeout: 120000 });
  await waitForReady(s);
  await waitForCoverage(page, "the panel for a planner, after the flight to the jurisdiction", () =>
    window.geotwin.coverage?.visible && window.geotwin.view === "jurisdiction");
  assert.equal(await page.locator(PANEL).isVisible(), true, "the coverage panel shows for a planner");
  await page.click("[data-testid=coverage-toggle]", { timeout: 120000 });

  // the cameras' wedges and the blind streets, drawn
  await waitForCoverage(page, "cameras and street coverage drawn", () => {
    const c = window.geotwin.coverage;
    return c.loading === 0 && (c.lastError || (c.streets && c.drawn().cameras > 0 && c.drawn().blind > 0));
  });
  const first = await page.evaluate(() => {
    const c = window.geotwin.coverage;
    return { lastError: c.lastError, cameras: c.cameras.length, drawn: c.drawn(), blind: c.blind, share: c.streets.share,
      segments: c.streets.segments.length, areas: c.streets.areas.length, neediest: c.streets.neediest.length, camera: c.cameras.find((x) => x.status === "online") };
  });
  assert.equal(first.lastError, null);
  assert.ok(first.cameras >= 100, `the demo's cameras are listed: ${first.cameras}`);
  assert.equal(first.drawn.cameras, first.cameras, "every camera has its wedge");
  assert.ok(first.blind > 0 && first.blind < first.segments, `some but not all segments are blind: ${first.blind} of ${first.segments}`);
  assert.ok(first.share > 0 && first.share < 1, `a share between 0 and 1: ${first.share}`);
  assert.ok(first.areas >= 2 && first.neediest >= 1, `areas ${first.areas}, neediest ${first.neediest}`);

  // the legend and the figures in words, no raw code
  const legend = await page.locator("[data-testid=coverage-legend]").innerText();
  for (const words of ["在线", "离线", "规划中", "公安自建", "社会面", "无摄像机覆盖的路段"]) assert.ok(legend.includes(words), `the legend names ${words}: ${legend}`);
  assert.match(await page.locator("[data-testid=coverage-total]").innerText(), /覆盖 [\d.]+%/);
  assert.ok((await page.locator("[data-testid=coverage-areas] tbody tr").count()) >= 2, "the per-area table has rows");
  assert.ok(/派出所|责任区|社区/.test(await page.locator("[data-testid=coverage-areas]").innerText()), "area kinds in words");

  // one camera's real visibility, on demand
  await page.evaluate((id) => window.geotwin.coverage.showVisibility(id), first.camera.id);
  await waitForCoverage(page, "the camera's visibility drawn", () => window.geotwin.coverage.drawn().visibility > 0 || window.geotwin.coverage.lastError);
  assert.match(await page.locator("[data-testid=coverage-visibility]").innerText(), /实际可视面积 [\d,]+ 平方米/);
  // The shot after the flight's imagery is in and drawn: a screenshot taken while tiles and the wedges' ground
  // geometry still load waits for a frame the loaded machine may not give it for minutes.
  await flyAndRender(page, first.camera.lon, first.camera.lat, 1500);
  await shot(page, "coverage-1366-wedges");

  // five suggestions, with the gap in words
  await page.fill("[data-testid=coverage-k]", "5");
  await page.fill("[data-testid=coverage-spacing]", "200"); // fewer candidates: the shared test machine is slow
  await page.click("[data-testid=coverage-suggest]", { timeout: 120000 });
  await waitForCoverage(page, "five suggestions", () => {
    const c = window.geotwin.coverage;
    return c.loading === 0 && (c.lastError || c.placement);
  }, undefined, 660000);
  const placement = await page.evaluate(() => ({ lastError: window.geotwin.coverage.lastError, ...window.geotwin.coverage.placement }));
  assert.equal(placement.lastError, null);
  assert.equal(placement.greedy.length, 5);
  assert.equal(await page.locator("[data-testid=coverage-suggestion]").count(), 5);
  assert.ok(placement.shareWithGreedy > placement.share, `suggestions raise the share: ${placement.share} -> ${placement.shareWithGreedy}`);
  const gap = await page.locator("[data-testid=coverage-gap]").innerText();
  assert.match(gap, /贪心/, `the gap is said in words: ${gap}`);
  assert.match(gap, /最优|63%/, gap);
  assert.ok((await page.evaluate(() => window.geotwin.coverage.drawn().suggestions)) >= 5, "the suggestions are drawn");
  const best = placement.greedy[0];
  await flyAndRender(page, best.lon, best.lat, 900);

  // accept the first: a planned camera, and the covered share rises
  const before = first.share;
  await page.locator("[data-testid=coverage-accept]").first().click({ timeout: 120000 });
  await waitForCoverage(page, "the covered share rising after the planned camera", (b) => {
    const c = window.geotwin.coverage;
    return c.lastError || (!c.computing && c.accepted.length === 1 && c.streets.share > b);
  }, before, 600000);
  const after = await page.evaluate(() => ({ lastError: window.geotwin.coverage.lastError, share: window.geotwin.coverage.streets.share,
    planned: window.geotwin.coverage.cameras.filter((c) => c.status === "planned").length, accepted: window.geotwin.coverage.accepted[0] }));
  assert.equal(after.lastError, null);
  assert.ok(after.share > before, `the share rose: ${before} -> ${after.share}`);
  assert.equal(after.accepted.status, "planned");
  assert.ok(after.planned >= 1, "the planned camera is drawn among the cameras");
  assert.match(await page.locator("[data-testid=coverage-state]").innerText(), /覆盖率由 [\d.]+% 变为 [\d.]+%/);

  const panelText = await page.locator(PANEL).innerText();
  assert.doesNotMatch(panelText, RAW_CODE, "no raw code on the Chinese page");
  assert.doesNotMatch(panelText, /HTTP \d{3}|\b1\d{9}\b/, "no HTTP status or epoch seconds");
  await shot(page, "coverage-1366-accepted");
  await page.setViewportSize({ width: 1920, height: 1080 });
  await waitForGlobeRendered(page);
  await shot(page, "coverage-1920-accepted");

  // the same panel in English
  await page.click("[data-testid=lang-toggle]");
  const english = await page.locator(PANEL).innerText();
  assert.match(english, /Camera coverage and placement/);
  assert.match(english, /Greedy picks 5 of/);
  await shot(page, "coverage-1920-english");
});
