// The payer directory page (#/directory): search payers by id, name or alias; see a payer's
// plans, contracts, policies and routes; see which policy applies to a referral's payer and
// drug; and, for pharmacists and supervisors, upload the CSV files, roll back and export.
import { h, clear, when, label } from "./dom.js";
import { path } from "./api.js";

const EDITORS = ["pharmacist", "supervisor"];

function table(caption, columns, rows) {
  return h("table", { "aria-label": caption },
    h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c ?? "—"))))));
}

function problemBox(err) {
  return h("p", { class: "error", role: "alert" }, err.message || String(err));
}

function payerDetail(p) {
  const facts = h("dl", { class: "kv" });
  const add = (k, v) => { if (v != null && v !== "") facts.append(h("dt", {}, k), h("dd", {}, v)); };
  add("Payer id", p.payer_id);
  add("Plan type", label(p.plan_type));
  add("States", (p.states || []).join(", ") || "not stated");
  add("Medicare jurisdiction", p.medicare_jurisdiction);
  add("Answers a 270 without member id", label(p.demographic_270));
  add("Aliases", (p.aliases || []).join("; "));
  add("Clearinghouse ids", Object.entries(p.clearinghouse_ids || {}).map(([k, v]) => `${k}: ${v}`).join("; "));
  add("PBM", p.pbm);
  add("Source", p.source);
  const contracts = (p.contracts || []).map((c) => [c.plan_key || "all plans", c.in_network == null ? "as payer" : c.in_network ? "In network" : "Out of network",
    c.schedule, `${c.effective_from} – ${c.effective_to || "open"}`, String(Object.keys(c.rates || {}).length)]);
  const policies = Object.entries(p.policies || {}).map(([drug, pol]) => [drug, pol.required ? "Required" : "Not required",
    (pol.documentation || []).join("; "), pol.policy, pol.source, pol.as_of]);
  const plans = (p.plans || []).map((pl) => [pl.plan_key, pl.plan_name, pl.product, label(pl.copay_assistance_policy)]);
  const routes = (p.routes || []).map((r) => [label(r.channel), r.value, r.drug || "every drug"]);
  return h("section", { class: "panel", "aria-labelledby": "payer-h" }, h("h2", { id: "payer-h" }, p.name), facts,
    h("h3", {}, "Plans"), table("Plans", ["Key", "Name", "Product", "Copay assistance"], plans),
    h("h3", {}, "Contracts"), table("Contracts", ["Plan", "Network", "Schedule", "Effective", "Rates"], contracts),
    h("h3", {}, "Prior-authorization policies"), table("Policies", ["Drug", "Authorization", "Documentation", "Policy", "Source", "As of"], policies),
    h("h3", {}, "Where requests go"), table("Routes", ["Channel", "Value", "For"], routes));
}

function searchPanel(api, show) {
  const q = h("input", { id: "dir-q", name: "q", autocomplete: "off", placeholder: "SBX01, BCBS TX, Blue Cross…" });
  const out = h("div", { id: "dir-results" });
  const form = h("form", { class: "form", role: "search", onsubmit: async (e) => {
    e.preventDefault();
    clear(out);
    try {
      const found = await api.get(`/directory/payers?q=${encodeURIComponent(q.value.trim())}`);
      const head = found.status === "resolved" ? `Found by ${found.how}` :
        found.status === "ambiguous" ? `Several payers fit (${found.reason}): choose one` : `No payer: ${found.reason}`;
      out.append(h("p", { class: found.status === "resolved" ? "note" : "warn" }, head),
        h("ul", {}, ...found.payers.map((p) => h("li", {}, h("button", { type: "button", class: "link", onclick: () => show(p.payer_id) },
          `${p.name} (${p.payer_id}, ${label(p.plan_type)})`)))));
      if (found.status === "resolved" && found.payers.length === 1) await show(found.payers[0].payer_id);
    } catch (err) { out.append(problemBox(err)); }
  } }, h("label", { for: "dir-q" }, "Payer id, name or alias", q), h("button", { type: "submit" }, "Search"));
  return h("section", { class: "panel" }, h("h2", {}, "Find a payer"), form, out);
}

function decidedPanel(api) {
  const id = h("input", { id: "dir-referral", name: "referral", autocomplete: "off" });
  const out = h("div", { id: "dir-decided" });
  const form = h("form", { class: "form", onsubmit: async (e) => {
    e.preventDefault();
    clear(out);
    try {
      const r = await api.get(path`/referrals/${id.value.trim()}`);
      const payerId = r.referral?.insurance?.payer_id;
      const drug = r.referral?.therapy?.hcpcs || r.referral?.therapy?.ndc;
      const facts = h("dl", { class: "kv" });
      const add = (k, v) => facts.append(h("dt", {}, k), h("dd", {}, v ?? "—"));
      add("Payer", payerId);
      add("Drug", drug);
      add("Decision recorded", r.prior_auth ? `${r.prior_auth.required ? "required" : "not required"}${r.prior_auth.policy ? ` — ${r.prior_auth.policy}` : ""}` : "not assessed yet");
      const payer = payerId ? await api.get(path`/directory/payers/${payerId}`).catch(() => null) : null;
      const policy = payer && drug ? payer.policies?.[drug] : null;
      if (!payer) add("Directory", "this payer is not in the directory: policy unknown, authorization assumed required");
      else if (!policy) add("Directory policy", `none for ${drug} at ${payer.name}: policy unknown, authorization assumed required`);
      else {
        add("Directory policy", `${policy.required ? "Authorization required" : "No authorization"}${policy.policy ? ` (${policy.policy})` : ""}`);
        add("Source", `${policy.source}, as of ${policy.as_of}`);
        add("Reviewer asks for", (policy.documentation || []).join("; ") || "—");
      }
      out.append(facts);
    } catch (err) { out.append(problemBox(err)); }
  } }, h("label", { for: "dir-referral" }, "Referral id", id), h("button", { type: "submit" }, "Show the policy"));
  return h("section", { class: "panel" }, h("h2", {}, "Which policy decided a referral"), form, out);
}

function download(name, text) {
  const a = h("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })), download: name }, name);
  return a;
}

async function versionsPanel(api, canEdit, reload) {
  const listed = await api.get("/directory/versions");
  const rows = listed.versions.map((v) => [v.version === listed.current ? `${v.version} (current)` : v.version, when(v.imported_at), v.imported_by,
    `${v.counts.payers} payers, ${v.counts.plans} plans, ${v.counts.pa_policies} policies`, v.checksum.slice(0, 12),
    canEdit && v.version !== listed.current ? h("button", { type: "button", onclick: async () => {
      try { await api.post("/directory/rollback", { version: v.version }); await reload(`Rolled back to ${v.version}`); } catch (err) { section.append(problemBox(err)); }
    } }, `Roll back to ${v.version}`) : ""]);
  const section = h("section", { class: "panel", "aria-labelledby": "versions-h" }, h("h2", { id: "versions-h" }, "Versions"),
    h("p", { class: "note" }, `Lookups read ${listed.current === "shipped" ? "the directory shipped with the system (no upload yet)" : listed.current}.`),
    table("Directory versions", ["Version", "Imported", "By", "Rows", "Checksum", ""], rows));
  if (!canEdit) return section;
  const files = h("input", { id: "dir-files", type: "file", multiple: true, accept: ".csv,text/csv" });
  const result = h("div", { id: "dir-upload-result" });
  const upload = h("form", { class: "form", onsubmit: async (e) => {
    e.preventDefault();
    clear(result);
    const body = { files: {} };
    for (const f of files.files) body.files[f.name] = await f.text();
    try {
      const record = await api.post("/directory/imports", body);
      await reload(`Imported ${record.version}`);
    } catch (err) {
      result.append(problemBox(err));
      const problems = err.body?.problems || [];
      if (problems.length) result.append(table("Problems", ["File", "Line", "Reason"], problems.map((p) => [p.file, String(p.line), p.reason])));
    }
  } }, h("label", { for: "dir-files" }, "The directory's CSV files (all eight)", files), h("button", { type: "submit" }, "Upload"), result);
  const links = h("p", {});
  const exporter = h("button", { type: "button", onclick: async () => {
    clear(links);
    try {
      const out = await api.get("/directory/export");
      for (const [name, text] of Object.entries(out.files)) links.append(download(name, text), " ");
    } catch (err) { links.append(problemBox(err)); }
  } }, "Export the current version");
  section.append(h("h3", {}, "Upload"), upload, h("h3", {}, "Export"), exporter, links);
  return section;
}

// The page: app.js calls this from its router with its Api and auth.
export async function directoryView(api, auth, say) {
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === "directory") a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  const canEdit = auth.can(...EDITORS);
  const detail = h("div", { id: "dir-payer" });
  const show = async (payerId) => {
    clear(detail);
    try { detail.append(payerDetail(await api.get(path`/directory/payers/${payerId}`))); } catch (err) { detail.append(problemBox(err)); }
  };
  const page = h("section", {}, h("h1", {}, "Payer directory"));
  const versions = h("div", {});
  const reload = async (message) => {
    if (message) say(message);
    clear(versions);
    try { versions.append(await versionsPanel(api, canEdit, reload)); } catch (err) { versions.append(problemBox(err)); }
  };
  page.append(searchPanel(api, show), detail, decidedPanel(api), versions);
  await reload();
  return page;
}
