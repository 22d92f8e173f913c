// The incident filter under the layers panel: category (or a group of them, both from the shared vocabulary) and
// a time window: the last 24 hours by default (two years of incidents would cover the city), 7 or 30 days, all,
// or a received-date range; sent as the tile server's allow-listed filters (?category=&from=&to=). The server
// checks them again; here a reversed range is said on the form and not sent. A rolling window starts at the top of
// an hour, so the tiles of one hour share their cache and the map does not shift under the user every minute.
import { onLangChange, pick, t } from "../i18n.js";
import { options, vocabulary } from "../vocabulary.js";

/** Hours each window reaches back (null: no bound; "range": the date inputs). */
const WINDOWS = { day: 24, week: 24 * 7, month: 24 * 30, all: null, range: null };
const DEFAULT_WINDOW = "day";

/** The start of a rolling window: so many hours before the current hour began. */
export function windowStart(hours, now = Date.now()) {
  return new Date(Math.floor(now / 3600e3) * 3600e3 - hours * 3600e3);
}

/**
 * root: the form's container. onChange(query) gets the URL query ("" for no filter) when the
 * form holds a usable filter. Returns { query(), reset() }.
 */
export function initIncidentFilter(root, onChange) {
  root.replaceChildren();
  const title = document.createElement("p");
  title.className = "layers-state";
  const category = document.createElement("select");
  category.dataset.testid = "incident-category";
  const windowSel = document.createElement("select");
  windowSel.dataset.testid = "incident-window";
  const from = Object.assign(document.createElement("input"), { type: "date" });
  from.dataset.testid = "incident-from";
  const to = Object.assign(document.createElement("input"), { type: "date" });
  to.dataset.testid = "incident-to";
  const problem = document.createElement("small");
  problem.dataset.testid = "incident-filter-problem";
  problem.className = "badge";
  root.append(title, windowSel, category, from, to, problem);
  windowSel.value = DEFAULT_WINDOW;

  function render() {
    title.textContent = t("incidents.filter");
    const chosen = category.value;
    // each category, then each group of them (两抢一盗), which the server takes as a list: category=robbery,snatching,theft
    const groups = Object.values(vocabulary.incidentCategoryGroups).map((g) => [g.categories.join(","), pick(g.label)]);
    category.replaceChildren(
      new Option(t("incidents.allCategories"), ""),
      ...options("incidentCategories").map(([code, words]) => new Option(words, code)),
      ...groups.map(([codes, words]) => new Option(words, codes)),
    );
    category.value = chosen;
    const win = windowSel.value || DEFAULT_WINDOW;
    windowSel.replaceChildren(...Object.keys(WINDOWS).map((w) => new Option(t(`incidents.window.${w}`), w)));
    windowSel.value = win;
    windowSel.setAttribute("aria-label", t("incidents.window"));
    from.hidden = to.hidden = win !== "range";
    category.setAttribute("aria-label", t("incidents.category"));
    from.setAttribute("aria-label", t("incidents.from"));
    to.setAttribute("aria-label", t("incidents.to"));
    problem.textContent = root.dataset.state === "invalid" ? t("incidents.badRange") : "";
  }

  function query() {
    const q = new URLSearchParams();
    if (category.value) q.set("category", category.value);
    const hours = WINDOWS[windowSel.value || DEFAULT_WINDOW];
    if (hours) {
      q.set("from", windowStart(hours).toISOString().replace(/\.\d+Z$/, "Z"));
      return q.toString();
    }
    if (windowSel.value !== "range") return q.toString();
    if (from.value) q.set("from", from.value);
    // "to" is inclusive on the form: the server's bound is the next midnight.
    if (to.value) q.set("to", new Date(Date.parse(`${to.value}T00:00:00Z`) + 86400000).toISOString().slice(0, 10));
    return q.toString();
  }

  function changed() {
    const bad = from.value && to.value && from.value > to.value;
    root.dataset.state = bad ? "invalid" : "ok";
    render();
    if (!bad) onChange(query());
  }

  for (const el of [category, windowSel, from, to]) el.addEventListener("change", changed);
  onLangChange(render);
  root.dataset.state = "ok";
  render();

  return {
    query,
    /** The window in words, for the legend: "last 24 hours", or the dates. */
    windowText() {
      const w = windowSel.value || DEFAULT_WINDOW;
      if (w !== "range") return t(`incidents.window.${w}`);
      return [from.value, to.value].filter(Boolean).join(" – ") || t("incidents.window.all");
    },
    reset() {
      category.value = from.value = to.value = "";
      windowSel.value = DEFAULT_WINDOW;
      root.dataset.state = "ok";
      render();
    },
  };
}
