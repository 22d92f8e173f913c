// An incident's cameras (Coverage/Video): those whose visibility covers the incident's place and those within a radius,
// nearest first (GET /api/incidents/{code}/cameras), each a button that plays its live video in the video panel.
// The incident panel redraws itself whole; this list is fetched once per incident and drawn again into each new node.
import { errorMessage, fetchJson } from "../../api.js";
import { onLangChange, t } from "../../i18n.js";
import { fieldValue } from "../../records/fields.js";
import { openCameraVideo } from "./videoPanel.js";

const RADIUS_M = 150;
const list = { code: null, cameras: null, error: null, node: null };

/** Shows the cameras of incident `code` in `node` (a fresh element of the panel's latest drawing); no code clears it. */
export function showIncidentCameras(node, code) {
  list.node = node;
  if (!node) return;
  if (code !== list.code) {
    Object.assign(list, { code, cameras: null, error: null });
    if (code) load(code);
  }
  draw();
}

async function load(code) {
  try {
    const answer = (await fetchJson(`/api/incidents/${encodeURIComponent(code)}/cameras?radiusM=${RADIUS_M}`)).data;
    if (code === list.code) list.cameras = answer.cameras ?? [];
  } catch (err) {
    if (code === list.code) list.error = err;
  }
  if (code === list.code) draw();
}

function draw() {
  const node = list.node;
  if (!node || !node.isConnected) return;
  node.className = "incident-cameras";
  node.dataset.testid = "incident-cameras";
  node.dataset.state = list.error ? "error" : list.cameras ? "ready" : "loading";
  const head = Object.assign(document.createElement("h3"), { textContent: t("video.incidentCameras") });
  if (!list.code) return node.replaceChildren();
  if (list.error) return node.replaceChildren(head, Object.assign(document.createElement("p"), { className: "dispatch-error", textContent: errorMessage(list.error) }));
  if (!list.cameras) return node.replaceChildren(head, Object.assign(document.createElement("p"), { textContent: t("video.incidentCamerasLoading") }));
  if (list.cameras.length === 0) return node.replaceChildren(head, Object.assign(document.createElement("p"), { textContent: t("video.incidentCamerasNone", { radius: RADIUS_M }) }));
  const ul = document.createElement("ul");
  for (const c of list.cameras) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.testid = "incident-camera";
    button.dataset.name = c.name ?? ""; // a camera's name is data (as the platform or import gave it), not a label
    button.dataset.camera = c.id;
    button.dataset.sees = String(c.sees);
    const where = c.sees ? t("video.sees") : t("video.near");
    button.textContent = `▶ ${c.name ?? c.id} · ${Math.round(c.distanceM)} m · ${where} · ${fieldValue("status", c.status, "camera")}`;
    button.title = t("video.play");
    button.addEventListener("click", () => openCameraVideo(c.id, c.name));
    const li = document.createElement("li");
    li.append(button);
    ul.append(li);
  }
  node.replaceChildren(head, ul);
}

onLangChange(draw);
