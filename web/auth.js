// Sign-in. Locally: a liaison name (the local API has no authorizer). In AWS: the Cognito
// hosted UI with the authorization code flow and PKCE; tokens stay in this tab's sessionStorage.
const KEY = "intake.session";

function load() { try { return JSON.parse(sessionStorage.getItem(KEY)) || null; } catch { return null; } }
function save(s) { if (s) sessionStorage.setItem(KEY, JSON.stringify(s)); else sessionStorage.removeItem(KEY); }

function b64url(bytes) { return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""); }

function claims(jwt) {
  const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(decodeURIComponent(escape(atob(part))));
}

export const auth = {
  session: load(),

  async init(config) {
    if (config.auth.mode !== "cognito") return;
    const params = new URLSearchParams(location.search);
    const code = params.get("code");
    if (!code) return;
    const verifier = sessionStorage.getItem("intake.pkce");
    const body = new URLSearchParams({ grant_type: "authorization_code", client_id: config.auth.clientId, code, redirect_uri: config.auth.redirectUri, code_verifier: verifier || "" });
    const reply = await fetch(`${config.auth.domain}/oauth2/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    sessionStorage.removeItem("intake.pkce");
    history.replaceState(null, "", location.pathname + "#/board");
    if (!reply.ok) return;
    const tokens = await reply.json();
    const c = claims(tokens.id_token);
    this.session = { liaison: c.email || c["cognito:username"] || c.sub, token: tokens.id_token, expires: c.exp * 1000 };
    save(this.session);
  },

  async startHostedSignIn(config) {
    const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
    const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    sessionStorage.setItem("intake.pkce", verifier);
    const q = new URLSearchParams({ response_type: "code", client_id: config.auth.clientId, redirect_uri: config.auth.redirectUri, scope: "openid email", code_challenge_method: "S256", code_challenge: challenge });
    location.assign(`${config.auth.domain}/oauth2/authorize?${q}`);
  },

  signInLocal(name) { this.session = { liaison: name }; save(this.session); },

  signOut(config) {
    const hosted = config.auth.mode === "cognito" && this.session && this.session.token;
    this.session = null;
    save(null);
    if (hosted) location.assign(`${config.auth.domain}/logout?${new URLSearchParams({ client_id: config.auth.clientId, logout_uri: config.auth.redirectUri })}`);
  },

  liaison() {
    if (this.session && this.session.expires && this.session.expires < Date.now()) this.expired();
    return this.session ? this.session.liaison : null;
  },

  headers() {
    if (!this.session) return {};
    return this.session.token ? { authorization: `Bearer ${this.session.token}` } : { "x-intake-liaison": this.session.liaison };
  },

  expired() { this.session = null; save(null); location.hash = "#/signin"; },
};
