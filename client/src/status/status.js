// Server status in the top bar plus the error banner.
// - status line: data-state = loading | ready | error, text re-translated on language change
// - banner: one message per source (readyz, info, webgl, ...), visible while any is present
import { ApiError, fetchJson } from "../api.js";
import { onLangChange, t } from "../i18n.js";

const POLL_MS = 10000;

let statusEl;
let bannerEl;
let bannerListEl;
let statusState = { state: "loading", key: "status.loading" };
/** source -> { key, params } */
const errors = new Map();
let dismissed = false;

export function initStatus({ status, banner }) {
  statusEl = status;
  bannerEl = banner;
  bannerListEl = banner.querySelector("[data-role=messages]");
  banner.querySelector("[data-role=dismiss]")?.addEventListener("click", () => {
    dismissed = true;
    renderBanner();
  });
  onLangChange(() => {
    renderStatus();
    renderBanner();
  });
  renderStatus();
  renderBanner();
}

export function setStatus(state, key) {
  statusState = { state, key };
  renderStatus();
}

/** Show (or replace) the error message of one source. err may be an ApiError or any Error. */
export function reportError(source, err, fallbackKey = "error.render") {
  const entry =
    err instanceof ApiError
      ? { key: err.i18nKey, params: err.params }
      : { key: fallbackKey, params: { detail: String(err?.message ?? err) } };
  console.error(`[geotwin] ${source}:`, err);
  setError(source, entry);
}

function setError(source, entry) {
  const before = errors.get(source);
  errors.set(source, entry);
  // A dismissed banner comes back only for news, not for the same message repeated by polling.
  if (!before || JSON.stringify(before) !== JSON.stringify(entry)) dismissed = false;
  renderBanner();
}

export function clearError(source) {
  if (errors.delete(source)) renderBanner();
}

function renderStatus() {
  if (!statusEl) return;
  statusEl.dataset.state = statusState.state;
  statusEl.querySelector("[data-role=text]").textContent = t(statusState.key);
}

function renderBanner() {
  if (!bannerEl) return;
  bannerListEl.replaceChildren(
    ...[...errors.values()].map(({ key, params }) => {
      const li = document.createElement("li");
      li.textContent = t(key, params);
      return li;
    }),
  );
  bannerEl.hidden = errors.size === 0 || dismissed;
}

function describeBody(body) {
  if (body == null) return "-";
  if (typeof body === "string") return body.slice(0, 200) || "-";
  if (typeof body.status === "string") return body.status;
  return JSON.stringify(body).slice(0, 200);
}

/**
 * The live feed's state (from /readyz, or pushed by the live hub's "feed" message): a stall stays in the banner,
 * with how long no position came and what the simulator says, until positions arrive again.
 */
export function showLiveFeed(feed) {
  for (const listener of liveFeedListeners) listener(feed);
  if (feed?.state !== "stalled") return clearError("liveFeed");
  const seconds = Math.round(feed.secondsSinceLastFix ?? 0);
  setError("liveFeed", { key: "error.liveFeedStalled", params: { seconds: seconds < 60 ? seconds : `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`, detail: feed.simulator ?? "-" } });
}

/** One /readyz check: updates the status line and the banner; resolves to true when ready. */
export async function checkReady() {
  const url = "/readyz";
  try {
    const { status, data } = await fetchJson(url, { allowStatus: [503], timeoutMs: 8000 });
    if (status === 200 && data?.status === "ready") {
      setStatus("ready", "status.ready");
      clearError("readyz");
      showLiveFeed(data.liveFeed);
      return true;
    }
    setStatus("error", "status.notReady");
    setError("readyz", { key: "error.readyz", params: { status, detail: describeBody(data) } });
    return false;
  } catch (err) {
    setStatus("error", err instanceof ApiError && err.status > 0 ? "status.error" : "status.offline");
    reportError("readyz", err);
    return false;
  }
}

/** Check /readyz now and then every POLL_MS, so the bar follows the server going down and up. */
export function startReadinessPolling({ onReady = () => {} } = {}) {
  let timer;
  const tick = async () => {
    if (await checkReady()) onReady();
    timer = setTimeout(tick, POLL_MS);
  };
  tick();
  return () => clearTimeout(timer);
}

const liveFeedListeners = new Set();
/** Hear every live-feed report /readyz gives (the overview's alerts feed shows a stall too). */
export function onLiveFeed(listener) {
  liveFeedListeners.add(listener);
  return () => liveFeedListeners.delete(listener);
}
