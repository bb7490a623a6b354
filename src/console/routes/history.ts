// The charts' figures over time (history.ts): the cluster's overview, one topic's or group's series, and the
// lists' sparklines. Reads only: nothing here reaches the cluster, the sampler does.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RouteContext } from "../context.ts";
import type { History } from "../history.ts";
import { errorSchema, groupName, nameParam } from "./schemas.ts";

const chart = {
  type: "object",
  properties: {
    intervalSeconds: { type: "number" },
    times: { type: "array", items: { type: "number" } },
    series: {
      type: "array",
      items: {
        type: "object",
        properties: { name: { type: "string" }, values: { type: "array", items: { type: ["number", "null"] } } },
      },
    },
  },
} as const;

const windowQuery = {
  minutes: { type: "integer", minimum: 1, maximum: 525_600, default: 60, description: "how far back, in minutes" },
} as const;

const since = (minutes: number) => Date.now() - minutes * 60_000;

// Names are RocketMQ's (no comma in any), at most 100 at once: a list page's worth.
const namesList = { type: "string", pattern: `^${groupName.pattern.slice(1, -1)}(,${groupName.pattern.slice(1, -1)}){0,99}$` } as const;

export async function historyRoutes(app: FastifyInstance, { history }: RouteContext): Promise<void> {
  const kept = (): History => {
    if (!history) throw Object.assign(new Error("this console keeps no history"), { statusCode: 404 });
    return history;
  };

  app.get(
    "/api/history",
    {
      schema: {
        summary: "The cluster over time: each broker's TPS in and out and disk use, the 10 busiest topics and the 10 most lagging groups",
        querystring: { type: "object", properties: windowQuery },
        response: {
          200: {
            type: "object",
            properties: {
              tpsIn: chart,
              tpsOut: chart,
              disk: chart,
              topTopics: chart,
              topGroups: chart,
              series: { type: "integer", description: "series kept in memory" },
              errors: { type: "array", items: { type: "string" } },
            },
          },
          404: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: { minutes: number } }>) => {
      const h = kept();
      return { ...h.overview(since(request.query.minutes)), series: h.seriesCount, errors: h.lastErrors.slice(0, 20) };
    },
  );

  const oneSeries = [
    { path: "topics", what: "topic", summary: "One topic's TPS over time (all masters)", read: (h: History) => h.topic.bind(h) },
    {
      path: "groups",
      what: "consumer group",
      summary: "One consumer group's lag and consume TPS over time",
      read: (h: History) => h.group.bind(h),
    },
  ] as const;
  for (const { path, what, summary, read } of oneSeries) {
    app.get(
      `/api/history/${path}/:name`,
      {
        schema: {
          summary,
          params: nameParam("name", what),
          querystring: { type: "object", properties: windowQuery },
          response: { 200: chart, 404: errorSchema },
        },
      },
      async (request: FastifyRequest<{ Params: { name: string }; Querystring: { minutes: number } }>) =>
        read(kept())(request.params.name, since(request.query.minutes)),
    );
  }

  app.get(
    "/api/history/sparklines",
    {
      schema: {
        summary: "Small lines for a list page: each named topic's TPS or group's lag",
        querystring: {
          type: "object",
          properties: { kind: { type: "string", enum: ["topics", "groups"] }, names: namesList, ...windowQuery },
          required: ["kind", "names"],
        },
        response: { 200: chart, 404: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Querystring: { kind: "topics" | "groups"; names: string; minutes: number } }>) =>
      kept().sparklines(request.query.kind, request.query.names.split(","), since(request.query.minutes)),
  );
}
