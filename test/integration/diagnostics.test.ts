// Address diagnostics and /metrics against a real broker (one RocketMQContainer): every address the broker
// advertises is reachable from the test process; rewritten addresses (a container address nobody has, a port
// mapped to a different host port) get the right hints; a paused broker is bounded by the timeout; and a scrape
// through the console's /metrics route reports the broker up and a consumer group's lag.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { getContainerRuntimeClient } from "testcontainers";
import { buildConsole } from "../../src/console/app.ts";
import { RemotingClusterSource, type BrokerView } from "../../src/console/cluster-source.ts";
import { isSystemGroup } from "../../src/console/kinds.ts";
import { diagnose, tcpDial, type BrokerAddress } from "../../src/console/diagnostics.ts";
import { HttpRequestCounter, renderMetrics } from "../../src/console/metrics.ts";
import { subscriptionGroups } from "../../src/remoting/admin.ts";
import { RemotingClient } from "../../src/remoting/connection.ts";
import { createSubscriptionGroup } from "../../src/remoting/groups.ts";
import { pauseRetryingFreezer } from "../../src/testcontainers/freezer.ts";
import { RocketMQContainer, type StartedRocketMQContainer } from "../../src/testcontainers/index.ts";
import { dockerAvailability, uniqueId } from "./harness.ts";

const skip = await dockerAvailability();
const TOPIC = "DiagnosticsTopic";

/** What the console's diagnostics route gathers: the brokers as the name server lists them, each with its config if it answers. */
async function advertised(source: RemotingClusterSource): Promise<(BrokerView & BrokerAddress)[]> {
  const { brokers } = await source.overview();
  return Promise.all(brokers.map(async (b) => ({ ...b, config: await source.brokerConfig(b.address).catch(() => undefined) })));
}

/** The one broker of this RocketMQContainer, as the console's diagnostics see it. */
async function theBroker(source: RemotingClusterSource): Promise<BrokerView & BrokerAddress> {
  const brokers = await advertised(source);
  assert.equal(brokers.length, 1, JSON.stringify(brokers));
  return brokers[0]!;
}

/** A free port on this host: nothing listens there once the probe server is closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const ipToInt = (ip: string) => ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
const intToIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");

/** An address on the container's Docker network that no container has: what a recreated broker's old IP looks like. */
async function unusedContainerAddress(containerId: string): Promise<string> {
  const dockerode = (await getContainerRuntimeClient()).container.dockerode;
  const [name, net] = Object.entries((await dockerode.getContainer(containerId).inspect()).NetworkSettings.Networks).find(
    ([, n]) => n.IPAddress,
  )!;
  const used = new Set(
    Object.values((await dockerode.getNetwork(name).inspect()).Containers ?? {}).map((c) => c.IPv4Address.split("/")[0]),
  );
  const size = 2 ** (32 - net.IPPrefixLen);
  const first = Math.floor(ipToInt(net.IPAddress) / size) * size;
  for (let candidate = first + size - 2; candidate > first + 1; candidate--) {
    const ip = intToIp(candidate);
    if (!used.has(ip) && ip !== net.Gateway) return ip;
  }
  throw new Error(`no unused address on ${name}`);
}

/** Lines of text format 0.0.4: every sample's family has HELP and TYPE before it; label values are well escaped. */
function exposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const declared = new Set<string>();
  for (const line of text.trimEnd().split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][\w:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") declared.add(meta[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][\w:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    assert.ok(declared.has(m[1]!), `${m[1]} has no TYPE line before its samples`);
    assert.ok(!Number.isNaN(Number(m[3])), `bad value: ${line}`);
    assert.ok(!samples.has(`${m[1]}${m[2] ?? ""}`), `a duplicate series: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ""}`, Number(m[3]));
  }
  return samples;
}

describe("address diagnostics and /metrics against a real broker", { skip }, () => {
  let rocketmq: StartedRocketMQContainer;
  const client = new RemotingClient({ timeoutMs: 3000 });
  let source: RemotingClusterSource;
  before(async () => {
    // The images are built beforehand (npm run images); RocketMQContainer says how when they are missing.
    rocketmq = await new RocketMQContainer().withTopics(TOPIC).start();
    source = new RemotingClusterSource(client, rocketmq.getNamesrvAddr(), 0);
  });
  after(async () => {
    client.close();
    await rocketmq?.stop();
  });

  test("every address the broker advertises (client, fast and HA port) is reachable from here, with no problems", async (t) => {
    const broker = await theBroker(source);
    const [host, port] = [rocketmq.getBrokerAddr().split(":")[0]!, Number(rocketmq.getBrokerAddr().split(":")[1])];
    assert.equal(broker.address, rocketmq.getBrokerAddr());
    // What 5.5.0 reports in its effective config: HA port listenPort+1 (the image leaves haListenPort unset),
    // brokerIP2 = BROKER_IP1 (the image's default), and no key for the fast port (always listenPort−2).
    assert.deepEqual(
      [
        broker.config?.listenPort,
        broker.config?.haListenPort,
        broker.config?.brokerIP1,
        broker.config?.brokerIP2,
        "fastListenPort" in (broker.config ?? {}),
      ],
      [String(port), String(port + 1), host, host, false],
    );
    const d = await diagnose([broker], tcpDial(2000));
    assert.deepEqual(
      d.rows.map((r) => [r.kind, r.address, r.reachable, r.severity]),
      [
        ["client", `${host}:${port}`, true, "ok"],
        ["fast", `${host}:${port - 2}`, true, "ok"],
        ["ha", `${host}:${port + 1}`, true, "ok"],
      ],
      JSON.stringify(d.rows),
    );
    assert.deepEqual(d.problems, []);
    t.diagnostic(`connect ms: ${d.rows.map((r) => `${r.kind} ${r.connectMs}`).join(", ")}`);
  });

  test("a container address nobody has: client and HA dials fail with the container-address hint; the fast port only warns", async (t) => {
    const real = await theBroker(source);
    const port = Number(real.address.split(":")[1]);
    const ghost = await unusedContainerAddress(rocketmq.getId());
    const started = performance.now();
    const d = await diagnose(
      [{ ...real, address: `${ghost}:${port}`, config: { ...real.config, brokerIP1: ghost, brokerIP2: ghost } }],
      tcpDial(1500),
    );
    const elapsed = performance.now() - started;
    t.diagnostic(`${ghost}: ${d.rows.map((r) => `${r.kind} ${r.error} ${r.connectMs} ms`).join(", ")}; all in ${Math.round(elapsed)} ms`);
    assert.ok(elapsed < 4000, "the three dials run side by side, each bounded by the timeout");
    const row = (kind: string) => d.rows.find((r) => r.kind === kind)!;
    for (const kind of ["client", "ha", "fast"]) {
      assert.equal(row(kind).reachable, false);
      assert.match(row(kind).error!, /^(ETIMEDOUT|EHOSTUNREACH)$/);
    }
    assert.equal(row("client").severity, "error");
    assert.match(row("client").hint!, /private \(likely container\) address .*set BROKER_IP1/);
    assert.match(row("ha").hint!, /BROKER_IP2/);
    assert.equal(row("fast").severity, "warning");
    assert.deepEqual(d.problems, []);
  });

  test("a port mapped to a different host port: refused, with the one-to-one hint, and named without dialing", async () => {
    const real = await theBroker(source);
    const [host, listenPort] = [real.address.split(":")[0]!, Number(real.config?.listenPort)];
    const mapped = await closedPort();
    const d = await diagnose([{ ...real, address: `${host}:${mapped}` }], tcpDial(2000));
    const client = d.rows.find((r) => r.kind === "client")!;
    assert.deepEqual([client.reachable, client.error], [false, "ECONNREFUSED"]);
    assert.match(client.hint!, new RegExp(`-p ${mapped}:${mapped}.*LISTEN_PORT`));
    assert.ok(
      d.problems.some((p) => p.includes(`registered at port ${mapped} but listens on ${listenPort}`)),
      JSON.stringify(d.problems),
    );
    // The HA address comes from the broker's config (brokerIP2:haListenPort), which is still right.
    assert.equal(d.rows.find((r) => r.kind === "ha")!.reachable, true);
  });

  test("/metrics: the broker is up, a consumer group's lag per topic, system groups left out", async (t) => {
    const group = uniqueId("diag-lag");
    const ns = rocketmq.getNamesrvAddr();
    for (let i = 0; i < 10; i++) await source.sendMessage({ topic: TOPIC, body: `message ${i}` });
    await createSubscriptionGroup(client, rocketmq.getBrokerAddr(), { groupName: group });
    // No consumer is online: the offsets are written as if a consumer had committed them at the start.
    await source.resetOffset(group, TOPIC, 0);
    const systemGroups = (await subscriptionGroups(client, rocketmq.getBrokerAddr())).map((g) => g.groupName).filter(isSystemGroup);
    assert.ok(systemGroups.length > 0, "the broker has its own groups to leave out");

    const app = buildConsole({
      config: { user: "admin", password: "correct horse", readOnly: false, sessionHours: 1 },
      source: new RemotingClusterSource(client, ns),
    });
    try {
      const started = performance.now();
      const r = await app.inject({
        url: "/metrics",
        headers: { authorization: `Basic ${Buffer.from("admin:correct horse").toString("base64")}` },
      });
      t.diagnostic(`scrape ${Math.round(performance.now() - started)} ms, ${r.body.length} bytes`);
      assert.equal(r.statusCode, 200, r.body);
      const samples = exposition(r.body);
      const id = `cluster="${rocketmq.getClusterName()}",broker="${rocketmq.getBrokerName()}",broker_id="0",address="${rocketmq.getBrokerAddr()}"`;
      assert.equal(samples.get(`rocketmq_broker_up{${id}}`), 1, r.body);
      assert.equal(samples.get(`rocketmq_broker_info{${id},role="master",version="V5_5_0"}`), 1);
      assert.equal(samples.get(`rocketmq_group_lag{group="${group}",topic="${TOPIC}"}`), 10);
      assert.equal(samples.get("rocketmq_console_scrape_errors"), 0);
      for (const name of systemGroups) assert.ok(!r.body.includes(`group="${name}"`), `${name} is a system group`);
    } finally {
      await app.close();
    }
  });

  test("a paused broker: reads are bounded by the timeout and it is down in /metrics, yet its ports still accept TCP connections", async (t) => {
    const dockerode = (await getContainerRuntimeClient()).container.dockerode;
    const brokerContainer = dockerode.getContainer(rocketmq.getBrokerContainer().getId());
    const pausedClient = new RemotingClient({ timeoutMs: 2000 });
    await pauseRetryingFreezer(() => brokerContainer.pause());
    try {
      const started = performance.now();
      const broker = await theBroker(new RemotingClusterSource(pausedClient, rocketmq.getNamesrvAddr(), 0));
      const elapsed = performance.now() - started;
      t.diagnostic(`overview and config of the paused broker in ${Math.round(elapsed)} ms`);
      assert.ok(elapsed < 7000, "two reads, each bounded by the 2 s timeout");
      assert.match(broker.error ?? "", /no answer .* within 2000 ms/);
      assert.equal(broker.config, undefined, "the config request timed out, and that is tolerated");

      const d = await diagnose([broker], tcpDial(1500));
      const port = Number(broker.address.split(":")[1]);
      assert.equal(
        d.rows.find((r) => r.kind === "ha")!.address,
        `${broker.address.split(":")[0]}:${port + 1}`,
        "without the config the HA port is listenPort+1",
      );
      // A frozen process's listening sockets still complete handshakes in the kernel: a dial tests the path, not the broker.
      assert.deepEqual(
        d.rows.map((r) => r.reachable),
        [true, true, true],
      );

      const text = renderMetrics({
        brokers: [broker],
        groups: null,
        requests: new HttpRequestCounter(),
        memory: { rss: 1, heapUsed: 1 },
        scrapeErrors: [],
      });
      assert.match(text, /^rocketmq_broker_up\{[^}]*broker_id="0"[^}]*\} 0$/m);
    } finally {
      pausedClient.close();
      await brokerContainer.unpause();
    }
  });
});
