// The analyst's hotspot panel over the demo (issue #16): an analyst turns on the Gi* cells, the legend shows,
// a click on a hot cell shows its z and its incidents, the weekday × hour chart draws, the density layer
// brings its legend, the Chinese page shows no raw code, a refusal shows the server's own detail; other roles
// see no panel at all.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { signedInApi } from "./api.mjs";
import { ARTIFACTS_DIR } from "./browser.mjs";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

const ANALYST = { username: "analyst", password: "demo-analyst" };
const DISPATCHER = { username: "dispatcher", password: "demo-dispatcher" };
const VOCABULARY = JSON.parse(readFileSync(new URL("../../server/GeoTwin.Domain/vocabulary.json", import.meta.url), "utf8"));
const codes = (list) => Object.keys(VOCABULARY[list]).filter((k) => !k.startsWith("_"));
const PATTERN_CODES = ["new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating", "historical"]
  .flatMap((p) => [`${p}_hot`, `${p}_cold`])
  .concat("no_pattern");
// A raw code on the page: a category, group, status or pattern code as a whole word (theft, two_robberies_one_theft...).
const RAW_CODE = new RegExp(
  `\\b(${[...["incidentCategories", "incidentCategoryGroups", "incidentStatuses"].flatMap(codes), ...PATTERN_CODES].join("|")})\\b`,
);
const PANEL = "[data-testid=hotspots-panel]";

async function shot(page, name, testid) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const clip = testid ? await page.locator(`[data-testid=${testid}]`).boundingBox() : undefined;
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), clip, timeout: 120000 });
}

/** Wait for a predicate over window.geotwin.hotspots; on timeout say what the panel held and the banner said. */
async function waitForHotspots(page, what, predicate, arg, timeout = 120000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 250 });
  } catch (err) {
    const held = await page.evaluate(() => {
      const h = window.geotwin.hotspots;
      return {
        visible: h?.visible, layers: h?.layers, loading: h?.loading, lastError: h?.lastError,
        gi: h?.gi ? { cells: h.gi.cells.length, parameters: h.gi.parameters } : null,
        density: h?.density, selected: h?.selected?.id, charts: h?.charts?.scope,
        banner: document.querySelector("[data-testid=error-banner]")?.innerText,
      };
    });
    throw new Error(`${what}: ${JSON.stringify(held).slice(0, 2000)}`, { cause: err });
  }
}

/** How much of a canvas is drawn: pixels not transparent, and how many colours (a blank chart has one or none). */
const canvasInk = (page, testid) =>
  page.$eval(`[data-testid=${testid}] canvas`, (c) => {
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let inked = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 16) {
      if (data[i + 3] > 0) inked++;
      colours.add((data[i] >> 4) * 256 + (data[i + 1] >> 4) * 16 + (data[i + 2] >> 4));
    }
    return { width: c.width, height: c.height, inked, colours: colours.size };
  });

/** Wait until the map has drawn n more frames (the density tiles asked for and shown as far as they came). */
const frames = (page, n) =>
  page.evaluate(
    (n) =>
      new Promise((resolve) => {
        const scene = window.geotwin.viewer.scene;
        let left = n;
        const off = scene.postRender.addEventListener(() => {
          if (--left <= 0) {
            off();
            resolve();
          }
        });
        scene.requestRender();
      }),
    n,
  );

browserTest("an analyst turns on the Gi* cells, reads the legend, clicks a hot cell for its z and incidents, and sees when incidents happen", { account: ANALYST }, async (s) => {
  const { page } = s;
  await page.goto("/", { timeout: 120000 });
  await waitForReady(s);
  await waitForHotspots(page, "the panel for an analyst, after the flight to the jurisdiction", () =>
    window.geotwin.hotspots?.visible && window.geotwin.view === "jurisdiction");
  assert.equal(await page.locator(PANEL).isVisible(), true, "the hotspot panel shows for an analyst");
  // it opens folded (only its title over the map); the analyst unfolds it
  assert.equal(await page.locator("[data-testid=hotspots-layer-gi]").isVisible(), false, "the panel opens folded");
  await page.click("[data-testid=hotspots-toggle]", { timeout: 120000 });

  // Gi* cells on: the answer, the cells drawn, the legend with the seven classes, the parameters in words
  await page.check("[data-testid=hotspots-layer-gi]", { timeout: 120000 }); // SwiftShader keeps a busy page slow to act on
  await waitForHotspots(page, "the Gi* answer drawn", () => {
    const h = window.geotwin.hotspots;
    return h.loading === 0 && (h.lastError || (h.gi && h.cellsDrawn().gi > 0 && h.charts.when));
  });
  const gi = await page.evaluate(() => ({ lastError: window.geotwin.hotspots.lastError, ...window.geotwin.hotspots.gi }));
  assert.equal(gi.lastError, null, `the analysis failed: ${gi.lastError}`);
  assert.ok(await page.locator("[data-testid=hotspots-legend-gi]").isVisible(), "the Gi* legend shows");
  const legend = await page.locator("[data-testid=hotspots-legend-gi]").innerText();
  for (const words of ["热点，99% 置信度", "热点，95% 置信度", "热点，90% 置信度", "不显著", "冷点，99% 置信度"]) {
    assert.ok(legend.includes(words), `the legend names "${words}": ${legend}`);
  }
  const params = await page.locator("[data-testid=hotspots-params]").innerText();
  assert.match(params, /格网大小：[\d.]+ 米/, `the cell size used is said: ${params}`);
  assert.match(params, /距离阈值：[\d.]+ 米/, `the band used is said: ${params}`);
  // why each was chosen, in the page's language (not the server's English sentence), and the clock the hours are read on
  const reasons = await page.locator("[data-testid=hotspots-params] small").allInnerTexts();
  assert.ok(reasons.length >= 2 && reasons.every((r) => /[\u4e00-\u9fff]/.test(r)), `the reasons are in Chinese: ${JSON.stringify(reasons)}`);
  assert.doesNotMatch(reasons.join(" "), /\b(the|distance|nearest|autocorrelation|incidents?)\b/i, "no English sentence on the Chinese page");
  assert.match(params, /时段按 Europe\/Monaco 时间统计/, `the demo's hours are read on Monaco's clock: ${params}`);

  // the hottest cell: fly over it, click it on the map, read its z and its incidents
  const hot = gi.cells.filter((c) => c.bin > 0).sort((a, b) => b.z - a.z)[0];
  assert.ok(hot, `the demo has a hot cell (bins: ${JSON.stringify(gi.cells.map((c) => c.bin))})`);
  const cellSize = Number(gi.parameters.cellSize?.value) || 200;
  await page.evaluate(([lon, lat, h]) => window.geotwin.flyTo(lon, lat, h), [hot.lon, hot.lat, Math.min(20000, Math.max(400, cellSize * 12))]);
  await page.waitForFunction(() => window.geotwin.view === "point", null, { timeout: 120000 }); // the ground is picked on the ellipsoid: no need to wait for imagery
  const at = await page.evaluate((id) => window.geotwin.hotspots.cellPosition(id), hot.id);
  assert.ok(at, "the hot cell is on screen");
  const map = await page.locator("[data-testid=map]").boundingBox();
  await page.mouse.click(map.x + at.x, map.y + at.y);
  await waitForHotspots(page, "the clicked cell's details", (id) => {
    const h = window.geotwin.hotspots;
    return String(h.selected?.id) === String(id) && !h.selected.loading && h.loading === 0;
  }, hot.id);
  const detail = await page.evaluate(() => window.geotwin.hotspots.selected.detail);
  assert.ok(detail, "the cell's details came");
  assert.equal(await page.locator("[data-testid=hotspots-cell-z]").innerText(), Number(detail.z ?? hot.z).toFixed(3), "the panel shows the cell's z");
  // p as analysts write it: "p < 0.001" for a tiny one, never "p = 0" or an exponent
  const pShown = await page.locator("[data-testid=hotspots-cell-p]").innerText();
  const qShown = await page.locator("[data-testid=hotspots-cell-q]").innerText();
  assert.equal(pShown, detail.p < 0.001 ? "p < 0.001" : `p = ${detail.p.toFixed(4)}`, `the cell's p (${detail.p}) is shown as ${pShown}`);
  assert.equal(qShown, detail.q_fdr < 0.001 ? "q < 0.001" : `q = ${detail.q_fdr.toFixed(4)}`, `the cell's FDR q (${detail.q_fdr}) is shown as ${qShown}`);
  for (const shown of [pShown, qShown]) assert.doesNotMatch(shown, /= 0(\.0+)?$|e-/, `no "p = 0" and no exponent: ${shown}`);
  assert.ok(detail.incidents.length > 0, "a hot cell has incidents");
  const items = await page.locator("[data-testid=hotspots-cell-incidents] li").allInnerTexts();
  assert.equal(items.length, Math.min(50, detail.incidents.length), "the cell's incidents are listed");
  detail.incidents.slice(0, items.length).forEach((i, n) => {
    const word = VOCABULARY.incidentCategories[i.category]?.label[0] ?? i.category;
    assert.ok(items[n].startsWith(word), `incident ${i.code} listed under its category's words ${word}: ${items[n]}`);
  });
  assert.match(await page.locator("[data-testid=hotspots-chart-scope]").innerText(), new RegExp(`格网 ${hot.id}`), "the charts show the cell");

  // the weekday × hour matrix and the monthly trend are drawn (pixels on their canvases, not just an element)
  await waitForHotspots(page, "the cell's charts", (id) => window.geotwin.hotspots.charts.scope === String(id), hot.id);
  const heat = await canvasInk(page, "hotspots-chart-when");
  assert.ok(heat.width > 100 && heat.height > 100, `the heat matrix has a size: ${JSON.stringify(heat)}`);
  assert.ok(heat.inked > 500 && heat.colours > 5, `the heat matrix is drawn: ${JSON.stringify(heat)}`);
  const months = await canvasInk(page, "hotspots-chart-months");
  assert.ok(months.inked > 200 && months.colours > 3, `the monthly trend is drawn: ${JSON.stringify(months)}`);

  // the density layer and its legend from the server
  await page.check("[data-testid=hotspots-layer-density]", { timeout: 120000 });
  await waitForHotspots(page, "the density legend", () => {
    const h = window.geotwin.hotspots;
    return h.loading === 0 && (h.lastError || h.density?.legend);
  });
  assert.equal(await page.evaluate(() => window.geotwin.hotspots.lastError), null, "the density layer loaded");
  assert.ok(await page.locator("[data-testid=hotspots-legend-density]").isVisible(), "the density legend shows");
  assert.ok(await page.locator("[data-testid=hotspots-legend-density] .ramp").isVisible(), "with its colour ramp");
  await frames(page, 3);

  // zh-CN: no raw code anywhere in the panel, the reasons for the chosen values included
  const zh = await page.$eval(PANEL, (el) => el.textContent);
  assert.doesNotMatch(zh, RAW_CODE, "no raw code in the Chinese panel");
  await shot(page, "hotspots-gi-cell");
  await shot(page, "hotspots-panel-zh", "hotspots-panel");
  for (const part of ["hotspots-cell", "hotspots-chart-when", "hotspots-chart-months"]) {
    await page.locator(`[data-testid=${part}]`).screenshot({ path: join(ARTIFACTS_DIR, `${part}-zh.png`), timeout: 120000 });
  }

  // English: the same panel in English words
  await page.click("[data-testid=lang-toggle]", { timeout: 120000 });
  const en = await page.locator(PANEL).innerText();
  assert.ok(en.includes("Hot spot, 99% confidence") && en.includes("Weekday × hour"), `the panel speaks English: ${en.slice(0, 400)}`);
  const enReasons = await page.locator("[data-testid=hotspots-params] small").allInnerTexts();
  assert.ok(enReasons.length >= 2 && enReasons.every((r) => !/[\u4e00-\u9fff]/.test(r)), `the reasons are in English: ${JSON.stringify(enReasons)}`);
  assert.match(en, /hours and weekdays on Europe\/Monaco time/, "the clock in English");
  await shot(page, "hotspots-panel-en", "hotspots-panel");

  assert.deepEqual(s.pageErrors, [], "no page errors");
  s.assertOnlyLocalRequests();
});

/** The page's panels over the map: their boxes, how much of the map they cover, whether the page scrolls sideways. */
const layout = (page) =>
  page.evaluate(() => {
    const box = (q) => {
      const el = document.querySelector(q);
      if (!el || el.hidden || getComputedStyle(el).display === "none") return null;
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 ? { x: r.x, y: r.y, right: r.right, bottom: r.bottom, w: r.width, h: r.height } : null;
    };
    const map = box("[data-testid=map]");
    const panels = ["[data-testid=hotspots-panel]", "[data-testid=layers-panel]", ".record", ".dispatch"].map(box).filter(Boolean);
    // covered area by sampling the map on a 20 px grid (panels may overlap each other)
    let covered = 0;
    let samples = 0;
    for (let x = map.x + 10; x < map.right; x += 20)
      for (let y = map.y + 10; y < map.bottom; y += 20) {
        samples++;
        if (panels.some((p) => x >= p.x && x < p.right && y >= p.y && y < p.bottom)) covered++;
      }
    return {
      viewport: { w: innerWidth, h: innerHeight },
      scrollWidth: document.documentElement.scrollWidth,
      map,
      panel: box("[data-testid=hotspots-panel]"),
      coveredShare: covered / samples,
    };
  });

browserTest("the unfolded panel leaves the map in view at 1366 × 768 and is usable on a phone; screenshots at three sizes", { account: ANALYST }, async (s, t) => {
  const { page } = s;
  await page.goto("/", { timeout: 120000 });
  await waitForReady(s);
  await waitForHotspots(page, "the panel", () => window.geotwin.hotspots?.visible && window.geotwin.view === "jurisdiction");
  await page.click("[data-testid=hotspots-toggle]", { timeout: 120000 });
  await page.check("[data-testid=hotspots-layer-gi]", { timeout: 120000 });
  await waitForHotspots(page, "the Gi* answer drawn", () => {
    const h = window.geotwin.hotspots;
    return h.loading === 0 && (h.lastError || (h.gi && h.cellsDrawn().gi > 0));
  });
  assert.equal(await page.evaluate(() => window.geotwin.hotspots.lastError), null);

  for (const [name, size] of [["laptop", { width: 1366, height: 768 }], ["desktop", { width: 1920, height: 1080 }], ["phone", { width: 390, height: 844 }]]) {
    await page.setViewportSize(size);
    await frames(page, 2);
    const l = await layout(page);
    t.diagnostic(`${name}: ${JSON.stringify(l)}`);
    await page.screenshot({ path: join(ARTIFACTS_DIR, `hotspots-${name}-${size.width}x${size.height}.png`), timeout: 120000 });
    assert.ok(l.scrollWidth <= size.width, `${name}: nothing sticks out sideways (page ${l.scrollWidth} px wide)`);
    assert.ok(l.panel.x >= 0 && l.panel.right <= size.width, `${name}: the panel fits the screen's width: ${JSON.stringify(l.panel)}`);
    if (name !== "phone") {
      // beside the panels, most of the map (its centre too) stays in view
      assert.ok(l.coveredShare < 0.35, `${name}: panels cover ${Math.round(l.coveredShare * 100)} % of the map`);
      const centre = await page.evaluate(() => {
        const m = document.querySelector("[data-testid=map]").getBoundingClientRect();
        return document.elementFromPoint(m.x + m.width / 2, m.y + m.height / 2)?.closest("[data-testid=map]") !== null;
      });
      assert.ok(centre, `${name}: the map's centre is not under a panel`);
    } else {
      // unfolded on a phone: a sheet that scrolls inside, the lower part of the map still in view, its controls reachable
      assert.ok(l.panel.bottom < l.map.bottom - 150, `phone: the map shows below the panel: ${JSON.stringify(l.panel)}`);
      await page.locator("[data-testid=hotspots-layer-density]").scrollIntoViewIfNeeded({ timeout: 120000 });
      assert.ok(await page.locator("[data-testid=hotspots-layer-density]").isVisible(), "phone: the layer switches are reachable");
      // folded again it is a title bar only (a banner a slow machine raised, e.g. an imagery timeout, is put away first:
      // on a phone it lies over the panel's title)
      const dismiss = page.locator("[data-testid=error-banner] [data-role=dismiss]");
      if (await dismiss.isVisible()) await dismiss.click({ timeout: 120000 });
      await page.click("[data-testid=hotspots-toggle]", { timeout: 120000 });
      const folded = await layout(page);
      assert.ok(folded.panel.h < 60 && folded.panel.right <= size.width, `phone: folded, a title bar: ${JSON.stringify(folded.panel)}`);
      await page.screenshot({ path: join(ARTIFACTS_DIR, `hotspots-phone-folded.png`), timeout: 120000 });
    }
  }
});

browserTest("a filter the server refuses shows the server's own words", { account: ANALYST }, async (s) => {
  const { page } = s;
  // A day with no incidents: fewer than the minimum the analysis needs; the server's detail is what the page must say.
  const query = "from=2001-01-01&to=2001-01-02";
  const api = await signedInApi(ANALYST);
  const refused = await api.get(`/api/hotspots/gi?${query}`);
  assert.ok(refused.status >= 400 && refused.status < 500, `the server refuses an empty day: HTTP ${refused.status}`);
  const detail = refused.json?.detail;
  assert.ok(detail, `the refusal says why: ${refused.buffer}`);

  await page.goto("/", { timeout: 120000 });
  await waitForReady(s);
  await waitForHotspots(page, "the panel", () => window.geotwin.hotspots?.visible && window.geotwin.info);
  await page.click("[data-testid=hotspots-toggle]", { timeout: 120000 }); // it opens folded
  await page.fill("[data-testid=hotspots-from]", "2001-01-01", { timeout: 120000 });
  await page.fill("[data-testid=hotspots-to]", "2001-01-02");
  await page.check("[data-testid=hotspots-layer-gi]", { timeout: 120000 }); // SwiftShader keeps a busy page slow to act on
  await waitForHotspots(page, "the refusal", () => window.geotwin.hotspots.loading === 0 && window.geotwin.hotspots.lastError);
  const banner = await page.locator("[data-testid=error-banner]").innerText();
  assert.ok(banner.includes(detail), `the banner shows the server's detail "${detail}": ${banner}`);
  assert.ok((await page.locator("[data-testid=hotspots-state]").innerText()).includes(detail), "and so does the panel");
  await shot(page, "hotspots-refusal");
});

browserTest("a dispatcher sees no hotspot panel", { account: DISPATCHER }, async (s) => {
  const { page } = s;
  await page.goto("/", { timeout: 120000 });
  await waitForReady(s);
  await page.waitForFunction(() => window.geotwin.user?.role === "dispatcher", null, { timeout: 60000 });
  assert.equal(await page.evaluate(() => window.geotwin.hotspots.visible), false);
  assert.equal(await page.locator(PANEL).isVisible(), false, "no hotspot panel for a dispatcher");
});
