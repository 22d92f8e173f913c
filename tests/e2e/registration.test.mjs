// 人来登记、人走注销 at phone size (issue #19): the printed plate's QR, read by an independent decoder (zbarimg), opens the
// scan page; the demo resident declares a tenant's arrival, the demo landlord confirms, the community officer
// approves, and the house's counts and the community's registration rate rise; the departure takes them back.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signedInApi } from "./api.mjs";
import { RENDER_TIMEOUT_MS, assertApart, browserTest } from "./pageHelpers.mjs";

const PHONE = { width: 390, height: 844 };
const OFFICER = { username: "officer", password: "demo-officer" };
const RESIDENT = { username: "resident", password: "demo-resident" };
const LANDLORD = { username: "landlord", password: "demo-landlord" };

/**
 * A made-up, well-formed resident ID number (GB 11643 check character computed here, independently of GeoTwin's own
 * code): region 000000 is no GB/T 2260 region, so it is nobody's.
 */
function madeUpIdNumber() {
  const seq = String(100 + Math.floor(Math.random() * 800)).padStart(3, "0");
  const day = String(1 + Math.floor(Math.random() * 28)).padStart(2, "0");
  const first17 = `00000019880${Math.floor(1 + Math.random() * 8)}${day}${seq}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return first17 + "10X98765432"[sum % 11];
}

/** zbarimg (Debian zbar-tools) on the plate PNG the officer prints: the URL the QR carries. */
function decodeQr(png) {
  const dir = mkdtempSync(join(tmpdir(), "gt-plate-"));
  try {
    writeFileSync(join(dir, "plate.png"), png);
    return execFileSync("zbarimg", ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", join(dir, "plate.png")]).toString().trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function signInAs(page, account) {
  if (await page.isVisible("[data-testid=signout]")) {
    await page.click("[data-testid=signout]");
    await page.waitForSelector("[data-testid=signin-username]", { state: "visible", timeout: 30000 });
  }
  await page.fill("[data-testid=signin-username]", account.username);
  await page.fill("[data-testid=signin-password]", account.password);
  await page.click("[data-testid=signin-submit]");
}

/**
 * The officer's map at phone size: the registration-rate panel opened, the community's row in its table and its
 * colour on the map (the panel's state says what it drew). Returns the row's texts and the drawn class.
 */
async function rateOnTheMap(s, communityCode, registeredText) {
  const { page } = s;
  await page.goto("/", { timeout: 120000 });
  await page.waitForSelector("[data-testid=rates-panel]:not([hidden])", { timeout: 90000 });
  await page.click("[data-testid=rates-toggle]", { timeout: RENDER_TIMEOUT_MS }); // stable only once the globe's first frames came
  const row = page.locator(`[data-testid=rates-place][data-code="${communityCode}"]`);
  await row.waitFor({ timeout: 90000 });
  await page.waitForFunction(([code, text]) => {
    const r = document.querySelector(`[data-testid=rates-place][data-code="${code}"] [data-testid=rates-registered]`);
    return r?.textContent === text && window.geotwin.rates.drawn > 0 && window.geotwin.rates.communities[code];
  }, [communityCode, registeredText], { timeout: 90000 });
  const legendTitles = await page.evaluate(() => window.geotwin.legend.state.groups.map((g) => g.name));
  assert.ok(legendTitles.includes("registration-rates"), `the legend names the rate's colours: ${legendTitles}`);
  // the open rate panel, the legend, the live units, the warnings' bar and the layers button cover none of each other
  await assertApart(page, ["rates-panel", "legend", "live-panel", "warnings-panel", "layers-panel"], PHONE);
  return {
    registered: await row.locator("[data-testid=rates-registered]").textContent(),
    rate: await row.locator("[data-testid=rates-rate]").textContent(),
    drawn: await page.evaluate((code) => window.geotwin.rates.communities[code], communityCode),
  };
}

/** The rate as the table writes it (one decimal, per cent). */
const pctText = (rate) => (rate === null ? "—" : `${(rate * 100).toFixed(1)}%`);

/** A community's registration figures, as the officer's API gives them. */
async function figures(officer, communityCode) {
  const rates = await officer.get("/api/registration/rates?by=community");
  assert.equal(rates.status, 200);
  const community = rates.json.places.find((p) => p.code === communityCode);
  assert.ok(community, `community ${communityCode} in the rates`);
  return { registered: community.registeredFloating, rate: community.rate };
}

browserTest("a resident declares a tenant at their plate, the landlord confirms, the officer approves; the departure reverses it", { viewport: PHONE, signIn: false }, async (s) => {
  const { page } = s;
  // every click waits for the element to be stable, which takes the globe's frames: slow after each page load on a busy machine
  page.setDefaultTimeout(RENDER_TIMEOUT_MS);
  const officer = await signedInApi(OFFICER);
  const resident = await signedInApi(RESIDENT);
  // the demo resident's address: where their demo declarations are
  const mine = await resident.get("/api/declarations?mine=true");
  assert.equal(mine.status, 200);
  assert.ok(mine.json.length > 0, "the demo resident has declarations in several states");
  const code = mine.json[0].addressCode;
  const houseId = mine.json[0].houseId;
  const address = await officer.get(`/api/addresses/${code}`);
  assert.equal(address.status, 200);
  // every community's figures: the house's community is the one that moves (found below)
  const before = await officer.get("/api/registration/rates?by=community");
  const houseBefore = (await officer.get(`/api/houses/${houseId}`)).json;

  const png = await officer.get(`/api/plates/${code}.png?size=40`);
  assert.equal(png.status, 200);
  const url = decodeQr(png.buffer);
  const path = url.replace(/^https?:\/\/[^/]+/, "");
  assert.match(path, new RegExp(`^/qr/${code}\\?v=\\d+&s=[A-Za-z0-9_-]{22}$`));

  // the resident opens the plate's URL at phone size and signs in
  await page.goto(path, { timeout: 120000 }); // SwiftShader and a busy machine: the first load is slow
  await page.waitForSelector("[data-testid=scan-panel][data-state=shown]", { timeout: 90000 });
  await signInAs(page, RESIDENT);
  await page.waitForSelector("[data-testid=reg-form]", { timeout: 60000 });
  const idNumber = madeUpIdNumber();
  const name = `演示新租客${idNumber.slice(14, 17)}`;
  // a wrong check character first: refused in words, naming the field
  await page.selectOption("[data-testid=reg-subject]", "tenant");
  await page.fill("[data-testid=reg-fullName]", name);
  await page.fill("[data-testid=reg-idNumber]", idNumber.slice(0, 17) + (idNumber[17] === "1" ? "2" : "1"));
  await page.fill("[data-testid=reg-phone]", "13900001234");
  await page.click("[data-testid=reg-submit]");
  await page.waitForSelector("[data-testid=reg-error]", { timeout: 30000 });
  const refusal = await page.textContent("[data-testid=reg-error]");
  assert.match(refusal, /^公民身份号码：/);
  assert.doesNotMatch(refusal, /HTTP \d{3}/);
  await s.screenshot("registration-phone-refused");
  await page.fill("[data-testid=reg-idNumber]", idNumber);
  await page.click("[data-testid=reg-submit]");
  await page.waitForSelector("[data-testid=reg-notice]", { timeout: 30000 });
  const declared = page.locator("[data-testid=reg-mine] [data-testid=reg-declaration]", { hasText: name });
  await declared.waitFor({ timeout: 30000 });
  assert.equal(await declared.locator("[data-testid=reg-status]").textContent(), "待房东确认");
  await s.screenshot("registration-phone-resident-declared");
  const box = await page.locator("[data-testid=scan-panel]").boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, JSON.stringify(box));

  // the landlord confirms
  await signInAs(page, LANDLORD);
  const waiting = page.locator("[data-testid=reg-landlord] [data-testid=reg-declaration]", { hasText: name });
  await waiting.waitFor({ timeout: 60000 });
  assert.ok((await waiting.textContent()).includes("********"), "the landlord sees the ID number masked");
  await s.screenshot("registration-phone-landlord");
  await waiting.locator("[data-testid=reg-confirm]").click();
  await waiting.waitFor({ state: "detached", timeout: 30000 });

  // the officer sees the house, the declaration waiting, and approves; in English this time
  await signInAs(page, OFFICER);
  const pending = page.locator("[data-testid=reg-officer] [data-testid=reg-declaration]", { hasText: name });
  await pending.waitFor({ timeout: 60000 });
  await page.click("[data-testid=lang-toggle]", { timeout: 90000 }); // the globe's frames come slowly on a busy machine
  await page.waitForFunction(() => document.querySelector("[data-testid=scan-panel] small")?.textContent === "Door plate", null, { timeout: 60000 });
  assert.equal(await pending.locator("[data-testid=reg-status]").textContent(), "waiting for the officer");
  await s.screenshot("registration-phone-officer-en");
  await pending.locator("[data-testid=reg-approve]").click();
  const approved = page.locator("[data-testid=reg-history] [data-testid=reg-declaration]", { hasText: name }).first();
  await approved.waitFor({ timeout: 30000 });
  assert.equal(await approved.getAttribute("data-status"), "approved");
  // the people registered here (an audited read, on request) now hold the tenant
  await page.click("[data-testid=reg-show-people]");
  await page.waitForSelector("[data-testid=reg-people]", { timeout: 30000 });
  assert.ok((await page.textContent("[data-testid=reg-people]")).includes(idNumber));
  await s.screenshot("registration-phone-officer-approved");

  const houseAfter = (await officer.get(`/api/houses/${houseId}`)).json;
  assert.equal(houseAfter.residentsTotal, houseBefore.residentsTotal + 1);
  assert.equal(houseAfter.residentsFloating, houseBefore.residentsFloating + 1);
  const after = await officer.get("/api/registration/rates?by=community");
  const moved = after.json.places.filter((p) => {
    const was = before.json.places.find((b) => b.code === p.code);
    return was && p.registeredFloating === was.registeredFloating + 1 && p.floating === was.floating + 1;
  });
  assert.equal(moved.length, 1, "exactly one community's registered floating residents rose by one");
  const community = moved[0].code;
  // the officer's map: the community's row and colour now say the new figures (the same as the API's)
  const onMap = await rateOnTheMap(s, community, `${moved[0].registeredFloating} / ${moved[0].floating}`);
  assert.equal(onMap.rate, pctText(moved[0].rate));
  assert.equal(onMap.drawn.rate, moved[0].rate);
  await s.screenshot("registration-phone-rates-after-approval");

  // the departure: declared by the resident, confirmed by the landlord, approved by the officer
  const departure = await resident.post(`/api/plates/${code}/declarations?${path.split("?")[1]}`, {
    kind: "departure", subject: "tenant", fullName: name, idNumber, leftOn: new Date().toISOString().slice(0, 10),
  });
  assert.equal(departure.status, 201, JSON.stringify(departure.json));
  const landlord = await signedInApi(LANDLORD);
  assert.equal((await landlord.post(`/api/declarations/${departure.json.id}/confirm`, {})).status, 200);
  await page.goto(path, { timeout: 120000 });
  const leaving = page.locator("[data-testid=reg-officer] [data-testid=reg-declaration]", { hasText: name });
  await leaving.waitFor({ timeout: 90000 });
  await leaving.locator("[data-testid=reg-approve]").click();
  await leaving.waitFor({ state: "detached", timeout: 30000 });
  await s.screenshot("registration-phone-officer-departure");

  const houseBack = (await officer.get(`/api/houses/${houseId}`)).json;
  assert.equal(houseBack.residentsTotal, houseBefore.residentsTotal);
  assert.equal(houseBack.residentsFloating, houseBefore.residentsFloating);
  const back = await figures(officer, community);
  const was = before.json.places.find((p) => p.code === community);
  assert.equal(back.registered, was.registeredFloating);
  assert.equal(back.rate, was.rate);
  const mapBack = await rateOnTheMap(s, community, `${was.registeredFloating} / ${was.floating}`);
  assert.equal(mapBack.rate, pctText(was.rate));
  assert.equal(mapBack.drawn.rate, was.rate);
  assert.deepEqual(s.pageErrors, []);
});
