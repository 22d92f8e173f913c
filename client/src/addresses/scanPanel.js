// The door-plate scan page (/qr/{code}?v=&s=), phone first: the plate's URL is checked by the server (signature,
// plate version), then the panel shows the address written on the plate and what the person scanning may do:
// nobody signed in gets how to sign in; staff get the houses at the address with their resident counts.
import { ApiError, errorMessage, fetchJson } from "../api.js";
import { onLangChange, t } from "../i18n.js";
import { createRegistration } from "./registration.js";

/** The plate named by the page's URL, or null when this is not a scan page. */
export function plateFromLocation(loc = window.location) {
  const m = /^\/qr\/([^/]+)\/?$/.exec(loc.pathname);
  if (!m) return null;
  const q = new URLSearchParams(loc.search);
  return { code: decodeURIComponent(m[1]), v: q.get("v") ?? "", s: q.get("s") ?? "" };
}

/**
 * state: { phase: "none" | "loading" | "shown" | "refused", plate, houses, refusal: { status, key } }.
 * refresh(user) after sign-in or sign-out.
 */
export function initScanPanel(host, { getUser }) {
  const plate = plateFromLocation();
  const state = { phase: "none", plate: null, houses: null, qr: null, refusal: null, error: null };
  if (!plate) return { state, refresh: () => {} };
  const registration = createRegistration();

  const panel = document.createElement("aside");
  panel.className = "scan";
  panel.dataset.testid = "scan-panel";
  panel.setAttribute("aria-live", "polite");
  host.appendChild(panel);
  document.body.classList.add("scanning");

  function el(tag, { text, testid, cls } = {}) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (testid) e.dataset.testid = testid;
    if (cls) e.className = cls;
    return e;
  }

  function render() {
    panel.dataset.state = state.phase;
    panel.replaceChildren();
    panel.appendChild(el("small", { text: t("scan.kind") }));
    if (state.phase === "loading") {
      panel.appendChild(el("p", { text: t("scan.loading"), testid: "scan-loading" }));
      return;
    }
    if (state.phase === "refused") {
      panel.appendChild(el("h2", { text: t(state.refusal.key), testid: "scan-refused" }));
      panel.appendChild(el("p", { text: state.error, cls: "scan-detail" }));
      return;
    }
    const p = state.plate;
    panel.appendChild(el("h2", { text: p.doorNumber ?? p.fullText, testid: "scan-door" }));
    panel.appendChild(el("p", { text: p.fullText, testid: "scan-address" }));
    const user = getUser();
    if (!user) {
      panel.appendChild(el("p", { text: t("scan.signInHint"), testid: "scan-signin-hint", cls: "scan-hint" }));
      return;
    }
    if (state.houses) {
      panel.appendChild(el("h3", { text: t("scan.houses") }));
      const list = el("ul", { testid: "scan-houses", cls: "scan-houses" });
      for (const h of state.houses)
        list.appendChild(el("li", { text: t("scan.house", { code: h.code, total: h.residentsTotal, floating: h.residentsFloating }) }));
      if (state.houses.length === 0) list.appendChild(el("li", { text: t("scan.noHouses") }));
      panel.appendChild(list);
    } else if (user.role === "resident") {
      panel.appendChild(el("p", { text: t(state.qr ? "scan.residentHere" : "scan.residentNotLinked"), testid: "scan-resident", cls: "scan-hint" }));
    }
    registration.render(panel);
  }

  async function load() {
    state.phase = "loading";
    render();
    try {
      const q = `v=${encodeURIComponent(plate.v)}&s=${encodeURIComponent(plate.s)}`;
      const { data } = await fetchJson(`/api/plates/${encodeURIComponent(plate.code)}/scan?${q}`);
      state.plate = data;
      state.phase = "shown";
      await loadMore();
    } catch (err) {
      state.phase = "refused";
      const status = err instanceof ApiError ? err.status : 0;
      state.refusal = { status, key: { 400: "scan.badLink", 403: "scan.forged", 404: "scan.unknown", 410: "scan.revoked" }[status] ?? "scan.failed" };
      state.error = errorMessage(err);
    }
    render();
  }

  /** What the signed-in person's role may see at this address (staff: the houses; a resident: their address). */
  async function loadMore() {
    state.houses = null;
    state.qr = null;
    if (!getUser() || state.phase !== "shown") return;
    const { status, data } = await fetchJson(`/api/qr/${encodeURIComponent(plate.code)}`, { allowStatus: [403, 404] });
    state.houses = status === 200 ? data.houses : null;
    state.qr = status === 200 ? data : null;
    // what the role does here (declare, confirm, approve): only at an address the person may see
    if (state.qr) await registration.load({ plate, qr: state.qr, user: getUser(), rerender: render });
    else await registration.load({ plate, qr: null, user: null, rerender: render });
  }

  onLangChange(render);
  load();
  return {
    state,
    refresh: async () => {
      await loadMore().catch(() => {});
      render();
    },
  };
}
