// A round trip through the proxy's gRPC port with npm `rocketmq-client-nodejs`, Apache RocketMQ's own Node.js
// client for RocketMQ 5 (gRPC only): a producer sends, a simple consumer receives and acknowledges.
import { Producer, SimpleConsumer } from "rocketmq-client-nodejs";
import { inChildProcess, retryUntil, runIfMain, type RoundTripOptions, type RoundTripResult } from "../../bench/clients/round-trip.ts";

// The client's default logger fails on a second shutdown; this one keeps warnings and errors on stderr.
// No namespace: the types require the option, the client defaults it to "".
const common = { namespace: "", logger: { info() {}, debug() {}, warn: console.warn, error: console.error } };

async function roundTripInThisProcess(
  endpoints: string,
  topic: string,
  count: number,
  runId: string,
  { credentials, timeoutMs = 120_000, tlsCaFile }: RoundTripOptions = {},
): Promise<RoundTripResult> {
  const deadline = Date.now() + timeoutMs;
  // The client calls the secret accessSecret; it signs each call with them (MQv2-HMAC-SHA1).
  const signed = {
    ...(credentials ? { sessionCredentials: { accessKey: credentials.accessKey, accessSecret: credentials.secretKey } } : {}),
    // It trusts the CA that inChildProcess hands grpc-js (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH).
    ...(tlsCaFile ? { sslEnabled: true } : {}),
  };
  // Subscribed before anything is sent, so the new consumer group starts where the messages are.
  const consumer = new SimpleConsumer({
    ...common,
    ...signed,
    endpoints,
    consumerGroup: `${runId}-consumer`,
    subscriptions: new Map().set(topic, "*"),
    awaitDuration: 10_000,
  });
  await retryUntil(() => consumer.startup(), deadline);
  const seen = new Set<string>();
  let sent = 0;
  try {
    const producer = new Producer({ ...common, ...signed, endpoints });
    await retryUntil(() => producer.startup(), deadline);
    try {
      for (let i = 0; i < count; i++) {
        const key = `${runId}-${i}`;
        // A topic created a moment ago may not be routed yet: retry until the deadline.
        const receipt = await retryUntil(() => producer.send({ topic, tag: "grpc", keys: [key], body: Buffer.from(key) }), deadline);
        if (receipt.messageId) sent++;
      }
    } finally {
      await producer.shutdown();
    }
    while (seen.size < count && Date.now() < deadline) {
      // A long poll can end in an error (DEADLINE_EXCEEDED, CANCELLED) while the proxy's pop is slow, as new
      // consumer groups of a busy topic see: poll again until the deadline, as the sends are retried.
      const messages = await consumer.receive(16, 30_000).catch((e: Error) => {
        if (Date.now() >= deadline) throw e;
        return [];
      });
      for (const message of messages) {
        const body = message.body.toString();
        if (body.startsWith(`${runId}-`)) seen.add(body);
        await consumer.ack(message);
      }
    }
  } finally {
    await consumer.shutdown();
  }
  return { sent, received: seen.size };
}

/**
 * Runs the round trip in a child process that exits when done: the client's gRPC channels can keep a process
 * alive after shutdown(), which would keep a test file's process from exiting. `endpoints`: the proxy's gRPC
 * address, e.g. localhost:8081.
 */
export function grpcRoundTrip(
  endpoints: string,
  topic: string,
  count: number,
  runId: string,
  options?: RoundTripOptions,
): Promise<RoundTripResult> {
  return inChildProcess(import.meta.url, "gRPC", endpoints, topic, count, runId, options);
}

runIfMain(import.meta.url, roundTripInThisProcess);
