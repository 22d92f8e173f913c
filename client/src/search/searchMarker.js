// Marks the chosen search result on the map: a pin with its label, above houses and terrain (drawn without
// depth test), replaced by the next choice. window.geotwin.searchMark() tells tests where it stands.
import { Cartesian2, Cartesian3, Color, HeightReference, LabelStyle, VerticalOrigin } from "cesium";

const ID = "search-result";
let current = null;

export function markSearchResult(viewer, result) {
  viewer.entities.removeById(ID);
  current = null;
  if (!Number.isFinite(result?.lon) || !Number.isFinite(result?.lat)) return;
  viewer.entities.add({
    id: ID,
    position: Cartesian3.fromDegrees(result.lon, result.lat),
    point: {
      pixelSize: 14, color: Color.fromCssColorString("#ff3b30"), outlineColor: Color.WHITE, outlineWidth: 3,
      heightReference: HeightReference.CLAMP_TO_GROUND, disableDepthTestDistance: Number.POSITIVE_INFINITY,
    },
    label: {
      text: String(result.label ?? ""), font: "14px sans-serif", style: LabelStyle.FILL_AND_OUTLINE, outlineWidth: 3,
      fillColor: Color.WHITE, outlineColor: Color.BLACK, verticalOrigin: VerticalOrigin.BOTTOM, pixelOffset: new Cartesian2(0, -14),
      heightReference: HeightReference.CLAMP_TO_GROUND, disableDepthTestDistance: Number.POSITIVE_INFINITY,
    },
  });
  current = { kind: result.kind, label: result.label, lon: result.lon, lat: result.lat };
}

export const searchMark = () => current;
