// The console's HTTP server: the JSON API the UI itself uses (fastify plugins, a schema on every route, an OpenAPI
// document built from those schemas), the UI's static files, login sessions, CSRF checks on every state-changing
// request, a read-only mode, and /metrics for Prometheus.
import Fastify, { type FastifyInstance, type FastifyRequest, type RouteOptions } from "fastify";
import type { ConsoleConfig } from "./config.ts";
import type { ClusterSource } from "./cluster-source.ts";
import { SESSION_COOKIE, Sessions, basicCredentials, cookieValue, sameSecret } from "./sessions.ts";
import { sessionRoutes } from "./routes/session.ts";
import { clusterRoutes } from "./routes/cluster.ts";
import { topicRoutes } from "./routes/topics.ts";
import { groupRoutes, producerRoutes } from "./routes/groups.ts";
import { messageRoutes } from "./routes/messages.ts";
import { uiRoutes } from "./routes/ui.ts";
import { openApi } from "./openapi.ts";
import { HttpRequestCounter } from "./metrics.ts";
import { insightRoutes } from "./routes/insight.ts";

export interface ConsoleOptions {
  config: Pick<ConsoleConfig, "user" | "password" | "readOnly" | "sessionHours">;
  source: ClusterSource;
  /** Directory of the UI's static files; none in API-only tests. */
  uiDir?: string;
  /** pino options for request logs; false in tests. */
  logger?: boolean | object;
}

/** What every route plugin gets. */
export interface RouteContext {
  source: ClusterSource;
  config: ConsoleOptions["config"];
  sessions: Sessions;
  requests: HttpRequestCounter;
}

/** Paths anyone may call: login, health, the API document and the UI's files (the page asks for a login). */
const isPublic = (path: string): boolean => path === "/api/login" || path === "/healthz" || path === "/openapi.json" || !(path.startsWith("/api/") || path === "/metrics");

export function buildConsole(options: ConsoleOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 256 * 1024 });
  const context: RouteContext = { source: options.source, config: options.config, sessions: new Sessions(options.config.sessionHours * 3600_000), requests: new HttpRequestCounter() };
  const routes: RouteOptions[] = [];
  app.addHook("onRoute", (route) => {
    routes.push(route);
  });

  app.addHook("onRequest", async (request, reply) => {
    const path = request.url.split("?")[0]!;
    if (isPublic(path)) return;
    const s = sessionOf(context, request);
    if (path === "/metrics" && !s) {
      // Prometheus scrapes with HTTP basic auth (the console's user and password) rather than a session.
      const basic = basicCredentials(request.headers.authorization);
      if (basic && sameSecret(basic.user, options.config.user) && sameSecret(basic.password, options.config.password)) return;
      return reply.code(401).header("www-authenticate", 'Basic realm="rocketmq-console"').send({ error: "log in first: HTTP basic auth with the console's user and password" });
    }
    if (!s) return reply.code(401).send({ error: "log in first: POST /api/login" });
    if (request.method !== "GET" && request.method !== "HEAD") {
      const token = request.headers["x-csrf-token"];
      if (typeof token !== "string" || !sameSecret(token, s.csrfToken)) return reply.code(403).send({ error: "missing or wrong x-csrf-token header (GET /api/session returns it)" });
      if (options.config.readOnly && path !== "/api/logout") return reply.code(403).send({ error: "the console runs read-only (CONSOLE_READ_ONLY=true)" });
    }
  });
  app.addHook("onResponse", async (request, reply) => {
    context.requests.count(request.routeOptions.url ?? "unmatched", request.method, reply.statusCode);
  });
  app.addHook("onSend", async (_request, reply) => {
    void reply.header("x-content-type-options", "nosniff").header("x-frame-options", "DENY").header("referrer-policy", "same-origin");
  });

  // Remoting failures (a broker down, a refusal) are the cluster's answer, not the console's bug: 502 with the reason.
  app.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number }, request, reply) => {
    if (error.validation) return reply.code(400).send({ error: error.message });
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.message });
    request.log.warn({ err: error }, "request failed");
    return reply.code(502).send({ error: error.message });
  });

  app.get("/healthz", { logLevel: "silent", schema: { summary: "Liveness of the console itself", response: { 200: { type: "object", properties: { ok: { type: "boolean" } } } } } }, async () => ({ ok: true }));
  void app.register(sessionRoutes, context);
  void app.register(clusterRoutes, context);
  void app.register(topicRoutes, context);
  void app.register(groupRoutes, context);
  void app.register(producerRoutes, context);
  void app.register(messageRoutes, context);
  void app.register(insightRoutes, context);
  if (options.uiDir) void app.register(uiRoutes, { dir: options.uiDir });
  app.get("/openapi.json", async () => openApi(routes, isPublic));
  return app;
}

export function sessionOf(context: RouteContext, request: FastifyRequest) {
  return context.sessions.get(cookieValue(request.headers.cookie, SESSION_COOKIE));
}
