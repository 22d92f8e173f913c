// 人来登记、人走注销 on the scan page, by role: a resident declares (their own or a tenant's arrival or departure) and
// follows their declarations; the landlord of the house confirms or rejects tenants; the community officer sees the
// house's people (an audited read, only when asked), the declarations waiting and approves or sends back with a
// reason. The server decides who may do what; this only offers what the role can use.
import { ApiError, errorMessage, fetchJson, postJson } from "../api.js";
import { getLang, has, t } from "../i18n.js";
import { localTime } from "../records/fields.js";
import { term, vocabulary } from "../vocabulary.js";

/** Whether the role approves registrations (the vocabulary's one list: community officers, admins). */
const approves = (role) => vocabulary.registrationApprovers.includes(role);

/** A date of the calendar (yyyy-MM-dd, no time of day) in the page's language, never shifted by the time zone. */
export function localDate(iso) {
  if (!iso) return "—";
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(getLang() === "en" ? "en-GB" : "zh-CN");
}

/**
 * A refusal in words: the field it names (in the page's language) and the server's reason, never a bare status. The
 * server words its reason "field: why"; the field's own name is put in front instead.
 */
export function refusalText(err) {
  const field = err instanceof ApiError ? err.body?.field : null;
  const detail = err instanceof ApiError ? err.body?.detail : null;
  if (!field || typeof detail !== "string") return errorMessage(err);
  const key = `reg.field.${field}`;
  return t("reg.refused", { field: has(key) ? t(key) : field, detail: detail.startsWith(`${field}: `) ? detail.slice(field.length + 2) : detail });
}

/** Today in the viewer's calendar, as the date inputs want it. */
const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

function el(tag, { text, testid, cls, attrs } = {}) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (testid) e.dataset.testid = testid;
  if (cls) e.className = cls;
  for (const [k, v] of Object.entries(attrs ?? {})) e.setAttribute(k, v);
  return e;
}

/**
 * The registration part of the scan panel. ctx: { plate (code, v, s), qr (the /api/qr answer), user, rerender }.
 * Keeps its own state (declarations, people, the last error) between renders.
 */
export function createRegistration() {
  const state = { declarations: null, people: null, error: null, notice: null, form: { kind: "arrival", subject: "tenant" } };
  let ctx = null;

  async function load(next) {
    // another person signed in (or out): the last one's notice or refusal is not theirs
    if (ctx?.user?.username !== next.user?.username) state.notice = state.error = null;
    ctx = next;
    state.declarations = null;
    state.people = null;
    const role = ctx.user?.role;
    if (!role || !(role === "resident" || approves(role))) return;
    const { data } = await fetchJson(`/api/declarations?address=${encodeURIComponent(ctx.plate.code)}`);
    state.declarations = data;
  }

  /** reload: read the declarations again afterwards (a decision); not after showing the people, which it would clear. */
  async function act(work, noticeKey, { reload = true } = {}) {
    state.error = null;
    state.notice = null;
    try {
      await work();
      state.notice = noticeKey ? t(noticeKey) : null;
      if (reload) await load(ctx);
    } catch (err) {
      state.error = refusalText(err);
    }
    ctx.rerender();
  }

  function declarationItem(d, actions) {
    const li = el("li", { cls: "reg-item", testid: "reg-declaration" });
    li.dataset.id = d.id;
    li.dataset.status = d.status;
    const head = el("div", { cls: "reg-head" });
    head.appendChild(el("strong", { text: `${term("declarationKinds", d.kind)} · ${d.fullName}` }));
    head.appendChild(el("span", { text: term("declarationStatuses", d.status), cls: `reg-status reg-${d.status}`, testid: "reg-status" }));
    li.appendChild(head);
    const dates = d.kind === "departure"
      ? t("reg.leftOn", { date: localDate(d.leftOn) })
      : t("reg.arrivedOn", { date: localDate(d.arrivedOn) });
    li.appendChild(el("div", { text: `${term("declarationSubjects", d.subject)} · ${d.idNumber} · ${dates} · ${t("reg.dueOn", { date: localDate(d.dueOn) })}` }));
    if (d.overdue) li.appendChild(el("div", { text: t("reg.overdue"), cls: "reg-overdue", testid: "reg-overdue" }));
    const trail = el("ol", { cls: "reg-trail" });
    for (const e of d.events)
      trail.appendChild(el("li", { text: `${localTime(new Date(e.at))} ${term("declarationActions", e.action)} · ${e.byName}${e.reason ? ` · ${e.reason}` : ""}` }));
    li.appendChild(trail);
    if (actions) li.appendChild(actions);
    return li;
  }

  function decisionButtons(d, [yesKey, yesPath], [noKey, noPath]) {
    const box = el("div", { cls: "reg-actions" });
    const reason = el("input", { testid: "reg-reason", attrs: { maxlength: "500", placeholder: t("reg.reason") } });
    const yes = el("button", { text: t(yesKey), testid: `reg-${yesPath}` });
    const no = el("button", { text: t(noKey), testid: `reg-${noPath}` });
    yes.type = no.type = "button";
    yes.onclick = () => act(() => postJson(`/api/declarations/${d.id}/${yesPath}`, {}), "reg.done");
    no.onclick = () => act(() => postJson(`/api/declarations/${d.id}/${noPath}`, { reason: reason.value }), "reg.done");
    box.append(yes, reason, no);
    return box;
  }

  function field(form, name, labelKey, { type = "text", value = "", max, attrs = {} } = {}) {
    const label = el("label", { cls: "reg-field" });
    label.appendChild(el("span", { text: t(labelKey) }));
    const input = el("input", { testid: `reg-${name}`, attrs: { name, type, ...(max ? { maxlength: String(max) } : {}), ...attrs } });
    input.value = value;
    label.appendChild(input);
    form.appendChild(label);
    return input;
  }

  function select(form, name, labelKey, list, value) {
    const label = el("label", { cls: "reg-field" });
    label.appendChild(el("span", { text: t(labelKey) }));
    const s = el("select", { testid: `reg-${name}`, attrs: { name } });
    for (const code of list) {
      const o = el("option", { text: term(name === "kind" ? "declarationKinds" : "declarationSubjects", code) });
      o.value = code;
      s.appendChild(o);
    }
    s.value = value;
    label.appendChild(s);
    form.appendChild(label);
    return s;
  }

  function declareForm() {
    const f = state.form;
    const form = el("form", { cls: "reg-form", testid: "reg-form" });
    form.appendChild(el("h3", { text: t("reg.declare") }));
    const kind = select(form, "kind", "reg.kind", ["arrival", "departure"], f.kind);
    const subject = select(form, "subject", "reg.subject", ["self", "tenant"], f.subject);
    kind.onchange = () => { f.kind = kind.value; ctx.rerender(); };
    subject.onchange = () => { f.subject = subject.value; };
    const name = field(form, "fullName", "reg.fullName", { max: 100, value: f.fullName ?? "" });
    const id = field(form, "idNumber", "reg.idNumber", { max: 18, value: f.idNumber ?? "", attrs: { inputmode: "text", autocomplete: "off" } });
    const inputs = { fullName: name, idNumber: id };
    if (f.kind === "arrival") {
      inputs.phone = field(form, "phone", "reg.phone", { type: "tel", max: 20, value: f.phone ?? "" });
      inputs.arrivedOn = field(form, "arrivedOn", "reg.arrivedOnLabel", { type: "date", value: f.arrivedOn ?? today(), attrs: { max: today() } });
      inputs.expectedLeaveOn = field(form, "expectedLeaveOn", "reg.expectedLeaveOn", { type: "date", value: f.expectedLeaveOn ?? "" });
    } else {
      inputs.leftOn = field(form, "leftOn", "reg.leftOnLabel", { type: "date", value: f.leftOn ?? today(), attrs: { max: today() } });
    }
    const submit = el("button", { text: t("reg.submit"), testid: "reg-submit" });
    submit.type = "submit";
    form.appendChild(submit);
    form.onsubmit = (ev) => {
      ev.preventDefault();
      const body = { kind: kind.value, subject: subject.value };
      for (const [k, input] of Object.entries(inputs)) body[k] = input.value.trim() || null;
      Object.assign(f, body);
      const q = `v=${encodeURIComponent(ctx.plate.v)}&s=${encodeURIComponent(ctx.plate.s)}`;
      act(async () => {
        await postJson(`/api/plates/${encodeURIComponent(ctx.plate.code)}/declarations?${q}`, body);
        state.form = { kind: f.kind, subject: f.subject }; // declared: an empty form for the next one
      }, "reg.declared");
    };
    return form;
  }

  function peopleBox() {
    const box = el("div", { cls: "reg-people" });
    if (!state.people) {
      const show = el("button", { text: t("reg.showPeople"), testid: "reg-show-people" });
      show.type = "button";
      show.title = t("reg.auditedHint");
      show.onclick = () => act(async () => {
        const lists = await Promise.all(ctx.qr.houses.map((h) => fetchJson(`/api/houses/${h.id}/people`).then((r) => r.data)));
        state.people = lists.flat();
      }, null, { reload: false });
      box.appendChild(show);
      return box;
    }
    box.appendChild(el("h3", { text: t("reg.people", { n: state.people.length }) }));
    const list = el("ul", { testid: "reg-people", cls: "reg-list" });
    for (const p of state.people)
      list.appendChild(el("li", {
        text: `${p.fullName} · ${p.idNumber ?? "—"} · ${p.phone ?? "—"} · ${p.floating ? t("reg.floating") : t("reg.registeredHere")} · ${t("reg.arrivedOn", { date: localDate(p.arrivedOn) })}`,
      }));
    box.appendChild(list);
    return box;
  }

  /** Appends the role's part to the panel. */
  function render(panel) {
    if (!ctx?.user) return;
    const role = ctx.user.role;
    if (state.notice) panel.appendChild(el("p", { text: state.notice, testid: "reg-notice", cls: "scan-hint" }));
    if (state.error) panel.appendChild(el("p", { text: state.error, testid: "reg-error", cls: "reg-error" }));
    const mine = (state.declarations ?? []).filter((d) => d.declaredBy === ctx.user.username);
    if (role === "resident" && ctx.qr?.canDeclareArrivalOrDeparture) {
      if (ctx.qr.landlord) {
        const waiting = (state.declarations ?? []).filter((d) => d.status === "awaiting_landlord" && d.declaredBy !== ctx.user.username);
        panel.appendChild(el("h3", { text: t("reg.landlordWaiting", { n: waiting.length }) }));
        const list = el("ul", { testid: "reg-landlord", cls: "reg-list" });
        for (const d of waiting) list.appendChild(declarationItem(d, decisionButtons(d, ["reg.confirm", "confirm"], ["reg.reject", "reject"])));
        panel.appendChild(list);
      }
      panel.appendChild(declareForm());
      panel.appendChild(el("h3", { text: t("reg.mine", { n: mine.length }) }));
      const list = el("ul", { testid: "reg-mine", cls: "reg-list" });
      for (const d of mine) list.appendChild(declarationItem(d));
      panel.appendChild(list);
    } else if (approves(role) && ctx.qr?.houses) {
      if (ctx.qr.houses.length > 0) panel.appendChild(peopleBox());
      const all = state.declarations ?? [];
      const waiting = all.filter((d) => d.status === "awaiting_officer");
      panel.appendChild(el("h3", { text: t("reg.officerWaiting", { n: waiting.length }) }));
      const list = el("ul", { testid: "reg-officer", cls: "reg-list" });
      for (const d of waiting) list.appendChild(declarationItem(d, decisionButtons(d, ["reg.approve", "approve"], ["reg.sendBack", "send-back"])));
      panel.appendChild(list);
      const others = all.filter((d) => d.status !== "awaiting_officer");
      if (others.length > 0) {
        panel.appendChild(el("h3", { text: t("reg.history") }));
        const history = el("ul", { testid: "reg-history", cls: "reg-list" });
        for (const d of others) history.appendChild(declarationItem(d));
        panel.appendChild(history);
      }
    }
  }

  return { load, render };
}
