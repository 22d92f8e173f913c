// Live units in the real page: after sign-in the page subscribes to /hubs/live, draws the demo units
// (driven by the simulator of serve --demo) and a unit's drawn position moves as new fixes arrive.
import assert from "node:assert/strict";
import { browserTest, waitForReady } from "./pageHelpers.mjs";

// openBrowser signs in as the demo admin by default.
browserTest("live units: a simulated unit moves on the page; list, filter, details and track", {}, async (s) => {
  const { page } = s;
  await page.goto("/", { waitUntil: "load" });
  await waitForReady(s);

  const state = () => page.evaluate(() => ({ ...window.geotwin.live.state, units: window.geotwin.live.units() }));
  try {
    await page.waitForFunction(() => {
      const live = window.geotwin?.live;
      return live?.state.connected && live.units().some((u) => u.drawn && u.kind !== "boat" && u.freshness === "live");
    }, null, { timeout: 60000, polling: 250 });
  } catch (err) {
    throw new Error(`no live unit drawn: ${JSON.stringify(await state()).slice(0, 1000)}`, { cause: err });
  }
  const first = (await state()).units.find((u) => u.drawn && u.kind !== "boat" && u.freshness === "live");

  // The same unit, drawn somewhere else a few seconds later, with the position the server pushed.
  try {
    await page.waitForFunction((u) => {
      const now = window.geotwin.live.units().find((x) => x.id === u.id);
      return now && now.time !== u.time && Math.hypot(now.drawn.lon - u.drawn.lon, now.drawn.lat - u.drawn.lat) > 1e-6;
    }, first, { timeout: 30000, polling: 250 });
  } catch (err) {
    throw new Error(`unit ${first.callSign} did not move: ${JSON.stringify((await state()).units.find((u) => u.id === first.id))}`, { cause: err });
  }
  const moved = (await state()).units.find((u) => u.id === first.id);
  assert.ok(Math.abs(moved.drawn.lon - moved.lon) < 1e-6 && Math.abs(moved.drawn.lat - moved.lat) < 1e-6,
    `drawn at ${JSON.stringify(moved.drawn)}, pushed ${moved.lon},${moved.lat}`);
  assert.ok((await state()).received > 0, "no pushed deltas counted");
  assert.ok((await state()).moved > 0, "no unit moved by a packed moves frame");

  // The list shows every unit; the status filter keeps only that status.
  const listed = await page.locator("[data-testid=live-list] li").count();
  assert.equal(listed, (await state()).units.length);
  await page.selectOption("[data-testid=live-filter]", "available");
  const statuses = await page.$$eval("[data-testid=live-list] li", (lis) => lis.map((li) => li.dataset.unitId));
  const byId = new Map((await state()).units.map((u) => [String(u.id), u]));
  assert.ok(statuses.length > 0 && statuses.every((id) => byId.get(id).status === "available"), "filter let other statuses through");

  // Clicking a unit shows its details and fetches its track.
  await page.click(`[data-testid=live-list] li[data-unit-id="${statuses[0]}"]`);
  await page.waitForFunction(() => window.geotwin.live.state.track !== null, null, { timeout: 15000 });
  const detail = await page.locator("[data-testid=live-detail]").innerText();
  assert.match(detail, new RegExp(byId.get(statuses[0]).callSign));
  assert.ok((await state()).track.fixes > 0, "the track holds no fix");
  await s.screenshot("live-units");
  assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
});

// The connection drops and the server stays away longer than SignalR's own four reconnect tries would wait: the page
// says it is reconnecting, keeps trying, and once the server answers again subscribes afresh and moves units again.
browserTest("(d) the live hub reconnects after its connection drops and a long outage, and subscribes again", {}, async (s) => {
  const { page } = s;
  // Keep every WebSocket the page opens, so the test can drop the hub's the way a network would.
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
    };
  });
  await page.goto("/", { waitUntil: "load" });
  await waitForReady(s);
  const live = () => page.evaluate(() => ({ ...window.geotwin.live.state, units: window.geotwin.live.units().length }));
  const waitLive = async (what, predicate, arg, timeout = 60000) => {
    try {
      await page.waitForFunction(predicate, arg, { timeout, polling: 100 });
    } catch (err) {
      throw new Error(`${what}: ${JSON.stringify(await live())}`, { cause: err });
    }
  };
  await waitLive("connected with units", () => window.geotwin.live.state.hub === "connected" && window.geotwin.live.state.snapshots > 0 && window.geotwin.live.units().length > 0);
  const before = await live();

  // The outage: no negotiation gets through, and the open socket is closed under the connection.
  await page.route("**/hubs/live/negotiate**", (route) => route.abort("connectionrefused"));
  const dropped = await page.evaluate(() => {
    const open = window.__sockets.filter((w) => w.url.includes("/hubs/live") && w.readyState === WebSocket.OPEN);
    for (const w of open) w.close(4000, "test: the network went away");
    return open.length;
  });
  assert.equal(dropped, 1, "the page had no open live hub socket to drop");
  await waitLive("reconnecting shown", () => window.geotwin.live.state.hub === "reconnecting", null, 15000);
  assert.equal(await page.locator("[data-testid=live-hub]").innerText(), "重新连接中…");
  // More failed tries than SignalR's default policy makes before it gives up for good.
  await waitLive("still trying after five failed tries", () => window.geotwin.live.state.hubAttempts >= 5, null, 60000);
  assert.equal((await live()).hub, "reconnecting");

  await page.unroute("**/hubs/live/negotiate**");
  await waitLive("connected again with a fresh snapshot", (n) => window.geotwin.live.state.hub === "connected" && window.geotwin.live.state.snapshots > n, before.snapshots, 60000);
  assert.equal(await page.locator("[data-testid=live-hub]").innerText(), "", "the badge still says something while connected");
  const received = (await live()).received;
  await waitLive("positions flow again", (n) => window.geotwin.live.state.received > n, received, 30000);
  assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
});
