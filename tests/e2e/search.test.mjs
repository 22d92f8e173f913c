// The search box on the demo, in the real page against GEOTWIN_URL: a place found by its name is pinned on the
// map with its name; the chosen address said number-first is found as the registry writes it (number last); the
// live feed's state is in /readyz.
import assert from "node:assert/strict";
import { before } from "node:test";
import { signedInApi } from "./api.mjs";
import { browserTest, waitForLayers, waitForReady } from "./pageHelpers.mjs";

let place; // a named place (organization) of the demo, as /api/search gives it
let beach; // Larvotto beach, a named place on the coast, as /api/search gives it
let address; // { text, spoken }: an address's registry text and the same said number first
before(async () => {
  const api = await signedInApi();
  const hits = (await api.get("/api/search?q=e&limit=50")).json;
  place = hits.find((h) => h.kind === "place");
  assert.ok(place, `no place among ${JSON.stringify(hits.slice(0, 5))}`);
  const numbered = hits.find((h) => h.kind === "address" && /社区 [A-Za-z].* \d+号$/.test(h.label))
    ?? (await api.get("/api/search?q=Boulevard&limit=50")).json.find((h) => h.kind === "address" && /社区 [A-Za-z].* \d+号$/.test(h.label));
  assert.ok(numbered, "no numbered address in the demo");
  const [, street, number] = numbered.label.match(/社区 (.+) (\d+)号$/);
  address = { text: numbered.label, spoken: `${number} ${street}` };
  beach = (await api.get("/api/search?q=Larvotto&limit=20")).json.find((h) => h.kind === "place" && /plage|beach/i.test(h.label));
  assert.ok(beach, "no Larvotto beach among the places");
  const ready = (await api.get("/readyz")).json;
  assert.ok(["live", "stalled", "idle"].includes(ready.liveFeed?.state), JSON.stringify(ready));
});

browserTest("a place by its name is pinned on the map; an address said number first is found", {}, async (s) => {
  const { page } = s;
  await page.goto("/");
  await waitForReady(s);
  await waitForLayers(page);
  const input = page.locator("[data-testid=search-input]");

  await input.fill(place.label);
  const hit = page.locator(`[data-testid=search-result][data-kind=place][data-key="${place.key}"]`);
  await hit.waitFor({ state: "visible", timeout: 90000 });
  assert.match(await hit.innerText(), /地点/);
  // the exact name ranks first, so it is the active suggestion: Enter takes it (as a call-taker would)
  assert.equal(await hit.getAttribute("aria-selected"), "true");
  await page.keyboard.press("Enter");
  await page.waitForFunction((label) => window.geotwin.searchMark()?.label === label, place.label, { timeout: 90000 });
  const mark = await page.evaluate(() => window.geotwin.searchMark());
  assert.deepEqual([mark.kind, mark.lon, mark.lat], ["place", place.lon, place.lat]);
  assert.equal(await page.evaluate(() => Boolean(window.geotwin.viewer.entities.getById("search-result"))), true);

  // a beach by its name: one suggestion, no internal id in its words, pinned where it is
  await input.fill(beach.label);
  const beachHits = page.locator("[data-testid=search-result][data-kind=place]");
  const beachHit = page.locator(`[data-testid=search-result][data-kind=place][data-key="${beach.key}"]`);
  await beachHit.waitFor({ state: "visible", timeout: 90000 });
  const beachTexts = await beachHits.locator(".label").allInnerTexts();
  assert.equal(beachTexts.filter((t) => t === beach.label).length, 1, `the beach once: ${JSON.stringify(beachTexts)}`);
  assert.doesNotMatch(await beachHit.innerText(), /\b[POH]-[nwr]?\d+|\b[nwr]\d{5,}/);
  await beachHit.dispatchEvent("mousedown"); // a suggestion is taken on mousedown (before the input loses focus)
  await page.waitForFunction((label) => window.geotwin.searchMark()?.label === label, beach.label, { timeout: 90000 });
  const beachMark = await page.evaluate(() => window.geotwin.searchMark());
  assert.deepEqual([beachMark.kind, beachMark.lon, beachMark.lat], ["place", beach.lon, beach.lat]);
  assert.doesNotMatch(await page.locator("[data-testid=record-panel]").innerText(), /record\.kind|\blabel\b/, "raw keys in the place's record");
  await s.screenshot("search-beach");

  await input.fill(address.spoken);
  const labels = page.locator("[data-testid=search-result][data-kind=address] .label");
  await labels.first().waitFor({ state: "visible", timeout: 90000 });
  const texts = await labels.allInnerTexts();
  assert.ok(texts.includes(address.text), `"${address.spoken}" found ${JSON.stringify(texts)}, not ${address.text}`);
  assert.equal(new Set(texts).size, texts.length, `duplicates: ${JSON.stringify(texts)}`);
});
