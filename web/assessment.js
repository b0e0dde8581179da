// The pharmacist's initial assessment (issue 25): the form on a pharmacist_assessment task, and
// the latest assessment (with every version) on the referral page. Hooked into app.js.
// Unknown is an answer: a list left "not asked" is sent as absent, "none" as an empty list.
import { h, when, label } from "./dom.js";
import { path } from "./api.js";

const KNOWN = [["unknown", "Not asked / unknown"], ["yes", "Yes"], ["no", "No"]];
const LISTS = [
  ["conditions", "Diagnoses and history", "one a line: name | ICD-10 code"],
  ["allergies", "Allergies", "one a line: substance | reaction | severity (mild, moderate, severe, anaphylaxis, unknown)"],
  ["medicines", "Current medicines", "one a line: name | dose"],
  ["prior_infusions", "Prior infusions", "one a line: drug | reaction | severity | last given (YYYY-MM-DD)"],
  ["labs", "Labs", "one a line: test | done on (YYYY-MM-DD) | result"],
];
const ROW = {
  conditions: ([name, icd10]) => ({ name, icd10: icd10 || null }),
  allergies: ([substance, reaction, severity]) => ({ substance, reaction: reaction || null, severity: severity || "unknown" }),
  medicines: ([name, dose]) => ({ name, dose: dose || null }),
  prior_infusions: ([drug, reaction, severity, last]) => ({ drug, reaction: reaction || null, reaction_severity: severity || (reaction ? "unknown" : null), last_given: last || null }),
  labs: ([name, done, result]) => ({ name, done_on: done || null, result: result || null }),
};

function select(id, options, value) {
  return h("select", { id, name: id }, ...options.map(([v, text]) => h("option", { value: v, ...(v === value ? { selected: "" } : {}) }, text)));
}

function number(id, attrs = {}) { return h("input", { id, name: id, type: "number", step: "any", ...attrs }); }

/** The assessment form for a pharmacist_assessment task the caller may work, or null. */
export function assessmentForm(api, task, referral, done) {
  if (task.task_type !== "pharmacist_assessment") return null;
  const patient = referral && referral.referral ? referral.referral.patient : {};
  const inputs = {};
  const result = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "form", id: "assessment-form", "aria-labelledby": "assess-h", onsubmit: async (e) => {
    e.preventDefault();
    result.replaceChildren();
    try {
      const record = await api.post(path`/tasks/${task.task_id}/assessment`, { assessment: collect(inputs), note: inputs.note.value || null });
      result.append(h("p", { class: "note", role: "status" }, `Assessment version ${record.version} recorded`));
      await done();
    } catch (err) {
      result.append(h("p", { class: "error", role: "alert" }, err.message || String(err)));
    }
  } }, h("h2", { id: "assess-h" }, "Assessment"), h("p", { class: "note" }, "Leave a list “not asked” unless the patient answered; “none” is the patient's answer."));
  for (const [key, title, hint] of LISTS) {
    inputs[`${key}-status`] = select(`${key}-status`, [["not_asked", "Not asked"], ["none", "None reported"], ["listed", "As listed"]], "not_asked");
    inputs[key] = h("textarea", { id: key, name: key, rows: "2", placeholder: hint, "aria-describedby": `${key}-hint` });
    form.append(h("fieldset", {}, h("legend", {}, title),
      h("label", { for: `${key}-status` }, "Answer", inputs[`${key}-status`]),
      h("label", { for: key }, "Entries", inputs[key]), h("span", { id: `${key}-hint`, class: "muted" }, hint)));
  }
  inputs.history = h("textarea", { id: "history", name: "history", rows: "2" });
  inputs.access = select("access", [["unknown", "Not known"], ["peripheral", "Peripheral"], ["midline", "Midline"], ["picc", "PICC"], ["port", "Port"], ["none", "None yet"]], "unknown");
  inputs.placed_by = h("input", { id: "placed_by", name: "placed_by", autocomplete: "off" });
  inputs.placed_on = h("input", { id: "placed_on", name: "placed_on", type: "date" });
  inputs.weight_kg = number("weight_kg", { min: "0.1", max: "499", value: patient && patient.weight_kg != null ? String(patient.weight_kg) : "" });
  inputs.height_cm = number("height_cm", { min: "21", max: "274", value: patient && patient.height_cm != null ? String(patient.height_cm) : "" });
  inputs.refrigeration = select("refrigeration", KNOWN, "unknown");
  inputs.caregiver = select("caregiver", KNOWN, "unknown");
  inputs.someone_present_after = select("someone_present_after", KNOWN, "unknown");
  inputs.present_during_infusion = h("input", { id: "present_during_infusion", name: "present_during_infusion", autocomplete: "off" });
  inputs.minutes_to_emergency_care = number("minutes_to_emergency_care", { min: "0", max: "1440", step: "1" });
  inputs.note = h("textarea", { id: "assessment-note", name: "note", maxlength: "2000" });
  form.append(
    h("label", { for: "history" }, "History (free text)", inputs.history),
    h("fieldset", {}, h("legend", {}, "Vascular access"),
      h("label", { for: "access" }, "Access", inputs.access), h("label", { for: "placed_by" }, "Placed by", inputs.placed_by), h("label", { for: "placed_on" }, "Placed on", inputs.placed_on)),
    h("fieldset", {}, h("legend", {}, "Body"),
      h("label", { for: "weight_kg" }, "Weight (kg)", inputs.weight_kg), h("label", { for: "height_cm" }, "Height (cm)", inputs.height_cm)),
    h("fieldset", {}, h("legend", {}, "Home"),
      h("label", { for: "refrigeration" }, "Working refrigerator", inputs.refrigeration),
      h("label", { for: "caregiver" }, "Caregiver", inputs.caregiver),
      h("label", { for: "someone_present_after" }, "Someone present after the infusion", inputs.someone_present_after),
      h("label", { for: "present_during_infusion" }, "Who is present during the infusion", inputs.present_during_infusion),
      h("label", { for: "minutes_to_emergency_care" }, "Minutes to emergency care", inputs.minutes_to_emergency_care)),
    h("label", { for: "assessment-note" }, "Note", inputs.note),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Record assessment")), result);
  return h("section", { class: "panel" }, form);
}

function collect(inputs) {
  const out = {};
  for (const [key] of LISTS) {
    const status = inputs[`${key}-status`].value;
    if (status === "not_asked") continue;
    const lines = status === "none" ? [] : inputs[key].value.split("\n").map((l) => l.trim()).filter(Boolean);
    out[key] = lines.map((l) => ROW[key](l.split("|").map((x) => x.trim())));
  }
  if (inputs.history.value.trim()) out.history = inputs.history.value.trim();
  out.access = { kind: inputs.access.value, placed_by: inputs.placed_by.value.trim() || null, placed_on: inputs.placed_on.value || null };
  for (const k of ["weight_kg", "height_cm"]) if (inputs[k].value !== "") out[k] = Number(inputs[k].value);
  out.home = {
    refrigeration: inputs.refrigeration.value, caregiver: inputs.caregiver.value, someone_present_after: inputs.someone_present_after.value,
    present_during_infusion: inputs.present_during_infusion.value.trim() || null,
    minutes_to_emergency_care: inputs.minutes_to_emergency_care.value === "" ? null : Number(inputs.minutes_to_emergency_care.value),
  };
  return out;
}

function list(items, render) {
  return items.length ? h("ul", {}, ...items.map((x) => h("li", {}, render(x)))) : h("span", { class: "muted" }, "none");
}

/** The referral's latest assessment with its decisions and sources, and every version. */
export async function assessmentSection(api, referralId) {
  const history = await api.get(path`/referrals/${referralId}/assessments`).catch(() => null);
  if (!history || !history.assessments.length) return "";
  const latest = history.assessments[history.assessments.length - 1];
  const d = latest.decisions;
  const source = (s) => [s.title, s.section, s.revised].filter(Boolean).join(", ");
  return h("section", { class: "panel", "aria-labelledby": "as-h", id: "assessment" },
    h("h2", { id: "as-h" }, `Pharmacist assessment (version ${latest.version})`),
    h("dl", { class: "kv" },
      h("dt", {}, "Recorded"), h("dd", {}, `${when(latest.recorded_at)} by ${latest.recorded_by}`),
      h("dt", {}, "Confidence"), h("dd", {}, label(d.confidence)),
      h("dt", {}, "Conflicts"), h("dd", { id: "assessment-conflicts" }, list(d.conflicts, (c) => `${label(c.kind)}: ${c.what}: ${c.why} (${source(c.source)}${c.label_section ? `; section ${c.label_section}` : ""})`)),
      h("dt", {}, "Site of care"), h("dd", { id: "assessment-site" }, `${label(d.site.site)} (recommended: ${label(d.site.recommendation)})`, d.site.reasons.length ? `: ${d.site.reasons.join("; ")}` : "", d.site.sources.length ? ` [${d.site.sources.join("; ")}]` : ""),
      h("dt", {}, "For the pharmacist"), h("dd", { id: "assessment-review" }, list(d.site.review, (x) => x)),
      h("dt", {}, "Premedication"), h("dd", {}, d.first_dose.premedication || "none in the label record"),
      h("dt", {}, "Observation"), h("dd", {}, d.first_dose.observation || "none in the label record"),
      h("dt", {}, "Pump and supplies"), h("dd", {}, list(d.supplies.items, (x) => x)),
      h("dt", {}, "Labs"), h("dd", { id: "assessment-labs" }, list(d.labs, (x) => `${x.name}: ${x.status === "order" ? "order from the prescriber" : `on file (${x.done_on})`}; ${x.when}${x.threshold ? `; ${x.threshold}` : ""}`)),
      h("dt", {}, "Not known"), h("dd", { id: "assessment-unknowns" }, list(d.unknowns, (x) => x)),
      h("dt", {}, "Versions"), h("dd", {}, list(history.assessments, (v) => `v${v.version} ${when(v.recorded_at)} by ${v.recorded_by}`))));
}
