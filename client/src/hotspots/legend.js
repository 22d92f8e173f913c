// The colours analysts know from ArcGIS (Gi_Bin: red hot, blue cold, paler with lower confidence, grey not
// significant; Esri's emerging-pattern families) and the legends that name them. One table each, used by the
// map layers and their legends alike.
import { pick, t } from "../i18n.js";

/** A bilingual label from the server ({ zh, en } or [zh, en]) in the page's language; a plain string as it is. */
export function serverLabel(label) {
  if (Array.isArray(label)) return pick(label);
  if (label && typeof label === "object") return pick([label.zh ?? "", label.en ?? ""]);
  return label === undefined || label === null ? "" : String(label);
}

/** Gi_Bin (FDR corrected) → colour: ±3 = 99 %, ±2 = 95 %, ±1 = 90 % confidence, 0 not significant. */
export const BIN_COLOURS = {
  3: "#d62f27",
  2: "#ed7551",
  1: "#fab984",
  0: "#a6a6a6",
  [-1]: "#c0ccbe",
  [-2]: "#849eba",
  [-3]: "#4575b5",
};
export const BINS = [3, 2, 1, 0, -1, -2, -3];

/** Emerging hot-spot patterns (the server's Esri name codes) in Esri's order; no_pattern is not drawn. */
export const PATTERN_COLOURS = {
  new_hot: "#7f0000",
  consecutive_hot: "#d7301f",
  intensifying_hot: "#ff1a1a",
  persistent_hot: "#fc8d59",
  diminishing_hot: "#fdbb84",
  sporadic_hot: "#e7298a",
  oscillating_hot: "#a8327d",
  historical_hot: "#f6d8a8",
  new_cold: "#08306b",
  consecutive_cold: "#2171b5",
  intensifying_cold: "#1a53ff",
  persistent_cold: "#6baed6",
  diminishing_cold: "#9ecae1",
  sporadic_cold: "#41b6c4",
  oscillating_cold: "#7570b3",
  historical_cold: "#c6dbef",
  no_pattern: null,
};
export const PATTERNS = Object.keys(PATTERN_COLOURS);

export const binColour = (bin) => BIN_COLOURS[Math.max(-3, Math.min(3, Math.trunc(Number(bin) || 0)))];
export const binLabel = (bin) => t(`hotspots.bin.${Math.max(-3, Math.min(3, Math.trunc(Number(bin) || 0)))}`);
/** A pattern in words; a code this viewer does not know yet is shown as it comes rather than hidden. */
export const patternLabel = (code) => (PATTERNS.includes(code) ? t(`hotspots.pattern.${code}`) : String(code ?? "—"));

function swatchRow(colour, text, count) {
  const li = document.createElement("li");
  const sw = document.createElement("span");
  sw.className = "swatch";
  sw.style.background = colour ?? "transparent";
  const label = document.createElement("span");
  label.textContent = count === undefined ? text : `${text} (${count})`;
  li.append(sw, label);
  return li;
}

/** The Gi* legend, with how many cells each bin has when counts are given. */
export function renderGiLegend(el, counts) {
  const ul = document.createElement("ul");
  for (const bin of BINS) ul.append(swatchRow(BIN_COLOURS[bin], binLabel(bin), counts?.[bin] ?? 0));
  el.replaceChildren(title("hotspots.legend.gi"), ul);
}

/** The emerging legend: the patterns the answer has, with their cell counts. */
export function renderEmergingLegend(el, counts) {
  const ul = document.createElement("ul");
  for (const code of PATTERNS) if (counts?.[code]) ul.append(swatchRow(PATTERN_COLOURS[code], patternLabel(code), counts[code]));
  for (const code of Object.keys(counts ?? {})) if (!PATTERNS.includes(code)) ul.append(swatchRow("#ffffff", patternLabel(code), counts[code]));
  el.replaceChildren(title("hotspots.legend.emerging"), ul);
}

/** The density legend from the server ({ bandwidth, max, stops: [{ value, color }] }) as a gradient bar. */
export function renderDensityLegend(el, legend) {
  const stops = Array.isArray(legend?.stops) ? legend.stops : [];
  const bar = document.createElement("div");
  bar.className = "ramp";
  const max = Number(legend?.max) || Math.max(1, ...stops.map((s) => Number(s.value) || 0));
  bar.style.background = stops.length
    ? `linear-gradient(to right, ${stops.map((s) => `${s.color} ${Math.round(((Number(s.value) || 0) / max) * 100)}%`).join(", ")})`
    : "transparent";
  const scale = document.createElement("div");
  scale.className = "ramp-scale";
  const lo = document.createElement("span");
  lo.textContent = fmt(stops[0]?.value ?? 0);
  const hi = document.createElement("span");
  hi.textContent = fmt(max);
  scale.append(lo, hi);
  // the stops' own words (none, low, ... very high) under the bar, where the server names them
  const words = document.createElement("div");
  words.className = "ramp-scale";
  for (const s of stops.filter((s) => s.label)) {
    const w = document.createElement("span");
    w.textContent = serverLabel(s.label);
    words.append(w);
  }
  const head = title("hotspots.legend.density");
  if (legend?.unit) head.textContent += ` (${serverLabel(legend.unit)})`;
  const parts = [head, bar, scale];
  if (words.childElementCount) parts.push(words);
  if (legend?.maxRule) {
    const why = document.createElement("small");
    why.textContent = serverLabel(legend.maxRule);
    parts.push(why);
  }
  el.replaceChildren(...parts);
}

const fmt = (v) => {
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString() : Number(n.toPrecision(3)).toString();
};

function title(key) {
  const h = document.createElement("h4");
  h.textContent = t(key);
  return h;
}
