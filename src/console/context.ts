// What every route plugin gets from the console, in a module of its own: routes import this, never app.ts,
// which imports the routes.
import type { FastifyRequest } from "fastify";
import type { ConsoleConfig } from "./config.ts";
import type { ClusterSource } from "./cluster-source.ts";
import type { HttpRequestCounter } from "./metrics.ts";
import type { LoginLimiter } from "./access.ts";
import type { History } from "./history.ts";
import { SESSION_COOKIE, cookieValue, type Sessions } from "./sessions.ts";

/** The settings the HTTP side uses; the rest of ConsoleConfig is for main.ts. */
export type RouteConfig = Pick<ConsoleConfig, "user" | "password" | "readOnly" | "sessionHours"> &
  Partial<Pick<ConsoleConfig, "secureCookie" | "loginLimits" | "clusterCredentials">>;

export interface RouteContext {
  source: ClusterSource;
  config: RouteConfig;
  sessions: Sessions;
  requests: HttpRequestCounter;
  logins: LoginLimiter;
  /** The charts' rings; none in tests that do not sample. */
  history: History | undefined;
}

/** The request's session, from its cookie; undefined when it has none or it expired. */
export function sessionOf(context: RouteContext, request: FastifyRequest) {
  return context.sessions.get(cookieValue(request.headers.cookie, SESSION_COOKIE));
}
