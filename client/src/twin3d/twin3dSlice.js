// The 3D twin: the houses tileset (pickable, coloured by use or by floating-population share) and the
// photogrammetry / hosted tilesets the server lists, toggled and flown to from a "3D" section of the
// layers panel. Everything comes from GeoTwin's own /3dtiles URLs; nothing from Cesium ion.
// The houses tileset carries no resident counts (one tileset goes to every station's staff, counts are scoped):
// the floating-share colours take them from GET /api/houses/counts, which answers only the caller's houses.
import { Cesium3DTileFeature, Cesium3DTileStyle, Cesium3DTileset, Color } from "cesium";
import { fetchJson } from "../api.js";
import { onLangChange, t } from "../i18n.js";

/** Colours of house uses (the houses.use values); CSS colours Cesium's style language reads. */
export const USE_COLOURS = {
  residential: "#d9c7a3",
  commercial: "#5b9bd5",
  office: "#7f8fa6",
  mixed: "#b48ead",
  hotel: "#e0a458",
  public: "#6ab187",
  industrial: "#8c6d5a",
  religious: "#c97b84",
  other: "#bbbbbb",
};

/** Floating share (0..1) in four steps, most floating first. */
export const FLOATING_STEPS = [
  [0.5, "#d7301f"],
  [0.25, "#fc8d59"],
  [0.1, "#fdcc8a"],
  [0, "#fef0d9"],
];

/** Empty houses, and houses whose counts the caller may not see (another station's) or has not got yet. */
export const EMPTY_COLOUR = "#cccccc";
export const UNKNOWN_COLOUR = "#ffffff";

/** The colour of a floating share (null: an empty house; undefined: counts not known). */
export function floatingColour(share) {
  if (share === undefined) return UNKNOWN_COLOUR;
  if (share === null) return EMPTY_COLOUR;
  return (FLOATING_STEPS.find(([min]) => share >= min) ?? FLOATING_STEPS[FLOATING_STEPS.length - 1])[1];
}

/**
 * mode "use": from the tileset's own use property; mode "floating": from the counts fetched for each house id
 * (counts: Map id -> floatingShare), evaluated per feature; call tileset.makeStyleDirty() when counts arrive.
 */
export function houseStyle(mode, counts = new Map()) {
  if (mode !== "floating") {
    const conditions = Object.entries(USE_COLOURS).map(([use, c]) => [`\${use} === '${use}'`, `color('${c}')`]);
    return new Cesium3DTileStyle({ color: { conditions: [...conditions, ["true", "color('#ffffff')"]] } });
  }
  const colours = new Map();
  const colourOf = (css) => colours.get(css) ?? colours.set(css, Color.fromCssColorString(css)).get(css);
  const style = new Cesium3DTileStyle();
  style.color = {
    evaluateColor: (feature, result) => Color.clone(colourOf(floatingColour(counts.get(String(feature.getProperty("id"))))), result),
  };
  return style;
}

const HOUSES = "houses";
const RETRY_MS = 3000; // the houses tileset is built by a job at demo start: look again until it is there
const COUNTS_BATCH = 400; // ids a counts request (the server takes up to 500)

/**
 * viewer: the Cesium viewer (or null); panelEl: the layers panel, which gets a "3D" section.
 * Returns { load(), unload(), pick(position) -> { kind: "house", key } | null, flyTo(name), setColour(mode), list(), state(),
 * floatingShare(id), countsState() }.
 */
export function initTwin3d(viewer, panelEl) {
  const section = document.createElement("section");
  section.className = "twin3d";
  section.dataset.testid = "twin3d-panel";
  section.innerHTML = `<h3 data-role="title"></h3><ul class="layers-list" data-role="list"></ul>`;
  panelEl.querySelector("[data-role=body]")?.append(section);
  section.hidden = true;

  let colourBy = localStorage.getItem("geotwin.twin3d.colour") === "floating" ? "floating" : "use";
  let list = []; // the server's tilesets
  const loaded = new Map(); // name -> { tileset, state }
  let generation = 0;
  let retry = null;
  // Resident counts by house id, fetched through the scoped API for the houses in loaded tiles (floating mode only):
  // houseIds: every id seen in a loaded tile; counts: id -> floating share (null: empty) of those the caller may see.
  const houseIds = new Set();
  const asked = new Set();
  const counts = new Map();
  const countsState = { requests: 0, failed: 0, lastError: null };
  let countsTimer = null;
  let countsEpoch = 0; // moves at sign-out: answers still on their way are for the previous sign-in

  onLangChange(render);

  async function load() {
    if (!viewer) return;
    const mine = ++generation;
    clearTimeout(retry);
    try {
      const { data } = await fetchJson("/api/tilesets");
      if (mine !== generation) return;
      list = Array.isArray(data) ? data : [];
    } catch {
      list = [];
    }
    if (!list.some((ts) => ts.name === HOUSES)) retry = setTimeout(load, RETRY_MS);
    for (const ts of list) if (ts.name === HOUSES && !loaded.has(ts.name)) await show(ts, true);
    render();
  }

  function unload() {
    generation++;
    clearTimeout(retry);
    for (const { tileset } of loaded.values()) if (tileset) viewer.scene.primitives.remove(tileset);
    loaded.clear();
    list = [];
    // Another sign-in may see other houses: forget what this one was told.
    clearTimeout(countsTimer);
    countsEpoch++;
    houseIds.clear();
    asked.clear();
    counts.clear();
    section.hidden = true;
  }

  async function ensure(ts) {
    if (loaded.has(ts.name)) return loaded.get(ts.name);
    const state = { name: ts.name, kind: ts.kind, version: ts.version, show: false, ready: false, allTilesLoaded: false, tilesLoaded: 0, tilesFailed: 0, lastError: null };
    const entry = { tileset: null, state };
    loaded.set(ts.name, entry);
    try {
      const tileset = await Cesium3DTileset.fromUrl(ts.url);
      if (!loaded.has(ts.name)) return entry; // unloaded meanwhile
      tileset.tileLoad.addEventListener(() => state.tilesLoaded++);
      tileset.tileFailed.addEventListener((e) => {
        state.tilesFailed++;
        state.lastError = String(e?.message ?? e);
      });
      tileset.loadProgress.addEventListener((pending, processing) => {
        if (pending + processing > 0) state.allTilesLoaded = false;
      });
      tileset.allTilesLoaded.addEventListener(() => (state.allTilesLoaded = true));
      if (ts.name === HOUSES) {
        tileset.tileLoad.addEventListener((tile) => noteHouses(tile.content));
        tileset.style = houseStyle(colourBy, counts);
      }
      viewer.scene.primitives.add(tileset);
      entry.tileset = tileset;
      state.ready = true;
    } catch (err) {
      state.lastError = String(err?.message ?? err);
    }
    return entry;
  }

  async function show(ts, on) {
    const entry = await ensure(ts);
    entry.state.show = on;
    if (entry.tileset) entry.tileset.show = on;
    render();
    return entry;
  }

  async function flyTo(ts) {
    const entry = await show(ts, true);
    if (!entry.tileset) return false;
    return viewer.flyTo(entry.tileset, { duration: 1.5 });
  }

  /** Remembers the house ids of a loaded tile, and asks for their counts if they are shown. */
  function noteHouses(content) {
    const n = content?.featuresLength ?? 0;
    for (let i = 0; i < n; i++) {
      const id = content.getFeature(i)?.getProperty("id");
      if (id !== undefined && id !== null) houseIds.add(String(id));
    }
    if (colourBy === "floating") scheduleCounts();
  }

  function scheduleCounts() {
    clearTimeout(countsTimer);
    countsTimer = setTimeout(fetchCounts, 50); // tiles load in bursts: one request for a burst
  }

  /** Counts of every seen house not yet asked for, in batches; houses of other stations are not in the answers. */
  async function fetchCounts() {
    const mine = countsEpoch;
    const wanted = [...houseIds].filter((id) => !asked.has(id));
    for (let i = 0; i < wanted.length; i += COUNTS_BATCH) {
      const batch = wanted.slice(i, i + COUNTS_BATCH);
      batch.forEach((id) => asked.add(id));
      countsState.requests++;
      try {
        const { data } = await fetchJson(`/api/houses/counts?ids=${batch.join(",")}`);
        if (mine !== countsEpoch) return;
        for (const h of Array.isArray(data) ? data : []) counts.set(String(h.id), h.floatingShare ?? null);
      } catch (err) {
        batch.forEach((id) => asked.delete(id)); // asked again with the next tiles
        countsState.failed++;
        countsState.lastError = String(err?.message ?? err);
      }
      loaded.get(HOUSES)?.tileset?.makeStyleDirty();
    }
  }

  function setColour(mode) {
    colourBy = mode;
    localStorage.setItem("geotwin.twin3d.colour", mode);
    const houses = loaded.get(HOUSES)?.tileset;
    if (houses) houses.style = houseStyle(mode, counts);
    if (mode === "floating") scheduleCounts();
  }

  function render() {
    section.hidden = list.length === 0;
    section.querySelector("[data-role=title]").textContent = t("twin3d.title");
    const ul = section.querySelector("[data-role=list]");
    ul.replaceChildren(
      ...list.map((ts) => {
        const li = document.createElement("li");
        li.className = "layers-item";
        li.dataset.testid = `twin3d-${ts.name}`;
        const state = loaded.get(ts.name)?.state;
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.checked = Boolean(state?.show);
        box.dataset.testid = `twin3d-show-${ts.name}`;
        box.addEventListener("change", () => show(ts, box.checked));
        label.append(box, ` ${ts.title || t(`twin3d.kind.${ts.kind}`)}`);
        li.append(label);
        if (ts.name === HOUSES) {
          const select = document.createElement("select");
          select.dataset.testid = "twin3d-colour";
          select.title = t("twin3d.colourBy");
          for (const mode of ["use", "floating"]) select.add(new Option(t(`twin3d.by.${mode}`), mode, false, mode === colourBy));
          select.addEventListener("change", () => setColour(select.value));
          li.append(" ", select);
        } else {
          const fly = document.createElement("button");
          fly.type = "button";
          fly.textContent = t("twin3d.flyTo");
          fly.dataset.testid = `twin3d-fly-${ts.name}`;
          fly.addEventListener("click", () => flyTo(ts));
          li.append(" ", fly);
        }
        if (state?.tilesFailed) {
          const bad = document.createElement("small");
          bad.className = "layers-badge bad";
          bad.textContent = t("layers.failed", { count: state.tilesFailed });
          li.append(" ", bad);
        }
        return li;
      }),
    );
  }

  /** The house record under a window position, if a house of the houses tileset is drawn there. */
  function pick(position) {
    const houses = loaded.get(HOUSES)?.tileset;
    if (!viewer || !houses?.show) return null;
    // drillPick, not pick: an outline, a label or a wedge drawn over the roof must not hide the house under it.
    const picked = viewer.scene.drillPick(position, 5).find((p) => p instanceof Cesium3DTileFeature && p.tileset === houses);
    if (!picked) return null;
    const id = picked.getProperty("id");
    return id === undefined || id === null ? null : { kind: "house", key: String(id) };
  }

  return {
    load,
    unload,
    pick,
    flyTo: (name) => {
      const ts = list.find((x) => x.name === name);
      return ts ? flyTo(ts) : Promise.resolve(false);
    },
    setColour,
    list: () => list,
    /** The floating share known for a house id (null: empty; undefined: not known or not the caller's). */
    floatingShare: (id) => counts.get(String(id)),
    state: () => Object.fromEntries([...loaded].map(([name, { state }]) => [name, { ...state }])),
    countsState: () => ({ ...countsState, housesSeen: houseIds.size, known: counts.size }),
  };
}
