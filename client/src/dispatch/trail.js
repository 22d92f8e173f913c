// An incident's trail (GET /api/incidents/{code}/trail): every step from intake on, who and when, on screen in the
// page's language and local time, and as a CSV file for the after-action report. One wording serves both.
import { getLang, has, t } from "../i18n.js";
import { term } from "../vocabulary.js";
import { localTime } from "../records/fields.js";

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function details(entry) {
  try {
    return entry.details ? JSON.parse(entry.details) : {};
  } catch {
    return {};
  }
}

/** What a step says beyond its kind: the ETA sent with, how the arrival was known, the disposition, the merge. */
export function stepText(entry) {
  const d = details(entry);
  switch (entry.kind) {
    case "intake":
      // a call entered late says when it came in
      return [d.category ? term("incidentCategories", d.category) : null, d.priority ? term("incidentPriorities", d.priority) : null,
        d.receivedAt ? t("trail.receivedAt", { time: localTime(new Date(d.receivedAt)) }) : null].filter(Boolean).join(" · ");
    case "dispatch":
      return d.eta_seconds != null || d.etaSeconds != null ? t("trail.eta", { minutes: Math.max(1, Math.round((d.eta_seconds ?? d.etaSeconds) / 60)) }) : "";
    case "arrival":
      return d.how ? t(`trail.how.${d.how}`) : "";
    case "close":
      return d.text ? term("incidentDispositions", d.text) : "";
    case "cancel":
    case "unit_released":
      return d.text ?? (d.reason ? term("incidentStatuses", d.reason) : "");
    case "merge":
      return d.merged_into ? t("trail.mergedInto", { code: d.merged_into }) : d.merged ? t("trail.mergedHere", { code: d.merged }) : "";
    case "merge_offer":
      return (d.candidates ?? []).join(", ");
    default:
      return "";
  }
}

export const kindText = (kind) => (has(`trail.kind.${kind}`) ? t(`trail.kind.${kind}`) : kind);

export function renderTrail(trail) {
  return `<ol class="trail" data-testid="dispatch-trail">${trail.map((e) => `
    <li data-kind="${esc(e.kind)}" data-unit="${esc(e.unitId ?? "")}"><time datetime="${esc(e.at)}">${esc(localTime(new Date(e.at)))}</time>
      <b>${esc(kindText(e.kind))}</b>${e.callSign ? ` · ${esc(e.callSign)}` : ""}${stepText(e) ? ` · ${esc(stepText(e))}` : ""} <small>${esc(e.actor)}</small></li>`).join("")}
  </ol>`;
}

const csvCell = (v) => {
  const s = String(v ?? "");
  // a leading = + - @ would be a formula to a spreadsheet: written as text
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The trail as CSV (UTF-8 with BOM, so a spreadsheet reads the Chinese right): local time, ISO time, step, unit, by, details. */
export function trailCsv(code, trail) {
  const head = ["trail.col.local", "trail.col.utc", "trail.col.step", "trail.col.unit", "trail.col.by", "trail.col.details"].map((k) => t(k));
  const rows = trail.map((e) => [localTime(new Date(e.at)), e.at, kindText(e.kind), e.callSign ?? "", e.actor, stepText(e)]);
  return "\ufeff" + [[t("trail.col.incident"), code], head, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** Offer the CSV as a download named after the incident. */
export function downloadTrail(code, trail) {
  const blob = new Blob([trailCsv(code, trail)], { type: "text/csv;charset=utf-8" });
  const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: `${code}-trail-${getLang()}.csv` });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
