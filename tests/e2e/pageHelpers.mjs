// Shared pieces of the browser tests: one fresh browser a test, waiting for the page to be ready
// and for the globe to finish drawing, and what to print when it does not.
import assert from "node:assert/strict";
import { test } from "node:test";
import { baseUrl, openBrowser } from "./browser.mjs";

export const READY_TIMEOUT_MS = 30000;
export const RENDER_TIMEOUT_MS = 150000; // SwiftShader on 2 cores is slow: a first view takes 40-60 s

export const sel = {
  topbar: "[data-testid=topbar]",
  status: "[data-testid=status]",
  lang: "[data-testid=lang-toggle]",
  map: "[data-testid=map]",
  banner: "[data-testid=error-banner]",
};

// Fail every test with the clear message when GEOTWIN_URL is missing.
const base = (() => {
  try {
    return baseUrl();
  } catch (err) {
    return err;
  }
})();

/**
 * A test with its own fresh browser (own profile, so no localStorage carries over).
 * fn(s, t) gets the session from openBrowser(); on failure a FAILED-*.png screenshot is kept.
 */
export function browserTest(name, options, fn) {
  // options.pending: why a written test is not run yet (node:test reports it as skipped, with the reason)
  test(name, options.pending ? { skip: `pending: ${options.pending}` } : {}, async (t) => {
    if (base instanceof Error) throw base;
    const s = await openBrowser(options);
    try {
      await fn(s, t);
    } catch (err) {
      const slug = name.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 60);
      await s.screenshot(`FAILED-${slug}`).catch(() => {});
      throw err;
    } finally {
      await s.close();
    }
  });
}

/** Text of the status line and banner, for failure messages. */
export async function screenState(page) {
  return page.evaluate(
    ([s, b]) => ({
      status: document.querySelector(s)?.textContent.trim(),
      state: document.querySelector(s)?.dataset.state,
      banner: document.querySelector(b)?.hidden ? null : document.querySelector(b)?.textContent.trim(),
    }),
    [sel.status, sel.banner],
  );
}

export async function waitForReady(s) {
  const { page } = s;
  try {
    await page.waitForFunction((q) => document.querySelector(q)?.dataset.state === "ready", sel.status, {
      timeout: READY_TIMEOUT_MS,
    });
  } catch (err) {
    const state = await screenState(page);
    throw new Error(
      `status did not become ready within ${READY_TIMEOUT_MS / 1000} s: ${JSON.stringify(state)}\n` +
        `page errors: ${s.pageErrors.join(" | ") || "-"}\nfailed requests: ${s.failedRequests.join(" | ") || "-"}`,
      { cause: err },
    );
  }
}

/** Wait until the camera flight (if any) ended, all globe tiles are in and a few frames were drawn. */
export async function waitForGlobeRendered(page, { frames = 5 } = {}) {
  try {
    await page.waitForFunction(
      () => {
        const g = window.geotwin;
        return g?.viewer && g.info !== null && g.view !== "flying" && g.viewer.scene.globe.tilesLoaded;
      },
      null,
      { timeout: RENDER_TIMEOUT_MS, polling: 250 },
    );
  } catch (err) {
    const state = await page.evaluate(() => {
      const g = window.geotwin;
      return {
        viewer: !!g?.viewer,
        info: g?.info ?? null,
        view: g?.view,
        tilesLoaded: g?.viewer?.scene.globe.tilesLoaded,
      };
    });
    throw new Error(
      `the globe did not finish rendering within ${RENDER_TIMEOUT_MS / 1000} s: ` +
        `${JSON.stringify(state)} ${JSON.stringify(await screenState(page))}`,
      { cause: err },
    );
  }
  await page.evaluate(
    (n) =>
      new Promise((resolve) => {
        const scene = window.geotwin.viewer.scene;
        let left = n;
        const off = scene.postRender.addEventListener(() => {
          if (--left <= 0 && scene.globe.tilesLoaded) {
            off();
            resolve();
          }
        });
        scene.requestRender();
      }),
    frames,
  );
}

/** Wait until the vector layers are on the map (catalog loaded) and no replaced drawing is pending. */
export async function waitForLayers(page, { generationAbove = 0 } = {}) {
  await page.waitForFunction(
    (g0) => {
      const l = window.geotwin?.layers;
      return l && l.generation > g0 && l.retiring === 0;
    },
    generationAbove,
    { timeout: RENDER_TIMEOUT_MS, polling: 250 },
  );
}

/** Fly to lon/lat (looking straight down from height metres) and wait until it is drawn. */
export async function flyAndRender(page, lon, lat, height) {
  const arrived = await page.evaluate(([lon, lat, h]) => window.geotwin.flyTo(lon, lat, h), [lon, lat, height]);
  if (!arrived) throw new Error(`the flight to ${lon}, ${lat} was cancelled`);
  await waitForGlobeRendered(page);
}

/**
 * A loaded machine's timed-out status reads raise the error banner, centred at the top of the map, over the panels'
 * toggles and buttons; it comes and goes with each read. From now on, whenever it is in the way of an action on the
 * page, it is closed as a person would (Playwright's locator handler runs before the blocked action is retried).
 */
export function closeBannerWhenInTheWay(page) {
  return page.addLocatorHandler(page.locator(sel.banner), async (banner) => {
    // force: the banner's width follows its messages, so it is seldom "stable" for long; the button is clicked where it is.
    // The next status read may have taken the banner away already: that is what the click was for.
    await banner.locator("[data-role=dismiss]").click({ force: true, timeout: 30000 }).catch(async (err) => {
      if (await banner.isVisible()) throw err;
    });
  });
}

/**
 * A click in the middle of the map. Not locator.click(): Playwright waits for the element to be "stable"
 * over two animation frames, which a busy globe on SwiftShader may not give it for minutes.
 */
export async function clickMapCentre(page) {
  const box = await page.locator(sel.map).boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** The layer state the page reports (window.geotwin.layerState()) as { name: state }. */
export async function layerState(page) {
  const list = await page.evaluate(() => window.geotwin.layerState());
  return Object.fromEntries(list.map((l) => [l.name, l]));
}

/**
 * The panels named by data-testid, all shown, within the viewport's width and covering none of each other: every
 * box read in one evaluation (a frame between two reads could move them).
 */
export async function assertApart(page, testids, viewport) {
  const boxes = await page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
    const el = document.querySelector(`[data-testid=${id}]`);
    if (!el?.checkVisibility()) return [id, null];
    const r = el.getBoundingClientRect();
    return [id, { left: r.left, top: r.top, right: r.right, bottom: r.bottom }];
  })), testids);
  for (const [i, a] of testids.entries()) {
    assert.ok(boxes[a], `${a} is shown: ${JSON.stringify(boxes)}`);
    assert.ok(boxes[a].left >= 0 && boxes[a].right <= viewport.width, `${a} within the width: ${JSON.stringify(boxes[a])}`);
    for (const b of testids.slice(i + 1)) {
      const [p, q] = [boxes[a], boxes[b]];
      const overlap = p && q && p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom;
      assert.ok(!overlap, `${a} and ${b} overlap at ${viewport.width}×${viewport.height}: ${JSON.stringify({ [a]: p, [b]: q })}`);
    }
  }
}
