// The one way the viewer talks HTTP to GeoTwin: JSON reads (fetchJson), JSON writes with the CSRF header
// (postJson), raw bodies such as vector tiles (fetchRaw), and the CSRF token the hubs send too. Every failure
// becomes an ApiError whose i18nKey/params describe it in words the status banner can show (never a silent
// failure); a refusal carries the server's own problem+json `detail` and the field it names, not just its status.
import { t } from "./i18n.js";

export class ApiError extends Error {
  constructor(i18nKey, params, { status = 0, body = null, cause } = {}) {
    super(`${i18nKey} ${JSON.stringify(params)}`, { cause });
    this.name = "ApiError";
    this.i18nKey = i18nKey;
    this.params = params;
    this.status = status;
    this.body = body;
  }
}

const DEFAULT_TIMEOUT_MS = 10000;
const CSRF_COOKIE = "geotwin.csrf";

/** The CSRF token the server set as a cookie; every cookie-authenticated write (and hub negotiation) sends it back. */
export function csrfToken() {
  const match = document.cookie.split("; ").find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return match ? decodeURIComponent(match.slice(CSRF_COOKIE.length + 1)) : "";
}

/**
 * What a problem+json body (RFC 9457) says went wrong, in one line: its detail, with the field it names
 * (extension `field`, or the keys of a validation answer's `errors`) in front unless the detail starts with it.
 * Null when the body says nothing usable.
 */
export function problemText(body) {
  if (!body || typeof body !== "object") return null;
  const errors = body.errors && typeof body.errors === "object" ? body.errors : null;
  const fields = [body.field, ...Object.keys(errors ?? {})].filter((f) => typeof f === "string" && f);
  let detail = typeof body.detail === "string" && body.detail.trim() ? body.detail.trim() : null;
  if (!detail && errors) {
    detail = Object.entries(errors)
      .map(([f, msgs]) => `${f}: ${[msgs].flat().join("; ")}`)
      .join(" · ");
    return detail || null;
  }
  detail ??= typeof body.title === "string" ? body.title : null;
  if (!detail) return null;
  return fields.length > 0 && !fields.some((f) => detail.startsWith(f)) ? `${fields.join(", ")}: ${detail}` : detail;
}

/** An error in the words of the page's language (an ApiError through its key, anything else by its message). */
export function errorMessage(err) {
  return err instanceof ApiError ? t(err.i18nKey, err.params) : String(err?.message ?? err);
}

/**
 * The raw fetch every request goes through: same-origin cookies, no cache, a timeout. Returns the Response
 * whatever its status; throws ApiError (error.network) when there is none.
 */
export async function fetchRaw(url, { timeoutMs = DEFAULT_TIMEOUT_MS, init = {} } = {}) {
  try {
    return await fetch(url, {
      cache: "no-store",
      credentials: "same-origin",
      signal: AbortSignal.timeout(timeoutMs),
      ...init,
    });
  } catch (err) {
    if (err?.name === "AbortError" && init.signal?.aborted) throw err; // the caller cancelled: not a failure to report
    const detail = err?.name === "TimeoutError" ? `timeout ${timeoutMs / 1000} s` : String(err?.message ?? err);
    throw new ApiError("error.network", { url, detail }, { cause: err });
  }
}

/**
 * Fetch url (GET unless init says otherwise) and parse JSON. Returns { status, data }. Throws ApiError on network
 * failure or timeout (error.network), non-JSON body (error.badJson) and, unless allowStatus includes the status,
 * on HTTP errors: error.problem with the server's detail when it sent one, error.http otherwise.
 */
export async function fetchJson(url, { timeoutMs = DEFAULT_TIMEOUT_MS, allowStatus = [], init = {} } = {}) {
  const res = await fetchRaw(url, {
    timeoutMs,
    init: { ...init, headers: { Accept: "application/json, application/problem+json", ...(init.headers ?? {}) } },
  });
  let text;
  try {
    text = await res.text();
  } catch (err) {
    // the body broke off (or the timeout struck while it came): say so, never hand on an empty answer
    throw new ApiError("error.network", { url, detail: String(err?.message ?? err) }, { status: res.status, cause: err });
  }
  let data = null;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      if (res.ok) throw new ApiError("error.badJson", { url }, { status: res.status, cause: err });
    }
  }
  if (!res.ok && !allowStatus.includes(res.status)) {
    const detail = problemText(data);
    throw detail
      ? new ApiError("error.problem", { url, status: res.status, detail }, { status: res.status, body: data })
      : new ApiError("error.http", { url, status: res.status }, { status: res.status, body: data ?? text });
  }
  return { status: res.status, data };
}

/** POST JSON with the CSRF header. Returns { status, data }; throws ApiError like fetchJson. */
export async function postJson(url, body, { allowStatus = [], timeoutMs } = {}) {
  return fetchJson(url, {
    allowStatus,
    timeoutMs,
    init: {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
  });
}
