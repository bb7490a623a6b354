// Topics: searched and paged, created and deleted on every master, one topic's route and queue offsets, and a
// test message sent to it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RouteContext } from "../context.ts";
import { topicKind, type TopicKind } from "../kinds.ts";
import { errorSchema, nameParam, page, pageQuery, paged, printable, topicName } from "./schemas.ts";

export async function topicRoutes(app: FastifyInstance, { source }: RouteContext): Promise<void> {
  app.get(
    "/api/topics",
    {
      schema: {
        summary: "Topics, searched and paged; kind tells users' topics from retry, dead-letter and system ones",
        querystring: {
          type: "object",
          properties: { ...pageQuery, kind: { type: "string", enum: ["normal", "retry", "dlq", "system", "all"], default: "all" } },
          additionalProperties: false,
        },
        response: { 200: paged({ type: "object", properties: { name: { type: "string" }, kind: { type: "string" } } }), 502: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Querystring: { search?: string; page: number; pageSize: number; kind: TopicKind | "all" } }>) => {
      const [names, overview] = await Promise.all([source.topics(), source.overview().catch(() => undefined)]);
      const own = new Set((overview?.brokers ?? []).flatMap((b) => [b.brokerName, b.cluster]));
      const all = names
        .map((name) => ({ name, kind: topicKind(name, own) }))
        .filter((t) => request.query.kind === "all" || t.kind === request.query.kind);
      return page(all, (t) => t.name, request.query);
    },
  );

  app.post(
    "/api/topics",
    {
      schema: {
        summary: "Create (or update) a topic on every master",
        body: {
          type: "object",
          properties: {
            name: topicName,
            queues: { type: "integer", minimum: 1, maximum: 1024, default: 8, description: "read and write queues per master" },
            perm: { type: "integer", enum: [6, 4, 2], default: 6, description: "6 read and write, 4 read only, 2 write only" },
          },
          required: ["name"],
          additionalProperties: false,
        },
        response: { 201: { type: "object", properties: { name: { type: "string" } } }, 502: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Body: { name: string; queues: number; perm: 2 | 4 | 6 } }>, reply: FastifyReply) => {
      await source.createTopic(request.body.name, request.body.queues, request.body.perm);
      return reply.code(201).send({ name: request.body.name });
    },
  );

  app.get(
    "/api/topics/:name",
    {
      schema: {
        summary: "A topic's route (brokers, queues, permissions) and each queue's offsets",
        params: nameParam("name", "topic"),
        response: {
          200: {
            type: "object",
            properties: {
              name: { type: "string" },
              brokers: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    brokerName: { type: "string" },
                    master: { type: ["string", "null"] },
                    readQueues: { type: "integer" },
                    writeQueues: { type: "integer" },
                    perm: { type: "integer" },
                  },
                },
              },
              queues: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    brokerName: { type: "string" },
                    queueId: { type: "integer" },
                    minOffset: { type: "number" },
                    maxOffset: { type: "number" },
                    lastUpdateTimestamp: { type: "number" },
                  },
                },
              },
              errors: { type: "array", items: { type: "string" } },
            },
          },
          502: errorSchema,
        },
      },
    },
    (request: FastifyRequest<{ Params: { name: string } }>) => source.topic(request.params.name),
  );

  app.delete(
    "/api/topics/:name",
    {
      schema: {
        summary: "Delete a topic from every broker and name server",
        params: nameParam("name", "topic"),
        response: { 204: { type: "null" }, 502: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply) => {
      await source.deleteTopic(request.params.name);
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/topics/:name/messages",
    {
      schema: {
        summary: "Send a test message to the topic",
        params: nameParam("name", "topic"),
        body: {
          type: "object",
          properties: {
            body: { type: "string", maxLength: 65536 },
            tags: printable(255),
            keys: { ...printable(255), description: "space-separated" },
          },
          required: ["body"],
          additionalProperties: false,
        },
        response: {
          201: {
            type: "object",
            properties: {
              msgId: { type: "string" },
              offsetMsgId: { type: "string" },
              brokerName: { type: "string" },
              queueId: { type: "integer" },
              queueOffset: { type: "number" },
            },
          },
          502: errorSchema,
        },
      },
    },
    async (
      request: FastifyRequest<{ Params: { name: string }; Body: { body: string; tags?: string; keys?: string } }>,
      reply: FastifyReply,
    ) => {
      const { body, tags, keys } = request.body;
      const sent = await source.sendMessage({
        topic: request.params.name,
        body,
        tags: tags || undefined,
        keys: keys?.split(/\s+/).filter(Boolean),
      });
      return reply.code(201).send(sent);
    },
  );
}
