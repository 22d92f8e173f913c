// Hexagon cells on the globe (the Gi* answer and the emerging patterns): one Cesium Primitive of coloured
// polygons plus one of outlines, rebuilt when the answer changes. A click is matched to a cell by the point
// in its polygon (the ground under the cursor), not by GPU picking, so it works the same under SwiftShader.
import {
  Cartesian3,
  Color,
  ColorGeometryInstanceAttribute,
  GeometryInstance,
  PerInstanceColorAppearance,
  PolygonGeometry,
  PolygonHierarchy,
  PolygonOutlineGeometry,
  Primitive,
  SceneTransforms,
} from "cesium";

const HEIGHT_M = 2; // just above the ellipsoid (the viewer's terrain), under 3D buildings' roofs
const METRES_PER_DEGREE = 111320;

/**
 * The ring [[lon, lat], ...] of a cell: the server's polygon (GeoJSON Polygon, a ring, or a list of rings) when it
 * sent one; otherwise a flat-top hexagon of flat-to-flat size metres about the centre (HexBins' shape), drawn in
 * a local tangent plane, which is what the server's local projection is within a few cells.
 */
export function cellRing(cell, size) {
  const poly = cell.polygon ?? cell.geometry;
  let ring = null;
  if (poly?.type === "Polygon") ring = poly.coordinates?.[0];
  else if (poly?.type === "MultiPolygon") ring = poly.coordinates?.[0]?.[0];
  else if (Array.isArray(poly) && Array.isArray(poly[0]?.[0])) ring = poly[0];
  else if (Array.isArray(poly) && Number.isFinite(poly[0]?.[0])) ring = poly;
  if (ring?.length >= 3) return ring;
  if (!Number.isFinite(cell.lon) || !Number.isFinite(cell.lat) || !(size > 0)) return null;
  const radius = size / Math.sqrt(3); // centre to vertex of a hexagon whose flats are size apart
  const kx = 1 / (METRES_PER_DEGREE * Math.cos((cell.lat * Math.PI) / 180));
  const ky = 1 / METRES_PER_DEGREE;
  return Array.from({ length: 7 }, (_, i) => {
    const a = ((i % 6) * Math.PI) / 3; // vertices left and right: flat top
    return [cell.lon + radius * Math.cos(a) * kx, cell.lat + radius * Math.sin(a) * ky];
  });
}

/** Even-odd ray test of [lon, lat] in a ring. */
function inRing(lon, lat, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * A cell layer on the viewer. colourOf(cell) gives a CSS colour or null (not drawn), alphaOf(cell) its opacity. Returns { set(cells, size),
 * clear(), show(bool), cellAt(lon, lat), windowPosition(id), count, destroy() }.
 */
export function createCellsLayer(viewer, { colourOf, alpha = 0.65, alphaOf = () => alpha }) {
  let fill = null;
  let outline = null;
  let drawn = []; // { cell, ring }
  let shown = true;

  function clear() {
    for (const p of [fill, outline]) if (p && viewer) viewer.scene.primitives.remove(p);
    fill = outline = null;
    drawn = [];
  }

  function set(cells, size) {
    clear();
    drawn = cells
      .map((cell) => ({ cell, ring: cellRing(cell, size), colour: colourOf(cell), a: alphaOf(cell) }))
      .filter((d) => d.ring && d.colour);
    if (!viewer || drawn.length === 0) return;
    const fills = [];
    const lines = [];
    for (const { cell, ring, colour, a } of drawn) {
      const positions = Cartesian3.fromDegreesArray(ring.slice(0, ring.length - (sameEnds(ring) ? 1 : 0)).flat());
      const hierarchy = new PolygonHierarchy(positions);
      const c = Color.fromCssColorString(colour);
      fills.push(new GeometryInstance({
        id: cell.id,
        geometry: new PolygonGeometry({ polygonHierarchy: hierarchy, height: HEIGHT_M, vertexFormat: PerInstanceColorAppearance.FLAT_VERTEX_FORMAT }),
        attributes: { color: ColorGeometryInstanceAttribute.fromColor(c.withAlpha(a)) },
      }));
      lines.push(new GeometryInstance({
        id: cell.id,
        geometry: new PolygonOutlineGeometry({ polygonHierarchy: hierarchy, height: HEIGHT_M }),
        attributes: { color: ColorGeometryInstanceAttribute.fromColor(c.darken(0.35, new Color()).withAlpha(Math.min(1, a + 0.3))) },
      }));
    }
    // asynchronous: false builds the geometry now, so a test (and a click) finds it drawn on the next frame
    fill = viewer.scene.primitives.add(new Primitive({
      geometryInstances: fills,
      appearance: new PerInstanceColorAppearance({ flat: true, translucent: true }),
      asynchronous: false,
      show: shown,
    }));
    outline = viewer.scene.primitives.add(new Primitive({
      geometryInstances: lines,
      appearance: new PerInstanceColorAppearance({ flat: true, translucent: true, renderState: { lineWidth: 1 } }),
      asynchronous: false,
      show: shown,
    }));
    viewer.scene.requestRender();
  }

  return {
    set,
    clear: () => {
      clear();
      viewer?.scene.requestRender();
    },
    show(on) {
      shown = on;
      if (fill) fill.show = on;
      if (outline) outline.show = on;
      viewer?.scene.requestRender();
    },
    get shown() {
      return shown;
    },
    get count() {
      return drawn.length;
    },
    /** The drawn cell under lon/lat, or null. */
    cellAt(lon, lat) {
      if (!shown) return null;
      return drawn.find(({ ring }) => inRing(lon, lat, ring))?.cell ?? null;
    },
    /** Where a cell's centre is on the page (CSS pixels in the canvas), or null when it is off screen. */
    windowPosition(id) {
      const d = drawn.find(({ cell }) => String(cell.id) === String(id));
      if (!d || !viewer) return null;
      const ring = sameEnds(d.ring) ? d.ring.slice(1) : d.ring;
      const lon = Number.isFinite(d.cell.lon) ? d.cell.lon : ring.reduce((s, p) => s + p[0], 0) / ring.length;
      const lat = Number.isFinite(d.cell.lat) ? d.cell.lat : ring.reduce((s, p) => s + p[1], 0) / ring.length;
      const at = SceneTransforms.worldToWindowCoordinates(viewer.scene, Cartesian3.fromDegrees(lon, lat, HEIGHT_M));
      return at ? { x: at.x, y: at.y, lon, lat } : null;
    },
    destroy: clear,
  };
}

const sameEnds = (ring) => ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1];
