// Intake as a call-taker works: where (a click on the map, an address typed and chosen, a door-plate code or its
// QR link, or coordinates in WGS84 or GCJ-02), what (category, priority, description) and who called (name and
// phone: personal data, stored apart and audited by the server). The server's refusal is shown with its reason
// until the call-taker dismisses it; an address that matches several is offered as a choice; after intake the
// server's merge offer (open incidents of the same kind close by) is shown and acted on: merge, or keep apart.
import { ScreenSpaceEventHandler, ScreenSpaceEventType } from "cesium";
import { ApiError, errorMessage, fetchJson, postJson } from "../api.js";
import { groundAt } from "../map/viewer.js";
import { onLangChange, t } from "../i18n.js";
import { INCIDENT_CATEGORIES, INCIDENT_PRIORITIES, term } from "../vocabulary.js";

const KINDS = ["map", "address", "plate", "coords"];
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * state (window.geotwin.dispatch.intake): { open, kind, picking (waiting for a map click), point ({lon, lat} from
 * the map), suggestions (addresses to choose from), error (the words shown), created (the answer of the last
 * intake), merged (code merged into), busy }.
 * onCreated(code): the new (or merged-into) incident to show.
 */
export function initIntakeForm(viewer, container, { onCreated = () => {} } = {}) {
  const state = { open: false, kind: "map", picking: false, point: null, suggestions: [], error: null, created: null, merged: null, busy: false };
  const el = document.createElement("aside");
  el.className = "intake";
  el.dataset.testid = "intake";
  el.hidden = true;
  container.appendChild(el);
  // what was typed survives re-renders (language switch, a refusal)
  const values = { category: "theft", priority: "2", description: "", callerName: "", callerPhone: "", address: "", addressCode: "", plate: "", lon: "", lat: "", datum: "wgs84" };

  if (viewer) {
    new ScreenSpaceEventHandler(viewer.scene.canvas).setInputAction((click) => {
      if (!state.open || !state.picking) return;
      const ground = groundAt(viewer, click.position);
      if (!ground) return;
      state.point = { lon: ground.lon, lat: ground.lat };
      state.picking = false;
      render();
    }, ScreenSpaceEventType.LEFT_CLICK);
  }

  function location() {
    switch (state.kind) {
      case "map":
        return state.point ? { lon: state.point.lon, lat: state.point.lat } : null;
      case "address":
        return values.addressCode ? { addressCode: values.addressCode } : values.address.trim() ? { addressText: values.address.trim() } : null;
      case "plate": {
        const p = values.plate.trim();
        return !p ? null : /^https?:\/\//i.test(p) ? { qrUrl: p } : { addressCode: p };
      }
      case "coords": {
        const lon = Number(values.lon);
        const lat = Number(values.lat);
        return values.lon === "" || values.lat === "" ? null : { lon, lat, datum: values.datum };
      }
    }
    return null;
  }

  async function submit() {
    const loc = location();
    if (!loc) {
      state.error = t(`intake.need.${state.kind}`);
      return render();
    }
    state.busy = true;
    state.error = null;
    state.suggestions = [];
    render();
    try {
      const body = {
        category: values.category, priority: Number(values.priority), location: loc,
        ...(values.description.trim() ? { description: values.description.trim() } : {}),
        ...(values.callerName.trim() ? { callerName: values.callerName.trim() } : {}),
        ...(values.callerPhone.trim() ? { callerPhone: values.callerPhone.trim() } : {}),
      };
      state.created = (await postJson("/api/incidents", body)).data;
      state.merged = null;
      // the call is in: the caller's details are not kept on this screen any longer than needed
      Object.assign(values, { description: "", callerName: "", callerPhone: "", address: "", addressCode: "", plate: "" });
      state.point = null;
      onCreated(state.created.code);
    } catch (err) {
      // An address that matches several (or none) comes back with suggestions: offer them to choose from.
      const suggestions = err instanceof ApiError ? err.body?.suggestions : null;
      state.suggestions = Array.isArray(suggestions) ? suggestions : [];
      state.error = errorMessage(err);
    } finally {
      state.busy = false;
      render();
    }
  }

  async function merge(into) {
    const code = state.created?.code;
    if (!code) return;
    state.busy = true;
    render();
    try {
      await postJson(`/api/incidents/${encodeURIComponent(code)}/merge`, { into });
      state.merged = into;
      onCreated(into);
    } catch (err) {
      state.error = errorMessage(err);
    } finally {
      state.busy = false;
      render();
    }
  }

  function field(name, label, input) {
    return `<label class="intake-field"><span>${esc(label)}</span>${input}</label>`;
  }

  function render() {
    el.hidden = !state.open;
    el.dataset.kind = state.kind;
    el.dataset.picking = String(state.picking);
    el.dataset.busy = String(state.busy);
    if (!state.open) return;
    const opt = (list, code, chosen) => `<option value="${esc(code)}" ${String(code) === String(chosen) ? "selected" : ""}>${esc(term(list, code))}</option>`;
    const created = state.created;
    el.innerHTML = `
      <header><h2>${esc(t("intake.title"))}</h2><button type="button" data-role="close" data-testid="intake-close" title="${esc(t("intake.close"))}">×</button></header>
      ${state.error ? `<p class="intake-error" role="alert" data-testid="intake-error">${esc(state.error)} <button type="button" data-role="dismiss" data-testid="intake-error-dismiss">${esc(t("error.dismiss"))}</button></p>` : ""}
      <form data-role="form">
        <fieldset class="intake-where"><legend>${esc(t("intake.where"))}</legend>
          <div class="intake-kinds" role="radiogroup">${KINDS.map((k) => `
            <label><input type="radio" name="kind" value="${k}" data-testid="intake-kind-${k}" ${state.kind === k ? "checked" : ""}> ${esc(t(`intake.kind.${k}`))}</label>`).join("")}
          </div>
          ${state.kind === "map" ? `
            <button type="button" data-role="pick" data-testid="intake-pick">${esc(t(state.picking ? "intake.picking" : "intake.pick"))}</button>
            <span data-testid="intake-point">${state.point ? `${state.point.lon.toFixed(6)}, ${state.point.lat.toFixed(6)}` : esc(t("intake.noPoint"))}</span>` : ""}
          ${state.kind === "address" ? field("address", t("intake.address"), `<input name="address" data-testid="intake-address" maxlength="200" value="${esc(values.address)}" placeholder="${esc(t("intake.addressHint"))}">`) +
            (state.suggestions.length ? `<ul class="intake-suggestions" data-testid="intake-suggestions">${state.suggestions.map((s) => `
              <li><button type="button" data-role="suggestion" data-code="${esc(s.code)}" data-text="${esc(s.text)}">${esc(s.text)}</button></li>`).join("")}</ul>` : "") +
            (values.addressCode ? `<small data-testid="intake-address-chosen">${esc(t("intake.chosen"))}</small>` : "") : ""}
          ${state.kind === "plate" ? field("plate", t("intake.plate"), `<input name="plate" data-testid="intake-plate" maxlength="500" value="${esc(values.plate)}" placeholder="${esc(t("intake.plateHint"))}">`) : ""}
          ${state.kind === "coords" ? `<div class="intake-row">
            ${field("lon", t("intake.lon"), `<input name="lon" data-testid="intake-lon" inputmode="decimal" value="${esc(values.lon)}">`)}
            ${field("lat", t("intake.lat"), `<input name="lat" data-testid="intake-lat" inputmode="decimal" value="${esc(values.lat)}">`)}
            ${field("datum", t("intake.datum"), `<select name="datum" data-testid="intake-datum">
              <option value="wgs84" ${values.datum === "wgs84" ? "selected" : ""}>WGS84</option>
              <option value="gcj02" ${values.datum === "gcj02" ? "selected" : ""}>${esc(t("intake.gcj02"))}</option></select>`)}</div>` : ""}
        </fieldset>
        <div class="intake-row">
          ${field("category", t("dispatch.category"), `<select name="category" data-testid="intake-category">${INCIDENT_CATEGORIES.map((c) => opt("incidentCategories", c, values.category)).join("")}</select>`)}
          ${field("priority", t("dispatch.priority"), `<select name="priority" data-testid="intake-priority">${INCIDENT_PRIORITIES.map((p) => opt("incidentPriorities", p, values.priority)).join("")}</select>`)}
        </div>
        ${field("description", t("intake.description"), `<textarea name="description" data-testid="intake-description" maxlength="4000" rows="2">${esc(values.description)}</textarea>`)}
        <div class="intake-row">
          ${field("callerName", t("intake.callerName"), `<input name="callerName" data-testid="intake-caller-name" maxlength="100" autocomplete="off" value="${esc(values.callerName)}">`)}
          ${field("callerPhone", t("intake.callerPhone"), `<input name="callerPhone" data-testid="intake-caller-phone" maxlength="20" inputmode="tel" autocomplete="off" value="${esc(values.callerPhone)}">`)}
        </div>
        <small class="intake-note">${esc(t("intake.personalNote"))}</small>
        <button type="submit" data-testid="intake-submit" ${state.busy ? "disabled" : ""}>${esc(t("intake.submit"))}</button>
      </form>
      ${created ? `<div class="intake-created" data-testid="intake-created" data-code="${esc(created.code)}">
        <p>${esc(t("intake.created", { code: created.code, place: created.jurisdiction }))}</p>
        ${state.merged ? `<p data-testid="intake-merged">${esc(t("intake.merged", { code: state.merged }))}</p>` : created.mergeCandidates?.length ? `
          <p>${esc(t("intake.mergeOffer"))}</p>
          <ul class="intake-merge" data-testid="intake-merge">${created.mergeCandidates.map((m) => `
            <li>${esc(term("incidentCategories", m.category))} · P${m.priority} · ${esc(term("incidentStatuses", m.status))} · ${Math.round(m.distanceM)} ${esc(t("intake.metres"))} · ${esc(new Date(m.receivedAt).toLocaleTimeString())}
              <button type="button" data-role="merge" data-into="${esc(m.code)}" data-testid="intake-merge-into">${esc(t("intake.mergeInto"))}</button></li>`).join("")}
          </ul>
          <button type="button" data-role="keep" data-testid="intake-keep">${esc(t("intake.keepApart"))}</button>` : ""}
      </div>` : ""}`;
  }

  el.addEventListener("input", (event) => {
    const f = event.target;
    if (!f.name || !(f.name in values)) return;
    values[f.name] = f.value;
    if (f.name === "address") values.addressCode = ""; // typing again drops a chosen address
  });
  el.addEventListener("change", (event) => {
    const f = event.target;
    if (f.name === "kind") {
      state.kind = f.value;
      state.picking = f.value === "map" && !state.point;
      state.suggestions = [];
      render();
    } else if (f.name && f.name in values) values[f.name] = f.value;
  });
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  el.addEventListener("click", (event) => {
    const b = event.target.closest("button");
    if (!b) return;
    const role = b.dataset.role;
    if (role === "close") close();
    else if (role === "dismiss") {
      state.error = null;
      render();
    } else if (role === "pick") {
      state.picking = !state.picking;
      render();
    } else if (role === "suggestion") {
      values.addressCode = b.dataset.code;
      values.address = b.dataset.text;
      state.suggestions = [];
      state.error = null;
      render();
    } else if (role === "merge") merge(b.dataset.into);
    else if (role === "keep") {
      state.created = { ...state.created, mergeCandidates: [] };
      render();
    }
  });
  onLangChange(render);

  function close() {
    state.open = false;
    state.picking = false;
    render();
  }

  return {
    state,
    open() {
      state.open = true;
      state.picking = state.kind === "map" && !state.point;
      render();
    },
    close,
  };
}
