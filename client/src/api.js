// Small fetch helpers for the GeoTwin HTTP API. Every failure becomes an ApiError whose
// i18nKey/params describe it in words the status banner can show (never a silent failure).

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

/**
 * Fetch url (GET unless init says otherwise) and parse JSON. Returns { status, data }. Throws ApiError on network failure or
 * timeout (error.network), non-JSON body (error.badJson) and, unless allowStatus includes the
 * status, on HTTP errors (error.http).
 */
export async function fetchJson(url, { timeoutMs = DEFAULT_TIMEOUT_MS, allowStatus = [], init = {} } = {}) {
  let res;
  try {
    res = await fetch(url, {
      cache: "no-store",
      credentials: "same-origin",
      signal: AbortSignal.timeout(timeoutMs),
      ...init,
      headers: { Accept: "application/json", ...(init.headers ?? {}) },
    });
  } catch (err) {
    const detail =
      err?.name === "TimeoutError" ? `timeout ${timeoutMs / 1000} s` : String(err?.message ?? err);
    throw new ApiError("error.network", { url, detail }, { cause: err });
  }

  const text = await res.text().catch(() => "");
  let data = null;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      if (res.ok) throw new ApiError("error.badJson", { url }, { status: res.status, cause: err });
    }
  }
  if (!res.ok && !allowStatus.includes(res.status)) {
    throw new ApiError("error.http", { url, status: res.status }, { status: res.status, body: data ?? text });
  }
  return { status: res.status, data };
}
