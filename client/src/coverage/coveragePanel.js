// The planner's coverage panel (policy "planning"; hidden for everyone else): cameras drawn with their field of
// view and a legend, a camera's real visibility on a click, the blind streets, the covered shares per station,
// responsibility area and community, the streets that most need a camera, and placement: k or a budget, an area
// drawn or the whole jurisdiction, weights and camera defaults; greedy and exact suggestions with the optimality
// gap said in words; accepting one plans a camera and the figures are polled until they move.
import { ScreenSpaceEventHandler, ScreenSpaceEventType } from "cesium";
import { errorMessage, fetchJson, postJson } from "../api.js";
import { applyI18n, onLangChange, t } from "../i18n.js";
import { flyToPoint, groundAt } from "../map/viewer.js";
import { allowed, term } from "../vocabulary.js";
import { OWNER_COLOURS, STATUS_COLOURS, createCoverageLayers } from "./coverageLayers.js";
import "./coverage.css";

const PLACEMENT_TIMEOUT_MS = 600000; // the exact optimum may take up to a minute on the server, more when it is loaded
const RECOMPUTE_DEADLINE_MS = 90000;
const POLL_MS = 1000;
const READ_TIMEOUT_MS = 240000; // street coverage for a whole city is a second on a quiet server, minutes on a loaded one

const PANEL_HTML = `
  <button class="cov-head" type="button" data-role="toggle" data-testid="coverage-toggle" aria-expanded="false" data-i18n="coverage.title"></button>
  <div class="cov-body" data-role="body" hidden>
    <div class="cov-legend" data-role="legend" data-testid="coverage-legend"></div>
    <fieldset class="cov-layers">
      <label><input type="checkbox" data-layer="cameras" data-testid="coverage-layer-cameras" checked /><span data-i18n="coverage.layer.cameras"></span></label>
      <label><input type="checkbox" data-layer="blind" data-testid="coverage-layer-blind" checked /><span data-i18n="coverage.layer.blind"></span></label>
      <label><input type="checkbox" data-layer="frustums" data-testid="coverage-layer-frustums" /><span data-i18n="coverage.layer.frustums"></span></label>
    </fieldset>
    <p class="cov-state" data-role="state" data-testid="coverage-state" role="status"></p>
    <div class="cov-progress" data-role="progress" data-testid="coverage-progress" hidden><progress data-role="bar" max="100"></progress><span data-role="progressText"></span></div>
    <div class="cov-visibility" data-role="visibility" data-testid="coverage-visibility" hidden></div>
    <h4 data-i18n="coverage.shares"></h4>
    <div class="cov-total" data-role="total" data-testid="coverage-total"></div>
    <table class="cov-table" data-testid="coverage-areas"><thead><tr>
      <th data-i18n="coverage.col.area"></th><th data-i18n="coverage.col.kind"></th><th data-i18n="coverage.col.length"></th>
      <th data-i18n="coverage.col.share"></th><th data-i18n="coverage.col.weighted"></th></tr></thead><tbody data-role="areas"></tbody></table>
    <h4 data-i18n="coverage.neediest"></h4>
    <ol class="cov-needy" data-role="needy" data-testid="coverage-neediest"></ol>
    <details class="cov-plan" data-testid="coverage-placement" open>
      <summary data-i18n="coverage.placement"></summary>
      <div class="cov-row">
        <label><span data-i18n="coverage.k"></span><input type="number" min="1" max="50" value="5" data-role="k" data-testid="coverage-k" /></label>
        <label><span data-i18n="coverage.budget"></span><input type="number" min="0" step="any" data-role="budget" data-testid="coverage-budget" /></label>
        <label><span data-i18n="coverage.cost"></span><input type="number" min="0" step="any" value="1" data-role="cost" data-testid="coverage-cost" /></label>
      </div>
      <div class="cov-row">
        <label><span data-i18n="coverage.kind"></span><select data-role="kind" data-testid="coverage-kind"></select></label>
        <label><span data-i18n="coverage.height"></span><input type="number" min="0" max="300" value="6" data-role="height" data-testid="coverage-height" /></label>
        <label><span data-i18n="coverage.fov"></span><input type="number" min="1" max="360" value="90" data-role="fov" data-testid="coverage-fov" /></label>
        <label><span data-i18n="coverage.range"></span><input type="number" min="1" max="500" value="50" data-role="range" data-testid="coverage-range" /></label>
      </div>
      <div class="cov-row">
        <label><span data-i18n="coverage.weights"></span><select data-role="weights" data-testid="coverage-weights"></select></label>
        <label><span data-i18n="coverage.sites"></span><select data-role="sites" data-testid="coverage-sites"></select></label>
        <label><span data-i18n="coverage.spacing"></span><input type="number" min="5" max="1000" value="50" data-role="spacing" data-testid="coverage-spacing" /></label>
      </div>
      <div class="cov-row">
        <span data-i18n="coverage.area"></span>
        <button type="button" data-role="draw" data-testid="coverage-draw"></button>
        <button type="button" data-role="whole" data-testid="coverage-whole" data-i18n="coverage.area.whole"></button>
        <small data-role="areaState" data-testid="coverage-area-state"></small>
      </div>
      <div class="cov-row">
        <button type="button" data-role="suggest" data-testid="coverage-suggest" data-i18n="coverage.suggest"></button>
        <small class="cov-invalid" data-role="invalid" data-testid="coverage-invalid"></small>
      </div>
      <p class="cov-gap" data-role="gap" data-testid="coverage-gap"></p>
      <ol class="cov-suggestions" data-role="suggestions" data-testid="coverage-suggestions"></ol>
      <div data-role="optimum" data-testid="coverage-optimum"></div>
    </details>
  </div>`;

const pct = (v) => (v === null || v === undefined || !Number.isFinite(Number(v)) ? "—" : `${(Number(v) * 100).toFixed(1)}%`);
const metres = (v) => t("coverage.metres", { m: Math.round(Number(v)).toLocaleString() });

/** The optimality gap in words: proved optimal, a gap to the proven optimum, or why there is none. */
export function gapWords(answer) {
  if (answer.optimumValue === null || answer.optimumValue === undefined)
    return t("coverage.gap.none", { n: answer.candidates });
  const gap = Number(answer.gap ?? 0);
  if (answer.optimal) return gap <= 1e-9 ? t("coverage.gap.optimal") : t("coverage.gap.proved", { gap: pct(gap) });
  return t("coverage.gap.unproved", { gap: pct(gap) });
}

export function initCoveragePanel(viewer, container) {
  const el = document.createElement("aside");
  el.className = "coverage";
  el.dataset.testid = "coverage-panel";
  el.hidden = true;
  el.innerHTML = PANEL_HTML;
  container.appendChild(el);
  const $ = (role) => el.querySelector(`[data-role=${role}]`);
  const layers = createCoverageLayers(viewer);

  /** For tests and debugging (window.geotwin.coverage). */
  const state = {
    visible: false,
    loading: 0,
    computing: false,
    lastError: null,
    cameras: [],
    streets: null,
    blind: 0,
    placement: null,
    accepted: [],
    area: null,
    visibility: null,
    drawn: () => layers.counts(),
    showVisibility: (id) => showVisibility(id),
  };
  let user = null;
  let drawing = null; // vertices while the planner draws an area

  function say(key, params) {
    state.lastError = key === "coverage.failed" ? params.detail : null;
    $("state").textContent = key ? t(key, params) : "";
    $("state").classList.toggle("cov-error", key === "coverage.failed");
  }

  async function load(what, url, init) {
    state.loading++;
    try {
      return init ? (await postJson(url, init.body, { timeoutMs: init.timeoutMs })).data : (await fetchJson(url, { timeoutMs: READ_TIMEOUT_MS })).data;
    } catch (err) {
      say("coverage.failed", { what: t(what), detail: errorMessage(err) });
      throw err;
    } finally {
      state.loading--;
    }
  }

  // ---- legend and selects -----------------------------------------------------------------------
  function renderStatic() {
    const swatch = (colour, words, round) =>
      `<span class="cov-swatch${round ? " cov-dot" : ""}" style="background:${colour}"></span><span>${words}</span>`;
    $("legend").innerHTML =
      `<div><strong>${t("coverage.legend.status")}</strong> ${Object.entries(STATUS_COLOURS).map(([s, c]) => swatch(c, term("cameraStatuses", s))).join(" ")}</div>` +
      `<div><strong>${t("coverage.legend.owner")}</strong> ${Object.entries(OWNER_COLOURS).map(([o, c]) => swatch(c, term("cameraOwners", o), true)).join(" ")}</div>` +
      `<div>${swatch("#e53935", t("coverage.legend.blind"))} ${swatch("#00e5ff", t("coverage.legend.visibility"))} ${swatch("#ff9100", t("coverage.legend.suggested"), true)}</div>`;
    for (const [role, list] of [["kind", ["ptz", "fixed"]], ["weights", ["incidents", "length"]], ["sites", ["streets", "imported", "both"]]]) {
      const sel = $(role);
      const v = sel.value || list[0];
      sel.replaceChildren(...list.map((c) => new Option(t(`coverage.${role}.${c}`), c)));
      sel.value = v;
    }
    $("fov").disabled = $("kind").value === "ptz";
    $("draw").textContent = t(drawing ? "coverage.area.finish" : "coverage.area.draw");
    $("areaState").textContent = drawing ? t("coverage.area.drawing", { n: drawing.length }) : state.area ? t("coverage.area.drawn", { n: state.area.length }) : t("coverage.area.wholeNow");
  }

  // ---- cameras, streets, figures ------------------------------------------------------------------
  async function loadCameras() {
    state.cameras = await load("coverage.what.cameras", "/api/cameras?limit=10000");
    layers.cameras(state.cameras, { frustums: el.querySelector("[data-layer=frustums]").checked });
    applyLayerToggles();
  }

  async function loadStreets() {
    const answer = await load("coverage.what.streets", "/api/coverage/streets?segments=true&top=15");
    state.streets = answer;
    const blind = answer.segments.filter((s) => s.coveredFraction <= 0);
    state.blind = blind.length;
    layers.blind(blind);
    applyLayerToggles();
    renderFigures();
    return answer;
  }

  function renderFigures() {
    const s = state.streets;
    if (!s) return;
    $("total").textContent = t("coverage.total", {
      share: pct(s.share),
      weighted: s.weightedShare === null ? t("coverage.noDensity") : pct(s.weightedShare),
      length: metres(s.lengthM),
      cameras: s.cameras,
      incidents: s.incidents,
    });
    $("total").dataset.share = String(s.share);
    $("areas").replaceChildren(
      ...s.areas.map((a) => {
        const tr = document.createElement("tr");
        for (const v of [a.name, term("jurisdictionKinds", a.kind), metres(a.lengthM), pct(a.share), a.weightedShare === null ? "—" : pct(a.weightedShare)]) {
          const td = document.createElement("td");
          td.textContent = v;
          tr.append(td);
        }
        return tr;
      }),
    );
    $("needy").replaceChildren(
      ...s.neediest.map((n) => {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = t("coverage.needy", {
          name: n.name || t("coverage.unnamed"),
          uncovered: metres(n.lengthM * (1 - n.coveredFraction)),
          density: Number(n.densityPerKm2).toFixed(1),
        });
        const mid = n.line[Math.floor(n.line.length / 2)];
        button.addEventListener("click", () => viewer && flyToPoint(viewer, mid[0], mid[1], { height: 400 }));
        li.append(button);
        return li;
      }),
    );
  }

  function applyLayerToggles() {
    for (const box of el.querySelectorAll("[data-layer]")) layers.show(box.dataset.layer, box.checked);
  }

  async function refresh() {
    say("coverage.loading");
    try {
      await Promise.all([loadCameras(), loadStreets()]);
      say(null);
    } catch {
      // said in the panel by load()
    }
  }

  // ---- a camera's real visibility --------------------------------------------------------------------
  async function showVisibility(id) {
    try {
      const v = await load("coverage.what.visibility", `/api/cameras/${encodeURIComponent(id)}/visibility`);
      state.visibility = v;
      layers.visibility(id, v.coordinates);
      const camera = state.cameras.find((c) => c.id === id);
      $("visibility").hidden = false;
      $("visibility").textContent = t("coverage.visibility", {
        name: camera?.name || id,
        status: term("cameraStatuses", camera?.status),
        owner: term("cameraOwners", camera?.owner),
        area: Math.round(v.areaM2).toLocaleString(),
        at: new Date(v.computedAt).toLocaleString(),
      });
    } catch {
      // said by load()
    }
  }

  // ---- placement -----------------------------------------------------------------------------------
  function readRequest() {
    const num = (role) => ($(role).value === "" ? null : Number($(role).value));
    const body = {
      k: num("k"),
      kind: $("kind").value,
      mountHeightM: num("height"),
      fovDeg: $("kind").value === "ptz" ? 360 : num("fov"),
      rangeM: num("range"),
      weights: $("weights").value,
      sites: $("sites").value,
      spacingM: num("spacing"),
    };
    if (num("budget") !== null) Object.assign(body, { budget: num("budget"), costPerCamera: num("cost") });
    else if (!Number.isInteger(body.k) || body.k < 1 || body.k > 50) return { invalid: "coverage.badK" };
    if (state.area) body.area = { type: "Polygon", coordinates: [[...state.area, state.area[0]]] };
    return { body };
  }

  async function suggest() {
    const { body, invalid } = readRequest();
    $("invalid").textContent = invalid ? t(invalid) : "";
    if (invalid) return;
    say("coverage.suggesting");
    $("suggest").disabled = true;
    try {
      state.placement = await load("coverage.what.placement", "/api/coverage/placement", { body, timeoutMs: PLACEMENT_TIMEOUT_MS });
      state.placement.request = body;
      renderPlacement();
      say(null);
    } catch {
      // said by load()
    } finally {
      $("suggest").disabled = false;
    }
  }

  function renderPlacement() {
    const p = state.placement;
    if (!p) return;
    layers.suggestions(p.greedy, (s, i) => `${i + 1}  +${Math.round(s.gainLengthM)} m`);
    $("gap").textContent = `${t("coverage.greedyFigures", { k: p.k, candidates: p.candidates, from: pct(p.share), to: pct(p.shareWithGreedy) })} ${gapWords(p)}`;
    $("suggestions").replaceChildren(
      ...p.greedy.map((s, i) => {
        const li = document.createElement("li");
        li.dataset.testid = "coverage-suggestion";
        const words = document.createElement("span");
        words.textContent = t("coverage.suggestion", { n: i + 1, gain: metres(s.gainLengthM), weighted: Number(s.gain).toFixed(2) });
        const accept = document.createElement("button");
        accept.type = "button";
        accept.dataset.testid = "coverage-accept";
        accept.textContent = s.accepted ? t("coverage.accepted") : t("coverage.accept");
        accept.disabled = Boolean(s.accepted) || state.computing;
        accept.addEventListener("click", () => acceptSuggestion(s));
        li.append(words, accept);
        return li;
      }),
    );
    $("optimum").textContent = p.optimum
      ? t("coverage.optimum", { k: p.optimum.length, value: Number(p.optimumValue).toFixed(2), greedy: Number(p.greedyValue).toFixed(2) })
      : "";
  }

  /** Plan a camera at the suggestion, then poll the figures until the recomputed coverage shows it. */
  async function acceptSuggestion(s) {
    if (state.computing) return;
    const req = state.placement.request;
    const before = state.streets?.share ?? 0;
    state.computing = true;
    renderPlacement();
    const started = Date.now();
    const progress = (key, params) => {
      $("progress").hidden = false;
      $("bar").value = Math.min(99, ((Date.now() - started) / RECOMPUTE_DEADLINE_MS) * 100);
      $("progressText").textContent = t(key, params);
    };
    try {
      progress("coverage.planning");
      const camera = await load("coverage.what.plan", "/api/coverage/planned", {
        body: { lon: s.lon, lat: s.lat, headingDeg: s.headingDeg, kind: req.kind, fovDeg: req.fovDeg, rangeM: req.rangeM, mountHeightM: req.mountHeightM },
      });
      s.accepted = camera.id;
      state.accepted.push(camera);
      await loadCameras();
      for (;;) {
        const now = await loadStreets();
        if (Math.abs(now.share - before) > 1e-9) break;
        if (Date.now() - started > RECOMPUTE_DEADLINE_MS) {
          say("coverage.stillComputing");
          break;
        }
        progress("coverage.recomputing", { s: Math.round((Date.now() - started) / 1000) });
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      say("coverage.moved", { from: pct(before), to: pct(state.streets.share) });
    } catch {
      // said by load()
    } finally {
      state.computing = false;
      $("progress").hidden = true;
      renderPlacement();
    }
  }

  // ---- drawing an area -------------------------------------------------------------------------------
  function startDrawing() {
    drawing = [];
    state.area = null;
    layers.area([], false);
    renderStatic();
  }
  function finishDrawing() {
    if (drawing && drawing.length >= 3) state.area = drawing;
    drawing = null;
    layers.area(state.area ?? [], true);
    renderStatic();
  }

  if (viewer) {
    const clicks = new ScreenSpaceEventHandler(viewer.scene.canvas);
    clicks.setInputAction((e) => {
      if (el.hidden || !state.visible) return;
      if (drawing) {
        const g = groundAt(viewer, e.position);
        if (g) drawing.push([g.lon, g.lat]);
        layers.area(drawing, false);
        renderStatic();
        return;
      }
      const picked = viewer.scene.pick(e.position);
      const id = picked?.id?.id;
      if (typeof id === "string" && id.startsWith("camera:")) showVisibility(id.slice("camera:".length));
    }, ScreenSpaceEventType.LEFT_CLICK);
    clicks.setInputAction(() => drawing && finishDrawing(), ScreenSpaceEventType.LEFT_DOUBLE_CLICK);
  }

  // ---- wiring ----------------------------------------------------------------------------------------
  $("toggle").addEventListener("click", () => {
    const body = $("body");
    body.hidden = !body.hidden;
    $("toggle").setAttribute("aria-expanded", String(!body.hidden));
    if (!body.hidden && !state.streets && state.loading === 0) refresh();
  });
  for (const box of el.querySelectorAll("[data-layer]"))
    box.addEventListener("change", () => (box.dataset.layer === "frustums" ? loadCameras().catch(() => {}) : applyLayerToggles()));
  $("kind").addEventListener("change", renderStatic);
  $("suggest").addEventListener("click", suggest);
  $("draw").addEventListener("click", () => (drawing ? finishDrawing() : startDrawing()));
  $("whole").addEventListener("click", () => {
    drawing = null;
    state.area = null;
    layers.area([], false);
    renderStatic();
  });
  onLangChange(() => {
    applyI18n(el);
    renderStatic();
    renderFigures();
    renderPlacement();
  });
  applyI18n(el);
  renderStatic();

  return {
    state,
    /** Shown to those the planning policy allows; the figures load when the panel is first unfolded. */
    show(who) {
      user = who;
      const on = Boolean(user && allowed("planning", user.role));
      el.hidden = !on;
      state.visible = on;
      if (!on) {
        for (const name of ["cameras", "blind", "visibility", "suggestions", "area", "frustums"]) layers.show(name, false);
        state.streets = null;
      }
    },
  };
}
