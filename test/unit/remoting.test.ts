import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseFastjson } from "../../src/remoting/fastjson.ts";
import { decodeCommands, encodeCommand } from "../../src/remoting/codec.ts";
import { clusterMasters, type ClusterInfo } from "../../src/remoting/cluster.ts";

test("fastjson's numeric and object map keys are read", () => {
  const clusterInfo = '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"172.18.0.3:10911",1:"172.18.0.4:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}';
  const parsed = parseFastjson(clusterInfo) as { brokerAddrTable: Record<string, { brokerAddrs: Record<string, string> }> };
  assert.deepEqual(parsed.brokerAddrTable["broker-a"]!.brokerAddrs, { "0": "172.18.0.3:10911", "1": "172.18.0.4:10911" });
  const stats = parseFastjson('{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{"brokerOffset":5}},"consumeTps":0.0}') as { offsetTable: Record<string, unknown> };
  assert.deepEqual(Object.keys(stats.offsetTable), ['{"brokerName":"b","queueId":0,"topic":"t"}']);
  assert.throws(() => parseFastjson("{0:}"), /fastjson/);
});

test("a request frame decodes back, split across reads or not, in both header forms", () => {
  for (const serializeType of ["JSON", "ROCKETMQ"] as const) {
    const frame = encodeCommand({ code: 106, opaque: 7, flag: 0, remark: "hé", extFields: { a: "b", topic: "TopicTest" }, body: Buffer.from("xyz"), serializeType });
    assert.equal(frame.readInt32BE(0), frame.length - 4);
    const whole = decodeCommands(Buffer.concat([frame, frame.subarray(0, 5)]));
    assert.equal(whole.commands.length, 1, serializeType);
    const c = whole.commands[0]!;
    assert.deepEqual([c.code, c.opaque, c.flag, c.remark, c.extFields, c.body.toString(), c.serializeType], [106, 7, 0, "hé", { a: "b", topic: "TopicTest" }, "xyz", serializeType]);
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
    assert.deepEqual([...first.commands, ...second.commands].map((c) => c.opaque), expected.commands.map((c) => c.opaque));
  }
});
