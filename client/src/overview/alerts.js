// The overview's alerts feed: one list of items from several sources, newest and most severe first. An item is
// { key, source, level: "critical"|"warning"|"info", at (ISO time or null), text (in the page's language), incident
// (a code to open, or null) }. Dispatch's own alerts (overdue incidents), Live's (a stalled feed, units offline) and
// the four-colour warnings' (GET /api/warnings/alerts, read as it comes: whatever carries a key, a level or colour,
// a time and a text or label pair) all become such items, so a new source is one more setter here. Geofence events
// (geofences/, pushed by the live hub or read) say "围栏 一所01 驶入 海滩围栏", one item per fence, unit and rule.
import { fetchJson } from "../api.js";
import { ruleLabel, ruleLevel } from "../geofences/fenceRules.js";
import { levelAlert, levelWords } from "../crowds/crowdLevels.js";
import { pick, t } from "../i18n.js";
import { isOverdue, priorityTarget, term } from "../vocabulary.js";

const WARNINGS_URL = "/api/warnings/alerts";
const WARNINGS_MS = 60000;
const LEVELS = { critical: 0, warning: 1, info: 2 };
// The warnings' four colours, by how hard they should pull the eye.
const COLOUR_LEVEL = { black: "critical", red: "critical", orange: "warning", yellow: "info", blue: "info" };

export function alertFeed({ onChange = () => {} } = {}) {
  // source -> [item without text, with make(): the text in the current language]
  const sources = new Map();
  let warningsTimer = null;
  let warningsGone = false;

  function set(source, list) {
    sources.set(source, list);
    onChange();
  }

  function setIncidents(incidents, nowMs) {
    set("dispatch", incidents.filter((i) => isOverdue(i, nowMs)).map((i) => {
      const target = priorityTarget(i.priority);
      const waitingFor = i.firstDispatchAt ? "arrival" : "dispatch";
      return {
        key: `overdue:${i.code}`, source: "dispatch", level: i.priority <= 2 ? "critical" : "warning", incident: i.code,
        at: i.receivedAt,
        make: () => t(`overview.alert.overdue.${waitingFor}`, {
          priority: `P${i.priority}`, category: term("incidentCategories", i.category),
          minutes: waitingFor === "dispatch" ? target.dispatch : target.arrival,
        }),
      };
    }));
  }

  function setUnits(units) {
    const offline = (units ?? []).filter((u) => u.freshness === "offline" || u.freshness === "never").reduce((a, u) => a + u.count, 0);
    set("units", offline ? [{ key: "units:offline", source: "live", level: "warning", at: null, incident: null,
      make: () => t("overview.alert.offline", { n: offline }) }] : []);
  }

  function setLiveFeed(report) {
    set("liveFeed", report?.state === "stalled" ? [{ key: "live:stalled", source: "live", level: "critical", at: null, incident: null,
      make: () => t("overview.alert.stalled", { seconds: Math.round(report.secondsSinceLastFix ?? 0) }) }] : []);
  }

  /** Fence events (newest first): the latest of each fence, unit and rule, so a unit reported inside every second is one item. */
  function setFenceEvents(events) {
    const seen = new Set();
    set("geofences", (events ?? []).filter((e) => {
      const key = `${e.fenceId}:${e.unitId}:${e.rule}`;
      return !seen.has(key) && seen.add(key);
    }).map((e) => ({
      key: `fence:${e.fenceId}:${e.unitId}:${e.rule}`, source: "geofences", level: ruleLevel(e.rule), at: e.at, incident: null,
      make: () => t("overview.alert.fence", { unit: e.callSign ?? t("overview.alert.fenceUnit", { id: e.unitId }), rule: ruleLabel(e.rule, "event"), fence: e.fenceName }),
    })));
  }

  /** Crowd level changes (newest first): each area's latest, while it is yellow, orange or red ("back to normal" ends it). */
  function setCrowdEvents(events) {
    const seen = new Set();
    set("crowds", (events ?? []).filter((e) => !seen.has(e.areaId) && seen.add(e.areaId)).filter((e) => levelAlert(e.level)).map((e) => ({
      key: `crowd:${e.areaId}`, source: "crowds", level: levelAlert(e.level), at: e.at, incident: null,
      make: () => t("overview.alert.crowd", { area: e.areaName, level: levelWords(e.level, "event"), count: e.count, capacity: e.capacity }),
    })));
  }

  /** One warnings alert as a feed item, whatever optional fields it has; null when it has nothing to say. */
  function fromWarning(w, n) {
    const words = w.text ?? w.message ?? w.title ?? w.label ?? w.place?.name ?? w.placeName;
    const text = Array.isArray(words) ? () => pick(words) : words ? () => String(words) : null;
    if (!text) return null;
    const colour = w.colour ?? w.color ?? w.level;
    const level = LEVELS[w.level] !== undefined ? w.level : COLOUR_LEVEL[colour] ?? "info";
    const colourWord = colour && COLOUR_LEVEL[colour] ? `${t(`overview.colour.${colour}`)} · ` : "";
    return { key: `warning:${w.id ?? w.key ?? n}`, source: "warnings", level, at: w.at ?? w.createdAt ?? w.raisedAt ?? null,
      incident: null, make: () => colourWord + text() };
  }

  async function readWarnings() {
    if (warningsGone) return;
    try {
      const { status, data } = await fetchJson(WARNINGS_URL, { allowStatus: [403, 404] });
      // 404: this server has no warnings alerts (yet); 403: this person may not read them. Neither is an error.
      if (status === 404 || status === 403) {
        warningsGone = true;
        clearInterval(warningsTimer);
        return set("warnings", []);
      }
      const list = Array.isArray(data) ? data : data?.items ?? data?.alerts ?? [];
      set("warnings", list.map(fromWarning).filter(Boolean));
    } catch {
      // a failed read keeps the last items; the banner already says when the server is away
    }
  }

  return {
    setIncidents,
    setUnits,
    setLiveFeed,
    setFenceEvents,
    setCrowdEvents,
    start() {
      warningsGone = false;
      readWarnings();
      warningsTimer = setInterval(readWarnings, WARNINGS_MS);
    },
    stop() {
      clearInterval(warningsTimer);
      sources.clear();
    },
    relabel: () => onChange(),
    items: () => [...sources.values()].flat()
      .map(({ make, ...item }) => ({ ...item, text: make() }))
      .sort((a, b) => LEVELS[a.level] - LEVELS[b.level] || (Date.parse(b.at ?? 0) || 0) - (Date.parse(a.at ?? 0) || 0)),
  };
}
