// The console against a hostile broker. A TCP server in this process registers itself with a real name server
// (REGISTER_BROKER, code 103, with a topic it claims to serve), so the console finds it in the cluster and topic
// routes like any broker, and then answers every request with what a broken or malicious peer might send: the
// binary header that once looped forever, a frame declaring 1 GiB, a frame trickled a byte at a time, JSON nested
// 100,000 deep, a body with "__proto__" keys, and a stored message whose zlib body inflates to 200 MiB.
//
// The console (in this process, on a random port) must stay responsive: /healthz answers within a second during
// and after, memory stays bounded, the hostile broker's pages fail with an error instead of hanging or crashing,
// and nothing leaks into Object.prototype.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import * as zlib from "node:zlib";
import { GenericContainer, type StartedTestContainer } from "testcontainers";
import type { FastifyInstance } from "fastify";
import { buildConsole } from "../../src/console/app.ts";
import { RemotingClusterSource } from "../../src/console/cluster-source.ts";
import { RESPONSE_FLAG, decodeCommands, encodeCommand, type RemotingCommand } from "../../src/remoting/codec.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { RemotingClient, RemotingConnection } from "../../src/remoting/connection.ts";
import { encodeProperties } from "../../src/remoting/message-codec.ts";
import { imageName } from "../../src/images/versions.ts";
import { HealthyOrExitedWaitStrategy } from "../../src/testcontainers/ready.ts";
import { dockerAvailability, ensureImages } from "./harness.ts";

const skip = await dockerAvailability();

const { REGISTER_BROKER, QUERY_MESSAGE, VIEW_MESSAGE_BY_ID } = RequestCode;
const TOPIC = "HostileTopic";
const CLUSTER = "HostileCluster";
const BROKER_NAME = "hostile-broker";
const PASSWORD = "hostile-broker-test";
/** The bomb's UNIQ_KEY: what /api/messages?id= looks up by QUERY_MESSAGE. */
const BOMB_ID = "B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0";

/** The frame of a binary header whose one ext field has a value length of -6 (test/unit/remoting.test.ts). */
const HANG_FRAME = Buffer.from("0000001f0100001b0000000000000000010000000100000000000000060000fffffffa", "hex");

const MODES = ["hang frame", "1 GiB frame", "trickle", "deep JSON", "__proto__ JSON"] as const;
type Mode = (typeof MODES)[number] | "zlib bomb";

/** 200 MiB of zeros, deflated a MiB at a time so that the test itself never holds them. */
async function zlibBomb(mib: number): Promise<Buffer> {
  const deflate = zlib.createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on("data", (c: Buffer) => chunks.push(c));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) if (!deflate.write(zeros)) await once(deflate, "drain");
  deflate.end();
  await once(deflate, "end");
  return Buffer.concat(chunks);
}

/** A MessageDecoder record (v1 magic, IPv4 hosts) with a zlib-compressed body, as QUERY_MESSAGE answers. */
function storedMessage(body: Buffer, storePort: number): Buffer {
  const topic = Buffer.from(TOPIC);
  const props = Buffer.from(encodeProperties({ KEYS: "bomb", UNIQ_KEY: BOMB_ID }));
  const size = 4 * 5 + 8 * 2 + 4 + 8 + 4 + 4 + 8 + 4 + 4 + 4 + 8 + 4 + body.length + 1 + topic.length + 2 + props.length;
  const b = Buffer.alloc(size);
  let p = b.writeInt32BE(size, 0);
  p = b.writeInt32BE(-626843481, p); // magic v1
  p += 12; // body CRC, queue id, flag
  p += 16; // queue offset, commit log offset
  p = b.writeInt32BE(0x1, p); // sysFlag: compressed, zlib
  p = b.writeBigInt64BE(BigInt(Date.now()), p);
  b.set([127, 0, 0, 1], p);
  p = b.writeInt32BE(40000, p + 4);
  p = b.writeBigInt64BE(BigInt(Date.now()), p);
  b.set([127, 0, 0, 1], p);
  p = b.writeInt32BE(storePort, p + 4);
  p += 4 + 8; // reconsume times, prepared transaction offset
  p = b.writeInt32BE(body.length, p);
  p += body.copy(b, p);
  p = b.writeUInt8(topic.length, p);
  p += topic.copy(b, p);
  p = b.writeUInt16BE(props.length, p);
  props.copy(b, p);
  return b;
}

interface HostileBroker {
  address: string;
  port: number;
  /** How often each kind of answer was sent. */
  sent: Map<Mode, number>;
  close(): Promise<void>;
}

/** Listens on 0.0.0.0 (containers could reach it through the bridge gateway); the console dials 127.0.0.1. */
async function startHostileBroker(bomb: Buffer): Promise<HostileBroker> {
  const sockets = new Set<Socket>();
  const sent = new Map<Mode, number>();
  /** Per request code, so that the requests of one page meet every mode in turn whatever other pages ask. */
  const turns = new Map<number, number>();
  let port = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    let trickle: NodeJS.Timeout | undefined;
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(trickle);
      sockets.delete(socket);
    });
    let buffered: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      const { commands, rest } = decodeCommands(Buffer.concat([buffered, chunk]));
      buffered = rest;
      for (const request of commands) {
        const turn = turns.get(request.code) ?? 0;
        turns.set(request.code, turn + 1);
        const mode: Mode =
          request.code === QUERY_MESSAGE || request.code === VIEW_MESSAGE_BY_ID ? "zlib bomb" : MODES[turn % MODES.length]!;
        sent.set(mode, (sent.get(mode) ?? 0) + 1);
        const answer = (body: Buffer) => encodeCommand({ code: 0, opaque: request.opaque, flag: RESPONSE_FLAG, body });
        if (mode === "hang frame") socket.write(HANG_FRAME);
        else if (mode === "1 GiB frame")
          socket.write(Buffer.from([0x40, 0, 0, 0])); // and never the gigabyte
        else if (mode === "trickle" && !trickle) {
          const frame = answer(Buffer.alloc(8 * 1024 * 1024));
          let at = 0;
          trickle = setInterval(() => socket.write(frame.subarray(at, ++at)), 10);
        } else if (mode === "deep JSON") socket.write(answer(Buffer.from(`{"table":${"[".repeat(100_000)}`)));
        else if (mode === "__proto__ JSON")
          socket.write(
            answer(Buffer.from('{"table":{"__proto__":{"polluted":"yes"},"brokerVersionDesc":"V6_6_6"},"__proto__":{"polluted":"yes"}}')),
          );
        else if (mode === "zlib bomb") socket.write(answer(storedMessage(bomb, port)));
      }
    });
  });
  server.listen(0, "0.0.0.0");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    sent,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

/**
 * REGISTER_BROKER as a master (id 0) serving TOPIC, on a connection kept open: the name server drops a broker whose
 * channel closes. Two topics, because a 5.x name server takes a first registration with exactly one topic for a
 * single-topic update from a broker it does not know yet, and refuses it.
 */
async function register(namesrv: string, broker: HostileBroker): Promise<RemotingConnection> {
  const connection = new RemotingConnection(namesrv, 10_000);
  const topicConfig = (topicName: string) => ({
    topicName,
    readQueueNums: 1,
    writeQueueNums: 1,
    perm: 6,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: 0,
    order: false,
  });
  const body = {
    topicConfigSerializeWrapper: {
      topicConfigTable: { [TOPIC]: topicConfig(TOPIC), [`${TOPIC}2`]: topicConfig(`${TOPIC}2`) },
      dataVersion: { timestamp: Date.now(), counter: 1, stateVersion: 0 },
    },
    filterServerList: [],
  };
  const extFields = {
    brokerName: BROKER_NAME,
    brokerAddr: broker.address,
    clusterName: CLUSTER,
    haServerAddr: `127.0.0.1:${broker.port + 1}`,
    brokerId: "0",
    compressed: "false",
    bodyCrc32: "0",
  };
  const r = await connection.request(REGISTER_BROKER, { extFields, body: Buffer.from(JSON.stringify(body)), timeoutMs: 10_000 });
  assert.equal(r.code, 0, `the name server refused the registration: code ${r.code} ${r.remark ?? ""}`);
  return connection;
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);

describe("the console against a hostile broker registered with a real name server", { skip, timeout: 120_000 }, () => {
  let namesrv: StartedTestContainer | undefined;
  let broker: HostileBroker | undefined;
  let registration: RemotingConnection | undefined;
  let app: FastifyInstance | undefined;
  const client = new RemotingClient({ timeoutMs: 1000 });
  let url = "";

  before(async () => {
    const [bomb] = await Promise.all([zlibBomb(200), ensureImages()]);
    namesrv = await new GenericContainer(imageName("namesrv"))
      .withExposedPorts(9876)
      .withResourcesQuota({ memory: 0.5 })
      // The image checks every 5 s; a test should not wait that long to learn that the name server is up.
      .withHealthCheck({
        test: ["CMD", "docker-entrypoint", "healthcheck"],
        interval: 1_000,
        timeout: 5_000,
        retries: 3,
        startPeriod: 60_000,
      })
      .withWaitStrategy(new HealthyOrExitedWaitStrategy("the name server"))
      .withStartupTimeout(60_000)
      .start();
    const namesrvAddr = `${namesrv.getHost()}:${namesrv.getMappedPort(9876)}`;
    broker = await startHostileBroker(bomb);
    registration = await register(namesrvAddr, broker);
    // No cache: every page load asks the hostile broker again.
    app = buildConsole({
      config: { user: "admin", password: PASSWORD, readOnly: true, sessionHours: 1 },
      source: new RemotingClusterSource(client, namesrvAddr, 0),
      logger: false,
    });
    url = await app.listen({ host: "127.0.0.1", port: 0 });
  });

  after(async () => {
    await app?.close();
    client.close();
    registration?.close();
    await broker?.close();
    await namesrv?.stop();
  });

  test("pages fail with the broker's error, /healthz answers within a second throughout, memory stays bounded", async (t) => {
    const login = await fetch(`${url}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "admin", password: PASSWORD }),
    });
    assert.equal(login.status, 200);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const get = async (path: string) => {
      const r = await fetch(`${url}${path}`, { headers: { cookie } });
      return { path, status: r.status, body: (await r.json()) as Record<string, unknown> };
    };

    // The cluster page, once per mode (its runtime-info request meets them in MODES order): the broker is listed at
    // the address it registered, with what went wrong, and each load ends within the 1 s request timeout.
    const views: { brokerName: string; address: string; version: string | null; error?: string }[] = [];
    for (const _ of MODES) {
      const loadStarted = performance.now();
      const page = await get("/api/cluster");
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.ok(performance.now() - loadStarted < 2000, `the cluster page took ${Math.round(performance.now() - loadStarted)} ms`);
      views.push(...(page.body.brokers as (typeof views)[number][]));
    }
    assert.deepEqual(
      views.map((b) => [b.brokerName, b.address]),
      MODES.map(() => [BROKER_NAME, broker!.address]),
    );
    const expected = [
      /^127\.0\.0\.1:\d+: not a RocketMQ remoting peer \(binary remoting header: a value of -6 bytes at byte \d+, 0 left\); connection closed$/,
      /^127\.0\.0\.1:\d+: not a RocketMQ remoting peer \(remoting frame of 1073741824 bytes: not a RocketMQ remoting stream .*\); connection closed$/,
      /no answer to request code 28 within 1000 ms/,
      /^fastjson: nesting deeper than 64 levels at offset 72$/,
    ];
    expected.forEach((pattern, i) => assert.match(views[i]!.error ?? "(no error)", pattern, MODES[i]));
    // The __proto__ keys stayed keys: the answer read as any other, and nothing reached Object.prototype.
    assert.deepEqual([views[4]!.version, views[4]!.error], ["V6_6_6", undefined]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);

    const rssBefore = process.memoryUsage().rss;
    let rssMax = rssBefore;
    const healthz: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const started = performance.now();
        const r = await fetch(`${url}/healthz`);
        assert.equal(r.status, 200);
        await r.arrayBuffer();
        healthz.push(performance.now() - started);
        rssMax = Math.max(rssMax, process.memoryUsage().rss);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const pages = [
      "/api/cluster",
      "/api/topics",
      `/api/topics/${TOPIC}`,
      `/api/messages?topic=${TOPIC}&key=bomb`,
      `/api/messages?topic=${TOPIC}&id=${BOMB_ID}`,
      "/api/ha",
      "/api/groups",
      "/api/groups/AnyGroup",
      "/api/producers?group=AnyGroup",
    ];
    const seen: { path: string; status: number; body: Record<string, unknown> }[] = [];
    const started = performance.now();
    // At least 4 rounds and 2 s: when the broker's answers come quickly, /healthz is still checked often enough.
    for (let round = 0; round < 4 || performance.now() - started < 2000; round++)
      seen.push(...(await Promise.all([...pages, "/api/cluster", "/api/cluster"].map(get))));
    const roundsMs = performance.now() - started;
    polling = false;
    await poller;

    t.diagnostic(
      `${seen.length} page loads in ${Math.round(roundsMs)} ms; ${healthz.length} /healthz, slowest ${Math.round(Math.max(...healthz))} ms; RSS +${mib(rssMax - rssBefore)} MiB at most`,
    );
    t.diagnostic(
      `statuses: ${JSON.stringify(
        Object.fromEntries(
          pages.map((p) => [
            p,
            seen
              .filter((s) => s.path === p)
              .map((s) => s.status)
              .join(" "),
          ]),
        ),
      )}`,
    );
    t.diagnostic(`the broker sent: ${[...broker!.sent].map(([mode, n]) => `${n} ${mode}`).join(", ")}`);
    // Nothing a hostile broker sends takes the console down or makes a page wait past the request timeout.
    assert.ok(healthz.length > 10, `only ${healthz.length} health checks ran`);
    assert.ok(Math.max(...healthz) < 1000, `the slowest /healthz took ${Math.round(Math.max(...healthz))} ms`);
    assert.ok(rssMax - rssBefore < 200 * 1024 * 1024, `RSS grew by ${mib(rssMax - rssBefore)} MiB`);
    assert.ok(roundsMs < 20_000, `the rounds of pages took ${Math.round(roundsMs)} ms`);
    for (const mode of [...MODES, "zlib bomb"] as const) assert.ok((broker!.sent.get(mode) ?? 0) > 0, `the broker never sent a ${mode}`);

    // Each page either answered (with the broker's failure noted) or failed with an error status, never a crash.
    for (const s of seen) assert.ok([200, 500, 502, 504].includes(s.status), `${s.path}: ${s.status} ${JSON.stringify(s.body)}`);

    // The bomb is listed, not inflated: its body is shown as the compressed bytes it is. Among the concurrent pages a
    // message query can share its connection with a request whose hostile answer closes it; alone it gets through.
    const listed = () => seen.some((s) => s.path.startsWith("/api/messages") && s.status === 200);
    for (let attempt = 0; attempt < 10 && !listed(); attempt++) seen.push(await get(`/api/messages?topic=${TOPIC}&key=bomb`));
    const found = seen
      .filter((s) => s.path.startsWith("/api/messages") && s.status === 200)
      .flatMap((s) => s.body.messages as { compressed?: string; bodyBytes: number; body: string }[]);
    assert.ok(found.length > 0, "the bomb was never listed");
    for (const m of found) {
      assert.equal(m.compressed, "zlib");
      assert.ok(m.bodyBytes < 1024 * 1024, `${m.bodyBytes} bytes: the body was inflated`);
    }

    assert.equal(({} as Record<string, unknown>).polluted, undefined, "a __proto__ key reached Object.prototype");

    // And after: the console still answers at once, and the cluster page still shows the broker with an error.
    const afterStarted = performance.now();
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.ok(performance.now() - afterStarted < 1000);
    const last = await get("/api/cluster");
    assert.equal(last.status, 200);
  });
});
