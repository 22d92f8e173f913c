// GeoTwin page entry: top bar (title, jurisdiction, server status, language), the map, the
// error banner. Feature slices (Twin3d, Addresses, Live, ...) will hang off the viewer here.
import "./style.css";
import { fetchJson } from "./api.js";
import { applyI18n, getLang, onLangChange, t, toggleLang } from "./i18n.js";
import { flyToBbox, createViewer } from "./map/viewer.js";
import { clearError, initStatus, reportError, startReadinessPolling } from "./status/status.js";

const $ = (sel) => document.querySelector(sel);

/** Test and debugging handle; stable shape: { viewer, info, view }. */
const geotwin = (window.geotwin = { viewer: null, info: null, view: "globe" });

applyI18n();
initStatus({ status: $("[data-testid=status]"), banner: $("[data-testid=error-banner]") });
$("[data-testid=lang-toggle]").addEventListener("click", toggleLang);

try {
  geotwin.viewer = createViewer($("[data-testid=map]"), {
    creditContainer: $("#credits"),
    onError: (source, err) =>
      reportError(source, err, source === "baseLayer" ? "error.baseLayer" : "error.render"),
  });
} catch (err) {
  reportError("webgl", err, "error.webgl");
}

// ---- jurisdiction / server info -------------------------------------------------------------
const jurisdictionEl = $("[data-testid=jurisdiction]");

function renderInfo() {
  const info = geotwin.info;
  if (!info) {
    jurisdictionEl.textContent = "";
    return;
  }
  const en = getLang() === "en";
  const serverName = (en ? info.nameEn : info.name) || info.name || info.nameEn || "";
  jurisdictionEl.textContent = info.jurisdiction?.name ?? t("info.noJurisdiction");
  jurisdictionEl.title = [serverName, info.version ? t("info.version", { version: info.version }) : ""]
    .filter(Boolean)
    .join(" · ");
}
onLangChange(renderInfo);

let infoLoading = false;
async function loadInfo() {
  if (geotwin.info || infoLoading) return;
  infoLoading = true;
  try {
    const { data } = await fetchJson("/api/info");
    geotwin.info = data ?? {};
    clearError("info");
    renderInfo();
    const bbox = data?.jurisdiction?.bbox;
    if (geotwin.viewer && bbox) {
      geotwin.view = "flying";
      const arrived = await flyToBbox(geotwin.viewer, bbox);
      geotwin.view = arrived ? "jurisdiction" : "globe";
    }
  } catch (err) {
    reportError("info", err);
  } finally {
    infoLoading = false;
  }
}

loadInfo();
// If the server was down at start, fetch the info as soon as it reports ready.
startReadinessPolling({ onReady: loadInfo });
