// Drawing a fence on the map: a circle (a click for the centre, a second click on the edge or a radius typed in
// metres) or a polygon (a click for each corner, finished by a double-click or the panel's button). The shape is
// previewed with the shared area helper; shape() is what POST /api/geofences takes (circle or area).
import { ScreenSpaceEventHandler, ScreenSpaceEventType } from "cesium";
import { areaLayer } from "../map/areas.js";
import { groundAt } from "../map/viewer.js";
import { FENCE_COLOUR } from "./fencesLayer.js";

const R = 6371008.8;
const rad = (d) => (d * Math.PI) / 180;

/** Great-circle metres between two [lon, lat] points (the server measures the same way). */
export function metresBetween([lon1, lat1], [lon2, lat2]) {
  const a = Math.sin(rad(lat2 - lat1) / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(rad(lon2 - lon1) / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** A circle as a closed ring of [lon, lat], for the preview only (the server draws the stored circle itself). */
function circleRing([lon, lat], metres, sides = 48) {
  const d = metres / R, p1 = rad(lat);
  const ring = [];
  for (let i = 0; i <= sides; i++) {
    const b = rad((360 * i) / sides);
    const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
    const l2 = rad(lon) + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
    ring.push([(l2 * 180) / Math.PI, (p2 * 180) / Math.PI]);
  }
  return ring;
}

/**
 * onChange(): after every click or change. state: { mode ("circle"|"polygon"|null: not drawing), centre, radiusM,
 * vertices, finished }. Returns { state, start(mode), setRadius(m), finish(), cancel(), shape() }.
 */
export function fenceDrawing(viewer, { onChange = () => {} } = {}) {
  const state = { mode: null, centre: null, radiusM: null, vertices: [], finished: false };
  const preview = areaLayer(viewer);

  function redraw() {
    let ring = null;
    if (state.mode === "circle" && state.centre && state.radiusM > 0) ring = circleRing(state.centre, state.radiusM);
    if (state.mode === "polygon" && state.vertices.length >= 2) ring = [...state.vertices, state.vertices[0]];
    if (ring) preview.draw([{ key: "geofence-draft", name: "", boundary: { type: "Polygon", coordinates: [ring] }, colour: FENCE_COLOUR, alpha: 0.25,
      outline: { colour: "#ffffff", width: 2 } }]);
    else preview.clear();
    onChange();
  }

  function click(position) {
    if (!state.mode || state.finished) return;
    const g = groundAt(viewer, position);
    if (!g) return;
    const p = [g.lon, g.lat];
    if (state.mode === "circle") {
      if (!state.centre) {
        state.centre = p;
        state.finished = state.radiusM > 0; // a radius typed first: the centre completes the circle
      } else {
        state.radiusM = Math.round(metresBetween(state.centre, p));
        state.finished = true;
      }
    } else {
      const last = state.vertices[state.vertices.length - 1];
      // a double-click is two clicks on one spot first: the second is no new corner
      if (!last || metresBetween(last, p) > 0.5) state.vertices.push(p);
    }
    redraw();
  }

  if (viewer) {
    const handler = new ScreenSpaceEventHandler(viewer.scene.canvas);
    handler.setInputAction((e) => click(e.position), ScreenSpaceEventType.LEFT_CLICK);
    handler.setInputAction(() => state.mode === "polygon" && finish(), ScreenSpaceEventType.LEFT_DOUBLE_CLICK);
  }

  function finish() {
    if (state.mode === "polygon" && state.vertices.length >= 3) state.finished = true;
    redraw();
  }

  return {
    state,
    start(mode) {
      Object.assign(state, { mode, centre: null, radiusM: state.mode === "circle" && mode === "circle" ? state.radiusM : null, vertices: [], finished: false });
      redraw();
    },
    /** A typed radius: with a centre already clicked the circle is done. */
    setRadius(m) {
      state.radiusM = Number.isFinite(m) && m > 0 ? m : null;
      if (state.mode === "circle" && state.centre && state.radiusM) state.finished = true;
      redraw();
    },
    finish,
    cancel() {
      Object.assign(state, { mode: null, centre: null, radiusM: null, vertices: [], finished: false });
      redraw();
    },
    /** The drawn shape as the POST body's part, or null while unfinished. */
    shape() {
      if (!state.finished) return null;
      if (state.mode === "circle") return { circle: { lon: state.centre[0], lat: state.centre[1], radiusM: state.radiusM } };
      return { area: { type: "Polygon", coordinates: [[...state.vertices, state.vertices[0]]] } };
    },
  };
}
