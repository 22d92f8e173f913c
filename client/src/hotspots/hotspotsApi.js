// The hotspot endpoints of docs/ARCHITECTURE.md "Hotspots" (contract: /api/hotspots/...), spoken through the one
// api.js: the filter as the query every hotspot endpoint shares, long runs followed to their end, exports
// saved as files, and every refusal carrying the server's own detail (the parameter it names).
import { ApiError, fetchJson, fetchRaw, problemText } from "../api.js";

export const BASE = "/api/hotspots";
const LONG_TIMEOUT_MS = 120000; // an uncached Gi* or emerging run over years of incidents may take a while
const JOB_POLL_MS = 500;
const JOB_DEADLINE_MS = 10 * 60 * 1000;

/**
 * The shared query string (without "?") of a filter { group, categories[], from, to, hours, weekdays, jurisdiction,
 * cellSize, band }: empty values are left out so the server's defaults (and its stated rules) apply.
 */
export function filterQuery(filter, extra = {}) {
  const q = new URLSearchParams();
  if (filter.group) q.set("group", filter.group);
  for (const c of filter.categories ?? []) q.append("category", c);
  for (const key of ["from", "to", "hours", "weekdays", "jurisdiction", "cellSize", "band"]) {
    if (filter[key] !== undefined && filter[key] !== null && filter[key] !== "") q.set(key, String(filter[key]));
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  return q.toString();
}

const withQuery = (path, query) => (query ? `${path}?${query}` : path);

/**
 * GET a hotspot answer; a 202 is a job (Hangfire) whose status is polled until it has the result.
 * onProgress(percent) hears the job's percentage. Throws ApiError with the server's detail.
 */
export async function getAnalysis(url, { onProgress = () => {}, signal } = {}) {
  const { status, data } = await fetchJson(url, { timeoutMs: LONG_TIMEOUT_MS });
  if (status !== 202) return data;
  return followJob(url, data, { onProgress, signal });
}

/** The job answer's own link to its status, in whichever of the house's spellings it comes. */
function jobUrl(job, url) {
  // /emerging answers 202 { job, status: "/api/hotspots/jobs/{job}", why }
  const link = job?.statusUrl ?? (typeof job?.status === "string" && job.status.startsWith("/") ? job.status : null) ?? job?.url ?? job?.location;
  if (typeof link === "string" && link) return link;
  const id = job?.job ?? job?.jobId ?? job?.id;
  if (id !== undefined) return `${BASE}/jobs/${encodeURIComponent(id)}`;
  return url; // the same query again: a cached result answers once the job is done
}

async function followJob(url, job, { onProgress, signal }) {
  const statusUrl = jobUrl(job, url);
  const deadline = Date.now() + JOB_DEADLINE_MS;
  let current = job;
  for (;;) {
    const percent = Number(current?.percent ?? current?.percentage ?? current?.progress);
    if (Number.isFinite(percent)) onProgress(Math.round(percent));
    const state = current === job ? "" : String(current?.status ?? current?.state ?? "").toLowerCase();
    if (["failed", "error", "cancelled"].includes(state)) {
      throw new ApiError("error.problem", { url, status: 500, detail: problemText(current?.error ?? current) ?? current?.message ?? state });
    }
    if (current?.result && typeof current.result === "object") return current.result;
    if (["succeeded", "done", "completed", "finished"].includes(state)) {
      const link = current.resultUrl ?? current.result;
      return typeof link === "string" ? getAnalysis(link, { onProgress, signal }) : getAnalysis(url, { onProgress, signal });
    }
    if (current?.cells) return current;
    if (Date.now() > deadline) throw new ApiError("error.network", { url: statusUrl, detail: "job did not finish" });
    await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS)); // waiting on the server's job, not on a test
    if (signal?.aborted) throw new DOMException("aborted", "AbortError");
    const answer = await fetchJson(statusUrl, { timeoutMs: LONG_TIMEOUT_MS });
    current = answer.data;
  }
}

export const giUrl = (query, format) => withQuery(`${BASE}/gi`, format ? `${query}${query ? "&" : ""}format=${format}` : query);
export const cellUrl = (id, query) => withQuery(`${BASE}/cells/${encodeURIComponent(id)}`, query);
export const whenUrl = (query, cell) => withQuery(`${BASE}/when`, cell !== undefined && cell !== null ? `${query}${query ? "&" : ""}cell=${encodeURIComponent(cell)}` : query);
export const emergingUrl = (query, step = "month") => withQuery(`${BASE}/emerging`, `${query}${query ? "&" : ""}step=${step}`);
export const densityLegendUrl = (query) => withQuery(`${BASE}/density/legend`, query);
/** The density tiles as a Cesium URL template ({z}/{x}/{y} left for Cesium to fill). */
export const densityTemplate = (query) => withQuery(`${BASE}/density/{z}/{x}/{y}.png`, query);

/**
 * Save an export (GeoJSON, CSV) as a file. Fetched first rather than linked, so a refusal shows the server's
 * detail in the banner instead of being saved as the file.
 */
export async function download(url, filename) {
  const res = await fetchRaw(url, { timeoutMs: LONG_TIMEOUT_MS });
  if (!res.ok) {
    const text = await res.text().catch(() => "");
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not problem+json: the status says it
    }
    const detail = problemText(body);
    throw detail
      ? new ApiError("error.problem", { url, status: res.status, detail }, { status: res.status, body })
      : new ApiError("error.http", { url, status: res.status }, { status: res.status, body: text });
  }
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60000);
  return blob.size;
}
