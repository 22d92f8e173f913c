// What the coverage panel draws on the map, in one Cesium data source of its own: each camera's field of view
// (wedge or PTZ circle) coloured by status with its dot coloured by owner, the blind street segments, a camera's
// real visibility polygon, placement suggestions with their marginal gain, and the area a planner draws.
import {
  ArcType,
  Cartesian2,
  Cartesian3,
  Color,
  CustomDataSource,
  HeightReference,
  LabelStyle,
  PolygonHierarchy,
  VerticalOrigin,
} from "cesium";
import { frustum, isFullCircle, wedge } from "./fieldOfView.js";

export const STATUS_COLOURS = { online: "#2e7d32", offline: "#757575", fault: "#ef6c00", planned: "#1e88e5" };
export const OWNER_COLOURS = { government: "#ffd600", social: "#d500f9" };
const BLIND = Color.fromCssColorString("#e53935");
const VISIBLE = Color.fromCssColorString("#00e5ff");
const SUGGESTED = Color.fromCssColorString("#ff9100");

const flat = (ring) => Cartesian3.fromDegreesArray(ring.flat());

export function createCoverageLayers(viewer) {
  const source = new CustomDataSource("coverage");
  viewer?.dataSources.add(source);
  const sets = { cameras: [], blind: [], visibility: [], suggestions: [], area: [], frustums: [] };

  function clear(name) {
    for (const e of sets[name]) source.entities.remove(e);
    sets[name] = [];
  }
  const add = (name, entity) => {
    const e = source.entities.add(entity);
    sets[name].push(e);
    return e;
  };

  return {
    counts: () => Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.length])),
    show(name, on) {
      for (const e of sets[name]) e.show = on;
    },

    /** Wedges (or PTZ circles) by status, dots by owner; id "camera:<id>" so a click can find the camera. */
    cameras(list, { frustums = false } = {}) {
      if (!viewer) return;
      clear("cameras");
      clear("frustums");
      for (const c of list) {
        const status = Color.fromCssColorString(STATUS_COLOURS[c.status] ?? "#9e9e9e");
        add("cameras", {
          id: `camera:${c.id}`,
          position: Cartesian3.fromDegrees(c.lon, c.lat),
          polygon: { hierarchy: new PolygonHierarchy(flat(wedge(c).slice(0, -1))), material: status.withAlpha(0.28) },
          point: {
            pixelSize: 7,
            color: Color.fromCssColorString(OWNER_COLOURS[c.owner] ?? "#ffffff"),
            outlineColor: status,
            outlineWidth: 2,
            heightReference: HeightReference.CLAMP_TO_GROUND,
          },
          properties: { camera: c },
        });
        // In 3D a fixed camera's view is a pyramid from its mount height (a PTZ camera's reach is its circle).
        if (frustums && !isFullCircle(c)) {
          const { apex, corners } = frustum(c, c.tiltDeg ?? -15);
          const ring = [...corners, corners[0]];
          const lines = [ring, ...corners.map((k) => [apex, k])];
          lines.forEach((line, i) =>
            add("frustums", {
              id: `frustum:${c.id}:${i}`,
              polyline: { positions: Cartesian3.fromDegreesArrayHeights(line.flat()), width: 1, arcType: ArcType.NONE, material: status.withAlpha(0.8) },
            }),
          );
        }
      }
    },

    /** Street segments no camera sees any of. */
    blind(segments) {
      if (!viewer) return;
      clear("blind");
      for (const [i, s] of segments.entries())
        // Lifted half a metre, not clamped: the terrain is the bare ellipsoid, and thousands of short ground-clamped
        // lines (ground primitives, volumes drawn into the depth) came out as red blobs under SwiftShader.
        add("blind", {
          id: `blind:${i}`,
          polyline: { positions: Cartesian3.fromDegreesArrayHeights(s.line.flatMap(([lon, lat]) => [lon, lat, 0.5])), width: 3, material: BLIND },
        });
    },

    /** One camera's visibility (a GeoJSON MultiPolygon's coordinates), replacing the last one shown. */
    visibility(cameraId, coordinates) {
      if (!viewer) return;
      clear("visibility");
      for (const [i, polygon] of coordinates.entries()) {
        const [outer, ...holes] = polygon;
        add("visibility", {
          id: `visibility:${cameraId}:${i}`,
          polygon: {
            hierarchy: new PolygonHierarchy(flat(outer.slice(0, -1)), holes.map((h) => new PolygonHierarchy(flat(h.slice(0, -1))))),
            material: VISIBLE.withAlpha(0.45),
          },
        });
      }
    },

    /** Suggested sites, numbered in the order chosen, each with its marginal gain and its potential view. */
    suggestions(list, labelOf) {
      if (!viewer) return;
      clear("suggestions");
      list.forEach((s, i) => {
        add("suggestions", {
          id: `suggestion:${i}`,
          position: Cartesian3.fromDegrees(s.lon, s.lat),
          point: { pixelSize: 12, color: SUGGESTED, outlineColor: Color.BLACK, outlineWidth: 1, heightReference: HeightReference.CLAMP_TO_GROUND },
          label: {
            text: labelOf(s, i),
            font: "13px sans-serif",
            fillColor: Color.WHITE,
            outlineColor: Color.BLACK,
            outlineWidth: 3,
            style: LabelStyle.FILL_AND_OUTLINE,
            verticalOrigin: VerticalOrigin.BOTTOM,
            pixelOffset: new Cartesian2(0, -10),
            heightReference: HeightReference.CLAMP_TO_GROUND,
          },
        });
        for (const ring of s.polygon ?? [])
          add("suggestions", { polygon: { hierarchy: new PolygonHierarchy(flat(ring.slice(0, -1))), material: SUGGESTED.withAlpha(0.25) } });
      });
    },

    /** The area being drawn or drawn: its vertices so far, as a line while drawing and a polygon once closed. */
    area(points, closed) {
      if (!viewer) return;
      clear("area");
      if (points.length === 0) return;
      for (const [i, p] of points.entries())
        add("area", { id: `area:${i}`, position: Cartesian3.fromDegrees(p[0], p[1]), point: { pixelSize: 6, color: Color.WHITE } });
      if (closed && points.length >= 3)
        add("area", { polygon: { hierarchy: new PolygonHierarchy(flat(points)), material: Color.WHITE.withAlpha(0.12) } });
      if (points.length >= 2)
        add("area", {
          polyline: { positions: flat(closed ? [...points, points[0]] : points), width: 2, material: Color.WHITE, clampToGround: true },
        });
    },
  };
}
