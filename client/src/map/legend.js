// The map's legend: one row for every thing drawn on the map now, in the page's language. Each slice that draws
// says what it draws through a source (legend.source(name, () => rows | null)); the legend asks them again after a
// change (legend.refresh(), or every few seconds), so a hidden layer's rows go and a shown one's come. A row is
// { swatch: { colour, shape: "point"|"line"|"fill"|"ring" }, text }. The legend folds to its title.
import { onLangChange, t } from "../i18n.js";

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function initLegend(container) {
  const el = document.createElement("aside");
  el.className = "legend";
  el.dataset.testid = "legend";
  el.hidden = true;
  container.appendChild(el);
  const sources = new Map(); // name -> { title(), rows() }
  let open = localStorage.getItem("geotwin.legend.open") !== "0";
  const state = { groups: [] };

  function refresh() {
    state.groups = [...sources.entries()]
      .map(([name, s]) => ({ name, title: s.title(), rows: s.rows() ?? [] }))
      .filter((g) => g.rows.length > 0);
    el.hidden = state.groups.length === 0 || el.dataset.signedIn !== "true";
    el.innerHTML = `
      <button type="button" class="legend-head" data-role="fold" data-testid="legend-fold" aria-expanded="${open}">${esc(t("legend.title"))}</button>
      <div class="legend-body" ${open ? "" : "hidden"}>
        ${state.groups.map((g) => `
          <div class="legend-group" data-legend="${esc(g.name)}"><h4>${esc(g.title)}</h4>
            <ul>${g.rows.map((r) => `<li><span class="legend-swatch legend-${esc(r.swatch.shape)}" style="--c:${esc(r.swatch.colour)}"></span>${esc(r.text)}</li>`).join("")}</ul>
          </div>`).join("")}
      </div>`;
  }

  el.addEventListener("click", (event) => {
    if (!event.target.closest("[data-role=fold]")) return;
    open = !open;
    localStorage.setItem("geotwin.legend.open", open ? "1" : "0");
    refresh();
  });
  onLangChange(refresh);
  setInterval(() => !el.hidden || el.dataset.signedIn === "true" ? refresh() : null, 3000);

  return {
    state,
    /** title(): the group's heading; rows(): what the source draws now, or null/[] when it draws nothing. */
    source(name, title, rows) {
      sources.set(name, { title, rows });
      refresh();
    },
    refresh,
    show(signedIn) {
      el.dataset.signedIn = String(Boolean(signedIn));
      refresh();
    },
  };
}
