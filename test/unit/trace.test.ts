// RocketMQ's trace format as the Java client writes it (TraceDataEncoder), read back: a producer's event in its
// three lengths, a consumer's delivery and result (with and without the time older clients leave out), a
// transaction's end, and what is not a trace.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeTrace, type TraceEvent } from "../../src/remoting/trace.ts";

/** Some fields of an event, whatever its type. */
const pick = (e: TraceEvent | undefined, ...keys: string[]) => keys.map((k) => (e as Record<string, unknown> | undefined)?.[k]);
const event = (...fields: (string | number | boolean)[]) => `${fields.join("\u0001")}\u0002`;

test("trace: a producer's event, with and without the offset id and the client's host", () => {
  const pub = [
    "Pub",
    1764800000000,
    "DefaultRegion",
    "G-producer",
    "Orders",
    "AC11000100002A9F",
    "TagA",
    "k1 k2",
    "172.19.0.6:10911",
    12,
    3,
    0,
  ];
  const [full] = decodeTrace(event(...pub, "AC1300060000", true, "10.0.0.7"));
  assert.deepEqual(full, {
    type: "Pub",
    time: 1764800000000,
    group: "G-producer",
    topic: "Orders",
    msgId: "AC11000100002A9F",
    tags: "TagA",
    keys: "k1 k2",
    storeHost: "172.19.0.6:10911",
    bodyLength: 12,
    costMs: 3,
    messageType: "normal",
    offsetMsgId: "AC1300060000",
    success: true,
    clientHost: "10.0.0.7",
  });
  const [withOffset] = decodeTrace(event(...pub, "AC1300060000", false));
  assert.deepEqual(pick(withOffset, "offsetMsgId", "success"), ["AC1300060000", false]);
  const [oldest] = decodeTrace(event(...pub, true));
  assert.deepEqual(pick(oldest, "offsetMsgId", "success", "clientHost"), [null, true, null]);
});

test("trace: a consumer's delivery and result, a batch of events, a transaction's end, and what is not a trace", () => {
  const body =
    event("SubBefore", 1764800000100, "DefaultRegion", "G-consumer", "req-1", "AC11", 2, "k1") +
    event("SubAfter", "req-1", "AC11", 7, true, "k1", 0, 1764800000107, "G-consumer") +
    event("SubAfter", "req-2", "AC12", 9, false, "k2", 2) +
    event(
      "EndTransaction",
      1764800000200,
      "DefaultRegion",
      "G-tx",
      "Orders",
      "AC13",
      "",
      "",
      "172.19.0.6:10911",
      1,
      "tx-1",
      "COMMIT_MESSAGE",
      true,
    ) +
    event("Recall", 1, 2, 3) +
    "not a trace at all";
  const events = decodeTrace(body);
  assert.deepEqual(
    events.map((e) => e.type),
    ["SubBefore", "SubAfter", "SubAfter", "EndTransaction"],
  );
  assert.deepEqual(events[0], {
    type: "SubBefore",
    time: 1764800000100,
    group: "G-consumer",
    requestId: "req-1",
    msgId: "AC11",
    retryTimes: 2,
    keys: "k1",
  });
  assert.deepEqual(events[1], {
    type: "SubAfter",
    time: 1764800000107,
    group: "G-consumer",
    requestId: "req-1",
    msgId: "AC11",
    costMs: 7,
    success: true,
    keys: "k1",
    result: "success",
  });
  assert.deepEqual(pick(events[2], "time", "group", "success", "result"), [null, null, false, "exception"]);
  assert.deepEqual(pick(events[3], "messageType", "transactionState", "fromTransactionCheck"), [
    "transaction half",
    "COMMIT_MESSAGE",
    true,
  ]);
  assert.deepEqual(decodeTrace("Pub\u0001soon\u0001r\u0001g"), [
    {
      type: "Pub",
      time: null,
      group: "g",
      topic: "",
      msgId: "",
      tags: "",
      keys: "",
      storeHost: "",
      bodyLength: null,
      costMs: null,
      messageType: null,
      offsetMsgId: null,
      success: null,
      clientHost: null,
    },
  ]);
});
