// Door plates and the scan page (issue #19): deep links load the viewer (the CSP used to stop it on every route but
// "/"), and a plate's URL opened on a phone shows the address written on the plate and what the person may do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { signedInApi } from "./api.mjs";
import { baseUrl } from "./browser.mjs";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

const PHONE = { width: 390, height: 844 };
const OFFICER = { username: "officer", password: "demo-officer" };

/** A real address of the officer's station with its current plate URL (as printed in the QR). */
async function plateOfStation1() {
  const api = await signedInApi(OFFICER);
  const found = await api.get("/api/addresses?q=%E7%A4%BE%E5%8C%BA&limit=20"); // "社区": every demo address text has one
  assert.equal(found.status, 200);
  const address = found.json.find((a) => a.doorNumber) ?? found.json[0];
  assert.ok(address, "the officer's station has addresses");
  const plate = await api.get(`/api/plates/${address.code}`);
  assert.equal(plate.status, 200);
  return { address, url: plate.json.url, path: plate.json.url.replace(/^https?:\/\/[^/]+/, "") };
}

async function viewerStarted(page) {
  await page.waitForFunction(() => Boolean(window.geotwin?.viewer), null, { timeout: 60000 });
}

test("every page, '/' and the deep links alike, carries the same security headers", async () => {
  const base = baseUrl();
  const headers = await Promise.all(["/", "/qr/abcdefgh", "/some/client/route"].map((p) => fetch(`${base}${p}`)));
  const csp = headers.map((r) => r.headers.get("content-security-policy"));
  assert.ok(csp[0]?.includes("default-src 'self'"), `'/' has no CSP: ${csp[0]}`);
  assert.deepEqual(new Set(csp).size, 1, `different CSPs: ${csp.join(" | ")}`);
  assert.ok(headers.every((r) => r.status === 200));
});

for (const path of ["/qr/plate-deep-link", "/some/client/route"]) {
  browserTest(`deep link ${path} loads the viewer under the CSP (no page error)`, {}, async (s) => {
    await s.page.goto(path);
    await viewerStarted(s.page);
    await waitForReady(s);
    assert.deepEqual(s.pageErrors, [], `page errors on ${path}`);
    assert.equal(await s.page.evaluate(() => location.pathname), path);
  });
}

browserTest("a plate scanned on a phone, not signed in: the address, how to sign in; signed in as the officer: the houses", { viewport: PHONE, signIn: false }, async (s) => {
  const { address, path } = await plateOfStation1();
  const { page } = s;
  await page.goto(path);
  await viewerStarted(page);
  await page.waitForSelector("[data-testid=scan-panel][data-state=shown]", { timeout: 60000 });
  assert.equal(await page.textContent("[data-testid=scan-address]"), address.fullText);
  assert.match(await page.textContent("[data-testid=scan-signin-hint]"), /请先登录/);
  assert.ok(await page.isVisible("[data-testid=signin]"), "the sign-in form is offered");
  await s.screenshot("scan-phone-anonymous");
  // the panel fits the phone's width
  const box = await page.locator("[data-testid=scan-panel]").boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, JSON.stringify(box));

  await page.fill("[data-testid=signin-username]", OFFICER.username);
  await page.fill("[data-testid=signin-password]", OFFICER.password);
  await page.click("[data-testid=signin-submit]");
  await page.waitForSelector("[data-testid=scan-houses]", { timeout: 60000 });
  await page.click("[data-testid=lang-toggle]");
  await page.waitForFunction(() => document.querySelector("[data-testid=scan-panel] small")?.textContent === "Door plate");
  assert.match(await page.textContent("[data-testid=scan-houses]"), /residents|No house is recorded/);
  await s.screenshot("scan-phone-officer-en");
  assert.deepEqual(s.pageErrors, []);
});

browserTest("a forged plate, a revoked plate and a broken link are told apart in words, not codes", { viewport: PHONE, signIn: false }, async (s) => {
  const { path } = await plateOfStation1();
  const forged = path.replace(/s=[^&]+/, "s=AAAAAAAAAAAAAAAAAAAAAA");
  await s.page.goto(forged);
  await s.page.waitForSelector("[data-testid=scan-panel][data-state=refused]", { timeout: 60000 });
  assert.equal(await s.page.textContent("[data-testid=scan-refused]"), "此门牌不是 GeoTwin 制作的");
  // reprinting the plate revokes the one on the door
  const api = await signedInApi(OFFICER);
  const { address } = await plateOfStation1();
  assert.equal((await api.post(`/api/plates/${address.code}/reissue`)).status, 200);
  await s.page.goto(path);
  await s.page.waitForSelector("[data-testid=scan-panel][data-state=refused]", { timeout: 60000 });
  assert.equal(await s.page.textContent("[data-testid=scan-refused]"), "此门牌已作废，请扫描新门牌");
  await s.page.goto(path.replace(/v=\d+/, "v=0"));
  await s.page.waitForSelector("[data-testid=scan-panel][data-state=refused]", { timeout: 60000 });
  assert.equal(await s.page.textContent("[data-testid=scan-refused]"), "门牌链接不完整");
});
