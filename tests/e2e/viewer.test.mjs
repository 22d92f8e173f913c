// GeoTwin viewer page in a real headless Chromium (SwiftShader WebGL) against GEOTWIN_URL.
import assert from "node:assert/strict";
import { pngStats } from "./browser.mjs";

import {
  READY_TIMEOUT_MS,
  browserTest,
  screenState,
  sel,
  waitForGlobeRendered,
  waitForReady,
} from "./pageHelpers.mjs";

browserTest("(a) page loads: Cesium canvas sized, status ready, only local requests", {}, async (s) => {
  const { page } = s;
  const res = await page.goto("/", { waitUntil: "load" });
  assert.equal(res?.status(), 200, `GET / returned ${res?.status()}`);
  assert.equal(await page.title(), "GeoTwin 一张图");

  const canvas = page.locator(`${sel.map} canvas`).first();
  await canvas.waitFor({ state: "visible", timeout: READY_TIMEOUT_MS });
  const size = await canvas.evaluate((c) => ({
    w: c.width,
    h: c.height,
    cw: c.clientWidth,
    ch: c.clientHeight,
  }));
  assert.ok(
    size.w > 0 && size.h > 0 && size.cw > 0 && size.ch > 0,
    `canvas has zero size: ${JSON.stringify(size)}`,
  );
  const box = await page.locator(sel.map).boundingBox();
  assert.ok(
    box && box.width >= 1000 && box.height >= 600,
    `map does not fill the page: ${JSON.stringify(box)}`,
  );

  await waitForReady(s);
  const statusText = await page.locator(sel.status).innerText();
  assert.match(statusText, /就绪|Ready/);
  assert.equal(
    await page.locator(sel.banner).isVisible(),
    false,
    `error banner shown: ${JSON.stringify(await screenState(page))}`,
  );
  assert.equal(
    await page.evaluate(() => typeof window.geotwin?.viewer?.scene),
    "object",
    "window.geotwin.viewer missing",
  );

  await waitForGlobeRendered(page);
  await s.screenshot("a-viewer-1366x768");

  assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
  assert.deepEqual(
    s.consoleErrors.filter((m) => /Content Security Policy/i.test(m)),
    [],
    "CesiumJS ran into the server's Content Security Policy",
  );
  assert.match(
    await page.locator("[data-testid=credits]").innerText(),
    /Natural Earth/,
    "base map attribution not shown",
  );
  assert.ok(
    s.requests.some((u) => u.includes("/cesium/Assets/Textures/NaturalEarthII/")),
    "no base imagery was requested from /cesium/Assets/Textures/NaturalEarthII/",
  );
  assert.ok(
    s.requests.some((u) => new URL(u).pathname === "/readyz"),
    "/readyz was not requested",
  );
  assert.ok(
    s.requests.some((u) => new URL(u).pathname === "/api/info"),
    "/api/info was not requested",
  );
  s.assertOnlyLocalRequests();
});

browserTest(
  "(b) language toggle switches the top bar between Chinese and English, and is remembered",
  {},
  async (s) => {
    const { page } = s;
    await page.goto("/");
    await waitForReady(s);
    const topbar = page.locator(sel.topbar);
    const lang = page.locator(sel.lang);

    let text = await topbar.innerText();
    assert.match(text, /GeoTwin 一张图/);
    assert.match(text, /就绪/);
    assert.equal(await lang.innerText(), "English");
    assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");

    await lang.click();
    text = await topbar.innerText();
    assert.match(text, /GeoTwin One Map/);
    assert.match(text, /Ready/);
    assert.doesNotMatch(text, /一张图|就绪/);
    assert.equal(await lang.innerText(), "中文");
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");

    // remembered across a reload (localStorage)
    await page.reload();
    await waitForReady(s);
    text = await topbar.innerText();
    assert.match(text, /GeoTwin One Map/);
    assert.match(text, /Ready/);

    await lang.click();
    text = await topbar.innerText();
    assert.match(text, /GeoTwin 一张图/);
    assert.match(text, /就绪/);
    assert.equal(await lang.innerText(), "English");
    s.assertOnlyLocalRequests();
  },
);

browserTest("(c) the globe is really drawn: the map is not one flat colour", {}, async (s, t) => {
  const { page } = s;
  await page.goto("/");
  await waitForReady(s);
  await waitForGlobeRendered(page);

  // 1. the view the page chose (jurisdiction bbox, or the whole globe if none is configured)
  const mapEl = page.locator(sel.map);
  const first = await pngStats(page, await s.screenshot("c-render-initial", mapEl));

  // 2. the whole earth from far away (Cesium's default home view): coastlines, oceans, space
  await page.evaluate(() => window.geotwin.viewer.camera.flyHome(0));
  await waitForGlobeRendered(page);
  const globePng = await s.screenshot("c-render-globe", mapEl);
  const globe = await pngStats(page, globePng);
  // the middle of the picture is on the earth: textured imagery has hundreds of colours there,
  // a bare globe (imagery missing) is one flat blue
  const centre = await pngStats(page, globePng, { x: 0.4, y: 0.35, w: 0.2, h: 0.3 });
  t.diagnostic(`initial view ${JSON.stringify(first)}`);
  t.diagnostic(`globe view ${JSON.stringify(globe)}`);
  t.diagnostic(`globe centre ${JSON.stringify(centre)}`);

  for (const [name, st] of [
    ["initial view", first],
    ["globe view", globe],
  ]) {
    assert.ok(
      st.dominantShare < 0.9,
      `${name}: ${Math.round(st.dominantShare * 100)}% of pixels are one colour (blank map?) ${JSON.stringify(st)}`,
    );
    assert.ok(st.distinctColours >= 16, `${name}: only ${st.distinctColours} colours (blank map?)`);
  }
  assert.ok(globe.lumaStdDev > 10, `globe view has almost no contrast: ${JSON.stringify(globe)}`);
  assert.ok(
    centre.distinctColours >= 32 && centre.dominantShare < 0.5,
    `the earth shows no imagery (flat colour in the middle of the globe): ${JSON.stringify(centre)}`,
  );
  s.assertOnlyLocalRequests();
});

browserTest(
  "(d) tablet width (768x1024): one-line top bar, no sideways scroll, map fills the rest",
  { viewport: { width: 768, height: 1024 } },
  async (s) => {
    const { page } = s;
    await page.goto("/");
    await waitForReady(s);
    for (const lang of ["zh-CN", "en"]) {
      const bar = await page.locator(sel.topbar).boundingBox();
      assert.ok(bar && bar.height <= 64, `${lang}: top bar wraps or is too tall: ${JSON.stringify(bar)}`);
      for (const q of [sel.status, sel.lang, "[data-testid=topbar] h1"]) {
        const box = await page.locator(q).boundingBox();
        assert.ok(
          box && box.x >= 0 && box.x + box.width <= 768 && box.y + box.height <= bar.y + bar.height + 1,
          `${lang}: ${q} is outside the top bar: ${JSON.stringify(box)}`,
        );
      }
      const scrollW = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scrollW <= 768, `${lang}: page scrolls sideways (scrollWidth ${scrollW})`);
      const map = await page.locator(sel.map).boundingBox();
      assert.ok(
        map && map.width >= 767 && map.y >= bar.y + bar.height - 1 && map.y + map.height >= 1023,
        `${lang}: map does not fill the space below the bar: ${JSON.stringify(map)}`,
      );
      await s.screenshot(`d-tablet-768-${lang}`);
      if (lang === "zh-CN") await page.locator(sel.lang).click();
    }
    s.assertOnlyLocalRequests();
  },
);

browserTest("(e) server errors are shown on screen, never a silent blank map", {}, async (s) => {
  const { page } = s;
  // Simulated in the browser (request interception), so this runs against any server:
  // /readyz answers 503 and /api/info cannot be reached at all.
  await page.route("**/readyz", (route) =>
    route.fulfill({ status: 503, contentType: "application/json", body: '{"status":"unavailable"}' }),
  );
  await page.route("**/api/info", (route) => route.abort("connectionrefused"));
  await page.goto("/");

  await page.waitForFunction((q) => document.querySelector(q)?.dataset.state === "error", sel.status, {
    timeout: READY_TIMEOUT_MS,
  });
  const banner = page.locator(sel.banner);
  await banner.waitFor({ state: "visible", timeout: READY_TIMEOUT_MS });
  await page.waitForFunction(
    (q) => document.querySelector(q)?.textContent.includes("/api/info"),
    sel.banner,
    {
      timeout: READY_TIMEOUT_MS,
    },
  );
  assert.match(await page.locator(sel.status).innerText(), /服务器未就绪/);
  let text = await banner.innerText();
  assert.match(text, /服务器未就绪（HTTP 503）/);
  assert.match(text, /服务器无法连接：\/api\/info/);
  await s.screenshot("e-error-banner");

  await page.locator(sel.lang).click();
  text = await banner.innerText();
  assert.match(text, /Server not ready \(HTTP 503\)/);
  assert.match(text, /Cannot reach the server: \/api\/info/);
  assert.match(await page.locator(sel.status).innerText(), /Server not ready/);

  // the server comes back: status turns ready, the readyz message goes, info is fetched again
  await page.unroute("**/readyz");
  await page.unroute("**/api/info");
  await page.waitForFunction((q) => document.querySelector(q)?.dataset.state === "ready", sel.status, {
    timeout: 30000,
  });
  await page.waitForFunction((q) => document.querySelector(q)?.hidden === true, sel.banner, {
    timeout: 15000,
  });
  s.assertOnlyLocalRequests();
});

browserTest("(f) sign-in: wrong password is said on screen, the demo admin gets the map", { signIn: false }, async (s) => {
  const { page } = s;
  await page.goto("/", { waitUntil: "load" });
  const form = page.locator("[data-testid=signin]");
  await form.waitFor({ state: "visible", timeout: READY_TIMEOUT_MS });
  assert.equal(await page.evaluate(() => window.geotwin.info), null, "nothing is loaded before sign-in");

  await page.fill("[data-testid=signin-username]", "admin");
  await page.fill("[data-testid=signin-password]", "not the password");
  await page.click("[data-testid=signin-submit]");
  const error = page.locator("[data-testid=signin-error]");
  await error.waitFor({ state: "visible", timeout: READY_TIMEOUT_MS });
  assert.equal((await error.textContent()).trim(), "用户名或密码错误");

  await page.fill("[data-testid=signin-password]", "demo-admin");
  await page.click("[data-testid=signin-submit]");
  await form.waitFor({ state: "hidden", timeout: READY_TIMEOUT_MS });
  await page.waitForFunction(() => window.geotwin.info?.jurisdiction, null, { timeout: READY_TIMEOUT_MS });
  assert.match(await page.locator("[data-testid=user]").textContent(), /系统管理员/);
  await s.screenshot("f-signed-in");

  await page.click("[data-testid=signout]");
  await form.waitFor({ state: "visible", timeout: READY_TIMEOUT_MS });
  const me = await page.evaluate(async () => (await fetch("/api/auth/me")).status);
  assert.equal(me, 401, "signing out ends the session on the server");
  const csp = s.consoleErrors.filter((m) => /Content Security Policy/i.test(m));
  assert.deepEqual(csp, [], "the page broke its own Content Security Policy");
  s.assertOnlyLocalRequests();
});
