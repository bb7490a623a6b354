// The console's pure parts: stored-message decoding and message ids, address diagnostics with a fake dialer,
// and the Prometheus exposition.
import assert from "node:assert/strict";
import { test } from "node:test";
import { deflateSync } from "node:zlib";
import { decodeMessages, decodeProperties, encodeProperties, offsetMsgId, parseOffsetMsgId } from "../../src/remoting/messages.ts";
import { diagnose, type Dial } from "../../src/console/diagnostics.ts";
import { HttpRequestCounter, renderMetrics } from "../../src/console/metrics.ts";

/** One stored message as a broker writes it (MessageDecoder's layout, v1 magic, IPv4 hosts). */
function storedMessage(o: { topic: string; body: Buffer; properties: Record<string, string>; compressed?: boolean; queueOffset?: number; commitLogOffset?: number }): Buffer {
  const body = o.compressed ? deflateSync(o.body) : o.body;
  const topic = Buffer.from(o.topic);
  const props = Buffer.from(encodeProperties(o.properties));
  const size = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 4 + 8 + 4 + body.length + 1 + topic.length + 2 + props.length;
  const b = Buffer.alloc(size);
  let p = 0;
  const int = (v: number) => (p = b.writeInt32BE(v, p));
  const long = (v: number) => (p = b.writeBigInt64BE(BigInt(v), p));
  int(size);
  int(-626843481); // v1 magic
  int(0); // body CRC
  int(3); // queue id
  int(0); // flag
  long(o.queueOffset ?? 7);
  long(o.commitLogOffset ?? 4096);
  int(o.compressed ? 1 : 0);
  long(1_700_000_000_000);
  b.set([10, 0, 0, 9], p), (p += 4), int(50000); // born host
  long(1_700_000_000_005);
  b.set([172, 18, 0, 5], p), (p += 4), int(10911); // store host
  int(2); // reconsume times
  long(0);
  int(body.length);
  body.copy(b, p), (p += body.length);
  p = b.writeUInt8(topic.length, p);
  topic.copy(b, p), (p += topic.length);
  p = b.writeUInt16BE(props.length, p);
  props.copy(b, p);
  return b;
}

test("stored messages decode: hosts, offsets, ids, keys, tags, properties, zlib bodies", () => {
  const two = Buffer.concat([
    storedMessage({ topic: "Orders", body: Buffer.from("plain"), properties: { KEYS: "k1 k2", TAGS: "TagA", UNIQ_KEY: "AB12" } }),
    storedMessage({ topic: "Orders", body: Buffer.from("x".repeat(1000)), properties: {}, compressed: true, commitLogOffset: 8192 }),
  ]);
  const [a, b] = decodeMessages(two);
  assert.deepEqual([a!.topic, a!.queueId, a!.queueOffset, a!.commitLogOffset, a!.reconsumeTimes], ["Orders", 3, 7, 4096, 2]);
  assert.deepEqual([a!.bornHost, a!.storeHost], ["10.0.0.9:50000", "172.18.0.5:10911"]);
  assert.deepEqual([a!.msgId, a!.keys, a!.tags, a!.body.toString()], ["AB12", ["k1", "k2"], "TagA", "plain"]);
  assert.equal(b!.body.toString(), "x".repeat(1000));
  assert.equal(b!.msgId, b!.offsetMsgId, "without UNIQ_KEY the id is the broker's offset id");
  assert.deepEqual(parseOffsetMsgId(b!.offsetMsgId), { address: "172.18.0.5:10911", commitLogOffset: 8192 });
  assert.equal(offsetMsgId("172.18.0.5:10911", 8192), "AC12000500002A9F0000000000002000");
  assert.throws(() => decodeMessages(two.subarray(0, two.length - 1)), /claims \d+ bytes/);
  assert.deepEqual(decodeProperties(encodeProperties({ A: "1", B: "two words" })), { A: "1", B: "two words" });
});

test("address diagnostics: each failure gets the likely fix; problems visible without dialing are named", async () => {
  const answers: Record<string, string | undefined> = { "172.18.0.5:10911": undefined, "172.18.0.5:10909": "ECONNREFUSED", "172.18.0.5:10912": undefined, "10.1.2.3:11011": "ETIMEDOUT", "10.1.2.3:11009": "ETIMEDOUT" };
  const dial: Dial = async (host, port) => {
    const code = answers[`${host}:${port}`];
    return code ? { ok: false, ms: 2000, code } : { ok: true, ms: 1 };
  };
  const d = await diagnose(
    [
      { cluster: "C", brokerName: "broker-a", brokerId: 0, address: "172.18.0.5:10911", config: { listenPort: "10911", haListenPort: "10912" } },
      { cluster: "C", brokerName: "broker-a", brokerId: 1, address: "10.1.2.3:11011", config: { listenPort: "21011" } },
      { cluster: "C", brokerName: "broker-b", brokerId: 0, address: "127.0.0.1:10911" },
    ],
    dial,
  );
  const row = (name: string, id: number, kind: string) => d.rows.find((r) => r.brokerName === name && r.brokerId === id && r.kind === kind)!;
  assert.equal(row("broker-a", 0, "client").severity, "ok");
  assert.equal(row("broker-a", 0, "fast").severity, "warning");
  assert.match(row("broker-a", 0, "fast").hint!, /vipChannelEnabled/);
  assert.equal(row("broker-a", 1, "client").severity, "error");
  assert.match(row("broker-a", 1, "client").hint!, /private .*BROKER_IP1/);
  assert.ok(d.problems.some((p) => /loopback/.test(p) && /BROKER_IP1/.test(p)));
  assert.ok(d.problems.some((p) => /registered at port 11011 but listens on 21011/.test(p)));
  assert.match(d.note, /from the console/);
});

test("metrics: the text exposition with escaped labels, group lag per topic and request counts", () => {
  const requests = new HttpRequestCounter();
  requests.count("/api/cluster", "GET", 200);
  requests.count("/api/cluster", "GET", 200);
  const text = renderMetrics({
    brokers: [
      { cluster: "C", brokerName: 'b"a', brokerId: 0, address: "1.2.3.4:10911", role: "master", version: "V5_5_0", tpsIn: 1.5, tpsOut: 2, diskUsedRatio: 0.25 },
      { cluster: "C", brokerName: "b", brokerId: 1, address: "1.2.3.5:10911", role: "slave", version: null, tpsIn: null, tpsOut: null, diskUsedRatio: null, error: "down" },
    ],
    groups: [{ name: "G", lag: 5, consumeTps: 1, errors: [], queues: [{ topic: "T", brokerName: "b", queueId: 0, brokerOffset: 9, consumerOffset: 4, lag: 5, lastTimestamp: 0 }] }],
    requests,
    memory: { rss: 1000, heapUsed: 500 },
    scrapeErrors: [],
  });
  assert.match(text, /^rocketmq_broker_up\{cluster="C",broker="b\\"a",broker_id="0",address="1.2.3.4:10911"\} 1$/m);
  assert.match(text, /^rocketmq_broker_up\{.*broker="b".*\} 0$/m);
  assert.doesNotMatch(text, /rocketmq_broker_put_tps\{[^}]*broker="b",/, "no sample for a figure the broker did not report");
  assert.match(text, /^rocketmq_group_lag\{group="G",topic="T"\} 5$/m);
  assert.match(text, /^rocketmq_console_http_requests_total\{route="\/api\/cluster",method="GET",status="200"\} 2$/m);
  assert.match(text, /^# TYPE rocketmq_console_http_requests_total counter$/m);
});
