// Coloured areas on the map: the one way a panel fills places (communities, warning places) with a colour. Each
// area's GeoJSON outline (a Polygon, or a MultiPolygon whose parts become one entity each) is drawn as a Cesium
// polygon entity with its holes, filled and without an outline. The panels keep their own rules for which colour.
// An area may ask for an outline (a line along each ring: Cesium draws no polygon outline on the ground) and a
// label (its name, at its outer ring's middle), for places that must be told apart by edge and name (geofences).
// An area drawn with restyle: true can change colour later (style()) without its entities being rebuilt: a rebuilt
// polygon vanishes for the frames its geometry takes, which is no way to flash it.
import { CallbackProperty, Cartesian3, Color, ColorMaterialProperty, ConstantProperty, Entity, LabelStyle, PolygonHierarchy, VerticalOrigin } from "cesium";

/**
 * A set of areas one panel draws on the viewer (null: nothing is drawn). draw(areas) replaces what it drew;
 * an area is { key, name, boundary, colour (CSS), alpha, properties? }: its entities are named `${key}:${n}` (n the
 * entity's place in the set), so a panel's own ids stay as they were. clear() takes them off; count is how many.
 * Optional: outline { colour (CSS), width (px) } and label (text): drawn as more entities of the same key;
 * restyle (true: style(key, { colour, alpha, outline }) may recolour it later).
 */
export function areaLayer(viewer) {
  let entities = [];
  const looks = new Map(); // key -> { fill: Color, line: Color } of the areas drawn with restyle

  function clear() {
    for (const e of entities) viewer?.entities.remove(e);
    entities = [];
    looks.clear();
  }

  return {
    get count() {
      return entities.length;
    },
    clear() {
      clear();
      viewer?.scene.requestRender();
    },
    /** Recolour an area drawn with restyle (its fill, and its outline if it has one). */
    style(key, { colour, alpha, outline }) {
      const look = looks.get(key);
      if (!look) return;
      look.fill = Color.fromCssColorString(colour).withAlpha(alpha);
      if (look.line && outline) look.line = Color.fromCssColorString(outline);
      viewer?.scene.requestRender();
    },
    draw(areas) {
      clear();
      if (!viewer) return 0;
      for (const a of areas) {
        if (!a.boundary) continue;
        const colour = Color.fromCssColorString(a.colour).withAlpha(a.alpha);
        const look = { fill: colour, line: a.outline ? Color.fromCssColorString(a.outline.colour) : null };
        if (a.restyle) looks.set(a.key, look);
        const paint = (part) => new ColorMaterialProperty(a.restyle ? new CallbackProperty(() => look[part], false) : look[part]);
        const polygons = a.boundary.type === "MultiPolygon" ? a.boundary.coordinates : [a.boundary.coordinates];
        for (const rings of polygons) {
          const [outer, ...holes] = rings.map((ring) => Cartesian3.fromDegreesArray(ring.flat()));
          entities.push(viewer.entities.add(new Entity({
            id: `${a.key}:${entities.length}`,
            name: a.name,
            polygon: {
              hierarchy: new PolygonHierarchy(outer, holes.map((h) => new PolygonHierarchy(h))),
              material: paint("fill"),
              outline: new ConstantProperty(false),
            },
            ...(a.properties ? { properties: a.properties } : {}),
          })));
          if (a.outline) {
            for (const ring of rings) entities.push(viewer.entities.add(new Entity({
              id: `${a.key}:${entities.length}`,
              name: a.name,
              polyline: { positions: Cartesian3.fromDegreesArray(ring.flat()), width: a.outline.width ?? 2, material: paint("line") },
              ...(a.properties ? { properties: a.properties } : {}),
            })));
          }
        }
        if (a.label) {
          const [lon, lat] = middle(polygons[0][0]);
          entities.push(viewer.entities.add(new Entity({
            id: `${a.key}:${entities.length}`,
            position: Cartesian3.fromDegrees(lon, lat, 3),
            label: { text: a.label, font: "13px sans-serif", style: LabelStyle.FILL_AND_OUTLINE, outlineWidth: 3, outlineColor: Color.BLACK,
              fillColor: Color.WHITE, verticalOrigin: VerticalOrigin.CENTER, disableDepthTestDistance: Number.POSITIVE_INFINITY },
          })));
        }
      }
      viewer.scene.requestRender();
      return entities.length;
    },
  };
}

/** The middle of a ring's extent: where its name goes (inside for the round and boxy shapes people draw). */
function middle(ring) {
  const xs = ring.map((p) => p[0]), ys = ring.map((p) => p[1]);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}
