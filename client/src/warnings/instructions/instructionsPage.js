// Instructions (指令) raised from four-colour warnings: the daily list (一日清单, /today), phone first, where the
// signed-in officer sees what they hold today and what is overdue, accepts it and reports back; and the instruction
// board (/instructions) where leaders filter by status and person, verify or send back, and read the month's
// statistics per station. Both are pages over the map reached by their own address (deep links work: the server
// answers index.html for them). What a person may do to an instruction comes from the server (`actions`, computed
// from vocabulary.json's one rule); statuses and actions are words of the vocabulary, times the browser's local time.
import { errorMessage, fetchJson, postJson } from "../../api.js";
import { getLang, onLangChange, t } from "../../i18n.js";
import { nestedTerm, vocabulary } from "../../vocabulary.js";
import "./instructions.css";

const ROUTES = { "/today": "today", "/instructions": "board" };

/** Which instruction page the address names, or null. */
export function instructionsRoute(loc = window.location) {
  return ROUTES[loc.pathname.replace(/\/+$/, "") || "/"] ?? null;
}

const isLeader = (user) => Boolean(user && vocabulary.instructions.leaders.includes(user.role));
const isStaff = (user) => Boolean(user && user.role !== "resident");

/** A time in the browser's zone and the page's language, e.g. 2026/12/4 14:05. */
export function localTime(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(getLang(), { year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

function el(tag, { text, testid, cls, attrs } = {}) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (testid) e.dataset.testid = testid;
  if (cls) e.className = cls;
  for (const [k, v] of Object.entries(attrs ?? {})) e.setAttribute(k, v);
  return e;
}

/**
 * state: { route, phase: "none" | "loading" | "shown" | "signin" | "error", items, stats, filters, error }.
 * refresh() after sign-in or sign-out.
 */
export function initInstructionsPage(host, { getUser }) {
  const route = instructionsRoute();
  const state = { route, phase: "none", items: [], stats: null, filters: { status: "", assignee: "" }, error: null, today: null };
  addNavigation(getUser);
  if (!route) return { state, refresh: () => nav.refresh() };

  const page = el("section", { cls: `wi-page wi-${route}`, testid: `instructions-${route}` });
  host.appendChild(page);
  document.body.classList.add("instructions-open");
  const drafts = new Map(); // instruction id -> text typed for report / send back, kept across re-renders

  function render() {
    page.dataset.state = state.phase;
    page.replaceChildren();
    page.appendChild(el("h2", { text: t(route === "today" ? "wi.today" : "wi.board") }));
    if (state.phase === "signin") return page.appendChild(el("p", { text: t("wi.signIn"), cls: "wi-hint" }));
    if (state.phase === "loading" && state.items.length === 0) return page.appendChild(el("p", { text: t("wi.loading") }));
    if (state.error) page.appendChild(el("p", { text: state.error, cls: "wi-error", testid: "instructions-error", attrs: { role: "alert" } }));
    if (route === "today") renderToday();
    else renderBoard();
  }

  function renderToday() {
    const open = state.items.filter((i) => vocabulary.instructions.statuses[i.status].open);
    const overdue = open.filter((i) => i.overdue).length;
    page.appendChild(el("p", {
      cls: "wi-summary",
      testid: "today-summary",
      text: t("wi.todaySummary", { open: open.length, overdue, done: state.items.length - open.length }),
    }));
    if (state.items.length === 0) page.appendChild(el("p", { text: t("wi.nothing"), cls: "wi-hint", testid: "today-empty" }));
    const list = el("ol", { cls: "wi-list", testid: "today-list" });
    for (const item of state.items) list.appendChild(card(item));
    page.appendChild(list);
  }

  function renderBoard() {
    const user = getUser();
    if (!isStaff(user)) return page.appendChild(el("p", { text: t("wi.staffOnly"), cls: "wi-hint" }));
    const filters = el("div", { cls: "wi-filters" });
    const status = el("select", { testid: "board-status", attrs: { "aria-label": t("wi.filterStatus") } });
    status.appendChild(new Option(t("wi.allStatuses"), ""));
    for (const code of Object.keys(vocabulary.instructions.statuses))
      status.appendChild(new Option(nestedTerm("instructions", "statuses", code), code));
    status.value = state.filters.status;
    status.addEventListener("change", () => { state.filters.status = status.value; load(); });
    const person = el("select", { testid: "board-person", attrs: { "aria-label": t("wi.filterPerson") } });
    person.appendChild(new Option(t("wi.allPeople"), ""));
    for (const [id, name] of state.people) person.appendChild(new Option(name, String(id)));
    person.value = state.filters.assignee;
    person.addEventListener("change", () => { state.filters.assignee = person.value; load(); });
    filters.append(el("label", { text: t("wi.filterStatus") }), status, el("label", { text: t("wi.filterPerson") }), person);
    if (isLeader(user)) page.appendChild(raiseForm());
    page.appendChild(filters);
    if (state.items.length === 0) page.appendChild(el("p", { text: t("wi.noneMatch"), cls: "wi-hint", testid: "board-empty" }));
    const list = el("ol", { cls: "wi-list", testid: "board-list" });
    for (const item of state.items) list.appendChild(card(item, { showPerson: true }));
    page.appendChild(list);
    if (state.stats) page.appendChild(statsTable(state.stats));
  }

  /** One instruction: where, what, by when, its status, and the buttons of what the signed-in person may do now. */
  function card(item, { showPerson = false } = {}) {
    const li = el("li", { cls: `wi-card${item.overdue ? " wi-overdue" : ""}`, testid: "instruction" });
    li.dataset.id = item.id;
    li.dataset.status = item.status;
    const head = el("div", { cls: "wi-head" });
    const level = item.warning ? vocabulary.warnings.levels[item.warning] : null;
    if (level) {
      const chip = el("span", { cls: "wi-level", text: nestedTerm("warnings", "levels", item.warning) });
      chip.style.background = level.color;
      head.appendChild(chip);
    }
    head.appendChild(el("strong", { text: item.placeName, cls: "wi-place" }));
    head.appendChild(el("span", { text: nestedTerm("warnings", "placeKinds", item.placeKind), cls: "wi-kind" }));
    head.appendChild(el("span", { text: nestedTerm("instructions", "statuses", item.status), cls: `wi-status wi-s-${item.status}`, testid: "instruction-status" }));
    li.appendChild(head);
    li.appendChild(el("p", { text: item.task, cls: "wi-task" }));
    const due = el("p", { cls: "wi-due", testid: "instruction-due" });
    due.textContent = `${t("wi.due")} ${localTime(item.dueAt)}`;
    if (item.overdue) due.appendChild(el("span", { text: t("wi.overdue"), cls: "wi-badge", testid: "instruction-overdue" }));
    li.appendChild(due);
    if (showPerson)
      li.appendChild(el("p", { cls: "wi-person", text: t("wi.holder", { holder: nestedTerm("instructions", "holders", item.holder), name: item.assigneeName }) }));
    if (item.feedback) li.appendChild(el("p", { cls: "wi-feedback", testid: "instruction-feedback", text: t("wi.feedback", { text: item.feedback }) }));
    if (item.returnReason && item.status === "sent_back")
      li.appendChild(el("p", { cls: "wi-reason", text: t("wi.returned", { text: item.returnReason }) }));

    const needsText = item.actions.map((a) => vocabulary.instructions.actions[a]).find((a) => a.text);
    let box = null;
    if (needsText) {
      box = el("textarea", { testid: "instruction-text", attrs: { maxlength: "2000", rows: "2", placeholder: t(`wi.text.${needsText.text}`) } });
      box.value = drafts.get(item.id) ?? "";
      box.addEventListener("input", () => drafts.set(item.id, box.value));
      li.appendChild(box);
    }
    const buttons = el("div", { cls: "wi-actions" });
    for (const action of item.actions) {
      const rule = vocabulary.instructions.actions[action];
      const b = el("button", { text: nestedTerm("instructions", "actions", action), testid: `act-${action}`, attrs: { type: "button" } });
      b.addEventListener("click", () => act(item, action, rule, box));
      buttons.appendChild(b);
    }
    if (item.actions.length) li.appendChild(buttons);
    return li;
  }

  async function act(item, action, rule, box) {
    const text = box?.value.trim() ?? "";
    if (rule.text && !text) {
      state.error = t(`wi.text.${rule.text}`);
      render();
      return;
    }
    try {
      await postJson(`/api/warnings/instructions/${item.id}/${action}`, { text: rule.text ? text : null });
      drafts.delete(item.id);
      state.error = null;
      await load();
    } catch (err) {
      state.error = errorMessage(err);
      render();
    }
  }

  /** A leader raises an instruction by hand for a place with a warning this month, to the level of the tree chosen. */
  function raiseForm() {
    const form = el("form", { cls: "wi-raise", testid: "raise-form" });
    form.appendChild(el("h3", { text: t("wi.raise") }));
    const place = el("select", { testid: "raise-place", attrs: { "aria-label": t("wi.raisePlace"), required: "" } });
    for (const p of state.places)
      place.appendChild(new Option(t("wi.placeOption", { name: p.name, level: nestedTerm("warnings", "levels", p.level), count: p.count, month: p.month.slice(0, 7) }), String(p.id)));
    const task = el("textarea", { testid: "raise-task", attrs: { maxlength: "500", rows: "2", required: "", placeholder: t("wi.raiseTask") } });
    const hours = el("input", { testid: "raise-hours", attrs: { type: "number", min: "1", max: "2160", value: "48", "aria-label": t("wi.raiseHours") } });
    const holder = el("select", { testid: "raise-holder", attrs: { "aria-label": t("wi.raiseHolder") } });
    for (const code of Object.keys(vocabulary.instructions.holders)) holder.appendChild(new Option(nestedTerm("instructions", "holders", code), code));
    const submit = el("button", { text: t("wi.raiseSubmit"), testid: "raise-submit", attrs: { type: "submit" } });
    form.append(el("label", { text: t("wi.raisePlace") }), place, task, el("label", { text: t("wi.raiseHours") }), hours,
      el("label", { text: t("wi.raiseHolder") }), holder, submit);
    if (state.places.length === 0) {
      place.disabled = submit.disabled = true;
      form.appendChild(el("p", { text: t("wi.noWarnedPlaces"), cls: "wi-hint" }));
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await postJson("/api/warnings/instructions", { placeId: Number(place.value), task: task.value.trim(), hours: Number(hours.value), holder: holder.value });
        state.error = null;
        await load();
      } catch (err) {
        state.error = errorMessage(err);
        render();
      }
    });
    return form;
  }

  function statsTable(stats) {
    const wrap = el("div", { cls: "wi-stats", testid: "board-stats" });
    wrap.appendChild(el("h3", { text: t("wi.stats", { month: stats.month }) }));
    const table = el("table");
    const head = el("tr");
    for (const k of ["station", "issued", "onTime", "verifiedRate", "feedbackRate", "black", "red"]) head.appendChild(el("th", { text: t(`wi.col.${k}`) }));
    table.appendChild(head);
    const pct = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);
    const yoy = (now, before) =>
      before ? t("wi.yoy", { now, before, change: `${now >= before ? "+" : ""}${(((now - before) / before) * 100).toFixed(1)}%` }) : t("wi.yoyNone", { now, before });
    for (const s of stats.stations) {
      const tr = el("tr");
      for (const v of [s.stationName, s.issued, s.doneOnTime, pct(s.verifiedRate), pct(s.feedbackRate), yoy(s.black, s.blackLastYear), yoy(s.red, s.redLastYear)])
        tr.appendChild(el("td", { text: String(v) }));
      table.appendChild(tr);
    }
    wrap.appendChild(table);
    return wrap;
  }

  async function load() {
    const user = getUser();
    if (!user) {
      state.phase = "signin";
      return render();
    }
    state.phase = "loading";
    render();
    try {
      if (route === "today") {
        const { data } = await fetchJson("/api/warnings/instructions/mine");
        state.items = data.items;
        state.today = data.today;
      } else if (isStaff(user)) {
        const q = new URLSearchParams();
        if (state.filters.status) q.set("status", state.filters.status);
        if (state.filters.assignee) q.set("assignee", state.filters.assignee);
        const { data } = await fetchJson(`/api/warnings/instructions?${q}`);
        state.items = data;
        // The person filter offers everyone on the unfiltered board, so choosing one does not empty the list.
        if (!state.filters.assignee) state.people = new Map(data.map((i) => [i.assigneeId, i.assigneeName]));
        state.stats = (await fetchJson("/api/warnings/instructions/stats")).data;
        if (isLeader(user)) state.places = (await fetchJson("/api/warnings/instructions/places")).data;
      }
      state.phase = "shown";
    } catch (err) {
      state.phase = "error";
      state.error = errorMessage(err);
    }
    render();
  }

  state.people = new Map();
  state.places = [];
  onLangChange(render);
  load();
  return { state, refresh: () => { nav.refresh(); load(); } };
}

// The two links in the top bar for signed-in staff (the daily list; the board for leaders): a page load each, so
// the address is the page and a link sent to a phone opens the same thing.
const nav = { refresh: () => {} };
function addNavigation(getUser) {
  const bar = document.querySelector("[data-testid=topbar]");
  const before = document.querySelector("[data-testid=user]");
  if (!bar || !before) return;
  const links = el("nav", { cls: "wi-nav", testid: "instructions-nav" });
  bar.insertBefore(links, before);
  nav.refresh = () => {
    const user = getUser();
    links.replaceChildren();
    if (!isStaff(user)) return;
    links.appendChild(el("a", { text: t("wi.today"), attrs: { href: "/today" }, testid: "nav-today" }));
    if (isLeader(user)) links.appendChild(el("a", { text: t("wi.board"), attrs: { href: "/instructions" }, testid: "nav-board" }));
  };
  onLangChange(() => nav.refresh());
}
