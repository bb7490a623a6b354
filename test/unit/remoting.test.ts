import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { FastjsonError, MAX_DEPTH, OBJECT_KEY_SLACK, parseFastjson } from "../../src/remoting/fastjson.ts";
import {
  MAX_FRAME_BYTES,
  RESPONSE_FLAG,
  RemotingProtocolError,
  decodeCommands,
  encodeCommand,
  type RemotingCommand,
} from "../../src/remoting/codec.ts";
import {
  RemotingClient,
  RemotingConnection,
  RemotingConnectionError,
  RemotingTimeoutError,
  type RemotingResponse,
  type Requester,
} from "../../src/remoting/connection.ts";
import { withTimeout } from "../../src/remoting/client.ts";
import { createTopic } from "../../src/remoting/topics.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { signedExtFields } from "../../src/remoting/auth.ts";
import {
  ClusterWaitTimeout,
  brokersOf,
  clusterMasters,
  masterOf,
  onEveryBroker,
  waitUntil,
  type BrokerMember,
  type ClusterInfo,
} from "../../src/remoting/cluster.ts";
import { BrokerRequestError, NoNamesrvAnsweredError, fromAnyNamesrv } from "../../src/remoting/namesrv.ts";
import { MAX_QUEUES, topicRoute } from "../../src/remoting/route.ts";
import { sendMessage } from "../../src/remoting/messages.ts";
import { messagesBetween } from "../../src/remoting/browse.ts";

test("fastjson's numeric and object map keys are read", () => {
  const clusterInfo =
    '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"172.18.0.3:10911",1:"172.18.0.4:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}';
  const parsed = parseFastjson(clusterInfo) as { brokerAddrTable: Record<string, { brokerAddrs: Record<string, string> }> };
  assert.deepEqual(parsed.brokerAddrTable["broker-a"]!.brokerAddrs, { "0": "172.18.0.3:10911", "1": "172.18.0.4:10911" });
  const stats = parseFastjson('{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{"brokerOffset":5}},"consumeTps":0.0}') as {
    offsetTable: Record<string, unknown>;
  };
  assert.deepEqual(Object.keys(stats.offsetTable), ['{"brokerName":"b","queueId":0,"topic":"t"}']);
  assert.throws(() => parseFastjson("{0:}"), /fastjson/);
});

test("a request frame decodes back, split across reads or not, in both header forms", () => {
  for (const serializeType of ["JSON", "ROCKETMQ"] as const) {
    const frame = encodeCommand({
      code: 106,
      opaque: 7,
      flag: 0,
      remark: "hé",
      extFields: { a: "b", topic: "TopicTest" },
      body: Buffer.from("xyz"),
      serializeType,
    });
    assert.equal(frame.readInt32BE(0), frame.length - 4);
    const whole = decodeCommands(Buffer.concat([frame, frame.subarray(0, 5)]));
    assert.equal(whole.commands.length, 1, serializeType);
    const c = whole.commands[0]!;
    assert.deepEqual(
      [c.code, c.opaque, c.flag, c.remark, c.extFields, c.body.toString(), c.serializeType],
      [106, 7, 0, "hé", { a: "b", topic: "TopicTest" }, "xyz", serializeType],
    );
    assert.equal(whole.rest.length, 5);
    // Byte by byte, as a slow network may deliver it.
    let rest: Buffer = Buffer.alloc(0);
    const seen = [];
    for (const byte of frame) {
      const r = decodeCommands(Buffer.concat([rest, Buffer.from([byte])]));
      seen.push(...r.commands);
      rest = r.rest;
    }
    assert.equal(seen.length, 1);
  }
});

test("a stream that is not RocketMQ remoting is refused, not buffered forever", () => {
  assert.throws(() => decodeCommands(Buffer.from("HTTP/1.1 400 Bad Request\r\n")), /not a RocketMQ remoting stream/);
});

test("a cluster's masters are the id-0 addresses of its broker groups", () => {
  const info = parseFastjson(
    '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:11011"}},"broker-b":{"brokerAddrs":{1:"10.0.0.3:12011"}},"other":{"brokerAddrs":{0:"10.0.0.9:10911"}}},' +
      '"clusterAddrTable":{"DefaultCluster":["broker-a","broker-b"],"OtherCluster":["other"]}}',
  ) as ClusterInfo;
  assert.deepEqual(clusterMasters(info, "DefaultCluster"), ["10.0.0.1:10911"]);
  assert.deepEqual(clusterMasters(info, "OtherCluster"), ["10.0.0.9:10911"]);
  assert.deepEqual(clusterMasters(info, "Missing"), []);
  assert.deepEqual(clusterMasters({}, "DefaultCluster"), []);
});

const fixture = (name: string): Buffer =>
  Buffer.from(readFileSync(new URL(`fixtures/remoting/${name}.hex`, import.meta.url), "utf8").replace(/\s/g, ""), "hex");

test("captured frames of RocketMQ 5.5.0 decode, with fastjson's numeric map keys", () => {
  const [cluster] = decodeCommands(fixture("cluster-info-json")).commands;
  assert.deepEqual([cluster!.code, cluster!.flag, cluster!.opaque, cluster!.serializeType], [0, 1, 1, "JSON"]);
  const info = parseFastjson(cluster!.body.toString("utf8")) as ClusterInfo;
  assert.deepEqual(clusterMasters(info, "DefaultCluster"), ["172.17.0.1:30831"]);

  const [missing] = decodeCommands(fixture("route-missing-topic-json")).commands;
  assert.equal(missing!.code, 17);
  assert.match(missing!.remark!, /No topic route info in name server for the topic: NoSuchTopic/);
  assert.equal(missing!.body.length, 0);

  const [runtime] = decodeCommands(fixture("runtime-info-asked-in-binary")).commands;
  const table = (parseFastjson(runtime!.body.toString("utf8")) as { table: Record<string, string> }).table;
  assert.equal(table.brokerVersionDesc, "V5_5_0");
});

test("captured frames arriving back to back and cut at any byte decode the same", () => {
  const names = ["cluster-info-json", "route-json", "route-missing-topic-json", "runtime-info-asked-in-binary"];
  const stream = Buffer.concat(names.map(fixture));
  const expected = decodeCommands(stream);
  assert.equal(expected.commands.length, 4);
  assert.equal(expected.rest.length, 0);
  for (let cut = 1; cut < stream.length; cut += 7) {
    const first = decodeCommands(stream.subarray(0, cut));
    const second = decodeCommands(Buffer.concat([first.rest, stream.subarray(cut)]));
    assert.deepEqual(
      [...first.commands, ...second.commands].map((c) => c.opaque),
      expected.commands.map((c) => c.opaque),
    );
  }
});

/** A binary (ROCKETMQ) header frame whose one ext field has key length 0 and value length -6: it once looped forever. */
const HANG_FRAME = Buffer.from("0000001f0100001b0000000000000000010000000100000000000000060000fffffffa", "hex");

/** A response frame with a binary header built by hand, for lengths encodeCommand would never write. */
function binaryFrame(parts: { remarkLength?: number; remark?: Buffer; fieldsLength?: number; fields?: Buffer }): Buffer {
  const remark = parts.remark ?? Buffer.alloc(0);
  const fields = parts.fields ?? Buffer.alloc(0);
  const header = Buffer.alloc(13 + 4 + remark.length + 4 + fields.length);
  let o = header.writeInt16BE(0, 0);
  o = header.writeUInt8(0, o);
  o = header.writeInt16BE(479, o);
  o = header.writeInt32BE(1, o);
  o = header.writeInt32BE(RESPONSE_FLAG, o);
  o = header.writeInt32BE(parts.remarkLength ?? remark.length, o);
  o += remark.copy(header, o);
  o = header.writeInt32BE(parts.fieldsLength ?? fields.length, o);
  fields.copy(header, o);
  const frame = Buffer.alloc(8);
  frame.writeInt32BE(4 + header.length, 0);
  frame.writeUInt32BE(((1 << 24) | header.length) >>> 0, 4);
  return Buffer.concat([frame, header]);
}

const field = (keyLength: number, key: string, valueLength: number, value: string): Buffer => {
  const b = Buffer.alloc(6 + Buffer.byteLength(key) + Buffer.byteLength(value));
  let o = b.writeInt16BE(keyLength, 0);
  o += b.write(key, o);
  o = b.writeInt32BE(valueLength, o);
  b.write(value, o);
  return b;
};

const jsonFrame = (header: string, body = Buffer.alloc(0)): Buffer => {
  const h = Buffer.from(header);
  const frame = Buffer.alloc(8);
  frame.writeInt32BE(4 + h.length + body.length, 0);
  frame.writeInt32BE(h.length, 4);
  return Buffer.concat([frame, h, body]);
};

test("the binary header that looped forever is refused at once, as a RemotingProtocolError", () => {
  const started = performance.now();
  assert.throws(
    () => decodeCommands(HANG_FRAME),
    (e: Error) => e instanceof RemotingProtocolError && /value of -6 bytes/.test(e.message),
  );
  assert.ok(performance.now() - started < 50);
});

test("binary header lengths that are negative or larger than what is left are refused", () => {
  const cases: [string, Buffer, RegExp][] = [
    ["negative remark", binaryFrame({ remarkLength: -1 }), /remark of -1 bytes/],
    ["remark past the header", binaryFrame({ remarkLength: 100 }), /remark of 100 bytes/],
    ["negative ext fields", binaryFrame({ fieldsLength: -2 }), /ext fields of -2 bytes/],
    ["ext fields past the header", binaryFrame({ fieldsLength: 1000 }), /ext fields of 1000 bytes/],
    ["negative key", binaryFrame({ fields: field(-3, "", 0, "") }), /key of -3 bytes/],
    ["key past the ext fields", binaryFrame({ fields: field(40, "k", 1, "v") }), /key of 40 bytes/],
    ["value past the ext fields", binaryFrame({ fields: field(1, "k", 2 ** 31 - 1, "v") }), /value of 2147483647 bytes/],
    ["a field cut short", binaryFrame({ fields: Buffer.from([0]) }), /key length of 2 bytes/],
  ];
  for (const [name, frame, message] of cases) {
    assert.throws(
      () => decodeCommands(frame),
      (e: Error) => e instanceof RemotingProtocolError && message.test(e.message),
      name,
    );
  }
  // The same builder with sane lengths decodes, so the refusals above are about the lengths alone.
  const [ok] = decodeCommands(
    binaryFrame({ remark: Buffer.from("r"), fields: Buffer.concat([field(1, "k", 1, "v"), field(0, "", 0, "")]) }),
  ).commands;
  assert.deepEqual([ok?.remark, ok?.extFields], ["r", { k: "v", "": "" }]);
});

test("frames are capped: a length prefix over MAX_FRAME_BYTES (or the option) is refused before the frame arrives", () => {
  const gib = Buffer.alloc(4);
  gib.writeInt32BE(2 ** 30, 0);
  assert.throws(
    () => decodeCommands(gib),
    (e: Error) => e instanceof RemotingProtocolError && /1073741824 bytes/.test(e.message),
  );
  const atCap = Buffer.alloc(4);
  atCap.writeInt32BE(MAX_FRAME_BYTES - 4, 0);
  assert.equal(decodeCommands(atCap).rest.length, 4, "a frame of exactly the cap is waited for");
  const frame = encodeCommand({ code: 0, opaque: 1, flag: 1, body: Buffer.alloc(1000) });
  assert.throws(() => decodeCommands(frame, { maxFrameBytes: 512 }), RemotingProtocolError);
  assert.throws(() => decodeCommands(Buffer.from([0xff, 0xff, 0xff, 0xff])), /-1 bytes/);
});

test("JSON headers: parse errors and mistyped fields are RemotingProtocolErrors; a __proto__ key stays a key", () => {
  const bad: [string, RegExp][] = [
    ["{", /does not parse/],
    ["[1]", /an array, not an object/],
    ['{"code":"0","opaque":1}', /code is a string/],
    ['{"code":0}', /without code or opaque/],
    ['{"code":0,"opaque":1.5}', /opaque is 1.5/],
    ['{"code":0,"opaque":1,"remark":{}}', /remark is a object/],
    ['{"code":0,"opaque":1,"extFields":{"a":1}}', /extFields.a is 1, not a string/],
    ['{"code":0,"opaque":1,"extFields":["a"]}', /extFields is an array/],
  ];
  for (const [header, message] of bad)
    assert.throws(
      () => decodeCommands(jsonFrame(header)),
      (e: Error) => e instanceof RemotingProtocolError && message.test(e.message),
      header,
    );

  const [c] = decodeCommands(
    jsonFrame('{"code":0,"opaque":1,"flag":1,"remark":null,"extFields":{"__proto__":"x","n":null,"toString":"y"}}'),
  ).commands;
  assert.equal(Object.getPrototypeOf(c!.extFields), Object.prototype);
  assert.deepEqual(
    Object.entries(c!.extFields!),
    [
      ["__proto__", "x"],
      ["toString", "y"],
    ],
    "null values are left out, as fastjson does",
  );
  assert.equal(c!.remark, undefined);
  // The binary header: the same key through an assignment would have been dropped (or changed the prototype).
  const [b] = decodeCommands(binaryFrame({ fields: field(9, "__proto__", 1, "x") })).commands;
  assert.deepEqual(Object.entries(b!.extFields!), [["__proto__", "x"]]);
  assert.equal(Object.getPrototypeOf(b!.extFields), Object.prototype);
});

test("fastjson: a __proto__ key is an own key, nesting is bounded, bad strings are its own error", () => {
  const parsed = parseFastjson('{"__proto__":{"polluted":1},"a":[{"__proto__":null}]}') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  assert.equal((parsed as { polluted?: unknown }).polluted, undefined);
  assert.deepEqual(Object.keys(parsed), ["__proto__", "a"]);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined);

  assert.deepEqual(parseFastjson("[".repeat(MAX_DEPTH) + "]".repeat(MAX_DEPTH)), JSON.parse("[".repeat(MAX_DEPTH) + "]".repeat(MAX_DEPTH)));
  for (const deep of ["[".repeat(MAX_DEPTH + 1) + "]".repeat(MAX_DEPTH + 1), "[".repeat(100_000), '{"a":'.repeat(100_000)]) {
    assert.throws(
      () => parseFastjson(deep),
      (e: Error) => e instanceof FastjsonError && /nesting deeper than 64/.test(e.message),
    );
  }
  const bad = [
    String.raw`"\x"`,
    String.raw`"\u12"`,
    String.raw`"unterminated\"`,
    '"raw newline\n"',
    '"raw control \u0001"',
    "-",
    "1e",
    "{1:}",
    '{"a"',
    "[1,]",
    '"' + "a".repeat(1_000_000),
  ];
  for (const text of bad) {
    assert.throws(() => parseFastjson(text), FastjsonError, text.slice(0, 20));
  }
  assert.deepEqual(parseFastjson(String.raw`{"s":"a\"b\\","n":-1.5e3,1e2:[true,false,null]}`), {
    s: 'a"b\\',
    n: -1500,
    "100": [true, false, null],
  });
});

test("fastjson: object keys nested in object keys, which double at each level, are refused past a budget", () => {
  let nested = '{"a":1}';
  // 167 bytes; unbounded, a key of terabytes (a RangeError, not FastjsonError, after minutes).
  for (let i = 0; i < 40; i++) nested = `{${nested}:1}`;
  assert.throws(
    () => parseFastjson(nested),
    (e: Error) => e instanceof FastjsonError && /object map keys longer than the text plus 1048576 characters/.test(e.message),
  );
  assert.equal(OBJECT_KEY_SLACK, 1024 * 1024);
  // What fastjson writes still reads: MessageQueue keys, many of them, and a few levels of nesting.
  const queues = Array.from({ length: 20_000 }, (_, i) => `{"brokerName":"b","queueId":${i},"topic":"T"}:${i}`).join(",");
  assert.equal(Object.keys(parseFastjson(`{"offsetTable":{${queues}}}`) as { offsetTable: object }).length, 1);
  assert.deepEqual(parseFastjson('{{{"a":1}:2}:3}'), { [JSON.stringify({ [JSON.stringify({ a: 1 })]: 2 })]: 3 });
});

test("a string where a name server's map belongs is not expanded per character: brokersOf skips it, topicRoute refuses it", async () => {
  // Expanded per character, each would be 64 Ki rows or keys: the results below would show it.
  const huge = "x".repeat(64 * 1024);
  const info = {
    brokerAddrTable: { "broker-a": { brokerAddrs: huge }, "broker-b": { brokerAddrs: { "0": "b0:10911" } }, "broker-c": huge },
    clusterAddrTable: { C: huge, D: ["broker-b"] },
  } as unknown as ClusterInfo;
  assert.deepEqual(brokersOf(info), [{ cluster: "D", brokerName: "broker-b", brokerId: 0, address: "b0:10911" }]);
  assert.deepEqual(brokersOf({ brokerAddrTable: huge } as unknown as ClusterInfo), []);
  // masterOf reads the same maps: a string gives no master, not its character "0".
  assert.equal(masterOf(info, "broker-a"), undefined);
  assert.equal(masterOf(info, "broker-b"), "b0:10911");
  assert.equal(masterOf(info, "broker-c"), undefined);
  assert.equal(masterOf({ brokerAddrTable: huge } as unknown as ClusterInfo, "x"), undefined);
  assert.equal(masterOf({ brokerAddrTable: { a: { brokerAddrs: { "0": { host: "h" } } } } } as unknown as ClusterInfo, "a"), undefined);
  assert.equal(masterOf({ brokerAddrTable: { a: { brokerAddrs: ["a0:10911"] } } } as unknown as ClusterInfo, "a"), undefined);

  const routeOf = (body: string): Promise<unknown> =>
    topicRoute({ request: async () => ({ code: 0, body: Buffer.from(body) }) }, "ns:9876", "T");
  const refusals: [string, string][] = [
    [`{"queueDatas":[],"brokerDatas":["${huge}"]}`, "brokerDatas[0] is a string, not an object"],
    [
      `{"queueDatas":[],"brokerDatas":[{"brokerName":"b","brokerAddrs":"${huge}"}]}`,
      "brokerDatas[0].brokerAddrs is a string, not an object",
    ],
    [`{"queueDatas":"${huge}"}`, "queueDatas is a string, not an array"],
    [`["${huge}"]`, "the answer is an array, not an object"],
  ];
  for (const [body, why] of refusals) await assert.rejects(routeOf(body), { message: `ns:9876's route for topic T: ${why}` });
  assert.deepEqual(await routeOf('{"brokerDatas":[{"brokerName":"b"}]}'), {
    queueDatas: [],
    brokerDatas: [{ brokerName: "b", brokerAddrs: {} }],
  });
});

test("queue counts and ids past MAX_QUEUES are refused, and a message's queue is picked without listing every queue", async () => {
  assert.equal(MAX_QUEUES, 65_536);
  const route = (queueDatas: object[]) =>
    JSON.stringify({
      queueDatas,
      brokerDatas: ["b", "c"].map((brokerName) => ({ brokerName, brokerAddrs: { 0: `${brokerName}:10911` } })),
    });
  const queue = (brokerName: string, n: unknown) => ({ brokerName, readQueueNums: n, writeQueueNums: n, perm: 6 });
  const sent: string[] = [];
  const client = (
    namesrvBody: string,
    broker: (code: number, extFields: Record<string, string>) => Partial<RemotingResponse> = () => ({}),
  ) =>
    ({
      async request(address: string, code: number, options: { extFields?: Record<string, string> } = {}): Promise<RemotingResponse> {
        if (code === RequestCode.GET_ROUTEINFO_BY_TOPIC) return { code: 0, body: Buffer.from(namesrvBody) };
        if (code === RequestCode.SEND_MESSAGE) sent.push(`${options.extFields!.brokerName}/${options.extFields!.queueId}`);
        return { code: 0, body: Buffer.alloc(0), ...broker(code, options.extFields ?? {}) };
      },
    }) as unknown as RemotingClient;

  for (const n of [2 ** 31 - 1, MAX_QUEUES + 1, -1, 1.5, "8"]) {
    await assert.rejects(sendMessage(client(route([queue("b", n)])), "ns:9876", { topic: "T", body: "x" }), {
      message: `no name server answered: ns:9876's route for topic T: queueDatas[0].readQueueNums is ${typeof n === "string" ? "a string" : n}, not a queue count (0..65536)`,
    });
  }
  // Round robin over b's 2 and c's 3 write queues, wherever the module's counter stands.
  const fiveQueues = client(route([queue("b", 2), queue("c", 3)]));
  for (let i = 0; i < 10; i++) await sendMessage(fiveQueues, "ns:9876", { topic: "T", body: "x" });
  const cycle = ["b/0", "b/1", "c/0", "c/1", "c/2"];
  const start = cycle.indexOf(sent[0]!);
  assert.deepEqual(sent, [...cycle, ...cycle, ...cycle].slice(start, start + 10));
  sent.length = 0;
  await sendMessage(client(route([queue("b", MAX_QUEUES)])), "ns:9876", { topic: "T", body: "x" });
  assert.match(sent[0]!, /^b\/\d+$/);

  // A broker's queue id indexes the browse cursor's offsets: 4294967294 would be an array of 4 G holes.
  const stats = (queueId: number) => ({
    body: Buffer.from(`{"offsetTable":{{"topic":"T","brokerName":"b","queueId":${queueId}}:{"minOffset":0,"maxOffset":1000}}}`),
  });
  const browsing = (queueId: number) =>
    messagesBetween(
      client(route([queue("b", 1)]), (code, fields) =>
        code === RequestCode.GET_TOPIC_STATS_INFO
          ? stats(queueId)
          : code === RequestCode.SEARCH_OFFSET_BY_TIMESTAMP
            ? { extFields: { offset: Number(fields.timestamp) < 1000 ? "0" : "1000" } }
            : { body: Buffer.from('{"queueData":[]}') },
      ),
      "ns:9876",
      { topic: "T", begin: 500, end: 2000, pageSize: 10, previewBytes: 100 },
    );
  await assert.rejects(browsing(4294967294), { message: "b's queue id is 4294967294, not a queue id (0..65535)" });
  await assert.rejects(browsing(MAX_QUEUES), { message: "b's queue id is 65536, not a queue id (0..65535)" });
  assert.equal((await browsing(3)).cursor, "b/0.0.0.990");
});

/**
 * A server on 127.0.0.1 that hands each request (decoded) and its socket to `answer`. It keeps the sockets it
 * accepted, so a test can see how many connections the client opened and whether they are still open.
 */
async function fakePeer(
  answer: (request: RemotingCommand, socket: Socket) => void,
): Promise<{ address: string; sockets: Socket[]; server: Server; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => undefined);
    let buffered: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      const { commands, rest } = decodeCommands(Buffer.concat([buffered, chunk]));
      buffered = rest;
      for (const c of commands) answer(c, socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    sockets,
    server,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const response = (request: RemotingCommand, body: Buffer): Buffer =>
  encodeCommand({ code: 0, opaque: request.opaque, flag: RESPONSE_FLAG, body });
const socketClosed = (socket: Socket): Promise<void> =>
  new Promise((resolve) => (socket.closed ? resolve() : socket.once("close", () => resolve())));

test("a 12 MiB answer sent in 8 KiB pieces is received with linear copying", async () => {
  const body = Buffer.alloc(12 * 1024 * 1024, 7);
  const peer = await fakePeer(async (request, socket) => {
    const frame = response(request, body);
    // A turn of the event loop after each piece lets the client read it alone: it gets 1536 small chunks.
    for (let at = 0; at < frame.length; at += 8192) {
      socket.write(frame.subarray(at, at + 8192));
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  const connection = new RemotingConnection(peer.address);
  // The bytes copied while it is received (both ends of this process), counted rather than timed: joining what
  // has arrived on every chunk copies 1536 × 6 MiB on average, about 9 GiB; joining once, the answer once more.
  let copied = 0;
  const { concat } = Buffer;
  const { copy } = Buffer.prototype;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
    const joined = concat(list, total);
    copied += joined.length;
    return joined;
  }) as typeof Buffer.concat;
  Buffer.prototype.copy = function (this: Buffer, ...args: Parameters<Buffer["copy"]>) {
    const n = copy.apply(this, args);
    copied += n;
    return n;
  };
  try {
    const r = await connection.request(RequestCode.GET_BROKER_RUNTIME_INFO, { timeoutMs: 60_000 });
    assert.equal(r.body.length, body.length);
    assert.ok(r.body.equals(body));
    assert.ok(copied < 4 * body.length, `${copied} bytes copied to receive ${body.length}`);
  } finally {
    Buffer.concat = concat;
    Buffer.prototype.copy = copy;
    connection.close();
    await peer.close();
  }
});

test("answers cut into pieces of every size, small ones merged and large ones kept, arrive whole and in order", async () => {
  const bodies = [0, 1, 3, 5000, 70_000, 300_000, 2].map((n, i) => Buffer.alloc(n, i + 1));
  let seed = 7;
  const nextSize = () => ((seed = (seed * 48271) % 2147483647), [1, 2, 3, 5, 100, 4095, 4096, 20_000, 65_536][seed % 9]!);
  const requests: RemotingCommand[] = [];
  const peer = await fakePeer(async (request, socket) => {
    requests.push(request);
    if (requests.length < bodies.length) return;
    // Every answer at once, as one stream cut at arbitrary places: prefixes and headers split across pieces too.
    const stream = Buffer.concat(requests.map((r, i) => response(r, bodies[i]!)));
    for (let at = 0; at < stream.length;) {
      const size = nextSize();
      socket.write(stream.subarray(at, (at += size)));
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  const connection = new RemotingConnection(peer.address);
  try {
    const answers = await Promise.all(bodies.map(() => connection.request(RequestCode.GET_BROKER_RUNTIME_INFO, { timeoutMs: 10_000 })));
    answers.forEach((a, i) => assert.ok(a.body.equals(bodies[i]!), `answer ${i}`));
  } finally {
    connection.close();
    await peer.close();
  }
});

test("a frame over the cap closes the connection as soon as its length prefix arrives, failing every waiting request", async () => {
  const peer = await fakePeer((_request, socket) => {
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(2 ** 30, 0);
    socket.write(prefix); // and nothing more: the client must not wait for the gigabyte
  });
  const connection = new RemotingConnection(peer.address);
  try {
    const started = performance.now();
    const results = await Promise.allSettled([
      connection.request(RequestCode.GET_BROKER_RUNTIME_INFO, { timeoutMs: 5000 }),
      connection.request(RequestCode.GET_BROKER_RUNTIME_INFO, { timeoutMs: 5000 }),
    ]);
    for (const r of results) {
      assert.equal(r.status, "rejected");
      const e = (r as PromiseRejectedResult).reason as Error;
      assert.ok(e instanceof RemotingConnectionError, String(e));
      assert.match(
        e.message,
        /^127\.0\.0\.1:\d+: not a RocketMQ remoting peer \(remoting frame of 1073741824 bytes: .*\); connection closed$/,
      );
      assert.ok(e.cause instanceof RemotingProtocolError);
    }
    assert.ok(performance.now() - started < 1000);
    assert.equal(connection.closed, true);
    await socketClosed(peer.sockets[0]!);
    await assert.rejects(
      connection.request(RequestCode.GET_BROKER_RUNTIME_INFO),
      RemotingConnectionError,
      "a closed connection refuses new requests",
    );
  } finally {
    connection.close();
    await peer.close();
  }
});

test("the looping frame over the wire closes the connection with the reason, without hanging the process", async () => {
  const peer = await fakePeer((_request, socket) => socket.write(HANG_FRAME));
  const client = new RemotingClient({ timeoutMs: 5000 });
  try {
    const started = performance.now();
    await assert.rejects(
      client.request(peer.address, RequestCode.GET_BROKER_RUNTIME_INFO),
      /not a RocketMQ remoting peer \(binary remoting header: a value of -6 bytes/,
    );
    assert.ok(performance.now() - started < 1000);
  } finally {
    client.close();
    await peer.close();
  }
});

test("a peer that stops answering: the connection closes when its requests have timed out, and the client dials anew", async () => {
  const peer = await fakePeer(() => undefined);
  const client = new RemotingClient({ timeoutMs: 200 });
  try {
    await assert.rejects(client.request(peer.address, RequestCode.GET_BROKER_RUNTIME_INFO), RemotingTimeoutError);
    await socketClosed(peer.sockets[0]!);
    await assert.rejects(client.request(peer.address, RequestCode.GET_BROKER_RUNTIME_INFO), RemotingTimeoutError);
    assert.equal(peer.sockets.length, 2, "the second request went on a new connection");
  } finally {
    client.close();
    await peer.close();
  }
});

test("a peer trickling a frame is not read longer than the first request waits, even with later requests still waiting", async () => {
  let trickle: NodeJS.Timeout | undefined;
  const peer = await fakePeer((request, socket) => {
    if (trickle) return;
    const frame = response(request, Buffer.alloc(1024 * 1024));
    let at = 0;
    trickle = setInterval(() => socket.write(frame.subarray(at, ++at)), 5);
  });
  const connection = new RemotingConnection(peer.address);
  try {
    const first = connection.request(RequestCode.GET_BROKER_RUNTIME_INFO, { timeoutMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = connection.request(RequestCode.GET_BROKER_RUNTIME_INFO, { timeoutMs: 10_000 });
    const started = performance.now();
    await assert.rejects(first, RemotingTimeoutError);
    await assert.rejects(
      second,
      (e: Error) => e instanceof RemotingConnectionError && /closed: no answer to request code 28 within 300 ms/.test(e.message),
    );
    assert.ok(performance.now() - started < 1000, "the second request did not wait out its own 10 s");
    await socketClosed(peer.sockets[0]!);
  } finally {
    clearInterval(trickle);
    connection.close();
    await peer.close();
  }
});

test("a request the peer ignores times out alone when the peer answers others since", async () => {
  const peer = await fakePeer((request, socket) => {
    if (request.code !== 1) socket.write(response(request, Buffer.from("ok")));
  });
  const connection = new RemotingConnection(peer.address);
  try {
    const ignored = connection.request(1, { timeoutMs: 200 });
    assert.equal((await connection.request(2)).body.toString(), "ok");
    await assert.rejects(ignored, RemotingTimeoutError);
    assert.equal(connection.closed, false);
    assert.equal((await connection.request(2)).body.toString(), "ok");
    assert.equal(peer.sockets.length, 1);
  } finally {
    connection.close();
    await peer.close();
  }
});

test("requests are signed as RocketMQ's AclClientRPCHook signs them (vectors from rocketmq-client 5.5.0)", () => {
  const credentials = { accessKey: "admin", secretKey: "S3cret-pw-é" };
  // Fields sorted by name in Java's order (upper case first), non-ASCII values and key, and the body.
  const fields = signedExtFields({ topic: "Orders", Zeta: "z", a: "ü-1" }, Buffer.from("body-bytes"), credentials);
  assert.deepEqual(fields, { topic: "Orders", Zeta: "z", a: "ü-1", AccessKey: "admin", Signature: "13Gk97GNVITHrWkINbIvW8PQ0dc=" });
  assert.equal(signedExtFields(undefined, undefined, credentials).Signature, "vywcmF778JP+ogDGqo9HcKyIrGY=");
  // A stale Signature is not signed over, and an AccessKey is the signer's.
  assert.deepEqual(signedExtFields({ Signature: "old", AccessKey: "someone" }, Buffer.alloc(0), credentials), {
    AccessKey: "admin",
    Signature: "vywcmF778JP+ogDGqo9HcKyIrGY=",
  });
});

test("a client with credentials signs every request on the wire", async () => {
  const seen: Record<string, string>[] = [];
  const server = createServer((socket) => {
    socket.on("data", (data) => {
      for (const c of decodeCommands(data).commands) {
        seen.push(c.extFields ?? {});
        socket.write(encodeCommand({ code: 0, opaque: c.opaque, flag: RESPONSE_FLAG }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const client = new RemotingClient({ credentials: { accessKey: "admin", secretKey: "S3cret-pw-é" } });
  try {
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    await client.request(address, RequestCode.GET_BROKER_CLUSTER_INFO);
    await client.request(address, RequestCode.GET_BROKER_CLUSTER_INFO, { credentials: { accessKey: "other", secretKey: "x" } });
    assert.deepEqual(seen[0], { AccessKey: "admin", Signature: "vywcmF778JP+ogDGqo9HcKyIrGY=" });
    assert.equal(seen[1]!.AccessKey, "other");
  } finally {
    client.close();
    server.close();
  }
});

test("TLS: with the CA the peer's certificate leads to, requests work; plaintext, another CA or no TLS at all fail", async () => {
  const fixture = (name: string) => readFileSync(new URL(`./fixtures/tls/${name}`, import.meta.url));
  const server = createTlsServer({ cert: fixture("server.pem"), key: fixture("server.key") }, (socket) => {
    socket.on("error", () => undefined);
    let buffered: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      const { commands, rest } = decodeCommands(Buffer.concat([buffered, chunk]));
      buffered = rest;
      for (const c of commands) socket.write(response(c, Buffer.from("over TLS")));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const trusted = new RemotingConnection(address, 3000, { tls: { ca: fixture("ca.pem") } });
    assert.equal((await trusted.request(RequestCode.GET_BROKER_RUNTIME_INFO)).body.toString(), "over TLS");
    trusted.close();
    const anyCert = new RemotingConnection(address, 3000, { tls: {} });
    assert.equal((await anyCert.request(RequestCode.GET_BROKER_RUNTIME_INFO)).body.toString(), "over TLS");
    anyCert.close();
    const otherCa = new RemotingConnection(address, 3000, { tls: { ca: fixture("other-ca.pem") } });
    await assert.rejects(otherCa.request(RequestCode.GET_BROKER_RUNTIME_INFO), /certificate/i);
    otherCa.close();
    const plaintext = new RemotingConnection(address, 3000);
    await assert.rejects(plaintext.request(RequestCode.GET_BROKER_RUNTIME_INFO, { timeoutMs: 1000 }));
    plaintext.close();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test("waitUntil looks until the look resolves, tells why not yet, and at its deadline rejects with the last reason", async () => {
  let looks = 0;
  const told: string[] = [];
  const value = await waitUntil(
    async () => {
      if (++looks < 3) throw new Error(`look ${looks}: not yet`);
      return "formed";
    },
    { timeoutMs: 5_000, intervalMs: 1, reportEveryMs: 0, onWaiting: (why) => told.push(why) },
  );
  assert.deepEqual([value, looks, told], ["formed", 3, ["look 1: not yet", "look 2: not yet"]]);
  await assert.rejects(
    waitUntil(() => Promise.reject(new NoNamesrvAnsweredError(["ns-1: refused", "ns-2: timed out"])), { timeoutMs: 0, intervalMs: 1 }),
    (e: unknown) => e instanceof ClusterWaitTimeout && e.why === "ns-1: refused; ns-2: timed out",
  );
});

test("onEveryBroker writes to masters and slaves, names each failure, and excuses slaves only when asked", async () => {
  const brokers: BrokerMember[] = [
    { cluster: "C", brokerName: "broker-a", brokerId: 0, address: "a0" },
    { cluster: "C", brokerName: "broker-a", brokerId: 1, address: "a1" },
    { cluster: "C", brokerName: "broker-b", brokerId: 0, address: "b0" },
  ];
  const written: string[] = [];
  await onEveryBroker(brokers, async (b) => void written.push(b.address));
  assert.deepEqual(written.sort(), ["a0", "a1", "b0"]);
  const slaveRefuses = (b: BrokerMember) => (b.brokerId === 0 ? Promise.resolve() : Promise.reject(new Error("refused")));
  await assert.rejects(onEveryBroker(brokers, slaveRefuses), /^Error: broker-a\/1: refused$/);
  await onEveryBroker(brokers, slaveRefuses, { slavesMayRefuse: true });
  await assert.rejects(
    onEveryBroker(brokers, () => Promise.reject(new Error("down")), { slavesMayRefuse: true }),
    /broker-a\/0: down; broker-b\/0: down/,
  );
});

test("onEveryBroker writes to at most 8 brokers at once, however many a name server lists", async () => {
  const brokers: BrokerMember[] = Array.from({ length: 50 }, (_, i) => ({
    cluster: "C",
    brokerName: `b${i}`,
    brokerId: 0,
    address: `a${i}`,
  }));
  let inFlight = 0;
  let most = 0;
  await onEveryBroker(brokers, async () => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
  });
  assert.equal(most, 8);
});

test("a master that does not answer a topic's creation is named as such: the next name server is not asked", async () => {
  const asked: string[] = [];
  const requester: Requester = {
    async request(address, code, options = {}) {
      asked.push(`${address} ${code} ${options.timeoutMs ?? "default"}`);
      if (code === RequestCode.GET_BROKER_CLUSTER_INFO)
        return { code: 0, body: Buffer.from('{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"a0:10911"}}}}') };
      throw new RemotingTimeoutError(address, code, options.timeoutMs ?? 3000);
    },
  };
  const creating = fromAnyNamesrv(["ns1:9876", "ns2:9876"], (ns) =>
    createTopic(ns, "Orders", { requester: withTimeout(requester, 10_000) }),
  );
  await assert.rejects(creating, (e: Error) => {
    assert.ok(e instanceof BrokerRequestError, e.message);
    assert.equal(
      e.message,
      "broker broker-a (a0:10911) did not create topic Orders: a0:10911: no answer to request code 17 within 10000 ms",
    );
    return true;
  });
  assert.deepEqual(asked, ["ns1:9876 106 10000", "a0:10911 17 10000"]);
});
