// The console's HTTP server: the JSON API the UI itself uses (fastify plugins, a schema on every route, an OpenAPI
// document built from those schemas), the UI's static files, login sessions, CSRF checks on every state-changing
// request, a read-only mode, and /metrics for Prometheus.
import Fastify, { type FastifyInstance, type FastifySchemaValidationError, type RouteOptions } from "fastify";
import { DEFAULT_LOGIN_LIMITS } from "./config.ts";
import type { ClusterSource } from "./cluster-source.ts";
import { sessionOf, type RouteConfig, type RouteContext } from "./context.ts";
import { Sessions, basicCredentials, sameCredentials, sameSecret } from "./sessions.ts";
import { LoginLimiter, decideAccess, sameOrigin } from "./access.ts";
import { sessionRoutes } from "./routes/session.ts";
import { clusterRoutes } from "./routes/cluster.ts";
import { topicRoutes } from "./routes/topics.ts";
import { groupRoutes, producerRoutes } from "./routes/groups.ts";
import { messageRoutes } from "./routes/messages.ts";
import { uiRoutes } from "./routes/ui.ts";
import { openApi } from "./openapi.ts";
import { HttpRequestCounter } from "./metrics.ts";
import { insightRoutes } from "./routes/insight.ts";
import { userRoutes } from "./routes/users.ts";
import { historyRoutes } from "./routes/history.ts";
import type { History } from "./history.ts";

export interface ConsoleOptions {
  config: RouteConfig;
  source: ClusterSource;
  /** Directory of the UI's static files; none in API-only tests. */
  uiDir?: string;
  /** pino options for request logs; false in tests. */
  logger?: boolean | object;
  /** Serve HTTPS with this certificate and key (PEM) instead of HTTP. */
  https?: { cert: string; key: string };
  /** What the sampler keeps for the charts. */
  history?: History;
  /** Files served with the UI's from elsewhere (the chart library from node_modules in the source tree). */
  uiExtraFiles?: Record<string, string>;
  /** How long a client may take to send one request, headers and body (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

/** A request not received whole by then is answered 408 and its connection closed (fastify's default: never). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Open connections at most; a browser opens a handful, and an idle one closes after fastify's keep-alive timeout. */
export const MAX_CONNECTIONS = 1024;

export function buildConsole(options: ConsoleOptions): FastifyInstance {
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // Given to Node's server as it is made: set afterwards (as fastify does), the request timeout waits for the headers'
  // (60 s); and Node looks for requests past their time every connectionsCheckingInterval (30 s unless told).
  const server = { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(5000, requestTimeout) };
  const settings = {
    logger: options.logger ?? false,
    bodyLimit: 256 * 1024,
    requestTimeout,
    http: server,
    // A field the schema does not name is refused (400, named), not silently dropped as Fastify does by default.
    ajv: { customOptions: { removeAdditional: false as const } },
    schemaErrorFormatter: (errors: FastifySchemaValidationError[], dataVar: string) =>
      new Error(
        errors
          .map((e) => {
            const extra = e.keyword === "additionalProperties" ? `: ${String(e.params.additionalProperty).slice(0, 64)}` : "";
            return `${dataVar}${e.instancePath} ${e.message}${extra}`;
          })
          .join(", "),
      ),
  };
  // The routes do not depend on the transport; an HTTPS instance is typed as an HTTP one for them.
  const app = options.https
    ? (Fastify({ ...settings, https: { ...options.https, ...server } }) as unknown as FastifyInstance)
    : Fastify(settings);
  app.server.maxConnections = MAX_CONNECTIONS;
  const context: RouteContext = {
    source: options.source,
    config: options.config,
    sessions: new Sessions(options.config.sessionHours * 3600_000),
    requests: new HttpRequestCounter(),
    logins: new LoginLimiter(options.config.loginLimits ?? DEFAULT_LOGIN_LIMITS),
    history: options.history,
  };
  context.logins.install(app);
  const routes: RouteOptions[] = [];
  app.addHook("onRoute", (route) => {
    routes.push(route);
  });
  app.decorate("consoleRoutes", routes);

  // Runs for matched and unmatched requests alike (fastify's 404 handler passes through onRequest too).
  app.addHook("onRequest", async (request, reply) => {
    const access = request.is404 ? undefined : (request.routeOptions.config.access ?? "session");
    const session = sessionOf(context, request);
    let basic: { user: string; password: string } | undefined;
    if (access === "session-or-basic" && !session && request.headers.authorization !== undefined) {
      if (await context.logins.refused(request, reply)) return reply;
      basic = basicCredentials(request.headers.authorization);
    }
    const basicAuthOk = basic !== undefined && sameCredentials(basic, options.config);
    if (access === "session-or-basic" && !session && request.headers.authorization !== undefined && !basicAuthOk)
      await context.logins.failed(request);
    const token = request.headers["x-csrf-token"];
    const decision = decideAccess({
      access,
      method: request.method,
      target: request.raw.url ?? "",
      hasSession: session !== undefined,
      basicAuthOk,
      csrfTokenOk: session !== undefined && typeof token === "string" && sameSecret(token, session.csrfToken),
      sameOrigin: sameOrigin(request),
      readOnly: options.config.readOnly,
      allowedWhenReadOnly: request.routeOptions.config.allowedWhenReadOnly === true,
    });
    if (decision.allow) return;
    if (decision.basicChallenge) void reply.header("www-authenticate", 'Basic realm="rocketmq-console"');
    return reply.code(decision.status).send({ error: decision.error });
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

  app.get(
    "/healthz",
    {
      logLevel: "silent",
      config: { access: "public" },
      schema: { summary: "Liveness of the console itself", response: { 200: { type: "object", properties: { ok: { type: "boolean" } } } } },
    },
    async () => ({ ok: true }),
  );
  void app.register(sessionRoutes, context);
  void app.register(clusterRoutes, context);
  void app.register(topicRoutes, context);
  void app.register(groupRoutes, context);
  void app.register(producerRoutes, context);
  void app.register(messageRoutes, context);
  void app.register(insightRoutes, context);
  void app.register(userRoutes, context);
  void app.register(historyRoutes, context);
  if (options.uiDir) void app.register(uiRoutes, { dir: options.uiDir, extra: options.uiExtraFiles ?? {} });
  app.get("/openapi.json", { config: { access: "public" } }, async () => openApi(routes));
  return app;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route registered, for the OpenAPI document and for tests that walk them all. */
    consoleRoutes: RouteOptions[];
  }
}
