// A RocketMQ 5 master whose haListenPort moves its HA port off listenPort+1, and its slave, with `docker run` on
// a network of their own. The slave learns the master's HA address from the name server and replicates from the
// moved port; its health check must look for that port, not listenPort+1, or the slave never turns healthy.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { docker, dockerAvailability, dockerOk, ensureImages, uniqueId } from "./harness.ts";
import { hasEstablishedConnection } from "../../src/entrypoint/healthcheck.ts";
import { brokerPorts } from "../../src/remoting/ports.ts";
import { imageName } from "../../src/images/versions.ts";

const skip = await dockerAvailability();
const id = uniqueId("rmqtest-ha");
const network = id;
const namesrv = `${id}-namesrv`;
const master = `${id}-broker-a`;
const slave = `${id}-broker-a-s`;
const VERSION = "5.5.0";
/** The master's HA port: neither listenPort+1 (10912) nor a port it uses otherwise. */
const HA_PORT = 10925;
const defaultHa = brokerPorts().ha;

/** The image's own health check, run every second instead of every five so the test does not wait for it. */
const FAST_HEALTH = ["--health-interval", "1s", "--health-start-period", "90s"];

async function waitHealthy(container: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await dockerOk("inspect", "-f", "{{.State.Health.Status}}", container)).trim();
    if (status === "healthy") return;
    if (Date.now() > deadline) {
      const check = await docker("exec", container, "docker-entrypoint", "healthcheck");
      const logs = await docker("logs", "--tail", "30", container);
      throw new Error(
        `${container} is ${status} after ${timeoutMs} ms; its check says: ${check.stdout.trim()}\n${logs.stdout}${logs.stderr}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function runBroker(name: string, env: Record<string, string>): Promise<string> {
  return dockerOk(
    "run",
    "-d",
    "--name",
    name,
    "--network",
    network,
    "--memory",
    "1g",
    ...FAST_HEALTH,
    "-e",
    `NAMESRV_ADDR=${namesrv}:9876`,
    "-e",
    "BROKER_NAME=broker-a",
    ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    imageName("broker", VERSION),
  );
}

describe("a 5.x master with haListenPort, and its slave", { skip }, () => {
  before(async () => {
    await ensureImages();
    await dockerOk("network", "create", network);
    await dockerOk("run", "-d", "--name", namesrv, "--network", network, "--memory", "512m", ...FAST_HEALTH, imageName("namesrv", VERSION));
    await waitHealthy(namesrv, 60_000);
    await runBroker(master, { BROKER_ROLE: "ASYNC_MASTER", RMQ_BROKER_haListenPort: String(HA_PORT) });
    // A slave learns its master's HA address when it registers: start it once its master is registered.
    await waitHealthy(master, 60_000);
    await runBroker(slave, { BROKER_ROLE: "SLAVE", BROKER_ID: "1" });
  });

  after(async () => {
    await docker("rm", "-f", slave, master, namesrv);
    await docker("network", "rm", network);
  });

  test("the slave replicates from the master's haListenPort and turns healthy", async () => {
    await waitHealthy(slave, 60_000);
    const check = await dockerOk("exec", slave, "docker-entrypoint", "healthcheck");
    assert.match(check, /^healthy: broker broker-a is registered at .* and replicates from its master /, check);
    // What the slave's kernel says, apart from the check: connected to the moved port, not to listenPort+1.
    // Java's sockets are dual-stack: an IPv4 connection may be listed in tcp6, as a v4-mapped address.
    const tcp = await dockerOk("exec", slave, "sh", "-c", "cat /proc/net/tcp*");
    assert.ok(hasEstablishedConnection(tcp, HA_PORT), `no connection to the master's HA port ${HA_PORT}:\n${tcp}`);
    assert.ok(!hasEstablishedConnection(tcp, defaultHa), `a connection to ${defaultHa}, which the master does not serve HA on:\n${tcp}`);
  });
});
