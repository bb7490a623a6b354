// Consumer-group configuration over the remoting protocol, for the console, the bootstrap and the tests: create,
// replace or delete a group's SubscriptionGroupConfig on a broker (retries, broadcast, consume switch, order)
// without mqadmin's JVM start.
// Brokers keep group configs per broker: call it on every master that serves the group's topics.
import type { Requester } from "./connection.ts";
import { AdminRequestError, type SubscriptionGroup } from "./admin.ts";
import { RequestCode } from "./codes.ts";

export interface SubscriptionGroupSettings extends SubscriptionGroup {
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

/** Deletes `groupName` from `broker`, with its consumer offsets there (cleanOffset on 5.x, removeOffset on 4.x). */
export async function deleteSubscriptionGroup(client: Requester, broker: string, groupName: string): Promise<void> {
  const r = await client.request(broker, RequestCode.DELETE_SUBSCRIPTIONGROUP, {
    extFields: { groupName, cleanOffset: "true", removeOffset: "true" },
  });
  if (r.code !== 0) throw new AdminRequestError(broker, `deleting consumer group ${groupName}`, r);
}
