// The geofences on the map: each fence an outlined translucent area with its name (map/areas.js), shown while the
// layers panel's box is on. A fence an event just came from flashes (a stronger colour) for FLASH_MS, so the eye
// finds it; the box's choice is kept in localStorage like the other layers'.
import { areaLayer } from "../map/areas.js";

export const FENCE_COLOUR = "#00e5ff";
const FLASH_COLOUR = "#ff1744";
const FLASH_MS = 8000;
const SHOW_KEY = "geotwin.fences.show";

/** Returns { setFences(list), flash(fenceId), show(bool), state }; state: { show, drawn (entities), flashing (ids) }. */
export function fencesLayer(viewer, { onChange = () => {} } = {}) {
  const areas = areaLayer(viewer);
  const state = { show: localStorage.getItem(SHOW_KEY) !== "0", drawn: 0, flashing: [] };
  const flashing = new Map(); // fence id -> timer
  let fences = [];

  const look = (id) => (flashing.has(id) ? { colour: FLASH_COLOUR, alpha: 0.45, outline: FLASH_COLOUR } : { colour: FENCE_COLOUR, alpha: 0.15, outline: FENCE_COLOUR });

  function draw() {
    state.flashing = [...flashing.keys()];
    if (!state.show || fences.length === 0) {
      areas.clear();
      state.drawn = 0;
    } else {
      state.drawn = areas.draw(fences.map((f) => {
        const { colour, alpha, outline } = look(f.id);
        return { key: `geofence:${f.id}`, name: f.name, boundary: f.area, colour, alpha, outline: { colour: outline, width: 3 }, label: f.name,
          properties: { geofenceId: f.id }, restyle: true };
      }));
    }
    onChange();
  }

  /** A flash starting or ending: the fence recoloured in place (a redraw would blank it while its geometry is built). */
  function restyle(id) {
    state.flashing = [...flashing.keys()];
    areas.style(`geofence:${id}`, look(id));
    onChange();
  }

  return {
    state,
    setFences(list) {
      fences = list ?? [];
      draw();
    },
    flash(fenceId) {
      clearTimeout(flashing.get(fenceId));
      flashing.set(fenceId, setTimeout(() => {
        flashing.delete(fenceId);
        restyle(fenceId);
      }, FLASH_MS));
      restyle(fenceId);
    },
    show(on) {
      state.show = Boolean(on);
      localStorage.setItem(SHOW_KEY, on ? "1" : "0");
      draw();
    },
  };
}
