// What the console adds beyond the dashboard: address diagnostics and Prometheus /metrics.
import type { FastifyInstance } from "fastify";
import type { RouteContext } from "../context.ts";
import { diagnose, tcpDial } from "../diagnostics.ts";
import { mapLimit } from "../../remoting/limit.ts";
import { renderMetrics } from "../metrics.ts";
import { errorSchema } from "./schemas.ts";

export async function insightRoutes(app: FastifyInstance, { source, requests }: RouteContext): Promise<void> {
  app.get(
    "/api/diagnostics",
    {
      schema: {
        summary: "Every advertised broker address (client, fast and HA port) dialed from the console, with the likely fix for what fails",
        response: {
          200: {
            type: "object",
            properties: {
              note: { type: "string" },
              rows: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    cluster: { type: "string" },
                    brokerName: { type: "string" },
                    brokerId: { type: "integer" },
                    kind: { type: "string", enum: ["client", "fast", "ha"] },
                    address: { type: "string" },
                    reachable: { type: "boolean" },
                    connectMs: { type: "number" },
                    error: { type: "string" },
                    severity: { type: "string", enum: ["ok", "warning", "error"] },
                    hint: { type: "string" },
                    elsewhere: { type: "string" },
                  },
                },
              },
              problems: { type: "array", items: { type: "string" } },
            },
          },
          502: errorSchema,
        },
      },
    },
    async () => {
      const { brokers } = await source.overview();
      const withConfig = await mapLimit(brokers, 8, async (b) => ({
        ...b,
        config: await source.brokerConfig(b.address).catch(() => undefined),
      }));
      return diagnose(withConfig, tcpDial(2000));
    },
  );

  app.get(
    "/metrics",
    {
      config: { access: "session-or-basic" },
      schema: {
        summary: "Prometheus metrics: brokers, consumer group lag, the console itself (session or HTTP basic auth)",
        response: { 200: { type: "string" } },
      },
    },
    async (_request, reply) => {
      const errors: string[] = [];
      const brokers = await source
        .overview()
        .then((o) => o.brokers)
        .catch((e: Error) => (errors.push(e.message), []));
      const { groups, errors: groupErrors } = await source.groupsProgress();
      const { rss, heapUsed } = process.memoryUsage();
      return reply
        .type("text/plain; version=0.0.4; charset=utf-8")
        .send(renderMetrics({ brokers, groups, requests, memory: { rss, heapUsed }, scrapeErrors: [...errors, ...groupErrors] }));
    },
  );
}
