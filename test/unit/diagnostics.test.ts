// Address diagnostics with a fake dialer: which addresses are dialed for each broker (client, fast and HA port),
// the hint for each way a dial fails, the problems visible without dialing, and the bounded fan-out.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  diagnose,
  hint,
  tcpDial,
  type BrokerAddress,
  type DiagnosticRow,
  type Dial,
  type DialResult,
} from "../../src/console/diagnostics.ts";

/** Answers from a table keyed by "host:port" (an error code, or "ok"); anything not listed connects. */
function fakeDialer(answers: Record<string, string> = {}): Dial & { dialed: string[] } {
  const dialed: string[] = [];
  const dial = async (host: string, port: number): Promise<DialResult> => {
    dialed.push(`${host}:${port}`);
    const code = answers[`${host}:${port}`] ?? "ok";
    return code === "ok" ? { ok: true, ms: 1 } : { ok: false, ms: code === "ETIMEDOUT" ? 2000 : 3, code };
  };
  return Object.assign(dial, { dialed });
}

const master = (address: string, config?: Record<string, string>, name = "broker-a"): BrokerAddress => ({
  cluster: "DefaultCluster",
  brokerName: name,
  brokerId: 0,
  address,
  ...(config ? { config } : {}),
});
const slave = (address: string, config?: Record<string, string>, name = "broker-a"): BrokerAddress => ({
  ...master(address, config, name),
  brokerId: 1,
});
const rowOf = (rows: DiagnosticRow[], brokerId: number, kind: DiagnosticRow["kind"]) => {
  const row = rows.find((r) => r.brokerId === brokerId && r.kind === kind);
  assert.ok(row, `a ${kind} row for broker id ${brokerId}: ${JSON.stringify(rows)}`);
  return row;
};

test("a master is dialed on its client port, fast port (listenPort−2) and HA port (brokerIP2:haListenPort); a slave has no HA row", async () => {
  const dial = fakeDialer();
  const d = await diagnose(
    [
      master("203.0.113.10:10911", { listenPort: "10911", haListenPort: "10912", brokerIP1: "203.0.113.10", brokerIP2: "198.51.100.7" }),
      slave("203.0.113.11:10921", { listenPort: "10921", haListenPort: "10922", brokerIP1: "203.0.113.11", brokerIP2: "203.0.113.11" }),
    ],
    dial,
  );
  assert.deepEqual(
    d.rows.map((r) => `${r.brokerId} ${r.kind} ${r.address}`),
    [
      "0 client 203.0.113.10:10911",
      "0 fast 203.0.113.10:10909",
      "0 ha 198.51.100.7:10912",
      "1 client 203.0.113.11:10921",
      "1 fast 203.0.113.11:10919",
    ],
  );
  assert.deepEqual(dial.dialed.sort(), d.rows.map((r) => r.address).sort(), "every row is one dial");
  for (const r of d.rows) {
    assert.deepEqual([r.reachable, r.severity, r.connectMs, r.cluster, r.brokerName], [true, "ok", 1, "DefaultCluster", "broker-a"]);
    assert.equal(r.hint, undefined, "no hint when the dial succeeds");
    assert.equal(r.error, undefined);
  }
  assert.deepEqual(d.problems, []);
});

test("a broker that did not answer its config request is still dialed: the HA port is taken as listenPort+1 on brokerIP1", async () => {
  const d = await diagnose([master("203.0.113.10:20911")], fakeDialer());
  assert.equal(rowOf(d.rows, 0, "ha").address, "203.0.113.10:20912");
  assert.equal(rowOf(d.rows, 0, "fast").address, "203.0.113.10:20909");
  assert.deepEqual(d.problems, [], "no port mismatch is claimed without the config");
});

test("refused on the client port: nothing listens there, publish the port one-to-one or set LISTEN_PORT", async () => {
  const d = await diagnose([master("203.0.113.10:10911", { listenPort: "10911" })], fakeDialer({ "203.0.113.10:10911": "ECONNREFUSED" }));
  const row = rowOf(d.rows, 0, "client");
  assert.deepEqual([row.reachable, row.severity, row.error, row.connectMs], [false, "error", "ECONNREFUSED", 3]);
  assert.match(row.hint!, /nothing listens on 10911/);
  assert.match(row.hint!, /-p 10911:10911/);
  assert.match(row.hint!, /LISTEN_PORT/);
  assert.doesNotMatch(row.hint!, /slaves/, "slaves are named only for the HA port");
});

test("a private (container) address that does not answer: set BROKER_IP1 to an address clients reach", async () => {
  for (const host of ["172.18.0.5", "10.0.3.4", "192.168.1.20", "172.31.255.1"]) {
    for (const code of ["ETIMEDOUT", "EHOSTUNREACH"]) {
      const d = await diagnose([master(`${host}:10911`)], fakeDialer({ [`${host}:10911`]: code }));
      const row = rowOf(d.rows, 0, "client");
      assert.equal(row.severity, "error");
      assert.equal(row.error, code);
      assert.match(row.hint!, new RegExp(`${host.replace(/\./g, "\\.")} is a private \\(likely container\\) address`), `${host} ${code}`);
      assert.match(row.hint!, /set BROKER_IP1 .*docker host's IP.*one-to-one/);
    }
  }
  // 172.32.x is outside 172.16.0.0/12: a public address, so no container hint.
  const outside = await diagnose([master("172.32.0.5:10911")], fakeDialer({ "172.32.0.5:10911": "ETIMEDOUT" }));
  assert.doesNotMatch(rowOf(outside.rows, 0, "client").hint!, /private/);
});

test("a public address: no route (EHOSTUNREACH / ENETUNREACH) versus a timeout (a firewall drops it, or the host is down)", async () => {
  for (const code of ["EHOSTUNREACH", "ENETUNREACH"]) {
    const d = await diagnose([master("203.0.113.10:10911")], fakeDialer({ "203.0.113.10:10911": code }));
    assert.match(rowOf(d.rows, 0, "client").hint!, /^No route to 203\.0\.113\.10: set BROKER_IP1/);
  }
  const timedOut = await diagnose([master("203.0.113.10:10911")], fakeDialer({ "203.0.113.10:10911": "ETIMEDOUT" }));
  const row = rowOf(timedOut.rows, 0, "client");
  assert.equal(row.connectMs, 2000);
  assert.match(row.hint!, /did not answer in time \(ETIMEDOUT\): a firewall drops it, or BROKER_IP1 names a host that is down/);
});

test("the HA port: its hint names BROKER_IP2, and says slaves dial it", async () => {
  const config = { listenPort: "10911", haListenPort: "10912", brokerIP2: "172.18.0.9" };
  const d = await diagnose([master("203.0.113.10:10911", config)], fakeDialer({ "172.18.0.9:10912": "ETIMEDOUT" }));
  const ha = rowOf(d.rows, 0, "ha");
  assert.deepEqual([ha.address, ha.severity], ["172.18.0.9:10912", "error"]);
  assert.match(ha.hint!, /set BROKER_IP2 \(or BROKER_IP1\)/);
  const refused = await diagnose(
    [master("203.0.113.10:10911", { listenPort: "10911", haListenPort: "10912" })],
    fakeDialer({ "203.0.113.10:10912": "ECONNREFUSED" }),
  );
  assert.match(rowOf(refused.rows, 0, "ha").hint!, /-p 10912:10912.*slaves dial this HA port/);
});

test("the fast port is only a warning: only clients with vipChannelEnabled use it", async () => {
  const d = await diagnose([master("203.0.113.10:10911", { listenPort: "10911" })], fakeDialer({ "203.0.113.10:10909": "ECONNREFUSED" }));
  const fast = rowOf(d.rows, 0, "fast");
  assert.deepEqual([fast.reachable, fast.severity], [false, "warning"]);
  assert.match(fast.hint!, /fast port 10909 \(listen port − 2\)/);
  assert.match(fast.hint!, /vipChannelEnabled/);
  assert.match(fast.hint!, /-p 10909:10909/);
  assert.equal(rowOf(d.rows, 0, "client").severity, "ok");
});

test("problems visible without dialing: loopback, link-local, an address two brokers share, a port that is not the listenPort", async () => {
  const d = await diagnose(
    [
      master("127.0.0.1:10911", undefined, "loop"),
      master("169.254.3.4:10911", undefined, "linklocal"),
      master("203.0.113.10:10911", { listenPort: "10911" }, "twin-a"),
      master("203.0.113.10:10911", { listenPort: "10911" }, "twin-b"),
      master("203.0.113.20:20911", { listenPort: "10911" }, "mapped"),
    ],
    fakeDialer(),
  );
  const problem = (re: RegExp) =>
    assert.ok(
      d.problems.some((p) => re.test(p)),
      `${re} in ${JSON.stringify(d.problems, null, 1)}`,
    );
  problem(/^loop \(id 0\) advertises 127\.0\.0\.1:10911, a loopback address .*set BROKER_IP1/);
  problem(/^linklocal \(id 0\) advertises the link-local address 169\.254\.3\.4:10911: set BROKER_IP1/);
  problem(/^twin-b \(id 0\) and twin-a \(id 0\) both advertise 203\.0\.113\.10:10911: .*BROKER_IP1 or LISTEN_PORT/);
  problem(
    /^mapped \(id 0\) is registered at port 20911 but listens on 10911: a port mapped to a different host port; publish the triplet one-to-one \(-p 10911:10911\)/,
  );
  assert.equal(d.problems.length, 4);
  // The rows are still there: the console dials what is advertised even when it looks wrong.
  assert.equal(d.rows.filter((r) => r.kind === "client").length, 5);
});

test("the note and the rows say reachability is the console's view, and when clients elsewhere may see something else", async () => {
  const d = await diagnose(
    [master("172.18.0.5:10911", { listenPort: "10911" }), master("203.0.113.10:10911", { listenPort: "10911" }, "broker-b")],
    fakeDialer(),
  );
  assert.match(d.note, /dialed from the console/);
  assert.match(d.note, /Clients elsewhere .* may see something different/);
  const container = d.rows.find((r) => r.brokerName === "broker-a" && r.kind === "client")!;
  assert.equal(container.reachable, true);
  assert.match(
    container.elsewhere ?? "",
    /container address.*not from other hosts.*BROKER_IP1/,
    "reachable here, not necessarily from other hosts",
  );
  assert.equal(d.rows.find((r) => r.brokerName === "broker-b" && r.kind === "client")!.elsewhere, undefined);
});

test("dials run with bounded concurrency and the rows keep the brokers' order", async () => {
  let inFlight = 0;
  let most = 0;
  const dial: Dial = async () => {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight--;
    return { ok: true, ms: 5 };
  };
  const brokers = Array.from({ length: 40 }, (_, i) =>
    master(`203.0.113.${i + 1}:10911`, undefined, `broker-${String(i).padStart(2, "0")}`),
  );
  const d = await diagnose(brokers, dial);
  assert.equal(d.rows.length, 40 * 3);
  assert.ok(most <= 16, `at most 16 dials in flight, saw ${most}`);
  assert.ok(most > 1, "dials do run side by side");
  assert.deepEqual(
    [...new Set(d.rows.map((r) => r.brokerName))],
    brokers.map((b) => b.brokerName),
  );
});

test("hint() on its own: one sentence per case", () => {
  for (const [kind, host, code] of [
    ["client", "203.0.113.10", "ECONNREFUSED"],
    ["client", "172.18.0.5", "ETIMEDOUT"],
    ["client", "203.0.113.10", "EHOSTUNREACH"],
    ["client", "203.0.113.10", undefined],
    ["ha", "10.0.0.2", "ETIMEDOUT"],
    ["fast", "203.0.113.10", "ECONNREFUSED"],
    ["client", "127.0.0.1", "ECONNREFUSED"],
    ["client", "broker-a.example", "ENOTFOUND"],
  ] as const) {
    const text = hint(kind, host, 10911, code);
    assert.match(text, /\.$/, text);
    assert.equal(text.split(/\.\s+[A-Z]/).length, 1, `one sentence: ${text}`);
  }
  assert.match(
    hint("client", "127.0.0.1", 10911, "ECONNREFUSED"),
    /loopback.*BROKER_IP1/,
    "a refused loopback address is the address's fault, not the port mapping's",
  );
  assert.match(hint("client", "broker-a.example", 10911, "ENOTFOUND"), /does not resolve/);
});

test("tcpDial: refused, connected and timed out, each bounded", async () => {
  const { createServer } = await import("node:net");
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const open = await tcpDial(1000)("127.0.0.1", port);
    assert.equal(open.ok, true);
    assert.ok(open.ms < 1000);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  const refused = await tcpDial(1000)("127.0.0.1", port);
  assert.deepEqual([refused.ok, refused.code], [false, "ECONNREFUSED"]);
  // A connect to a TEST-NET-1 address either hangs (bounded by the timeout) or fails at once, depending on routes.
  const started = performance.now();
  const far = await tcpDial(300)("192.0.2.123", 9);
  assert.ok(performance.now() - started < 1500, "bounded by the timeout");
  if (!far.ok) assert.ok(far.code, "a failure carries a code");
});
