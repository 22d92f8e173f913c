// The "Geofences / 电子围栏" panel for the dispatch roles: the fences of the jurisdiction (name, rules in words,
// jurisdiction), each deleted after a confirmation, and a form that draws a new one on the map (fenceDrawing.js)
// with its rules and options and POSTs it. A refusal is shown as the server's problem+json says it, with the field
// named in the page's language, until dismissed.
import { ApiError, errorMessage, fetchRaw, csrfToken, postJson } from "../api.js";
import { onLangChange, t } from "../i18n.js";
import { fenceDrawing } from "./fenceDrawing.js";
import { FENCE_RULES, ruleLabel } from "./fenceRules.js";

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const FIELDS = ["name", "area", "circle", "circle.lon", "circle.lat", "circle.radiusM", "rules", "marginM", "dwellMinutes", "unitIds", "unitKinds", "activeHours"];

/** A refusal in words: the field in the page's language and the server's own reason. */
export function refusalText(err) {
  const body = err instanceof ApiError && err.body && typeof err.body === "object" ? err.body : null;
  const field = body?.field ?? Object.keys(body?.errors ?? {})[0];
  if (!body || !field) return errorMessage(err);
  const name = FIELDS.includes(field) ? t(`fences.field.${field}`) : field;
  let detail = String(body.detail ?? body.title ?? "");
  if (detail.startsWith(`${field}:`)) detail = detail.slice(field.length + 1).trim();
  // the server's reason is in English: the page says what the field needs in its own language, and shows the reason too
  const group = field.startsWith("circle") ? "circle" : field;
  const hint = ["name", "area", "circle", "rules", "marginM", "dwellMinutes", "activeHours"].includes(group) ? t(`fences.hint.${group}`) : t("fences.hint.other");
  return t("fences.refused", { field: name, hint, detail });
}

/**
 * container: where the panel goes; reload(): read the fences again (after a change); fences(): the list held.
 * Returns { show(on), render(), state }; state: { open, form (the draft's choices), error, saving, confirming, created }.
 */
export function fencesPanel(viewer, container, { fences, reload }) {
  const el = document.createElement("aside");
  el.className = "fences";
  el.dataset.testid = "fences-panel";
  el.hidden = true;
  container.appendChild(el);
  const state = { open: false, error: null, saving: false, confirming: null, created: null, form: { name: "", rules: ["enter"], dwellMinutes: "", marginM: "", activeHours: "", radiusM: "" } };
  let typing = false; // a radius being typed: re-rendering would take the input from under the keys
  const drawing = fenceDrawing(viewer, { onChange: () => typing || render() });
  state.drawing = drawing.state;

  function render() {
    if (el.hidden) return;
    const d = drawing.state;
    const f = state.form;
    const step = !d.mode ? "" : d.finished ? t("fences.drawn") : d.mode === "circle" ? t(d.centre ? "fences.clickEdge" : "fences.clickCentre") : t("fences.clickCorners", { n: d.vertices.length });
    el.innerHTML = `
      <button type="button" class="fences-head" data-role="fold" data-testid="fences-toggle" aria-expanded="${state.open}">${esc(t("fences.title"))}</button>
      <div class="fences-body" ${state.open ? "" : "hidden"}>
        <ul class="fences-list" data-testid="fences-list">${fences().map((x) => `
          <li data-fence="${x.id}"><b>${esc(x.name)}</b> <small>${esc(x.rules.map((r) => ruleLabel(r)).join("、"))} · ${esc(x.jurisdictionName)}</small>
            ${state.confirming === x.id
              ? `<span class="fences-confirm">${esc(t("fences.confirmDelete", { name: x.name }))} <button type="button" data-role="delete-yes" data-testid="fences-delete-yes">${esc(t("fences.delete"))}</button> <button type="button" data-role="delete-no">${esc(t("fences.cancel"))}</button></span>`
              : `<button type="button" data-role="delete" data-testid="fences-delete">${esc(t("fences.delete"))}</button>`}</li>`).join("") || `<li class="fences-none">${esc(t("fences.none"))}</li>`}
        </ul>
        <form class="fences-form" data-testid="fences-form">
          <h4>${esc(t("fences.new"))}</h4>
          <div class="fences-row">
            <button type="button" data-role="circle" data-testid="fences-draw-circle" aria-pressed="${d.mode === "circle"}">${esc(t("fences.circle"))}</button>
            <button type="button" data-role="polygon" data-testid="fences-draw-polygon" aria-pressed="${d.mode === "polygon"}">${esc(t("fences.polygon"))}</button>
            ${d.mode === "polygon" && !d.finished ? `<button type="button" data-role="finish" data-testid="fences-finish">${esc(t("fences.finish"))}</button>` : ""}
          </div>
          ${d.mode === "circle" ? `<label>${esc(t("fences.radius"))} <input name="radiusM" type="number" min="10" max="100000" step="1" data-testid="fences-radius" value="${esc(d.radiusM ?? f.radiusM)}"></label>` : ""}
          <p class="fences-step" data-testid="fences-step">${esc(step)}</p>
          <label>${esc(t("fences.name"))} <input name="name" maxlength="200" data-testid="fences-name" value="${esc(f.name)}"></label>
          <fieldset class="fences-rules" data-testid="fences-rules"><legend>${esc(t("fences.rules"))}</legend>${FENCE_RULES.map((r) => `
            <label><input type="checkbox" name="rule" value="${esc(r)}" data-testid="fences-rule-${esc(r)}" ${f.rules.includes(r) ? "checked" : ""}> ${esc(ruleLabel(r))}</label>`).join("")}
          </fieldset>
          <div class="fences-row">
            <label>${esc(t("fences.dwellMinutes"))} <input name="dwellMinutes" type="number" min="1" max="1440" data-testid="fences-dwell" value="${esc(f.dwellMinutes)}"></label>
            <label>${esc(t("fences.marginM"))} <input name="marginM" type="number" min="0" max="1000" data-testid="fences-margin" value="${esc(f.marginM)}"></label>
            <label>${esc(t("fences.activeHours"))} <input name="activeHours" placeholder="8-18" data-testid="fences-hours" value="${esc(f.activeHours)}"></label>
          </div>
          ${state.error ? `<p class="fences-error" role="alert" data-testid="fences-error">${esc(state.error)} <button type="button" data-role="dismiss" data-testid="fences-error-dismiss">${esc(t("error.dismiss"))}</button></p>` : ""}
          <button type="submit" data-testid="fences-save" ${state.saving ? "disabled" : ""}>${esc(t(state.saving ? "fences.saving" : "fences.save"))}</button>
        </form>
      </div>`;
  }

  async function save() {
    const f = state.form;
    const shape = drawing.shape();
    if (!shape) {
      state.error = t("fences.drawFirst");
      return render();
    }
    const body = { name: f.name, ...shape, rules: f.rules, marginM: f.marginM === "" ? 0 : Number(f.marginM) };
    if (f.dwellMinutes !== "") body.dwellMinutes = Number(f.dwellMinutes);
    if (f.activeHours.trim() !== "") body.activeHours = f.activeHours.trim();
    state.saving = true;
    state.error = null;
    render();
    try {
      const { data } = await postJson("/api/geofences", body);
      state.created = data;
      state.form = { ...state.form, name: "" };
      drawing.cancel();
      await reload();
    } catch (err) {
      state.error = refusalText(err);
    } finally {
      state.saving = false;
      render();
    }
  }

  async function remove(id) {
    state.confirming = null;
    try {
      const res = await fetchRaw(`/api/geofences/${id}`, { init: { method: "DELETE", headers: { "X-CSRF-Token": csrfToken() } } });
      if (!res.ok) state.error = refusalText(new ApiError("error.http", { url: res.url, status: res.status }, { status: res.status, body: await res.json().catch(() => null) }));
      await reload();
    } catch (err) {
      state.error = errorMessage(err);
    }
    render();
  }

  el.addEventListener("input", (e) => {
    const x = e.target;
    if (x.name === "radiusM") {
      state.form.radiusM = x.value;
      typing = true;
      drawing.setRadius(Number(x.value));
      typing = false;
    } else if (x.name in state.form && x.name !== "rules") state.form[x.name] = x.value;
  });
  el.addEventListener("change", (e) => {
    if (e.target.name === "radiusM") render(); // typed: now say the circle is drawn
    if (e.target.name === "rule") state.form.rules = [...el.querySelectorAll("input[name=rule]:checked")].map((b) => b.value);
  });
  el.addEventListener("submit", (e) => {
    e.preventDefault();
    save();
  });
  el.addEventListener("click", (e) => {
    const b = e.target.closest("button");
    const role = b?.dataset.role;
    if (!role) return;
    const id = Number(b.closest("[data-fence]")?.dataset.fence);
    if (role === "fold") state.open = !state.open;
    else if (role === "circle" || role === "polygon") drawing.start(role);
    else if (role === "finish") drawing.finish();
    else if (role === "dismiss") state.error = null;
    else if (role === "delete") state.confirming = id;
    else if (role === "delete-no") state.confirming = null;
    else if (role === "delete-yes") return void remove(id);
    render();
  });
  onLangChange(render);

  return {
    state,
    render,
    show(on) {
      el.hidden = !on;
      if (!on) drawing.cancel();
      render();
    },
  };
}
