// What each compose mode must do, as test specs shared by the 5.x and 4.x runs (see describeMode).
import assert from "node:assert/strict";
import { test } from "node:test";
import { dockerOk, eventually, onHost, uniqueId } from "./harness.ts";
import { grpcRoundTrip } from "../clients/grpc-client.ts";
import { goRoundTrip, javaGrpcRoundTrip, pythonRoundTrip } from "../clients/programs.ts";
import type { RoundTrip } from "../../bench/clients/round-trip.ts";
import { roundTripArgs } from "../clients/java-client.ts";
import {
  GROUP_OF_THREE,
  byPort,
  masterNode,
  report,
  type ClusterUnderTest,
  type ModeSpec,
  type RunningCluster,
  type Topology,
} from "./cluster.ts";
import { RemotingClient } from "../../src/remoting/connection.ts";
import { haStatus, topicStats } from "../../src/remoting/admin.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import type { ClusterInfo } from "../../src/remoting/cluster.ts";
import { consoleLogin, generatedPassword, haReplicating } from "./console.ts";
import { browserTour } from "./console-browser.ts";
import { consoleSecurityTests } from "./console-security.ts";
import { PROMISES, renderReport, seconds } from "../chaos/check.ts";
import { brokerAddresses, electsMaster, keepBrokerLogs, listedBy, runSchedule, services, writeReport } from "../chaos/schedule.ts";

const TWO_NAMESRVS = "namesrv-1:9876;namesrv-2:9876";

function sortedClusters(t: Topology): Record<string, string[]> {
  return Object.fromEntries(Object.entries(t.clusters).map(([c, names]) => [c, [...names].sort()]));
}

/** A group of three elected members: one master (id 0) and two others. */
export function assertElectedGroup(ids: Record<string, string[]>, t: Topology): void {
  assert.deepEqual(sortedClusters(t), { DefaultCluster: ["broker-a"] });
  assert.deepEqual(Object.keys(ids), ["broker-a"]);
  const group = ids["broker-a"]!;
  assert.equal(group.length, 3, `broker-a ids: ${group.join(", ")}`);
  assert.ok(group.includes("0"), `no master (id 0) in broker-a: ${group.join(", ")}`);
}

/**
 * Kills the group's master in the middle of a send loop; checks the election, the wait and that nothing is lost.
 * `nodeOf` names the node that advertises a broker address.
 */
export function leaderKillTest(
  cluster: RunningCluster,
  what: string,
  nodeOf: (address: string) => string | undefined,
  before?: () => Promise<void>,
): void {
  test(`${what}: kill the master mid-send → a new master is elected, sends resume within 15 s, nothing acknowledged is lost`, async () => {
    await cluster.createTopic("FailoverTopic");
    await before?.();
    const killed = await masterNode(cluster, nodeOf);
    const runId = uniqueId("fo");
    const stats = await cluster.sendLoop("FailoverTopic", runId, 600, { acks: 300 }, async () => {
      await cluster.kill(killed);
    });
    report(`${cluster.label}: killed master ${killed}; longest wait for an acknowledged send ${(stats.maxGapMs / 1000).toFixed(1)} s`);
    assert.equal(stats.ok, 600);
    assert.ok(stats.maxGapMs < 15_000, `sends stalled for ${stats.maxGapMs} ms`);
    const promoted = await eventually(async () => {
      const now = await masterNode(cluster, nodeOf);
      assert.notEqual(now, killed);
      return now;
    }, 30_000);
    report(`${cluster.label}: ${promoted} is the new master`);
    await cluster.consumeAll("FailoverTopic", runId, 600);
  });
}

/**
 * 2m-2s-sync: kills master broker-a (node `master`) in the middle of a send loop; every acknowledged message is
 * consumed, those of broker-a from its slave. `before` waits until the slaves can serve the topic.
 */
export function zeroLossKillTest(cluster: RunningCluster, master: string, before?: () => Promise<void>): void {
  test(`docker kill master ${master} mid-send → every acknowledged message is consumed (zero loss)`, async () => {
    await before?.();
    await cluster.replicating("ZeroLossTopic");
    const runId = uniqueId("zl");
    const stats = await cluster.sendLoop("ZeroLossTopic", runId, 800, { acks: 100, broker: "broker-a" }, async () => {
      await cluster.kill(master);
    });
    report(
      `${cluster.label}: killed master ${master}; ${stats.ok}/800 SEND_OK; longest wait for an acknowledged send ${(stats.maxGapMs / 1000).toFixed(1)} s; by broker ${JSON.stringify(stats.byBroker)}`,
    );
    assert.equal(stats.ok, 800);
    assert.ok((stats.byBroker["broker-a"] ?? 0) > 0, JSON.stringify(stats.byBroker));
    await cluster.consumeAll("ZeroLossTopic", runId, 800);
  });
}

/** Until `group`'s master reports its slave connected and nothing behind (RocketMQ 5's HA status request). */
async function slaveCaughtUp(cluster: ClusterUnderTest, group: string): Promise<void> {
  const master = (await cluster.topology()).brokers[group]?.addrs["0"];
  assert.ok(master, `no master of ${group}`);
  const client = new RemotingClient({ credentials: cluster.credentials });
  try {
    await eventually(
      async () => {
        const { haConnectionInfo } = await haStatus(client, master);
        assert.equal(haConnectionInfo?.length, 1, `${group}: ${JSON.stringify(haConnectionInfo)}`);
        assert.equal(haConnectionInfo[0]!.diff, 0, `${group}'s slave is ${haConnectionInfo[0]!.diff} bytes behind`);
      },
      60_000,
      500,
    );
  } finally {
    client.close();
  }
}

/**
 * CI's chaos schedule: each kind of fault that a running cluster takes without being rebuilt, once. The name server
 * first: restarted, it knows a broker only at the broker's next registration (every 30 s), by the end of the others.
 */
export const SHORT_SCHEDULE = ["namesrv", "kill", "pause", "partition"];

/**
 * The short chaos schedule on the suite's cluster (RocketMQ 5): a name server killed, then broker-a's master killed,
 * paused and cut off, each held 5 s and the next one once broker-a acknowledges sends and the consumer receives
 * again; the mode must keep its promise (test/chaos/check.ts). The report goes to the test's output and to
 * test-artifacts/chaos-ci-<mode>.json. `before` waits until the mode can keep it (e.g. every replica in sync);
 * `memory` adds the memory fault last (2 MiB messages from 8 threads beside the load; no node may run out of memory).
 */
export function chaosScheduleTest(
  cluster: ClusterUnderTest,
  mode: string,
  options: { before?: () => Promise<void>; memory?: boolean } = {},
): void {
  const faults = options.memory ? [...SHORT_SCHEDULE, "memory"] : SHORT_SCHEDULE;
  test(`the short chaos schedule (${faults.join(", ")}) under load → ${PROMISES[mode]!.says}`, async () => {
    await options.before?.();
    // As the name server clients ask first lists them (the test client's own lookup, without a JVM's start).
    const addresses = async () => brokerAddresses(await listedBy(cluster, onHost(9876)));
    const listedBefore = await listedBy(cluster, onHost(9876));
    const members = brokerAddresses(listedBefore);
    // The `namesrv` fault restarts the first name server, the one published on onHost(9876): what it lists is
    // sampled through the schedule (see relisting below), where its brokers' watchers ask them to register again.
    const brokers = await services(cluster, "broker");
    const watched = !cluster.version.startsWith("4.") && !electsMaster(mode) && brokers.length >= 2;
    const sampler = watched ? sampleListings(cluster, onHost(9876)) : undefined;
    const startedAt = Date.now();
    const r = await runSchedule(cluster, mode, {
      faults,
      faultMs: 5000,
      tailMs: 3000,
      log: (line) => report(`${cluster.label}: ${line}`),
    }).finally(() => sampler?.stop());
    for (const line of renderReport(r).split("\n")) report(line);
    writeReport(`chaos-ci-${mode}`, cluster.version, r);
    if (!r.kept) assert.fail(`${r.why}\n${await keepBrokerLogs(cluster, `chaos-ci-${mode}`, startedAt)}`);
    for (const f of r.faults) assert.notEqual(f.groupBackAfterMs, null, `${f.name}: broker-a acknowledged no send after it was healed`);
    if (electsMaster(mode)) {
      // The pause hits the master elected after the kill.
      const target = (name: string) => r.faults.find((f) => f.name === name)!.target;
      assert.notEqual(target("pause"), target("kill"), "no other master was elected after the kill");
    }
    // The cluster as the tests after it expect: every broker listed again by the name server clients ask first.
    await eventually(async () => assert.deepEqual(await addresses(), members), 60_000, 500);
    if (mode === "dledger") {
      await sameQueuesOnEveryMember(cluster, listedBefore, r.topic!).catch(async (e: Error) =>
        assert.fail(`${e.message}\n${await keepBrokerLogs(cluster, `chaos-ci-${mode}`, startedAt)}`),
      );
    }
    // The name server the `namesrv` fault restarted was not left to RocketMQ's next registration (every 30 s, and
    // meanwhile routes without some brokers): it lists again, within RELISTED_WITHIN_MS of answering, every broker
    // no fault of the schedule touched, whether their watchers asked them to register (RocketMQ 5 brokers whose
    // role is their own; 4.9.7 and elected ones are left to their own schedule) or they registered on their own
    // first. Not in single mode: the kill that follows the name server's recovery at once takes its one broker down.
    if (!sampler) return;
    const samples = await sampler.stop();
    const logs = await Promise.all(
      brokers.map((b) => dockerOk("logs", "--since", String(Math.floor(startedAt / 1000)), cluster.container(b))),
    );
    const prompted = brokers.filter((_, i) => /health-watch: not listed by .*asking the broker to register again/.test(logs[i]!));
    const hit = new Set(r.faults.map((f) => f.group));
    const untouched = Object.entries(listedBefore.brokerAddrTable ?? {})
      .filter(([name]) => !hit.has(name))
      .flatMap(([, b]) => Object.values(b.brokerAddrs ?? {}));
    const relisted = relisting(samples, r.faults.find((f) => f.name === "namesrv")!.healedAt, untouched);
    const how = prompted.length ? `its watcher asked ${prompted.join(", ")} to register` : "the brokers registered on their own first";
    report(
      `${cluster.label}: the restarted name server answered ${seconds(relisted.answeredAfterMs)} after its start and listed ${untouched.join(", ")} ${seconds(relisted.listedAfterMs)} later; ${how}`,
    );
    assert.ok(
      relisted.listedAfterMs !== undefined && relisted.listedAfterMs <= RELISTED_WITHIN_MS,
      // What happened instead: the watchers' prompts and the brokers' own registrations (RocketMQ's, every 30 s),
      // to tell a name server too slow for the watcher from a watcher that did not ask.
      `the restarted name server did not list ${untouched.join(", ")} within ${RELISTED_WITHIN_MS / 1000} s of answering (${seconds(relisted.listedAfterMs)}); since the schedule began:\n${brokers
        .map(
          (b, i) =>
            `${b}:\n  ${logs[i]!.split("\n")
              .filter((l) => /health-watch|Registering current broker/.test(l))
              .join("\n  ")}`,
        )
        .join("\n")}`,
    );
  });
}

/**
 * Every member of each DLedger group serves the topic's queues with the same offsets once the load is over. A member
 * whose crash recovery cut its consume queues (RocketMQ 5.5.0's, docs/operations.md) serves fewer, and a consumer
 * would meet the gap only once that member leads, which the schedule may not bring about. `listed`: the groups and
 * their members, as the name server listed them (the test has waited until it lists them all again).
 */
async function sameQueuesOnEveryMember(cluster: ClusterUnderTest, listed: ClusterInfo, topic: string): Promise<void> {
  const client = new RemotingClient({ credentials: cluster.credentials, timeoutMs: 5000 });
  try {
    await eventually(
      async () => {
        for (const [group, b] of Object.entries(listed.brokerAddrTable ?? {})) {
          const served = await Promise.all(
            Object.values(b.brokerAddrs ?? {}).map(async (address) => {
              const queues = await topicStats(client, address, topic); // in queue order
              return `${address}: ${queues.map((q) => `${q.queueId}:${q.minOffset}-${q.maxOffset}`).join(" ")}`;
            }),
          );
          const offsets = new Set(served.map((line) => line.slice(line.indexOf(": "))));
          assert.equal(offsets.size, 1, `${group}'s members serve ${topic}'s queues (id:min-max) differently:\n${served.join("\n")}`);
        }
      },
      30_000,
      1000,
    );
  } finally {
    client.close();
  }
}

/**
 * How long a name server restarted by the schedule may take, once it answers, to list again the brokers no fault
 * touched: a broker's watcher notices within a check or two (2 s apart) and asks it to register; RocketMQ's own
 * registration, every 30 s, would often miss it.
 */
const RELISTED_WITHIN_MS = 15_000;

interface ListingSample {
  askedAt: number;
  answeredAt: number;
  /** undefined: no answer. */
  addresses?: string[];
}

/** What one name server lists, asked every half second until stopped (each answer awaited before the next). */
function sampleListings(cluster: ClusterUnderTest, namesrv: string): { stop: () => Promise<ListingSample[]> } {
  const samples: ListingSample[] = [];
  let stopped = false;
  const sampling = (async () => {
    while (!stopped) {
      const askedAt = Date.now();
      const info = await listedBy(cluster, namesrv).catch(() => undefined);
      samples.push({ askedAt, answeredAt: Date.now(), addresses: info && brokerAddresses(info) });
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await sampling;
      return samples;
    },
  };
}

/** After a name server's start at `startedAt`: when it first answered, and how much later it listed all of `expected`. */
function relisting(samples: ListingSample[], startedAt: number, expected: string[]): { answeredAfterMs?: number; listedAfterMs?: number } {
  const answers = samples.filter((s) => s.askedAt >= startedAt && s.addresses);
  const first = answers[0];
  if (!first) return {};
  const listed = answers.find((s) => expected.every((a) => s.addresses!.includes(a)));
  return { answeredAfterMs: first.answeredAt - startedAt, listedAfterMs: listed && Math.max(0, listed.answeredAt - first.answeredAt) };
}

/** With the proxy overlay (5.x): the gRPC client and the Java client through the proxy. */
function proxyTests(cluster: ClusterUnderTest): void {
  test(`the gRPC client (npm rocketmq-client-nodejs) round-trips 200 messages through the proxy at ${onHost(8081)}; the console lists it`, async () => {
    await cluster.createTopic("GrpcTopic");
    const runId = uniqueId("grpc");
    const session = await consoleLogin(await generatedPassword(cluster));
    const roundTrip = grpcRoundTrip(onHost(8081), "GrpcTopic", 200, runId, { credentials: cluster.credentials });
    // Brokers do not know of gRPC clients; the proxy does, and the console asks it (CONSOLE_PROXY_ADDR).
    const listed = await eventually(async () => {
      const g = await session.get<{ connections: { clientId: string; language: string; via: string }[] }>(
        `/api/groups/${encodeURIComponent(`${runId}-consumer`)}`,
      );
      const viaProxy = g.connections.find((c) => c.via === "proxy proxy:8080");
      assert.ok(viaProxy, JSON.stringify(g.connections));
      return viaProxy;
    }, 60_000);
    report(`${cluster.label}: the console lists the gRPC consumer through the proxy: ${JSON.stringify(listed)}`);
    assert.notEqual(listed.language, "JAVA");
    const { sent, received } = await roundTrip;
    assert.equal(sent, 200);
    assert.equal(received, 200);
  });
  // The client matrix: clients of other languages, each on a topic of its own made just before (a new gRPC
  // consumer group of a topic that already holds messages starts at its end).
  const matrix: [string, RoundTrip, string][] = [
    ["Apache RocketMQ's Go client (rocketmq-client-go/v2, remoting) through the name servers", goRoundTrip, onHost(9876)],
    ["Apache RocketMQ's 5.x Python client (rocketmq-python-client) through the proxy's gRPC port", pythonRoundTrip, onHost(8081)],
    ["Apache RocketMQ's 5.x Java client (rocketmq-client-java, gRPC) through the proxy's gRPC port", javaGrpcRoundTrip, onHost(8081)],
  ];
  for (const [client, roundTrip, address] of matrix) {
    test(`${client} round-trips 200 messages`, async () => {
      const topic = uniqueId("Matrix");
      await cluster.createTopic(topic);
      const started = Date.now();
      const { sent, received } = await roundTrip(address, topic, 200, uniqueId("mx"), { credentials: cluster.credentials });
      report(`${cluster.label}: ${client}: sent ${sent}, received ${received} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.equal(sent, 200);
      assert.equal(received, 200);
    });
  }
  test(`the official Java client round-trips 500 messages through the proxy's remoting port ${onHost(8080)}`, async () => {
    const runId = uniqueId("px");
    const r = await cluster.hostClient(roundTripArgs(onHost(8080), "GrpcTopic", 500, runId));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /RECEIVED 500\b/);
  });
}

/** Three runs of 60 messages; the console's window between the first run's last ack and the third's start holds the second exactly. */
function browseByTimeTest(cluster: ClusterUnderTest): void {
  test("the console's messages by time: exactly those stored in a window, over every queue of both masters, a page at a time", async () => {
    const session = await consoleLogin(await generatedPassword(cluster));
    await cluster.createTopic("WindowTopic");
    const send = async (runId: string) => {
      const r = await cluster.client(["--topic", "WindowTopic", "--count", "60", "--mode", "send", "--run-id", runId]);
      assert.match(r.stdout, /SENT 60 ok=60\b/, r.stdout + r.stderr);
    };
    await send(uniqueId("before"));
    // Acknowledged means stored: everything before `begin` is the first run's, and the third run starts after `end`.
    const begin = Date.now() + 1;
    const inside = uniqueId("inside");
    await send(inside);
    const end = Date.now();
    await send(uniqueId("after"));

    type Page = { total: number; cursor: string | null; messages: { body: string; keys: string[]; brokerName: string; queueId: number }[] };
    const seen: Page["messages"] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = new URLSearchParams({ begin: String(begin), end: String(end), pageSize: "25", ...(cursor ? { cursor } : {}) });
      const page: Page = await session.get<Page>(`/api/topics/WindowTopic/messages?${query}`);
      seen.push(...page.messages);
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);
    assert.deepEqual(
      seen.map((m) => m.body).sort(),
      Array.from({ length: 60 }, (_, i) => `${inside}-${i}`).sort(),
      "the second run's messages, each once",
    );
    assert.deepEqual([...new Set(seen.map((m) => m.brokerName))].sort(), ["broker-a", "broker-b"]);
    const filtered = await session.get<Page>(
      `/api/topics/WindowTopic/messages?${new URLSearchParams({ begin: String(begin), end: String(end), pageSize: "100", text: `${inside}-1` })}`,
    );
    assert.deepEqual(
      filtered.messages.map((m) => m.body).sort(),
      [1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19].map((i) => `${inside}-${i}`).sort(),
    );
    report(
      `${cluster.label}: console browsed a 60-message window in ${pages} pages of 25 over ${new Set(seen.map((m) => `${m.brokerName}/${m.queueId}`)).size} queues`,
    );
  });
}

export function twoMastersNoSlave(version?: string, options: { proxy?: boolean } = {}): ModeSpec {
  return {
    mode: "2m-noslave",
    version,
    overlays: options.proxy ? ["proxy"] : [],
    networkNamesrv: TWO_NAMESRVS,
    topology: (ids, t) => {
      assert.deepEqual(sortedClusters(t), { DefaultCluster: ["broker-a", "broker-b"] });
      assert.deepEqual(ids, { "broker-a": ["0"], "broker-b": ["0"] });
    },
    more: (cluster) => {
      // With the proxy in front (CI's run), the memory fault's messages go through it.
      chaosScheduleTest(cluster, "2m-noslave", { memory: true });
      if (options.proxy) proxyTests(cluster);
    },
  };
}

export function twoMastersTwoSlaves(replication: "async" | "sync", version?: string): ModeSpec {
  return {
    mode: `2m-2s-${replication}`,
    version,
    // The browser tour (async, RocketMQ 5) opens a message's trace.
    trace: replication === "async",
    networkNamesrv: TWO_NAMESRVS,
    topology: (ids, t) => {
      assert.deepEqual(sortedClusters(t), { DefaultCluster: ["broker-a", "broker-b"] });
      assert.deepEqual(ids, { "broker-a": ["0", "1"], "broker-b": ["0", "1"] });
    },
    more: (cluster) => {
      // RocketMQ 4 keeps its one-fault test (zeroLossKillTest); 5.x runs the chaos schedule.
      const chaos = !cluster.version.startsWith("4.");
      test("the console's HA view shows both pairs replicating, each slave's lag in bytes", async () => {
        const session = await consoleLogin(await generatedPassword(cluster));
        const groups = await haReplicating(session);
        assert.deepEqual(groups.map((g) => g.brokerName).sort(), ["broker-a", "broker-b"]);
        for (const g of groups) {
          assert.equal(g.mode, "master-slave");
          const slave = g.members.find((m) => m.brokerId === 1)!;
          assert.ok(slave.lagBytes !== null && slave.lagBytes >= 0, JSON.stringify(g));
        }
        report(
          `${cluster.label}: console HA view ${groups.map((g) => `${g.brokerName} ${g.members.map((m) => `${m.role}${m.brokerId ? ` behind ${m.lagBytes} B` : ""}`).join(", ")}`).join("; ")}`,
        );
      });
      if (replication === "sync" && !cluster.version.startsWith("4.")) {
        // updateSubGroup goes the same way (test/unit/mqadmin.test.ts runs the script with both).
        test("the image's mqadmin updateTopic -c reaches the slaves too: each serves the topic at once", async () => {
          const topic = `MqadminTopic${Date.now()}`;
          const container = cluster.container(await cluster.brokerService());
          await dockerOk("exec", container, "mqadmin", "updateTopic", "-c", "DefaultCluster", "-t", topic, "-n", cluster.networkNamesrv);
          const client = new RemotingClient({ credentials: cluster.credentials });
          try {
            for (const [name, { addrs }] of Object.entries((await cluster.topology()).brokers)) {
              const slave = addrs["1"]!;
              const stats = await client.request(slave, RequestCode.GET_TOPIC_STATS_INFO, { extFields: { topic } });
              assert.equal(stats.code, 0, `${name}'s slave ${slave}: ${stats.remark ?? ""}`);
            }
          } finally {
            client.close();
          }
        });
      }
      if (replication === "async" && !cluster.version.startsWith("4.")) {
        browserTour(cluster);
        consoleSecurityTests(cluster);
        browseByTimeTest(cluster);
      }
      test("replication mode and flush are what the mode says", async () => {
        // Topics of the failover tests below, created early: 4.x slaves learn them from their masters within a minute.
        await cluster.createTopic("SlaveReadTopic");
        await cluster.createTopic("ZeroLossTopic");
        const conf = await dockerOk("exec", cluster.container("broker-a"), "cat", "/tmp/rocketmq/broker.conf");
        assert.match(conf, new RegExp(`^brokerRole=${replication === "sync" ? "SYNC_MASTER" : "ASYNC_MASTER"}$`, "m"));
        assert.match(conf, new RegExp(`^flushDiskType=${replication === "sync" ? "SYNC_FLUSH" : "ASYNC_FLUSH"}$`, "m"));
        // On 5.x a SYNC_MASTER waits for its slave only with inSyncReplicas=2 (4.x has no such key and always waits).
        if (replication === "sync" && !cluster.version.startsWith("4.")) assert.match(conf, /^inSyncReplicas=2$/m);
      });
      if (!cluster.version.startsWith("4.")) {
        test("the HA status request shows each master's slave connected and in sync, and each slave's master", async () => {
          const t = await cluster.topology();
          const client = new RemotingClient({ credentials: cluster.credentials });
          try {
            for (const [name, { addrs }] of Object.entries(t.brokers)) {
              const master = await haStatus(client, addrs["0"]!);
              assert.equal(master.master, true, name);
              assert.equal(master.haConnectionInfo?.length, 1, `${name}: one slave connected: ${JSON.stringify(master)}`);
              assert.ok(master.haConnectionInfo![0]!.diff >= 0);
              const slave = await haStatus(client, addrs["1"]!);
              assert.equal(slave.master, false, name);
              assert.equal(
                slave.haClientRuntimeInfo?.masterAddr?.split(":").pop(),
                String(Number(addrs["0"]!.split(":").pop()) + 1),
                `${name}: the slave dials its master's HA port`,
              );
            }
          } finally {
            client.close();
          }
        });
      }
      if (chaos) chaosScheduleTest(cluster, `2m-2s-${replication}`, { memory: replication === "sync" });
      test("stop master broker-a → its messages are consumed from its slave", async () => {
        await cluster.slavesKnow("SlaveReadTopic");
        if (replication === "sync") await cluster.replicating("SlaveReadTopic");
        const runId = uniqueId("slave");
        const sent = await cluster.hostClient(["--topic", "SlaveReadTopic", "--count", "1000", "--mode", "send", "--run-id", runId]);
        assert.equal(sent.code, 0, sent.stdout + sent.stderr);
        assert.ok((JSON.parse(/SEND_STATS (\{.*\})/.exec(sent.stdout)![1]!).byBroker["broker-a"] ?? 0) > 0);
        // An asynchronous slave may still be catching up (its link re-made after the chaos schedule's faults):
        // stopped before it has everything, the master would take messages away with it, as the mode allows.
        if (chaos) await slaveCaughtUp(cluster, "broker-a");
        await cluster.project.ok("stop", "broker-a");
        await cluster.consumeAll("SlaveReadTopic", runId, 1000);
        // RocketMQ 4's kill test below needs the master back; without it, this is the mode's last test.
        if (!chaos && replication === "sync") await cluster.project.ok("up", "-d", "--wait", "broker-a");
      });
      if (!chaos && replication === "sync") zeroLossKillTest(cluster, "broker-a", () => cluster.slavesKnow("ZeroLossTopic"));
    },
  };
}

export function dledger(version?: string): ModeSpec {
  return {
    mode: "dledger",
    version,
    networkNamesrv: TWO_NAMESRVS,
    topology: assertElectedGroup,
    more: (cluster) => {
      test("the console's HA view shows the DLedger group replicating, with its leader and term", async () => {
        const session = await consoleLogin(await generatedPassword(cluster));
        const [group] = await haReplicating(session);
        assert.equal(group!.mode, "dledger");
        assert.match(group!.dledger?.leaderId ?? "", /^n\d$/);
        assert.ok((group!.dledger?.term ?? 0) >= 1, JSON.stringify(group));
        report(`${cluster.label}: console HA view leader ${group!.dledger?.leaderId} term ${group!.dledger?.term}`);
      });
      if (cluster.version.startsWith("4.")) leaderKillTest(cluster, "DLedger", byPort(GROUP_OF_THREE));
      else chaosScheduleTest(cluster, "dledger");
    },
  };
}

/**
 * Until all three replicas of broker-a are in the controller's SyncStateSet (`mqadmin` in `container`, asking
 * `controller`): allAckInSyncStateSet guards only the replicas in it.
 */
export async function allInSyncStateSet(container: string, controller: string): Promise<void> {
  await eventually(
    async () => {
      const out = await dockerOk("exec", container, "mqadmin", "getSyncStateSet", "-a", controller, "-b", "broker-a");
      // Lines that start with it: a stale id of a re-registered replica is listed as "NotInSyncReplica:".
      assert.equal(out.match(/^[ \t]*InSyncReplica:/gm)?.length, 3, out);
    },
    60_000,
    2000,
  );
}

export function controller(version?: string): ModeSpec {
  return {
    mode: "controller",
    version,
    networkNamesrv: "namesrv-1:9876;namesrv-2:9876;namesrv-3:9876",
    topology: assertElectedGroup,
    more: (cluster) => {
      test("the console's HA view shows the controller's SyncStateSet with all three members", async () => {
        const session = await consoleLogin(await generatedPassword(cluster));
        const [group] = await haReplicating(session, 90_000);
        assert.equal(group!.mode, "controller");
        assert.equal(group!.controller?.syncStateSet.length, 3, JSON.stringify(group));
      });
      chaosScheduleTest(cluster, "controller", { before: () => allInSyncStateSet(cluster.container("broker-a-n1"), "namesrv-1:9878") });
    },
  };
}
