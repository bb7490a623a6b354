// The Testcontainers module's pure parts: which address the broker advertises, how a failed start is reported,
// and how free ports are chosen.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import type Dockerode from "dockerode";
import { advertisedHostOf } from "../../src/testcontainers/rocketmq-container.ts";
import { containerLogs, errorLines } from "../../src/testcontainers/ready.ts";
import { freeConsecutivePorts, isPortClash } from "../../src/testcontainers/ports.ts";

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
  assert.ok(isPortClash(new Error("driver failed programming external connectivity: Bind for 0.0.0.0:24097 failed: port is already allocated")));
  assert.ok(!isPortClash(new Error("no such image")));
});
