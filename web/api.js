// The liaison API: one error shape ({error, message}) for every 4xx.

// A path with every interpolated segment encoded: path`/referrals/${id}/documents/${doc}`.
// An id taken from the page's address can then never add a segment, a query or another route.
export function path(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ""), "");
}
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `The API answered ${status}`);
    this.status = status;
    this.kind = body && body.error;
    this.body = body;
  }
}

export class Api {
  constructor(base, auth) { this.base = base.replace(/\/$/, ""); this.auth = auth; }

  async request(method, path, body) {
    const headers = { ...this.auth.headers() };
    if (body !== undefined) headers["content-type"] = "application/json";
    let reply;
    try {
      reply = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new ApiError(0, { error: "unreachable", message: "The API cannot be reached. Check your connection and try again." });
    }
    const data = await reply.json().catch(() => null);
    if (reply.status === 401) this.auth.expired();
    if (!reply.ok) throw new ApiError(reply.status, data);
    return data;
  }

  get(path) { return this.request("GET", path); }
  post(path, body) { return this.request("POST", path, body); }
}
