// Sign-in. Locally: a name and a role (the local API has no authorizer). In AWS: the Cognito
// hosted UI with the authorization code flow, PKCE and a state checked on return; the token
// stays in this tab's sessionStorage (never localStorage, a cookie or the address).
// The session: { liaison: stable id (the token's sub), name, roles, token?, expires? }.
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
    const expected = sessionStorage.getItem("intake.state");
    sessionStorage.removeItem("intake.pkce");
    sessionStorage.removeItem("intake.state");
    history.replaceState(null, "", location.pathname + "#/signin");
    // A code this tab did not ask for (no state, or another one) is never redeemed: a crafted
    // link cannot sign the liaison in as someone else.
    if (!verifier || !expected || params.get("state") !== expected) { this.refused = true; return; }
    const body = new URLSearchParams({ grant_type: "authorization_code", client_id: config.auth.clientId, code, redirect_uri: config.auth.redirectUri, code_verifier: verifier });
    const reply = await fetch(`${config.auth.domain}/oauth2/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    if (!reply.ok) return;
    const tokens = await reply.json();
    const c = claims(tokens.id_token);
    const groups = Array.isArray(c["cognito:groups"]) ? c["cognito:groups"] : [];
    const name = c.name || (c.email_verified === true || c.email_verified === "true" ? c.email : null) || c.sub;
    this.session = { liaison: c.sub, name, roles: groups, token: tokens.id_token, expires: c.exp * 1000 };
    save(this.session);
    history.replaceState(null, "", location.pathname + "#/board");
  },

  async startHostedSignIn(config) {
    const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
    const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    const state = b64url(crypto.getRandomValues(new Uint8Array(32)));
    sessionStorage.setItem("intake.pkce", verifier);
    sessionStorage.setItem("intake.state", state);
    const q = new URLSearchParams({ response_type: "code", client_id: config.auth.clientId, redirect_uri: config.auth.redirectUri, scope: "openid email profile", state, code_challenge_method: "S256", code_challenge: challenge });
    location.assign(`${config.auth.domain}/oauth2/authorize?${q}`);
  },

  signInLocal(name, role) { this.session = { liaison: name, name, roles: [role] }; save(this.session); },

  roles() { return (this.session && this.session.roles) || []; },
  can(...roles) { return roles.some((r) => this.roles().includes(r)); },
  name() { return this.session ? this.session.name || this.session.liaison : null; },

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
    return this.session.token ? { authorization: `Bearer ${this.session.token}` } : { "x-intake-liaison": this.session.liaison, "x-intake-roles": this.roles().join(",") };
  },

  expired() { this.session = null; save(null); location.hash = "#/signin"; },
};
