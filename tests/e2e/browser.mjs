// Shared browser helper for the GeoTwin e2e tests.
// playwright-core drives Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH); no Playwright
// browser download is ever used. WebGL runs on the CPU through SwiftShader (ANGLE), so the real
// Cesium renderer is exercised on machines without a GPU.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ARTIFACTS_DIR = fileURLToPath(new URL("./artifacts/", import.meta.url));
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The server under test, from GEOTWIN_URL (no trailing slash). Throws a clear error if unset. */
export function baseUrl() {
  const raw = process.env.GEOTWIN_URL;
  if (!raw) {
    throw new Error(
      "GEOTWIN_URL is not set. Start GeoTwin and run e.g. " +
        "GEOTWIN_URL=http://127.0.0.1:8080 npm test (in tests/e2e).",
    );
  }
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`GEOTWIN_URL is not a valid URL: ${JSON.stringify(raw)}`);
  }
  return url.href.replace(/\/+$/, "");
}

/** Hosts a page may talk to: loopback, plus the host of GEOTWIN_URL itself. */
function allowedHosts() {
  const hosts = new Set(["127.0.0.1", "localhost", "[::1]"]);
  hosts.add(new URL(baseUrl()).hostname);
  return hosts;
}

export const CHROMIUM_ARGS = [
  "--no-sandbox", // runs as root in CI containers
  // WebGL without a GPU: ANGLE on SwiftShader. --enable-unsafe-swiftshader is needed since
  // Chromium 137 for WebGL to fall back to SwiftShader at all.
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--ignore-gpu-blocklist",
  // Nothing of Chromium's own should phone home either (the page is checked separately).
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-features=Translate,OptimizationHints,MediaRouter",
];

/**
 * Launch headless Chromium with a fresh temporary profile (Playwright creates and removes its own
 * --user-data-dir per launch) and open one page at the given viewport.
 * Returns { browser, context, page, requests, consoleErrors, pageErrors, failedRequests,
 *           assertOnlyLocalRequests(), screenshot(name), close() }.
 */
/** The demo's documented admin account (README); the e2e server always runs the demo. */
export const DEMO_ADMIN = { username: "admin", password: "demo-admin" };

export async function openBrowser({
  viewport = { width: 1366, height: 768 },
  locale = "zh-CN",
  signIn = true,
  account = DEMO_ADMIN, // another demo account, e.g. { username: "analyst", password: "demo-analyst" }
} = {}) {
  const base = baseUrl(); // fail before launching anything if unset
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true, // Playwright passes --headless (the "new" headless mode in current Chromium)
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({ viewport, locale, baseURL: base });
  if (signIn) {
    // The context's request API shares its cookie jar: the page opens already signed in.
    const res = await context.request.post("/api/auth/login", { data: account });
    assert.equal(res.status(), 200, `demo sign-in failed: ${res.status()} ${await res.text()}`);
  }
  const page = await context.newPage();

  /** Every URL the browser asked for, from pages and their workers, in order. */
  const requests = [];
  const failedRequests = [];
  const consoleErrors = [];
  const pageErrors = [];
  context.on("request", (req) => requests.push(req.url()));
  context.on("requestfailed", (req) => failedRequests.push(`${req.url()} ${req.failure()?.errorText ?? ""}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text());
  });
  page.on("pageerror", (err) => pageErrors.push(String(err?.stack ?? err)));

  function foreignRequests() {
    const ok = allowedHosts();
    return requests.filter((u) => {
      const url = new URL(u);
      if (["data:", "blob:", "about:"].includes(url.protocol)) return false;
      return !ok.has(url.hostname) && !ok.has(url.host);
    });
  }

  return {
    browser,
    context,
    page,
    requests,
    failedRequests,
    consoleErrors,
    pageErrors,
    foreignRequests,
    /** Fail if any request went to a host other than 127.0.0.1 / localhost (/ GEOTWIN_URL's host). */
    assertOnlyLocalRequests() {
      const foreign = foreignRequests();
      assert.deepEqual(
        foreign,
        [],
        `the page contacted hosts other than ${[...allowedHosts()].join(", ")}:\n  ${foreign.join("\n  ")}`,
      );
    },
    /** Screenshot of the page (or of locator) to tests/e2e/artifacts/<name>.png; returns the PNG buffer. */
    async screenshot(name, locator) {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const path = join(ARTIFACTS_DIR, `${name}.png`);
      if (!locator) return page.screenshot({ path, timeout: 120000 });
      // A clip of the page where the element is, not an element shot: an element shot first waits for the element to
      // be "stable" over two animation frames, and a globe drawing thousands of features on SwiftShader can take
      // longer than the timeout for two frames (the layers and imagery tests failed so, in the map's box).
      const box = await locator.boundingBox({ timeout: 120000 });
      if (!box) throw new Error(`screenshot ${name}: the element is not on the page`);
      return page.screenshot({ path, clip: box, timeout: 120000 });
    },
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

/**
 * Puts one PNG reader on the page (once a document): the browser decodes the image and hands back the RGBA pixels of
 * the crop (fractions of the image) with its size. pngStats and pngDiff both read through it, in the page, so no
 * pixel array crosses to node.
 */
async function installPngReader(page) {
  await page.evaluate(() => {
    window.__geotwinReadPng ??= async (b64, crop) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const sx = Math.floor(img.naturalWidth * crop.x);
      const sy = Math.floor(img.naturalHeight * crop.y);
      const w = Math.max(1, Math.floor(img.naturalWidth * crop.w));
      const h = Math.max(1, Math.floor(img.naturalHeight * crop.h));
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(img, sx, sy, w, h, 0, 0, w, h);
      return { data: ctx.getImageData(0, 0, w, h).data, w, h };
    };
  });
}

/**
 * Colour statistics of a PNG, decoded by the browser itself (a 2D canvas, no extra npm package).
 * crop (optional) = { x, y, w, h } as fractions of the image, e.g. the centre { x: .4, y: .4, w: .2, h: .2 }.
 * Returns { width, height, samples, distinctColours, dominantShare, lumaStdDev, meanRgb }.
 * distinctColours counts colours quantised to 5 bits a channel; dominantShare is the share of
 * the most common quantised colour.
 */
export async function pngStats(page, png, crop = { x: 0, y: 0, w: 1, h: 1 }) {
  await installPngReader(page);
  return page.evaluate(
    async ([b64, crop]) => {
      const { data, w, h } = await window.__geotwinReadPng(b64, crop);
      const counts = new Map();
      let n = 0;
      let sum = 0;
      let sumSq = 0;
      const rgb = [0, 0, 0];
      const stride = 4 * 3; // every third pixel is plenty
      for (let i = 0; i < data.length; i += stride) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        const key = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
        counts.set(key, (counts.get(key) ?? 0) + 1);
        const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        sum += y;
        sumSq += y * y;
        rgb[0] += r;
        rgb[1] += g;
        rgb[2] += b;
        n++;
      }
      const mean = sum / n;
      return {
        width: w,
        height: h,
        samples: n,
        distinctColours: counts.size,
        dominantShare: Math.max(...counts.values()) / n,
        lumaStdDev: Math.round(Math.sqrt(Math.max(0, sumSq / n - mean * mean)) * 100) / 100,
        meanRgb: rgb.map((c) => Math.round(c / n)),
      };
    },
    [png.toString("base64"), crop],
  );
}

/**
 * Share (0..1) of pixels that differ between two PNGs of the same size (any channel by more than
 * `threshold`), decoded by the browser; crop as in pngStats. Every second pixel is compared.
 */
export async function pngDiff(page, pngA, pngB, { crop = { x: 0, y: 0, w: 1, h: 1 }, threshold = 24 } = {}) {
  await installPngReader(page);
  return page.evaluate(
    async ([a64, b64, crop, threshold]) => {
      const read = async (b64) => (await window.__geotwinReadPng(b64, crop)).data;
      const [a, b] = [await read(a64), await read(b64)];
      if (a.length !== b.length) return 1;
      let differ = 0;
      let n = 0;
      for (let i = 0; i < a.length; i += 8) {
        n++;
        if (Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]), Math.abs(a[i + 2] - b[i + 2])) > threshold) differ++;
      }
      return differ / n;
    },
    [pngA.toString("base64"), pngB.toString("base64"), crop, threshold],
  );
}
