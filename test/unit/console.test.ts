// The console's API without a cluster: configuration errors, login, sessions, CSRF, read-only mode, paging, the
// OpenAPI document, and that routes act on the cluster only through the ClusterSource. The data comes from a fixed
// ClusterSource; RemotingClusterSource's name-server failover is checked over a fake client, the rest against real
// brokers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { fileURLToPath } from "node:url";
import { REDACTED } from "../../src/catalogue/catalogue.ts";
import { buildConsole } from "../../src/console/app.ts";
import { RemotingClusterSource, type ClusterSource, type GroupSummary } from "../../src/console/cluster-source.ts";
import { ConsoleConfigError, consoleConfig } from "../../src/console/config.ts";
import { diskWarnings } from "../../src/console/disk.ts";
import type { RemotingClient, RemotingResponse, RequestOptions } from "../../src/remoting/connection.ts";
import type { DecodedMessage } from "../../src/remoting/message-codec.ts";
import { RequestCode } from "../../src/remoting/codes.ts";

const topics = [
  ...Array.from({ length: 2000 }, (_, i) => `Topic${String(i).padStart(4, "0")}`),
  "%RETRY%GroupA",
  "%DLQ%GroupA",
  "TBW102",
  "broker-a",
  "DefaultCluster",
];
const groups: GroupSummary[] = [
  ...Array.from({ length: 2000 }, (_, i) => ({ name: `Group${String(i).padStart(4, "0")}`, brokers: ["broker-a"], system: false })),
  { name: "TOOLS_CONSUMER", brokers: ["broker-a"], system: true },
];
const uiDir = fileURLToPath(new URL("../../src/console/ui/", import.meta.url));
/** The parts of a source these tests reach; the remoting side is tested against real brokers. */
function source(created: string[] = []): ClusterSource {
  const fake: Partial<ClusterSource> = {
    overview: async () => ({
      namesrv: "ns:9876",
      brokers: [
        {
          cluster: "DefaultCluster",
          brokerName: "broker-a",
          brokerId: 0,
          address: "10.0.0.1:10911",
          role: "master",
          version: "V5_5_0",
          tpsIn: 1,
          tpsOut: 2,
          diskUsedRatio: 0.5,
          warnings: [],
        },
      ],
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
      consoleConfig(
        { NAMESRV_ADDR: "ns", CONSOLE_PORT: "80a", CONSOLE_READ_ONLY: "yes", CONSOLE_PASWORD: "x", CONSOLE_PASSWORD: "short" },
        () => undefined,
      );
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
  const fromFile = consoleConfig({ NAMESRV_ADDR: "ns:9876", CONSOLE_PASSWORD_FILE: "/run/secrets/pw" }, (p) =>
    p === "/run/secrets/pw" ? "from-the-file\n" : undefined,
  );
  assert.equal(fromFile.password, "from-the-file");
  assert.equal(fromFile.passwordGenerated, false);
  const generated = consoleConfig({ NAMESRV_ADDR: "ns-1:9876;ns-2:9876" }, () => undefined);
  assert.equal(generated.passwordGenerated, true);
  assert.ok(generated.password.length >= 16);
  assert.equal(generated.port, 8082);
  assert.throws(
    () => consoleConfig({ NAMESRV_ADDR: "ns:9876", CONSOLE_PASSWORD: "aaaaaaaa", CONSOLE_PASSWORD_FILE: "/x" }, () => "b"),
    /both set/,
  );
  assert.throws(
    () => consoleConfig({ CONSOLE_PORT: "" }, () => undefined),
    / 1 configuration error.*\n  NAMESRV_ADDR is not set: allowed: name servers/,
    "an empty value is no value; the missing address is named",
  );
  assert.throws(() => consoleConfig({ NAMESRV_ADDR: "ns:98765" }, () => undefined), /NAMESRV_ADDR="ns:98765": allowed: .*ports 1 to 65535/);
  const parsed = consoleConfig(
    { NAMESRV_ADDR: "ns-1:9876 ; ns-2:9877", CONSOLE_READ_ONLY: "true", CONSOLE_PORT: "9000", CONSOLE_PASSWORD: "12345678" },
    () => undefined,
  );
  assert.deepEqual([parsed.namesrvAddr, parsed.readOnly, parsed.port, parsed.requestTimeoutMs], ["ns-1:9876;ns-2:9877", true, 9000, 3000]);
});

test("config: the cluster user the console signs with, its password from a _FILE; none means unsigned requests", () => {
  assert.equal(consoleConfig({ NAMESRV_ADDR: "ns:9876" }, () => undefined).clusterCredentials, undefined);
  const signed = consoleConfig(
    { NAMESRV_ADDR: "ns:9876", CONSOLE_CLUSTER_USER: "console", CONSOLE_CLUSTER_PASSWORD_FILE: "/run/secrets/cluster" },
    (p) => (p === "/run/secrets/cluster" ? "cluster-S3cr3t\n" : undefined),
  );
  assert.deepEqual(signed.clusterCredentials, { accessKey: "console", secretKey: "cluster-S3cr3t" });
  assert.deepEqual(consoleConfig({ NAMESRV_ADDR: "ns:9876", CONSOLE_CLUSTER_PASSWORD: "12345678" }, () => undefined).clusterCredentials, {
    accessKey: "admin",
    secretKey: "12345678",
  });
  assert.throws(
    () => consoleConfig({ NAMESRV_ADDR: "ns:9876", CONSOLE_CLUSTER_PASSWORD_FILE: "/x" }, () => "short-S"),
    (e: Error) =>
      /CONSOLE_CLUSTER_PASSWORD_FILE=<redacted>: allowed: 8 to 128 characters/.test(e.message) && !e.message.includes("short-S"),
  );
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
  const page = (await app.inject({ url: "/api/topics?search=topic19&page=2&pageSize=40", headers: { cookie } })).json() as {
    total: number;
    items: { name: string }[];
  };
  assert.equal(page.total, 100);
  assert.deepEqual([page.items.length, page.items[0]!.name], [40, "Topic1940"]);
  const dlq = (await app.inject({ url: "/api/topics?kind=dlq", headers: { cookie } })).json() as {
    items: { name: string; kind: string }[];
  };
  assert.deepEqual(dlq.items, [{ name: "%DLQ%GroupA", kind: "dlq" }]);
  const system = (await app.inject({ url: "/api/topics?kind=system", headers: { cookie } })).json() as { items: { name: string }[] };
  assert.deepEqual(
    system.items.map((t) => t.name).sort(),
    ["DefaultCluster", "TBW102", "broker-a"],
    "topics named after the cluster's brokers and cluster are RocketMQ's own",
  );
  assert.equal((await app.inject({ url: "/api/topics?pageSize=100000", headers: { cookie } })).statusCode, 400);
});

test("state-changing requests need the session's CSRF token; read-only mode refuses them", async () => {
  const created: string[] = [];
  const app = buildConsole({ config, source: source(created) });
  const { cookie, csrfToken } = await login(app);
  assert.equal(
    (await app.inject({ method: "POST", url: "/api/topics", headers: { cookie }, payload: { name: "Orders" } })).statusCode,
    403,
  );
  assert.equal(
    (await app.inject({ method: "POST", url: "/api/topics", headers: { cookie, "x-csrf-token": "forged" }, payload: { name: "Orders" } }))
      .statusCode,
    403,
  );
  assert.equal(
    (
      await app.inject({
        method: "POST",
        url: "/api/topics",
        headers: { cookie, "x-csrf-token": csrfToken },
        payload: { name: "bad name!" },
      })
    ).statusCode,
    400,
  );
  assert.equal(
    (await app.inject({ method: "POST", url: "/api/topics", headers: { cookie, "x-csrf-token": csrfToken }, payload: { name: "Orders" } }))
      .statusCode,
    201,
  );
  assert.deepEqual(created, ["Orders"]);

  const readOnly = buildConsole({ config: { ...config, readOnly: true }, source: source(created) });
  const s = await login(readOnly);
  const r = await readOnly.inject({
    method: "POST",
    url: "/api/topics",
    headers: { cookie: s.cookie, "x-csrf-token": s.csrfToken },
    payload: { name: "Other" },
  });
  assert.equal(r.statusCode, 403);
  assert.match(r.body, /read-only/);
  assert.deepEqual(created, ["Orders"]);

  assert.equal((await app.inject({ method: "POST", url: "/api/logout", headers: { cookie, "x-csrf-token": csrfToken } })).statusCode, 204);
  assert.equal((await app.inject({ url: "/api/cluster", headers: { cookie } })).statusCode, 401);
});

test("the OpenAPI document lists the API from the routes' own schemas", async () => {
  const app = buildConsole({ config, source: source() });
  const doc = (await app.inject({ url: "/openapi.json" })).json() as {
    openapi: string;
    paths: Record<string, Record<string, { summary?: string }>>;
  };
  assert.equal(doc.openapi, "3.1.0");
  for (const path of [
    "/api/cluster",
    "/api/ha",
    "/api/topics",
    "/api/topics/{name}",
    "/api/groups/{name}/reset-offset",
    "/api/messages",
    "/api/dlq/{group}/resend",
    "/api/diagnostics",
    "/api/login",
  ]) {
    assert.ok(doc.paths[path], `${path} is documented`);
  }
  assert.ok(doc.paths["/api/topics"]!.post!.summary);
  assert.ok(Object.values(doc.paths).every((methods) => Object.values(methods).every((m) => m.summary)));
});

test("groups: 2,000 paged, system groups apart, each listed group's lag", async () => {
  const app = buildConsole({ config, source: source() });
  const { cookie } = await login(app);
  const page = (await app.inject({ url: "/api/groups?page=3&pageSize=50", headers: { cookie } })).json() as {
    total: number;
    items: { name: string; lag: number }[];
  };
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

const message = (over: Partial<DecodedMessage> = {}): DecodedMessage => ({
  topic: "Orders",
  brokerName: "broker-a",
  queueId: 0,
  queueOffset: 7,
  commitLogOffset: 4096,
  sysFlag: 0,
  bornTimestamp: 1,
  storeTimestamp: 2,
  bornHost: "10.0.0.9:40000",
  storeHost: "10.0.0.1:10911",
  offsetMsgId: "0A00000100002A9F0000000000001000",
  msgId: "AB12",
  keys: ["k1"],
  reconsumeTimes: 0,
  properties: { KEYS: "k1" },
  body: Buffer.from("hello"),
  ...over,
});

test("messages, dead letters, offsets and connections: each route asks the source, never a name server itself", async () => {
  const asked: string[] = [];
  const record =
    <T>(what: string, answer: T) =>
    async (...args: unknown[]) => (asked.push(`${what} ${JSON.stringify(args)}`), answer);
  const sent = { msgId: "AB12AB12AB12AB12", offsetMsgId: "", brokerName: "broker-a", queueId: 1, queueOffset: 41 };
  const fake: Partial<ClusterSource> = {
    group: async (name) => ({ name, lag: 3, consumeTps: 0, queues: [], errors: [] }),
    consumers: record("consumers", {
      connections: [{ clientId: "c1", clientAddr: "10.0.0.9:5000", language: "JAVA", version: 491, via: "broker broker-a" }],
      consumeType: "CONSUME_PASSIVELY",
      messageModel: "CLUSTERING",
      errors: [],
    }),
    producers: record("producers", [
      { clientId: "p1", clientAddr: "10.0.0.8:5000", language: "JAVA", version: 491, brokerName: "broker-a" },
    ]),
    groupSettings: record("groupSettings", [{ brokerName: "broker-a", settings: { groupName: "G", retryMaxTimes: 3 } }]),
    resetOffset: record("resetOffset", [{ brokerName: "broker-a", queueId: 0, offset: 7 }]),
    sendMessage: record("sendMessage", sent),
    messagesByKey: record("messagesByKey", [message()]),
    messageById: record("messageById", message()),
    messagesBetween: record("messagesBetween", {
      messages: [message({ body: Buffer.from("x".repeat(10)), bodyBytes: 5000 })],
      scanned: 3,
      total: 40,
      cursor: "broker-a/7.3",
    }),
    deadLetters: record("deadLetters", { total: 5, messages: [message({ topic: "%DLQ%G" })] }),
    resendMessage: record("resendMessage", sent),
  };
  const app = buildConsole({ config, source: fake as ClusterSource });
  const { cookie, csrfToken } = await login(app);
  const get = async (url: string) => (await app.inject({ url, headers: { cookie } })).json() as Record<string, unknown>;
  const post = async (url: string, payload: object) =>
    (await app.inject({ method: "POST", url, headers: { cookie, "x-csrf-token": csrfToken }, payload })).json() as Record<string, unknown>;

  const g = await get("/api/groups/G");
  assert.deepEqual(
    [g.consumeType, g.settings, (await get("/api/producers?group=P&topic=Orders")).connections],
    [
      "CONSUME_PASSIVELY",
      [{ brokerName: "broker-a", settings: { retryMaxTimes: 3 } }],
      [{ clientId: "p1", clientAddr: "10.0.0.8:5000", language: "JAVA", version: 491, brokerName: "broker-a" }],
    ],
  );
  assert.deepEqual(await post("/api/groups/G/reset-offset", { topic: "Orders", timestamp: 5 }), {
    queues: [{ brokerName: "broker-a", queueId: 0, offset: 7 }],
  });
  assert.equal((await post("/api/topics/Orders/messages", { body: "hi", tags: "TagA", keys: "k1  k2" })).msgId, "AB12AB12AB12AB12");
  assert.deepEqual(
    ((await get("/api/messages?topic=Orders&key=k1&max=5")).messages as { body: string }[]).map((m) => m.body),
    ["hello"],
  );
  assert.equal((await get("/api/messages?topic=Orders&id=0A00000100002A9F0000000000001000")).total, 1);
  const window = await get("/api/topics/Orders/messages?begin=5&end=9&pageSize=3&text=k1&cursor=broker-a%2F9.4");
  assert.deepEqual(
    [window.total, window.scanned, window.cursor, (window.messages as { bodyBytes: number }[])[0]!.bodyBytes],
    [40, 3, "broker-a/7.3", 5000],
  );
  assert.equal((await app.inject({ url: "/api/topics/Orders/messages?begin=9&end=5", headers: { cookie } })).statusCode, 400);
  assert.equal(
    (await app.inject({ url: "/api/topics/Orders/messages?begin=1&end=5&cursor=%3Cx%3E", headers: { cookie } })).statusCode,
    400,
  );
  assert.equal((await get("/api/dlq/G?max=10")).total, 5);
  assert.deepEqual(await post("/api/dlq/G/resend", { msgId: "CD34CD34CD34CD34" }), { msgId: "AB12AB12AB12AB12", topic: "%RETRY%G" });
  assert.deepEqual(asked, [
    'consumers ["G"]',
    'groupSettings ["G"]',
    'producers ["P","Orders"]',
    'resetOffset ["G","Orders",5]',
    'sendMessage [{"topic":"Orders","body":"hi","tags":"TagA","keys":["k1","k2"]}]',
    'messagesByKey ["Orders","k1",5]',
    'messageById ["Orders","0A00000100002A9F0000000000001000"]',
    'messagesBetween [{"topic":"Orders","begin":5,"end":9,"pageSize":3,"cursor":"broker-a/9.4","text":"k1","previewBytes":4096}]',
    'deadLetters ["G",10]',
    'resendMessage ["%DLQ%G","CD34CD34CD34CD34","G"]',
  ]);
});

/**
 * A pooled client in front of two name servers, the first one down, and one broker; it records every request.
 * ROUTE: broker-a's master 10.0.0.1:10911 serves Orders.
 */
function twoNamesrvs(answer: (address: string, code: number) => Partial<RemotingResponse> | undefined = () => undefined) {
  const calls: { address: string; code: number; options: RequestOptions }[] = [];
  const json = (value: unknown) => ({ body: Buffer.from(JSON.stringify(value)) });
  const client = {
    async request(address: string, code: number, options: RequestOptions = {}): Promise<RemotingResponse> {
      calls.push({ address, code, options });
      if (address === "ns-1:9876") throw new Error("ns-1:9876: connect ECONNREFUSED");
      const own = answer(address, code);
      if (own) return { code: 0, body: Buffer.alloc(0), ...own };
      if (code === 106)
        return {
          code: 0,
          ...json({
            brokerAddrTable: { "broker-a": { brokerName: "broker-a", cluster: "C", brokerAddrs: { 0: "10.0.0.1:10911" } } },
            clusterAddrTable: { C: ["broker-a"] },
          }),
        };
      if (code === 105)
        return {
          code: 0,
          ...json({
            brokerDatas: [{ brokerName: "broker-a", brokerAddrs: { 0: "10.0.0.1:10911" } }],
            queueDatas: [{ brokerName: "broker-a", perm: 6, readQueueNums: 1, writeQueueNums: 1 }],
          }),
        };
      if (code === 28) return { code: 0, ...json({ table: { brokerVersionDesc: "V5_5_0" } }) };
      return { code: 0, body: Buffer.alloc(0), extFields: { msgId: "0A00000100002A9F0000000000000100", queueId: "0", queueOffset: "1" } };
    },
  } as unknown as RemotingClient;
  return { source: new RemotingClusterSource(client, "ns-1:9876; ns-2:9876", 0), calls };
}

test("the cluster source asks the name servers in turn, on its pooled client with its default timeout; a broker request is sent once", async () => {
  const { source, calls } = twoNamesrvs();
  const overview = await source.overview();
  assert.equal(overview.namesrv, "ns-2:9876");
  assert.deepEqual(
    overview.brokers.map((b) => [b.brokerName, b.brokerId, b.role, b.version]),
    [["broker-a", 0, "master", "V5_5_0"]],
  );
  assert.deepEqual(
    calls.filter((c) => c.code === 106).map((c) => c.address),
    ["ns-1:9876", "ns-2:9876"],
  );
  assert.ok(
    calls.every((c) => c.options.timeoutMs === undefined),
    "no timeout of its own: the client's default (CONSOLE_REQUEST_TIMEOUT_MS) applies",
  );

  calls.length = 0;
  assert.equal((await source.sendMessage({ topic: "Orders", body: "x" })).brokerName, "broker-a");
  assert.deepEqual(
    calls.map((c) => `${c.address} ${c.code}`),
    ["ns-1:9876 105", "ns-2:9876 105", "10.0.0.1:10911 10"],
  );

  // A send that fails may still have been stored: it is not tried again through the other name server.
  const timingOut = twoNamesrvs((address, code) => {
    if (code === 10) throw new Error(`${address}: no answer to request code 10 within 3000 ms`);
    return undefined;
  });
  await assert.rejects(timingOut.source.sendMessage({ topic: "Orders", body: "x" }), /no answer to request code 10/);
  assert.equal(timingOut.calls.filter((c) => c.code === 10).length, 1);

  const { source: down } = twoNamesrvs((_address, code) =>
    code === 105 || code === 106 ? { code: 1, remark: "down for the test" } : undefined,
  );
  await assert.rejects(
    down.resetOffset("G", "Orders", 0),
    /^NoNamesrvAnsweredError: no name server answered: ns-1:9876: connect ECONNREFUSED; ns-2:9876 has no route for topic Orders: code 1 \(down for the test\)/,
  );
});

test("users: listed without passwords; created, given policies and deleted through the source; bad input and self-lockout refused", async () => {
  const calls: string[] = [];
  const fake = {
    ...source(),
    users: async () => ({
      brokers: 2,
      users: [
        {
          username: "alice",
          userType: "Normal",
          userStatus: "enable",
          brokers: 2,
          password: "leaked-if-not-dropped",
          policies: [{ resource: "Topic:orders", actions: ["Pub"], decision: "Allow", sourceIps: [] }],
        },
      ],
      errors: [],
    }),
    updateUser: async (u: object) => void calls.push(`user ${JSON.stringify(u)}`),
    updatePolicies: async (name: string, entries: object) => void calls.push(`policies ${name} ${JSON.stringify(entries)}`),
    deleteUser: async (name: string) => void calls.push(`delete ${name}`),
  } as unknown as ClusterSource;
  const app = buildConsole({
    config: { ...config, clusterCredentials: { accessKey: "admin", secretKey: "x-secret-x" } },
    source: fake,
    uiDir,
  });
  const { cookie, csrfToken } = await login(app);
  const send = (method: "PUT" | "DELETE", url: string, payload?: object) =>
    app.inject({ method, url, headers: { cookie, "x-csrf-token": csrfToken }, ...(payload ? { payload } : {}) });

  const listed = await app.inject({ method: "GET", url: "/api/users", headers: { cookie } });
  assert.equal(listed.statusCode, 200);
  assert.doesNotMatch(listed.body, /leaked-if-not-dropped/);
  assert.equal((listed.json() as { users: { policies: unknown[] }[] }).users[0]!.policies.length, 1);

  assert.equal((await send("PUT", "/api/users/bob", { password: "B0b-secret-pw" })).statusCode, 204);
  assert.equal(
    (await send("PUT", "/api/users/bob/policies", { policies: [{ resource: "Group:billing-*", actions: ["Sub"] }] })).statusCode,
    204,
  );
  assert.equal((await send("DELETE", "/api/users/bob")).statusCode, 204);
  assert.deepEqual(calls, [
    'user {"username":"bob","password":"B0b-secret-pw"}',
    'policies bob [{"resource":"Group:billing-*","actions":["Sub"],"decision":"Allow","sourceIps":[]}]',
    "delete bob",
  ]);

  const refused = [
    await send("PUT", "/api/users/bob", { password: "short" }),
    await send("PUT", "/api/users/bob%2F..", { password: "B0b-secret-pw" }),
    await send("PUT", "/api/users/bob/policies", { policies: [{ resource: "Topic:a b", actions: ["Pub"] }] }),
    await send("PUT", "/api/users/bob/policies", { policies: [{ resource: "Topic:a", actions: ["Any"] }] }),
    await send("PUT", "/api/users/bob/policies", { policies: [{ resource: "Topic:a", actions: ["Pub"], sourceIps: ["10.0.0.300"] }] }),
    await send("PUT", "/api/users/bob/policies", {
      policies: [
        { resource: "Topic:a", actions: ["Pub"] },
        { resource: "Topic:a", actions: ["Sub"] },
      ],
    }),
  ];
  assert.deepEqual(
    refused.map((r) => r.statusCode),
    [400, 400, 400, 400, 400, 400],
  );
  assert.ok(refused.every((r) => !r.body.includes("short")));
  const self = [
    await send("PUT", "/api/users/admin", { password: "N3w-admin-pw", userType: "Super" }),
    await send("DELETE", "/api/users/admin"),
  ];
  assert.deepEqual(
    self.map((r) => r.statusCode),
    [409, 409],
  );
  assert.match(self[1]!.body, /signs its requests as admin/);
  assert.equal(calls.length, 3, "nothing refused reached the cluster");
});

test("config: TLS to the cluster, with or without a CA; a CA without TLS or without a certificate in it is an error", () => {
  assert.equal(consoleConfig({ NAMESRV_ADDR: "ns:9876" }, () => undefined).clusterTls, undefined);
  assert.deepEqual(consoleConfig({ NAMESRV_ADDR: "ns:9876", CONSOLE_CLUSTER_TLS: "true" }, () => undefined).clusterTls, {});
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  const read = (p: string) => (p === "/tls/ca.pem" ? pem : p === "/tls/key.pem" ? "-----BEGIN PRIVATE KEY-----" : undefined);
  assert.deepEqual(
    consoleConfig({ NAMESRV_ADDR: "ns:9876", CONSOLE_CLUSTER_TLS: "true", CONSOLE_CLUSTER_CA_FILE: "/tls/ca.pem" }, read).clusterTls,
    { ca: pem },
  );
  assert.throws(
    () => consoleConfig({ NAMESRV_ADDR: "ns:9876", CONSOLE_CLUSTER_CA_FILE: "/tls/key.pem" }, read),
    (e: Error) =>
      /CONSOLE_CLUSTER_CA_FILE="\/tls\/key.pem": allowed: a PEM certificate/.test(e.message) &&
      /without CONSOLE_CLUSTER_TLS=true/.test(e.message),
  );
});

test("config and server: HTTPS from CONSOLE_TLS_CERT_FILE and CONSOLE_TLS_KEY_FILE, with a Secure cookie", async () => {
  const fixtures = fileURLToPath(new URL("./fixtures/tls/", import.meta.url));
  const read = (p: string) => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return undefined;
    }
  };
  const env = { NAMESRV_ADDR: "ns:9876", CONSOLE_PASSWORD: "console-pw-1" };
  assert.equal(consoleConfig(env, read).https, undefined);
  assert.throws(
    () => consoleConfig({ ...env, CONSOLE_TLS_CERT_FILE: `${fixtures}server.pem` }, read),
    /CONSOLE_TLS_CERT_FILE is set without CONSOLE_TLS_KEY_FILE/,
  );
  assert.throws(
    () => consoleConfig({ ...env, CONSOLE_TLS_CERT_FILE: `${fixtures}server.key`, CONSOLE_TLS_KEY_FILE: `${fixtures}nothing.key` }, read),
    (e: Error) => /CONSOLE_TLS_CERT_FILE=".*server.key": allowed: a PEM certificate/.test(e.message) && /nothing.key/.test(e.message),
  );
  const config = consoleConfig(
    { ...env, CONSOLE_TLS_CERT_FILE: `${fixtures}server.pem`, CONSOLE_TLS_KEY_FILE: `${fixtures}server.key` },
    read,
  );
  assert.equal(config.secureCookie, true);

  const app = buildConsole({ config, source: source(), https: config.https });
  await app.listen({ host: "127.0.0.1", port: 0 });
  try {
    const { port } = app.server.address() as { port: number };
    const login = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
      const body = JSON.stringify({ user: "admin", password: "console-pw-1" });
      const req = httpsRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/api/login",
          method: "POST",
          ca: readFileSync(`${fixtures}ca.pem`),
          checkServerIdentity: () => undefined,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, cookie: String(res.headers["set-cookie"] ?? "") });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    assert.equal(login.status, 200);
    assert.match(login.cookie, /; Secure/);
  } finally {
    await app.close();
  }
});

test("group settings: the fields given go to the source, checked first; deleted; RocketMQ's own groups refused", async () => {
  const saved: unknown[] = [];
  const deleted: string[] = [];
  const fake: Partial<ClusterSource> = {
    saveGroup: async (settings) => void saved.push(settings),
    deleteGroup: async (name) => void deleted.push(name),
  };
  const app = buildConsole({ config, source: fake as ClusterSource });
  const { cookie, csrfToken } = await login(app);
  const send = (method: "POST" | "DELETE", url: string, payload?: object) =>
    app.inject({ method, url, headers: { cookie, "x-csrf-token": csrfToken }, ...(payload ? { payload } : {}) });

  const created = await send("POST", "/api/groups", { name: "OrderWorkers", retryMaxTimes: 3, orderly: true });
  assert.equal(created.statusCode, 201, created.body);
  assert.deepEqual(JSON.parse(JSON.stringify(saved)), [
    // Only what was given: the source keeps each broker's other settings.
    { groupName: "OrderWorkers", retryMaxTimes: 3, consumeMessageOrderly: true },
  ]);
  for (const [payload, named] of [
    [{ name: "G", retryMaxTimes: 65 }, /retryMaxTimes/],
    [{ name: "G", retryQueues: -1 }, /retryQueues/],
    [{ name: "G", maxRetries: 2 }, /must NOT have additional properties: maxRetries/],
    [{ name: "<script>" }, /name/],
    [{ name: "TOOLS_CONSUMER" }, /RocketMQ's own/],
  ] as const) {
    const r = await send("POST", "/api/groups", payload);
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    assert.match((r.json() as { error: string }).error, named);
  }
  assert.equal(saved.length, 1, "nothing refused reached the cluster");
  assert.equal((await send("DELETE", "/api/groups/OrderWorkers")).statusCode, 204);
  assert.equal((await send("DELETE", "/api/groups/CID_RMQ_SYS_TRANS")).statusCode, 400);
  assert.deepEqual(deleted, ["OrderWorkers"]);
  // CSRF and read-only mode: every route is walked in console-security.test.ts.
});

test("a broker's disk use is warned about above RocketMQ's thresholds, from its config or RocketMQ's defaults", () => {
  assert.deepEqual(diskWarnings(null, undefined), []);
  assert.deepEqual(diskWarnings(0.85, undefined), [], "at the forcible-clean threshold, not above it");
  assert.match(diskWarnings(0.86, undefined)[0]!, /^disk 86\.0 % used, above diskSpaceCleanForciblyRatio 85 %: .*read or not$/);
  assert.match(diskWarnings(0.931, {})[0]!, /^disk 93\.1 % used, above diskSpaceWarningLevelRatio 90 %: the broker refuses new messages/);
  const config = { diskSpaceWarningLevelRatio: "80", diskSpaceCleanForciblyRatio: "70" };
  assert.match(diskWarnings(0.75, config)[0]!, /above diskSpaceCleanForciblyRatio 70 %/);
  assert.match(diskWarnings(0.81, config)[0]!, /above diskSpaceWarningLevelRatio 80 %/);
  // Set above RocketMQ's range, a threshold acts as its top (90 and 85 %), below it as its bottom (35 and 30 %).
  const high = { diskSpaceWarningLevelRatio: "95", diskSpaceCleanForciblyRatio: "99" };
  assert.match(diskWarnings(0.91, high)[0]!, /above diskSpaceWarningLevelRatio 90 %/);
  assert.match(diskWarnings(0.86, high)[0]!, /above diskSpaceCleanForciblyRatio 85 %/);
  assert.match(diskWarnings(0.36, { diskSpaceWarningLevelRatio: "10", diskSpaceCleanForciblyRatio: "10" })[0]!, /WarningLevelRatio 35 %/);
  // A value that is no percentage falls back to the default.
  assert.match(diskWarnings(0.91, { diskSpaceWarningLevelRatio: "abc" })[0]!, /diskSpaceWarningLevelRatio 90 %/);
  assert.equal(diskWarnings(0.91, undefined).length, 1, "one warning, the worst");
});

test("a broker's config reaches the console with its secrets' values redacted: the admin user and the inner client's key", async () => {
  const file = [
    "brokerName=broker-a",
    'initAuthenticationUser={"username":"admin","password":"Cluster-Admin-S3cret"}',
    'innerClientAuthenticationCredentials={"accessKey":"admin","secretKey":"Cluster-Admin-S3cret"}',
    "metricsGrpcExporterHeader=x-api-key:Otlp-Key",
    "authenticationEnabled=true",
  ].join("\n");
  const { source } = twoNamesrvs((_address, code) => (code === RequestCode.GET_BROKER_CONFIG ? { body: Buffer.from(file) } : undefined));
  const config = await source.brokerConfig("10.0.0.1:10911");
  assert.deepEqual(config, {
    brokerName: "broker-a",
    initAuthenticationUser: REDACTED,
    innerClientAuthenticationCredentials: REDACTED,
    metricsGrpcExporterHeader: REDACTED,
    authenticationEnabled: "true",
  });
});
