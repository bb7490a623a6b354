// The console's API without a cluster: configuration errors, login, sessions, CSRF, read-only mode, paging and
// the OpenAPI document. The data comes from a fixed ClusterSource; its remoting side is tested against real brokers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildConsole } from "../../src/console/app.ts";
import type { ClusterSource, GroupSummary } from "../../src/console/cluster-source.ts";
import { ConsoleConfigError, consoleConfig } from "../../src/console/config.ts";

const topics = [...Array.from({ length: 2000 }, (_, i) => `Topic${String(i).padStart(4, "0")}`), "%RETRY%GroupA", "%DLQ%GroupA", "TBW102"];
const groups: GroupSummary[] = [...Array.from({ length: 2000 }, (_, i) => ({ name: `Group${String(i).padStart(4, "0")}`, brokers: ["broker-a"], system: false })), { name: "TOOLS_CONSUMER", brokers: ["broker-a"], system: true }];
const uiDir = fileURLToPath(new URL("../../src/console/ui/", import.meta.url));
/** The parts of a source these tests reach; the remoting side is tested against real brokers. */
function source(created: string[] = []): ClusterSource {
  const fake: Partial<ClusterSource> = {
    overview: async () => ({
      namesrv: "ns:9876",
      brokers: [{ cluster: "DefaultCluster", brokerName: "broker-a", brokerId: 0, address: "10.0.0.1:10911", role: "master", version: "V5_5_0", tpsIn: 1, tpsOut: 2, diskUsedRatio: 0.5 }],
    }),
    topics: async () => topics,
    createTopic: async (name) => {
      created.push(name);
    },
    groups: async () => groups,
    group: async (name) => ({ name, lag: Number(name.slice(5)) || 0, consumeTps: 0, queues: [], errors: [] }),
  };
  return fake as ClusterSource;
}
const config = { user: "admin", password: "correct horse", readOnly: false, sessionHours: 1 };

async function login(app: ReturnType<typeof buildConsole>, password = "correct horse") {
  const r = await app.inject({ method: "POST", url: "/api/login", payload: { user: "admin", password } });
  const cookie = String(r.headers["set-cookie"] ?? "").split(";")[0]!;
  return { status: r.statusCode, cookie, csrfToken: r.statusCode === 200 ? (r.json() as { csrfToken: string }).csrfToken : "" };
}

test("config: every bad variable is reported at once, naming the variable, the value and what is allowed", () => {
  const error = (() => {
    try {
      consoleConfig({ NAMESRV_ADDR: "ns", CONSOLE_PORT: "80a", CONSOLE_READ_ONLY: "yes", CONSOLE_PASWORD: "x", CONSOLE_PASSWORD: "short" }, () => undefined);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(error instanceof ConsoleConfigError);
  assert.equal(error.problems.length, 5, error.message);
  assert.match(error.message, /NAMESRV_ADDR="ns": allowed: name servers as host:port;host:port/);
  assert.match(error.message, /CONSOLE_PORT="80a": allowed: an integer from 1 to 65535/);
  assert.match(error.message, /CONSOLE_READ_ONLY="yes": allowed: true or false/);
  assert.match(error.message, /CONSOLE_PASWORD is not a console variable: .*did you mean CONSOLE_PASSWORD\?/);
  assert.doesNotMatch(error.message, /"x"/, "a misspelt variable's value may be a secret: never printed");
  assert.match(error.message, /CONSOLE_PASSWORD has 5 characters: allowed: at least 8/);
});

test("config: a password from a _FILE, or a generated one when none is given", () => {
  const fromFile = consoleConfig({ NAMESRV_ADDR: "ns:9876", CONSOLE_PASSWORD_FILE: "/run/secrets/pw" }, (p) => (p === "/run/secrets/pw" ? "from-the-file\n" : undefined));
  assert.equal(fromFile.password, "from-the-file");
  assert.equal(fromFile.passwordGenerated, false);
  const generated = consoleConfig({ NAMESRV_ADDR: "ns-1:9876;ns-2:9876" }, () => undefined);
  assert.equal(generated.passwordGenerated, true);
  assert.ok(generated.password.length >= 16);
  assert.equal(generated.port, 8082);
  assert.throws(() => consoleConfig({ NAMESRV_ADDR: "ns:9876", CONSOLE_PASSWORD: "aaaaaaaa", CONSOLE_PASSWORD_FILE: "/x" }, () => "b"), /both set/);
  assert.throws(() => consoleConfig({ CONSOLE_PORT: "" }, () => undefined), / 1 configuration error.*\n  NAMESRV_ADDR is not set: allowed: name servers/, "an empty value is no value; the missing address is named");
  assert.throws(() => consoleConfig({ NAMESRV_ADDR: "ns:98765" }, () => undefined), /NAMESRV_ADDR="ns:98765": allowed: .*ports 1 to 65535/);
  const parsed = consoleConfig({ NAMESRV_ADDR: "ns-1:9876 ; ns-2:9877", CONSOLE_READ_ONLY: "true", CONSOLE_PORT: "9000", CONSOLE_PASSWORD: "12345678" }, () => undefined);
  assert.deepEqual([parsed.namesrvAddr, parsed.readOnly, parsed.port, parsed.requestTimeoutMs], ["ns-1:9876;ns-2:9877", true, 9000, 3000]);
});

test("nothing but login, health and the API document answers without a session", async () => {
  const app = buildConsole({ config, source: source() });
  for (const url of ["/api/cluster", "/api/topics", "/api/session"]) assert.equal((await app.inject({ url })).statusCode, 401, url);
  assert.equal((await app.inject({ method: "POST", url: "/api/topics", payload: { name: "X" } })).statusCode, 401);
  assert.equal((await app.inject({ url: "/healthz" })).statusCode, 200);
  assert.equal((await login(app, "wrong password")).status, 401);
});

test("after login: the cluster, and topics searched and paged", async () => {
  const app = buildConsole({ config, source: source() });
  const { cookie } = await login(app);
  const cluster = (await app.inject({ url: "/api/cluster", headers: { cookie } })).json() as { brokers: { role: string }[] };
  assert.equal(cluster.brokers[0]!.role, "master");
  const page = (await app.inject({ url: "/api/topics?search=topic19&page=2&pageSize=40", headers: { cookie } })).json() as { total: number; items: { name: string }[] };
  assert.equal(page.total, 100);
  assert.deepEqual([page.items.length, page.items[0]!.name], [40, "Topic1940"]);
  const dlq = (await app.inject({ url: "/api/topics?kind=dlq", headers: { cookie } })).json() as { items: { name: string; kind: string }[] };
  assert.deepEqual(dlq.items, [{ name: "%DLQ%GroupA", kind: "dlq" }]);
  assert.equal((await app.inject({ url: "/api/topics?pageSize=100000", headers: { cookie } })).statusCode, 400);
});

test("state-changing requests need the session's CSRF token; read-only mode refuses them", async () => {
  const created: string[] = [];
  const app = buildConsole({ config, source: source(created) });
  const { cookie, csrfToken } = await login(app);
  assert.equal((await app.inject({ method: "POST", url: "/api/topics", headers: { cookie }, payload: { name: "Orders" } })).statusCode, 403);
  assert.equal((await app.inject({ method: "POST", url: "/api/topics", headers: { cookie, "x-csrf-token": "forged" }, payload: { name: "Orders" } })).statusCode, 403);
  assert.equal((await app.inject({ method: "POST", url: "/api/topics", headers: { cookie, "x-csrf-token": csrfToken }, payload: { name: "bad name!" } })).statusCode, 400);
  assert.equal((await app.inject({ method: "POST", url: "/api/topics", headers: { cookie, "x-csrf-token": csrfToken }, payload: { name: "Orders" } })).statusCode, 201);
  assert.deepEqual(created, ["Orders"]);

  const readOnly = buildConsole({ config: { ...config, readOnly: true }, source: source(created) });
  const s = await login(readOnly);
  const r = await readOnly.inject({ method: "POST", url: "/api/topics", headers: { cookie: s.cookie, "x-csrf-token": s.csrfToken }, payload: { name: "Other" } });
  assert.equal(r.statusCode, 403);
  assert.match(r.body, /read-only/);
  assert.deepEqual(created, ["Orders"]);

  assert.equal((await app.inject({ method: "POST", url: "/api/logout", headers: { cookie, "x-csrf-token": csrfToken } })).statusCode, 204);
  assert.equal((await app.inject({ url: "/api/cluster", headers: { cookie } })).statusCode, 401);
});

test("the OpenAPI document lists the API from the routes' own schemas", async () => {
  const app = buildConsole({ config, source: source() });
  const doc = (await app.inject({ url: "/openapi.json" })).json() as { openapi: string; paths: Record<string, Record<string, { summary?: string }>> };
  assert.equal(doc.openapi, "3.1.0");
  for (const path of ["/api/cluster", "/api/ha", "/api/topics", "/api/topics/{name}", "/api/groups/{name}/reset-offset", "/api/messages", "/api/dlq/{group}/resend", "/api/diagnostics", "/api/login"]) {
    assert.ok(doc.paths[path], `${path} is documented`);
  }
  assert.ok(doc.paths["/api/topics"]!.post!.summary);
  assert.ok(Object.values(doc.paths).every((methods) => Object.values(methods).every((m) => m.summary)));
});

test("groups: 2,000 paged, system groups apart, each listed group's lag", async () => {
  const app = buildConsole({ config, source: source() });
  const { cookie } = await login(app);
  const page = (await app.inject({ url: "/api/groups?page=3&pageSize=50", headers: { cookie } })).json() as { total: number; items: { name: string; lag: number }[] };
  assert.equal(page.total, 2000);
  assert.deepEqual([page.items[0]!.name, page.items[0]!.lag, page.items.length], ["Group0100", 100, 50]);
  const all = (await app.inject({ url: "/api/groups?system=true&search=TOOLS", headers: { cookie } })).json() as { total: number };
  assert.equal(all.total, 1);
});

test("the UI page is public, under a strict Content-Security-Policy; /metrics needs basic auth or a session", async () => {
  const app = buildConsole({ config, source: source(), uiDir });
  const index = await app.inject({ url: "/" });
  assert.equal(index.statusCode, 200);
  assert.match(String(index.headers["content-security-policy"]), /script-src 'self'/);
  assert.match(index.body, /<script type="module" src="\/ui\/app.js">/);
  assert.equal((await app.inject({ url: "/ui/app.js" })).statusCode, 200);
  assert.equal((await app.inject({ url: "/ui/..%2Fapp.ts" })).statusCode, 404);
  const anonymous = await app.inject({ url: "/metrics" });
  assert.equal(anonymous.statusCode, 401);
  assert.match(String(anonymous.headers["www-authenticate"]), /Basic/);
  const wrong = await app.inject({ url: "/metrics", headers: { authorization: `Basic ${Buffer.from("admin:nope").toString("base64")}` } });
  assert.equal(wrong.statusCode, 401);
});
