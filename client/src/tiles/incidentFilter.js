// The incident filter under the layers panel: category (or a group of them, both from the shared vocabulary) and
// received-date range, sent as the tile server's allow-listed filters (?category=&from=&to=). The server checks
// them again; here a reversed range is said on the form and not sent.
import { onLangChange, pick, t } from "../i18n.js";
import { options, vocabulary } from "../vocabulary.js";

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
  const from = Object.assign(document.createElement("input"), { type: "date" });
  from.dataset.testid = "incident-from";
  const to = Object.assign(document.createElement("input"), { type: "date" });
  to.dataset.testid = "incident-to";
  const problem = document.createElement("small");
  problem.dataset.testid = "incident-filter-problem";
  problem.className = "badge";
  root.append(title, category, from, to, problem);

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
    category.setAttribute("aria-label", t("incidents.category"));
    from.setAttribute("aria-label", t("incidents.from"));
    to.setAttribute("aria-label", t("incidents.to"));
    problem.textContent = root.dataset.state === "invalid" ? t("incidents.badRange") : "";
  }

  function query() {
    const q = new URLSearchParams();
    if (category.value) q.set("category", category.value);
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

  for (const el of [category, from, to]) el.addEventListener("change", changed);
  onLangChange(render);
  root.dataset.state = "ok";
  render();

  return {
    query,
    reset() {
      category.value = from.value = to.value = "";
      root.dataset.state = "ok";
      render();
    },
  };
}
