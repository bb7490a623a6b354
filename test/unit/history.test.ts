// The console's history without a cluster: the rings (wrap-around, gaps, series dropped once empty), rates from
// written counts, the overview's rankings, the sampler over a ClusterSource with failing parts, the variables, and
// the routes' validation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildConsole } from "../../src/console/app.ts";
import type { BrokerView, ClusterSource, GroupDetail } from "../../src/console/cluster-source.ts";
import { ConsoleConfigError, consoleConfig } from "../../src/console/config.ts";
import { History, Rings, readCluster, startSampling, type HistorySettings, type Reading } from "../../src/console/history.ts";

const settings: HistorySettings = { intervalMs: 60_000, points: 5, maxTopics: 100, maxGroups: 2 };
const broker = (brokerName: string, tpsIn: number | null): BrokerView => ({
  cluster: "DefaultCluster",
  brokerName,
  brokerId: 0,
  address: `${brokerName}:10911`,
  role: "master",
  version: "V5_5_0",
  tpsIn,
  tpsOut: tpsIn === null ? null : tpsIn / 2,
  diskUsedRatio: 0.25,
  warnings: [],
});
const group = (name: string, lag: number): GroupDetail => ({ name, lag, consumeTps: 1, queues: [], errors: [] });
const reading = (parts: Partial<Reading>): Reading => ({ brokers: null, topics: null, groups: null, errors: [], ...parts });
const written = (entries: Record<string, number>) => ({ written: new Map(Object.entries(entries)), skipped: 0, errors: [] });

test("rings: a fixed capacity, oldest first after wrapping, gaps as null, a series gone from the whole ring dropped", () => {
  const rings = new Rings(3);
  rings.append(1, new Map([["a", 1]]));
  rings.append(2, new Map([["b", 2]]));
  assert.deepEqual(rings.read(["a", "b", "c"]), {
    times: [1, 2],
    values: [
      [1, null],
      [null, 2],
      [null, null],
    ],
  });
  for (let t = 3; t <= 5; t++) rings.append(t, new Map([["b", t]]));
  assert.deepEqual(rings.read(["a", "b"]), {
    times: [3, 4, 5],
    values: [
      [null, null, null],
      [3, 4, 5],
    ],
  });
  assert.equal(rings.size, 1, "a's last value left the ring: its series is dropped");
  assert.deepEqual(rings.read(["b"], 4).times, [4, 5], "since: only the times at or after it");
  assert.equal(rings.read(["b"], 4).values[0]!.length, 2);
});

test("history: each broker's figures, a topic's TPS from its written count, none across a deletion", () => {
  const history = new History(settings);
  history.record(0, reading({ brokers: [broker("broker-a", 10), broker("broker-b", null)], topics: written({ T: 100, U: 50 }) }));
  history.record(60_000, reading({ brokers: [broker("broker-a", 20)], topics: written({ T: 700, U: 10 }) }));
  history.record(120_000, reading({ topics: written({ T: 1300, U: 70 }) }));
  const o = history.overview(-Infinity);
  assert.deepEqual(o.tpsIn.times, [0, 60_000, 120_000]);
  assert.deepEqual(o.tpsIn.series, [{ name: "broker-a/0", values: [10, 20, null] }], "broker-b answered nothing: no series");
  assert.deepEqual(o.disk.series[0]!.values, [0.25, 0.25, null]);
  assert.deepEqual(history.topic("T", -Infinity).series[0]!.values, [null, 10, 10], "600 messages in 60 s, twice");
  assert.deepEqual(history.topic("U", -Infinity).series[0]!.values, [null, null, 1], "the count went down (made again): no rate then");
  assert.equal(history.topic("T", -Infinity).intervalSeconds, 60);
});

test("history: the overview ranks topics by TPS and groups by lag over the window; groups past the limit are not kept", () => {
  const history = new History({ ...settings, points: 10 });
  const groups = [group("G-low", 5), group("G-high", 500), group("Z-past-the-limit", 10_000)];
  history.record(0, reading({ topics: written({ Slow: 0, Fast: 0, Idle: 0 }), groups }));
  history.record(1000, reading({ topics: written({ Slow: 1, Fast: 100, Idle: 0 }), groups }));
  const o = history.overview(-Infinity);
  assert.deepEqual(
    o.topTopics.series.map((s) => s.name),
    ["Fast", "Slow"],
    "an idle topic is not among the busiest",
  );
  assert.deepEqual(
    o.topGroups.series.map((s) => s.name),
    ["G-high", "G-low"],
  );
  assert.deepEqual(history.sparklines("groups", ["G-low", "Nope"], -Infinity).series, [
    { name: "G-low", values: [5, 5] },
    { name: "Nope", values: [null, null] },
  ]);
  assert.deepEqual(history.group("G-high", -Infinity).series, [
    { name: "lag", values: [500, 500] },
    { name: "consume TPS", values: [1, 1] },
  ]);
});

test("the sampler: a part that fails leaves a gap and says why; the rest is kept; it stops when told", async () => {
  const failing = {
    overview: async () => ({ namesrv: "ns:9876", brokers: [broker("broker-a", 3)] }),
    topicsWritten: async () => {
      throw new Error("connect ECONNREFUSED 10.0.0.9:10911");
    },
    groupsProgress: async () => ({ groups: [group("G", 7)], errors: ["broker-b: timeout"] }),
  } as unknown as ClusterSource;
  const r = await readCluster(failing, settings);
  assert.equal(r.topics, null);
  assert.deepEqual(r.errors, ["topics: connect ECONNREFUSED 10.0.0.9:10911", "broker-b: timeout"]);
  const history = new History({ ...settings, intervalMs: 20 });
  const stop = startSampling(history, failing);
  const sampled = () => history.overview(-Infinity).tpsIn.times.length;
  while (sampled() < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  stop();
  const samples = sampled();
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(history.overview(-Infinity).tpsIn.times.length, samples, "no sample after stop()");
  assert.deepEqual(history.lastErrors, r.errors);
});

test("config: the history's variables, their defaults, and every bad one named at once", () => {
  const base = { NAMESRV_ADDR: "ns:9876", CONSOLE_PASSWORD: "long enough" };
  assert.deepEqual(consoleConfig(base, () => undefined).history, { intervalMs: 60_000, points: 1440, maxTopics: 1000, maxGroups: 1000 });
  assert.deepEqual(
    consoleConfig({ ...base, CONSOLE_HISTORY_INTERVAL_SECONDS: "5", CONSOLE_HISTORY_TOPICS: "0" }, () => undefined).history,
    { intervalMs: 5000, points: 1440, maxTopics: 0, maxGroups: 1000 },
  );
  assert.throws(
    () => consoleConfig({ ...base, CONSOLE_HISTORY_INTERVAL_SECONDS: "0", CONSOLE_HISTORY_POINTS: "1e9" }, () => undefined),
    (e: ConsoleConfigError) =>
      e.problems.some((p) => p.startsWith("CONSOLE_HISTORY_INTERVAL_SECONDS") && p.includes("1 to 3600")) &&
      e.problems.some((p) => p.startsWith("CONSOLE_HISTORY_POINTS") && p.includes("10 to 100000")),
  );
});

test("routes: the charts after login; names checked as RocketMQ's, at most 100 per sparkline request", async () => {
  const history = new History(settings);
  history.record(Date.now() - 120_000, reading({ brokers: [broker("broker-a", 1)], topics: written({ T: 0 }) }));
  history.record(Date.now(), reading({ brokers: [broker("broker-a", 2)], topics: written({ T: 60 }) }));
  const app = buildConsole({
    config: { user: "admin", password: "correct horse", readOnly: false, sessionHours: 1 },
    source: {} as ClusterSource,
    history,
  });
  assert.equal((await app.inject({ url: "/api/history" })).statusCode, 401);
  const login = await app.inject({ method: "POST", url: "/api/login", payload: { user: "admin", password: "correct horse" } });
  const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
  const get = (url: string) => app.inject({ url, headers: { cookie } });
  const overview = (await get("/api/history?minutes=1")).json() as { tpsIn: { times: number[]; series: { values: number[] }[] } };
  assert.deepEqual(overview.tpsIn.series[0]!.values, [2], "only the last minute's sample");
  assert.equal((await get("/api/history/topics/T?minutes=525600")).json().series[0].values.length, 2);
  assert.equal((await get("/api/history/sparklines?kind=topics&names=T,%25RETRY%25G")).statusCode, 200);
  for (const bad of [
    "/api/history?minutes=0",
    "/api/history/topics/%3Cscript%3E",
    "/api/history/sparklines?kind=topics&names=a%20b",
    "/api/history/sparklines?kind=brokers&names=a",
    `/api/history/sparklines?kind=groups&names=${Array.from({ length: 101 }, (_, i) => `G${i}`).join(",")}`,
  ])
    assert.equal((await get(bad)).statusCode, 400, bad);
  const without = buildConsole({
    config: { user: "admin", password: "correct horse", readOnly: false, sessionHours: 1 },
    source: {} as ClusterSource,
  });
  const c2 = String(
    (await without.inject({ method: "POST", url: "/api/login", payload: { user: "admin", password: "correct horse" } })).headers[
      "set-cookie"
    ],
  ).split(";")[0]!;
  assert.equal((await without.inject({ url: "/api/history", headers: { cookie: c2 } })).statusCode, 404);
});
