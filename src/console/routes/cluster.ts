// The cluster: brokers with role, version, TPS and disk; one broker's runtime figures and config; the HA view.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RouteContext } from "../context.ts";
import { errorSchema, stringMap } from "./schemas.ts";

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
    warnings: { type: "array", items: { type: "string" } },
    error: { type: "string" },
  },
  required: ["cluster", "brokerName", "brokerId", "address", "role", "warnings"],
} as const;

const haMemberSchema = {
  type: "object",
  properties: {
    brokerId: { type: "integer" },
    address: { type: "string" },
    role: { type: "string" },
    commitLogMaxOffset: { type: ["number", "null"] },
    lagBytes: { type: ["number", "null"] },
    inSync: { type: ["boolean", "null"] },
    error: { type: "string" },
  },
} as const;

const haGroupSchema = {
  type: "object",
  properties: {
    cluster: { type: "string" },
    brokerName: { type: "string" },
    mode: { type: "string", enum: ["master-slave", "dledger", "controller"] },
    replication: { type: ["string", "null"] },
    members: { type: "array", items: haMemberSchema },
    dledger: {
      type: "object",
      properties: { leaderId: { type: ["string", "null"] }, term: { type: ["number", "null"] }, peers: { type: ["string", "null"] } },
    },
    controller: {
      type: "object",
      properties: {
        leader: { type: ["string", "null"] },
        masterEpoch: { type: ["number", "null"] },
        syncStateSetEpoch: { type: ["number", "null"] },
        syncStateSet: { type: "array", items: { type: "integer" } },
      },
    },
    replicating: { type: "boolean" },
    error: { type: "string" },
  },
} as const;

const addressParam = {
  type: "object",
  properties: { address: { type: "string", pattern: "^[A-Za-z0-9.\\-_]+:\\d{1,5}$" } },
  required: ["address"],
} as const;

export async function clusterRoutes(app: FastifyInstance, { source }: RouteContext): Promise<void> {
  app.get(
    "/api/cluster",
    {
      schema: {
        summary: "Brokers by cluster, name and id, with role, address, version, TPS and disk use",
        response: {
          200: {
            type: "object",
            properties: { namesrv: { type: "string" }, brokers: { type: "array", items: brokerSchema } },
            required: ["namesrv", "brokers"],
          },
          502: errorSchema,
        },
      },
    },
    () => source.overview(),
  );

  /** Only addresses the name server lists: the console is not a proxy to arbitrary hosts. */
  const known = async (address: string) => {
    const { brokers } = await source.overview();
    if (!brokers.some((b) => b.address === address))
      throw Object.assign(new Error(`${address} is not a broker the name server lists`), { statusCode: 404 });
  };

  const reads = {
    runtime: { summary: "A broker's runtime figures, as it reports them", read: (a: string) => source.brokerRuntime(a) },
    config: { summary: "A broker's effective configuration (defaults included)", read: (a: string) => source.brokerConfig(a) },
  };
  for (const [what, { summary, read }] of Object.entries(reads)) {
    app.get(
      `/api/brokers/:address/${what}`,
      { schema: { summary, params: addressParam, response: { 200: stringMap, 404: errorSchema, 502: errorSchema } } },
      async (request: FastifyRequest<{ Params: { address: string } }>) => {
        await known(request.params.address);
        return read(request.params.address);
      },
    );
  }

  app.get(
    "/api/ha",
    {
      schema: {
        summary: "Replication per broker group: mode, slave lag in bytes, DLedger leader and term, controller SyncStateSet",
        response: {
          200: { type: "object", properties: { groups: { type: "array", items: haGroupSchema } }, required: ["groups"] },
          502: errorSchema,
        },
      },
    },
    async () => ({ groups: await source.ha() }),
  );
}
