// Login, logout and the current session.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sessionOf, type RouteContext } from "../context.ts";
import { SESSION_COOKIE, cookieValue, sameCredentials } from "../sessions.ts";
import { errorSchema } from "./schemas.ts";

const sessionSchema = {
  type: "object",
  properties: { user: { type: "string" }, csrfToken: { type: "string" }, readOnly: { type: "boolean" } },
  required: ["user", "csrfToken", "readOnly"],
} as const;

export async function sessionRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const { config, sessions, logins } = context;
  const cookie = (value: string, maxAgeSeconds: number) =>
    `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${config.secureCookie ? "; Secure" : ""}`;
  app.post(
    "/api/login",
    {
      config: { access: "public" },
      schema: {
        summary: "Log in; sets the session cookie and returns the CSRF token",
        body: {
          type: "object",
          properties: { user: { type: "string", maxLength: 64 }, password: { type: "string", maxLength: 1024 } },
          required: ["user", "password"],
          additionalProperties: false,
        },
        response: { 200: sessionSchema, 401: errorSchema, 429: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Body: { user: string; password: string } }>, reply: FastifyReply) => {
      if (await logins.refused(request, reply)) return reply;
      const { user, password } = request.body;
      const ok = sameCredentials({ user, password }, config);
      if (!ok) {
        await logins.failed(request);
        request.log.warn("failed login");
        return reply.code(401).send({ error: "wrong user or password" });
      }
      const { token, csrfToken } = sessions.create(user);
      void reply.header("set-cookie", cookie(token, config.sessionHours * 3600));
      return { user, csrfToken, readOnly: config.readOnly };
    },
  );

  app.post(
    "/api/logout",
    { config: { allowedWhenReadOnly: true }, schema: { summary: "End the session", response: { 204: { type: "null" } } } },
    async (request, reply) => {
      sessions.delete(cookieValue(request.headers.cookie, SESSION_COOKIE));
      void reply.header("set-cookie", cookie("", 0));
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/session",
    { schema: { summary: "The logged-in user, the CSRF token and whether the console is read-only", response: { 200: sessionSchema } } },
    async (request) => {
      const s = sessionOf(context, request)!;
      return { user: s.user, csrfToken: s.csrfToken, readOnly: config.readOnly };
    },
  );
}
