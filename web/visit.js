// The nurse's first visit on the board: the visit form on a first_visit task, and the visit
// records on the referral page. Plain ES module, hooked into app.js (one line each).
import { h, clear, when, label } from "./dom.js";
import { ApiError, path } from "./api.js";

const TEACHING = [["basics", "The basics"], ["drug_and_supplies", "Drug and supplies"], ["storage_and_handling", "Storage and handling"], ["side_effects", "Side effects"]];
const HOME = [["refrigeration_ok", "Refrigeration adequate"], ["caregiver_present", "Caregiver present"], ["clean_work_area", "Clean work area"], ["emergency_plan_reviewed", "Emergency plan reviewed"]];
const VITALS = [["temperature_c", "Temp (°C)", "0.1"], ["pulse_bpm", "Pulse (/min)", "1"], ["respirations_per_min", "Resp (/min)", "1"], ["systolic_mmhg", "Systolic (mmHg)", "1"], ["diastolic_mmhg", "Diastolic (mmHg)", "1"], ["spo2_percent", "SpO2 (%)", "1"]];

function field(id, text, attrs = {}) {
  const input = h("input", { id, name: id, ...attrs });
  return [input, h("label", { for: id }, text, input)];
}

function iso(local) { return local ? new Date(local).toISOString() : null; }

// The visit form of an open first_visit task. ``done`` runs after the visit is documented.
export function visitForm(task, api, me, done) {
  const d = task.details || {};
  const result = h("div", { "aria-live": "polite" });
  const day = d.day || new Date().toISOString().slice(0, 10);
  const startAt = d.window ? d.window.split("-")[0] : "10:00";
  const [start, startLabel] = field("v-start", "Visit start", { type: "datetime-local", required: true, value: `${day}T${startAt}` });
  const [stop, stopLabel] = field("v-stop", "Visit stop", { type: "datetime-local", required: true });
  const vitals = VITALS.map(([k, text, step]) => field(`v-${k}`, text, { type: "number", step, inputmode: "decimal" }));
  const [product, productLabel] = field("v-product", "Product given", { maxlength: "120" });
  const [lot, lotLabel] = field("v-lot", "Lot", { maxlength: "40" });
  const [expiry, expiryLabel] = field("v-expiry", "Expiry", { type: "date" });
  const [signs, signsLabel] = field("v-reaction", "Reaction (signs), if any", { maxlength: "500" });
  const severity = h("select", { id: "v-severity" }, ...["mild", "moderate", "severe"].map((s) => h("option", { value: s }, label(s))));
  const rate = h("select", { id: "v-rate" }, ...["none", "slowed", "paused", "stopped"].map((s) => h("option", { value: s }, label(s))));
  const actions = h("textarea", { id: "v-actions", maxlength: "2000", placeholder: "What was done, one step a line" });
  const [resolved, resolvedLabel] = field("v-resolved", "Resolved", { type: "checkbox" });
  const teaching = TEACHING.map(([k, text]) => field(`v-teach-${k}`, text, { type: "checkbox" }));
  const home = HOME.map(([k, text]) => field(`v-home-${k}`, text, { type: "checkbox" }));
  const [next, nextLabel] = field("v-next", "Next visit", { type: "date" });
  const note = h("textarea", { id: "v-note", maxlength: "2000" });

  async function submit(e) {
    e.preventDefault();
    clear(result);
    const taken = { at: iso(start.value) };
    VITALS.forEach(([k], i) => { if (vitals[i][0].value !== "") taken[k] = Number(vitals[i][0].value); });
    const body = {
      liaison: me,
      started_at: iso(start.value),
      ended_at: iso(stop.value),
      vitals: [taken],
      given: product.value.trim() ? [{ product: product.value.trim(), lot: lot.value.trim(), expiry: expiry.value }] : [],
      reactions: signs.value.trim() ? [{ at: iso(start.value), signs: signs.value.trim(), severity: severity.value, rate_action: rate.value,
        actions: actions.value.split("\n").map((x) => x.trim()).filter(Boolean), resolved: resolved.checked }] : [],
      teaching: Object.fromEntries(TEACHING.map(([k], i) => [k, teaching[i][0].checked])),
      home: Object.fromEntries(HOME.map(([k], i) => [k, home[i][0].checked])),
      next_visit: next.value || null,
      note: note.value || null,
    };
    try {
      const out = await api.post(path`/tasks/${task.task_id}/visit`, body);
      result.append(h("p", { class: "ok", role: "status" }, `Visit documented: ${out.visit.record.visit_minutes} min, ${units(out.visit.record.nursing_units)}`));
      await done();
    } catch (err) {
      result.append(h("p", { class: "error", role: "alert" }, err instanceof ApiError ? err.message : String(err)));
    }
  }

  const booked = d.booked
    ? `${d.nurse}${d.agency ? ` (${d.agency})` : ""} on ${d.day}${d.window ? `, ${d.window}` : ""}`
    : `Not booked with a roster nurse: ${d.not_booked || "book by hand"}`;
  return h("section", { class: "panel", "aria-labelledby": "visit-h" },
    h("h2", { id: "visit-h" }, "Document the visit"),
    h("p", { class: "note", id: "visit-booked" }, booked, d.ship_by ? ` · delivery ships by ${d.ship_by}` : ""),
    h("form", { class: "form", id: "visit-form", onsubmit: submit },
      h("div", { class: "row" }, startLabel, stopLabel),
      h("fieldset", {}, h("legend", {}, "Vitals"), h("div", { class: "row" }, ...vitals.map(([, l]) => l))),
      h("fieldset", {}, h("legend", {}, "Given"), h("div", { class: "row" }, productLabel, lotLabel, expiryLabel)),
      h("fieldset", {}, h("legend", {}, "Reaction"), signsLabel,
        h("div", { class: "row" }, h("label", { for: "v-severity" }, "Severity", severity), h("label", { for: "v-rate" }, "Infusion rate", rate), resolvedLabel),
        h("label", { for: "v-actions" }, "What was done", actions)),
      h("fieldset", {}, h("legend", {}, "Teaching completed"), ...teaching.map(([, l]) => l)),
      h("fieldset", {}, h("legend", {}, "Home assessment"), ...home.map(([, l]) => l)),
      nextLabel, h("label", { for: "v-note" }, "Note", note),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Document visit")), result));
}

function units(u) { return Object.entries(u || {}).map(([code, n]) => `${code} x${n}`).join(", ") || "no units"; }

// The referral's visits: booked, missed, documented with their record.
export async function visitsPanel(referralId, api) {
  const panel = h("section", { class: "panel", "aria-labelledby": "visits-h" }, h("h2", { id: "visits-h" }, "Nurse visits"));
  let data;
  try { data = await api.get(path`/referrals/${referralId}/visits`); } catch (err) { return null; }
  if (!data.visits.length) return null;
  for (const v of data.visits) {
    const r = v.record;
    const dl = h("dl", { class: "kv", "data-visit": v.visit_id },
      h("dt", {}, "Visit"), h("dd", {}, `${v.day || "no date"} · ${label(v.status)}${v.nurse ? ` · ${v.nurse.name}` : ""}`));
    if (v.ship_by) dl.append(h("dt", {}, "Delivery ships by"), h("dd", {}, v.ship_by));
    if (v.not_booked) dl.append(h("dt", {}, "Not booked"), h("dd", {}, v.not_booked));
    if (r) {
      dl.append(h("dt", {}, "Time"), h("dd", {}, `${when(r.started_at)} – ${when(r.ended_at)} (${r.visit_minutes} min)`),
        h("dt", {}, "Nursing units"), h("dd", { class: "visit-units" }, units(r.nursing_units)),
        h("dt", {}, "Given"), h("dd", {}, r.given.map((g) => `${g.product} lot ${g.lot} exp ${g.expiry}`).join("; ") || "—"),
        h("dt", {}, "Reactions"), h("dd", { class: "visit-reactions" }, r.reactions.length
          ? h("ul", {}, ...r.reactions.map((x) => h("li", {}, `${label(x.severity)}: ${x.signs}; rate ${x.rate_action}; ${x.actions.join("; ")}${x.resolved ? " (resolved)" : ""}`)))
          : "None"),
        h("dt", {}, "Teaching not done"), h("dd", {}, r.teaching_missing.map(label).join(", ") || "—"),
        h("dt", {}, "Next visit"), h("dd", {}, r.next_visit || "—"));
    }
    panel.append(dl);
  }
  return panel;
}
