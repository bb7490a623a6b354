// Messages: found by key (the broker's index) or by id (the producer's UNIQ_KEY or the broker's offset id), and
// dead letters: a group's %DLQ% messages listed and sent again to that group's retry topic.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RouteContext } from "../context.ts";
import type { DecodedMessage } from "../../remoting/message-codec.ts";
import { errorSchema, nameParam, topicName } from "./schemas.ts";

const BODY_PREVIEW = 4096;

const messageSchema = {
  type: "object",
  properties: {
    msgId: { type: "string" },
    offsetMsgId: { type: "string" },
    topic: { type: "string" },
    brokerName: { type: "string" },
    queueId: { type: "integer" },
    queueOffset: { type: "number" },
    keys: { type: "array", items: { type: "string" } },
    tags: { type: ["string", "null"] },
    bornTimestamp: { type: "number" },
    storeTimestamp: { type: "number" },
    bornHost: { type: "string" },
    storeHost: { type: "string" },
    reconsumeTimes: { type: "integer" },
    properties: { type: "object", additionalProperties: { type: "string" } },
    body: { type: "string", description: `UTF-8 text of the body, at most ${BODY_PREVIEW} characters` },
    bodyBytes: { type: "integer" },
    compressed: {
      type: "string",
      description: "Set when the body is shown as stored: a codec the console lacks (lz4), a corrupt body, or one over the display limit",
    },
    bodyNote: { type: "string", description: "Why a compressed body is shown as stored, with its size" },
  },
} as const;

const messagesResponse = {
  type: "object",
  properties: { total: { type: "integer" }, messages: { type: "array", items: messageSchema } },
  required: ["messages"],
} as const;

function view(m: DecodedMessage) {
  return {
    ...m,
    tags: m.tags ?? null,
    body: m.compressed
      ? `(${m.bodyNote ?? `${m.compressed}-compressed, ${m.body.length} bytes`})`
      : m.body.toString("utf8").slice(0, BODY_PREVIEW),
    bodyBytes: m.body.length,
  };
}

export async function messageRoutes(app: FastifyInstance, { source }: RouteContext): Promise<void> {
  app.get(
    "/api/messages",
    {
      schema: {
        summary: "Find messages of a topic by key or by message id",
        querystring: {
          type: "object",
          properties: {
            topic: topicName,
            key: { type: "string", minLength: 1, maxLength: 255 },
            id: { type: "string", pattern: "^[0-9A-Fa-f]{16,64}$" },
            max: { type: "integer", minimum: 1, maximum: 256, default: 64 },
          },
          required: ["topic"],
          additionalProperties: false,
        },
        response: { 200: messagesResponse, 400: errorSchema, 502: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Querystring: { topic: string; key?: string; id?: string; max: number } }>, reply) => {
      const { topic, key, id, max } = request.query;
      if (!key === !id) return reply.code(400).send({ error: "give either key or id" });
      if (id) {
        const m = await source.messageById(topic, id);
        return { total: m ? 1 : 0, messages: m ? [view(m)] : [] };
      }
      const found = await source.messagesByKey(topic, key!, max);
      return { total: found.length, messages: found.map(view) };
    },
  );

  app.get(
    "/api/dlq/:group",
    {
      schema: {
        summary: "A consumer group's dead letters (%DLQ%<group>), newest first",
        params: nameParam("group", "consumer group"),
        querystring: {
          type: "object",
          properties: { max: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
          additionalProperties: false,
        },
        response: { 200: messagesResponse, 502: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Params: { group: string }; Querystring: { max: number } }>) => {
      const { messages, total } = await source.deadLetters(request.params.group, request.query.max);
      return { total, messages: messages.map(view) };
    },
  );

  app.post(
    "/api/dlq/:group/resend",
    {
      schema: {
        summary: "Send a dead letter again to its group (through %RETRY%<group>)",
        params: nameParam("group", "consumer group"),
        body: {
          type: "object",
          properties: { msgId: { type: "string", pattern: "^[0-9A-Fa-f]{16,64}$" } },
          required: ["msgId"],
          additionalProperties: false,
        },
        response: {
          200: { type: "object", properties: { msgId: { type: "string" }, topic: { type: "string" } } },
          404: errorSchema,
          422: errorSchema,
          502: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { group: string }; Body: { msgId: string } }>) => {
      const sent = await source.resendDeadLetter(request.params.group, request.body.msgId);
      return { msgId: sent.msgId, topic: `%RETRY%${request.params.group}` };
    },
  );
}
