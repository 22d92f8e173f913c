// A click on the map: find the ground under the cursor, ask the visible layers (topmost first)
// which feature is drawn there, and turn it into the record to open.
import { ScreenSpaceEventHandler, ScreenSpaceEventType } from "cesium";
import { groundAt } from "../map/viewer.js";

const TOLERANCE_PX = 6; // how far a click may miss a point or a line, in screen pixels

// Which tile attribute carries the record's key (the server contract).
const KEY_ATTRIBUTE = { house: "id", address: "code", camera: "id", incident: "code" };

/** The record a picked feature opens: { kind, key, title? or titleKey/titleParams, attributes?, kindLayer? } (see recordPanel). */
export function recordTarget(layer, feature) {
  const props = feature.props ?? {};
  const kind = layer.record;
  // A cluster (incidents below z14) stands for several records: it shows its count, not one of them.
  const cluster = props.count > 1;
  if (kind && KEY_ATTRIBUTE[kind] && !cluster) {
    const key = props[KEY_ATTRIBUTE[kind]] ?? feature.id;
    if (key !== undefined && key !== null) return { kind, key: String(key) };
  }
  return {
    kind: "feature",
    key: String(feature.id ?? props.id ?? props.code ?? ""),
    kindLayer: layer,
    ...(cluster
      ? { titleKey: "incidents.cluster", titleParams: { count: props.count } }
      : { title: String(props.name ?? props.code ?? props.id ?? feature.id ?? "") }),
    attributes: props,
  };
}

/** The layers whose features are picked before a 3D house under the same click: what a dispatcher acts on. */
export const outranksHouses = (layer) => layer?.record === "incident";

/**
 * Listen for clicks on the viewer. getLayers() returns the current map layers (or null);
 * onPick({ lon, lat, zoom, layer, feature, tile, target }) gets every hit, onMiss() a click on nothing,
 * onError(err) a lookup that failed. preempt(position) names the record of a 3D object drawn above the ground
 * under the click ({ kind, key } or null): it wins, unless the layers hit the same record there, whose pick
 * (with its outline) is then used, or the layers hit an incident (outranksHouses); onPreempt(target) opens it otherwise.
 * above(position) names what is drawn over everything (a live unit's icon: { kind: "unit", key }) or null; it wins
 * outright and goes to onAbove(target). Returns a function that stops listening.
 */
export function attachPicking(viewer, { getLayers, onPick, onMiss = () => {}, onError, preempt = () => null, onPreempt = () => {}, above = () => null, onAbove = () => {} }) {
  const handler = new ScreenSpaceEventHandler(viewer.scene.canvas);
  handler.setInputAction(async (click) => {
    // What is drawn on top of everything (a unit's icon) is what the user meant: it opens without asking the layers.
    const top = above(click.position);
    if (top) return onAbove(top);
    const first = preempt(click.position);
    const layers = getLayers();
    const ground = layers && groundAt(viewer, click.position);
    if (!ground) {
      if (first) onPreempt(first);
      return;
    }
    try {
      const hit = await layers.pick(ground.lon, ground.lat, ground.zoom, ground.metresPerPixel * TOLERANCE_PX);
      const target = hit && recordTarget(hit.layer, hit.feature);
      // Incidents (one or a cluster) are drawn above the houses and win over them; other layers give way to a house.
      if (hit && (!first || outranksHouses(hit.layer) || (target.kind === first.kind && target.key === first.key))) onPick({ ...ground, ...hit, target });
      else if (first) onPreempt(first);
      else onMiss(ground);
    } catch (err) {
      if (first) onPreempt(first);
      else onError(err);
    }
  }, ScreenSpaceEventType.LEFT_CLICK);
  return () => handler.destroy();
}
