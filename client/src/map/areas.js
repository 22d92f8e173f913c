// Coloured areas on the map: the one way a panel fills places (communities, warning places) with a colour. Each
// area's GeoJSON outline (a Polygon, or a MultiPolygon whose parts become one entity each) is drawn as a Cesium
// polygon entity with its holes, filled and without an outline. The panels keep their own rules for which colour.
import { Cartesian3, Color, ColorMaterialProperty, ConstantProperty, Entity, PolygonHierarchy } from "cesium";

/**
 * A set of areas one panel draws on the viewer (null: nothing is drawn). draw(areas) replaces what it drew;
 * an area is { key, name, boundary, colour (CSS), alpha, properties? }: its entities are named `${key}:${n}` (n the
 * entity's place in the set), so a panel's own ids stay as they were. clear() takes them off; count is how many.
 */
export function areaLayer(viewer) {
  let entities = [];

  function clear() {
    for (const e of entities) viewer?.entities.remove(e);
    entities = [];
  }

  return {
    get count() {
      return entities.length;
    },
    clear() {
      clear();
      viewer?.scene.requestRender();
    },
    draw(areas) {
      clear();
      if (!viewer) return 0;
      for (const a of areas) {
        if (!a.boundary) continue;
        const colour = Color.fromCssColorString(a.colour).withAlpha(a.alpha);
        const polygons = a.boundary.type === "MultiPolygon" ? a.boundary.coordinates : [a.boundary.coordinates];
        for (const rings of polygons) {
          const [outer, ...holes] = rings.map((ring) => Cartesian3.fromDegreesArray(ring.flat()));
          entities.push(viewer.entities.add(new Entity({
            id: `${a.key}:${entities.length}`,
            name: a.name,
            polygon: {
              hierarchy: new PolygonHierarchy(outer, holes.map((h) => new PolygonHierarchy(h))),
              material: new ColorMaterialProperty(colour),
              outline: new ConstantProperty(false),
            },
            ...(a.properties ? { properties: a.properties } : {}),
          })));
        }
      }
      viewer.scene.requestRender();
      return entities.length;
    },
  };
}
