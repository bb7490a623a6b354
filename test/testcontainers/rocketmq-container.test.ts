// The Testcontainers module, against real images and a real Docker engine, with clients we did not write:
// npm ali-ons (remoting), npm rocketmq-client-nodejs (gRPC through the proxy) and the official Java client.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Network, getContainerRuntimeClient, type StartedNetwork } from "testcontainers";
import { ContainerExitedError, RocketMQContainer, type StartedRocketMQContainer } from "../../src/testcontainers/index.ts";
import { aliOnsRoundTrip } from "../../bench/clients/ali-ons-client.ts";
import { grpcRoundTrip } from "../clients/grpc-client.ts";
import {
  javaClientContainerCommand,
  javaTlsOptions,
  prepareJavaClient,
  runJavaClientOnHost,
  roundTripArgs,
} from "../clients/java-client.ts";
import { report } from "../integration/cluster.ts";
import { REPO_ROOT, docker, dockerAvailability, ensureImages, sh, uniqueId } from "../integration/harness.ts";
import { request } from "../../src/remoting/client.ts";
import { RequestCode } from "../../src/remoting/codes.ts";

const skip = await dockerAvailability();

describe("RocketMQContainer", { skip }, () => {
  before(() => Promise.all([ensureImages(), prepareJavaClient()]));

  test("three containers started concurrently each round-trip messages with ali-ons", async () => {
    const started = Date.now();
    const containers = await Promise.all([1, 2, 3].map(() => new RocketMQContainer().withTopics("ParallelTopic").start()));
    try {
      report(`testcontainers: three RocketMQContainers started concurrently in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const addresses = containers.map((c) => [c.getNamesrvAddr(), c.getBrokerAddr()]).flat();
      assert.equal(new Set(addresses).size, 6, `every name server and broker address is distinct: ${addresses.join(" ")}`);
      const results = await Promise.all(
        containers.map((c, i) => aliOnsRoundTrip(c.getNamesrvAddr(), "ParallelTopic", 100, uniqueId(`par${i}`))),
      );
      assert.deepEqual(
        results,
        [1, 2, 3].map(() => ({ sent: 100, received: 100 })),
      );
      // Each broker holds its own messages only: three independent RocketMQs.
      for (const c of containers) assert.match(await c.mqadmin("clusterList"), new RegExp(c.getBrokerAddr().replace(/\./g, "\\.")));
    } finally {
      await Promise.all(containers.map((c) => c.stop()));
    }
  });

  test("an unknown withBrokerConfig key fails start() with the configurator's message, and leaves no container behind", async () => {
    const client = await getContainerRuntimeClient();
    // Each of the module's containers carries the labels given; other users of this engine create containers too.
    const run = { "org.rocketmq-appliance.test-run": uniqueId("bad-config") };
    const started = Date.now();
    const error = await new RocketMQContainer()
      .withLabels(run)
      .withBrokerConfig({ autoCreateSubscriptinotallow: true, fileReservedTime: "two days" })
      .start()
      .then(
        (c) => c.stop().then(() => assert.fail("start() resolved")),
        (e: unknown) => e,
      );
    const seconds = (Date.now() - started) / 1000;
    assert.ok(error instanceof ContainerExitedError, String(error));
    assert.equal(error.exitCode, 2);
    // An unknown key's value is not shown (it might be a secret).
    assert.match(
      error.message,
      /RMQ_BROKER_autoCreateSubscriptinotallow sets unknown key 'autoCreateSubscriptinotallow'.*did you mean 'autoCreateSubscriptionGroup'/,
    );
    assert.match(error.message, /RMQ_BROKER_fileReservedTime="two days"/);
    assert.match(error.message, /2 configuration error\(s\); RocketMQ was not started/);
    report(`testcontainers: a bad withBrokerConfig failed start() after ${seconds.toFixed(1)} s`);
    const left = await client.container.dockerode.listContainers({
      all: true,
      filters: { label: Object.entries(run).map(([k, v]) => `${k}=${v}`) },
    });
    assert.deepEqual(
      left.map((c) => c.Names),
      [],
    );
  });

  test("withTls: TLS only; the module's topics, bootstrap and mqadmin speak it, the Java client with tls.enable round-trips", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "tc-tls-")), "tls");
    const certs = await sh("bash", [join(REPO_ROOT, "compose/secure/certs.sh"), dir]);
    assert.equal(certs.code, 0, certs.stderr);
    const pem = (name: string) => readFileSync(join(dir, name), "utf8");
    assert.throws(
      () => new RocketMQContainer().withTls({ cert: pem("server.key"), key: pem("server.key") }),
      /withTls: cert holds no PEM certificate/,
    );
    const started = Date.now();
    const rocketmq = await new RocketMQContainer()
      .withTls({ cert: pem("server.pem"), key: pem("server.key"), ca: pem("ca.pem") })
      .withTopics("TlsTopic")
      .start();
    try {
      report(`testcontainers: a RocketMQContainer with withTls started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.deepEqual(rocketmq.getTls(), { ca: pem("ca.pem") });
      for (const address of [rocketmq.getNamesrvAddr(), rocketmq.getBrokerAddr()])
        await assert.rejects(request(address, RequestCode.GET_BROKER_CLUSTER_INFO, { timeoutMs: 10_000 }), address);
      assert.match(await rocketmq.bootstrap("topics:\n  - name: TlsBoot\n    queues: 2\n"), /bootstrap applied: 0 user\(s\), 1 topic\(s\)/);
      assert.match(await rocketmq.mqadmin("topicList"), /TlsBoot/);
      const r = await runJavaClientOnHost(roundTripArgs(rocketmq.getNamesrvAddr(), "TlsTopic", 100, uniqueId("tls")), {
        jvmOptions: javaTlsOptions(`${dir}/ca.pem`),
      });
      assert.match(r.stdout, /SENT 100 ok=100/, r.stdout + r.stderr);
      assert.match(r.stdout, /RECEIVED 100\b/, r.stdout + r.stderr);
    } finally {
      await rocketmq.stop();
    }
  });

  test("withBrokerConfig refuses the keys the module sets itself", () => {
    assert.throws(
      () => new RocketMQContainer().withBrokerConfig({ brokerIP1: "10.0.0.1" }),
      /brokerIP1="10.0.0.1" is set by RocketMQContainer \(use withAdvertisedHost/,
    );
    assert.throws(() => new RocketMQContainer().withBrokerConfig({ listenPort: 10911 }), /listenPort=10911 is set by RocketMQContainer/);
  });

  describe("with the proxy, on a network shared with other containers", () => {
    let network: StartedNetwork;
    let rocketmq: StartedRocketMQContainer;
    before(async () => {
      network = await new Network().start();
      const started = Date.now();
      rocketmq = await new RocketMQContainer()
        .withNetwork(network)
        .withNetworkAliases("rocketmq")
        .withBrokerConfig({ brokerClusterName: "TestCluster", fileReservedTime: 1 })
        .withTopics("ProxyTopic", "NetworkTopic")
        .withProxy()
        .start();
      report(`testcontainers: RocketMQContainer with proxy started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
    after(async () => {
      await rocketmq?.stop();
      await network?.stop();
    });

    test("rocketmq-client-nodejs round-trips 200 messages over gRPC through getProxyEndpoint()", async () => {
      assert.deepEqual(await grpcRoundTrip(rocketmq.getProxyEndpoint(), "ProxyTopic", 200, uniqueId("grpc")), { sent: 200, received: 200 });
    });

    test("the official Java client in another container round-trips 500 messages through getNetworkNamesrvAddr()", async () => {
      assert.equal(rocketmq.getNetworkNamesrvAddr(), "rocketmq:9876");
      const runId = uniqueId("net");
      const { binds, cmd } = javaClientContainerCommand(roundTripArgs(rocketmq.getNetworkNamesrvAddr(), "NetworkTopic", 500, runId));
      const r = await docker(
        "run",
        "--rm",
        "--network",
        network.getName(),
        ...binds.flatMap((b) => ["-v", b]),
        "--entrypoint",
        cmd[0]!,
        "rocketmq-appliance/broker:latest",
        ...cmd.slice(1),
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /SENT 500 ok=500/);
      assert.match(r.stdout, /RECEIVED 500\b/);
    });

    test("the official Java client on the host round-trips 500 messages, and the broker config was applied", async () => {
      const runId = uniqueId("host");
      const r = await runJavaClientOnHost(roundTripArgs(rocketmq.getNamesrvAddr(), "NetworkTopic", 500, runId));
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /RECEIVED 500\b/);
      assert.equal(rocketmq.getClusterName(), "TestCluster");
      assert.match(await rocketmq.mqadmin("getBrokerConfig", "-b", rocketmq.getBrokerAddr()), /fileReservedTime\s*=\s*1\b/);
    });

    test("createTopic() makes a topic that mqadmin lists and the name server routes", async () => {
      await rocketmq.createTopic("LateTopic", { queues: 2 });
      assert.match(await rocketmq.mqadmin("topicList"), /^LateTopic$/m);
      assert.match(await rocketmq.mqadmin("topicRoute", "-t", "LateTopic"), /"readQueueNums":2/);
    });
  });
});
