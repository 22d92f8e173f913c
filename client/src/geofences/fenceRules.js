// The geofence rules in words: the one place the viewer names them (the panel's checkboxes, the list, the alerts
// feed). The server's codes are GeoTwin.Server Live/Geofences FenceRules.All; when vocabulary.json gains a
// fenceRules list ({ code: { label: [zh, en], event: [zh, en] } }) its words win, so moving them there needs no
// change here beyond deleting WORDS. A code neither knows is shown as it comes (a newer server's rule is never hidden).
import { pick } from "../i18n.js";
import { vocabulary } from "../vocabulary.js";

// label: what the rule watches (a checkbox); event: what the unit did (an alert, "一所01 驶入 海滩围栏").
const WORDS = {
  enter: { label: ["驶入", "Enter"], event: ["驶入", "entered"] },
  exit: { label: ["驶出", "Exit"], event: ["驶出", "left"] },
  inside: { label: ["在内", "Inside"], event: ["位于", "is inside"] },
  outside: { label: ["在外", "Outside"], event: ["位于外侧", "is outside"] },
  cross: { label: ["穿越", "Cross"], event: ["穿越", "crossed"] },
  dwell: { label: ["停留超时", "Dwell"], event: ["停留超时于", "dwelt too long in"] },
};

const words = (code) => vocabulary.fenceRules?.[code] ?? WORDS[code];

/** The rules in the server's order. */
export const FENCE_RULES = Object.keys(vocabulary.fenceRules ?? WORDS).filter((k) => !k.startsWith("_"));

/** A rule's name (list, checkbox); how = "event" for what a unit did, in an alert. */
export function ruleLabel(code, how = "label") {
  const pair = words(code)?.[how] ?? words(code)?.label;
  return pair ? pick(pair) : String(code ?? "—");
}

/** How hard an event should pull the eye: a crossing of the edge or an overstay is news, a state repeated is not. */
export const ruleLevel = (code) => (code === "inside" || code === "outside" ? "info" : "warning");
