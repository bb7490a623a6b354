// The console's HTTP API (what the UI itself uses): fastify routes with JSON schemas, an OpenAPI document built
// from those schemas, login sessions, CSRF checks on every state-changing request, and a read-only mode.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from "fastify";
import type { ConsoleConfig } from "./config.ts";
import type { ClusterSource } from "./cluster-source.ts";
import { SESSION_COOKIE, Sessions, cookieValue, sameSecret } from "./sessions.ts";

export interface ConsoleOptions {
  config: Pick<ConsoleConfig, "user" | "password" | "readOnly" | "sessionHours">;
  source: ClusterSource;
  /** pino options for request logs; false in tests. */
  logger?: boolean | object;
}

const errorSchema = { type: "object", properties: { error: { type: "string" } }, required: ["error"] } as const;
const sessionSchema = {
  type: "object",
  properties: { user: { type: "string" }, csrfToken: { type: "string" }, readOnly: { type: "boolean" } },
  required: ["user", "csrfToken", "readOnly"],
} as const;
const brokerSchema = {
  type: "object",
  properties: {
    cluster: { type: "string" },
    brokerName: { type: "string" },
    brokerId: { type: "integer" },
    address: { type: "string" },
    role: { type: "string", enum: ["master", "slave"] },
    version: { type: ["string", "null"] },
    tpsIn: { type: ["number", "null"] },
    tpsOut: { type: ["number", "null"] },
    diskUsedRatio: { type: ["number", "null"] },
    error: { type: "string" },
  },
  required: ["cluster", "brokerName", "brokerId", "address", "role"],
} as const;

/** Routes anyone may call; everything else under /api needs a session. */
const PUBLIC = new Set(["/api/login", "/healthz", "/openapi.json"]);

export function buildConsole(options: ConsoleOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024 });
  const sessions = new Sessions(options.config.sessionHours * 3600_000);
  const routes: RouteOptions[] = [];
  app.addHook("onRoute", (route) => {
    routes.push(route);
  });

  const session = (request: FastifyRequest) => sessions.get(cookieValue(request.headers.cookie, SESSION_COOKIE));

  app.addHook("onRequest", async (request, reply) => {
    const path = request.url.split("?")[0]!;
    if (PUBLIC.has(path)) return;
    const s = session(request);
    if (!s) return reply.code(401).send({ error: "log in first: POST /api/login" });
    if (request.method !== "GET" && request.method !== "HEAD") {
      const token = request.headers["x-csrf-token"];
      if (typeof token !== "string" || !sameSecret(token, s.csrfToken)) return reply.code(403).send({ error: "missing or wrong x-csrf-token header (GET /api/session returns it)" });
      if (options.config.readOnly && path !== "/api/logout") return reply.code(403).send({ error: "the console runs read-only (CONSOLE_READ_ONLY=true)" });
    }
  });

  app.get("/healthz", { schema: { summary: "Liveness of the console itself", response: { 200: { type: "object", properties: { ok: { type: "boolean" } } } } } }, async () => ({ ok: true }));

  app.post(
    "/api/login",
    {
      schema: {
        summary: "Log in; sets the session cookie and returns the CSRF token",
        body: { type: "object", properties: { user: { type: "string", maxLength: 64 }, password: { type: "string", maxLength: 1024 } }, required: ["user", "password"], additionalProperties: false },
        response: { 200: sessionSchema, 401: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Body: { user: string; password: string } }>, reply: FastifyReply) => {
      const { user, password } = request.body;
      // Both compared, always: the answer's timing does not tell which one was wrong.
      const ok = sameSecret(user, options.config.user) && sameSecret(password, options.config.password);
      if (!ok) return reply.code(401).send({ error: "wrong user or password" });
      const { token, csrfToken } = sessions.create(user);
      void reply.header("set-cookie", `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${options.config.sessionHours * 3600}`);
      return { user, csrfToken, readOnly: options.config.readOnly };
    },
  );

  app.post("/api/logout", { schema: { summary: "End the session", response: { 204: { type: "null" } } } }, async (request, reply) => {
    sessions.delete(cookieValue(request.headers.cookie, SESSION_COOKIE));
    void reply.header("set-cookie", `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return reply.code(204).send();
  });

  app.get("/api/session", { schema: { summary: "The logged-in user, the CSRF token and whether the console is read-only", response: { 200: sessionSchema } } }, async (request) => {
    const s = session(request)!;
    return { user: s.user, csrfToken: s.csrfToken, readOnly: options.config.readOnly };
  });

  app.get(
    "/api/cluster",
    {
      schema: {
        summary: "Brokers by cluster, name and id, with role, address, version, TPS and disk use",
        response: { 200: { type: "object", properties: { namesrv: { type: "string" }, brokers: { type: "array", items: brokerSchema } }, required: ["namesrv", "brokers"] }, 502: errorSchema },
      },
    },
    async (_request, reply) => {
      try {
        return await options.source.overview();
      } catch (e) {
        return reply.code(502).send({ error: (e as Error).message });
      }
    },
  );

  app.get(
    "/api/topics",
    {
      schema: {
        summary: "Topics, searched and paged",
        querystring: {
          type: "object",
          properties: { search: { type: "string", maxLength: 255 }, page: { type: "integer", minimum: 1, default: 1 }, pageSize: { type: "integer", minimum: 1, maximum: 500, default: 50 } },
          additionalProperties: false,
        },
        response: {
          200: { type: "object", properties: { total: { type: "integer" }, page: { type: "integer" }, pageSize: { type: "integer" }, items: { type: "array", items: { type: "string" } } }, required: ["total", "page", "pageSize", "items"] },
          502: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: { search?: string; page: number; pageSize: number } }>, reply: FastifyReply) => {
      const { search, page, pageSize } = request.query;
      let topics: string[];
      try {
        topics = await options.source.topics();
      } catch (e) {
        return reply.code(502).send({ error: (e as Error).message });
      }
      const matching = search ? topics.filter((t) => t.toLowerCase().includes(search.toLowerCase())) : topics;
      return { total: matching.length, page, pageSize, items: matching.slice((page - 1) * pageSize, page * pageSize) };
    },
  );

  app.post(
    "/api/topics",
    {
      schema: {
        summary: "Create (or update) a topic on every master",
        body: {
          type: "object",
          properties: { name: { type: "string", pattern: "^[%|a-zA-Z0-9_-]{1,127}$" }, queues: { type: "integer", minimum: 1, maximum: 1024, default: 8 } },
          required: ["name"],
          additionalProperties: false,
        },
        response: { 201: { type: "object", properties: { name: { type: "string" } } }, 502: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Body: { name: string; queues: number } }>, reply: FastifyReply) => {
      try {
        await options.source.createTopic(request.body.name, request.body.queues);
      } catch (e) {
        return reply.code(502).send({ error: (e as Error).message });
      }
      return reply.code(201).send({ name: request.body.name });
    },
  );

  app.get("/openapi.json", async () => openApi(routes));
  return app;
}

/** OpenAPI 3.1 from the routes' own schemas: the document cannot drift from what the server validates. */
function openApi(routes: RouteOptions[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const schema = (route.schema ?? {}) as { summary?: string; body?: object; querystring?: { properties?: Record<string, object> }; response?: Record<string, object> };
    if (route.url === "/openapi.json" || route.url === "*") continue;
    for (const method of [route.method].flat()) {
      if (method === "HEAD") continue;
      (paths[route.url] ??= {})[method.toLowerCase()] = {
        summary: schema.summary,
        ...(schema.querystring?.properties
          ? { parameters: Object.entries(schema.querystring.properties).map(([name, s]) => ({ name, in: "query", schema: s })) }
          : {}),
        ...(schema.body ? { requestBody: { required: true, content: { "application/json": { schema: schema.body } } } } : {}),
        responses: Object.fromEntries(
          Object.entries(schema.response ?? { 200: {} }).map(([code, s]) => [code, { description: code, ...(code === "204" ? {} : { content: { "application/json": { schema: s } } }) }]),
        ),
        ...(PUBLIC.has(route.url) ? { security: [] } : {}),
      };
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: "rocketmq-appliance console", version: "1" },
    components: { securitySchemes: { session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE }, csrf: { type: "apiKey", in: "header", name: "x-csrf-token" } } },
    security: [{ session: [], csrf: [] }],
    paths,
  };
}
