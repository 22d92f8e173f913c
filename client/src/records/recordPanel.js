// The side panel that shows one record: what a click on the map or a search result opened.
// Records come from the API (house, address, camera, incident); layers without a record type show
// the feature's own tile attributes. People in a house are personal data: the button to list them
// is offered only to roles that may read it, and says that the read is audited.
import { ApiError, errorMessage, fetchJson } from "../api.js";
import { onLangChange, t } from "../i18n.js";
import { fieldLabel, fieldValue } from "./fields.js";
import { layerTitle } from "../tiles/layersPanel.js";
import { closeCameraVideo, openCameraVideo } from "../coverage/video/videoPanel.js";

const ENDPOINTS = {
  house: (key) => `/api/houses/${encodeURIComponent(key)}`,
  address: (key) => `/api/addresses/${encodeURIComponent(key)}`,
  camera: (key) => `/api/cameras/${encodeURIComponent(key)}`,
  incident: (key) => `/api/incidents/${encodeURIComponent(key)}`,
};

// Shown first, in this order; any other scalar field the server sends follows.
const HOUSE_FIELDS = ["code", "addressText", "use", "floors", "rooms", "baseHeightM", "roofHeightM", "addressCode"];
const ADDRESS_FIELDS = ["fullText", "doorNumber", "code", "elementType", "status", "lon", "lat"];
const RESIDENT_FIELDS = ["residentsTotal", "residentsRegistered", "residentsFloating", "residentsForeign"];

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

/** Scalar fields of obj (and of objects nested one level), `first` ones first, skipping `skip`. */
function scalarFields(obj, first = [], skip = []) {
  const flat = {};
  for (const [k, v] of Object.entries(obj ?? {})) {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v)) if (typeof v2 !== "object" && !(k2 in flat)) flat[k2] = v2;
    } else if (!Array.isArray(v)) flat[k] = v;
  }
  const keys = [...first.filter((k) => k in flat), ...Object.keys(flat).filter((k) => !first.includes(k))];
  return keys.filter((k) => !skip.includes(k)).map((k) => [k, flat[k]]);
}

/** kind: the record's kind, which says the vocabulary of its coded fields (an incident's status is not a unit's). */
function fieldTable(pairs, kind) {
  return el(
    "dl",
    { className: "fields" },
    ...pairs.flatMap(([k, v]) => [el("dt", { textContent: fieldLabel(k) }), el("dd", { textContent: fieldValue(k, v, kind) })]),
  );
}

function errorText(err) {
  if (err instanceof ApiError && err.status === 404) return t("record.notFound");
  return t("record.failed", { detail: errorMessage(err) });
}

/**
 * root: the panel element. getUser() returns the signed-in person (readsPersonalData decides
 * whether people may be listed); onClose() runs when the panel closes. Returns { open(target), close(), current() }.
 * target = { kind: house|address|camera|incident|unit|feature, key, title? or titleKey + titleParams, attributes?,
 * kindLayer? (a layer whose title names the kind) }: words are kept as keys so that a language switch re-labels them.
 */
export function initRecordPanel(root, { getUser, onClose = () => {} }) {
  const kindEl = root.querySelector("[data-role=kind]");
  const titleEl = root.querySelector("[data-role=title]");
  const body = root.querySelector("[data-role=body]");
  root.querySelector("[data-role=close]").addEventListener("click", close);

  let target = null;
  let data = null;
  let error = null;
  let people = null; // null = not asked, "loading", an Array, or an Error
  let generation = 0; // ignores answers to a record that is no longer open

  onLangChange(render);

  async function open(next) {
    const mine = ++generation;
    // a camera's record plays its live video beside it; leaving that record stops the video
    if (next.kind === "camera") openCameraVideo(next.key, next.title ?? null);
    else if (target?.kind === "camera") closeCameraVideo();
    target = next;
    data = null;
    error = null;
    people = null;
    root.hidden = false;
    const endpoint = ENDPOINTS[next.kind];
    if (!endpoint) {
      data = next.attributes ?? {};
      return render();
    }
    render();
    try {
      const res = await fetchJson(endpoint(next.key));
      if (mine === generation) data = res.data ?? {};
    } catch (err) {
      if (mine === generation) error = err;
    }
    if (mine === generation) render();
  }

  function close() {
    generation++;
    if (target?.kind === "camera") closeCameraVideo();
    target = null;
    root.hidden = true;
    root.dataset.state = "closed";
    onClose();
  }

  async function loadPeople() {
    const mine = generation;
    people = "loading";
    render();
    try {
      const res = await fetchJson(`/api/houses/${encodeURIComponent(target.key)}/people`);
      if (mine === generation) people = Array.isArray(res.data) ? res.data : [];
    } catch (err) {
      if (mine === generation) people = err;
    }
    if (mine === generation) render();
  }

  function render() {
    if (!target) return;
    root.dataset.kind = target.kind;
    root.dataset.key = target.key ?? "";
    root.dataset.state = error ? "error" : data ? "ready" : "loading";
    kindEl.textContent = target.kindLayer ? layerTitle(target.kindLayer) : t(`record.kind.${target.kind}`);
    titleEl.textContent = recordTitle();
    if (error) return body.replaceChildren(el("p", { className: "record-error", role: "alert", textContent: errorText(error) }));
    if (!data) return body.replaceChildren(el("p", { className: "record-loading", textContent: t("record.loading") }));
    if (target.kind === "house") return body.replaceChildren(...houseView());
    if (target.kind === "address") return body.replaceChildren(...addressView());
    body.replaceChildren(fieldTable(scalarFields(data, ["name", "code", "id", "category", "status"]), target.kind));
  }

  function recordTitle() {
    if (data?.addressText && target.kind === "house") return data.addressText;
    if (data?.address?.fullText) return data.address.fullText;
    if (target.titleKey) return t(target.titleKey, target.titleParams);
    return target.title ?? data?.name ?? data?.code ?? String(target.key ?? "");
  }

  function houseView() {
    const counts = el(
      "div",
      { className: "residents", ariaLabel: t("record.residents") },
      ...RESIDENT_FIELDS.map((k) =>
        el("div", { className: "count" }, el("b", { textContent: fieldValue(k, data[k]) }), el("span", { textContent: fieldLabel(k) })),
      ),
    );
    counts.dataset.testid = "record-residents";
    const fields = fieldTable(scalarFields(data, HOUSE_FIELDS, [...RESIDENT_FIELDS, "id"]), "house");
    return [counts, fields, peopleView()];
  }

  function peopleView() {
    const section = el("section", { className: "people" }, el("h3", { textContent: t("record.people") }));
    section.dataset.testid = "record-people";
    if (!getUser()?.readsPersonalData) {
      section.append(el("p", { className: "note", textContent: t("record.peopleDenied") }));
      return section;
    }
    section.append(el("p", { className: "note audited", textContent: t("record.peopleAudited") }));
    if (people === null) {
      const button = el("button", { type: "button", textContent: t("record.showPeople") });
      button.dataset.testid = "record-people-button";
      button.addEventListener("click", loadPeople);
      section.append(button);
    } else if (people === "loading") {
      section.append(el("p", { className: "record-loading", textContent: t("record.peopleLoading") }));
    } else if (people instanceof Error) {
      section.append(el("p", { className: "record-error", role: "alert", textContent: errorText(people) }));
    } else if (people.length === 0) {
      section.append(el("p", { textContent: t("record.noPeople") }));
    } else {
      section.append(
        el(
          "ul",
          { className: "people-list" },
          ...people.map((p) => {
            const tags = [p.floating ? t("record.floating") : null, p.foreignNational ? t("record.foreign") : null];
            const meta = [p.idNumber, p.phone, p.arrivedOn ? t("record.arrived", { date: p.arrivedOn }) : null, ...tags];
            return el("li", {}, el("b", { textContent: p.fullName }), el("span", { textContent: meta.filter(Boolean).join(" · ") }));
          }),
        ),
      );
    }
    return section;
  }

  function addressView() {
    const fields = fieldTable(scalarFields(data.address ?? data, ADDRESS_FIELDS), "address");
    const houses = Array.isArray(data.houses) ? data.houses : [];
    const list = el("section", { className: "houses" }, el("h3", { textContent: t("record.housesHere") }));
    if (houses.length === 0) list.append(el("p", { textContent: t("record.noHouses") }));
    for (const h of houses) {
      const button = el("button", {
        type: "button",
        className: "link",
        textContent: `${h.code} · ${fieldValue("use", h.use)} · ${fieldLabel("residentsTotal")} ${h.residentsTotal ?? "—"}`,
      });
      button.dataset.testid = "record-house-link";
      button.addEventListener("click", () => open({ kind: "house", key: String(h.id) }));
      list.append(button);
    }
    return [fields, list];
  }

  return { open, close, current: () => (target ? { ...target, state: root.dataset.state } : null) };
}
