// The Prometheus exposition: rendering checked by a strict parser of text format 0.0.4 (HELP and TYPE before a
// family's samples, escaped label values), the request counter, and the group lag /metrics reports: the cluster
// source's gathering (system groups skipped, bounded fan-out, cached between scrapes) over fixed groups.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildConsole } from "../../src/console/app.ts";
import {
  RemotingClusterSource,
  type BrokerView,
  type ClusterSource,
  type GroupDetail,
  type GroupSummary,
} from "../../src/console/cluster-source.ts";
import { HttpRequestCounter, renderMetrics, type MetricsInput } from "../../src/console/metrics.ts";
import { RemotingClient } from "../../src/remoting/connection.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses text format 0.0.4 strictly: throws on anything Prometheus would reject or that breaks its conventions. */
function parseExposition(text: string): { types: Map<string, string>; help: Map<string, string>; samples: Sample[] } {
  assert.ok(text.endsWith("\n"), "the exposition ends with a newline");
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const series = new Set<string>();
  const name = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  const sampleLine = new RegExp(`^(${name})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
  const labelPair = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(?:,|$)/;
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = new RegExp(`^# (HELP|TYPE) (${name}) (.*)$`).exec(line);
    if (meta) {
      const [, kind, family, rest] = meta as unknown as [string, string, string, string];
      const seen = kind === "HELP" ? help : types;
      assert.ok(!seen.has(family), `a second ${kind} for ${family}`);
      assert.ok(!samples.some((s) => s.name === family), `${kind} for ${family} after its samples`);
      if (kind === "TYPE") assert.match(rest, /^(counter|gauge|histogram|summary|untyped)$/);
      else assert.doesNotMatch(rest, /\\(?![\\n])/, "HELP escapes only backslash and newline");
      seen.set(family, rest);
      continue;
    }
    assert.ok(!line.startsWith("#"), `an unexpected comment: ${line}`);
    const m = sampleLine.exec(line);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    const [, sampleName, labelText = "", valueText] = m as unknown as [string, string, string | undefined, string];
    assert.ok(types.has(sampleName), `${sampleName} has no TYPE line before its samples`);
    assert.ok(help.has(sampleName), `${sampleName} has no HELP line`);
    const labels: Record<string, string> = {};
    for (let rest = labelText; rest;) {
      const pair = labelPair.exec(rest);
      assert.ok(pair, `bad labels in ${line}`);
      assert.ok(!(pair[1]! in labels), `label ${pair[1]} twice in ${line}`);
      labels[pair[1]!] = pair[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
      rest = rest.slice(pair[0].length);
    }
    const value = valueText === "NaN" ? Number.NaN : Number(valueText.replace(/^([+-]?)Inf$/, "$1Infinity"));
    assert.ok(valueText === "NaN" || !Number.isNaN(value), `bad value in ${line}`);
    const key = `${sampleName}${JSON.stringify(Object.entries(labels).sort())}`;
    assert.ok(!series.has(key), `a duplicate series: ${line}`);
    series.add(key);
    samples.push({ name: sampleName, labels, value });
  }
  return { types, help, samples };
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

const broker = (over: Partial<BrokerView> = {}): BrokerView => ({
  cluster: "DefaultCluster",
  brokerName: "broker-a",
  brokerId: 0,
  address: "203.0.113.10:10911",
  role: "master",
  version: "V5_5_0",
  tpsIn: 12.5,
  tpsOut: 3,
  diskUsedRatio: 0.41,
  warnings: [],
  ...over,
});

const queue = (topic: string, brokerName: string, queueId: number, lag: number) => ({
  topic,
  brokerName,
  queueId,
  brokerOffset: 100 + lag,
  consumerOffset: 100,
  lag,
  lastTimestamp: 0,
});

function input(over: Partial<MetricsInput> = {}): MetricsInput {
  return {
    brokers: [broker()],
    groups: [],
    requests: new HttpRequestCounter(),
    memory: { rss: 52_428_800, heapUsed: 10_485_760 },
    scrapeErrors: [],
    ...over,
  };
}

test("brokers: up, info (role and version), TPS in and out, disk used; a broker that did not answer is up 0 with no figures", () => {
  const text = renderMetrics(
    input({
      brokers: [
        broker(),
        broker({
          brokerId: 1,
          address: "203.0.113.11:10911",
          role: "slave",
          version: null,
          tpsIn: null,
          tpsOut: null,
          diskUsedRatio: null,
          error: "no answer within 3000 ms",
        }),
      ],
    }),
  );
  const { types, samples } = parseExposition(text);
  const master = { cluster: "DefaultCluster", broker: "broker-a", broker_id: "0", address: "203.0.113.10:10911" };
  const slave = { ...master, broker_id: "1", address: "203.0.113.11:10911" };
  assert.deepEqual(
    find(samples, "rocketmq_broker_up", master).map((s) => s.value),
    [1],
  );
  assert.deepEqual(
    find(samples, "rocketmq_broker_up", slave).map((s) => s.value),
    [0],
  );
  assert.deepEqual(find(samples, "rocketmq_broker_info", master)[0]?.labels, { ...master, role: "master", version: "V5_5_0" });
  assert.deepEqual(find(samples, "rocketmq_broker_info", slave)[0]?.labels, { ...slave, role: "slave", version: "unknown" });
  assert.deepEqual(
    find(samples, "rocketmq_broker_put_tps").map((s) => [s.labels.broker_id, s.value]),
    [["0", 12.5]],
  );
  assert.deepEqual(
    find(samples, "rocketmq_broker_get_tps").map((s) => [s.labels.broker_id, s.value]),
    [["0", 3]],
  );
  assert.deepEqual(
    find(samples, "rocketmq_broker_disk_used_ratio").map((s) => [s.labels.broker_id, s.value]),
    [["0", 0.41]],
  );
  for (const name of [
    "rocketmq_broker_up",
    "rocketmq_broker_info",
    "rocketmq_broker_put_tps",
    "rocketmq_broker_get_tps",
    "rocketmq_broker_disk_used_ratio",
  ])
    assert.equal(types.get(name), "gauge");
});

test("label values with backslashes, quotes and newlines are escaped and read back intact", () => {
  const awkward = 'we"ird\\name\nline two';
  const requests = new HttpRequestCounter();
  requests.count('/api/topics/:name"x', "GET", 404);
  const text = renderMetrics(
    input({
      brokers: [broker({ brokerName: awkward, cluster: "C\\1" })],
      groups: [{ name: awkward, lag: 1, consumeTps: 0.5, errors: [], queues: [queue('T"1', "b", 0, 1)] }],
      requests,
    }),
  );
  assert.ok(text.includes('broker="we\\"ird\\\\name\\nline two"'), "escaped as the format says");
  assert.equal(
    text.split("\n").filter((l) => l.includes("line two")).length,
    text.split("\n").filter((l) => l.includes("ird")).length,
    "no raw newline inside a label",
  );
  const { samples } = parseExposition(text);
  assert.equal(find(samples, "rocketmq_broker_up")[0]?.labels.broker, awkward);
  assert.equal(find(samples, "rocketmq_broker_up")[0]?.labels.cluster, "C\\1");
  assert.deepEqual(find(samples, "rocketmq_group_lag")[0]?.labels, { group: awkward, topic: 'T"1' });
  assert.equal(find(samples, "rocketmq_console_http_requests_total")[0]?.labels.route, '/api/topics/:name"x');
});

test("group lag is the sum of per-queue lag per group and topic, across masters; consume TPS per group", () => {
  const groups: GroupDetail[] = [
    {
      name: "orders",
      lag: 13,
      consumeTps: 4.5,
      errors: [],
      queues: [
        queue("Orders", "broker-a", 0, 5),
        queue("Orders", "broker-a", 1, 3),
        queue("Orders", "broker-b", 0, 2),
        queue("Refunds", "broker-a", 0, 3),
      ],
    },
    { name: "idle", lag: 0, consumeTps: 0, errors: [], queues: [queue("Orders", "broker-a", 0, 0)] },
  ];
  const { types, samples } = parseExposition(renderMetrics(input({ groups })));
  assert.equal(find(samples, "rocketmq_group_lag", { group: "orders", topic: "Orders" })[0]?.value, 10);
  assert.equal(find(samples, "rocketmq_group_lag", { group: "orders", topic: "Refunds" })[0]?.value, 3);
  assert.equal(
    find(samples, "rocketmq_group_lag", { group: "idle", topic: "Orders" })[0]?.value,
    0,
    "a caught-up group reports 0, not nothing",
  );
  assert.deepEqual(
    find(samples, "rocketmq_group_consume_tps").map((s) => [s.labels.group, s.value]),
    [
      ["orders", 4.5],
      ["idle", 0],
    ],
  );
  assert.equal(types.get("rocketmq_group_lag"), "gauge");
});

test("when the groups could not be read there are no lag families, and the failed reads are counted", () => {
  const { types, samples } = parseExposition(
    renderMetrics(input({ groups: null, scrapeErrors: ["no name server answered", "broker-a: timeout"] })),
  );
  assert.equal(types.has("rocketmq_group_lag"), false);
  assert.equal(find(samples, "rocketmq_console_scrape_errors")[0]?.value, 2);
  assert.equal(find(samples, "rocketmq_broker_up")[0]?.value, 1);
});

test("no brokers at all: still a valid exposition (families with HELP and TYPE and no samples)", () => {
  const { samples } = parseExposition(renderMetrics(input({ brokers: [], groups: [] })));
  assert.equal(find(samples, "rocketmq_broker_up").length, 0);
});

test("the console's own figures: memory, heap, and a request counter by route, method and status", () => {
  const requests = new HttpRequestCounter();
  for (let i = 0; i < 3; i++) requests.count("/api/cluster", "GET", 200);
  requests.count("/api/cluster", "GET", 502);
  requests.count("/api/topics", "POST", 200);
  assert.deepEqual(
    requests.entries().sort((a, b) => a.route.localeCompare(b.route) || a.status.localeCompare(b.status)),
    [
      { route: "/api/cluster", method: "GET", status: "200", count: 3 },
      { route: "/api/cluster", method: "GET", status: "502", count: 1 },
      { route: "/api/topics", method: "POST", status: "200", count: 1 },
    ],
  );
  const { types, samples } = parseExposition(renderMetrics(input({ requests })));
  assert.equal(types.get("rocketmq_console_http_requests_total"), "counter");
  assert.equal(find(samples, "rocketmq_console_http_requests_total", { route: "/api/cluster", method: "GET", status: "200" })[0]?.value, 3);
  assert.equal(find(samples, "rocketmq_console_http_requests_total", { status: "502" })[0]?.value, 1);
  assert.equal(find(samples, "rocketmq_console_resident_memory_bytes")[0]?.value, 52_428_800);
  assert.equal(find(samples, "rocketmq_console_heap_used_bytes")[0]?.value, 10_485_760);
  for (const s of samples)
    assert.match(s.name, /^rocketmq_(console_)?[a-z_]+$/, "cluster figures are rocketmq_*, the console's own rocketmq_console_*");
});

/**
 * The console's cluster source with its reads of the cluster replaced: many user groups, two system groups and one
 * group whose read fails; it records the calls. What /metrics does with them is the source's own code.
 */
function fakeSource() {
  const calls = { group: 0, groups: 0, inFlight: 0, mostInFlight: 0, asked: [] as string[] };
  const summaries: GroupSummary[] = [
    ...Array.from({ length: 30 }, (_, i) => ({ name: `app-${i}`, brokers: ["broker-a"], system: false })),
    { name: "TOOLS_CONSUMER", brokers: ["broker-a"], system: true },
    { name: "CID_RMQ_SYS_TRANS", brokers: ["broker-a"], system: true },
    { name: "broken", brokers: ["broker-a"], system: false },
  ];
  const reads: Partial<ClusterSource> = {
    overview: async () => ({ namesrv: "ns:9876", brokers: [broker()] }),
    groups: async () => {
      calls.groups++;
      return summaries;
    },
    group: async (name) => {
      calls.group++;
      calls.asked.push(name);
      calls.mostInFlight = Math.max(calls.mostInFlight, ++calls.inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      calls.inFlight--;
      if (name === "broken") throw new Error("broker-a: no answer to request code 208 within 3000 ms");
      return { name, lag: 2, consumeTps: 1, errors: [], queues: [queue("Orders", "broker-a", 0, 2)] };
    },
  };
  // Own properties shadow the source's methods, for its own calls too; the client is never asked.
  return { source: Object.assign(new RemotingClusterSource(new RemotingClient(), "ns:9876"), reads), calls };
}

test("/metrics: user groups only, bounded fan-out, cached between scrapes; the response is text format 0.0.4", async () => {
  const { source, calls } = fakeSource();
  const app = buildConsole({ config: { user: "admin", password: "correct horse", readOnly: false, sessionHours: 1 }, source });
  const scrape = () =>
    app.inject({ url: "/metrics", headers: { authorization: `Basic ${Buffer.from("admin:correct horse").toString("base64")}` } });
  const first = await scrape();
  assert.equal(first.statusCode, 200);
  assert.match(String(first.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
  const { samples } = parseExposition(first.body);
  assert.ok(!calls.asked.some((n) => n === "TOOLS_CONSUMER" || n.startsWith("CID_RMQ_SYS_")), "system groups are not asked");
  assert.equal(calls.group, 31);
  assert.ok(calls.mostInFlight <= 8, `at most 8 groups read at once, saw ${calls.mostInFlight}`);
  assert.equal(find(samples, "rocketmq_group_lag").length, 30);
  assert.equal(find(samples, "rocketmq_group_lag", { group: "app-7", topic: "Orders" })[0]?.value, 2);
  assert.equal(find(samples, "rocketmq_console_scrape_errors")[0]?.value, 1, "the group that failed is counted");
  assert.equal(find(samples, "rocketmq_broker_up")[0]?.value, 1);

  const second = parseExposition((await scrape()).body);
  assert.equal(calls.group, 31, "a scrape right after the first reads no group again");
  assert.equal(calls.groups, 1);
  assert.equal(
    find(second.samples, "rocketmq_console_http_requests_total", { route: "/metrics", method: "GET", status: "200" })[0]?.value,
    1,
    "the first scrape is counted",
  );
  await app.close();
});
