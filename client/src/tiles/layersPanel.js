// The layers panel: one row per catalog layer with a show/hide box, an opacity slider, and a
// badge saying when the layer is loading, failing, or hidden because the map is zoomed out too
// far for it (below its minzoom). Titles follow the page language.
import { getLang, onLangChange, t } from "../i18n.js";

/** The layer's title in the page language, falling back to the other one, then its name. */
export function layerTitle(layer) {
  const title = layer?.title ?? {};
  return (getLang() === "en" ? title.en || title.zh : title.zh || title.en) || layer?.name || "";
}

/**
 * root: the panel element (see index.html). onShow(name, bool), onAlpha(name, 0..1) apply a change.
 * Returns { loading(), failed(message), setLayers(controller), updateStats(name), setZoom(z), clear() },
 * where controller is what addMapLayers returned.
 */
export function initLayersPanel(root, { onShow, onAlpha }) {
  const toggle = root.querySelector("[data-role=toggle]");
  const body = root.querySelector("[data-role=body]");
  const stateEl = root.querySelector("[data-role=state]");
  const list = root.querySelector("[data-role=list]");
  const rows = new Map(); // name -> { row, layer }
  let controller = null;
  let zoom = null;
  let stateKey = null;
  let stateParams = {};

  // Collapsed by default on narrow screens, where it would cover much of the map.
  setOpen(window.matchMedia("(min-width: 900px)").matches);
  toggle.addEventListener("click", () => setOpen(body.hidden));

  function setOpen(open) {
    body.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  }

  function setState(key, params = {}) {
    stateKey = key;
    stateParams = params;
    stateEl.hidden = !key;
    stateEl.textContent = key ? t(key, params) : "";
    root.dataset.state = key === "layers.loading" ? "loading" : key === "error.layers" ? "error" : "ready";
  }

  function makeRow(layer) {
    const state = controller.state.get(layer.name);
    const row = document.createElement("li");
    row.className = "layer-row";
    row.dataset.testid = "layer-row";
    row.dataset.layer = layer.name;

    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = state.show;
    box.dataset.testid = "layer-toggle";
    box.addEventListener("change", () => onShow(layer.name, box.checked));
    const swatch = document.createElement("span");
    swatch.className = `swatch swatch-${layer.geometry}`;
    swatch.style.borderColor = layer.style?.stroke ?? "#3388ff";
    swatch.style.background = layer.geometry === "line" ? "transparent" : (layer.style?.fill ?? layer.style?.stroke ?? "#3388ff");
    const name = document.createElement("span");
    name.className = "layer-name";
    name.dataset.role = "title";
    label.append(box, swatch, name);

    const badge = document.createElement("span");
    badge.className = "badge";
    badge.dataset.role = "badge";

    const slider = document.createElement("input");
    slider.type = "range";
    slider.min = "0";
    slider.max = "100";
    slider.value = String(Math.round(state.alpha * 100));
    slider.dataset.testid = "layer-opacity";
    slider.addEventListener("input", () => onAlpha(layer.name, Number(slider.value) / 100));

    row.append(label, badge, slider);
    return row;
  }

  function renderRow({ row, layer }) {
    const title = layerTitle(layer);
    row.querySelector("[data-role=title]").textContent = title;
    row.querySelector("[data-testid=layer-opacity]").setAttribute("aria-label", t("layers.opacity", { layer: title }));
    const s = controller.stats(layer.name);
    const badge = row.querySelector("[data-role=badge]");
    let state = "ready";
    if (s.errors > 0) state = "error";
    else if (s.pending > 0) state = "loading";
    else if (zoom !== null && zoom < (layer.minzoom ?? 0) - 0.5) state = "zoom";
    row.dataset.state = state;
    badge.textContent =
      state === "error"
        ? t("layers.failed", { count: s.errors })
        : state === "loading"
          ? t("layers.pending")
          : state === "zoom"
            ? t("layers.zoomIn")
            : "";
  }

  onLangChange(() => {
    if (stateKey) setState(stateKey, stateParams);
    rows.forEach(renderRow);
  });

  return {
    loading() {
      root.hidden = false;
      list.replaceChildren();
      rows.clear();
      setState("layers.loading");
    },
    failed(detail) {
      root.hidden = false;
      setState("error.layers", { detail });
    },
    setLayers(next) {
      controller = next;
      root.hidden = false;
      rows.clear();
      // Topmost layer at the top of the list, as people expect from map programs.
      const made = [...next.layers].reverse().map((layer) => {
        const item = { row: makeRow(layer), layer };
        rows.set(layer.name, item);
        renderRow(item);
        return item.row;
      });
      list.replaceChildren(...made);
      setState(next.layers.length === 0 ? "layers.none" : null);
    },
    updateStats(name) {
      const item = rows.get(name);
      if (item) renderRow(item);
    },
    setZoom(z) {
      zoom = z;
      rows.forEach(renderRow);
    },
    clear() {
      controller = null;
      root.hidden = true;
      list.replaceChildren();
      rows.clear();
      setState(null);
    },
  };
}
