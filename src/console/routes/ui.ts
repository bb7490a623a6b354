// The UI: a few static files read once at start, served with a strict Content-Security-Policy (no inline script,
// nothing from other origins). The page itself asks for a login and then uses the JSON API.
import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export async function uiRoutes(app: FastifyInstance, { dir, extra }: { dir: string; extra: Record<string, string> }): Promise<void> {
  const files = new Map([
    ...Object.entries(extra).map(([f, path]): [string, Buffer] => [f, readFileSync(path)]),
    ...readdirSync(dir)
      .filter((f) => TYPES[extname(f)])
      .map((f): [string, Buffer] => [f, readFileSync(join(dir, f))]),
  ]);
  const send = (reply: FastifyReply, file: string) =>
    reply
      .header("content-type", TYPES[extname(file)]!)
      .header("content-security-policy", CSP)
      .header("cache-control", "no-cache")
      .send(files.get(file));
  // Public: the page and its scripts hold no data; the page asks for a login before it calls the API.
  app.get("/", { config: { access: "public" } }, (_request, reply) => send(reply, "index.html"));
  app.get("/ui/:file", { config: { access: "public" } }, (request: FastifyRequest<{ Params: { file: string } }>, reply) =>
    files.has(request.params.file) ? send(reply, request.params.file) : reply.code(404).send({ error: "no such file" }),
  );
}
