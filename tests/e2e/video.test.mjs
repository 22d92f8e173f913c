// Live video at a click (issue #18): a real HLS stream made by ffmpeg from a generated test pattern (lavfi testsrc),
// served here with the video platform's play/stop API (WVP-GB28181-pro's documented shape) on the port the demo
// server was told is its platform (./geotwin test sets GeoTwin:Video:BaseUrl and GEOTWIN_VIDEO_PORT to the same
// port). A click on a camera plays it and its frames advance; closing the panel stops the player and the platform's
// stream; a camera the platform refuses says so in words; an incident's panel lists its cameras, each playable.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { signedInApi } from "./api.mjs";
import { browserTest, waitForLayers, waitForReady } from "./pageHelpers.mjs";

const PORT = Number(process.env.GEOTWIN_VIDEO_PORT);
const COMMANDER = { username: "commander", password: "demo-commander" };
const DISPATCHER = { username: "dispatcher", password: "demo-dispatcher" };
const asked = []; // what the platform was asked: "start <device>/<channel>", "stop <device>/<channel>"
let refusedChannel = null;
let hevcChannel = null; // the camera whose stream is H.265, which this Chromium cannot decode (MediaSource says no to hvc1)
let dir, ffmpeg, platform, ffmpegLog = "";

/** Poll a condition until it holds or the deadline passes (no fixed sleep decides anything). */
async function until(what, condition, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  if (!PORT) return;
  dir = mkdtempSync(join(tmpdir(), "gt-video-"));
  // A live HLS stream at real-time rate: 1 s segments of H.264 (what GB/T 28181 cameras send, remuxed by the media server).
  ffmpeg = spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
    "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "25",
    "-f", "hls", "-hls_time", "1", "-hls_list_size", "6", "-hls_flags", "delete_segments", join(dir, "live.m3u8")]);
  ffmpeg.stderr.on("data", (d) => (ffmpegLog += d));
  // A short H.265 stream in fMP4 segments, as many newer cameras send: made once, played as a finished (VOD) list.
  const hevc = spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=3",
    "-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1", "-pix_fmt", "yuv420p", "-f", "hls", "-hls_time", "1",
    "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "hevc-init.mp4",
    "-hls_segment_filename", join(dir, "hevc%d.m4s"), join(dir, "hevc.m3u8")], { encoding: "utf8", timeout: 180000 });
  assert.equal(hevc.status, 0, `ffmpeg could not make the H.265 stream: ${hevc.stderr}`);
  platform = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    // the media server's side: the stream's files, readable from the page's origin as ZLMediaKit allows
    res.setHeader("Access-Control-Allow-Origin", "*");
    const file = url.pathname.match(/^\/rtp\/([\w.-]+\.(m3u8|ts|m4s|mp4))$/);
    if (file) {
      const path = join(dir, file[1]);
      if (!existsSync(path)) return res.writeHead(404).end();
      const type = { m3u8: "application/vnd.apple.mpegurl", ts: "video/mp2t", m4s: "video/iso.segment", mp4: "video/mp4" }[file[2]];
      res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-cache" });
      return createReadStream(path).pipe(res);
    }
    // the platform's side: GET /api/play/{start|stop}/{deviceId}/{channelId}
    const play = url.pathname.match(/^\/api\/play\/(start|stop)\/(\d{20})\/(\d{20})$/);
    if (!play) return res.writeHead(404).end();
    const [, verb, device, channel] = play;
    asked.push(`${verb} ${device}/${channel}`);
    res.writeHead(200, { "Content-Type": "application/json" });
    if (verb === "stop") return res.end(JSON.stringify({ deviceId: device, channelId: channel }));
    if (channel === refusedChannel) return res.end(JSON.stringify({ code: 100, msg: "设备未响应" }));
    const base = `http://127.0.0.1:${PORT}/rtp`;
    res.end(JSON.stringify({ code: 0, msg: "成功", data: { app: "rtp", stream: `${device}_${channel}`, hls: `${base}/${channel === hevcChannel ? "hevc" : "live"}.m3u8`,
      flv: `${base}/${device}_${channel}.live.flv`, ws_flv: `ws://127.0.0.1:${PORT}/rtp/${device}_${channel}.live.flv` } }));
  });
  await new Promise((resolve, reject) => platform.once("error", reject).listen(PORT, "127.0.0.1", resolve));
  // the stream is live once the playlist holds three segments
  await until(`ffmpeg's HLS playlist in ${dir} (${ffmpegLog})`, () =>
    existsSync(join(dir, "live.m3u8")) && (readFileSync(join(dir, "live.m3u8"), "utf8").match(/\.ts/g) ?? []).length >= 3);
});

after(async () => {
  if (ffmpeg && ffmpeg.exitCode === null) {
    const exited = new Promise((resolve) => ffmpeg.once("exit", resolve));
    ffmpeg.kill("SIGTERM");
    await exited; // it writes segments until it is gone
  }
  platform?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens a camera's record the way a person does (search its id, click the result): its video panel opens. */
async function openCamera(page, id) {
  const input = page.locator("[data-testid=search-input]");
  await input.fill(id, { timeout: 120000 }); // the box shows once the page knows who is signed in
  const result = page.locator(`[data-testid=search-result][data-kind=camera][data-key="${id}"]`);
  await result.waitFor({ state: "visible", timeout: 15000 });
  await result.click();
}

const videoPanel = (page) => page.evaluate(() => {
  const p = document.querySelector("[data-testid=video-panel]");
  const v = p?.querySelector("video");
  return { hidden: p?.hidden, state: p?.dataset.state, camera: p?.dataset.camera, reason: p?.dataset.reason,
    status: p?.querySelector("[data-testid=video-status]")?.textContent, time: v?.currentTime, src: v?.getAttribute("src"), readyState: v?.readyState, paused: v?.paused };
});

async function waitForPanel(page, what, predicate, timeout = 60000) {
  try {
    await page.waitForFunction(predicate, null, { timeout, polling: 200 });
  } catch (err) {
    throw new Error(`${what}: ${JSON.stringify(await videoPanel(page))}; platform asked ${JSON.stringify(asked)}`, { cause: err });
  }
}

/** Frames the video element presents (requestVideoFrameCallback) and how far its media time moves over them. */
/** Gives up after a deadline, saying how many frames came and where the element's clock stood. */
const framesAdvance = (page, frames, timeoutMs = 60000) => page.evaluate(([n, deadline]) => new Promise((resolve, reject) => {
  const v = document.querySelector("[data-testid=video-panel] video");
  const times = [];
  const timer = setTimeout(() => reject(new Error(`only ${times.length} of ${n} frames presented within ${deadline / 1000} s ` +
    `(currentTime ${v.currentTime}, readyState ${v.readyState}, paused ${v.paused}, ${v.videoWidth}x${v.videoHeight})`)), deadline);
  const step = (_, meta) => {
    times.push(meta.mediaTime);
    if (times.length >= n) {
      clearTimeout(timer);
      resolve({ frames: times.length, first: times[0], last: times.at(-1) });
    } else v.requestVideoFrameCallback(step);
  };
  v.requestVideoFrameCallback(step);
}), [frames, timeoutMs]);

browserTest("(a) a click on a camera plays the platform's live HLS stream, frames advance, and closing stops it", { account: COMMANDER }, async (s, t) => {
  if (!PORT) return t.skip("GEOTWIN_VIDEO_PORT is not set: run through ./geotwin test, which points the demo server's video platform at it");
  const { page } = s;
  page.setDefaultTimeout(150000); // SwiftShader on a shared 2-core machine: a click may wait for a slow frame
  const api = await signedInApi(COMMANDER);
  const cameras = (await api.get("/api/cameras?limit=10000")).json;
  const online = cameras.filter((c) => c.status === "online");
  assert.ok(online.length >= 2, `the demo has ${online.length} online cameras`);
  const [camera, refused] = online;
  refusedChannel = refused.id;

  await page.goto("/", { timeout: 180000 }); // the shared machine may be loaded
  await waitForReady(s);
  await waitForLayers(page);
  await openCamera(page, camera.id);
  await waitForPanel(page, "the camera's video plays", () => document.querySelector("[data-testid=video-panel]")?.dataset.state === "playing");
  assert.ok(asked.includes(`start ${camera.id}/${camera.id}`), `the platform was asked ${JSON.stringify(asked)}`);
  // frames advance: the element's clock moves and new frames are presented
  const t0 = (await videoPanel(page)).time;
  await page.waitForFunction((from) => document.querySelector("[data-testid=video-panel] video").currentTime > from + 1.5, t0, { timeout: 60000, polling: 200 });
  const frames = await framesAdvance(page, 3, 150000); // a loaded machine composites few frames
  assert.ok(frames.last > frames.first, `frames presented at media times ${frames.first} .. ${frames.last}`);
  const playing = await videoPanel(page);
  assert.equal(playing.camera, camera.id);
  assert.match(playing.status, /正在播放/);
  await s.screenshot("video-a-playing");

  // closing the panel stops the player and tells the platform
  await page.locator("[data-testid=video-close]").click();
  await until("the platform hears the stop", () => asked.includes(`stop ${camera.id}/${camera.id}`), 15000);
  const closed = await videoPanel(page);
  assert.equal(closed.hidden, true);
  assert.equal(closed.state, "closed");
  // (Chromium keeps currentSrc after load(); the attribute and the element's state say whether media is held)
  assert.equal(closed.src, null, "the video element still holds a source");
  assert.equal(closed.readyState, 0, "the video element still holds media");

  // a camera the platform refuses: the panel says so in words, with the platform's reason, never an HTTP status
  await openCamera(page, refused.id);
  await waitForPanel(page, "the refusal is shown", () => document.querySelector("[data-testid=video-panel]")?.dataset.state === "error");
  const refusal = await videoPanel(page);
  assert.equal(refusal.reason, "refused");
  assert.match(refusal.status, /视频平台拒绝了点播（设备未响应）/);
  assert.doesNotMatch(refusal.status, /HTTP|502/);
  await s.screenshot("video-a-refused");
  await page.locator("[data-testid=lang-toggle]").click();
  await page.waitForFunction(() => /refused/.test(document.querySelector("[data-testid=video-status]").textContent));
  assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
});

browserTest("(b) an incident's panel lists the cameras at the scene nearest first, and one plays", { account: DISPATCHER }, async (s, t) => {
  if (!PORT) return t.skip("GEOTWIN_VIDEO_PORT is not set: run through ./geotwin test");
  const { page } = s;
  page.setDefaultTimeout(150000);
  const api = await signedInApi(DISPATCHER);
  // a new incident a few metres from an online camera (the demo's own incidents may all be closed)
  const camera = (await api.get("/api/cameras?limit=10000")).json.find((c) => c.status === "online");
  const created = await api.post("/api/incidents", { category: "missing_person", priority: 1, location: { lon: camera.lon + 0.0001, lat: camera.lat } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const incident = created.json;
  const listed = (await api.get(`/api/incidents/${encodeURIComponent(incident.code)}/cameras?radiusM=150`)).json.cameras;
  assert.ok(listed.some((c) => c.id === camera.id), `${camera.id}, 8 m away, is not among ${JSON.stringify(listed)}`);
  const distances = listed.map((c) => c.distanceM);
  assert.deepEqual(distances, [...distances].sort((a, b) => a - b), "not nearest first");

  await page.goto("/", { timeout: 180000 }); // the shared machine may be loaded
  await waitForReady(s);
  await waitForLayers(page);
  const item = page.locator(`[data-testid=dispatch-list] [data-code="${incident.code}"]`);
  await item.waitFor({ state: "visible", timeout: 120000 });
  await item.click();
  const buttons = page.locator("[data-testid=incident-camera]");
  await buttons.first().waitFor({ state: "visible", timeout: 30000 });
  assert.deepEqual(await buttons.evaluateAll((b) => b.map((x) => x.dataset.camera)), listed.map((c) => c.id));
  const target = listed.find((c) => c.status === "online");
  await s.screenshot("video-b-incident-cameras");
  await page.locator(`[data-testid=incident-camera][data-camera="${target.id}"]`).click();
  await waitForPanel(page, "the incident camera plays", () => document.querySelector("[data-testid=video-panel]")?.dataset.state === "playing");
  const frames = await framesAdvance(page, 3, 150000);
  assert.ok(frames.last > frames.first, `frames presented at media times ${frames.first} .. ${frames.last}`);
  await s.screenshot("video-b-playing");
  await page.locator("[data-testid=video-close]").click();
  await until("the platform hears the stop", () => asked.includes(`stop ${target.id}/${target.id}`), 15000);
  assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
});

browserTest("(c) a stream in a codec this browser cannot decode (H.265) is said in words, not left as a black box", { account: COMMANDER }, async (s, t) => {
  if (!PORT) return t.skip("GEOTWIN_VIDEO_PORT is not set: run through ./geotwin test");
  const { page } = s;
  page.setDefaultTimeout(150000);
  const api = await signedInApi(COMMANDER);
  const online = (await api.get("/api/cameras?limit=10000")).json.filter((c) => c.status === "online");
  const camera = online[2];
  hevcChannel = camera.id;

  await page.goto("/", { timeout: 180000 });
  await waitForReady(s);
  assert.equal(await page.evaluate(() => MediaSource.isTypeSupported('video/mp4; codecs="hvc1.1.6.L93.B0"')), false,
    "this Chromium decodes H.265: the test needs a codec it cannot play");
  await waitForLayers(page);
  await openCamera(page, camera.id);
  await waitForPanel(page, "the codec is named", () => document.querySelector("[data-testid=video-panel]")?.dataset.state === "error", 150000);
  const panel = await videoPanel(page);
  assert.equal(panel.reason, "codec", JSON.stringify(panel));
  assert.match(panel.status, /无法解码该视频流的编码格式/);
  assert.doesNotMatch(panel.status, /HTTP|Error|error/);
  await s.screenshot("video-c-codec");
  await page.locator("[data-testid=lang-toggle]").click();
  await page.waitForFunction(() => /cannot decode the stream's codec/.test(document.querySelector("[data-testid=video-status]").textContent));
  await page.locator("[data-testid=video-close]").click();
  await until("the platform hears the stop", () => asked.includes(`stop ${camera.id}/${camera.id}`), 15000);
  assert.deepEqual(s.pageErrors, [], "uncaught errors in the page");
});
