// The layouts of compose/hosts/ as on several machines: each "host" is a separate compose project whose services
// share one network namespace with one address (like a machine), and the hosts share nothing but one network.
// Every node is configured only through the host files: HOST, HOST_IP, the cluster's addresses and the admin's password.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ComposeProject, docker, dockerAvailability, dockerOk, ensureImages, eventually, sh, uniqueId } from "./harness.ts";
import { TEST_PASSWORD, brokerIds, listedTopology, report, type Topology } from "./cluster.ts";
import { splitNamesrvList } from "../../src/remoting/address.ts";
import { javaClientContainerCommand, prepareJavaClient, roundTripArgs, runJavaClientOnHost } from "../clients/java-client.ts";

const skip = await dockerAvailability();

/** The layouts turn authentication on: every client signs as the admin of cluster.env. */
const ADMIN = { accessKey: "admin", secretKey: TEST_PASSWORD };

/** Hosts 10.77.<subnet>.11, .12, ... on network rmqtest-lan-<layout>, each running `layout` from compose/hosts. */
class SimulatedHosts {
  readonly network: string;
  readonly hosts: { name: string; ip: string; box: string; project: ComposeProject }[];
  readonly namesrv: string;
  private readonly subnet: string;

  constructor(layout: string, services: string[], count: number, subnet: number) {
    this.network = `rmqtest-lan-${layout}`;
    const dir = mkdtempSync(join(tmpdir(), `rmq-hosts-${layout}-`));
    const ips = Array.from({ length: count }, (_, i) => `10.77.${subnet}.${11 + i}`);
    const cluster = join(dir, "cluster.env");
    // As a user fills cluster.env: the hosts' addresses and the admin's password (authentication is on there).
    writeFileSync(cluster, `${ips.map((ip, i) => `HOST_${i + 1}_IP=${ip}\n`).join("")}AUTH_ADMIN_PASSWORD=${TEST_PASSWORD}\n`, {
      mode: 0o600,
    });
    this.hosts = ips.map((ip, i) => {
      const name = `host-${i + 1}`;
      const box = `rmqtest-${layout}-${name}`;
      // Stand-in for the machine: every service joins the box's network namespace and so has the host's address.
      const overlay = join(dir, `${name}.yml`);
      writeFileSync(
        overlay,
        `services:\n${services.map((s) => `  ${s}:\n    network_mode: "container:${box}"\n    ports: !reset []\n`).join("")}`,
      );
      const hostFile = join(dir, `${name}.env`);
      writeFileSync(hostFile, `HOST=${name}\nHOST_IP=${ip}\n`);
      const project = new ComposeProject(`rmqtest-${layout}-${name}`, `hosts/${layout}`, {
        envFiles: [cluster, hostFile],
        overlays: [overlay],
      });
      return { name, ip, box, project };
    });
    this.namesrv = ips.map((ip) => `${ip}:9876`).join(";");
    this.subnet = `10.77.${subnet}.0/24`;
  }

  /** Starts every host at once; returns the seconds until all are healthy. */
  async up(): Promise<number> {
    await Promise.all([ensureImages(), prepareJavaClient()]);
    await this.down();
    await dockerOk("network", "create", "--subnet", this.subnet, this.network);
    for (const h of this.hosts) {
      await dockerOk(
        "run",
        "-d",
        "--name",
        h.box,
        "--network",
        this.network,
        "--ip",
        h.ip,
        "--no-healthcheck",
        "--entrypoint",
        "sleep",
        "rocketmq-appliance/namesrv:latest",
        "infinity",
      );
    }
    const started = Date.now();
    await Promise.all(this.hosts.map((h) => h.project.ok("up", "-d", "--wait")));
    return (Date.now() - started) / 1000;
  }

  async down(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.project.run("down", "-v", "--remove-orphans", "-t", "1")));
    await docker("rm", "-f", ...this.hosts.map((h) => h.box));
    await docker("network", "rm", this.network);
  }

  /** The name servers' view of the layout: the first of `namesrv`'s list to answer (listedTopology). */
  topology(namesrv = this.namesrv): Promise<Topology> {
    return listedTopology(splitNamesrvList(namesrv), ADMIN);
  }

  /** Round trip from the docker host (outside every simulated host) through all name servers. */
  async roundTrip(topic: string, count: number, timeoutSeconds = 120): Promise<void> {
    const runId = uniqueId("lan");
    const args = [...roundTripArgs(this.namesrv, topic, count, runId), "--create-topic", "--timeout-seconds", String(timeoutSeconds)];
    const r = await runJavaClientOnHost(args, { credentials: ADMIN });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`RECEIVED ${count}\\b`));
  }
}

const twoHosts = new SimulatedHosts("2m-2s", ["namesrv", "master", "slave"], 2, 0);

describe("two hosts (compose/hosts/2m-2s.yml), sharing only a network", { skip }, () => {
  before(async () => report(`two hosts (2m-2s): both up to healthy in ${(await twoHosts.up()).toFixed(1)} s`));
  after(() => twoHosts.down());

  test("each master is on its host's address and its slave on the other host's", async () => {
    for (const namesrv of splitNamesrvList(twoHosts.namesrv)) {
      const t = await twoHosts.topology(namesrv);
      assert.deepEqual(t.brokers["broker-a"]?.addrs, { "0": "10.77.0.11:10911", "1": "10.77.0.12:11011" }, `via ${namesrv}`);
      assert.deepEqual(t.brokers["broker-b"]?.addrs, { "0": "10.77.0.12:10911", "1": "10.77.0.11:11011" }, `via ${namesrv}`);
    }
  });

  test("a client outside the hosts round-trips 1000 messages through both name servers", () => twoHosts.roundTrip("LanTopic", 1000));

  test("a client in a container on the shared network round-trips 1000 messages", async () => {
    const runId = uniqueId("lanc");
    const { binds, cmd } = javaClientContainerCommand([
      ...roundTripArgs(twoHosts.namesrv, "LanTopic2", 1000, runId),
      "--create-topic",
      "--access-key",
      ADMIN.accessKey,
      "--secret-key-env",
      "ROUNDTRIP_SECRET_KEY",
    ]);
    const r = await sh(
      "docker",
      [
        "run",
        "--rm",
        "--network",
        twoHosts.network,
        ...binds.flatMap((b) => ["-v", b]),
        // The secret by name: docker copies it from its own environment, so it is on no command line.
        "-e",
        "ROUNDTRIP_SECRET_KEY",
        "--entrypoint",
        cmd[0]!,
        "rocketmq-appliance/broker:latest",
        ...cmd.slice(1),
      ],
      { env: { ROUNDTRIP_SECRET_KEY: ADMIN.secretKey } },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /RECEIVED 1000\b/);
  });

  test("replication crosses hosts: with host-1's master stopped, broker-a's messages are read from host-2", async () => {
    const runId = uniqueId("xh");
    const base = ["--namesrv", twoHosts.namesrv, "--topic", "CrossHostTopic", "--count", "600", "--run-id", runId];
    const sent = await runJavaClientOnHost([...base, "--mode", "send", "--create-topic"], { credentials: ADMIN });
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    assert.match(sent.stdout, /"broker-a":[1-9]/);
    await twoHosts.hosts[0]!.project.ok("stop", "master");
    const got = await runJavaClientOnHost([...base, "--mode", "consume", "--group", uniqueId("g"), "--timeout-seconds", "90"], {
      credentials: ADMIN,
    });
    assert.equal(got.code, 0, got.stdout + got.stderr);
    assert.match(got.stdout, /RECEIVED 600\b/);
  });
});

const threeHosts = new SimulatedHosts("dledger-3x3", ["namesrv", "broker-a", "broker-b", "broker-c"], 3, 1);

describe("three hosts, three DLedger groups (compose/hosts/dledger-3x3.yml), sharing only a network", { skip }, () => {
  before(async () => report(`three hosts (3 DLedger groups of 3): all up to healthy in ${(await threeHosts.up()).toFixed(1)} s`));
  after(() => threeHosts.down());

  test("every group has a member on each host: one master and two others", async () => {
    // Healthy members are listed, but a group's elected leader is listed as master (id 0) only once it registers
    // in that role, a moment after its election: the last group to elect may still show its members alone.
    await eventually(
      async () => {
        const t = await threeHosts.topology();
        const ids = brokerIds(t);
        assert.deepEqual(Object.keys(ids).sort(), ["broker-a", "broker-b", "broker-c"]);
        for (const [group, groupIds] of Object.entries(ids)) {
          assert.equal(groupIds.length, 3, `${group}: ${groupIds.join(", ")}`);
          assert.ok(groupIds.includes("0"), `${group} has no master`);
          const hostsOfGroup = Object.values(t.brokers[group]!.addrs)
            .map((a) => a.split(":")[0])
            .sort();
          assert.deepEqual(hostsOfGroup, ["10.77.1.11", "10.77.1.12", "10.77.1.13"], group);
        }
      },
      60_000,
      1000,
    );
  });

  // Nine DLedger members and three name servers share the 2-core CI machine: each send waits for a majority of a
  // starved group (≈ 100 ms each there), so fewer messages and a longer deadline than the two-host layout.
  test("a client outside the hosts round-trips 100 messages", () => threeHosts.roundTrip("Lan3Topic", 100, 240));

  test("with host-1 down entirely, every group keeps a majority: sends and reads go on", async () => {
    const started = Date.now();
    await threeHosts.hosts[0]!.project.ok("kill");
    const survivors = threeHosts.hosts
      .slice(1)
      .map((h) => `${h.ip}:9876`)
      .join(";");
    const runId = uniqueId("down");
    const r = await runJavaClientOnHost(
      [
        "--namesrv",
        survivors,
        "--topic",
        "Lan3Topic",
        "--count",
        "300",
        "--mode",
        "both",
        "--until-ok",
        "--run-id",
        runId,
        "--group",
        runId,
        "--timeout-seconds",
        "240",
      ],
      { credentials: ADMIN },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /RECEIVED 300\b/);
    report(
      `three hosts: host-1 killed; 300 messages sent and received through the other two in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
