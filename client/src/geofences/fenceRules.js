// The geofence rules in words: the one place the viewer names them (the panel's checkboxes, the list, the alerts
// feed), read from vocabulary.json's geofenceRules (the server's engine is held to the same list). label: what the rule
// watches (a checkbox); event: what the unit did, in an alert ("围栏 一所01 驶入 海滩围栏"). A code the file does not
// know is shown as it comes (a newer server's rule is never hidden).
import { pick } from "../i18n.js";
import { vocabulary } from "../vocabulary.js";

const words = (code) => vocabulary.geofenceRules?.[code];

/** The rules in the server's order. */
export const FENCE_RULES = Object.keys(vocabulary.geofenceRules).filter((k) => !k.startsWith("_"));

/** A rule's name (list, checkbox); how = "event" for what a unit did, in an alert. */
export function ruleLabel(code, how = "label") {
  const pair = words(code)?.[how] ?? words(code)?.label;
  return pair ? pick(pair) : String(code ?? "—");
}

/** How hard an event should pull the eye: a crossing of the edge or an overstay is news, a state repeated is not. */
export const ruleLevel = (code) => (code === "inside" || code === "outside" ? "info" : "warning");
