// Outlines the picked feature on the map, so it is clear what the record panel is about.
// The geometry is the decoded tile's (tile units), turned back into lon/lat here.
import { Cartesian3, Color } from "cesium";

const ID = "picked-feature";
const COLOUR = Color.fromCssColorString("#ffd400");

/** lon/lat (degrees) of point p (tile units, 0..extent) of tile z/x/y. */
function toLonLat(p, { z, x, y }, extent) {
  const n = 2 ** z;
  const lon = ((x + p.x / extent) / n) * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * (y + p.y / extent)) / n))) * 180) / Math.PI;
  return [lon, lat];
}

/** Show feature (from a pick: { type, rings, extent }) of tile { z, x, y }; replaces the last one. */
export function highlight(viewer, feature, tile) {
  clearHighlight(viewer);
  if (!feature || !tile) return;
  const lines = feature.rings.map((ring) => {
    const coords = ring.map((p) => toLonLat(p, tile, feature.extent));
    if (feature.type === 3 && coords.length > 0) coords.push(coords[0]);
    return Cartesian3.fromDegreesArray(coords.flat());
  });
  if (feature.type === 1) {
    const [lon, lat] = toLonLat(feature.rings[0][0], tile, feature.extent);
    viewer.entities.add({
      id: ID,
      position: Cartesian3.fromDegrees(lon, lat),
      point: { pixelSize: 16, color: Color.TRANSPARENT, outlineColor: COLOUR, outlineWidth: 3 },
    });
  } else {
    const parent = viewer.entities.add({ id: ID });
    lines.forEach((positions, i) =>
      viewer.entities.add({
        id: `${ID}-${i}`,
        parent,
        polyline: { positions, width: 4, material: COLOUR, clampToGround: true },
      }),
    );
  }
  viewer.scene.requestRender();
}

export function clearHighlight(viewer) {
  for (const e of [...viewer.entities.values]) if (e.id === ID || e.id.startsWith(`${ID}-`)) viewer.entities.remove(e);
}
