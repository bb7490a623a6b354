// ACL 2.0 users and their policies (RocketMQ 5 with AUTH_ENABLED): listed from every broker, created, updated and
// deleted on every broker. Passwords go in, never out. The user the console itself signs as cannot be changed or
// deleted here: the console would lock itself out.
import { isIP } from "node:net";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ACTIONS, PASSWORD_PATTERN, RESOURCE_PATTERN, USERNAME_PATTERN, type PolicyEntry } from "../../remoting/acl.ts";
import type { UserChange } from "../cluster-source.ts";
import type { RouteContext } from "../context.ts";
import { errorSchema } from "./schemas.ts";

const userParam = {
  type: "object",
  properties: { name: { type: "string", pattern: USERNAME_PATTERN, description: "user name" } },
  required: ["name"],
} as const;

const policyEntry = {
  type: "object",
  properties: {
    resource: {
      type: "string",
      pattern: RESOURCE_PATTERN,
      maxLength: 300,
      description: "*, or Cluster|Namespace|Topic|Group:name, :prefix* or :*",
    },
    actions: { type: "array", items: { type: "string", enum: [...ACTIONS] }, minItems: 1, maxItems: ACTIONS.length, uniqueItems: true },
    decision: { type: "string", enum: ["Allow", "Deny"], default: "Allow" },
    sourceIps: { type: "array", items: { type: "string", maxLength: 43 }, maxItems: 32, default: [] },
  },
  required: ["resource", "actions"],
  additionalProperties: false,
} as const;

/** An address or a CIDR block, as RocketMQ matches `sourceIps`. */
function isIpOrCidr(value: string): boolean {
  const [ip, bits, extra] = value.split("/");
  const family = ip ? isIP(ip) : 0;
  if (!family || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
}

export async function userRoutes(app: FastifyInstance, { source, config }: RouteContext): Promise<void> {
  const signsAs = config.clusterCredentials?.accessKey;
  const lockout = (reply: FastifyReply, name: string, what: string) =>
    reply.code(409).send({ error: `the console signs its requests as ${name}: ${what} would lock it out` });

  app.get(
    "/api/users",
    {
      schema: {
        summary: "ACL 2.0 users and their policies, from every broker (never a password)",
        response: {
          200: {
            type: "object",
            properties: {
              brokers: { type: "integer" },
              users: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    username: { type: "string" },
                    userType: { type: ["string", "null"] },
                    userStatus: { type: ["string", "null"] },
                    brokers: { type: "integer" },
                    policies: { type: "array", items: policyEntry },
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
    async () => source.users(),
  );

  app.put(
    "/api/users/:name",
    {
      schema: {
        summary: "Create a user, or change its password, type or status, on every broker",
        params: userParam,
        body: {
          type: "object",
          properties: {
            password: { type: "string", pattern: PASSWORD_PATTERN, description: "8 to 128 printable ASCII characters; needed to create" },
            // No defaults: a field left out keeps its value (a new user is Normal and enabled).
            userType: { type: "string", enum: ["Normal", "Super"] },
            userStatus: { type: "string", enum: ["enable", "disable"] },
          },
          additionalProperties: false,
        },
        response: { 204: { type: "null" }, 409: errorSchema, 502: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Params: { name: string }; Body: Omit<UserChange, "username"> }>, reply: FastifyReply) => {
      const { name } = request.params;
      if (name === signsAs) return lockout(reply, name, "a new password, type or status");
      await source.updateUser({ username: name, ...request.body });
      return reply.code(204).send();
    },
  );

  app.put(
    "/api/users/:name/policies",
    {
      schema: {
        summary: "Make the user's policy entries exactly these, on every broker (entries of other resources are removed)",
        params: userParam,
        body: {
          type: "object",
          properties: { policies: { type: "array", items: policyEntry, maxItems: 100 } },
          required: ["policies"],
          additionalProperties: false,
        },
        response: { 204: { type: "null" }, 400: errorSchema, 502: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Params: { name: string }; Body: { policies: PolicyEntry[] } }>, reply: FastifyReply) => {
      const { policies } = request.body;
      const badIp = policies.flatMap((p) => p.sourceIps ?? []).find((ip) => !isIpOrCidr(ip));
      if (badIp !== undefined)
        return reply.code(400).send({ error: "sourceIps: each must be an IP address or a CIDR block such as 10.0.0.0/8" });
      const resources = policies.map((p) => p.resource);
      const twice = resources.find((r, i) => resources.indexOf(r) !== i);
      if (twice !== undefined)
        return reply.code(400).send({ error: `resource ${twice} is listed twice (RocketMQ keeps one entry per resource)` });
      await source.updatePolicies(request.params.name, policies);
      return reply.code(204).send();
    },
  );

  app.delete(
    "/api/users/:name",
    {
      schema: {
        summary: "Delete a user and its policies from every broker",
        params: userParam,
        response: { 204: { type: "null" }, 409: errorSchema, 502: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply) => {
      if (request.params.name === signsAs) return lockout(reply, request.params.name, "deleting it");
      await source.deleteUser(request.params.name);
      return reply.code(204).send();
    },
  );
}
