// Consumer-group configuration over the remoting protocol, for the console and the tests: create or replace a
// group's SubscriptionGroupConfig on a broker (retries, broadcast, consume switch) without mqadmin's JVM start.
// Brokers keep group configs per broker: call it on every master that serves the group's topics.
import type { Requester } from "./connection.ts";
import { AdminRequestError } from "./admin.ts";
import { RequestCode } from "./codes.ts";

export interface SubscriptionGroupSettings {
  groupName: string;
  /**
   * How often a failed message is retried before it goes to %DLQ%<group>. Remoting clients that send their own
   * maxReconsumeTimes with each send-back (the Java client, ali-ons) override it; proxy (gRPC) consumers use it.
   */
  retryMaxTimes?: number;
  consumeEnable?: boolean;
  consumeBroadcastEnable?: boolean;
  consumeMessageOrderly?: boolean;
  /** Queues of %RETRY%<group>; 0 drops failed messages instead of retrying them. */
  retryQueueNums?: number;
  attributes?: Record<string, string>;
}

/**
 * Creates `groupName` on `broker`, or replaces its configuration: the broker stores the JSON it is given, with
 * RocketMQ's defaults (16 retries, consume enabled, broadcast allowed) for every field left out.
 */
export async function createSubscriptionGroup(client: Requester, broker: string, settings: SubscriptionGroupSettings): Promise<void> {
  const config = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  const r = await client.request(broker, RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {
    body: Buffer.from(JSON.stringify(config), "utf8"),
  });
  if (r.code !== 0) throw new AdminRequestError(broker, `creating consumer group ${settings.groupName}`, r);
}
