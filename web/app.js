// The liaison workspace: plain ES modules, no framework, no build step.
import { h, clear, when, ago, label, phone, language, money } from "./dom.js";
import { Api, ApiError, path } from "./api.js";
import { auth } from "./auth.js";
import { assessmentForm, assessmentSection } from "./assessment.js";
import { visitForm, visitsPanel } from "./visit.js";
import { assistanceFacts, enrollmentBlock, enrollmentInputs } from "./assistance.js";
import { directoryView } from "./directory.js";
import { clinicPanel } from "./clinic.js";
import { discoveryBlock } from "./discovery.js";

const REVIEW_TYPES = new Set(["complete_referral", "needs_review", "verify_insurance", "coverage_inactive", "verify_contact", "coverage_not_found"]);
const main = document.getElementById("main");
const statusLine = document.getElementById("status");
let config = null;
let api = null;
let pollTimer = null;
const seenTasks = new Set();
const board = { view: "all", type: "", language: "", overdue: false };
const ROLES = [["liaison", "Liaison"], ["pharmacist", "Pharmacist"], ["supervisor", "Supervisor"], ["compliance", "Compliance"], ["nurse", "Nurse"]];
const STAFF = ["liaison", "pharmacist", "supervisor", "nurse"];
const WORKERS = ["liaison", "pharmacist", "nurse"]; // who claims and completes tasks (the API's rule)

function home() { return auth.can(...STAFF) ? "#/board" : auth.can("compliance") ? "#/access-log" : "#/signin"; }

function say(text) { statusLine.textContent = text; }

function errorBox(err) {
  const msg = err instanceof ApiError ? `${err.message}` : `Something went wrong: ${err.message || err}`;
  return h("p", { class: "error", role: "alert" }, msg);
}

function navTo(name) {
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === name) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
}

function showWho() {
  const who = document.getElementById("who");
  clear(who);
  const me = auth.liaison();
  for (const a of document.querySelectorAll("[data-role]")) a.hidden = !auth.can(...a.dataset.role.split(" "));
  if (!me) return;
  who.append(h("span", {}, `Signed in as ${auth.name()} (${auth.roles().join(", ") || "no role"})`),
    h("button", { type: "button", onclick: () => { auth.signOut(config); location.hash = "#/signin"; } }, "Sign out"));
}

// ---------------------------------------------------------------- sign-in
function signInView() {
  navTo("");
  stopPolling();
  if (config.auth.mode === "cognito") {
    return h("section", { class: "panel signin" },
      h("h1", {}, "Sign in"),
      h("p", {}, "Liaisons sign in with their pharmacy account."),
      h("button", { type: "button", onclick: () => auth.startHostedSignIn(config) }, "Sign in with the pharmacy account"));
  }
  const input = h("input", { id: "liaison-name", name: "liaison", required: true, autocomplete: "username" });
  const role = h("select", { id: "liaison-role", name: "role" },
    ...ROLES.map(([value, text]) => h("option", { value }, text)));
  const form = h("form", { class: "form", onsubmit: (e) => {
    e.preventDefault();
    const name = input.value.trim();
    if (!name) return;
    auth.signInLocal(name, role.value);
    showWho();
    location.hash = home();
  } },
    h("label", { for: "liaison-name" }, "Your name", input),
    h("label", { for: "liaison-role" }, "Role", role),
    h("button", { type: "submit" }, "Sign in"));
  return h("section", { class: "panel signin" }, h("h1", {}, "Sign in"),
    h("p", { class: "note" }, "Local stack: sign in with a name and a role (no password)."), form);
}

// ---------------------------------------------------------------- board
function stopPolling() { if (pollTimer) { clearInterval(pollTimer); pollTimer = null; } }

function taskRow(t, me, fresh) {
  const classes = [t.overdue ? "overdue" : "", fresh ? "new" : ""].join(" ").trim();
  const flags = [];
  if (t.overdue) flags.push(h("span", { class: "badge bad" }, "Overdue"));
  if (t.escalations > 0) flags.push(h("span", { class: "badge warn" }, `Escalated ×${t.escalations}`));
  if (fresh) flags.push(h("span", { class: "badge info" }, "New"));
  const who = t.claimed_by ? (t.claimed_by === me ? "you" : t.claimed_by) : "";
  const patient = t.patient ? `${t.patient.first_name} ${t.patient.last_name}` : "—";
  return h("tr", { class: classes, "data-task": t.task_id },
    h("td", { class: "num" }, h("time", { datetime: t.due_at }, when(t.due_at)), h("div", { class: "muted" }, ago(t.due_at))),
    h("td", {}, h("a", { href: path`#/task/${t.task_id}` }, label(t.task_type)), " ", ...flags),
    h("td", {}, t.reason),
    h("td", {}, patient),
    h("td", {}, t.patient ? language(t.patient.preferred_language) : "—"),
    h("td", {}, t.status === "claimed" ? h("span", { class: "badge" }, `Claimed by ${who}`) : h("span", { class: "badge ok" }, "Open")),
    h("td", { class: "num" }, String(t.attempts.length)));
}

async function boardView() {
  navTo("board");
  const section = h("section", {});
  const me = auth.liaison();
  const typeSelect = h("select", { id: "f-type" }, h("option", { value: "" }, "All types"));
  const langSelect = h("select", { id: "f-lang" }, h("option", { value: "" }, "All languages"));
  const overdue = h("input", { type: "checkbox", id: "f-overdue", checked: board.overdue });
  const tabs = h("div", { class: "tabs", role: "group", "aria-label": "Which tasks" });
  const tbody = h("tbody", {});
  const heading = h("h1", {}, "Tasks ", h("span", { class: "count" }));
  const table = h("table", { "aria-label": "Tasks, soonest due first" },
    h("thead", {}, h("tr", {}, ...["Due", "Task", "Reason", "Patient", "Language", "Status", "Attempts"].map((c) => h("th", { scope: "col" }, c)))),
    tbody);
  let tasks = [];
  let first = true;

  function render() {
    const shown = tasks.filter((t) =>
      (board.view === "all" ? true : board.view === "open" ? t.status === "open" : board.view === "claimed" ? t.status === "claimed" : t.claimed_by === me) &&
      (!board.type || t.task_type === board.type) &&
      (!board.language || (t.patient && t.patient.preferred_language === board.language)) &&
      (!board.overdue || t.overdue));
    clear(tbody);
    for (const t of shown) tbody.append(taskRow(t, me, !first && !seenTasks.has(t.task_id)));
    if (!shown.length) tbody.append(h("tr", {}, h("td", { colspan: 7, class: "empty" }, "No tasks match.")));
    heading.querySelector(".count").textContent = `${shown.length} shown · ${tasks.filter((t) => t.overdue).length} overdue`;
  }

  function fillSelect(select, values, current) {
    const have = new Set([...select.options].map((o) => o.value));
    for (const v of values) if (!have.has(v)) select.append(h("option", { value: v }, select.id === "f-lang" ? language(v) : label(v)));
    select.value = current;
  }

  async function load() {
    try {
      const data = await api.get("/tasks");
      tasks = data.tasks;
      const fresh = tasks.filter((t) => !seenTasks.has(t.task_id));
      if (!first && fresh.length) say(`${fresh.length} new task${fresh.length > 1 ? "s" : ""} arrived`);
      fillSelect(typeSelect, [...new Set(tasks.map((t) => t.task_type))].sort(), board.type);
      fillSelect(langSelect, [...new Set(tasks.filter((t) => t.patient).map((t) => t.patient.preferred_language))].sort(), board.language);
      render();
      for (const t of tasks) seenTasks.add(t.task_id);
      first = false;
    } catch (err) {
      clear(tbody);
      tbody.append(h("tr", {}, h("td", { colspan: 7 }, errorBox(err))));
    }
  }

  for (const [value, text] of [["all", "All"], ["open", "Open"], ["claimed", "Claimed"], ["mine", "Mine"]]) {
    tabs.append(h("button", { type: "button", "aria-pressed": String(board.view === value), onclick: (e) => {
      board.view = value;
      for (const b of tabs.children) b.setAttribute("aria-pressed", String(b === e.currentTarget));
      render();
    } }, text));
  }
  typeSelect.addEventListener("change", () => { board.type = typeSelect.value; render(); });
  langSelect.addEventListener("change", () => { board.language = langSelect.value; render(); });
  overdue.addEventListener("change", () => { board.overdue = overdue.checked; render(); });
  section.append(heading,
    h("div", { class: "filters" }, tabs,
      h("label", { for: "f-type" }, "Type", typeSelect),
      h("label", { for: "f-lang" }, "Language", langSelect),
      h("label", { class: "check", for: "f-overdue" }, overdue, "Overdue only")),
    table);
  await load();
  stopPolling();
  pollTimer = setInterval(load, (config.pollSeconds || 5) * 1000);
  return section;
}

// ---------------------------------------------------------------- documents
async function openDocument(referralId, documentId) {
  const link = await api.get(path`/referrals/${referralId}/documents/${documentId}`);
  window.open(link.url, "_blank", "noopener");
  return link;
}

function documentList(referralId, docs) {
  if (!docs.length) return h("p", { class: "muted" }, "No documents.");
  return h("ul", { class: "docs" }, ...docs.map((d) => {
    const err = h("span", {});
    return h("li", {}, h("span", {}, d.label),
      h("span", {}, err, h("button", { type: "button", class: "secondary", "data-document": d.document_id,
        "aria-label": `Open ${d.label}`,
        onclick: async () => { clear(err); try { await openDocument(referralId, d.document_id); } catch (e) { err.append(errorBox(e)); } } }, "Open")));
  }));
}

async function originalPanel(referralId) {
  const panel = h("section", { class: "panel", "aria-labelledby": "orig-h" }, h("h2", { id: "orig-h" }, "Original document"));
  try {
    const list = await api.get(path`/referrals/${referralId}/documents`);
    const doc = list.documents.find((d) => d.document_id === "original");
    if (!doc) { panel.append(h("p", { class: "muted" }, "No original on file.")); return panel; }
    if (doc.content_type === "application/pdf") {
      const link = await api.get(path`/referrals/${referralId}/documents/original`);
      panel.append(h("iframe", { class: "doc", src: link.url, title: doc.label }),
        h("p", {}, h("a", { href: link.url, target: "_blank", rel: "noopener" }, "Open the fax in a new tab")));
    } else if (doc.content_type.startsWith("image/")) {
      const link = await api.get(path`/referrals/${referralId}/documents/original`);
      panel.append(h("p", {}, h("a", { href: link.url, target: "_blank", rel: "noopener" }, `Open ${doc.label}`)));
    } else {
      const text = await api.get(path`/referrals/${referralId}/documents/original/text`);
      panel.append(h("pre", { class: "doc", tabindex: "0", "aria-label": doc.label }, text.text));
    }
  } catch (err) { panel.append(errorBox(err)); }
  return panel;
}

// ---------------------------------------------------------------- a task
function valueAt(obj, path) {
  return path.split(".").reduce((o, k) => (o == null ? undefined : o[/^\d+$/.test(k) ? Number(k) : k]), obj);
}

function correctionFields(referral) {
  const fields = new Set(referral.fields_missing || []);
  for (const p of referral.problems || []) {
    const m = /^([a-z_]+(?:\.[a-z0-9_]+)+)/.exec(p);
    if (m) fields.add(m[1]);
  }
  return [...fields].slice(0, 30);
}

async function taskView(taskId) {
  navTo("board");
  const me = auth.liaison();
  let task;
  try { task = await api.get(path`/tasks/${taskId}`); } catch (err) { return errorBox(err); }
  const referral = await api.get(path`/referrals/${task.referral_id}`).catch(() => null);
  const result = h("div", { "aria-live": "polite" });
  const working = (task.status === "open" || task.status === "claimed") && auth.can(...WORKERS);
  const mineOrFree = !task.claimed_by || task.claimed_by === me;

  async function act(action, body) {
    clear(result);
    try {
      const after = await api.post(path`/tasks/${taskId}/${action}`, { liaison: me, ...body });
      if (action !== "complete") say(`${label(task.task_type)}: ${action}ed`);
      else if (after.status === "completed") say(`${label(task.task_type)} completed: ${label(after.outcome)}`);
      else say(`${label(task.task_type)}: ${label(body.outcome)} recorded; the task stays open${after.next_attempt_at ? `, next attempt not before ${when(after.next_attempt_at)}` : ""}`);
      await route();
    } catch (err) { result.append(errorBox(err)); }
  }

  const facts = h("dl", { class: "kv" },
    h("dt", {}, "Status"), h("dd", {}, task.status, task.claimed_by ? ` · claimed by ${task.claimed_by === me ? "you" : task.claimed_by}` : ""),
    h("dt", {}, "Due"), h("dd", {}, when(task.due_at), " ", task.overdue ? h("span", { class: "badge bad" }, "Overdue") : ""),
    h("dt", {}, "Reason"), h("dd", {}, task.reason),
    h("dt", {}, "Referral"), h("dd", {}, h("a", { href: path`#/referral/${task.referral_id}` }, task.referral_id.slice(0, 16))));
  if (task.patient) facts.append(h("dt", {}, "Patient"), h("dd", {}, `${task.patient.first_name} ${task.patient.last_name}`),
    h("dt", {}, "Phone"), h("dd", { class: "num" }, phone(task.patient.phone)),
    h("dt", {}, "Language"), h("dd", {}, language(task.patient.preferred_language)));
  if (task.escalations) facts.append(h("dt", {}, "Escalations"), h("dd", {}, String(task.escalations)));
  if (task.next_attempt_at) facts.append(h("dt", {}, "Next attempt"), h("dd", { id: "next-attempt" }, `not before ${when(task.next_attempt_at)} (${ago(task.next_attempt_at)})`));
  if (task.waiting_for) facts.append(h("dt", {}, "Waiting for"), h("dd", {}, h("a", { href: path`#/task/${task.waiting_for}` }, label(task.waiting_for))));
  if (task.outcome) facts.append(h("dt", {}, "Outcome"), h("dd", {}, `${label(task.outcome)} by ${task.completed_by} at ${when(task.completed_at)}`));
  if (task.note) facts.append(h("dt", {}, "Note"), h("dd", {}, task.note));
  for (const [k, v] of Object.entries(task.details || {})) {
    if (k === "estimate" || k === "call_script") continue; // shown as their own blocks below
    if (typeof v === "string" && v.startsWith("s3://")) continue; // documents open through signed links below
    if (typeof v === "string" || typeof v === "number") facts.append(h("dt", {}, label(k)), h("dd", {}, String(v)));
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) facts.append(h("dt", {}, label(k)), h("dd", {}, h("ul", {}, ...v.map((x) => h("li", {}, x)))));
  }

  if (task.task_type === "send_to_pbm" && task.details) {
    // A pharmacy-benefit drug: where the packet goes (the PBM's fax or portal), never a 278.
    const d = task.details;
    facts.append(h("dt", {}, "Send the packet to"), h("dd", {}, `${d.pbm_name}${d.pbm_fax ? `, fax ${d.pbm_fax}` : ""}`,
      ...(d.pbm_portal ? [" or ", h("a", { href: d.pbm_portal, target: "_blank", rel: "noopener noreferrer" }, "its portal")] : [])));
  }
  const left = h("section", { class: "panel", "aria-labelledby": "task-h" }, h("h1", { id: "task-h" }, label(task.task_type)), facts);
  if (task.task_type === "assistance_enrollment") left.append(enrollmentBlock(task.details));
  if (task.attempts.length) {
    left.append(h("h2", { class: "gap-top" }, "Call attempts"),
      h("table", { "aria-label": "Call attempts" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "Outcome"), h("th", { scope: "col" }, "By"))),
        h("tbody", {}, ...task.attempts.map((a) => h("tr", {}, h("td", { class: "num" }, when(a.at)), h("td", {}, label(a.outcome)), h("td", {}, a.by || "—"))))));
  }
  if (task.details && task.details.estimate) left.append(h("h2", { class: "gap-top" }, "Estimate"), estimateBlock(task.details.estimate));
  left.append(...discoveryBlock(task)); // issue 26: the payers discovery asked (web/discovery.js)
  const script = task.details && task.details.call_script;
  if (script && script.text) {
    left.append(h("h2", { class: "gap-top" }, `Call script (${language(script.language)})`),
      h("blockquote", { class: "script", lang: script.language }, script.text));
  }
  const actions = h("div", { class: "actions" });
  if (working && task.status === "open") actions.append(h("button", { type: "button", onclick: () => act("claim") }, "Claim"));
  if (working && task.status === "claimed" && task.claimed_by === me) actions.append(h("button", { type: "button", class: "secondary", onclick: () => act("unclaim") }, "Unclaim"));
  if (task.status === "claimed" && auth.can("supervisor")) {
    const to = h("input", { id: "reassign-to", name: "to", autocomplete: "off" });
    actions.append(h("form", { class: "filters", onsubmit: async (e) => {
      e.preventDefault();
      clear(result);
      try { await api.post(path`/tasks/${taskId}/reassign`, { to: to.value.trim() }); say(`${label(task.task_type)}: reassigned`); await route(); } catch (err) { result.append(errorBox(err)); }
    } }, h("label", { for: "reassign-to" }, "Reassign to (user id)", to), h("button", { type: "submit", class: "secondary" }, "Reassign")));
  }
  left.append(actions);

  let right = null;
  if (working) {
    const outcome = h("select", { id: "outcome", name: "outcome", required: true },
      h("option", { value: "" }, "Choose an outcome…"),
      ...task.outcomes.map((o) => h("option", { value: o }, label(o))));
    const note = h("textarea", { id: "note", name: "note", maxlength: "4000" });
    const review = REVIEW_TYPES.has(task.task_type) && referral;
    const fieldInputs = [];
    const extraFields = [];
    const form = h("form", { class: "form", "aria-labelledby": "complete-h", onsubmit: (e) => {
      e.preventDefault();
      const corrections = {};
      for (const input of fieldInputs) if (input.value.trim() !== "" && input.value !== input.dataset.original) corrections[input.name] = input.value.trim();
      for (const [path, value] of extraFields) if (path.value.trim() && value.value.trim()) corrections[path.value.trim()] = value.value.trim();
      act("complete", { outcome: outcome.value, note: note.value || null, corrections: Object.keys(corrections).length ? corrections : null });
    } }, h("h2", { id: "complete-h" }, "Complete"));
    if (task.task_type === "assistance_enrollment") form.append(...enrollmentInputs(task.details, fieldInputs));
    if (review) {
      const fields = correctionFields(referral);
      const source = referral.draft || referral.referral || {};
      if (fields.length) form.append(h("p", { class: "note" }, "Correct or fill in what the machine could not read. Leave a field unchanged to keep it."));
      for (const path of fields) {
        const current = valueAt(source, path);
        const id = `fix-${path.replace(/[^a-z0-9]/gi, "-")}`;
        const input = h("input", { id, name: path, value: current == null ? "" : String(current) });
        input.dataset.original = current == null ? "" : String(current);
        fieldInputs.push(input);
        form.append(h("label", { for: id }, path, input));
      }
      const extra = h("div", { class: "form" });
      let extraCount = 0;
      const addField = () => {
        extraCount += 1;
        const n = extraCount;
        const path = h("input", { id: `extra-path-${n}`, placeholder: "e.g. therapy.hcpcs", autocomplete: "off" });
        const value = h("input", { id: `extra-value-${n}`, autocomplete: "off" });
        extraFields.push([path, value]);
        extra.append(h("div", { class: "row" }, h("label", { for: path.id }, `Other field ${n}`, path), h("label", { for: value.id }, `Value ${n}`, value)));
        path.focus();
      };
      form.append(extra, h("div", {}, h("button", { type: "button", class: "secondary", onclick: addField }, "Add another field")));
      if (task.task_type === "verify_contact" && !fields.includes("patient.phone")) {
        const input = h("input", { id: "fix-patient-phone", name: "patient.phone", value: "" });
        input.dataset.original = "";
        fieldInputs.push(input);
        form.append(h("label", { for: "fix-patient-phone" }, "patient.phone", input));
      }
    }
    form.append(h("label", { for: "outcome" }, "Outcome", outcome), h("label", { for: "note" }, "Note", note));
    const button = h("button", { type: "submit" }, "Complete task");
    if (!mineOrFree) {
      button.disabled = true;
      form.append(h("p", { class: "note", id: "claimed-note" }, `Claimed by ${task.claimed_by}: only they can complete it (or unclaim it).`));
    }
    form.append(h("div", { class: "actions" }, button), result);
    right = h("section", { class: "panel" }, form);
    if (review) right = h("div", {}, right, await originalPanel(task.referral_id));
    if (mineOrFree && task.task_type === "pharmacist_assessment") right = h("div", {}, assessmentForm(api, task, referral, route), right);
  } else {
    left.append(result);
  }
  const docs = await api.get(path`/referrals/${task.referral_id}/documents`).catch(() => null);
  if (docs && docs.documents.length) {
    left.append(h("h2", { class: "gap-top" }, "Documents"), documentList(task.referral_id, docs.documents));
  }
  if (working && task.task_type === "first_visit" && auth.can("nurse")) right = h("div", {}, visitForm(task, api, me, route), right || ""); // web/visit.js
  return h("div", { class: right ? "split" : "" }, left, right || "");
}

// ---------------------------------------------------------------- a referral
function kvTable(obj, depth = 0) {
  if (obj == null) return h("span", { class: "muted" }, "—");
  if (typeof obj !== "object") return h("span", {}, String(obj));
  if (Array.isArray(obj)) {
    if (obj.every((x) => typeof x !== "object")) return h("span", {}, obj.join(", "));
    return h("div", {}, ...obj.slice(0, 20).map((x) => h("div", { class: "panel subpanel" }, kvTable(x, depth + 1))));
  }
  const dl = h("dl", { class: "kv" });
  for (const [k, v] of Object.entries(obj)) {
    if (v == null || (depth > 2 && typeof v === "object")) continue;
    dl.append(h("dt", {}, label(k)), h("dd", {}, kvTable(v, depth + 1)));
  }
  return dl;
}

function estimateBlock(est) {
  if (!est) return h("p", { class: "muted" }, "No estimate yet.");
  const facts = h("dl", { class: "kv" });
  const add = (k, v) => { if (v != null && v !== "") facts.append(h("dt", {}, k), h("dd", {}, v)); };
  add("Version", est.version != null ? `v${est.version}` : null);
  add("Coverage", label(est.coverage));
  add("First infusion", est.per_infusion_patient != null ? money(est.per_infusion_patient) : null);
  add("Most infusions", est.typical_infusion_patient != null ? money(est.typical_infusion_patient) : null);
  add("Whole course", est.course_patient != null ? `${money(est.course_patient)} for ${est.course_infusions} infusions` : null);
  add("Network", est.in_network == null ? null : est.in_network ? "In network" : "Out of network");
  add("Assistance", est.assistance_recommended ? "Recommended" : null);
  add("Confidence", est.confidence ? label(est.confidence) : null);
  add("Why not", est.reason || est.not_possible || null);
  assistanceFacts(est, add);
  const years = Array.isArray(est.plan_years) && est.plan_years.length
    ? h("table", { "aria-label": "Patient cost by plan year", class: "gap-top" },
      h("thead", {}, h("tr", {}, ...["Plan year", "Infusions", "Patient pays"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...est.plan_years.map((y) => h("tr", {}, h("td", { class: "num" }, `${y.start} – ${y.end}`), h("td", { class: "num" }, String(y.infusions)), h("td", { class: "num" }, money(y.patient))))))
    : "";
  return h("div", {}, facts, years);
}

function authBlock(pa) {
  if (!pa) return h("p", { class: "muted" }, "Not assessed yet.");
  const facts = h("dl", { class: "kv" });
  const add = (k, v) => { if (v != null && v !== "") facts.append(h("dt", {}, k), h("dd", {}, v)); };
  const status = pa.status || (pa.required === false ? "not_required" : null);
  const tone = /certified|not_required/.test(status || "") ? "ok" : /denied|rejected/.test(status || "") ? "bad" : "warn";
  add("Required", pa.required == null ? null : pa.required ? "Yes" : "No");
  add("Status", status ? h("span", { class: `badge ${tone}` }, label(status)) : null);
  add("Gate", pa.gate ? label(pa.gate) : null);
  add("Request", pa.auth_id ? `${pa.auth_id}${pa.kind && pa.kind !== "initial" ? ` (${pa.kind})` : ""}` : null);
  add("Certification", pa.certification_number || null);
  add("Effective", pa.effective_from ? `${pa.effective_from} – ${pa.effective_to || "?"}` : null);
  add("Requested", pa.requested_from ? `${pa.requested_from} – ${pa.requested_to || "?"}` : null);
  add("Reason", pa.reason || null);
  return facts;
}

function brief(detail) {
  const parts = [];
  for (const [k, v] of Object.entries(detail || {})) {
    if (k === "task_id") continue;
    if ((typeof v === "string" && !v.startsWith("s3://") && v.length <= 60) || typeof v === "number" || typeof v === "boolean") parts.push(`${label(k).toLowerCase()}: ${v}`);
  }
  return parts.slice(0, 4).join(" · ");
}

function benefitsTable(benefits) {
  const parts = benefits && benefits.cost_share_by_part;
  if (!parts) return kvTable(benefits && (benefits.summary || benefits));
  const rows = Object.entries(parts).map(([part, c]) => {
    const share = c.not_covered ? "Not covered" : [c.copay != null ? `${money(c.copay)} copay` : "", c.coinsurance != null ? `${Math.round(Number(c.coinsurance) * 100)}% coinsurance` : ""].filter(Boolean).join(" + ") || "—";
    const flags = [c.plan_level ? "plan level" : "", c.assumed ? "assumed" : ""].filter(Boolean).join(", ");
    return h("tr", {}, h("th", { scope: "row" }, label(part)), h("td", {}, share), h("td", { class: "muted" }, c.source || ""), h("td", {}, flags));
  });
  const summary = benefits.summary || {};
  const facts = h("dl", { class: "kv gap-top" });
  for (const k of ["payer_name", "plan_name", "coverage_status", "deductible_remaining", "out_of_pocket_remaining", "plan_begin", "plan_end"]) {
    if (summary[k] != null) facts.append(h("dt", {}, label(k)), h("dd", {}, typeof summary[k] === "number" || /^\d+(\.\d+)?$/.test(summary[k]) ? money(summary[k]) : String(summary[k])));
  }
  return h("div", {}, h("table", { "aria-label": "Cost share per part" },
    h("thead", {}, h("tr", {}, ...["Part", "Cost share", "From the 271", ""].map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, ...rows)), facts);
}

async function referralView(referralId) {
  navTo("");
  let r;
  try { r = await api.get(path`/referrals/${referralId}`); } catch (err) { return errorBox(err); }
  const docs = await api.get(path`/referrals/${referralId}/documents`).catch(() => ({ documents: [] }));
  const p = r.referral ? r.referral.patient : (r.draft && r.draft.patient) || null;
  const t = r.referral ? r.referral.therapy : null;
  const head = h("section", { class: "panel" },
    h("h1", {}, p ? `${p.first_name || ""} ${p.last_name || ""}` : "Referral", " ", h("span", { class: "badge" }, label(r.status))),
    h("dl", { class: "kv" },
      h("dt", {}, "Referral"), h("dd", { class: "num" }, r.referral_id),
      h("dt", {}, "Stage"), h("dd", {}, label(r.stage)),
      h("dt", {}, "Received"), h("dd", {}, when(r.uploaded_at)),
      ...(p ? [h("dt", {}, "Date of birth"), h("dd", {}, p.date_of_birth || "—"), h("dt", {}, "Language"), h("dd", {}, language(p.preferred_language))] : []),
      ...(t ? [h("dt", {}, "Therapy"), h("dd", {}, `${t.drug_name} ${t.dose || ""} ${t.frequency || ""}`)] : []),
      ...(r.problems.length ? [h("dt", {}, "Problems"), h("dd", {}, h("ul", {}, ...r.problems.map((x) => h("li", {}, x))))] : [])));
  const tasks = h("section", { class: "panel", "aria-labelledby": "rt-h" }, h("h2", { id: "rt-h" }, "Tasks"),
    h("table", { "aria-label": "Tasks of this referral" },
      h("thead", {}, h("tr", {}, ...["Task", "Status", "Due", "Outcome", "Attempts"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...r.tasks.map((x) => h("tr", {},
        h("td", {}, h("a", { href: path`#/task/${x.task_id}` }, label(x.task_type))),
        h("td", {}, label(x.status), x.claimed_by ? ` (${x.claimed_by})` : ""),
        h("td", { class: "num" }, when(x.due_at)), h("td", {}, x.outcome ? label(x.outcome) : "—"),
        h("td", { class: "num" }, x.attempts.map((a) => label(a.outcome)).join(", ") || "—"))))));
  const money = h("section", { class: "panel", "aria-labelledby": "est-h" }, h("h2", { id: "est-h" }, "Estimate"), estimateBlock(r.estimate));
  const benefits = h("section", { class: "panel", "aria-labelledby": "ben-h" }, h("h2", { id: "ben-h" }, "Benefits per part"), benefitsTable(r.benefits));
  const auth_ = h("section", { class: "panel", "aria-labelledby": "pa-h" }, h("h2", { id: "pa-h" }, "Prior authorization"), authBlock(r.prior_auth),
    h("h2", { class: "gap-top" }, "Documents"), documentList(referralId, docs.documents));
  const timeline = h("section", { class: "panel", "aria-labelledby": "tl-h" }, h("h2", { id: "tl-h" }, "Timeline"),
    h("table", { "aria-label": "Timeline" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "Event"), h("th", { scope: "col" }, "Detail"), h("th", { scope: "col" }, "By"))),
      h("tbody", {}, ...r.timeline.map((e) => h("tr", {}, h("td", { class: "num" }, when(e.at, true)), h("td", {}, label(e.event)), h("td", { class: "muted" }, brief(e.detail)), h("td", {}, e.actor))))));
  // Whatever else the API reports about a referral (a dose calendar, call attempts…) is shown
  // as it comes, so capabilities landing later appear without a change here.
  const known = new Set(["referral_id", "status", "stage", "referral", "problems", "draft", "fields_missing", "source_key", "quarantine_key", "uploaded_at", "benefits", "estimate", "prior_auth", "linked_to", "documents", "timeline", "tasks"]);
  const more = Object.entries(r).filter(([k, v]) => !known.has(k) && v != null && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => h("section", { class: "panel", "aria-label": label(k) }, h("h2", {}, label(k)), kvTable(v)));
  more.unshift(await assessmentSection(api, referralId));
  const visits = await visitsPanel(referralId, api); // web/visit.js
  return h("div", {}, head, h("div", { class: "grid" }, tasks, auth_), h("div", { class: "grid" }, benefits, money), ...more, clinicPanel(api, referralId), visits || "", timeline);
}

// ---------------------------------------------------------------- search
function searchView() {
  navTo("search");
  const results = h("div", { "aria-live": "polite" });
  const f = (id, text, attrs = {}) => { const i = h("input", { id, name: id, ...attrs }); return [i, h("label", { for: id }, text, i)]; };
  const [last, lastL] = f("s-last", "Last name", { autocomplete: "off" });
  const [first, firstL] = f("s-first", "First name (optional)", { autocomplete: "off" });
  const [dob, dobL] = f("s-dob", "Date of birth", { type: "date" });
  const [rid, ridL] = f("s-id", "or referral id", { autocomplete: "off" });
  const form = h("form", { class: "filters", role: "search", onsubmit: async (e) => {
    e.preventDefault();
    clear(results);
    const q = new URLSearchParams();
    if (rid.value.trim()) q.set("referral_id", rid.value.trim());
    else { q.set("last_name", last.value.trim()); q.set("dob", dob.value); if (first.value.trim()) q.set("first_name", first.value.trim()); }
    try {
      const data = await api.get(`/search?${q}`);
      if (!data.count) { results.append(h("p", { class: "empty" }, "No referral matches.")); return; }
      results.append(h("table", { "aria-label": "Search results" },
        h("thead", {}, h("tr", {}, ...["Patient", "Date of birth", "Drug", "Status", "Received"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, ...data.results.map((x) => h("tr", {},
          h("td", {}, h("a", { href: path`#/referral/${x.referral_id}` }, `${x.first_name || ""} ${x.last_name || "(unread)"}`)),
          h("td", { class: "num" }, x.date_of_birth || "—"), h("td", {}, x.drug || "—"),
          h("td", {}, label(x.status)), h("td", { class: "num" }, when(x.uploaded_at)))))));
    } catch (err) { results.append(errorBox(err)); }
  } }, lastL, firstL, dobL, ridL, h("button", { type: "submit" }, "Search"));
  return h("section", {}, h("h1", {}, "Find a referral"), h("p", { class: "note" }, "Every search is recorded with your name."), h("div", { class: "panel" }, form), results);
}

// ---------------------------------------------------------------- the PHI access log (compliance)
async function accessLogView() {
  navTo("access-log");
  const day = h("input", { id: "log-day", type: "date", value: new Date().toISOString().slice(0, 10) });
  const rows = h("tbody", {});
  const more = h("div", {});
  async function load(next) {
    if (!next) clear(rows);
    clear(more);
    const q = new URLSearchParams({ day: day.value });
    if (next) q.set("next", next);
    try {
      const data = await api.get(`/access-log?${q}`);
      for (const e of data.entries) rows.append(h("tr", {}, h("td", { class: "num" }, when(e.at, true)), h("td", {}, e.user),
        h("td", {}, e.action), h("td", { class: "num" }, e.referral_ids.join(", ") || "—"), h("td", {}, e.source_ip || "—")));
      if (data.next) more.append(h("button", { type: "button", class: "secondary", onclick: () => load(data.next) }, "More"));
    } catch (err) { more.append(errorBox(err)); }
  }
  day.addEventListener("change", () => load(null));
  const section = h("section", {}, h("h1", {}, "Access log"),
    h("div", { class: "filters" }, h("label", { for: "log-day" }, "Day", day)),
    h("table", { "aria-label": "Reads of patient data" },
      h("thead", {}, h("tr", {}, ...["When", "User", "What", "Referrals", "From"].map((c) => h("th", { scope: "col" }, c)))), rows), more);
  await load(null);
  return section;
}

// ---------------------------------------------------------------- routing
async function route() {
  const hash = location.hash || home();
  if (!auth.liaison() && !hash.startsWith("#/signin")) { location.hash = "#/signin"; return; }
  const [, page, arg] = hash.split("/");
  if (page !== "board") stopPolling();
  let view;
  try {
    if (page === "signin") view = signInView();
    else if (page === "task") view = await taskView(decodeURIComponent(arg));
    else if (page === "referral") view = await referralView(decodeURIComponent(arg));
    else if (page === "search") view = searchView();
    else if (page === "access-log") view = await accessLogView();
    else if (page === "directory") view = await directoryView(api, auth, say);
    else if (!auth.can(...STAFF)) view = h("p", { class: "note" }, "Your role reads no patient data.");
    else view = await boardView();
  } catch (err) { view = errorBox(err); }
  clear(main);
  main.append(view);
  document.title = `${main.querySelector("h1")?.textContent || "Workspace"} · Infusion intake`;
}

async function start() {
  config = await (await fetch("config.json")).json();
  await auth.init(config);
  api = new Api(config.apiUrl || "..", auth);
  showWho();
  window.addEventListener("hashchange", () => { say(""); route().then(() => main.focus()); });
  await route();
}

start();
