// Requests an attacker sends to the console, with the answer each must get, shared by the unit tests (an
// in-process console over a fixed cluster) and the integration tests (the console image in front of a real
// cluster). Sent over a raw socket: fetch would normalise the very paths under test.
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method: string;
  /** The request target exactly as it goes on the request line. */
  target: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One HTTP/1.1 request on its own connection; the target and headers go out byte for byte. */
export function rawRequest(port: number, r: RawRequest, host = "127.0.0.1", timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`${r.method} ${r.target}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", (e) => (clearTimeout(timer), reject(e)));
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!m) return reject(new Error(`${r.method} ${r.target}: no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const [head, ...rest] = text.split("\r\n\r\n");
      const headers = Object.fromEntries(
        head!
          .split("\r\n")
          .slice(1)
          .map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      resolve({ status: Number(m[1]), headers, body: rest.join("\r\n\r\n") });
    });
    const body = r.body === undefined ? undefined : Buffer.from(r.body);
    const headers: Record<string, string> = {
      host: `localhost:${port}`,
      connection: "close",
      ...(body ? { "content-type": "application/json", "content-length": String(body.length) } : {}),
      ...r.headers,
    };
    socket.write(
      `${r.method} ${r.target} HTTP/1.1\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join("\r\n")}\r\n\r\n`,
    );
    if (body) socket.write(body);
  });
}

export interface Attack extends RawRequest {
  name: string;
  /** Statuses that count as refused here; never a 2xx. */
  expect: number[];
}

/** A topic the attacks try to create or delete; it must not appear or vanish. */
export const VICTIM_TOPIC = "Orders";
export const PLANTED_TOPIC = "Planted";

const json = (body: unknown) => JSON.stringify(body);

/** Without any session: each must be 401 (400 for malformed requests the HTTP layer rejects first). */
export const ANONYMOUS_ATTACKS: Attack[] = [
  { name: "percent-encoded 'a' in /api", method: "GET", target: "/%61pi/topics", expect: [401] },
  { name: "double-encoded 'a' in /api", method: "GET", target: "/%2561pi/topics", expect: [401] },
  { name: "percent-encoded /metrics", method: "GET", target: "/%6detrics", expect: [401] },
  { name: "absolute-form target", method: "GET", target: "http://x/api/topics", expect: [401] },
  { name: "absolute-form target naming the console", method: "GET", target: "http://localhost:8082/api/cluster", expect: [401] },
  { name: "encoded create", method: "POST", target: "/%61pi/topics", body: json({ name: PLANTED_TOPIC }), expect: [401] },
  { name: "encoded delete", method: "DELETE", target: `/%61pi/topics/${VICTIM_TOPIC}`, expect: [401] },
  { name: "plain delete", method: "DELETE", target: `/api/topics/${VICTIM_TOPIC}`, expect: [401] },
  { name: "encoded slash", method: "GET", target: "/api%2ftopics", expect: [401] },
  { name: "trailing slash", method: "GET", target: "/api/topics/", expect: [401] },
  { name: "double slash", method: "GET", target: "//api/topics", expect: [401] },
  { name: "empty segment", method: "GET", target: "/api//topics", expect: [401] },
  { name: "dot segment", method: "GET", target: "/./api/topics", expect: [401] },
  { name: "dot-dot from a public path", method: "GET", target: "/ui/../api/topics", expect: [401] },
  { name: "encoded dot-dot from a public path", method: "GET", target: "/ui/%2e%2e/api/topics", expect: [401] },
  { name: "encoded dot-dot and slash", method: "GET", target: "/ui/..%2fapi%2ftopics", expect: [401, 404] },
  { name: "upper case", method: "GET", target: "/API/topics", expect: [401] },
  { name: "matrix parameter", method: "GET", target: "/api/topics;jsessionid=1", expect: [401] },
  { name: "NUL byte", method: "GET", target: "/api/topics%00", expect: [401] },
  { name: "query that looks like a path", method: "GET", target: "/api/topics?/healthz", expect: [401] },
  { name: "public path as a query", method: "GET", target: "/healthz/../api/topics", expect: [401] },
  { name: "HEAD of a protected route", method: "HEAD", target: "/api/topics", expect: [401] },
  { name: "OPTIONS of a protected route", method: "OPTIONS", target: "/api/topics", expect: [401] },
  { name: "method the route lacks", method: "PUT", target: `/api/topics/${VICTIM_TOPIC}`, expect: [401] },
  { name: "the session route", method: "GET", target: "/api/session", expect: [401] },
  { name: "/metrics without credentials", method: "GET", target: "/metrics", expect: [401] },
  {
    name: "/metrics with wrong basic auth",
    method: "GET",
    target: "/metrics",
    headers: { authorization: `Basic ${Buffer.from("admin:wrong-password").toString("base64")}` },
    expect: [401],
  },
  { name: "/metrics with malformed basic auth", method: "GET", target: "/metrics", headers: { authorization: "Basic !!!" }, expect: [401] },
  {
    name: "malformed session cookie",
    method: "GET",
    target: "/api/topics",
    headers: { cookie: "rmq_console_session=%E0%A4%A" },
    expect: [401],
  },
  {
    name: "forged session cookie",
    method: "GET",
    target: "/api/topics",
    headers: { cookie: "rmq_console_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
    expect: [401],
  },
  {
    name: "a CSRF token but no session",
    method: "POST",
    target: "/api/topics",
    headers: { "x-csrf-token": "x" },
    body: json({ name: PLANTED_TOPIC }),
    expect: [401],
  },
  {
    name: "reset offsets without a session",
    method: "POST",
    target: "/api/groups/G/reset-offset",
    body: json({ topic: VICTIM_TOPIC, timestamp: 0 }),
    expect: [401],
  },
  { name: "resend dead letters without a session", method: "POST", target: "/api/dlq/G/resend", body: json({}), expect: [401] },
  {
    name: "send without a session",
    method: "POST",
    target: `/api/topics/${VICTIM_TOPIC}/messages`,
    body: json({ body: "x" }),
    expect: [401],
  },
];

/** With a valid session on a writable console, but as another site or without the CSRF token. */
export function sessionAttacks(session: { cookie: string; csrfToken: string }): Attack[] {
  const cookie = session.cookie;
  const token = session.csrfToken;
  return [
    {
      name: "create without the CSRF token",
      method: "POST",
      target: "/api/topics",
      headers: { cookie },
      body: json({ name: PLANTED_TOPIC }),
      expect: [403],
    },
    {
      name: "create with a wrong CSRF token",
      method: "POST",
      target: "/api/topics",
      headers: { cookie, "x-csrf-token": `${token}x` },
      body: json({ name: PLANTED_TOPIC }),
      expect: [403],
    },
    { name: "delete without the CSRF token", method: "DELETE", target: `/api/topics/${VICTIM_TOPIC}`, headers: { cookie }, expect: [403] },
    {
      name: "create from another origin",
      method: "POST",
      target: "/api/topics",
      headers: { cookie, "x-csrf-token": token, origin: "http://evil.example" },
      body: json({ name: PLANTED_TOPIC }),
      expect: [403],
    },
    {
      name: "delete from a cross-site fetch",
      method: "DELETE",
      target: `/api/topics/${VICTIM_TOPIC}`,
      headers: { cookie, "x-csrf-token": token, "sec-fetch-site": "cross-site" },
      expect: [403],
    },
    {
      name: "login from another origin",
      method: "POST",
      target: "/api/login",
      headers: { origin: "http://evil.example" },
      body: json({ user: "admin", password: "whatever-it-is" }),
      expect: [403],
    },
    {
      name: "absolute-form with a session",
      method: "DELETE",
      target: `http://x/api/topics/${VICTIM_TOPIC}`,
      headers: { cookie, "x-csrf-token": token },
      expect: [400],
    },
    {
      name: "markup as a topic name",
      method: "POST",
      target: "/api/topics",
      headers: { cookie, "x-csrf-token": token },
      body: json({ name: "<img src=x onerror=alert(1)>" }),
      expect: [400],
    },
    {
      name: "path traversal as a topic name",
      method: "DELETE",
      target: "/api/topics/..%2f..%2fetc",
      headers: { cookie, "x-csrf-token": token },
      expect: [400, 404],
    },
    {
      name: "over-long topic name",
      method: "DELETE",
      target: `/api/topics/${"T".repeat(128)}`,
      headers: { cookie, "x-csrf-token": token },
      expect: [400, 414],
    },
    {
      name: "property injection through tags",
      method: "POST",
      target: `/api/topics/${VICTIM_TOPIC}/messages`,
      headers: { cookie, "x-csrf-token": token },
      body: json({ body: "x", tags: "a\u0001DELAY\u00023" }),
      expect: [400],
    },
    {
      name: "property injection through keys",
      method: "POST",
      target: `/api/topics/${VICTIM_TOPIC}/messages`,
      headers: { cookie, "x-csrf-token": token },
      body: json({ body: "x", keys: "k\u0002TRAN_MSG\u0001true" }),
      expect: [400],
    },
    {
      name: "oversized body",
      method: "POST",
      target: "/api/topics",
      headers: { cookie, "x-csrf-token": token },
      body: json({ name: "x".repeat(300 * 1024) }),
      expect: [413],
    },
    {
      name: "prototype pollution in a body",
      method: "POST",
      target: "/api/topics",
      headers: { cookie, "x-csrf-token": token },
      body: '{"name":"Polluted","__proto__":{"admin":true}}',
      expect: [400],
    },
  ];
}

/** With a valid session and token on a read-only console: every write refused, whatever the path. */
export function readOnlyAttacks(session: { cookie: string; csrfToken: string }): Attack[] {
  const headers = { cookie: session.cookie, "x-csrf-token": session.csrfToken };
  return [
    { name: "read-only: create", method: "POST", target: "/api/topics", headers, body: json({ name: PLANTED_TOPIC }), expect: [403] },
    {
      name: "read-only: encoded create",
      method: "POST",
      target: "/%61pi/topics",
      headers,
      body: json({ name: PLANTED_TOPIC }),
      expect: [403],
    },
    { name: "read-only: delete", method: "DELETE", target: `/api/topics/${VICTIM_TOPIC}`, headers, expect: [403] },
    { name: "read-only: encoded delete", method: "DELETE", target: `/%61pi/topics/${VICTIM_TOPIC}`, headers, expect: [403] },
    {
      name: "read-only: send",
      method: "POST",
      target: `/api/topics/${VICTIM_TOPIC}/messages`,
      headers,
      body: json({ body: "x" }),
      expect: [403],
    },
    {
      name: "read-only: reset offsets",
      method: "POST",
      target: "/api/groups/G/reset-offset",
      headers,
      body: json({ topic: VICTIM_TOPIC, timestamp: 0 }),
      expect: [403],
    },
    { name: "read-only: resend dead letters", method: "POST", target: "/api/dlq/G/resend", headers, body: json({}), expect: [403] },
  ];
}

/** Sends each attack; returns one line per attack whose answer was not what it should be. */
export async function runAttacks(port: number, attacks: Attack[], host?: string): Promise<string[]> {
  const wrong: string[] = [];
  for (const a of attacks) {
    const r = await rawRequest(port, a, host);
    if (!a.expect.includes(r.status))
      wrong.push(`${a.name}: ${a.method} ${a.target} → ${r.status} (expected ${a.expect.join(" or ")}): ${r.body.slice(0, 200)}`);
  }
  return wrong;
}
