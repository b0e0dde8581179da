// Financial assistance on the board (issue 26): the program on an estimate (enrolled with its
// number, or projected), the enrollment task's programs (what each requires, why others were
// refused) and the fields its "enrolled" outcome records. Imported by app.js with one hook
// each; nothing here talks to the API.
import { h, label, money } from "./dom.js";

/** Rows for the estimate block: the program applied and what the patient owes after it. */
export function assistanceFacts(est, add) {
  if (!est || !est.assistance_program) return;
  const status = est.assistance_status === "enrolled"
    ? `Enrolled${est.assistance_enrollment_id ? ` (${est.assistance_enrollment_id})` : ""}`
    : "Projected: not enrolled yet";
  add("Program", `${est.assistance_program} · ${status}`);
  add("After the program", est.patient_after_assistance != null ? money(est.patient_after_assistance) : null);
  add("Program maximum runs out", est.assistance_runs_out_on || null);
}

function programList(title, items) {
  if (!items || !items.length) return "";
  return h("div", { class: "gap-top" }, h("h3", {}, title), h("ul", {}, ...items.map((p) =>
    h("li", {}, h("strong", {}, p.name), ` · ${label(p.status)}`,
      p.reasons && p.reasons.length ? h("div", { class: "muted" }, p.reasons.join("; ")) : "",
      p.requires && p.requires.length ? h("ul", {}, ...p.requires.map((r) => h("li", {}, r))) : ""))));
}

/** The enrollment task's programs: offered (with what enrolling requires) and refused. */
export function enrollmentBlock(details) {
  if (!details) return "";
  return h("div", { class: "gap-top", "aria-label": "Assistance programs" },
    programList("Programs to enroll in", details.offered), programList("Not eligible", details.refused));
}

/** The "enrolled" outcome's fields (corrections), registered with the completion form. */
export function enrollmentInputs(details, fieldInputs) {
  const offered = (details && details.offered) || [];
  const program = h("select", { id: "enroll-program", name: "program_id" },
    h("option", { value: "" }, "Choose the program…"), ...offered.map((p) => h("option", { value: p.program_id }, p.name)));
  const field = (name, text, attrs = {}) => {
    const input = h("input", { id: `enroll-${name}`, name, autocomplete: "off", ...attrs });
    return [input, h("label", { for: input.id }, text, input)];
  };
  const rows = [
    [program, h("label", { for: program.id }, "Program", program)],
    field("enrollment_id", "Program's enrollment id"),
    field("annual_maximum", "Award (foundation grant), $", { inputmode: "decimal" }),
    field("household_size", "Household size (as stated)", { inputmode: "numeric" }),
    field("annual_income", "Household yearly income (as stated), $", { inputmode: "decimal" }),
  ];
  for (const [input] of rows) { input.dataset.original = ""; fieldInputs.push(input); }
  return [h("p", { class: "note" }, "Enrolled: record the program and its enrollment id (income only as the patient stated it)."), ...rows.map(([, el]) => el)];
}
