// Consumer groups: searched and paged with the lag of the page's groups (bounded fan-out), one group's per-queue
// progress, connections and settings, an offset reset to a point in time, and groups created, changed and deleted
// on every broker.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RouteContext } from "../context.ts";
import { mapLimit } from "../../remoting/limit.ts";
import { isSystemGroup } from "../kinds.ts";
import { errorSchema, groupName, nameParam, page, pageQuery, paged, topicName } from "./schemas.ts";

const connectionSchema = {
  type: "object",
  properties: {
    clientId: { type: "string" },
    clientAddr: { type: "string" },
    language: { type: "string" },
    version: { type: ["number", "string"] },
    via: { type: "string", description: "who knows of it: a broker, or a proxy (CONSOLE_PROXY_ADDR) for clients connected through it" },
  },
} as const;

const queueSchema = {
  type: "object",
  properties: {
    topic: { type: "string" },
    brokerName: { type: "string" },
    queueId: { type: "integer" },
    brokerOffset: { type: "number" },
    consumerOffset: { type: "number" },
    lag: { type: "number" },
    lastTimestamp: { type: "number" },
  },
} as const;

const settingsSchema = {
  type: "object",
  properties: {
    brokerName: { type: "string" },
    settings: {
      type: ["object", "null"],
      properties: {
        retryMaxTimes: { type: "integer" },
        retryQueueNums: { type: "integer" },
        consumeEnable: { type: "boolean" },
        consumeBroadcastEnable: { type: "boolean" },
        consumeMessageOrderly: { type: "boolean" },
      },
    },
    error: { type: "string" },
  },
} as const;

/** RocketMQ's own groups (tools, internal consumers) are not changed from here: the broker depends on them. */
function refuseSystemGroup(name: string): void {
  if (isSystemGroup(name))
    throw Object.assign(new Error(`${name} is one of RocketMQ's own consumer groups; it is not changed from the console`), {
      statusCode: 400,
    });
}

export async function groupRoutes(app: FastifyInstance, { source }: RouteContext): Promise<void> {
  app.get(
    "/api/groups",
    {
      schema: {
        summary: "Consumer groups, searched and paged, with each listed group's total lag",
        querystring: {
          type: "object",
          properties: { ...pageQuery, system: { type: "boolean", default: false } },
          additionalProperties: false,
        },
        response: {
          200: paged({
            type: "object",
            properties: {
              name: { type: "string" },
              brokers: { type: "array", items: { type: "string" } },
              system: { type: "boolean" },
              lag: { type: ["number", "null"] },
              consumeTps: { type: ["number", "null"] },
              error: { type: "string" },
            },
          }),
          502: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: { search?: string; page: number; pageSize: number; system: boolean } }>) => {
      const all = (await source.groups()).filter((g) => request.query.system || !g.system);
      const result = page(all, (g) => g.name, request.query);
      const items = await mapLimit(result.items, 8, async (g) => {
        try {
          const d = await source.group(g.name);
          return { ...g, lag: d.lag, consumeTps: d.consumeTps, ...(d.errors.length ? { error: d.errors.join("; ") } : {}) };
        } catch (e) {
          return { ...g, lag: null, consumeTps: null, error: (e as Error).message };
        }
      });
      return { ...result, items };
    },
  );

  app.get(
    "/api/groups/:name",
    {
      schema: {
        summary: "A consumer group's per-queue progress and lag on every master, and who is connected",
        params: nameParam("name", "consumer group"),
        querystring: { type: "object", properties: { topic: topicName }, additionalProperties: false },
        response: {
          200: {
            type: "object",
            properties: {
              name: { type: "string" },
              lag: { type: "number" },
              consumeTps: { type: "number" },
              queues: { type: "array", items: queueSchema },
              connections: { type: "array", items: connectionSchema },
              consumeType: { type: ["string", "null"] },
              messageModel: { type: ["string", "null"] },
              settings: { type: "array", items: settingsSchema },
              errors: { type: "array", items: { type: "string" } },
            },
          },
          502: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { name: string }; Querystring: { topic?: string } }>) => {
      const detail = await source.group(request.params.name, request.query.topic);
      // Who is connected is extra: the group's progress is shown without it.
      const [connection, settings] = await Promise.all([
        source.consumers(request.params.name).catch(() => undefined),
        source.groupSettings(request.params.name).catch((e: Error) => [{ brokerName: "", settings: null, error: e.message }]),
      ]);
      return {
        ...detail,
        settings,
        connections: connection?.connections ?? [],
        consumeType: connection?.consumeType ?? null,
        messageModel: connection?.messageModel ?? null,
        errors: [...detail.errors, ...(connection?.errors ?? [])],
      };
    },
  );

  app.post(
    "/api/groups",
    {
      schema: {
        summary:
          "Create a consumer group, or change its settings, on every broker: what is left out stays as it is (RocketMQ's default for a new group)",
        body: {
          type: "object",
          properties: {
            name: groupName,
            retryMaxTimes: { type: "integer", minimum: 0, maximum: 64, description: "retries before the dead-letter queue (RocketMQ: 16)" },
            retryQueues: {
              type: "integer",
              minimum: 0,
              maximum: 64,
              description: "queues of %RETRY%<group>; 0 drops failed messages (RocketMQ: 1)",
            },
            orderly: { type: "boolean", description: "consume each queue in order (RocketMQ: false)" },
            consumeEnable: { type: "boolean", description: "RocketMQ: true" },
            broadcast: { type: "boolean", description: "allow broadcast consumers (RocketMQ: true)" },
          },
          required: ["name"],
          additionalProperties: false,
        },
        response: { 201: { type: "object", properties: { name: { type: "string" } } }, 400: errorSchema, 502: errorSchema },
      },
    },
    async (
      request: FastifyRequest<{
        Body: {
          name: string;
          retryMaxTimes?: number;
          retryQueues?: number;
          orderly?: boolean;
          consumeEnable?: boolean;
          broadcast?: boolean;
        };
      }>,
      reply: FastifyReply,
    ) => {
      const b = request.body;
      refuseSystemGroup(b.name);
      // Fields left out stay undefined: the source keeps each broker's current value for them.
      await source.saveGroup({
        groupName: b.name,
        retryMaxTimes: b.retryMaxTimes,
        retryQueueNums: b.retryQueues,
        consumeMessageOrderly: b.orderly,
        consumeEnable: b.consumeEnable,
        consumeBroadcastEnable: b.broadcast,
      });
      return reply.code(201).send({ name: b.name });
    },
  );

  app.delete(
    "/api/groups/:name",
    {
      schema: {
        summary: "Delete a consumer group, with its consumer offsets, from every broker",
        params: nameParam("name", "consumer group"),
        response: { 204: { type: "null" }, 400: errorSchema, 502: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply) => {
      refuseSystemGroup(request.params.name);
      await source.deleteGroup(request.params.name);
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/groups/:name/reset-offset",
    {
      schema: {
        summary: "Move a group's offsets on a topic to a point in time (all masters); consumers online are told",
        params: nameParam("name", "consumer group"),
        body: {
          type: "object",
          properties: { topic: topicName, timestamp: { type: "integer", minimum: 0, description: "milliseconds since the epoch" } },
          required: ["topic", "timestamp"],
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: {
              queues: {
                type: "array",
                items: {
                  type: "object",
                  properties: { brokerName: { type: "string" }, queueId: { type: "integer" }, offset: { type: "number" } },
                },
              },
            },
          },
          502: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { name: string }; Body: { topic: string; timestamp: number } }>, _reply: FastifyReply) => {
      return { queues: await source.resetOffset(request.params.name, request.body.topic, request.body.timestamp) };
    },
  );
}

/** Producers by producer group, as the dashboard shows them: from every master, or from a topic's masters. */
export async function producerRoutes(app: FastifyInstance, { source }: RouteContext): Promise<void> {
  app.get(
    "/api/producers",
    {
      schema: {
        summary: "Producers connected as a producer group: asked of every master, or only of the masters that serve `topic`",
        querystring: {
          type: "object",
          properties: { group: groupName, topic: topicName },
          required: ["group"],
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: {
              connections: {
                type: "array",
                items: { type: "object", properties: { ...connectionSchema.properties, brokerName: { type: "string" } } },
              },
            },
          },
          502: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: { group: string; topic?: string } }>) => {
      return { connections: await source.producers(request.query.group, request.query.topic) };
    },
  );
}
