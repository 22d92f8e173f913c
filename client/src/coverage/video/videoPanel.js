// Live video at a click (Coverage/Video): GeoTwin asks the bureau's video platform for the camera's stream
// (GET /api/cameras/{id}/stream, scoped and audited on the server) and plays HLS with hls.js, or HTTP-FLV with
// mpegts.js where only FLV is given. One panel plays one camera; closing it (or opening another) stops the player
// and tells the platform the stream is no longer watched (DELETE), so streams are not left running on it.
// A refusal says why in words: the platform said no (with its own message), did not answer, or the camera is offline.
import Hls from "hls.js";
import mpegts from "mpegts.js";
import { ApiError, csrfToken, errorMessage, fetchJson, fetchRaw } from "../../api.js";
import { onLangChange, t } from "../../i18n.js";
import "./video.css";

// problem+json `reason` (Coverage/Video/VideoPlatform.cs, VideoEndpoints.cs) -> the words shown
const REASONS = ["refused", "timeout", "unreachable", "no_stream", "not_configured", "offline", "fault", "planned", "notFound", "noPlayer", "codec"];

let panel = null;

function build() {
  const root = document.createElement("aside");
  root.className = "video-panel";
  root.dataset.testid = "video-panel";
  root.hidden = true;
  root.innerHTML = `
    <header><b data-role="title"></b><button type="button" data-role="close" data-testid="video-close"></button></header>
    <video data-testid="video" muted autoplay playsinline></video>
    <p data-role="status" data-testid="video-status" role="status"></p>`;
  document.body.appendChild(root);
  const p = { root, video: root.querySelector("video"), cameraId: null, name: null, urls: null, player: null, state: "closed", error: null, generation: 0 };
  root.querySelector("[data-role=close]").addEventListener("click", () => closeCameraVideo());
  p.video.addEventListener("playing", () => setState("playing"));
  // the element itself refuses what it cannot decode (native HLS, or a codec the players passed through)
  p.video.addEventListener("error", () => {
    if (p.cameraId && (p.state === "loading" || p.state === "playing") && p.video.error?.code === MEDIA_ERR_SRC_NOT_SUPPORTED) setState("error", { reason: "codec" });
  });
  onLangChange(render);
  return p;
}

function setState(state, error = null) {
  panel.state = state;
  panel.error = error;
  render();
}

function render() {
  if (!panel) return;
  const { root, state, error } = panel;
  root.dataset.state = state;
  root.dataset.camera = panel.cameraId ?? "";
  root.dataset.reason = error?.reason ?? "";
  root.querySelector("[data-role=title]").textContent = t("video.title", { name: panel.name ?? panel.cameraId ?? "" });
  const close = root.querySelector("[data-role=close]");
  close.textContent = t("video.close");
  close.title = t("video.closeTitle");
  const status = root.querySelector("[data-role=status]");
  status.className = state === "error" ? "video-error" : "";
  status.textContent = state === "error" ? errorWords(error) : t(`video.state.${state}`);
}

function errorWords(error) {
  if (!error) return "";
  const base = REASONS.includes(error.reason) ? t(`video.reason.${error.reason}`) : error.words;
  return error.platformMessage ? `${base}（${error.platformMessage}）` : base;
}

/** What went wrong, kept as a reason (translated at render) and the API's own words for anything else. */
function describe(err) {
  const body = err instanceof ApiError && err.body && typeof err.body === "object" ? err.body : {};
  if (err instanceof ApiError && err.status === 404) return { reason: "notFound" };
  return { reason: body.reason ?? null, platformMessage: body.platformMessage ?? null, words: errorMessage(err) };
}

/** Opens the panel and plays the camera's live video (stopping whatever played before). */
export async function openCameraVideo(cameraId, name = null) {
  panel ??= build();
  if (panel.cameraId) await closeCameraVideo();
  const mine = ++panel.generation;
  Object.assign(panel, { cameraId: String(cameraId), name, urls: null, player: null });
  panel.root.hidden = false;
  setState("asking");
  let urls;
  try {
    // a GB/T 28181 INVITE takes seconds; the server gives up first (GeoTwin:Video:TimeoutSeconds) and says so
    urls = (await fetchJson(`/api/cameras/${encodeURIComponent(cameraId)}/stream`, { timeoutMs: 130000 })).data;
  } catch (err) {
    if (mine === panel.generation) setState("error", describe(err));
    return;
  }
  if (mine !== panel.generation) return stopOnPlatform(cameraId); // closed while the platform answered
  panel.urls = urls;
  panel.name = urls.name ?? name;
  setState("loading");
  panel.player = startPlayer(panel.video, urls, (words, reason = "media") => mine === panel.generation && setState("error", { reason, words }));
}

// hls.js's words for a stream whose codec the browser's Media Source cannot take
const CODEC_ERRORS = new Set(["manifestIncompatibleCodecsError", "bufferIncompatibleCodecsError", "bufferAddCodecError"]);
const MEDIA_ERR_SRC_NOT_SUPPORTED = 4;

/** hls.js for HLS (or the browser's own HLS), mpegts.js for HTTP-FLV; null when neither can play here. */
function startPlayer(video, urls, onFatal) {
  if (urls.hls && Hls.isSupported()) {
    const hls = new Hls({ liveDurationInfinity: true });
    hls.on(Hls.Events.ERROR, (_, data) => {
      // a codec this browser cannot decode (H.265 from many cameras) is said as such, not left as a black box
      if (CODEC_ERRORS.has(data.details)) return onFatal(null, "codec");
      if (data.fatal) onFatal(t("video.mediaError", { detail: `${data.type}: ${data.details}` }));
    });
    hls.loadSource(urls.hls);
    hls.attachMedia(video);
    video.play().catch(() => {}); // muted autoplay is allowed; a refusal here leaves the controls to the user
    return { kind: "hls", destroy: () => hls.destroy() };
  }
  if (urls.hls && video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = urls.hls;
    video.play().catch(() => {});
    return { kind: "native-hls", destroy: () => {} };
  }
  if (urls.flv && mpegts.getFeatureList().mseLivePlayback) {
    const flv = mpegts.createPlayer({ type: "flv", isLive: true, url: urls.flv });
    flv.on(mpegts.Events.ERROR, (type, detail) => onFatal(t("video.mediaError", { detail: `${type}: ${detail}` })));
    flv.attachMediaElement(video);
    flv.load();
    Promise.resolve(flv.play()).catch(() => {});
    return { kind: "flv", destroy: () => { flv.pause(); flv.unload(); flv.detachMediaElement(); flv.destroy(); } };
  }
  onFatal(null, "noPlayer");
  return null;
}

function stopOnPlatform(cameraId) {
  // keepalive: the stop still leaves when the panel closes because the page is going away
  return fetchRaw(`/api/cameras/${encodeURIComponent(cameraId)}/stream`, {
    init: { method: "DELETE", keepalive: true, headers: { "X-CSRF-Token": csrfToken() } },
  }).catch(() => {}); // the platform ends an unwatched stream by itself in the end; nothing the user can do here
}

/** Stops the player and the platform's stream and hides the panel. */
export async function closeCameraVideo() {
  if (!panel?.cameraId) return;
  panel.generation++;
  const { cameraId, urls, player } = panel;
  player?.destroy();
  panel.video.removeAttribute("src");
  panel.video.load();
  Object.assign(panel, { cameraId: null, urls: null, player: null });
  panel.root.hidden = true;
  setState("closed");
  if (urls) await stopOnPlatform(cameraId);
}

/** For tests and other panels: what the panel shows. */
export function videoState() {
  return panel ? { camera: panel.cameraId, state: panel.state, reason: panel.error?.reason ?? null, player: panel.player?.kind ?? null } : null;
}
