// The message operations without a broker: the stored-message format in the forms console-core.test.ts does not
// build (v2 magic, IPv6 hosts, 5.x compression-type bits), properties and ids, and what the operations put on the
// wire, seen through a fake RemotingClient that records each request and answers like a broker would.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as zlib from "node:zlib";
const { deflateSync } = zlib;
import type { RemotingClient, RemotingResponse, RequestOptions } from "../../src/remoting/connection.ts";
import { createSubscriptionGroup } from "../../src/remoting/groups.ts";
import { MAX_GROUPS, subscriptionGroups } from "../../src/remoting/admin.ts";
import {
  MAX_INFLATED_ANSWER_BYTES,
  MAX_INFLATED_BODY_BYTES,
  PREVIEW_BYTES,
  decodeMessages,
  decodeProperties,
  encodeProperties,
  offsetMsgId,
  parseOffsetMsgId,
} from "../../src/remoting/message-codec.ts";
import {
  consumerConnections,
  queryMessagesByKey,
  recentMessages,
  resetConsumerOffset,
  sendMessage,
  viewMessageById,
} from "../../src/remoting/messages.ts";
import { messagesBetween } from "../../src/remoting/browse.ts";

const MAGIC_V1 = -626843481;
const MAGIC_V2 = -626843477;

interface Stored {
  topic: string;
  body: Buffer;
  properties: Record<string, string>;
  v2?: boolean;
  sysFlag?: number;
  /** 4 bytes (IPv4) or 16 (IPv6, with the sysFlag bits set by the caller). */
  bornIp?: number[];
  storeIp?: number[];
  storePort?: number;
  queueId?: number;
  queueOffset?: number;
  commitLogOffset?: number | bigint;
  storeTimestamp?: number;
  reconsumeTimes?: number;
  /** The body bytes as stored, when the test compresses them itself. */
  storedBody?: Buffer;
}

/** One record as MessageDecoder reads it; the body is deflated when sysFlag bit 0 is set. */
function stored(o: Stored): Buffer {
  const sysFlag = o.sysFlag ?? 0;
  const body = o.storedBody ?? (sysFlag & 1 ? deflateSync(o.body) : o.body);
  const topic = Buffer.from(o.topic);
  const props = Buffer.from(encodeProperties(o.properties));
  const bornIp = o.bornIp ?? [10, 0, 0, 9];
  const storeIp = o.storeIp ?? [10, 0, 0, 1];
  const size =
    4 * 5 +
    8 * 2 +
    4 +
    8 +
    bornIp.length +
    4 +
    8 +
    storeIp.length +
    4 +
    4 +
    8 +
    4 +
    body.length +
    (o.v2 ? 2 : 1) +
    topic.length +
    2 +
    props.length;
  const b = Buffer.alloc(size);
  let p = 0;
  const int = (v: number) => (p = b.writeInt32BE(v, p));
  const long = (v: number | bigint) => (p = b.writeBigInt64BE(BigInt(v), p));
  const bytes = (v: number[] | Buffer) => (b.set(v, p), (p += v.length));
  int(size);
  int(o.v2 ? MAGIC_V2 : MAGIC_V1);
  int(0x12345678); // body CRC, not checked
  int(o.queueId ?? 0);
  int(0); // flag
  long(o.queueOffset ?? 0);
  long(o.commitLogOffset ?? 0);
  int(sysFlag);
  long(1_700_000_000_000);
  (bytes(bornIp), int(40000));
  long(o.storeTimestamp ?? 1_700_000_000_010);
  (bytes(storeIp), int(o.storePort ?? 10911));
  int(o.reconsumeTimes ?? 0);
  long(0); // prepared transaction offset
  (int(body.length), bytes(body));
  p = o.v2 ? b.writeUInt16BE(topic.length, p) : b.writeUInt8(topic.length, p);
  bytes(topic);
  p = b.writeUInt16BE(props.length, p);
  bytes(props);
  assert.equal(p, size);
  return b;
}

interface Call {
  address: string;
  code: number;
  options: RequestOptions;
}

/** A RemotingClient whose answers come from `answer`; every request is recorded. */
function fakeClient(answer: (call: Call) => Partial<RemotingResponse>): { client: RemotingClient; calls: Call[] } {
  const calls: Call[] = [];
  const client = {
    async request(address: string, code: number, options: RequestOptions = {}): Promise<RemotingResponse> {
      const call = { address, code, options };
      calls.push(call);
      return { code: 0, body: Buffer.alloc(0), ...answer(call) };
    },
  } as unknown as RemotingClient;
  return { client, calls };
}

/**
 * A name server's route as fastjson writes it (numeric broker-id keys unquoted): broker-a (master and slave)
 * writable, broker-b read-only.
 */
const ROUTE = Buffer.from(
  '{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"C"},{"brokerAddrs":{0:"10.0.0.3:10911"},"brokerName":"broker-b","cluster":"C"}],' +
    '"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":2,"topicSysFlag":0,"writeQueueNums":2},{"brokerName":"broker-b","perm":4,"readQueueNums":2,"topicSysFlag":0,"writeQueueNums":2}]}',
);

test("decodeMessages: v2 magic (2-byte topic length), IPv6 hosts, zlib with 5.x compression-type bits, records back to back", () => {
  const ipv6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const long = "é".repeat(3000);
  const buffer = Buffer.concat([
    // COMPRESSED | ZLIB type (0x300), as 5.x producers flag a compressed body; BORNHOST_V6 | STOREHOST_V6.
    stored({
      topic: "T".repeat(300),
      body: Buffer.from(long),
      properties: { KEYS: "a b", ключ: "значение ✓" },
      v2: true,
      sysFlag: 0x1 | 0x300 | 0x10 | 0x20,
      bornIp: ipv6,
      storeIp: ipv6,
      queueId: 5,
      commitLogOffset: 2 ** 33,
    }),
    stored({ topic: "Plain", body: Buffer.from([0, 255, 1]), properties: {}, queueOffset: 9, reconsumeTimes: 3 }),
  ]);
  const [v2, v1] = decodeMessages(buffer);
  assert.ok(v2 && v1);
  assert.equal(v2.topic, "T".repeat(300), "a topic longer than 255 bytes needs v2's 2-byte length");
  assert.equal(v2.body.toString(), long);
  assert.deepEqual([v2.queueId, v2.commitLogOffset, v2.keys, v2.properties["ключ"]], [5, 2 ** 33, ["a", "b"], "значение ✓"]);
  assert.match(v2.bornHost, /^2001:0?db8:.*:40000$/);
  assert.match(v2.storeHost, /^2001:0?db8:.*:0*1:10911$/);
  assert.deepEqual(
    [v1.topic, [...v1.body], v1.queueOffset, v1.reconsumeTimes, v1.storeHost, v1.tags, v1.keys],
    ["Plain", [0, 255, 1], 9, 3, "10.0.0.1:10911", undefined, []],
  );
  assert.equal(v1.msgId, v1.offsetMsgId, "no UNIQ_KEY: the id is the broker's");
  const [tagged] = decodeMessages(
    stored({
      topic: "Orders",
      body: Buffer.from("plain"),
      properties: { KEYS: "k1 k2", TAGS: "TagA", UNIQ_KEY: "AB12" },
      storeIp: [172, 18, 0, 5],
      commitLogOffset: 8192,
    }),
  );
  assert.deepEqual(
    [tagged?.msgId, tagged?.keys, tagged?.tags, tagged?.offsetMsgId],
    ["AB12", ["k1", "k2"], "TagA", "AC12000500002A9F0000000000002000"],
  );
  assert.throws(
    () => decodeMessages(buffer.subarray(0, buffer.length - 1)),
    /claims \d+ bytes/,
    "a truncated answer is an error, not a short list",
  );
  assert.deepEqual(decodeMessages(Buffer.alloc(0)), []);
});

test("compressed bodies: zstd (5.x type 2) decompressed where Node has it; LZ4 and corrupt bodies kept as stored, named, not thrown", () => {
  const text = Buffer.from("hello ".repeat(100));
  const zstd = (zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;
  const records = [
    stored({ topic: "L", body: text, storedBody: Buffer.from([4, 34, 77, 24, 0, 1, 2]), properties: {}, sysFlag: 0x1 | 0x100 }),
    stored({ topic: "Z", body: text, storedBody: Buffer.from("not deflate"), properties: {}, sysFlag: 0x1 }),
    ...(zstd ? [stored({ topic: "S", body: text, storedBody: zstd(text), properties: {}, sysFlag: 0x1 | 0x200 })] : []),
  ];
  const [lz4, corrupt, zs] = decodeMessages(Buffer.concat(records));
  assert.deepEqual([lz4?.compressed, [...lz4!.body]], ["lz4", [4, 34, 77, 24, 0, 1, 2]]);
  assert.deepEqual([corrupt?.compressed, corrupt?.body.toString()], ["zlib", "not deflate"]);
  if (zstd) assert.deepEqual([zs?.compressed, zs?.body.toString()], [undefined, text.toString()]);
  const [plain] = decodeMessages(stored({ topic: "P", body: text, properties: {}, sysFlag: 0x1 }));
  assert.equal(plain && "compressed" in plain, false, "a decompressed body is not flagged");
});

test("compression bombs: 200 MiB of zeros, zlib or zstd, stay compressed with their size noted; the inflater stops at the limit", () => {
  const zeros = Buffer.alloc(200 * 1024 * 1024);
  const zstd = (zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;
  const bombs = [
    { codec: "zlib", sysFlag: 0x1, storedBody: deflateSync(zeros) },
    ...(zstd ? [{ codec: "zstd", sysFlag: 0x1 | 0x200, storedBody: zstd(zeros) }] : []),
  ];
  const records = Buffer.concat(
    bombs.map((b) => stored({ topic: "Bomb", body: Buffer.alloc(0), storedBody: b.storedBody, properties: {}, sysFlag: b.sysFlag })),
  );
  const buffersBefore = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  const decoded = decodeMessages(records);
  const ms = performance.now() - started;
  // Inflating them whole took about 0.3 s and 200 MiB each; stopping at the limit costs a few ms and MiB.
  assert.ok(ms < 200, `took ${Math.round(ms)} ms`);
  assert.ok(process.memoryUsage().arrayBuffers - buffersBefore < 64 * 1024 * 1024, "no inflated copy is kept");
  assert.equal(decoded.length, bombs.length);
  decoded.forEach((m, i) => {
    const bomb = bombs[i]!;
    assert.equal(m.compressed, bomb.codec);
    assert.ok(m.body.equals(bomb.storedBody), "the body is the stored bytes");
    assert.equal(m.bodyNote, `compressed (${bomb.codec}), ${bomb.storedBody.length} bytes; over the 4 MiB display limit`);
  });
  assert.equal(MAX_INFLATED_BODY_BYTES, 4 * 1024 * 1024);
});

test("one answer's bodies share a budget: many small bombs in one frame inflate no further than it", () => {
  const threeMiB = deflateSync(Buffer.alloc(3 * 1024 * 1024));
  const records = Buffer.concat(
    Array.from({ length: 8 }, () => stored({ topic: "Bombs", body: Buffer.alloc(0), storedBody: threeMiB, properties: {}, sysFlag: 0x1 })),
  );
  const decoded = decodeMessages(records, { maxInflatedAnswerBytes: 10 * 1024 * 1024 });
  assert.deepEqual(
    decoded.map((m) => m.compressed ?? "inflated"),
    ["inflated", "inflated", "inflated", "zlib", "zlib", "zlib", "zlib", "zlib"],
  );
  assert.equal(
    decoded[3]!.bodyNote,
    `compressed (zlib), ${threeMiB.length} bytes; over what is left of the answer's 10 MiB display budget`,
  );
  assert.equal(MAX_INFLATED_ANSWER_BYTES, 16 * 1024 * 1024);
});

test("the inflate limit is per call: a body of exactly the limit inflates, one byte more stays compressed; LZ4 is never inflated", () => {
  const text = Buffer.alloc(4096, "a");
  const record = stored({ topic: "T", body: text, properties: {}, sysFlag: 0x1 });
  assert.deepEqual(decodeMessages(record, { maxInflatedBytes: 4096 })[0]!.body, text);
  const [over] = decodeMessages(record, { maxInflatedBytes: 4095 });
  assert.deepEqual(
    [over?.compressed, over?.bodyNote],
    ["zlib", `compressed (zlib), ${deflateSync(text).length} bytes; over the 4095 bytes display limit`],
  );
  const lz4Frame = Buffer.from([4, 34, 77, 24, 0, 1, 2]);
  const [lz4] = decodeMessages(stored({ topic: "L", body: text, storedBody: lz4Frame, properties: {}, sysFlag: 0x1 | 0x100 }), {
    maxInflatedBytes: 1,
  });
  assert.deepEqual([lz4?.body, lz4?.bodyNote], [lz4Frame, "compressed (lz4), 7 bytes; the console has no LZ4 decoder"]);
  const [corrupt] = decodeMessages(
    stored({ topic: "Z", body: text, storedBody: Buffer.from("not deflate"), properties: {}, sysFlag: 0x1 }),
  );
  assert.match(corrupt?.bodyNote ?? "", /^compressed \(zlib\), 11 bytes; does not decompress \(.+\)$/);
});

test("an IPv6 store host gives MessageDecoder's 28-byte offset id (56 hex digits), which parses back", () => {
  const ipv6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const [m] = decodeMessages(
    stored({ topic: "T", body: Buffer.from("x"), properties: {}, sysFlag: 0x20, storeIp: ipv6, commitLogOffset: 4096 }),
  );
  const id = "20010DB8000000000000000000000001" + "00002A9F" + "0000000000001000";
  assert.equal(m?.offsetMsgId, id);
  assert.equal(m?.msgId, id);
  assert.deepEqual(parseOffsetMsgId(id), { address: m?.storeHost, commitLogOffset: 4096 });
  assert.equal(offsetMsgId("[2001:db8::1]:10911", 4096), id, "the short form too");
});

test("properties: name\\u0001value\\u0002 pairs, both ways", () => {
  assert.equal(encodeProperties({ KEYS: "k1 k2", UNIQ_KEY: "AB" }), "KEYS\u0001k1 k2\u0002UNIQ_KEY\u0001AB\u0002");
  const odd = { empty: "", spaced: "a b  c", unicode: "✓ 名前", "=": "=" };
  assert.deepEqual(decodeProperties(encodeProperties(odd)), odd);
  assert.deepEqual(decodeProperties("A\u00011\u0002junk\u0002B\u00012"), { A: "1", B: "2" }, "a pair without a separator is skipped");
  assert.deepEqual(decodeProperties(""), {});
  const proto = decodeProperties("__proto__\u0001x\u0002KEYS\u0001k\u0002");
  assert.deepEqual(Object.keys(proto), ["__proto__", "KEYS"], "a peer's __proto__ is a property like any other");
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(encodeProperties(proto), "__proto__\u0001x\u0002KEYS\u0001k\u0002");
});

test("offset message ids: store IPv4, port and 64-bit commit log offset in 32 hex digits", () => {
  const fiveGiB = 5 * 2 ** 30;
  const id = offsetMsgId("192.168.1.20:10911", fiveGiB);
  assert.equal(id, "C0A8011400002A9F0000000140000000");
  assert.deepEqual(parseOffsetMsgId(id), { address: "192.168.1.20:10911", commitLogOffset: fiveGiB });
  assert.deepEqual(parseOffsetMsgId(id.toLowerCase()), { address: "192.168.1.20:10911", commitLogOffset: fiveGiB });
  for (const bad of ["", id.slice(1), `${id}0`, `${id.slice(1)}G`]) assert.equal(parseOffsetMsgId(bad), undefined, bad);
  // Offsets Number() rounds up to 2^63, which 8 bytes cannot hold: the id is written from the stored bytes.
  for (const [offset, hex] of [
    [2n ** 63n - 1n, "7FFFFFFFFFFFFFFF"],
    [2n ** 63n - 512n, "7FFFFFFFFFFFFE00"],
    [-1n, "FFFFFFFFFFFFFFFF"],
  ] as const) {
    const [m] = decodeMessages(stored({ topic: "T", body: Buffer.alloc(0), properties: {}, commitLogOffset: offset }));
    assert.equal(m?.offsetMsgId, `0A00000100002A9F${hex}`);
  }
});

test("sendMessage: SEND_MESSAGE to a master's writable queue, round robin, with the header fields and UNIQ_KEY of a producer", async () => {
  const { client, calls } = fakeClient((c) =>
    c.code === 105
      ? { body: ROUTE }
      : { extFields: { msgId: "0A00000100002A9F0000000000000100", queueId: c.options.extFields!.queueId!, queueOffset: "41" } },
  );
  const before = Date.now();
  const results = [];
  for (let i = 0; i < 4; i++)
    results.push(
      await sendMessage(client, "ns:9876", {
        topic: "Orders",
        body: `hi ${i}`,
        tags: "TagA",
        keys: ["k1", "k2"],
        properties: { user: "x" },
      }),
    );
  const sends = calls.filter((c) => c.code === 10);
  assert.deepEqual(
    calls.filter((c) => c.code === 105).map((c) => [c.address, c.options.extFields?.topic]),
    Array(4).fill(["ns:9876", "Orders"]),
  );
  assert.deepEqual(new Set(sends.map((c) => c.address)), new Set(["10.0.0.1:10911"]), "the master of the only writable broker");
  assert.deepEqual(
    sends.map((c) => Number(c.options.extFields!.queueId) % 2).join(""),
    sends[0]!.options.extFields!.queueId === "0" ? "0101" : "1010",
    "queues in turn",
  );

  const h = sends[0]!.options.extFields!;
  assert.deepEqual([h.topic, h.defaultTopic, h.sysFlag, h.flag, h.reconsumeTimes, h.batch], ["Orders", "TBW102", "0", "0", "0", "false"]);
  assert.ok(h.producerGroup);
  assert.ok(Number(h.bornTimestamp) >= before && Number(h.bornTimestamp) <= Date.now());
  const props = decodeProperties(h.properties!);
  assert.deepEqual([props.KEYS, props.TAGS, props.user, props.WAIT], ["k1 k2", "TagA", "x", "true"]);
  assert.equal(sends[0]!.options.body!.toString(), "hi 0");

  assert.equal(props.UNIQ_KEY, results[0]!.msgId, "the id returned is the UNIQ_KEY sent");
  assert.match(results[0]!.msgId, /^[0-9A-F]{32}$/);
  assert.equal(new Set(results.map((r) => r.msgId)).size, 4);
  assert.deepEqual(
    { ...results[0]!, msgId: "" },
    { msgId: "", offsetMsgId: "0A00000100002A9F0000000000000100", brokerName: "broker-a", queueId: Number(h.queueId), queueOffset: 41 },
  );

  const binary = Buffer.from([0, 1, 254, 255]);
  await sendMessage(client, "ns:9876", { topic: "Orders", body: binary });
  assert.deepEqual(calls.at(-1)!.options.body, binary, "a Buffer body goes as it is");
  assert.equal(decodeProperties(calls.at(-1)!.options.extFields!.properties!).KEYS, undefined);

  const refusing = fakeClient((c) =>
    c.code === 105 ? { body: ROUTE } : { code: 17, remark: "topic[Orders] not exist, apply first please!" },
  );
  await assert.rejects(
    sendMessage(refusing.client, "ns:9876", { topic: "Orders", body: "x" }),
    /broker-a \(10\.0\.0\.1:10911\) refused the message: code 17 \(topic\[Orders\] not exist/,
  );
  const readOnly = fakeClient(() => ({ body: Buffer.from(ROUTE.toString().replace('"perm":6', '"perm":4')) }));
  await assert.rejects(sendMessage(readOnly.client, "ns:9876", { topic: "Orders", body: "x" }), /no writable queue/);
});

test("route lookups fail over between name servers (a list, or the NAMESRV_ADDR form); the broker request goes once", async () => {
  const { client, calls } = fakeClient((c) => {
    if (c.address === "ns-1:9876") return { code: 1, remark: "busy" };
    return c.code === 105 ? { body: ROUTE } : { code: 2, remark: "system busy" };
  });
  for (const namesrvs of [["ns-1:9876", "ns-2:9876"], "ns-1:9876; ns-2:9876"]) {
    calls.length = 0;
    await assert.rejects(sendMessage(client, namesrvs, { topic: "Orders", body: "x" }), /refused the message: code 2/);
    assert.deepEqual(
      calls.map((c) => `${c.address} ${c.code}`),
      ["ns-1:9876 105", "ns-2:9876 105", "10.0.0.1:10911 10"],
    );
  }
});

test("queryMessagesByKey asks every master and keeps only the key's messages, newest first; viewMessageById picks offset or key lookup", async () => {
  const record = (key: string, uniq: string, storeTimestamp: number, topic = "Orders") =>
    stored({
      topic,
      body: Buffer.from(key),
      properties: { KEYS: key, UNIQ_KEY: uniq },
      storeTimestamp,
      storeIp: [10, 0, 0, 1],
      commitLogOffset: storeTimestamp,
    });
  const { client, calls } = fakeClient((c) => {
    if (c.code === 105) return { body: ROUTE };
    if (c.code === 33) return { body: record("k", "U1", 100) };
    if (c.address === "10.0.0.3:10911") return { code: 22, remark: "can not find message, maybe time range not correct" };
    // The index is a hash: a broker may answer messages of other keys and topics too.
    return {
      body: Buffer.concat([
        record("k", "U1", 100),
        record("other", "U2", 300),
        record("k", "U3", 200),
        record("k", "U4", 400, "Elsewhere"),
      ]),
    };
  });
  const found = await queryMessagesByKey(client, "ns:9876", "Orders", "k", { maxNum: 10, beginTimestamp: 5, endTimestamp: 6 });
  assert.deepEqual(
    found.map((m) => [m.msgId, m.brokerName]),
    [
      ["U3", "broker-a"],
      ["U1", "broker-a"],
    ],
  );
  const queries = calls.filter((c) => c.code === 12);
  assert.deepEqual(queries.map((c) => c.address).sort(), ["10.0.0.1:10911", "10.0.0.3:10911"], "every master, read-only ones too");
  assert.deepEqual(queries[0]!.options.extFields, { topic: "Orders", key: "k", maxNum: "10", beginTimestamp: "5", endTimestamp: "6" });

  calls.length = 0;
  const byOffset = await viewMessageById(client, "ns:9876", "Orders", offsetMsgId("10.0.0.1:10911", 100));
  assert.equal(byOffset?.msgId, "U1");
  assert.deepEqual(
    calls.filter((c) => c.code !== 105).map((c) => [c.address, c.code, c.options.extFields]),
    [["10.0.0.1:10911", 33, { offset: "100" }]],
  );

  calls.length = 0;
  // 32 hex digits too, but 10.0.0.99:1 is no broker of the topic.
  const byKey = await viewMessageById(client, "ns:9876", "Orders", "0a000063000000010000000000000abc");
  assert.equal(byKey, undefined, "a producer id nobody stored");
  const uniqueQuery = calls.find((c) => c.code === 12);
  assert.equal(uniqueQuery?.options.extFields?._UNIQUE_KEY_QUERY, "true");
  assert.equal(
    calls.some((c) => c.code === 33),
    false,
    "an id whose host is no broker of the topic is not read by offset",
  );
});

test("consumerConnections: CONSUMER_NOT_ONLINE (206) is nobody, not an error; a body lists the clients", async () => {
  const offline = fakeClient(() => ({ code: 206, remark: "the consumer group[G] not online" }));
  assert.deepEqual(await consumerConnections(offline.client, "b:10911", "G"), {
    connections: [],
    consumeType: null,
    messageModel: null,
    subscriptions: [],
  });
  assert.deepEqual(offline.calls[0]!.options.extFields, { consumerGroup: "G" });
  const body =
    '{"connectionSet":[{"clientAddr":"10.0.0.9:5000","clientId":"10.0.0.9@1","language":"JAVA","version":491}],"consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING",' +
    '"subscriptionTable":{"Orders":{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"TagA || TagB","subVersion":1,"tagsSet":["TagA","TagB"],"topic":"Orders"}}}';
  const online = fakeClient(() => ({ body: Buffer.from(body) }));
  const c = await consumerConnections(online.client, "b:10911", "G");
  assert.deepEqual(c.connections, [{ clientAddr: "10.0.0.9:5000", clientId: "10.0.0.9@1", language: "JAVA", version: 491 }]);
  assert.deepEqual([c.consumeType, c.messageModel], ["CONSUME_PASSIVELY", "CLUSTERING"]);
  assert.deepEqual(c.subscriptions, [{ topic: "Orders", expression: "TagA || TagB", expressionType: "TAG" }]);
  const refusing = fakeClient(() => ({ code: 16, remark: "no permission" }));
  await assert.rejects(consumerConnections(refusing.client, "b:10911", "G"), /code 16 \(no permission\)/, "other refusals are errors");
});

test("resetConsumerOffset: the broker's own offsets when it resets (5.x), else SEARCH_OFFSET_BY_TIMESTAMP + UPDATE_CONSUMER_OFFSET per queue", async () => {
  // broker-a resets itself and answers a fastjson ResetOffsetBody (MessageQueue keys); broker-b says nobody is online.
  const { client, calls } = fakeClient((c) => {
    if (c.code === 105) return { body: ROUTE };
    if (c.code === 222 && c.address === "10.0.0.1:10911")
      return {
        body: Buffer.from(
          '{"offsetTable":{{"brokerName":"broker-a","queueId":1,"topic":"Orders"}:12,{"brokerName":"broker-a","queueId":0,"topic":"Orders"}:7}}',
        ),
      };
    if (c.code === 222) return { code: 206, remark: "Consumer not online, so can not reset offset" };
    if (c.code === 29) return { extFields: { offset: String(100 + Number(c.options.extFields!.queueId)) } };
    return {};
  });
  const offsets = await resetConsumerOffset(client, "ns:9876", "Orders", "G", 1_700_000_000_000);
  assert.deepEqual(offsets, [
    { brokerName: "broker-a", queueId: 0, offset: 7 },
    { brokerName: "broker-a", queueId: 1, offset: 12 },
    { brokerName: "broker-b", queueId: 0, offset: 100 },
    { brokerName: "broker-b", queueId: 1, offset: 101 },
  ]);
  assert.deepEqual(calls.find((c) => c.code === 222)!.options.extFields, {
    topic: "Orders",
    group: "G",
    timestamp: "1700000000000",
    isForce: "true",
  });
  assert.deepEqual(
    calls.filter((c) => c.code === 29).map((c) => [c.address, c.options.extFields]),
    [0, 1].map((q) => ["10.0.0.3:10911", { topic: "Orders", queueId: String(q), timestamp: "1700000000000" }]),
  );
  assert.deepEqual(
    calls.filter((c) => c.code === 15).map((c) => c.options.extFields),
    [0, 1].map((q) => ({ consumerGroup: "G", topic: "Orders", queueId: String(q), commitOffset: String(100 + q) })),
  );
});

test("createSubscriptionGroup: UPDATE_AND_CREATE_SUBSCRIPTIONGROUP with the config as JSON, unset fields left to the broker", async () => {
  const { client, calls } = fakeClient(() => ({}));
  await createSubscriptionGroup(client, "b:10911", { groupName: "G", retryMaxTimes: 0, consumeEnable: undefined });
  assert.deepEqual(
    [calls[0]!.address, calls[0]!.code, JSON.parse(calls[0]!.options.body!.toString())],
    ["b:10911", 200, { groupName: "G", retryMaxTimes: 0 }],
  );
  const refusing = fakeClient(() => ({ code: 13, remark: "the group name is illegal" }));
  await assert.rejects(
    createSubscriptionGroup(refusing.client, "b:10911", { groupName: "%bad" }),
    /b:10911 refused creating consumer group %bad: code 13/,
  );
});

test("subscriptionGroups: pages until the total; a page over the size asked for, or more than MAX_GROUPS in all, is refused", async () => {
  const page = (from: number, n: number) =>
    Buffer.from(
      `{"subscriptionGroupTable":{${Array.from({ length: n }, (_, i) => `"g${from + i}":{"groupName":"g${from + i}"}`).join(",")}}}`,
    );
  const paging = (total: number, size = (seq: number) => Math.min(2000, total - seq)) =>
    fakeClient(({ options }) => {
      const seq = Number(options.extFields?.groupSeq);
      return { body: page(seq, size(seq)), extFields: { totalGroupNum: String(total) } };
    });
  const three = paging(4500);
  assert.equal((await subscriptionGroups(three.client, "b:10911")).length, 4500);
  assert.deepEqual(
    three.calls.map((c) => [c.options.extFields?.groupSeq, c.options.extFields?.maxGroupNum]),
    [
      ["0", "2000"],
      ["2000", "2000"],
      ["4000", "2000"],
    ],
  );
  // 4.x ignores the page and answers its whole table once, without a total.
  const whole = fakeClient(() => ({ body: page(0, 3000) }));
  assert.equal((await subscriptionGroups(whole.client, "b:10911")).length, 3000);

  const oversized = paging(2 ** 31 - 1, () => 2001);
  await assert.rejects(subscriptionGroups(oversized.client, "b:10911"), {
    message: "b:10911 answered 2001 consumer groups to a request for at most 2000",
  });
  assert.equal(oversized.calls.length, 1);
  const endless = paging(2 ** 31 - 1);
  await assert.rejects(subscriptionGroups(endless.client, "b:10911"), {
    message: `b:10911 lists more than ${MAX_GROUPS} consumer groups, the most read from one broker`,
  });
  assert.equal(endless.calls.length, MAX_GROUPS / 2000 + 1);
});

test("recentMessages: the newest `max` across queues, bodies cut to previews as they arrive, four queues read at a time", async () => {
  // broker-a and broker-b of ROUTE, six queues each of 30 messages; 10 KiB bodies; message n of a queue stored at
  // time n, so every queue ties with the others.
  const brokers: Record<string, string> = { "10.0.0.1:10911": "broker-a", "10.0.0.3:10911": "broker-b" };
  let reading = 0;
  let mostReading = 0;
  const inQueue = new Map<string, number>();
  const { client } = fakeClient(({ address, code, options }) => {
    const f = (options.extFields ?? {}) as Record<string, string>;
    const broker = brokers[address]!;
    if (code === 105) return { body: ROUTE };
    if (code === 202) {
      const rows = Array.from(
        { length: 6 },
        (_, q) => `{"brokerName":"${broker}","queueId":${q},"topic":"%DLQ%G"}:{"minOffset":0,"maxOffset":30,"lastUpdateTimestamp":0}`,
      );
      return { body: Buffer.from(`{"offsetTable":{${rows.join(",")}}}`) };
    }
    if (code === 321) {
      const key = `${broker}/${f.queueId}`;
      inQueue.set(key, Number(f.count));
      mostReading = Math.max(mostReading, ++reading);
      const entries = Array.from(
        { length: Number(f.count) },
        (_, i) => `{"physicOffset":${Number(f.queueId) * 1000 + Number(f.index) + i}}`,
      );
      return { body: Buffer.from(`{"queueData":[${entries.join(",")}]}`) };
    }
    if (code === 33) {
      const n = Number(f.offset);
      const key = `${broker}/${Math.floor(n / 1000)}`;
      const left = inQueue.get(key)! - 1;
      inQueue.set(key, left);
      if (left === 0) reading--;
      return {
        body: stored({
          topic: "%DLQ%G",
          body: Buffer.alloc(10_240, "x"),
          properties: {},
          queueId: Math.floor(n / 1000),
          queueOffset: n % 1000,
          storeTimestamp: n % 1000,
        }),
      };
    }
    return { code: 1 };
  });
  const { total, messages } = await recentMessages(client, "ns:9876", "%DLQ%G", 15);
  assert.equal(total, 2 * 6 * 30);
  assert.ok(mostReading <= 4, `${mostReading} queues read at once`);
  assert.deepEqual(
    messages.map((m) => `${m.brokerName}/${m.queueId}@${m.queueOffset}`),
    [
      ...["broker-a", "broker-b"].flatMap((b) => Array.from({ length: 6 }, (_, q) => `${b}/${q}@29`)),
      "broker-a/0@28",
      "broker-a/1@28",
      "broker-a/2@28",
    ],
  );
  assert.ok(messages.every((m) => m.body.length === PREVIEW_BYTES && m.bodyBytes === 10_240));
  const small = await recentMessages(client, "ns:9876", "%DLQ%G", 2, 5);
  assert.deepEqual(
    small.messages.map((m) => [m.body.toString(), m.bodyBytes]),
    [
      ["xxxxx", 10_240],
      ["xxxxx", 10_240],
    ],
  );
});

/** broker-a and broker-b of ROUTE, two queues each, answering the requests messagesBetween makes from `logs`. */
function windowCluster(logs: Map<string, { offset: number; time: number; body: string }[]>) {
  const queues = ["broker-a/0", "broker-a/1", "broker-b/0", "broker-b/1"];
  const addressOf: Record<string, string> = { "10.0.0.1:10911": "broker-a", "10.0.0.3:10911": "broker-b" };
  const physic = (key: string, offset: number) => queues.indexOf(key) * 1000 + offset;
  const counts = { views: 0 };
  const { client } = fakeClient(({ address, code, options }) => {
    const f = (options.extFields ?? {}) as Record<string, string>;
    const key = `${addressOf[address]}/${f.queueId}`;
    const log = logs.get(key) ?? [];
    if (code === 105) return { body: ROUTE };
    if (code === 202) {
      const broker = addressOf[address]!;
      const entries = [0, 1].map(
        (q) =>
          `{"brokerName":"${broker}","queueId":${q},"topic":"Orders"}:{"minOffset":0,"maxOffset":${logs.get(`${broker}/${q}`)?.length ?? 0},"lastUpdateTimestamp":0}`,
      );
      return { body: Buffer.from(`{"offsetTable":{${entries.join(",")}}}`) };
    }
    if (code === 29) {
      const at = log.findIndex((m) => m.time >= Number(f.timestamp));
      return { extFields: { offset: String(at < 0 ? log.length : at) } };
    }
    if (code === 321) {
      // Like a consume-queue file of 10 entries: an answer ends at the file's end.
      const from = Number(f.index);
      const to = Math.min(from + Number(f.count), (Math.floor(from / 10) + 1) * 10);
      const entries = log.slice(from, to).map((m) => `{"physicOffset":${physic(key, m.offset)}}`);
      return { body: Buffer.from(`{"queueData":[${entries.join(",")}]}`) };
    }
    if (code === 33) {
      counts.views++;
      const n = Number(f.offset);
      const queue = queues[Math.floor(n / 1000)]!;
      const m = logs.get(queue)![n % 1000]!;
      return {
        body: stored({
          topic: "Orders",
          body: Buffer.from(m.body),
          properties: {},
          queueId: Number(queue.split("/")[1]),
          queueOffset: m.offset,
          storeTimestamp: m.time,
          commitLogOffset: n,
        }),
      };
    }
    return { code: 1 };
  });
  return { client, counts };
}

/** Every page of a window, with the most messages any page read. */
async function allPages(client: RemotingClient, begin: number, end: number, pageSize: number) {
  const bodies: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await messagesBetween(client, "ns:9876", { topic: "Orders", begin, end, pageSize, cursor, previewBytes: 4096 });
    pages++;
    assert.ok(page.messages.length <= pageSize);
    bodies.push(...page.messages.map((m) => m.body.toString()));
    if (page.cursor === null) return { bodies, pages };
    cursor = page.cursor;
    assert.ok(pages < 100, "paging ends");
  }
}

test("messagesBetween: a time window newest first, a page at a time across every queue of every master, exactly once; filter; bad cursors refused", async () => {
  // 30 messages per queue, stored 10 ms apart with a per-queue phase.
  const T0 = 1_700_000_000_000;
  const logs = new Map(
    ["broker-a/0", "broker-a/1", "broker-b/0", "broker-b/1"].map((key, qi) => [
      key,
      Array.from({ length: 30 }, (_, i) => ({ offset: i, time: T0 + i * 10 + qi * 3, body: `${key}#${i}${i % 7 === 0 ? " needle" : ""}` })),
    ]),
  );
  const { client, counts } = windowCluster(logs);
  const begin = T0 + 55;
  const end = T0 + 204;
  const expected = [...logs.entries()]
    .flatMap(([, log]) => log)
    .filter((m) => m.time >= begin && m.time <= end)
    .sort((a, b) => b.time - a.time)
    .map((m) => m.body);

  counts.views = 0;
  const first = await messagesBetween(client, "ns:9876", { topic: "Orders", begin, end, pageSize: 7, previewBytes: 4096 });
  assert.ok(counts.views <= 4 * 7, `a page reads at most queues × pageSize messages (read ${counts.views})`);
  assert.equal(first.total, expected.length + 8, "the window's offsets, one more on each side of each queue");
  const { bodies, pages } = await allPages(client, begin, end, 7);
  assert.deepEqual(bodies, expected);
  assert.equal(pages, Math.ceil(expected.length / 7));
  for (const size of [1, 3, 100]) assert.deepEqual((await allPages(client, begin, end, size)).bodies, expected, `pages of ${size}`);

  const filtered = await messagesBetween(client, "ns:9876", {
    topic: "Orders",
    begin,
    end,
    pageSize: 100,
    text: "NEEDLE",
    previewBytes: 5,
  });
  assert.deepEqual(
    filtered.messages.map((m) => m.queueOffset % 7),
    filtered.messages.map(() => 0),
  );
  assert.ok(filtered.messages.length > 0);
  assert.ok(
    filtered.messages.every((m) => m.body.length === 5 && m.bodyBytes! > 5),
    "bodies cut to the preview, their size kept",
  );
  await assert.rejects(
    messagesBetween(client, "ns:9876", { topic: "Orders", begin, end, pageSize: 7, cursor: "broker-a/1.2,../../x", previewBytes: 10 }),
    /cursor: "\.\.\/\.\.\/x" is not <broker>\/<offset>/,
  );
});

test("messagesBetween: a queue that runs out early is not read again; empty queues; messages after the window passed over", async () => {
  const T0 = 1_700_000_000_000;
  const logs = new Map([
    ["broker-a/0", [{ offset: 0, time: T0 + 100, body: "a0" }]],
    ["broker-a/1", []],
    [
      "broker-b/0",
      [1, 2, 3, 500, 501].map((t, i) => ({ offset: i, time: T0 + t, body: `b${i}` })), // the last two after the window
    ],
    ["broker-b/1", Array.from({ length: 25 }, (_, i) => ({ offset: i, time: T0 + 200 + i, body: `c${i}` }))],
  ]);
  const { client } = windowCluster(logs);
  const expected = [
    "c24",
    ..."c23 c22 c21 c20 c19 c18 c17 c16 c15 c14 c13 c12 c11 c10 c9 c8 c7 c6 c5 c4 c3 c2 c1 c0".split(" "),
    "a0",
    "b2",
    "b1",
    "b0",
  ];
  for (const size of [1, 2, 5, 30]) assert.deepEqual((await allPages(client, T0, T0 + 300, size)).bodies, expected, `pages of ${size}`);
  assert.deepEqual((await allPages(client, T0 + 1000, T0 + 2000, 5)).bodies, [], "an empty window");
});
