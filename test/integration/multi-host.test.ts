// compose/hosts/2m-2s.yml as on two machines: each "host" is a separate compose project whose services share one
// network namespace with one address (like a machine), and the two hosts share nothing but one network. Every
// node is configured only through the host files: HOST, HOST_IP and the cluster's two addresses.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ComposeProject, docker, dockerAvailability, dockerOk, uniqueId } from "./harness.ts";
import { ensureImagesOf, report, type Topology } from "./cluster.ts";
import { DEFAULT_ROCKETMQ_VERSION } from "../../src/images/versions.ts";
import { javaClientContainerCommand, prepareJavaClient, runJavaClientOnHost } from "../clients/java-client.ts";

const skip = await dockerAvailability();
const LAN = "rmqtest-lan";
const HOSTS = [
  { name: "host-1", ip: "10.77.0.11" },
  { name: "host-2", ip: "10.77.0.12" },
];
const NAMESRV = HOSTS.map((h) => `${h.ip}:9876`).join(";");
const dir = mkdtempSync(join(tmpdir(), "rmq-hosts-"));

function hostProject(host: { name: string; ip: string }): ComposeProject {
  const box = `rmqtest-${host.name}`;
  // Stand-in for the machine: every service joins the box's network namespace and so has the host's address.
  const overlay = join(dir, `${host.name}.yml`);
  const services = ["namesrv", "master", "slave"];
  writeFileSync(overlay, `services:\n${services.map((s) => `  ${s}:\n    network_mode: "container:${box}"\n    ports: !reset []\n`).join("")}`);
  const cluster = join(dir, "cluster.env");
  writeFileSync(cluster, HOSTS.map((h, i) => `HOST_${i + 1}_IP=${h.ip}\n`).join(""));
  const hostFile = join(dir, `${host.name}.env`);
  writeFileSync(hostFile, `HOST=${host.name}\nHOST_IP=${host.ip}\n`);
  return new ComposeProject(`rmqtest-${host.name}`, "hosts/2m-2s", { envFiles: [cluster, hostFile], overlays: [overlay] });
}

const projects = HOSTS.map(hostProject);

async function clean(): Promise<void> {
  await Promise.all(projects.map((p) => p.run("down", "-v", "--remove-orphans")));
  await docker("rm", "-f", ...HOSTS.map((h) => `rmqtest-${h.name}`));
  await docker("network", "rm", LAN);
}

describe("two hosts (compose/hosts/2m-2s.yml), sharing only a network", { skip }, () => {
  before(async () => {
    await Promise.all([ensureImagesOf(DEFAULT_ROCKETMQ_VERSION), prepareJavaClient()]);
    await clean();
    await dockerOk("network", "create", "--subnet", "10.77.0.0/24", LAN);
    for (const h of HOSTS) {
      await dockerOk("run", "-d", "--name", `rmqtest-${h.name}`, "--network", LAN, "--ip", h.ip, "--no-healthcheck", "--entrypoint", "sleep", "rocketmq-appliance/namesrv:latest", "infinity");
    }
    const started = Date.now();
    await Promise.all(projects.map((p) => p.ok("up", "-d", "--wait")));
    report(`two hosts (2m-2s): both up to healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  after(clean);

  test("each master is on its host's address and its slave on the other host's", async () => {
    for (const namesrv of NAMESRV.split(";")) {
      const r = await runJavaClientOnHost(["--namesrv", namesrv, "--topic", "TopologyProbe", "--count", "0", "--mode", "route"]);
      const line = r.stdout.split("\n").find((l) => l.startsWith("CLUSTER "));
      assert.ok(line, r.stdout + r.stderr);
      const t = JSON.parse(line.slice("CLUSTER ".length)) as Topology;
      assert.deepEqual(t.brokers["broker-a"]?.addrs, { "0": "10.77.0.11:10911", "1": "10.77.0.12:11011" }, `via ${namesrv}`);
      assert.deepEqual(t.brokers["broker-b"]?.addrs, { "0": "10.77.0.12:10911", "1": "10.77.0.11:11011" }, `via ${namesrv}`);
    }
  });

  test("a client outside the hosts round-trips 1000 messages through both name servers", async () => {
    const runId = uniqueId("lan");
    const r = await runJavaClientOnHost(["--namesrv", NAMESRV, "--topic", "LanTopic", "--count", "1000", "--mode", "both", "--run-id", runId, "--group", runId, "--create-topic"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SENT 1000 ok=1000/);
    assert.match(r.stdout, /RECEIVED 1000\b/);
  });

  test("a client in a container on the shared network round-trips 1000 messages", async () => {
    const runId = uniqueId("lanc");
    const { binds, cmd } = javaClientContainerCommand(["--namesrv", NAMESRV, "--topic", "LanTopic2", "--count", "1000", "--mode", "both", "--run-id", runId, "--group", runId, "--create-topic"]);
    const r = await docker("run", "--rm", "--network", LAN, ...binds.flatMap((b) => ["-v", b]), "--entrypoint", cmd[0]!, "rocketmq-appliance/broker:latest", ...cmd.slice(1));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /RECEIVED 1000\b/);
  });

  test("replication crosses hosts: with host-1's master stopped, broker-a's messages are read from host-2", async () => {
    const runId = uniqueId("xh");
    const base = ["--namesrv", NAMESRV, "--topic", "CrossHostTopic", "--count", "600", "--run-id", runId];
    const sent = await runJavaClientOnHost([...base, "--mode", "send", "--create-topic"]);
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    assert.match(sent.stdout, /"broker-a":[1-9]/);
    await projects[0]!.ok("stop", "master");
    const got = await runJavaClientOnHost([...base, "--mode", "consume", "--group", uniqueId("g"), "--timeout-seconds", "90"]);
    assert.equal(got.code, 0, got.stdout + got.stderr);
    assert.match(got.stdout, /RECEIVED 600\b/);
  });
});
