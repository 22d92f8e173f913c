// A scale bar at the bottom of the map: how long a round distance (1, 2 or 5 x 10^n metres) is on screen where the
// bar stands, measured on the ground there (a tilted 3D view has no single scale: the bottom of the map, nearest the
// eye, is where the user reads distances). Redrawn after the camera moved; hidden when the bar would stand on sky.
import { Cartographic, EllipsoidGeodesic } from "cesium";
import { groundAt } from "./viewer.js";
import { getLang, onLangChange } from "../i18n.js";
import "./map.css";

const MAX_PX = 120;
const PROBE_PX = 100;

/** The round length (metres) that fits in at most maxPx at metresPerPx: 1, 2 or 5 times a power of ten. */
export function niceLength(metresPerPx, maxPx = MAX_PX) {
  const most = metresPerPx * maxPx;
  if (!(most > 0) || !Number.isFinite(most)) return null;
  const power = 10 ** Math.floor(Math.log10(most));
  return [5, 2, 1].map((m) => m * power).find((len) => len <= most);
}

/** "500 m", "2 km" / "2 公里": the words for a length. */
export function lengthText(metres) {
  const zh = getLang() !== "en";
  return metres >= 1000 ? `${metres / 1000} ${zh ? "公里" : "km"}` : `${metres} ${zh ? "米" : "m"}`;
}

export function initScaleBar(viewer, container) {
  const el = document.createElement("div");
  el.className = "scale-bar";
  el.dataset.testid = "scale-bar";
  el.innerHTML = `<span data-role="line"></span><small data-role="text"></small>`;
  container.appendChild(el);
  const state = { metres: null, px: null };
  if (!viewer) {
    el.hidden = true;
    return { state };
  }
  const line = el.querySelector("[data-role=line]");
  const text = el.querySelector("[data-role=text]");

  function update() {
    const canvas = viewer.scene.canvas;
    const y = canvas.clientHeight - 40;
    const x = canvas.clientWidth / 2;
    const a = groundAt(viewer, { x: x - PROBE_PX / 2, y });
    const b = groundAt(viewer, { x: x + PROBE_PX / 2, y });
    if (!a || !b) {
      el.hidden = true;
      state.metres = state.px = null;
      return;
    }
    const metres = new EllipsoidGeodesic(Cartographic.fromDegrees(a.lon, a.lat), Cartographic.fromDegrees(b.lon, b.lat)).surfaceDistance;
    const perPx = metres / PROBE_PX;
    const length = niceLength(perPx);
    if (!length) {
      el.hidden = true;
      return;
    }
    state.metres = length;
    state.px = Math.round(length / perPx);
    el.hidden = false;
    line.style.width = `${state.px}px`;
    text.textContent = lengthText(length);
    el.dataset.metres = String(length);
  }

  // after each drawn frame (the scene draws when the view changed), at most four times a second
  let last = 0;
  viewer.scene.postRender.addEventListener(() => {
    const now = performance.now();
    if (now - last < 250) return;
    last = now;
    update();
  });
  viewer.camera.moveEnd.addEventListener(update);
  onLangChange(update);
  update();
  return { state, update };
}
