import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  VALID_SECONDS,
  promptInterval,
  promptsRegistration,
  promptsReplicaRegistration,
  replicaWithoutMaster,
  uptimeSeconds,
  verdictLine,
} from "../../src/entrypoint/health-watch.ts";
import { REPO_ROOT } from "../../src/images/docker.ts";
import { createServer, type AddressInfo } from "node:net";
import {
  CHECK_MAX_FRAME_BYTES,
  checkInSyncReplicas,
  hasEstablishedConnection,
  masterHaPort,
  namesrvsNotListing,
  ownClient,
  replicationLink,
} from "../../src/entrypoint/healthcheck.ts";
import { RESPONSE_FLAG, decodeCommands, encodeCommand } from "../../src/remoting/codec.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { RemotingClient } from "../../src/remoting/connection.ts";
import { createLogger } from "../../src/entrypoint/log.ts";
import { waitUntilResolvable } from "../../src/entrypoint/wait.ts";

test("a slave's HA connection is found in /proc/net/tcp by the master's HA port", () => {
  const tcp = [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    "   0: 00000000:2E7B 00000000:0000 0A 00000000:00000000 00:00000000 00000000  3000        0 1 1",
    "   1: 050013AC:A2C4 040013AC:2AA0 01 00000000:00000000 00:00000000 00000000  3000        0 2 1",
    "   2: 050013AC:A2C6 040013AC:2A9F 06 00000000:00000000 00:00000000 00000000  3000        0 3 1",
  ].join("\n");
  assert.equal(hasEstablishedConnection(tcp, 10912), true); // 0x2AA0, state 01
  assert.equal(hasEstablishedConnection(tcp, 10911), false); // 0x2A9F, TIME_WAIT
  assert.equal(hasEstablishedConnection(tcp, 11979), false); // 0x2E7B, listening only
});

/** A node that answers every request with `body` (a master's GET_BROKER_CONFIG, a name server's cluster info), counting GET_BROKER_CONFIG requests. */
async function fakeNode(body: string): Promise<{ address: string; port: number; asked: () => number; close: () => void }> {
  let asked = 0;
  const server = createServer((socket) => {
    // A client that refuses the answer closes mid-write.
    socket.on("error", () => {});
    socket.on("data", (data) => {
      for (const c of decodeCommands(data).commands) {
        if (c.code === RequestCode.GET_BROKER_CONFIG) asked++;
        socket.write(encodeCommand({ code: 0, opaque: c.opaque, flag: RESPONSE_FLAG, body: Buffer.from(body) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { address: `127.0.0.1:${port}`, port, asked: () => asked, close: () => server.close() };
}

test("a slave looks for its master's HA port where the master says it is: haListenPort (RocketMQ 5), else listenPort+1", async () => {
  const client = new RemotingClient();
  const moved = await fakeNode("brokerName=broker-a\nhaListenPort=30000\n");
  const unset = await fakeNode("brokerName=broker-a\nhaListenPort=0\n");
  try {
    assert.equal(await masterHaPort(client, new Map(), moved.address), 30000);
    assert.equal(await masterHaPort(client, new Map(), unset.address), unset.port + 1);
    // The slave's own haMasterAddress wins in RocketMQ: the master is not asked.
    assert.equal(await masterHaPort(client, new Map([["haMasterAddress", "10.0.0.9:40000"]]), moved.address), 40000);
    assert.equal(moved.asked(), 1);
  } finally {
    client.close();
    moved.close();
    unset.close();
  }
});

test("a slave asks its master for the HA port once while it stays connected, and again once the link is down", async () => {
  const client = new RemotingClient();
  const master = await fakeNode("brokerName=broker-a\nhaListenPort=30000\n");
  const established = `   1: 050013AC:A2C4 0100007F:7530 01 00000000:00000000 00:00000000 00000000  3000        0 2 1`; // 0x7530 = 30000
  try {
    assert.deepEqual(await replicationLink(client, new Map(), master.address, () => established), { haPort: 30000, connected: true });
    assert.deepEqual(await replicationLink(client, new Map(), master.address, () => established), { haPort: 30000, connected: true });
    assert.equal(master.asked(), 1);
    assert.deepEqual(await replicationLink(client, new Map(), master.address, () => ""), { haPort: 30000, connected: false });
    assert.equal(master.asked(), 1); // the port it knew, found unconnected: forgotten
    await replicationLink(client, new Map(), master.address, () => established);
    assert.equal(master.asked(), 2);
  } finally {
    client.close();
    master.close();
  }
});

test("the watcher's verdict is one line: the verdict, the uptime second it stands until, the detail", () => {
  assert.equal(
    verdictLine({ healthy: true, detail: "name server answers on 9876" }, 1234.56),
    "healthy 1244 name server answers on 9876\n",
  );
  assert.equal(
    verdictLine({ healthy: false, detail: "a\nmulti-line\tdetail " }, 7),
    `unhealthy ${7 + VALID_SECONDS} a multi-line detail\n`,
  );
  assert.equal(
    uptimeSeconds(() => "350735.97 698830.48\n"),
    350735,
  );
});

describe("docker-entrypoint healthcheck", () => {
  const entrypoint = join(REPO_ROOT, "docker", "rootfs", "usr", "local", "bin", "docker-entrypoint");
  const dir = mkdtempSync(join(tmpdir(), "rmq-health-"));
  // A `node` that says it was started: the full check, which the fast path must not need.
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "node"), '#!/bin/sh\necho "full check: $*"\nexit 3\n', { mode: 0o755 });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (verdict: string | undefined) => {
    if (verdict === undefined) rmSync(join(dir, "health"), { force: true });
    else writeFileSync(join(dir, "health"), verdict);
    return spawnSync("sh", [entrypoint, "healthcheck"], {
      encoding: "utf8",
      env: { PATH: `${join(dir, "bin")}:/usr/bin:/bin`, RMQ_RUNTIME_DIR: dir },
    });
  };
  const now = uptimeSeconds();

  test("a standing verdict is answered by the shell alone, healthy or not", () => {
    const healthy = run(verdictLine({ healthy: true, detail: "broker broker-a is registered" }, now));
    assert.deepEqual([healthy.status, healthy.stdout], [0, "healthy: broker broker-a is registered\n"]);
    const unhealthy = run(verdictLine({ healthy: false, detail: "no name server lists it" }, now));
    assert.deepEqual([unhealthy.status, unhealthy.stdout], [1, "unhealthy: no name server lists it\n"]);
  });

  test("start: until the watcher's first verdict, checks read 'starting' without Node", () => {
    const runtime = join(dir, "fresh-runtime");
    // A `node` whose `prepare` reports what a health check meanwhile answers, and stops the start there.
    const prepareDir = join(dir, "prepare-bin");
    mkdirSync(prepareDir);
    const stub = `#!/bin/sh\ncase "$1" in */health.mjs) echo "full check"; exit 3 ;; esac\nsh ${entrypoint} healthcheck; echo "status $?"; exit 5\n`;
    writeFileSync(join(prepareDir, "node"), stub, { mode: 0o755 });
    const start = (runtimeDir = runtime) =>
      spawnSync("sh", [entrypoint, "start"], {
        encoding: "utf8",
        env: { PATH: `${prepareDir}:/usr/bin:/bin`, RMQ_RUNTIME_DIR: runtimeDir },
      });
    const r = start();
    assert.equal(r.status, 5, r.stderr);
    assert.equal(r.stdout, "unhealthy: starting: configuring, then the JVM\nstatus 1\n");
    assert.equal(statSync(runtime).mode & 0o777, 0o700);
    // After a restart: the previous run's verdict no longer stands.
    writeFileSync(join(runtime, "health"), verdictLine({ healthy: true, detail: "previous run" }, now));
    assert.equal(start().stdout, "unhealthy: starting: configuring, then the JVM\nstatus 1\n");
    // A runtime directory that is a link is left to the configurator (which refuses it): nothing is written there.
    const target = mkdtempSync(join(tmpdir(), "rmq-health-target-"));
    const linked = join(dir, "linked-runtime");
    symlinkSync(target, linked);
    const viaLink = start(linked);
    assert.equal(viaLink.stdout, "full check\nstatus 3\n");
    assert.deepEqual(readdirSync(target), []);
    rmSync(target, { recursive: true });
  });

  test("a stale, missing or garbled verdict runs the full check", () => {
    for (const verdict of [
      verdictLine({ healthy: true, detail: "old" }, now - VALID_SECONDS - 5),
      undefined,
      "healthy soon x\n",
      "healthy\n",
      "",
    ]) {
      const r = run(verdict);
      assert.deepEqual([r.status, r.stdout], [3, "full check: /opt/appliance/health.mjs check\n"], JSON.stringify(verdict));
    }
  });
});

describe("prepare waits for a broker's advertised names to resolve (RocketMQ resolves them once, at start)", () => {
  const quiet = () => {
    const lines: string[] = [];
    return { lines, log: createLogger("text", { write: (s: string) => lines.push(s) }) };
  };

  test("an IP address is not looked up; a name is retried until it resolves, with a log line that says why", async () => {
    const asked: string[] = [];
    let tries = 0;
    const lookup = async (host: string) => {
      asked.push(host);
      if (host === "broker-a-0.broker.mq.svc.cluster.local" && ++tries < 3) throw new Error("ENOTFOUND");
    };
    const { lines, log } = quiet();
    const left = await waitUntilResolvable(
      [
        { variable: "BROKER_IP1", host: "broker-a-0.broker.mq.svc.cluster.local" },
        { variable: "BROKER_IP2", host: "10.1.2.3" },
      ],
      log,
      { intervalMs: 1, lookup },
    );
    assert.deepEqual(left, []);
    assert.deepEqual([...new Set(asked)], ["broker-a-0.broker.mq.svc.cluster.local"]);
    assert.equal(tries, 3);
    assert.match(lines.join(""), /waiting for broker-a-0\.broker\.mq\.svc\.cluster\.local \(BROKER_IP1\) to resolve/);
  });

  test("a name that never resolves is returned at the deadline", async () => {
    const { log } = quiet();
    const left = await waitUntilResolvable([{ variable: "BROKER_IP1", host: "nowhere.invalid" }], log, {
      timeoutMs: 20,
      intervalMs: 5,
      lookup: () => Promise.reject(new Error("ENOTFOUND")),
    });
    assert.deepEqual(left, [{ variable: "BROKER_IP1", host: "nowhere.invalid" }]);
  });
});

test("the watcher prompts a registration only of RocketMQ 5 brokers whose role is their own (not DLedger or controller-mode brokers)", () => {
  const updates = ["brokerConfigPath", "/tmp/rocketmq/broker-updates.properties"] as const;
  assert.equal(promptsRegistration(new Map([["brokerRole", "SYNC_MASTER"], updates])), true);
  assert.equal(promptsRegistration(new Map([["brokerRole", "SLAVE"], updates])), true);
  assert.equal(promptsRegistration(new Map([["brokerRole", "SYNC_MASTER"]])), false, "4.9.7 would rewrite broker.conf");
  // Elected: a deposed master prompted to register would be listed as master again.
  assert.equal(promptsRegistration(new Map([["enableDLegerCommitLog", "true"], updates])), false);
  assert.equal(promptsRegistration(new Map([["enableControllerMode", "true"], updates])), false);
  // A controller-mode replica that has lost its master's HA address is prompted (only while it answers as a replica).
  assert.equal(promptsReplicaRegistration(new Map([["enableControllerMode", "true"], updates])), true);
  assert.equal(promptsReplicaRegistration(new Map([["enableControllerMode", "true"]])), false);
  assert.equal(promptsReplicaRegistration(new Map([["enableDLegerCommitLog", "true"], updates])), false);
  assert.equal(promptsReplicaRegistration(new Map([["brokerRole", "SLAVE"], updates])), false);
});

test("a controller-mode broker's HA status, read once per check, decides both the in-sync check and the replica prompt", () => {
  const conf = new Map([["minInSyncReplicas", "2"]]);
  assert.throws(
    () => checkInSyncReplicas({ master: true, inSyncSlaveNums: 0 }, conf, "broker b is registered"),
    /1 of its replicas are in sync, fewer than minInSyncReplicas=2/,
  );
  checkInSyncReplicas({ master: true, inSyncSlaveNums: 1 }, conf, "broker b is registered");
  checkInSyncReplicas({ master: false }, conf, "broker b is registered"); // a replica is not held to it
  checkInSyncReplicas({ master: true, inSyncSlaveNums: 0 }, new Map(), "broker b is registered"); // RocketMQ's default, 1
  assert.equal(replicaWithoutMaster({ master: false, haClientRuntimeInfo: {} }), true);
  assert.equal(replicaWithoutMaster({ master: false, haClientRuntimeInfo: { masterAddr: "172.18.0.5:10912" } }), false);
  assert.equal(replicaWithoutMaster({ master: true }), false, "a broker that believes it is master is never prompted");
  assert.equal(replicaWithoutMaster(undefined), false, "no HA status read: not a controller-mode broker, or it did not answer");
});

test("the watcher's prompts back off while the broker stays unlisted: 3 s, then doubling, at most a minute", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 9].map(promptInterval), [3_000, 3_000, 6_000, 12_000, 24_000, 48_000, 60_000, 60_000]);
});

test("the name servers that answer but do not list the broker at its advertised address are the ones it is asked to register with", async () => {
  const info = (address: string) =>
    JSON.stringify({
      brokerAddrTable: { "broker-a": { brokerName: "broker-a", brokerAddrs: { "0": address } } },
      clusterAddrTable: { c: ["broker-a"] },
    });
  const listing = await fakeNode(info("10.0.0.5:10911"));
  const restarted = await fakeNode(JSON.stringify({}));
  const elsewhere = await fakeNode(info("10.0.0.6:10911"));
  const down = await fakeNode("");
  down.close();
  const client = new RemotingClient();
  try {
    const conf = new Map([
      ["brokerIP1", "10.0.0.5"],
      ["listenPort", "10911"],
      ["brokerName", "broker-a"],
      ["namesrvAddr", [listing, restarted, elsewhere, down].map((n) => n.address).join(";")],
    ]);
    // One that does not answer is not counted: the broker could not register with it either.
    assert.deepEqual(await namesrvsNotListing(conf, client), [restarted.address, elsewhere.address]);
  } finally {
    client.close();
    for (const n of [listing, restarted, elsewhere]) n.close();
  }
});

test("the watcher's client refuses an answer above 1 MiB, which its 16 MB heap could not parse, as an error of the check", async () => {
  const huge = await fakeNode(`{"brokerAddrTable":{},"pad":"${"x".repeat(2 * 1024 * 1024)}"}`);
  const client = ownClient(mkdtempSync(join(tmpdir(), "runtime-")));
  try {
    assert.equal(CHECK_MAX_FRAME_BYTES, 1024 * 1024);
    await assert.rejects(
      client.request(huge.address, RequestCode.GET_BROKER_CLUSTER_INFO),
      /not a RocketMQ remoting peer \(remoting frame of \d+ bytes/,
    );
  } finally {
    client.close();
    huge.close();
  }
});
