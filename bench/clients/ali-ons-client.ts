// A round trip through the npm `ali-ons` client (pure JavaScript, remoting protocol): a second client we did
// not write, from the Node ecosystem our users test with.
import { createRequire } from "node:module";
import { inChildProcess, retryUntil, runIfMain, type RoundTripOptions, type RoundTripResult } from "./round-trip.ts";

const require = createRequire(import.meta.url);
// ali-ons ships no type declarations; these are the few members used here.
interface SendResult {
  sendStatus: string;
}
interface AliOnsMessage {
  keys: string[];
}
interface AliOns {
  Producer: new (options: Record<string, unknown>) => {
    ready(): Promise<void>;
    send(m: AliOnsMessage): Promise<SendResult>;
    close(): Promise<void>;
  };
  Consumer: new (options: Record<string, unknown>) => {
    ready(): Promise<void>;
    subscribe(topic: string, expression: string, handler: (m: { body: Buffer }) => Promise<void>): void;
    on(event: "error", listener: (e: Error) => void): void;
    close(): Promise<void>;
  };
  Message: new (topic: string, tag: string, body: string) => AliOnsMessage;
}
const aliOns = require("ali-ons") as AliOns;
// Only used to look name servers up over HTTP (Alibaba Cloud's address server); with nameSrv it is never called.
const httpclient = {
  request(): never {
    throw new Error("ali-ons tried an HTTP name-server lookup; nameSrv should have been used");
  },
};

const quietLogger = { info() {}, warn() {}, debug() {}, error() {} };

async function roundTripInThisProcess(
  nameSrv: string,
  topic: string,
  count: number,
  runId: string,
  { credentials, timeoutMs = 120_000 }: RoundTripOptions = {},
): Promise<RoundTripResult> {
  const deadline = Date.now() + timeoutMs;
  // ali-ons signs as RocketMQ's AclClientRPCHook does when given accessKey and secretKey.
  const common = { httpclient, nameSrv, logger: quietLogger, ...credentials };
  const producer = new aliOns.Producer({ ...common, producerGroup: `${runId}-producer` });
  await producer.ready();
  let sent = 0;
  try {
    for (let i = 0; i < count; i++) {
      const message = new aliOns.Message(topic, "ali-ons", `${runId}-${i}`);
      message.keys = [`${runId}-${i}`];
      // A topic created a moment ago may not be routed yet ("No topic route info"): retry for a while.
      const result = await retryUntil(() => producer.send(message), Math.min(Date.now() + 30_000, deadline));
      if (result.sendStatus === "SEND_OK") sent++;
    }
  } finally {
    await producer.close();
  }

  const seen = new Set<string>();
  const consumer = new aliOns.Consumer({ ...common, consumerGroup: `${runId}-consumer`, consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET" });
  consumer.on("error", () => {});
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      consumer.subscribe(topic, "*", async (m) => {
        const body = m.body.toString();
        if (body.startsWith(`${runId}-`)) seen.add(body);
        if (seen.size >= count) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    await consumer.close();
  }
  return { sent, received: seen.size };
}

/**
 * Runs the round trip in a child process: ali-ons keeps sockets and timers alive after close(), which would
 * keep a test file's process from exiting.
 */
export function aliOnsRoundTrip(
  nameSrv: string,
  topic: string,
  count: number,
  runId: string,
  options?: RoundTripOptions,
): Promise<RoundTripResult> {
  return inChildProcess(import.meta.url, "ali-ons", nameSrv, topic, count, runId, options);
}

runIfMain(import.meta.url, roundTripInThisProcess);
