// The codes every slice shares (incident categories and their groups, priorities, incident and unit
// statuses, unit kinds, the stale/offline rule, roles and who may do what), read from the one file the
// server and the SQL checks read too: server/GeoTwin.Domain/vocabulary.json, bundled by Vite. The viewer
// keeps no list of its own, so a code added there appears here; a code is shown only through term().
import vocabulary from "../../server/GeoTwin.Domain/vocabulary.json";
import { pick } from "./i18n.js";

export { vocabulary };

const codes = (list) => Object.keys(vocabulary[list]).filter((k) => !k.startsWith("_"));

export const INCIDENT_CATEGORIES = codes("incidentCategories");
export const INCIDENT_PRIORITIES = codes("incidentPriorities").map(Number);
export const INCIDENT_STATUSES = codes("incidentStatuses");
/** The statuses of an incident still being worked on (the dispatch list, recommendations, closing). */
export const OPEN_INCIDENT_STATUSES = INCIDENT_STATUSES.filter((s) => vocabulary.incidentStatuses[s].open);
export const UNIT_STATUSES = codes("unitStatuses");
export const UNIT_KINDS = codes("unitKinds");
export const FRESHNESS = {
  staleSeconds: vocabulary.positionFreshness.staleSeconds,
  offlineSeconds: vocabulary.positionFreshness.offlineSeconds,
};

/** Whether a role may use a policy ("dispatch", "analysis", "planning"). */
export const allowed = (policy, role) => Boolean(role && vocabulary.policies[policy]?.includes(role));

/**
 * A code in words of the current language: term("incidentCategories", "theft") is 盗窃 in zh-CN. list is a
 * vocabulary list name, or "freshness" for the stale/offline labels. A code the file does not know is shown
 * as it comes (a newer server's code is never hidden), and a missing one as a dash.
 */
export function term(list, code) {
  if (code === null || code === undefined || code === "") return "—";
  const pair = list === "freshness" ? vocabulary.positionFreshness.label[code] : vocabulary[list]?.[String(code)]?.label;
  return pair ? pick(pair) : String(code);
}

/** [code, words] of a list in its order, for a <select>. */
export const options = (list) => codes(list).map((c) => [c, term(list, c)]);

/** Minutes from intake to the first dispatch and to the first arrival an incident of this priority should take. */
export const priorityTarget = (priority) => vocabulary.incidentPriorities[String(priority)]?.targetMinutes ?? null;

/**
 * The overdue rule (the same as GeoTwin.Domain's PriorityTarget.IsOverdue, from the same targets): an open incident
 * not dispatched past its dispatch target, or with nobody on scene past its arrival target. nowMs on the server's clock.
 */
export function isOverdue(incident, nowMs) {
  const target = priorityTarget(incident.priority);
  if (!target || !incident.receivedAt) return false;
  const minutes = (nowMs - Date.parse(incident.receivedAt)) / 60000;
  return (!incident.firstDispatchAt && minutes >= target.dispatch) || (!incident.firstArrivalAt && minutes >= target.arrival);
}

/** How an incident may end, chosen when closing (the one list: vocabulary.json incidentDispositions). */
export const INCIDENT_DISPOSITIONS = codes("incidentDispositions");
/**
 * A code of a list inside a section of the vocabulary, in words of the current language:
 * nestedTerm("instructions", "statuses", "issued") is 已下发 in zh-CN; an unknown code is shown as it comes.
 */
export function nestedTerm(section, list, code) {
  if (code === null || code === undefined || code === "") return "—";
  const pair = vocabulary[section]?.[list]?.[String(code)]?.label;
  return pair ? pick(pair) : String(code);
}
/** The four-colour warning's words and colours (warnings section): levels none..black in order, place kinds, people's roles. */
export const WARNING_LEVELS = Object.keys(vocabulary.warnings.levels);
export const warningTerm = (list, code) => {
  const pair = vocabulary.warnings[list]?.[code]?.label;
  return pair ? pick(pair) : code ? String(code) : "—";
};
export const warningColour = (level) => vocabulary.warnings.levels[level]?.color ?? "#9aa5b1";
