// The search box in the top bar: address text, address code, camera id or call sign go to
// GET /api/search; the suggestions drop down under the box (keyboard and mouse); choosing one
// hands it to onChoose (which flies there and opens its record).
import { errorMessage, fetchJson } from "../api.js";
import { onLangChange, t } from "../i18n.js";

const DEBOUNCE_MS = 250;
const LIMIT = 10;

/** root: the search element (see index.html). Returns { clear(), setEnabled(bool) }. */
export function initSearchBox(root, { onChoose }) {
  const input = root.querySelector("input");
  const list = root.querySelector("[data-role=results]");
  let results = [];
  let active = -1;
  let timer = null;
  let controller = null;
  let message = null; // { key, params } shown instead of results (searching, empty, failed)

  function setPlaceholder() {
    input.placeholder = t("search.placeholder");
    input.setAttribute("aria-label", t("search.placeholder"));
  }
  setPlaceholder();
  onLangChange(() => {
    setPlaceholder();
    render();
  });

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) return reset();
    timer = setTimeout(() => search(q), DEBOUNCE_MS);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (results.length === 0) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      active = (active + step + results.length) % results.length;
      render();
    } else if (event.key === "Enter") {
      event.preventDefault();
      const q = input.value.trim();
      if (results.length > 0) choose(results[Math.max(active, 0)]);
      else if (q) search(q);
    } else if (event.key === "Escape") {
      reset();
    }
  });

  // Close the list when focus leaves the box (a click on a suggestion lands first: mousedown).
  input.addEventListener("blur", () => setTimeout(() => (root.contains(document.activeElement) ? null : hide()), 150));
  input.addEventListener("focus", () => (results.length || message ? render() : null));

  async function search(q) {
    controller?.abort();
    controller = new AbortController();
    const mine = controller;
    message = { key: "search.searching" };
    root.dataset.state = "loading";
    render();
    try {
      const url = `/api/search?q=${encodeURIComponent(q)}&limit=${LIMIT}`;
      const { data } = await fetchJson(url, { init: { signal: mine.signal } });
      if (mine !== controller) return;
      results = Array.isArray(data) ? data.filter((r) => Number.isFinite(r?.lon) && Number.isFinite(r?.lat)) : [];
      active = results.length > 0 ? 0 : -1;
      message = results.length === 0 ? { key: "search.empty" } : null;
      root.dataset.state = results.length === 0 ? "empty" : "ready";
    } catch (err) {
      if (mine !== controller) return; // a newer search replaced this one
      results = [];
      message = { key: "search.failed", params: { detail: errorMessage(err) } };
      root.dataset.state = "error";
    }
    render();
  }

  function choose(result) {
    input.value = result.label ?? "";
    hide();
    onChoose(result);
  }

  function hide() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function reset() {
    controller?.abort();
    controller = null;
    results = [];
    active = -1;
    message = null;
    root.dataset.state = "idle";
    hide();
  }

  function render() {
    if (!message && results.length === 0) return hide();
    const items = message
      ? [Object.assign(document.createElement("li"), { className: `message ${root.dataset.state}`, textContent: t(message.key, message.params) })]
      : results.map((r, i) => {
          const li = document.createElement("li");
          li.className = i === active ? "active" : "";
          li.dataset.testid = "search-result";
          li.dataset.kind = r.kind;
          li.dataset.key = r.key;
          li.setAttribute("role", "option");
          li.setAttribute("aria-selected", String(i === active));
          const kind = document.createElement("span");
          kind.className = "kind";
          kind.textContent = t(`search.kind.${r.kind}`);
          const label = document.createElement("span");
          label.className = "label";
          label.textContent = r.label;
          li.append(kind, label);
          // mousedown, not click: it happens before the input's blur hides the list
          li.addEventListener("mousedown", (event) => {
            event.preventDefault();
            choose(r);
          });
          return li;
        });
    list.replaceChildren(...items);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  return {
    clear() {
      input.value = "";
      reset();
    },
    setEnabled(enabled) {
      root.hidden = !enabled;
      if (!enabled) this.clear();
    },
  };
}
