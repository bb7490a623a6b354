// OpenAPI 3.1 from the routes' own schemas: the document cannot drift from what the server validates.
import type { RouteOptions } from "fastify";
import { SESSION_COOKIE } from "./sessions.ts";

export function openApi(routes: RouteOptions[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const schema = (route.schema ?? {}) as {
      hide?: boolean;
      summary?: string;
      body?: object;
      params?: { properties?: Record<string, object> };
      querystring?: { properties?: Record<string, object> };
      response?: Record<string, object>;
    };
    if (schema.hide || !schema.summary) continue;
    const url = route.url.replace(/:(\w+)/g, "{$1}");
    for (const method of [route.method].flat()) {
      if (method === "HEAD") continue;
      const parameters = [
        ...Object.entries(schema.params?.properties ?? {}).map(([name, s]) => ({ name, in: "path", required: true, schema: s })),
        ...Object.entries(schema.querystring?.properties ?? {}).map(([name, s]) => ({ name, in: "query", schema: s })),
      ];
      (paths[url] ??= {})[method.toLowerCase()] = {
        summary: schema.summary,
        ...(parameters.length ? { parameters } : {}),
        ...(schema.body ? { requestBody: { required: true, content: { "application/json": { schema: schema.body } } } } : {}),
        responses: Object.fromEntries(
          Object.entries(schema.response ?? { 200: {} }).map(([code, s]) => [
            code,
            { description: code, ...(code === "204" ? {} : { content: { "application/json": { schema: s } } }) },
          ]),
        ),
        ...(route.config?.access === "public"
          ? { security: [] }
          : route.config?.access === "session-or-basic"
            ? { security: [{ session: [] }, { basic: [] }] }
            : {}),
      };
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: "rocketmq-appliance console", version: "1" },
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
        csrf: { type: "apiKey", in: "header", name: "x-csrf-token" },
        basic: { type: "http", scheme: "basic" },
      },
    },
    security: [{ session: [], csrf: [] }],
    paths,
  };
}
