// Insurance discovery on a task (issue 26): every payer asked, the search sent, each answer
// and its AAA codes, and the budget. Text only (h() sets textContent): payer names come from data.
import { h, label } from "./dom.js";

export function discoveryBlock(task) {
  const d = task.details || {};
  if (!Array.isArray(d.tried)) return [];
  const spent = `${d.spent} of ${d.budget} paid inquiries${d.budget_exhausted ? " (budget spent)" : ""}`;
  const rows = d.tried.map((t) => h("tr", {},
    h("td", {}, t.payer_name || t.payer_id),
    h("td", {}, (t.search || []).map(label).join(", ") || "—"),
    h("td", {}, label(t.answer)),
    h("td", { class: "num" }, (t.aaa || []).join(", ") || "—"),
    h("td", {}, t.paid ? "yes" : "no"),
    h("td", {}, t.note || "")));
  const out = [h("h2", { class: "gap-top" }, "Payers asked"), h("p", {}, spent),
    h("table", { "aria-label": "Payers asked" },
      h("thead", {}, h("tr", {}, ...["Payer", "Search", "Answer", "AAA", "Paid", "Note"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...rows))];
  if (Array.isArray(d.not_tried) && d.not_tried.length) out.push(h("p", {}, `Not asked (budget): ${d.not_tried.join(", ")}`));
  return out;
}
