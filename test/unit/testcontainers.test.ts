// The Testcontainers module's parts that need no Docker: which address the broker advertises, how a failed start
// is reported (the configurator's log lines), how free ports are chosen and each start attempt's container is
// defined, and how a cluster asks its name servers (against a fake one).
import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { test } from "node:test";
import type Dockerode from "dockerode";
import { DEFAULT_IMAGE, advertisedHostOf, choosePorts, namesrvDefinition } from "../../src/testcontainers/rocketmq-container.ts";
import { RocketMQCluster, RocketMQNode, StartedRocketMQCluster } from "../../src/testcontainers/rocketmq-cluster.ts";
import { containerLogs, errorLines } from "../../src/testcontainers/ready.ts";
import { pauseRetryingFreezer } from "../../src/testcontainers/freezer.ts";
import { CONFIGURATOR_MARKER, formatLogLine, parseLogLine } from "../../src/entrypoint/log-line.ts";
import { freeConsecutivePorts, isPortClash, publishAddressFor } from "../../src/testcontainers/ports.ts";
import { createLogger } from "../../src/entrypoint/log.ts";
import { brokerPorts } from "../../src/remoting/ports.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { NoNamesrvAnsweredError } from "../../src/remoting/namesrv.ts";
import { RESPONSE_FLAG, decodeCommands, encodeCommand } from "../../src/remoting/codec.ts";

function runtime(host: string, operatingSystem = "Debian GNU/Linux 12 (bookworm)") {
  return { info: { containerRuntime: { host, operatingSystem } } } as unknown as Parameters<typeof advertisedHostOf>[0];
}
const owner = {
  NetworkSettings: { Networks: { bridge: { Gateway: "172.17.0.1" }, "tc-net": { Gateway: "172.20.0.1" } } },
} as unknown as Dockerode.ContainerInspectInfo;

test("a local Linux engine: the broker advertises its network's gateway, reachable from the host and from containers", () => {
  assert.equal(advertisedHostOf(runtime("localhost"), owner, undefined), "172.17.0.1");
  assert.equal(advertisedHostOf(runtime("127.0.0.1"), owner, "tc-net"), "172.20.0.1");
});

test("a remote engine, or a test process in a container: the engine's host as testcontainers reaches it", () => {
  assert.equal(advertisedHostOf(runtime("10.1.2.3"), owner, "tc-net"), "10.1.2.3");
  assert.equal(advertisedHostOf(runtime("172.17.0.1"), owner, undefined), "172.17.0.1");
});

test("Docker Desktop: the gateways are inside its VM, so the host's own name", () => {
  assert.equal(advertisedHostOf(runtime("localhost", "Docker Desktop"), owner, undefined), "localhost");
});

test("the configurator's ERROR lines are what a failed start reports", () => {
  const logs = [
    "2026-11-22T07:57:49.622Z ERROR [configurator] RMQ_BROKER_x=\"1\" sets unknown key 'x'",
    "2026-11-22T07:57:49.623Z INFO  [configurator] something else",
    "2026-11-22T07:57:49.624Z ERROR [configurator] 1 configuration error(s); RocketMQ was not started.",
  ].join("\n");
  assert.deepEqual(errorLines(logs), ["RMQ_BROKER_x=\"1\" sets unknown key 'x'", "1 configuration error(s); RocketMQ was not started."]);
});

test("container logs are demultiplexed from Docker's 8-byte frames (stdout and stderr)", async () => {
  const frame = (stream: number, text: string) => {
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(Buffer.byteLength(text), 4);
    return Buffer.concat([header, Buffer.from(text)]);
  };
  const container = { logs: async () => Buffer.concat([frame(1, "out line\n"), frame(2, "err line\n")]) } as unknown as Dockerode.Container;
  assert.equal(await containerLogs(container), "out line\nerr line\n");
  const tty = { logs: async () => Buffer.from("plain\n") } as unknown as Dockerode.Container;
  assert.equal(await containerLogs(tty), "plain\n");
});

test("free ports: consecutive, in 20000–32000, and never one that is taken", async () => {
  const first = await freeConsecutivePorts(4);
  assert.ok(first >= 20_000 && first + 3 < 32_000);
  const server = createServer();
  await new Promise<void>((r) => server.listen(first + 1, "0.0.0.0", r));
  try {
    for (let i = 0; i < 20; i++) {
      const p = await freeConsecutivePorts(4);
      assert.ok(p + 3 < first + 1 || p > first + 1, `${p}..${p + 3} includes the taken port ${first + 1}`);
    }
  } finally {
    server.close();
  }
  assert.ok(
    isPortClash(new Error("driver failed programming external connectivity: Bind for 0.0.0.0:24097 failed: port is already allocated")),
  );
  assert.ok(!isPortClash(new Error("no such image")));
});

test("a cluster's ports are published on loopback only when the tests reach Docker through loopback", () => {
  for (const host of ["localhost", "127.0.0.1", "::1"]) assert.equal(publishAddressFor(host), "127.0.0.1", host);
  // In a container, testcontainers reaches the host's ports through the bridge gateway.
  for (const host of ["172.17.0.1", "host.docker.internal", "docker-host"]) assert.equal(publishAddressFor(host), "0.0.0.0", host);
});

test("the configurator's log lines, as the image's logger writes them, are what errorLines reads back", () => {
  let written = "";
  const log = createLogger("text", { write: (s: string) => (written += s) });
  log.error("RMQ_BROKER_x=\"1\" sets unknown key 'x'");
  log.info("RocketMQ 5.5.0 broker");
  log.error("1 configuration error(s); RocketMQ was not started.");
  assert.deepEqual(errorLines(written), ["RMQ_BROKER_x=\"1\" sets unknown key 'x'", "1 configuration error(s); RocketMQ was not started."]);
  const [first] = written.split("\n");
  assert.deepEqual({ ...parseLogLine(first!), time: "" }, { time: "", level: "ERROR", message: "RMQ_BROKER_x=\"1\" sets unknown key 'x'" });
});

test("a log line is the configurator's only with its time, its level and the marker in front", () => {
  const line = formatLogLine(new Date(0), "WARN", `a message that mentions ${CONFIGURATOR_MARKER} itself`);
  assert.equal(line, "1970-01-01T00:00:00.000Z WARN  [configurator] a message that mentions [configurator] itself");
  assert.deepEqual(parseLogLine(line), {
    time: "1970-01-01T00:00:00.000Z",
    level: "WARN",
    message: "a message that mentions [configurator] itself",
  });
  for (const other of [
    "2026-11-22 07:57:49 INFO main - The Name Server boot success. serializeType=JSON",
    "ERROR [configurator] no time in front",
    "2026-11-22T07:57:49.622Z ERROR something [configurator] between level and marker",
    "",
  ]) {
    assert.equal(parseLogLine(other), undefined, other);
  }
});

test("each start attempt's ports: the broker's triplet from brokerPorts, free, and the proxy's port apart from it", async () => {
  for (let i = 0; i < 20; i++) {
    const { broker, remoting } = await choosePorts(true);
    assert.deepEqual(broker, brokerPorts(broker.listen));
    assert.ok(broker.fast >= 20_000 && broker.ha < 32_000);
    assert.ok(
      remoting !== undefined && (remoting < broker.fast || remoting > broker.ha),
      `${remoting} is inside ${broker.fast}..${broker.ha}`,
    );
  }
  assert.equal((await choosePorts(false)).remoting, undefined);
});

test("each start attempt gets a container definition of its own: only that attempt's ports are published", () => {
  const settings = { labels: { team: "a" }, networkMode: "tc-net", networkAliases: ["rocketmq"], startupTimeoutMs: 1000 };
  const first = namesrvDefinition(
    DEFAULT_IMAGE,
    { broker: brokerPorts(20_002), remoting: 20_100 },
    { ...settings, labels: { ...settings.labels, attempt: "1" } },
  );
  const second = namesrvDefinition(
    DEFAULT_IMAGE,
    { broker: brokerPorts(25_002) },
    { ...settings, labels: { ...settings.labels, attempt: "2" } },
  );
  // What testcontainers sends to Docker's create call (no getter for it: its fields, read in this test only).
  const published = (c: unknown) => {
    const { createOpts, hostConfig } = c as {
      createOpts: { Labels?: Record<string, string> };
      hostConfig: { PortBindings?: Record<string, { HostPort: string }[]> };
    };
    return {
      labels: createOpts.Labels,
      bindings: Object.fromEntries(Object.entries(hostConfig.PortBindings ?? {}).map(([port, [b]]) => [port, b!.HostPort])),
    };
  };
  assert.deepEqual(published(first), {
    labels: { team: "a", attempt: "1" },
    bindings: { "9876/tcp": "0", "20000/tcp": "20000", "20002/tcp": "20002", "20003/tcp": "20003", "8081/tcp": "0", "20100/tcp": "20100" },
  });
  assert.deepEqual(published(second), {
    labels: { team: "a", attempt: "2" },
    bindings: { "9876/tcp": "0", "25000/tcp": "25000", "25002/tcp": "25002", "25003/tcp": "25003" },
  });
});

test("under emulation (an image for another CPU) each container gets twice the memory: the emulator's own counts against it", () => {
  const settings = { labels: {}, networkMode: undefined, networkAliases: [], startupTimeoutMs: 1000 };
  const memory = (c: unknown) => (c as { hostConfig: { Memory?: number } }).hostConfig.Memory;
  const ports = { broker: brokerPorts(20_002) };
  assert.equal(memory(namesrvDefinition(DEFAULT_IMAGE, ports, settings)), 0.5 * 1024 ** 3);
  assert.equal(memory(namesrvDefinition(DEFAULT_IMAGE, ports, { ...settings, memoryFactor: 2 })), 1024 ** 3);
});

/** A name server on 127.0.0.1 that answers GET_BROKER_CLUSTER_INFO with `info`, or refuses it without one. */
async function fakeNamesrv(info?: object): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    let buffered: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      const { commands, rest } = decodeCommands(Buffer.concat([buffered, chunk]));
      buffered = rest;
      for (const c of commands) {
        const known = c.code === RequestCode.GET_BROKER_CLUSTER_INFO && info;
        socket.write(
          encodeCommand({
            opaque: c.opaque,
            flag: RESPONSE_FLAG,
            ...(known ? { code: 0, body: Buffer.from(JSON.stringify(info)) } : { code: 1, remark: "not now" }),
          }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A cluster of the given nodes, as StartedRocketMQCluster sees them after `docker inspect`; no Docker involved. */
function clusterOf(nodes: { service: string; ip: string; namesrvPort?: number }[], publishAddress?: string): StartedRocketMQCluster {
  const client = runtime("127.0.0.1") as unknown as ConstructorParameters<typeof StartedRocketMQCluster>[0];
  const node = ({ service, ip, namesrvPort }: (typeof nodes)[number]) =>
    new RocketMQNode(client, service, `project-${service}-1`, {
      Id: service,
      Config: { Env: [] },
      NetworkSettings: {
        Networks: { project_default: { IPAddress: ip } },
        Ports: namesrvPort ? { "9876/tcp": [{ HostIp: "0.0.0.0", HostPort: String(namesrvPort) }] } : {},
      },
    } as unknown as Dockerode.ContainerInspectInfo);
  const environment = {} as ConstructorParameters<typeof StartedRocketMQCluster>[1];
  return new StartedRocketMQCluster(client, environment, "project", nodes.map(node), undefined, publishAddress);
}

test("withPublishAddress: the name servers are dialled on the address given; anything but an IP address is refused", () => {
  const namesrvs = [
    { service: "namesrv-1", ip: "172.30.0.2", namesrvPort: 9876 },
    { service: "namesrv-2", ip: "172.30.0.3", namesrvPort: 9877 },
  ];
  assert.equal(clusterOf(namesrvs).getNamesrvAddr(), "127.0.0.1:9876;127.0.0.1:9877");
  assert.equal(clusterOf(namesrvs, "127.0.0.2").getNamesrvAddr(), "127.0.0.2:9876;127.0.0.2:9877");
  assert.throws(
    () => new RocketMQCluster("2m-2s-sync").withPublishAddress("localhost"),
    /withPublishAddress: "localhost" is not an IP address/,
  );
  assert.throws(() => new RocketMQCluster("2m-2s-sync").withPublishAddress("127.0.0.2:9876"), /is not an IP address/);
  assert.ok(new RocketMQCluster("2m-2s-sync").withPublishAddress("::1"));
});

test("a cluster asks each name server in turn, and finds the node that is master now", async () => {
  const refusing = await fakeNamesrv();
  const answering = await fakeNamesrv({
    brokerAddrTable: {
      "broker-a": { brokerName: "broker-a", brokerAddrs: { "0": "172.30.0.5:10911", "1": "172.30.0.6:11011" } },
      "broker-b": { brokerName: "broker-b", brokerAddrs: { "1": "172.30.0.8:11011" } },
    },
    clusterAddrTable: { DefaultCluster: ["broker-a", "broker-b"] },
  });
  const cluster = clusterOf([
    { service: "broker-a", ip: "172.30.0.5" },
    { service: "broker-a-s", ip: "172.30.0.6" },
    { service: "broker-b-s", ip: "172.30.0.8" },
    { service: "namesrv-1", ip: "172.30.0.2", namesrvPort: refusing.port },
    { service: "namesrv-2", ip: "172.30.0.3", namesrvPort: answering.port },
  ]);
  try {
    assert.deepEqual(Object.keys((await cluster.clusterInfo()).brokerAddrTable ?? {}), ["broker-a", "broker-b"]);
    assert.equal((await cluster.masterOf("broker-a")).service, "broker-a");
    await assert.rejects(cluster.masterOf("broker-b"), /the name servers list no master for broker-b, only id 1 \(172\.30\.0\.8:11011\)/);
    await assert.rejects(cluster.masterOf("broker-c"), /no master for broker-c nor any member of it/);
    const none = clusterOf([{ service: "namesrv-1", ip: "172.30.0.2", namesrvPort: refusing.port }]);
    await assert.rejects(none.clusterInfo(), (e) => e instanceof NoNamesrvAnsweredError && /code 1 \(not now\)/.test(e.message));
  } finally {
    await refusing.close();
    await answering.close();
  }
});

test("a cluster whose first name server is down asks the next one (a refused connect is an ordinary rejection)", async () => {
  const answering = await fakeNamesrv({ brokerAddrTable: { "broker-a": { brokerAddrs: { "0": "172.30.0.5:10911" } } } });
  const cluster = clusterOf([
    { service: "broker-a", ip: "172.30.0.5" },
    { service: "namesrv-1", ip: "172.30.0.2", namesrvPort: await closedPort() },
    { service: "namesrv-2", ip: "172.30.0.3", namesrvPort: answering.port },
  ]);
  try {
    assert.equal((await cluster.masterOf("broker-a")).service, "broker-a");
  } finally {
    await answering.close();
  }
});

test("pause: tried again after runc's 'unable to freeze', at most five times; any other failure at once", async () => {
  const freezeFailure = new Error(
    "(HTTP code 500) server error - Cannot pause container 1f: OCI runtime pause failed: unable to freeze: unknown",
  );
  let calls = 0;
  await pauseRetryingFreezer(async () => {
    if (++calls < 3) throw freezeFailure;
  }, 1);
  assert.equal(calls, 3);

  calls = 0;
  await assert.rejects(
    pauseRetryingFreezer(async () => {
      calls++;
      throw freezeFailure;
    }, 1),
    /unable to freeze/,
  );
  assert.equal(calls, 5);

  calls = 0;
  await assert.rejects(
    pauseRetryingFreezer(async () => {
      calls++;
      throw new Error("(HTTP code 409) container 1f is not running");
    }, 1),
    /is not running/,
  );
  assert.equal(calls, 1);
});
