// Messages: found by key (the broker's index) or by id (the producer's UNIQ_KEY or the broker's offset id), a
// topic's messages between two times a page at a time, and dead letters: a group's %DLQ% messages listed and sent
// again to that group's retry topic.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RouteContext } from "../context.ts";
import type { DecodedMessage } from "../../remoting/message-codec.ts";
import { DEFAULT_TRACE_TOPIC } from "../../remoting/trace.ts";
import { errorSchema, groupName, nameParam, printable, topicName } from "./schemas.ts";

const BODY_PREVIEW = 4096;

/** A producer's message id (UNIQ_KEY) or a broker's offset id: hex. */
const messageId = { type: "string", pattern: "^[0-9A-Fa-f]{16,64}$" } as const;

/** What a resend answers: the copy's id and the retry topic it went to. */
const resentSchema = { type: "object", properties: { msgId: { type: "string" }, topic: { type: "string" } } } as const;

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
    bodyBase64: { type: "string", description: "The whole body (as shown: decompressed where it could be), for one message found by id" },
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
    bodyBytes: m.bodyBytes ?? m.body.length,
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
            id: messageId,
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
        return { total: m ? 1 : 0, messages: m ? [{ ...view(m), bodyBase64: m.body.toString("base64") }] : [] };
      }
      const found = await source.messagesByKey(topic, key!, max);
      return { total: found.length, messages: found.map(view) };
    },
  );

  app.get(
    "/api/topics/:name/messages",
    {
      schema: {
        summary: "A topic's messages stored between two times, newest first, a page at a time (every queue of every master)",
        params: nameParam("name", "topic"),
        querystring: {
          type: "object",
          properties: {
            begin: { type: "integer", minimum: 0, maximum: 8.64e15, description: "store time, milliseconds since the epoch (included)" },
            end: { type: "integer", minimum: 0, maximum: 8.64e15, description: "store time, milliseconds since the epoch (included)" },
            pageSize: { type: "integer", minimum: 1, maximum: 100, default: 20 },
            cursor: { type: "string", maxLength: 16384, pattern: "^[%|a-zA-Z0-9_.:/=,-]*$", description: "the previous page's cursor" },
            text: { ...printable(255), description: "case-insensitive text in the tags, keys, property values or body" },
          },
          required: ["begin", "end"],
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: {
              ...messagesResponse.properties,
              scanned: { type: "integer", description: "messages of the window this page went through" },
              cursor: { type: ["string", "null"], description: "the next page's cursor; null at the window's beginning" },
            },
          },
          400: errorSchema,
          502: errorSchema,
        },
      },
    },
    async (
      request: FastifyRequest<{
        Params: { name: string };
        Querystring: { begin: number; end: number; pageSize: number; cursor?: string; text?: string };
      }>,
      reply,
    ) => {
      const { begin, end, pageSize, cursor, text } = request.query;
      if (begin > end) return reply.code(400).send({ error: "begin must not be after end" });
      const page = await source.messagesBetween({
        topic: request.params.name,
        begin,
        end,
        pageSize,
        cursor,
        text: text || undefined,
        previewBytes: BODY_PREVIEW,
      });
      return { total: page.total, scanned: page.scanned, cursor: page.cursor, messages: page.messages.map(view) };
    },
  );

  app.get(
    "/api/trace/:msgId",
    {
      schema: {
        summary: "A message's trace: when its producer sent it and each consumer group received and consumed it (clients with tracing on)",
        params: {
          type: "object",
          properties: { msgId: { ...messageId, description: "the producer's message id" } },
          required: ["msgId"],
        },
        querystring: {
          type: "object",
          properties: { traceTopic: { ...topicName, default: DEFAULT_TRACE_TOPIC, description: "the topic the clients trace to" } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: {
              msgId: { type: "string" },
              traceTopic: { type: "string" },
              events: {
                type: "array",
                items: {
                  type: "object",
                  // Every field of every event type (remoting/trace.ts); a type leaves the others out.
                  properties: Object.fromEntries([
                    ...[
                      ...["type", "group", "topic", "msgId", "tags", "keys", "storeHost", "messageType", "offsetMsgId", "clientHost"],
                      ...["requestId", "result", "transactionId", "transactionState", "reportedBy"],
                    ].map((k) => [k, { type: ["string", "null"] }]),
                    ...["time", "bodyLength", "costMs", "retryTimes"].map((k) => [k, { type: ["number", "null"] }]),
                    ...["success", "fromTransactionCheck"].map((k) => [k, { type: ["boolean", "null"] }]),
                  ]),
                },
              },
            },
          },
          400: errorSchema,
          502: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { msgId: string }; Querystring: { traceTopic: string } }>) => {
      const { msgId } = request.params;
      const { traceTopic } = request.query;
      return { msgId, traceTopic, events: await source.trace(msgId, traceTopic) };
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
    "/api/topics/:name/messages/:id/resend",
    {
      schema: {
        summary: "Send a copy of one of a topic's messages to one consumer group alone (through %RETRY%<group>)",
        params: {
          type: "object",
          properties: {
            name: topicName,
            id: { ...messageId, description: "its offset or producer id" },
          },
          required: ["name", "id"],
        },
        body: { type: "object", properties: { group: groupName }, required: ["group"], additionalProperties: false },
        response: {
          200: resentSchema,
          404: errorSchema,
          422: errorSchema,
          502: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { name: string; id: string }; Body: { group: string } }>) => {
      const sent = await source.resendMessage(request.params.name, request.params.id, request.body.group);
      return { msgId: sent.msgId, topic: `%RETRY%${request.body.group}` };
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
          properties: { msgId: messageId },
          required: ["msgId"],
          additionalProperties: false,
        },
        response: {
          200: resentSchema,
          404: errorSchema,
          422: errorSchema,
          502: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { group: string }; Body: { msgId: string } }>) => {
      const sent = await source.resendMessage(`%DLQ%${request.params.group}`, request.body.msgId, request.params.group);
      return { msgId: sent.msgId, topic: `%RETRY%${request.params.group}` };
    },
  );
}
