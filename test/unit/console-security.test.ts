// The console's access policy, attacked: every route walked (so a route added later cannot forget its
// protection), the attack table over a real socket, login back-off, cookies and sessions. The cluster is a fixed
// ClusterSource that records every change, so "nothing created, deleted or reset" is checked exactly.
import assert from "node:assert/strict";
import { connect, type AddressInfo } from "node:net";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { MAX_CONNECTIONS, buildConsole, type ConsoleOptions } from "../../src/console/app.ts";
import { SAFE_METHODS, decideAccess, type AccessRequest } from "../../src/console/access.ts";
import type { ClusterSource } from "../../src/console/cluster-source.ts";
import { MAX_SESSIONS, Sessions, basicCredentials, cookieValue, sameCredentials } from "../../src/console/sessions.ts";
import {
  ANONYMOUS_ATTACKS,
  PLANTED_TOPIC,
  VICTIM_TOPIC,
  rawRequest,
  readOnlyAttacks,
  runAttacks,
  sessionAttacks,
} from "../attacks/console.ts";

const uiDir = fileURLToPath(new URL("../../src/console/ui/", import.meta.url));
const PASSWORD = "correct horse battery";

/** A cluster that answers every read with something small and records every change. */
function recordingSource(changes: string[]): ClusterSource {
  const record =
    (what: string) =>
    async (...args: unknown[]) => {
      changes.push(`${what} ${JSON.stringify(args)}`);
      return {};
    };
  const handler: ProxyHandler<object> = {
    get(_target, property) {
      if (property === "topics") return async () => [VICTIM_TOPIC];
      if (property === "groups") return async () => [];
      if (property === "overview") return async () => ({ namesrv: "ns:9876", brokers: [] });
      if (property === "groupsProgress") return async () => ({ groups: [], errors: [] });
      if (typeof property !== "string" || property === "then") return undefined;
      if (/^(create|delete|reset|resend|send|update)/.test(property)) return record(property);
      return async () => ({});
    },
  };
  return new Proxy({}, handler) as ClusterSource;
}

const servers: FastifyInstance[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function started(overrides: Partial<ConsoleOptions["config"]> = {}, changes: string[] = []) {
  const app = buildConsole({
    config: { user: "admin", password: PASSWORD, readOnly: false, sessionHours: 1, ...overrides },
    source: recordingSource(changes),
    uiDir,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  servers.push(app);
  return { app, port: (app.server.address() as AddressInfo).port, changes };
}

async function login(port: number, password = PASSWORD) {
  const r = await rawRequest(port, { method: "POST", target: "/api/login", body: JSON.stringify({ user: "admin", password }) });
  return {
    status: r.status,
    headers: r.headers,
    cookie: (r.headers["set-cookie"] ?? "").split(";")[0]!,
    csrfToken: r.status === 200 ? (JSON.parse(r.body) as { csrfToken: string }).csrfToken : "",
  };
}

const SAMPLE_PARAMS: Record<string, string> = {
  id: "AC11000100002A9F0000000000000000",
  msgId: "AC11000100002A9F0000000000000000",
  name: "SampleName",
  group: "SampleGroup",
  address: "10.0.0.1:10911",
  file: "app.js",
};

test("the policy: protected unless public, unmatched counts as protected, writes need token, same origin and a writable console", () => {
  const base: AccessRequest = {
    access: "session",
    method: "GET",
    target: "/api/topics",
    hasSession: false,
    basicAuthOk: false,
    csrfTokenOk: false,
    sameOrigin: true,
    readOnly: false,
    allowedWhenReadOnly: false,
  };
  const status = (r: Partial<AccessRequest>) => {
    const d = decideAccess({ ...base, ...r });
    return d.allow ? 200 : d.status;
  };
  assert.equal(status({}), 401);
  assert.equal(status({ access: undefined }), 401, "no route matched: refused without a session");
  assert.equal(status({ access: undefined, hasSession: true }), 200, "…and left to the router's 404 with one");
  assert.equal(status({ access: "public" }), 200);
  assert.equal(status({ access: "public", method: "POST", sameOrigin: false }), 403);
  assert.equal(status({ access: "public", target: "http://x/healthz" }), 400);
  assert.equal(status({ target: "http://x/api/topics" }), 401, "absolute form without a session: 401 first");
  assert.equal(status({ hasSession: true, target: "http://x/api/topics" }), 400);
  assert.equal(status({ hasSession: true }), 200);
  assert.equal(status({ hasSession: true, method: "DELETE" }), 403);
  assert.equal(status({ hasSession: true, method: "DELETE", csrfTokenOk: true }), 200);
  assert.equal(status({ hasSession: true, method: "DELETE", csrfTokenOk: true, sameOrigin: false }), 403);
  assert.equal(status({ hasSession: true, method: "DELETE", csrfTokenOk: true, readOnly: true }), 403);
  assert.equal(status({ hasSession: true, method: "POST", csrfTokenOk: true, readOnly: true, allowedWhenReadOnly: true }), 200);
  assert.equal(status({ access: "session-or-basic", basicAuthOk: true }), 200);
  assert.equal(
    decideAccess({ ...base, access: "session-or-basic" }).allow === false &&
      (decideAccess({ ...base, access: "session-or-basic" }) as { basicChallenge?: boolean }).basicChallenge,
    true,
  );
});

test("every registered route: 401 without a session unless public; writes 403 without the CSRF token and on a read-only console", async () => {
  const changes: string[] = [];
  const { app, port } = await started({}, changes);
  const ro = await started({ readOnly: true }, changes);
  const s = await login(port);
  const r = await login(ro.port);
  const routes = app.consoleRoutes.flatMap((route) =>
    [route.method].flat().map((method) => ({ method, url: route.url, config: route.config ?? {} })),
  );
  assert.ok(routes.length >= 20, `only ${routes.length} routes registered`);
  const publicOnes: string[] = [];
  for (const route of routes) {
    const target = route.url.replace(
      /:(\w+)/g,
      (_m, p: string) => SAMPLE_PARAMS[p] ?? assert.fail(`no sample value for :${p} in ${route.url}`),
    );
    const body = SAFE_METHODS.has(route.method) ? undefined : "{}";
    const anonymous = await rawRequest(port, { method: route.method, target, body });
    if (route.config.access === "public") {
      publicOnes.push(`${route.method} ${route.url}`);
      assert.notEqual(anonymous.status, 401, `${route.method} ${route.url} is public`);
      continue;
    }
    assert.equal(anonymous.status, 401, `${route.method} ${route.url} without a session`);
    if (SAFE_METHODS.has(route.method)) continue;
    const noToken = await rawRequest(port, { method: route.method, target, body, headers: { cookie: s.cookie } });
    assert.equal(noToken.status, 403, `${route.method} ${route.url} without the CSRF token`);
    if (route.config.allowedWhenReadOnly) continue;
    const readOnly = await rawRequest(ro.port, {
      method: route.method,
      target,
      body,
      headers: { cookie: r.cookie, "x-csrf-token": r.csrfToken },
    });
    assert.equal(readOnly.status, 403, `${route.method} ${route.url} on a read-only console`);
    assert.match(readOnly.body, /read-only/);
  }
  // The public list is short and deliberate: anything else showing up here is a route that forgot its config.
  assert.deepEqual(
    publicOnes.sort(),
    [
      "GET /",
      "GET /healthz",
      "GET /openapi.json",
      "GET /ui/:file",
      "HEAD /",
      "HEAD /healthz",
      "HEAD /openapi.json",
      "HEAD /ui/:file",
      "POST /api/login",
    ].sort(),
  );
  assert.deepEqual(changes, []);
});

test(`the attack table: ${ANONYMOUS_ATTACKS.length} anonymous requests, the session and read-only ones; the cluster is left untouched`, async () => {
  const changes: string[] = [];
  const { port } = await started({}, changes);
  const ro = await started({ readOnly: true }, changes);
  const s = await login(port);
  const r = await login(ro.port);
  const attacks = [...ANONYMOUS_ATTACKS, ...sessionAttacks(s)];
  const wrong = [...(await runAttacks(port, attacks)), ...(await runAttacks(ro.port, [...ANONYMOUS_ATTACKS, ...readOnlyAttacks(r)]))];
  assert.deepEqual(wrong, []);
  assert.deepEqual(changes, [], `the attacks changed the cluster: ${changes.join("; ")}`);
  // The console still works for its user afterwards.
  const ok = await rawRequest(port, {
    method: "POST",
    target: "/api/topics",
    headers: { cookie: s.cookie, "x-csrf-token": s.csrfToken },
    body: JSON.stringify({ name: PLANTED_TOPIC }),
  });
  assert.equal(ok.status, 201);
  assert.equal(changes.length, 1);
});

test("100 wrong logins in a row: 429 with retry-after past the limit, the right password too; it works after the back-off", async () => {
  // A window far longer than 100 local requests take, even on a loaded machine.
  const { port } = await started({ loginLimits: { perClient: 5, global: 50, windowMs: 5000 } });
  const statuses: number[] = [];
  let retryAfter = "";
  for (let i = 0; i < 100; i++) {
    const r = await login(port, `wrong-${i}`);
    statuses.push(r.status);
    if (r.status === 429) retryAfter = r.headers["retry-after"] ?? "";
  }
  assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.ok(
    statuses.slice(5).every((s) => s === 429),
    statuses.join(","),
  );
  assert.match(retryAfter, /^[1-5]$/);
  assert.equal((await login(port)).status, 429, "during the back-off even the right password is refused: guessing learns nothing");
  await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1000 + 100));
  assert.equal((await login(port)).status, 200);

  // Basic auth on /metrics counts against the same limits.
  const basic = (password: string) =>
    rawRequest(port, {
      method: "GET",
      target: "/metrics",
      headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` },
    });
  const metrics: number[] = [];
  for (let i = 0; i < 20; i++) metrics.push((await basic(`nope-${i}`)).status);
  assert.deepEqual(metrics.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.ok(
    metrics.slice(5).every((s) => s === 429),
    metrics.join(","),
  );
  await new Promise((resolve) => setTimeout(resolve, 5200));
  assert.equal((await basic(PASSWORD)).status, 200);
});

test("the session cookie: HttpOnly, SameSite=Strict, Secure when asked; logout clears it; a read-only console still logs out", async () => {
  const plain = await started();
  const secure = await started({ secureCookie: true, readOnly: true });
  const a = await login(plain.port);
  assert.match(a.headers["set-cookie"]!, /HttpOnly; SameSite=Strict; Path=\/; Max-Age=3600$/);
  const b = await login(secure.port);
  assert.match(b.headers["set-cookie"]!, /HttpOnly; SameSite=Strict; Path=\/; Max-Age=3600; Secure$/);
  const out = await rawRequest(secure.port, {
    method: "POST",
    target: "/api/logout",
    headers: { cookie: b.cookie, "x-csrf-token": b.csrfToken },
    body: "{}",
  });
  assert.equal(out.status, 204);
  assert.match(out.headers["set-cookie"]!, /Max-Age=0; Secure$/);
  assert.equal((await rawRequest(secure.port, { method: "GET", target: "/api/session", headers: { cookie: b.cookie } })).status, 401);
});

test("sessions: expired ones are swept, and their number is capped", () => {
  let now = 0;
  const sessions = new Sessions(1000, () => now);
  for (let i = 0; i < 100; i++) sessions.create("admin");
  now = 120_000;
  sessions.create("admin");
  assert.equal(sessions.size, 1, "expired sessions are swept on the next login");
  for (let i = 0; i < MAX_SESSIONS + 50; i++) sessions.create("admin");
  assert.equal(sessions.size, MAX_SESSIONS);
});

test("cookie and basic-auth parsing: malformed input is no credential, never an error", () => {
  assert.equal(cookieValue("rmq_console_session=%E0%A4%A", "rmq_console_session"), undefined);
  assert.equal(cookieValue("a=1; rmq_console_session=abc", "rmq_console_session"), "abc");
  assert.equal(cookieValue(`rmq_console_session=${"a".repeat(10_000)}`, "rmq_console_session"), undefined);
  assert.equal(basicCredentials("Basic !!!"), undefined);
  assert.equal(basicCredentials(`Basic ${Buffer.from("no-colon").toString("base64")}`), undefined);
  assert.deepEqual(basicCredentials(`Basic ${Buffer.from("admin:pa:ss").toString("base64")}`), { user: "admin", password: "pa:ss" });
});

test("a request not received whole within the request timeout is answered 408 and its connection closed", async () => {
  const app = buildConsole({
    config: { user: "admin", password: PASSWORD, readOnly: false, sessionHours: 1 },
    source: recordingSource([]),
    requestTimeoutMs: 300,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  servers.push(app);
  const socket = connect((app.server.address() as AddressInfo).port, "127.0.0.1");
  const started = Date.now();
  let answer = "";
  socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
  // A login whose body never comes: the route is public, so the server waits for the body.
  socket.write('POST /api/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 200000\r\n\r\n{"user":"ad');
  await new Promise((resolve) => socket.on("close", resolve));
  assert.match(answer, /^HTTP\/1\.1 408 /);
  // Without the request timeout, Node answers 408 only after its 60 s headers timeout.
  assert.ok(Date.now() - started < 20_000, `closed after ${Date.now() - started} ms`);
  assert.equal(app.server.maxConnections, MAX_CONNECTIONS);
});

test("credentials: the user and the password are both compared, whichever is wrong", () => {
  const expected = { user: "admin", password: PASSWORD };
  assert.equal(sameCredentials({ user: "admin", password: PASSWORD }, expected), true);
  assert.equal(sameCredentials({ user: "admix", password: PASSWORD }, expected), false);
  assert.equal(sameCredentials({ user: "admin", password: "wrong" }, expected), false);
});
