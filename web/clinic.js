// The referring clinic's statuses on the referral page (issue 25: the clinic kept informed).
// Hooked into app.js's referral view with one line; fills itself when the API answers.
import { h, clear, when, label } from "./dom.js";
import { path } from "./api.js";

function row(s) {
  const how = s.channel ? `${label(s.state)} (${s.channel})` : label(s.state);
  const why = s.reason || s.note_reason;
  const note = s.note_state ? `visit note: ${label(s.note_state)}` : "";
  return h("tr", { "data-clinic-status": s.key },
    h("td", { class: "num" }, when(s.at, true)),
    h("td", {}, label(s.milestone)),
    h("td", {}, s.wording),
    h("td", {}, how, why ? h("div", { class: "muted" }, why) : "", note ? h("div", { class: "muted" }, note) : ""));
}

// A panel listing every status the clinic was sent (or is due), oldest first.
export function clinicPanel(api, referralId) {
  const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const panel = h("section", { class: "panel", "aria-labelledby": "clinic-h" }, h("h2", { id: "clinic-h" }, "Clinic statuses"), body);
  api.get(path`/referrals/${referralId}/clinic-statuses`).then((reply) => {
    clear(body);
    if (!reply.statuses.length) { body.append(h("p", { class: "muted" }, "No status sent to the clinic yet.")); return; }
    body.append(h("table", { "aria-label": "Statuses sent to the referring clinic" },
      h("thead", {}, h("tr", {}, ...["When", "Milestone", "What the clinic reads", "Sent"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...reply.statuses.map(row))));
  }).catch(() => { clear(body); body.append(h("p", { class: "muted" }, "The clinic statuses could not be loaded.")); });
  return panel;
}
