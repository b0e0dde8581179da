// Tiny DOM helpers: elements are built from text, never from HTML strings.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "checked" || k === "value" || k === "disabled") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== "" && c != null) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); }

const fmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
const fmtSeconds = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
export function when(iso, seconds = false) { return iso ? (seconds ? fmtSeconds : fmt).format(new Date(iso)) : "—"; }

export function phone(digits) {
  const d = String(digits || "").replace(/\D/g, "");
  return d.length === 10 ? `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}` : String(digits || "—");
}

const LANGUAGES = { en: "English", es: "Spanish", zh: "Chinese", vi: "Vietnamese", ko: "Korean", ru: "Russian", ar: "Arabic", fr: "French", ht: "Haitian Creole", tl: "Tagalog", pt: "Portuguese" };
export function language(code) { return LANGUAGES[code] || String(code || "—"); }

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
export function money(v) { const n = Number(v); return Number.isFinite(n) ? usd.format(n) : String(v); }

export function ago(iso) {
  const s = Math.round((new Date(iso) - Date.now()) / 1000);
  const a = Math.abs(s);
  const text = a < 90 ? `${a} s` : a < 5400 ? `${Math.round(a / 60)} min` : a < 172800 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  return s >= 0 ? `in ${text}` : `${text} ago`;
}

export function label(code) {
  const text = String(code ?? "").replace(/[_.]/g, " ").trim();
  return text ? text[0].toUpperCase() + text.slice(1) : "";
}
