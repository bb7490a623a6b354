// One compose cluster mode under test: bring it up (timed), read the topology the name server reports, round-trip
// messages with the official Java client from the host and from a container, and kill nodes in a send loop.
import assert from "node:assert/strict";
import { appendFileSync, chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DEFAULT_ROCKETMQ_VERSION } from "../../src/images/versions.ts";
import {
  consumeArgs,
  javaClientContainerCommand,
  prepareJavaClient,
  runJavaClientOnHost,
  type JavaClientResult,
} from "../clients/java-client.ts";
import { ComposeProject, REPO_ROOT, docker, dockerOk, ensureImages, eventually, onHost, sh, uniqueId } from "./harness.ts";
import { oneShot, request } from "../../src/remoting/client.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import type { Credentials } from "../../src/remoting/auth.ts";
import { getUser } from "../../src/remoting/acl.ts";
import { subscriptionGroup } from "../../src/remoting/admin.ts";
import { RemotingClient } from "../../src/remoting/connection.ts";
import { topicRoute } from "../../src/remoting/route.ts";
import { clusterInfo, type ClusterInfo } from "../../src/remoting/cluster.ts";
import { fromAnyNamesrv } from "../../src/remoting/namesrv.ts";
import { createTopic as createTopicOnEveryBroker } from "../../src/remoting/topics.ts";
import { CONSOLE_URL, consoleLogin, generatedPassword } from "./console.ts";
import { ANONYMOUS_ATTACKS, runAttacks } from "../attacks/console.ts";

/** The admin password of the clusters with AUTH_ENABLED: CI fails when this value appears in the test output. */
export const TEST_PASSWORD = "S3cr3t-VALUE-xyz";

/** What RoundTrip --route prints: clusters → broker names, broker name → { id → address }. */
export interface Topology {
  clusters: Record<string, string[]>;
  brokers: Record<string, { addrs: Record<string, string> }>;
}

/** One name server's cluster list, signed with `credentials`, over a client of its own (closed after). */
export async function clusterListing(namesrv: string, credentials?: Credentials, timeoutMs?: number): Promise<ClusterInfo> {
  const client = new RemotingClient({ credentials, timeoutMs });
  try {
    return await clusterInfo(namesrv, client);
  } finally {
    client.close();
  }
}

/**
 * The cluster list of the first of `namesrvs` to answer, as a Topology, read with src/remoting's client (no JVM
 * start). Asked again for up to 30 s: a name server can be slow to answer right after a whole cluster turned
 * healthy on a 2-core machine, or be one a fault just restarted.
 */
export function listedTopology(namesrvs: string[], credentials?: Credentials): Promise<Topology> {
  const listing = () => fromAnyNamesrv(namesrvs, (n) => clusterListing(n, credentials, 10_000));
  return eventually(async () => topologyOf((await listing()).value), 30_000, 1000);
}

/** A name server's cluster list as the Java client's route mode prints it. */
export function topologyOf(info: ClusterInfo): Topology {
  const clusters = Object.fromEntries(Object.entries(info.clusterAddrTable ?? {}).map(([c, groups]) => [c, [...groups].sort()]));
  const brokers = Object.fromEntries(
    Object.entries(info.brokerAddrTable ?? {}).map(([name, group]) => [name, { addrs: { ...group.brokerAddrs } }]),
  );
  return { clusters, brokers };
}

export interface SendStats {
  sent: number;
  ok: number;
  maxGapMs: number;
  byBroker: Record<string, number>;
}

/**
 * A running cluster as the round-trip and failover tests see it: where the official Java client runs to reach its
 * name servers, and how one of its nodes is killed. Compose modes run the client on the host; the chart's pods
 * (test/helm/pods.ts) run it in a container on their network.
 */
export abstract class RunningCluster {
  abstract readonly label: string;
  /** RoundTrip with `args`, already pointed at the cluster's name servers and signed as the cluster requires. */
  abstract client(args: string[]): Promise<JavaClientResult>;
  /** SIGKILL to one node (a compose service, a pod). */
  abstract kill(node: string): Promise<unknown>;

  /** Creates the topic on every broker (masters and slaves). */
  async createTopic(topic: string): Promise<void> {
    const r = await this.client(["--topic", topic, "--count", "0", "--mode", "send", "--create-topic"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  }

  /**
   * Waits until a SYNC_MASTER's writes are replicated again (20 probe sends all SEND_OK): a slave reconnects to
   * its master's HA port a few seconds after either starts, and until then writes are stored on the master only.
   */
  async replicating(topic: string): Promise<void> {
    await eventually(
      async () => {
        const r = await this.client(["--topic", topic, "--count", "20", "--mode", "send", "--run-id", uniqueId("probe")]);
        assert.match(r.stdout, /SENT 20 ok=20\b/, r.stdout + r.stderr);
      },
      60_000,
      1000,
    );
  }

  async topology(): Promise<Topology> {
    // A name server that did not answer the cluster list in time (a loaded machine, one a fault just restarted) is
    // asked again: the client then prints clusterError instead of the brokers.
    return eventually(
      async () => {
        const r = await this.client(["--topic", "TopologyProbe", "--count", "0", "--mode", "route"]);
        const line = r.stdout.split("\n").find((l) => l.startsWith("CLUSTER "));
        assert.ok(line, r.stdout + r.stderr);
        const t = JSON.parse(line.slice("CLUSTER ".length)) as Topology & { clusterError?: string };
        assert.ok(t.brokers, `no cluster list from the name server: ${t.clusterError ?? line}`);
        return t;
      },
      30_000,
      1000,
    );
  }

  /**
   * Sends `count` messages 10 ms apart and runs `during` after `afterMs`; every message is retried until
   * acknowledged (SEND_OK), so each id has an acknowledged copy, and the stats say how long producers waited
   * (maxGapMs) and where messages went.
   */
  /**
   * Sends `count` messages 10 ms apart and runs `during` (a fault) once `acks` of them were acknowledged, by
   * `broker` when given: a fault at a fixed time would land before the first send when the client's JVM starts slowly.
   */
  async sendLoop(
    topic: string,
    runId: string,
    count: number,
    when: { acks: number; broker?: string },
    during: () => Promise<void>,
  ): Promise<SendStats> {
    // Written by the client on the host or in a container (uid 3000, the directory mounted at the same path).
    const eventsDir = mkdtempSync(join(tmpdir(), "send-loop-"));
    const events = join(eventsDir, "events");
    writeFileSync(events, "");
    chmodSync(eventsDir, 0o777);
    chmodSync(events, 0o666);
    let exited = false;
    const sending = this.client([
      "--topic",
      topic,
      "--count",
      String(count),
      "--mode",
      "send",
      "--interval-ms",
      "10",
      "--until-ok",
      "--run-id",
      runId,
      "--timeout-seconds",
      "180",
      "--events",
      events,
    ]).finally(() => (exited = true));
    const acknowledged = (): number =>
      readFileSync(events, "utf8")
        .split("\n")
        .filter((line) => line.startsWith("A ") && (when.broker === undefined || line.split(" ")[3] === when.broker)).length;
    await eventually(
      async () => {
        if (exited) assert.fail(`the client ended before ${when.acks} acknowledged sends: ${JSON.stringify(await sending)}`);
        const n = acknowledged();
        assert.ok(n >= when.acks, `${n} of ${when.acks} acknowledged sends${when.broker ? ` by ${when.broker}` : ""}`);
      },
      120_000,
      100,
    );
    const lines = readFileSync(events, "utf8").split("\n").length - 1;
    report(
      `${this.label}: the fault comes after ${acknowledged()} sends acknowledged${when.broker ? ` by ${when.broker}` : ""} (${lines} events)`,
    );
    await during();
    const r = await sending;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return parseSendStats(r.stdout);
  }

  /** Consumes a run with a new group; asserts that every one of `count` messages arrives. */
  async consumeAll(topic: string, runId: string, count: number): Promise<void> {
    const r = await this.client(consumeArgs(topic, count, runId, uniqueId("g")));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`RECEIVED ${count}\\b`), r.stdout);
  }
}

export class ClusterUnderTest extends RunningCluster {
  readonly project: ComposeProject;
  readonly version: string;
  readonly label: string;
  /** Name server list for clients on the compose network. */
  readonly networkNamesrv: string;

  /** With auth: what every client of the tests signs with (the admin of AUTH_ENABLED). */
  readonly credentials: Credentials | undefined;

  /** With bootstrap: the file the compose file's `bootstrap` service watches (rewrite it in place). */
  readonly bootstrapFile: string | undefined;

  constructor(
    mode: string,
    options: {
      version?: string;
      networkNamesrv: string;
      files?: string[];
      auth?: boolean;
      bootstrap?: boolean;
      trace?: boolean;
      /** The compose project (and so its volumes); by default one per mode and version. */
      project?: string;
    },
  ) {
    super();
    this.version = options.version ?? DEFAULT_ROCKETMQ_VERSION;
    const extras = [...(options.auth ? ["AUTH_ENABLED"] : []), ...(options.bootstrap ? ["bootstrap"] : [])];
    this.label = `${[mode, ...(options.files ?? []), ...extras].join(" + ")} (RocketMQ ${this.version})`;
    this.credentials = options.auth ? { accessKey: "admin", secretKey: TEST_PASSWORD } : undefined;
    if (options.bootstrap) {
      this.bootstrapFile = join(mkdtempSync(join(tmpdir(), "bootstrap-")), "bootstrap.yml");
      // As the docs say: the image's user (uid 3000) reads it, nobody else (it holds a password).
      writeFileSync(this.bootstrapFile, modeBootstrapText(2), { mode: 0o600 });
      chownSync(this.bootstrapFile, 3000, 3000);
    }
    this.project = new ComposeProject(options.project ?? `rmqtest-${mode}-${this.version.replace(/\./g, "")}`, mode, {
      // From the shell, as a user would: AUTH_ENABLED=true AUTH_ADMIN_PASSWORD=... docker compose up.
      env: {
        ROCKETMQ_VERSION: this.version,
        // The charts' samples every 3 s instead of every minute, for the browser test to see them move.
        CONSOLE_HISTORY_INTERVAL_SECONDS: "3",
        ...(options.auth ? { AUTH_ENABLED: "true", AUTH_ADMIN_PASSWORD: TEST_PASSWORD } : {}),
        ...(options.trace ? { TRACE_ENABLED: "true" } : {}),
        ...(this.bootstrapFile ? { COMPOSE_PROFILES: "bootstrap", BOOTSTRAP_FILE: this.bootstrapFile, BOOTSTRAP_WATCH_SECONDS: "2" } : {}),
      },
      overlays: options.files,
    });
    this.networkNamesrv = options.networkNamesrv;
  }

  /** `up -d --wait` from nothing; returns the seconds it took to be healthy. */
  async up(): Promise<number> {
    await Promise.all([ensureImages(this.version), prepareJavaClient()]);
    await this.project.run("down", "-v", "--remove-orphans", "-t", "1");
    const started = Date.now();
    await this.project.ok("up", "-d", "--wait");
    return (Date.now() - started) / 1000;
  }

  async down(): Promise<void> {
    // The data goes with the volumes: no graceful shutdown to wait for (a broker's takes up to 15 s).
    await this.project.run("down", "-v", "--remove-orphans", "-t", "1");
  }

  container(service: string): string {
    return this.project.container(service);
  }

  /** A compose service that runs a broker (the first, by name). */
  async brokerService(): Promise<string> {
    const services = (await this.project.ok("ps", "--services")).split("\n").filter((l) => l.startsWith("broker"));
    assert.ok(services.length, "no broker service runs");
    return services.sort()[0]!;
  }

  /**
   * Creates the topic on every broker (masters and slaves) with src/remoting's client, no JVM start, and waits until
   * the name server routes it; asked again for up to 60 s while no master is listed or one refuses.
   */
  override async createTopic(topic: string): Promise<void> {
    const options = { credentials: this.credentials, rocketmq5: !this.version.startsWith("4.") };
    await eventually(() => createTopicOnEveryBroker(onHost(9876), topic, options), 60_000, 1000);
  }

  /**
   * The cluster list of the name server on onHost(9876) (listedTopology): a topology read is the tests' own
   * bookkeeping, and a JVM start for each (the Java client's route mode) cost seconds on a loaded machine.
   */
  override async topology(): Promise<Topology> {
    return listedTopology([onHost(9876)], this.credentials);
  }

  /**
   * Waits until every slave knows the topic: 4.x slaves refuse topic updates and copy their master's topics
   * once a minute; until then they cannot serve the topic if their master stops.
   */
  async slavesKnow(topic: string): Promise<void> {
    const t = await this.topology();
    const slaves = Object.values(t.brokers).flatMap((b) =>
      Object.entries(b.addrs)
        .filter(([id]) => id !== "0")
        .map(([, addr]) => addr),
    );
    await eventually(
      async () => {
        for (const addr of slaves) {
          const r = await request(addr, RequestCode.GET_ALL_TOPIC_CONFIG, { credentials: this.credentials });
          assert.ok(r.body.toString("utf8").includes(`"${topic}"`), `${addr} does not know ${topic} yet`);
        }
      },
      90_000,
      2000,
    );
  }

  /** RoundTrip on the host through the published name server (onHost(9876)), signed with the cluster's credentials (or others) unless `anonymous`. */
  hostClient(args: string[], options: { anonymous?: boolean; credentials?: Credentials } = {}): Promise<JavaClientResult> {
    return runJavaClientOnHost(["--namesrv", onHost(9876), ...args], {
      credentials: options.anonymous ? undefined : (options.credentials ?? this.credentials),
    });
  }

  /** RoundTrip in a container on the cluster's network, dialling the name servers by service name. */
  containerClient(args: string[]): Promise<JavaClientResult> {
    const signed = this.credentials ? ["--access-key", this.credentials.accessKey, "--secret-key-env", "ROUNDTRIP_SECRET_KEY"] : [];
    const { binds, cmd } = javaClientContainerCommand(["--namesrv", this.networkNamesrv, ...args, ...signed]);
    return sh(
      "docker",
      [
        "run",
        "--rm",
        "--network",
        this.project.network,
        ...binds.flatMap((b) => ["-v", b]),
        // The secret by name: docker copies it from its own environment, so it is on no command line.
        ...(this.credentials ? ["-e", "ROUNDTRIP_SECRET_KEY"] : []),
        "--entrypoint",
        cmd[0]!,
        "rocketmq-appliance/broker:latest",
        ...cmd.slice(1),
      ],
      { env: { ROUNDTRIP_SECRET_KEY: this.credentials?.secretKey } },
    );
  }

  /** Sends and consumes `count` messages of a fresh run; asserts every one arrives. */
  async roundTrip(where: "host" | "container", topic: string, count: number): Promise<void> {
    const runId = uniqueId(where);
    const args = ["--topic", topic, "--count", String(count), "--mode", "both", "--run-id", runId, "--group", runId, "--create-topic"];
    const r = where === "host" ? await this.hostClient(args) : await this.containerClient(args);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // A SYNC_MASTER may answer FLUSH_SLAVE_TIMEOUT (stored, replication late) under load: sent is what counts here.
    assert.match(r.stdout, new RegExp(`SENT ${count} ok=\\d+`));
    assert.match(r.stdout, new RegExp(`RECEIVED ${count}\\b`));
  }

  client(args: string[]): Promise<JavaClientResult> {
    return this.hostClient(args);
  }

  kill(service: string): Promise<string> {
    return dockerOk("kill", this.container(service));
  }
}

/** The node (compose service, pod) of the group's master now, from its advertised address. */
export async function masterNode(
  cluster: RunningCluster,
  nodeOf: (address: string) => string | undefined,
  group = "broker-a",
): Promise<string> {
  const t = await cluster.topology();
  const address = t.brokers[group]?.addrs["0"];
  assert.ok(address, `no master in ${JSON.stringify(t.brokers)}`);
  const node = nodeOf(address);
  assert.ok(node, `no node advertises ${address}`);
  return node;
}

/** Compose services found by the port of their advertised address (each member of a group has its own). */
export function byPort(servicesByPort: Record<string, string>): (address: string) => string | undefined {
  return (address) => servicesByPort[address.split(":").pop()!];
}

/** The compose services of a group of three (DLedger, controller modes), by the listen port each advertises. */
export const GROUP_OF_THREE = { "10911": "broker-a-n0", "11911": "broker-a-n1", "12911": "broker-a-n2" };

/** Broker ids per broker name, sorted: { "broker-a": ["0", "1"] }. */
export function brokerIds(t: Topology): Record<string, string[]> {
  return Object.fromEntries(Object.entries(t.brokers).map(([name, b]) => [name, Object.keys(b.addrs).sort()]));
}

export function parseSendStats(stdout: string): SendStats {
  const sent = /SENT (\d+) ok=(\d+)/.exec(stdout);
  const stats = /SEND_STATS (\{.*\})/.exec(stdout);
  assert.ok(sent && stats, stdout);
  const parsed = JSON.parse(stats[1]!) as { maxGapMs: number; byBroker: Record<string, number> };
  return { sent: Number(sent[1]), ok: Number(sent[2]), maxGapMs: parsed.maxGapMs, byBroker: parsed.byBroker };
}

/** A user of the bootstrap file; consumes as BootGroup-consumer (the Java client's name for --group BootGroup). */
export const CAROL = { accessKey: "carol", secretKey: "C4rol-pw-1732050" };

/** The bootstrap file of the mode tests: carol with her policies, BootTopic with `queues` queues, BootGroup-consumer. */
export function modeBootstrapText(queues: number): string {
  return [
    "users:",
    `  - username: ${CAROL.accessKey}`,
    `    password: ${CAROL.secretKey}`,
    "    policies:",
    "      - resource: Topic:BootTopic",
    "        actions: [Pub, Sub]",
    "      - resource: Group:BootGroup-*",
    "        actions: [Sub]",
    "topics:",
    "  - name: BootTopic",
    `    queues: ${queues}`,
    "groups:",
    "  - name: BootGroup-consumer",
    "    retryMaxTimes: 3",
    "",
  ].join("\n");
}

export interface ModeSpec {
  mode: string;
  version?: string;
  /** Brought up with AUTH_ENABLED=true and an admin password from the shell; every client signs. */
  auth?: boolean;
  /** With the compose file's `bootstrap` service (profile) and modeBootstrapText (users need auth). */
  bootstrap?: boolean;
  /** Brought up with TRACE_ENABLED=true: every broker keeps the trace topic. */
  trace?: boolean;
  networkNamesrv: string;
  overlays?: string[];
  /** Checks the topology right after `up`, e.g. exact broker names and ids. */
  topology: (ids: Record<string, string[]>, t: Topology) => void;
  /** Mode-specific tests (failover), registered inside the mode's describe(). */
  more?: (cluster: ClusterUnderTest) => void;
}

/**
 * The tests every mode passes: healthy after `up -d --wait` (time printed), the expected topology, 1000 messages
 * round-tripped from the host through the published name server and from a container on the compose network.
 */
export function describeMode(spec: ModeSpec, skip: string | undefined): void {
  const cluster = new ClusterUnderTest(spec.mode, {
    version: spec.version,
    networkNamesrv: spec.networkNamesrv,
    files: spec.overlays,
    auth: spec.auth,
    bootstrap: spec.bootstrap,
    trace: spec.trace,
  });
  describe(cluster.label, { skip }, () => {
    before(async () => {
      const seconds = await cluster.up();
      report(`${cluster.label}: up to healthy in ${seconds.toFixed(1)} s`);
    });
    after(() => cluster.down());

    test("the name server reports the expected clusters, broker names and ids", async () => {
      // Healthy means some name server lists each broker; the published one may hear of the last one a moment later.
      await eventually(async () => {
        const t = await cluster.topology();
        spec.topology(brokerIds(t), t);
      }, 10_000);
    });
    test(`the official Java client on the host round-trips 1000 messages through ${onHost(9876)}`, () =>
      cluster.roundTrip("host", "HostTopic", 1000));
    test(`a client in a container on the network round-trips 1000 messages through ${spec.networkNamesrv}`, () =>
      cluster.roundTrip("container", "NetworkTopic", 1000));
    if (spec.auth) {
      test("AUTH_ENABLED: every broker refuses a client without credentials (NO_PERMISSION, code 16)", async () => {
        const r = await cluster.hostClient(["--topic", "HostTopic", "--count", "1", "--mode", "send", "--timeout-seconds", "40"], {
          anonymous: true,
        });
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stderr, /CODE: 16\b/, r.stderr);
        for (const address of Object.values((await cluster.topology()).brokers).flatMap((b) => Object.values(b.addrs))) {
          assert.equal((await request(address, RequestCode.GET_BROKER_RUNTIME_INFO)).code, ResponseCode.NO_PERMISSION, address);
        }
      });
    }
    if (spec.bootstrap) bootstrapTests(cluster);
    test(`the console at ${CONSOLE_URL} asks for a login; after it, it lists every broker with its role and version`, async () => {
      assert.equal((await fetch(`${CONSOLE_URL}/api/cluster`)).status, 401);
      assert.match(await (await fetch(`${CONSOLE_URL}/`)).text(), /RocketMQ console/);
      const session = await consoleLogin(await generatedPassword(cluster));
      const t = await cluster.topology();
      const expected = Object.entries(t.brokers).flatMap(([name, b]) =>
        Object.keys(b.addrs).map((id) => `${name}/${id}/${id === "0" ? "master" : "slave"}`),
      );
      const { brokers } = await session.get<{
        brokers: { brokerName: string; brokerId: number; role: string; version: string | null; error?: string }[];
      }>("/api/cluster");
      assert.deepEqual(brokers.map((b) => `${b.brokerName}/${b.brokerId}/${b.role}`).sort(), expected.sort());
      for (const b of brokers) assert.match(b.version ?? "", /^V\d/, `${b.brokerName}/${b.brokerId}: ${b.error ?? ""}`);
      // Its charts sample every broker (every 3 s here); a DLedger member's id changes with its role, so a series
      // of the id it had before the election may be there too.
      await eventually(async () => {
        const h = await session.get<{ tpsIn: { series: { name: string; values: (number | null)[] }[] } }>("/api/history?minutes=10");
        const sampled = new Set(h.tpsIn.series.filter((s) => s.values.at(-1) !== null).map((s) => s.name));
        for (const broker of expected.map((e) => e.split("/").slice(0, 2).join("/")))
          assert.ok(sampled.has(broker), `${broker}: ${[...sampled]}`);
      }, 30_000);
    });
    test(`the console refuses ${ANONYMOUS_ATTACKS.length} bypass requests without a session (encoded, absolute-form, dot segments, bad cookies…)`, async () => {
      assert.deepEqual(await runAttacks(Number(new URL(CONSOLE_URL).port), ANONYMOUS_ATTACKS), []);
    });
    test("the console creates a topic on every master, then updates its queue count and permission", async () => {
      const session = await consoleLogin(await generatedPassword(cluster));
      const topic = `ConsoleUpdate${Date.now()}`;
      const masters = new Set(Object.keys((await cluster.topology()).brokers));
      type Route = { brokers: { brokerName: string; readQueues: number; writeQueues: number; perm: number }[] };
      const routeIs = (queues: number, perm: number) =>
        eventually(async () => {
          const { brokers } = await session.get<Route>(`/api/topics/${topic}`);
          assert.deepEqual(
            brokers.map((b) => `${b.brokerName} ${b.readQueues}/${b.writeQueues} perm ${b.perm}`).sort(),
            [...masters].sort().map((m) => `${m} ${queues}/${queues} perm ${perm}`),
          );
        }, 30_000);
      assert.equal((await session.post("/api/topics", { name: topic, queues: 2 })).status, 201);
      await routeIs(2, 6);
      assert.equal((await session.post("/api/topics", { name: topic, queues: 3, perm: 4 })).status, 201);
      await routeIs(3, 4);
    });
    test("the console creates a consumer group with its settings on every master, the image's mqadmin reads them back, the console deletes it", async () => {
      const session = await consoleLogin(await generatedPassword(cluster));
      const group = `ConsoleGroup${Date.now()}`;
      type Settings = {
        settings: {
          brokerName: string;
          settings: { retryMaxTimes?: number; retryQueueNums?: number; consumeMessageOrderly?: boolean } | null;
        }[];
      };
      // RocketMQ 4 keeps no orderly flag per group (its clients choose): the broker drops it.
      const orderly = cluster.version.startsWith("4.") ? undefined : true;
      const created = await session.post(`/api/groups`, { name: group, retryMaxTimes: 3, retryQueues: 2, orderly: true });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const masters = Object.keys((await cluster.topology()).brokers).sort();
      const { settings } = await session.get<Settings>(`/api/groups/${group}`);
      assert.deepEqual(
        settings
          .map((b) => `${b.brokerName} ${b.settings?.retryMaxTimes} ${b.settings?.retryQueueNums} ${b.settings?.consumeMessageOrderly}`)
          .sort(),
        masters.map((m) => `${m} 3 2 ${orderly}`),
      );
      // The official admin tool, as the image ships it (signed with the image's tools.yml when auth is on).
      const out = await dockerOk(
        "exec",
        cluster.container(await cluster.brokerService()),
        "mqadmin",
        "getConsumerConfig",
        "-g",
        group,
        "-n",
        cluster.networkNamesrv,
      );
      assert.match(out, /retryMaxTimes\D{0,40}3\b/, out);
      assert.match(out, /retryQueueNums\D{0,40}2\b/, out);
      if (orderly) assert.match(out, /consumeMessageOrderly\D{0,40}true/, out);
      assert.equal(await session.delete(`/api/groups/${group}`), 204);
      const after = await session.get<Settings>(`/api/groups/${group}`);
      assert.deepEqual(
        after.settings.filter((b) => b.settings !== null),
        [],
      );
    });
    spec.more?.(cluster);
  });
}

/** Figures for the log of a test run (`# ...` lines in the TAP output), and test-artifacts/figures.txt. */
export function report(line: string): void {
  process.stdout.write(`# ${line}\n`);
  mkdirSync(join(REPO_ROOT, "test-artifacts"), { recursive: true });
  appendFileSync(join(REPO_ROOT, "test-artifacts", "figures.txt"), `${new Date().toISOString()} ${line}\n`);
}

/**
 * The compose file's `bootstrap` service: healthy once its file is applied on every broker (users and groups on
 * masters and slaves alike, the topic on every master), a user of the file round-trips, and an edit of the file is
 * applied while it runs.
 */
function bootstrapTests(cluster: ClusterUnderTest): void {
  test("the bootstrap service applied its file on every broker; its user carol round-trips through BootTopic", async () => {
    const client = new RemotingClient({ credentials: cluster.credentials });
    try {
      const t = await cluster.topology();
      const route = await topicRoute(client, onHost(9876), "BootTopic");
      assert.deepEqual(
        route.queueDatas.map((q) => [q.brokerName, q.writeQueueNums]).sort(),
        Object.keys(t.brokers)
          .sort()
          .map((name) => [name, 2]),
      );
      for (const address of Object.values(t.brokers).flatMap((b) => Object.values(b.addrs))) {
        const user = await getUser(client, address, CAROL.accessKey);
        assert.equal(user?.username, CAROL.accessKey, `carol on ${address}`);
        const group = await subscriptionGroup(client, address, "BootGroup-consumer");
        assert.equal(group?.retryMaxTimes, 3, `BootGroup-consumer on ${address}`);
      }
    } finally {
      client.close();
    }
    const r = await cluster.hostClient(["--topic", "BootTopic", "--count", "50", "--group", "BootGroup", "--run-id", uniqueId("carol")], {
      credentials: CAROL,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /RECEIVED 50\b/);
  });

  test("an edit of the bootstrap file is applied while the service runs: BootTopic gets 3 write queues", async () => {
    writeFileSync(cluster.bootstrapFile!, modeBootstrapText(3)); // in place: the bind mount sees the same file
    await eventually(
      async () => {
        const route = await topicRoute(oneShot, onHost(9876), "BootTopic");
        assert.deepEqual(
          route.queueDatas.map((q) => q.writeQueueNums),
          route.queueDatas.map(() => 3),
        );
      },
      60_000,
      1000,
    );
    // The service logs the topic once the name server routes it, so the line may come a moment after the route.
    const logs = await eventually(
      async () => {
        const r = await docker("logs", cluster.container("bootstrap"));
        assert.match(r.stdout + r.stderr, /topic BootTopic: applied \(3 queue/);
        return r.stdout + r.stderr;
      },
      10_000,
      500,
    );
    assert.ok(!logs.includes(CAROL.secretKey), "the bootstrap log shows a password");
  });
}
