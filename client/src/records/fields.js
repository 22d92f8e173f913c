// A record's fields in words: the label of a field (i18n.js "field.<name>") and its value, where a shared code
// (an incident's category, status, priority; a unit's status and kind) is said through the vocabulary every slice
// reads (vocabulary.js) and the other coded values (house use, camera kind, road class...) through i18n.js
// "value.<field>.<code>". A field or value with no words is shown as it comes: a new server field is never hidden.
import { getLang, has, t } from "../i18n.js";
import { term } from "../vocabulary.js";

// Which vocabulary list says a field's codes, by the kind of record it belongs to ("*": any record).
const VOCABULARY_FIELDS = {
  "*": { category: "incidentCategories" },
  incident: { status: "incidentStatuses", priority: "incidentPriorities" },
  unit: { status: "unitStatuses", kind: "unitKinds", unitStatus: "unitStatuses" },
};
// Tile attributes may spell a field in snake case.
const SAME_AS = { road_class: "roadClass" };

export function fieldLabel(name) {
  return has(`field.${name}`) ? t(`field.${name}`) : name;
}

/** A field's value in words: coded values translated, numbers rounded sensibly, dates local. kind: the record's kind. */
export function fieldValue(name, value, kind = null) {
  if (value === null || value === undefined || value === "") return "—";
  const list = VOCABULARY_FIELDS[kind]?.[name] ?? VOCABULARY_FIELDS["*"][name];
  if (list) return term(list, value);
  const key = `value.${SAME_AS[name] ?? name}.${value}`;
  if (has(key)) return t(key);
  if (typeof value === "boolean") return t(value ? "lang.yes" : "lang.no");
  if (typeof value === "number") {
    if (name === "lon" || name === "lat") return value.toFixed(6);
    // a time sent as epoch seconds (vector tile attributes carry no dates): said as local time, never as a number
    if (/(At|_at|^time)$/.test(name) && value > 1e9) return localTime(new Date(value < 1e11 ? value * 1000 : value));
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 10) / 10);
  }
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value)) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return localTime(d);
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A moment in the viewer's local time, in the page's language. */
export const localTime = (d) => d.toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN");
