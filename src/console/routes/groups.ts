// Consumer groups: searched and paged with the lag of the page's groups (bounded fan-out), one group's per-queue
// progress and connections, and an offset reset to a point in time.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RouteContext } from "../context.ts";
import { mapLimit } from "../../remoting/limit.ts";
import { errorSchema, groupName, nameParam, page, pageQuery, paged, topicName } from "./schemas.ts";

const connectionSchema = {
  type: "object",
  properties: {
    clientId: { type: "string" },
    clientAddr: { type: "string" },
    language: { type: "string" },
    version: { type: ["number", "string"] },
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
      const connection = await source.consumers(request.params.name).catch(() => undefined);
      return {
        ...detail,
        connections: connection?.connections ?? [],
        consumeType: connection?.consumeType ?? null,
        messageModel: connection?.messageModel ?? null,
      };
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
