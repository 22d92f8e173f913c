// GeoTwin page entry: top bar (title, jurisdiction, server status, language), the map, the
// error banner. Feature slices (Twin3d, Addresses, Live, ...) will hang off the viewer here.
import "./style.css";
import { fetchJson } from "./api.js";
import { currentUser, signIn, signOut } from "./accounts/session.js";
import { applyI18n, getLang, onLangChange, t, toggleLang } from "./i18n.js";
import { flyToBbox, createViewer } from "./map/viewer.js";
import { clearError, initStatus, reportError, startReadinessPolling } from "./status/status.js";

const $ = (sel) => document.querySelector(sel);

/** Test and debugging handle; stable shape: { viewer, info, view, user }. */
const geotwin = (window.geotwin = { viewer: null, info: null, view: "globe", user: null });

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
  if (!geotwin.user || geotwin.info || infoLoading) return;
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

// ---- the signed-in person -------------------------------------------------------------------
const form = $("[data-testid=signin]");
const formError = $("[data-testid=signin-error]");
const userEl = $("[data-testid=user]");
const signOutButton = $("[data-testid=signout]");

function showUser() {
  const user = geotwin.user;
  form.hidden = Boolean(user);
  userEl.hidden = signOutButton.hidden = !user;
  if (!user) return;
  const role = getLang() === "en" ? user.roleTitleEn : user.roleTitleZh;
  userEl.textContent = `${user.displayName} · ${role}`;
}
onLangChange(showUser);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const fields = new FormData(form);
  formError.hidden = true;
  try {
    const { user, errorKey, detail } = await signIn(String(fields.get("username")), String(fields.get("password")));
    if (!user) {
      formError.textContent = t(errorKey, { detail });
      formError.hidden = false;
      return;
    }
    geotwin.user = user;
    form.reset();
    showUser();
    loadInfo();
  } catch (err) {
    reportError("signin", err);
  }
});

signOutButton.addEventListener("click", async () => {
  await signOut().catch((err) => reportError("signout", err));
  geotwin.user = null;
  geotwin.info = null;
  renderInfo();
  showUser();
});

async function start() {
  try {
    geotwin.user = await currentUser();
  } catch (err) {
    reportError("info", err);
  }
  showUser();
  loadInfo();
}

start();
// If the server was down at start, look again as soon as it reports ready.
startReadinessPolling({ onReady: () => (geotwin.user ? loadInfo() : start()) });
