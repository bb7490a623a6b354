// RocketMQ's message trace as clients write it (the remoting clients' TraceDataEncoder): with tracing on, a producer
// and each consumer send trace messages to the trace topic, keyed by the traced message's id, whose body holds
// events separated by \u0002, their fields by \u0001. Pure: bytes from the cluster in, events out; a field that does
// not parse is null, an event type not known is skipped.

/** The trace topic clients write to unless told otherwise (msgTraceTopicName on brokers). */
export const DEFAULT_TRACE_TOPIC = "RMQ_SYS_TRACE_TOPIC";

const EVENT_SEPARATOR = "\u0002";
const FIELD_SEPARATOR = "\u0001";
/** Events read from one trace message at most: a client batches a few; a body of thousands is not a client's. */
const MAX_EVENTS = 1000;
/** Longer fields are cut: they are shown, never used. */
const MAX_FIELD = 512;

// MessageType and ConsumeReturnType, by ordinal.
const MESSAGE_TYPES = ["normal", "transaction half", "transaction commit", "delay", "order"] as const;
const CONSUME_RESULTS = ["success", "timeout", "exception", "returned null", "failed"] as const;

/** What a producer's send and a transaction's end both say of the message. */
interface Produced {
  time: number | null;
  group: string;
  topic: string;
  msgId: string;
  tags: string;
  keys: string;
  storeHost: string;
  messageType: string | null;
}

export type TraceEvent =
  | (Produced & {
      type: "Pub";
      bodyLength: number | null;
      costMs: number | null;
      offsetMsgId: string | null;
      success: boolean | null;
      clientHost: string | null;
    })
  | { type: "SubBefore"; time: number | null; group: string; requestId: string; msgId: string; retryTimes: number | null; keys: string }
  | {
      type: "SubAfter";
      /** RocketMQ 4.9 and later write the time and group; older clients do not. */
      time: number | null;
      group: string | null;
      requestId: string;
      msgId: string;
      costMs: number | null;
      success: boolean | null;
      keys: string;
      result: string | null;
    }
  | (Produced & { type: "EndTransaction"; transactionId: string; transactionState: string; fromTransactionCheck: boolean | null });

const integer = (s: string | undefined): number | null => (s !== undefined && /^-?\d{1,15}$/.test(s) ? Number(s) : null);
const bool = (s: string | undefined): boolean | null => (s === "true" ? true : s === "false" ? false : null);
const ordinal = (names: readonly string[], s: string | undefined) => names[integer(s) ?? -1] ?? null;

/** Fields 1 to 8 and the message type at `typeAt`: where Pub and EndTransaction agree. */
const produced = (f: string[], typeAt: number): Produced => ({
  time: integer(f[1]),
  group: f[3] ?? "",
  topic: f[4] ?? "",
  msgId: f[5] ?? "",
  tags: f[6] ?? "",
  keys: f[7] ?? "",
  storeHost: f[8] ?? "",
  messageType: ordinal(MESSAGE_TYPES, f[typeAt]),
});

/** The events of one trace message's body. */
export function decodeTrace(body: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  for (const context of body.split(EVENT_SEPARATOR, MAX_EVENTS)) {
    const f = context.split(FIELD_SEPARATOR, 16).map((v) => v.slice(0, MAX_FIELD));
    const s = (i: number) => f[i] ?? "";
    switch (f[0]) {
      case "Pub": {
        // 13 fields: no offset id; 14: with it; 15 or more: and the client's host.
        const offsetMsgId = f.length >= 14 ? s(12) : null;
        events.push({
          type: "Pub",
          ...produced(f, 11),
          bodyLength: integer(f[9]),
          costMs: integer(f[10]),
          offsetMsgId,
          success: bool(f.length >= 14 ? f[13] : f[12]),
          clientHost: f.length >= 15 ? s(14) : null,
        });
        break;
      }
      case "SubBefore":
        events.push({
          type: "SubBefore",
          time: integer(f[1]),
          group: s(3),
          requestId: s(4),
          msgId: s(5),
          retryTimes: integer(f[6]),
          keys: s(7),
        });
        break;
      case "SubAfter":
        events.push({
          type: "SubAfter",
          time: f.length >= 9 ? integer(f[7]) : null,
          group: f.length >= 9 ? s(8) : null,
          requestId: s(1),
          msgId: s(2),
          costMs: integer(f[3]),
          success: bool(f[4]),
          keys: s(5),
          result: f.length >= 7 ? ordinal(CONSUME_RESULTS, f[6]) : null,
        });
        break;
      case "EndTransaction":
        events.push({
          type: "EndTransaction",
          ...produced(f, 9),
          transactionId: s(10),
          transactionState: s(11),
          fromTransactionCheck: bool(f[12]),
        });
        break;
    }
  }
  return events;
}
