// Fetch wrapper for the JSON API: sends the access token when the server needs one.

const TOKEN_KEY = "assets-ui-token";

/** The page may be opened as http://host:port/#token=...: keep the token, clean the address bar. */
export function captureToken() {
  const match = /^#token=([^&/]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", `${location.pathname}#/`);
  }
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.hint = body?.error?.hint;
  }
}

export async function api(path, { method = "GET", body } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token && method !== "GET") headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export async function fetchText(path) {
  const res = await fetch(path);
  if (!res.ok) {
    const body = await res.json();
    throw new ApiError(res.status, body);
  }
  return res.text();
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}
