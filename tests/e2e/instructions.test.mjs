// Instructions from four-colour warnings (issue #17): an instruction raised from a place's warning (by the rules, or by a leader on the board) in the
// demo shows on the community officer's daily list (/today, a deep link) at phone size; they accept it and report
// back, and the page says so in words (statuses through the vocabulary, deadlines in local time). The leaders'
// board (/instructions) filters by status and person and shows the month's statistics per station.
import assert from "node:assert/strict";
import { test } from "node:test";
import { signedInApi } from "./api.mjs";
import { openBrowser } from "./browser.mjs";
import { browserTest, closeBannerWhenInTheWay } from "./pageHelpers.mjs";

const PHONE = { width: 390, height: 844 };
const OFFICER = { username: "officer", password: "demo-officer" };
const COMMANDER = { username: "commander", password: "demo-commander" };

/** The places with a warning this month in the officer's own station (their scoped view). */
async function warnedPlacesOfOfficer() {
  const places = await (await signedInApi(OFFICER)).get("/api/warnings/instructions/places");
  assert.equal(places.status, 200, JSON.stringify(places.json));
  assert.ok(places.json.length > 0, "the demo has warned places in the officer's station this month or last");
  return places.json;
}

/**
 * An instruction raised from a warning, open on the officer's list: by the rules (red and black places, the job runs at
 * start and every minute) or by a leader from the board (the test before this one); raised here through the API when
 * this test runs alone. Polls the server's state with a deadline, never a fixed wait.
 */
async function warningInstructionOfOfficer() {
  const api = await signedInApi(OFFICER);
  const open = async () => (await api.get("/api/warnings/instructions/mine")).json.items.find((i) => i.warning && i.status === "issued");
  let found = await open();
  if (!found) {
    const [place] = await warnedPlacesOfOfficer();
    const raised = await (await signedInApi(COMMANDER)).post("/api/warnings/instructions", { placeId: place.id, task: "排查小区所有自行车棚", hours: 48 });
    assert.equal(raised.status, 201, JSON.stringify(raised.json));
    found = await open();
  }
  assert.ok(found, "an instruction from a warning is on the officer's list");
  return found;
}

browserTest("a leader raises an instruction from a warned place on the board; it filters by status and person and shows the month's statistics",
  { account: COMMANDER }, async (s) => {
    const [place] = await warnedPlacesOfOfficer();
    const { page } = s;
    await page.goto("/instructions", { waitUntil: "domcontentloaded", timeout: 120000 });
    await page.waitForSelector("[data-testid=raise-form] [data-testid=raise-place] option", { state: "attached", timeout: 60000 });
    await page.waitForSelector("[data-testid=board-stats] td", { timeout: 30000 });
    const stats = await page.textContent("[data-testid=board-stats]");
    assert.match(stats, /核查率/);
    assert.match(stats, /去年同期/);
    await page.selectOption("[data-testid=raise-place]", String(place.id));
    await page.fill("[data-testid=raise-task]", "48小时内排查小区所有自行车棚");
    await page.fill("[data-testid=raise-hours]", "48");
    await page.click("[data-testid=raise-submit]");
    const card = page.locator("[data-testid=board-list] [data-testid=instruction]", { hasText: "48小时内排查小区所有自行车棚" }).first();
    await card.waitFor({ timeout: 30000 });
    assert.match(await card.textContent(), /社区民警/);
    assert.equal(await card.locator("[data-testid=instruction-status]").textContent(), "已下发");

    await page.selectOption("[data-testid=board-status]", "issued");
    await page.waitForFunction(() => {
      const cards = [...document.querySelectorAll("[data-testid=board-list] [data-testid=instruction]")];
      return cards.length > 0 && cards.every((c) => c.dataset.status === "issued");
    }, null, { timeout: 30000 });
    const people = await page.$$eval("[data-testid=board-person] option", (os) => os.map((o) => o.value).filter(Boolean));
    assert.ok(people.length >= 1, "the person filter lists the people on the board");
    await page.selectOption("[data-testid=board-person]", people[0]);
    await page.waitForFunction(() => document.querySelector("[data-testid=instructions-board]")?.dataset.state === "shown");
    await s.screenshot("instructions-board");

    // The other station's officer does not see it.
    const item = await warningInstructionOfOfficer();
    const other = await (await signedInApi({ username: "officer2", password: "demo-officer2" })).get(`/api/warnings/instructions/${item.id}`);
    assert.equal(other.status, 404);
    assert.match(other.headers.get("content-type"), /problem\+json/);
    assert.deepEqual(s.pageErrors, []);
  });

browserTest("an instruction raised from a warning shows on the officer's daily list at phone size; they accept and report back",
  { viewport: PHONE, account: OFFICER }, async (s) => {
    const item = await warningInstructionOfOfficer();
    const { page } = s;
    await page.goto("/today", { waitUntil: "domcontentloaded", timeout: 120000 });
    const card = page.locator(`[data-testid=instruction][data-id="${item.id}"]`);
    await card.waitFor({ timeout: 60000 });
    assert.equal(await card.locator("[data-testid=instruction-status]").textContent(), "已下发");
    const due = await card.locator("[data-testid=instruction-due]").textContent();
    assert.ok(!/\d{10}|T\d\d:|Z/.test(due), `the deadline is a local time, not ${due}`);
    assert.ok(due.includes(String(new Date(item.dueAt).getFullYear())), due);
    assert.ok((await card.textContent()).includes(item.placeName));
    const box = await page.locator("[data-testid=instructions-today]").boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, `the list fits the phone: ${JSON.stringify(box)}`);
    await s.screenshot("instructions-today-phone-issued");

    await card.locator("[data-testid=act-accept]").click();
    await page.waitForSelector(`[data-testid=instruction][data-id="${item.id}"][data-status=accepted]`, { timeout: 30000 });
    // Reporting back needs the feedback: refused on the page, in words, before anything is sent.
    await card.locator("[data-testid=act-report]").click();
    assert.equal(await page.textContent("[data-testid=instructions-error]"), "请填写办理情况（反馈内容）");
    await card.locator("[data-testid=instruction-text]").fill("已排查小区车棚4处，张贴防盗提示20份");
    await card.locator("[data-testid=act-report]").click();
    await page.waitForSelector(`[data-testid=instruction][data-id="${item.id}"][data-status=done]`, { timeout: 30000 });
    assert.equal(await card.locator("[data-testid=instruction-status]").textContent(), "已反馈");
    assert.match(await card.locator("[data-testid=instruction-feedback]").textContent(), /车棚4处/);
    await s.screenshot("instructions-today-phone-done");

    await page.click("[data-testid=lang-toggle]");
    await page.waitForFunction((id) => document.querySelector(`[data-testid=instruction][data-id="${id}"] [data-testid=instruction-status]`)?.textContent === "done", item.id);
    assert.match(await page.textContent("[data-testid=today-summary]"), /reported back today/);
    await s.screenshot("instructions-today-phone-en");

    // The server has it, with who and when.
    const api = await signedInApi(OFFICER);
    const stored = await api.get(`/api/warnings/instructions/${item.id}`);
    assert.deepEqual(stored.json.history.map((e) => `${e.kind}:${e.actor}`).slice(1), ["accept:officer", "report:officer"]);
    assert.deepEqual(s.pageErrors, []);
  });

/** Poll the server (every 2 s, with a deadline) until found() returns something; say what was last seen on timeout. */
async function pollServer(what, found, deadlineMs = 300000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const got = await found();
    if (got) return got;
    if (Date.now() > until) throw new Error(`${what}: not within ${deadlineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 2000)); // the poll's pace, not a wait for something to happen
  }
}

browserTest("an instruction the rules raise from a red alert appears on the responsible officer's daily list, and the duty leader sees it as not done",
  { account: OFFICER }, async (s) => {
    const admin = await signedInApi();
    const officer = await signedInApi(OFFICER);
    const source = await admin.get("/api/warnings/pull/source");
    assert.equal(source.status, 200);
    assert.ok(source.json.demoPlatform, `the demo pulls from its platform: ${JSON.stringify(source.json)}`);

    // Four thefts at a compound of the officer's station that had none this month: it enters red and the alert is raised.
    // A compound inside a preferred place (a unit's premises around it) never gets its own incidents: the next is taken.
    const places = (await officer.get("/api/warnings/places")).json.places;
    const candidates = places.filter((p) => p.kind === "compound" && p.count === 0).sort((a, b) => b.id - a.id).slice(0, 5);
    assert.ok(candidates.length > 0, "the officer's station has a compound without incidents this month");
    let place = null;
    for (const c of candidates) {
      const pushed = await fetch(`${source.json.demoPlatform}/jq/demo/incidents`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ place: c.code, count: 4, category: "theft" }),
      });
      assert.equal(pushed.status, 200, `the platform took the calls: ${await pushed.text()}`);
      const run = await admin.post("/api/warnings/pull/run", {});
      assert.ok(run.json[0].ok, `the pull ran: ${JSON.stringify(run.json[0])}`);
      const now = (await officer.get("/api/warnings/places")).json.places.find((p) => p.id === c.id);
      if (now.level === "red") {
        place = now;
        break;
      }
    }
    assert.ok(place, "four thefts turn a compound red");
    const alerts = (await officer.get("/api/warnings/alerts?limit=50")).json;
    assert.ok(alerts.some((a) => a.placeId === place.id && a.kind === "red"), "the red alert is raised");

    // The officer sees the alert in the warnings panel, as a person on duty would.
    const { page } = s;
    // The map keeps drawing under the daily list: on a loaded machine the page's thread can be busy for longer than
    // Playwright's default 30 s for a single read.
    page.setDefaultTimeout(120000);
    await closeBannerWhenInTheWay(page);
    await page.goto("/", { timeout: 120000 });
    await page.waitForFunction(() => window.geotwin?.warnings?.visible, null, { timeout: 120000 });
    await page.click("[data-testid=warnings-toggle]", { timeout: 120000 });
    const alert = page.locator(`[data-testid=warnings-alert][data-code="${place.code}"][data-kind=red]`);
    await alert.waitFor({ timeout: 120000 });
    assert.match(await alert.innerText(), /达到红色预警（4 起）/);

    // The rules' job (every minute) turns the alert into an instruction to the place's community officer.
    const raised = await pollServer("the rules' instruction for the red compound on the officer's list", async () =>
      (await officer.get("/api/warnings/instructions/mine")).json.items.find((i) => i.placeId === place.id && i.rule));
    assert.equal(raised.status, "issued");
    assert.equal(raised.holder, "community_officer");
    assert.equal(raised.warning, "red");

    // The daily list, reached from the top bar's link, then read at phone size.
    await page.click("[data-testid=nav-today]", { timeout: 120000 });
    await page.waitForURL(/\/today$/, { timeout: 120000 });
    await page.setViewportSize(PHONE);
    const card = page.locator(`[data-testid=instruction][data-id="${raised.id}"]`);
    await card.waitFor({ timeout: 60000 });
    assert.equal(await card.locator("[data-testid=instruction-status]").textContent(), "已下发");
    const text = await card.innerText();
    assert.ok(text.includes(place.name), `the place is named: ${text}`);
    assert.ok(text.includes(raised.task), `the rule's task is said: ${text}`);
    assert.match(text, /红色预警/, "the warning's level in words");
    assert.match(await page.textContent("[data-testid=today-summary]"), /待办 [1-9]\d* 条/);
    await card.scrollIntoViewIfNeeded();
    await s.screenshot("instructions-from-alert-today-phone");

    // The duty leader's board, in a browser of their own: the instruction is there, to the officer, not done.
    const leader = await openBrowser({ account: COMMANDER });
    try {
      const board = leader.page;
      board.setDefaultTimeout(120000);
      await board.goto("/instructions", { waitUntil: "domcontentloaded", timeout: 120000 });
      // The board reads the instructions, the month's statistics and the warned places: minutes on a loaded machine.
      await board.waitForFunction(() => ["shown", "error"].includes(document.querySelector("[data-testid=instructions-board]")?.dataset.state), null, { timeout: 300000 });
      assert.equal(await board.getAttribute("[data-testid=instructions-board]", "data-state"), "shown", await board.locator("[data-testid=instructions-board]").innerText());
      await board.selectOption("[data-testid=board-person]", String(raised.assigneeId));
      await board.waitForFunction((id) => {
        const page = document.querySelector("[data-testid=instructions-board]");
        return page?.dataset.state === "shown" && page.querySelector(`[data-testid=instruction][data-id="${id}"]`);
      }, raised.id, { timeout: 300000 });
      const onBoard = board.locator(`[data-testid=board-list] [data-testid=instruction][data-id="${raised.id}"]`);
      assert.equal(await onBoard.locator("[data-testid=instruction-status]").textContent(), "已下发", "not done: issued");
      assert.match(await onBoard.innerText(), new RegExp(`社区民警：${raised.assigneeName}`));
      assert.equal(await onBoard.locator("[data-testid=act-verify]").count(), 0, "nothing to verify before the officer reports back");
      // Only what is not done: the status filter keeps it.
      await board.selectOption("[data-testid=board-status]", "issued");
      await board.waitForFunction((id) => {
        const cards = [...document.querySelectorAll("[data-testid=board-list] [data-testid=instruction]")];
        return cards.some((c) => c.dataset.id === String(id)) && cards.every((c) => c.dataset.status === "issued");
      }, raised.id, { timeout: 300000 });
      await leader.screenshot("instructions-from-alert-board");
      assert.deepEqual(leader.pageErrors, []);
    } finally {
      await leader.close();
    }
    assert.deepEqual(s.pageErrors, []);
  });
