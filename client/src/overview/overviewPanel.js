// The commander's overview: a strip along the top of the map (clock, open and overdue incidents, units by status,
// today's and this week's intake against last week) that unfolds into the open incidents with their timers and the
// alerts feed. It folds back to the strip so the map stays the main thing. It keeps itself current: the dispatch hub
// says when an incident changed, a periodic read catches the rest (intake counts, unit statuses), and the timers
// tick every second on the server's clock.
import { fetchJson } from "../api.js";
import { connectHub } from "../hub.js";
import { getLang, onLangChange, t } from "../i18n.js";
import { INCIDENT_PRIORITIES, UNIT_STATUSES, isOverdue, term } from "../vocabulary.js";
import { alertFeed } from "./alerts.js";
import "./overview.css";

const REFRESH_MS = 30000;
const RETRY_MS = 5000;
const FOLD_KEY = "geotwin.overview.open";
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** m:ss below an hour, h:mm:ss above: a timer a commander reads at a glance. */
export function elapsed(fromIso, nowMs) {
  if (!fromIso) return "";
  const s = Math.max(0, Math.floor((nowMs - Date.parse(fromIso)) / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${mm.padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/**
 * state (window.geotwin.overview): { summary (GET /api/overview), incidents (open ones), alerts (the feed's items),
 * open (unfolded), hub, refreshes (completed reads), lastError, skewMs (server clock - page clock) }.
 * onOpenIncident(code): a click on an incident or an incident's alert.
 */
export function initOverview(container, { onOpenIncident = () => {} } = {}) {
  const state = { summary: null, incidents: [], alerts: [], open: localStorage.getItem(FOLD_KEY) === "1", hub: "closed", refreshes: 0, lastError: null, skewMs: 0 };
  const el = document.createElement("section");
  el.className = "overview";
  el.dataset.testid = "overview";
  el.hidden = true;
  // Folded until the commander unfolds it (the choice is kept): its open body lies over the map's top right, where
  // it took the clicks meant for houses and the heads of other panels.
  container.appendChild(el);
  // The map's panels start below the strip (--overview-h in their CSS): the strip's height, 0 while it is hidden.
  new ResizeObserver(() => {
    const strip = el.hidden ? null : el.querySelector(".overview-strip");
    container.style.setProperty("--overview-h", strip ? `${Math.ceil(strip.getBoundingClientRect().height) + 6}px` : "0px");
  }).observe(el);
  const feed = alertFeed({ onChange: () => renderAlerts() });

  let hub = null;
  let tick = null;
  let refresher = null;
  let reading = null;

  const now = () => Date.now() + state.skewMs;

  let again = false;
  let retry = null;

  /**
   * One read at a time. A push during a read asks for one more read after it (the read in flight may have started
   * before the change it announces); a read that failed (a timeout on a loaded server) is tried again after
   * RETRY_MS rather than waiting for the next periodic read, so the panel never stays behind for long.
   */
  async function refresh() {
    if (reading) {
      again = true;
      return reading;
    }
    clearTimeout(retry);
    reading = (async () => {
      try {
        const [summary, incidents] = await Promise.all([
          fetchJson("/api/overview").then((r) => r.data),
          fetchJson("/api/incidents/?status=open&limit=500").then((r) => r.data ?? []),
        ]);
        state.skewMs = Date.parse(summary.now) - Date.now();
        state.summary = summary;
        state.incidents = incidents;
        state.lastError = null;
        feed.setIncidents(incidents, now());
        feed.setUnits(summary.units);
      } catch (err) {
        state.lastError = err;
        if (!el.hidden) retry = setTimeout(refresh, RETRY_MS);
      } finally {
        state.refreshes++;
        reading = null;
        render();
      }
    })();
    const done = reading;
    await done;
    if (again && !el.hidden) {
      again = false;
      return refresh();
    }
    return done;
  }

  /** Open incidents in the order a commander acts on them: overdue first, then priority, then the oldest. */
  function ordered() {
    const n = now();
    return [...state.incidents]
      .map((i) => ({ ...i, overdue: isOverdue(i, n) }))
      .sort((a, b) => b.overdue - a.overdue || a.priority - b.priority || Date.parse(a.receivedAt) - Date.parse(b.receivedAt));
  }

  const count = (list, pred) => list.filter(pred).reduce((s, x) => s + x.count, 0);

  /** "12 (last week 9 ▲)": a count against the same span one week earlier. */
  function against(current, previous, testid) {
    const arrow = current > previous ? "▲" : current < previous ? "▼" : "=";
    return `<b data-testid="${testid}">${current}</b> <small data-testid="${testid}-last" data-last="${previous}">${esc(t("overview.lastWeek", { n: previous }))} ${arrow}</small>`;
  }

  function clockText() {
    const zone = state.summary?.timeZone;
    const opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false };
    try {
      return new Date(now()).toLocaleTimeString(getLang(), zone ? { ...opts, timeZone: zone } : opts);
    } catch {
      return new Date(now()).toLocaleTimeString(getLang(), opts);
    }
  }
  function dateText() {
    const zone = state.summary?.timeZone;
    const opts = { weekday: "short", month: "short", day: "numeric" };
    try {
      return new Date(now()).toLocaleDateString(getLang(), zone ? { ...opts, timeZone: zone } : opts);
    } catch {
      return new Date(now()).toLocaleDateString(getLang(), opts);
    }
  }

  function render() {
    if (el.hidden) return;
    const s = state.summary;
    el.dataset.open = String(state.open);
    el.dataset.state = s ? "ready" : state.lastError ? "error" : "loading";
    const open = s?.open ?? [];
    const units = s?.units ?? [];
    const offline = units.filter((u) => u.freshness === "offline" || u.freshness === "never").reduce((a, u) => a + u.count, 0);
    const list = ordered();
    const overdueNow = list.filter((i) => i.overdue).length;
    el.innerHTML = `
      <div class="overview-strip">
        <button type="button" class="overview-fold" data-role="fold" data-testid="overview-fold" aria-expanded="${state.open}"
          title="${esc(t(state.open ? "overview.fold" : "overview.unfold"))}">${state.open ? "▾" : "▸"} ${esc(t("overview.title"))}</button>
        <span class="overview-clock" data-testid="overview-clock" title="${esc(s?.timeZone ?? "")}"><b data-role="clock">${esc(clockText())}</b> <small data-role="date">${esc(dateText())}</small></span>
        <span class="overview-cell" data-testid="overview-open" data-count="${s?.openTotal ?? ""}">${esc(t("overview.open"))} <b>${s?.openTotal ?? "…"}</b></span>
        <span class="overview-cell ${overdueNow ? "overview-alarm" : ""}" data-testid="overview-overdue" data-count="${overdueNow}">${esc(t("overview.overdue"))} <b>${overdueNow}</b></span>
        <span class="overview-cell overview-priorities" data-testid="overview-priorities">${INCIDENT_PRIORITIES.map((p) => {
          const n = count(open, (g) => g.priority === p);
          return `<span class="overview-chip p${p}" data-priority="${p}" data-count="${n}" title="${esc(term("incidentPriorities", p))}">P${p} ${n}</span>`;
        }).join("")}</span>
        <span class="overview-cell overview-units" data-testid="overview-units">${UNIT_STATUSES.map((st) => {
          const n = count(units, (u) => u.status === st);
          return n ? `<span class="overview-chip unit-${esc(st)}" data-status="${esc(st)}" data-count="${n}">${esc(term("unitStatuses", st))} ${n}</span>` : "";
        }).join("")}${offline ? `<span class="overview-chip unit-offline" data-status="offline" data-count="${offline}">${esc(term("freshness", "offline"))} ${offline}</span>` : ""}</span>
        <span class="overview-cell" data-testid="overview-today">${esc(t("overview.today"))} ${s ? against(s.intake.today, s.intake.sameDayLastWeek, "overview-today-count") : "…"}</span>
        <span class="overview-cell" data-testid="overview-week">${esc(t("overview.week"))} ${s ? against(s.intake.thisWeek, s.intake.sameSpanLastWeek, "overview-week-count") : "…"}</span>
        ${state.lastError ? `<span class="overview-cell overview-alarm" data-testid="overview-error">${esc(t("overview.stale"))}</span>` : ""}
      </div>
      <div class="overview-body" data-role="body" ${state.open ? "" : "hidden"}>
        <div class="overview-col">
          <h3>${esc(t("overview.openIncidents"))} <small>${esc(t("overview.timersNote"))}</small></h3>
          <table class="overview-table" data-testid="overview-incidents">
            <thead><tr><th>${esc(t("overview.col.priority"))}</th><th>${esc(t("overview.col.category"))}</th><th>${esc(t("overview.col.status"))}</th>
              <th>${esc(t("overview.col.sinceIntake"))}</th><th>${esc(t("overview.col.sinceDispatch"))}</th></tr></thead>
            <tbody>${list.map((i) => `
              <tr data-code="${esc(i.code)}" data-status="${esc(i.status)}" data-priority="${i.priority}" data-overdue="${i.overdue}" class="${i.overdue ? "overdue" : ""}" tabindex="0">
                <td><span class="overview-chip p${i.priority}">P${i.priority}</span></td>
                <td>${esc(term("incidentCategories", i.category))}</td>
                <td>${esc(term("incidentStatuses", i.status))}</td>
                <td data-since="${esc(i.receivedAt)}" data-role="since-intake">${elapsed(i.receivedAt, now())}</td>
                <td data-since="${esc(i.firstDispatchAt ?? "")}" data-role="since-dispatch">${i.firstDispatchAt ? elapsed(i.firstDispatchAt, now()) : "—"}</td>
              </tr>`).join("") || `<tr><td colspan="5">${esc(t("overview.noneOpen"))}</td></tr>`}
            </tbody>
          </table>
        </div>
        <div class="overview-col">
          <h3>${esc(t("overview.alerts"))}</h3>
          <ul class="overview-alerts" data-testid="overview-alerts"></ul>
        </div>
      </div>`;
    renderAlerts();
  }

  function renderAlerts() {
    state.alerts = feed.items();
    const ul = el.querySelector("[data-testid=overview-alerts]");
    if (!ul) return;
    ul.innerHTML = state.alerts.map((a) => `
      <li class="alert-${esc(a.level)}" data-source="${esc(a.source)}" data-key="${esc(a.key)}" ${a.incident ? `data-code="${esc(a.incident)}" tabindex="0"` : ""}>
        <span class="alert-time">${a.at ? esc(new Date(a.at).toLocaleTimeString(getLang(), { hour: "2-digit", minute: "2-digit", hour12: false })) : ""}</span>
        <span class="alert-text">${esc(a.text)}</span>
      </li>`).join("") || `<li class="alert-none">${esc(t("overview.noAlerts"))}</li>`;
  }

  /** Once a second: the clock, the timers and whether an incident just became overdue; no refetch. */
  function onTick() {
    if (el.hidden || !state.summary) return;
    const n = now();
    const clock = el.querySelector("[data-role=clock]");
    if (clock) clock.textContent = clockText();
    let changed = false;
    for (const row of el.querySelectorAll("tr[data-code]")) {
      for (const cell of row.querySelectorAll("td[data-since]")) if (cell.dataset.since) cell.textContent = elapsed(cell.dataset.since, n);
      const incident = state.incidents.find((i) => i.code === row.dataset.code);
      if (incident && String(isOverdue(incident, n)) !== row.dataset.overdue) changed = true;
    }
    if (changed) {
      feed.setIncidents(state.incidents, n);
      render();
    }
  }

  el.addEventListener("click", (event) => {
    if (event.target.closest("[data-role=fold]")) {
      state.open = !state.open;
      localStorage.setItem(FOLD_KEY, state.open ? "1" : "0");
      render();
      return;
    }
    const code = event.target.closest("[data-code]")?.dataset.code;
    if (code) onOpenIncident(code);
  });
  el.addEventListener("keydown", (event) => {
    const code = event.key === "Enter" && event.target.closest("[data-code]")?.dataset.code;
    if (code) onOpenIncident(code);
  });
  onLangChange(() => {
    feed.relabel();
    render();
  });

  function stop() {
    hub?.stop();
    hub = null;
    clearInterval(tick);
    clearInterval(refresher);
    clearTimeout(retry);
    again = false;
    feed.stop();
  }

  return {
    state,
    refresh,
    /** A live-feed report from /readyz (status.js): a stall is an alert too. */
    liveFeed: (report) => feed.setLiveFeed(report),
    /** The fence events the page holds (geofences/), newest first. */
    fenceEvents: (events) => feed.setFenceEvents(events),
    /** The crowd level changes the page holds (crowds/), newest first. */
    crowdEvents: (events) => feed.setCrowdEvents(events),
    /** Shown to every signed-in person of the staff; hidden (and silent) when signed out. */
    show(user) {
      stop();
      // Staff only: a resident has the scan page, and /api/overview would refuse them. Not on the scan page either: its
      // panel is the page there, and the overview lay over its top (the address, the notice, a refusal).
      el.hidden = !user || user.role === "resident" || document.body.classList.contains("scanning");
      if (el.hidden) {
        state.summary = null;
        state.incidents = [];
        return;
      }
      render();
      hub = connectHub("/hubs/dispatch", {
        handlers: { incident: () => refresh() },
        onConnected: () => refresh(),
        onState: (s) => (state.hub = el.dataset.hub = s),
      });
      feed.start();
      tick = setInterval(onTick, 1000);
      refresher = setInterval(refresh, REFRESH_MS);
      refresh();
    },
  };
}

