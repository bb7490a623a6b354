// What every image build shares: the repository root, the context label that makes a build skip when nothing
// changed, the esbuild settings of the Node bundles, and the Docker calls.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { relative, join } from "node:path";
import { fileURLToPath } from "node:url";
import type Docker from "dockerode";
import { pack } from "tar-fs";
import type { ImageRole } from "./versions.ts";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const CONTEXT_LABEL = "org.rocketmq-appliance.context";

export interface BuiltImage {
  role: ImageRole | "console";
  name: string;
  tags: string[];
  skipped: boolean;
  sizeBytes: number;
}

export const NODE_BUNDLE = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  // CommonJS dependencies (pino, ajv, fastify) call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
} as const;

/**
 * An empty build context for `name`, of this call's own (build/context/<name>.<pid>-<random>): processes and calls
 * building at once never share one. Contexts left by processes that are gone (killed mid-build) are removed first.
 */
export function freshContext(name: string): string {
  const parent = join(REPO_ROOT, "build", "context");
  mkdirSync(parent, { recursive: true });
  for (const entry of readdirSync(parent)) {
    const pid = /\.(\d+)-[^.]+$/.exec(entry)?.[1];
    if (pid === undefined || !alive(Number(pid))) rmSync(join(parent, entry), { recursive: true, force: true });
  }
  return mkdtempSync(join(parent, `${name}.${process.pid}-`));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function hashTree(dir: string, extra: string): string {
  const hash = createHash("sha256").update(extra);
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else hash.update(`${relative(dir, path)}\0${st.mode & 0o111 ? "x" : "-"}\0`).update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest("hex").slice(0, 24);
}

export async function inspect(docker: Docker, name: string): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(name).inspect();
  } catch {
    return undefined;
  }
}

export async function dockerBuild(
  docker: Docker,
  context: string,
  o: { target: string; tags: string[]; hash: string; buildargs: Record<string, string>; platform: string; cpuShares?: number },
): Promise<void> {
  // The context as a plain tar: dockerode gzips a `{ context }` in this process, which costs more CPU and time than
  // sending the few hundred MB uncompressed over the engine's local socket.
  const stream = await docker.buildImage(pack(context), {
    t: o.tags[0],
    target: o.target,
    buildargs: o.buildargs,
    labels: { [CONTEXT_LABEL]: o.hash },
    platform: o.platform,
    ...(o.cpuShares ? { cpushares: o.cpuShares } : {}),
    rm: true,
    forcerm: true,
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err, output: { error?: string }[]) => {
        const failed = err ?? output.find((o) => o.error)?.error;
        if (failed) reject(new Error(`docker build of ${o.tags[0]} failed: ${String(failed)}`));
        else resolve();
      },
      (event: { stream?: string; status?: string }) => {
        if (event.stream) process.stderr.write(event.stream);
        else if (event.status) process.stderr.write(`${event.status}\n`);
      },
    );
  });
}
