// Shared by the integration tests: a real Docker engine, our images, compose projects, the Java client.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT, buildImages } from "../../src/images/build.ts";
import { DEFAULT_ROCKETMQ_VERSION } from "../../src/images/versions.ts";
import { awaitBackgroundBuild } from "../background-builds.ts";

export { REPO_ROOT };

export interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

export function sh(
  command: string,
  args: string[],
  options: { timeoutMs?: number; input?: string; env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<Exec> {
  return new Promise((resolve) => {
    // A variable given as undefined is removed.
    const env = Object.fromEntries(Object.entries({ ...process.env, ...options.env }).filter(([, v]) => v !== undefined));
    const child = execFile(
      command,
      args,
      { cwd: options.cwd ?? REPO_ROOT, env, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export async function docker(...args: string[]): Promise<Exec> {
  return sh("docker", args);
}

/** Like docker(), but a non-zero exit fails the test with the output. */
export async function dockerOk(...args: string[]): Promise<string> {
  const r = await docker(...args);
  if (r.code !== 0) throw new Error(`docker ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Whether the integration tests can run. Without a Docker engine they are skipped on a developer machine,
 * but under CI=true that is a failure: CI must never pass by skipping them.
 */
export async function dockerAvailability(): Promise<string | undefined> {
  const info = await docker("info", "--format", "{{.ServerVersion}}");
  const compose = await docker("compose", "version");
  const missing =
    info.code !== 0
      ? `no Docker engine answers (${info.stderr.trim().split("\n")[0]})`
      : compose.code !== 0
        ? "docker compose v2 is missing"
        : undefined;
  if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}: integration tests must run in CI`);
  return missing;
}

/**
 * Names the RocketMQ version whose images npm test (test/lanes.ts) built before starting the test files, which then
 * skip building them again (each check copies and hashes a few hundred MB of build context).
 */
export const IMAGES_READY = "TEST_IMAGES_READY";

const builtVersions = new Map<string, Promise<unknown>>();
/**
 * Builds (or finds up to date) the images of one RocketMQ version, once per test process. CI builds another
 * version's in the background (.ci/run: images-<version>), waited for first; a failed one is built here again.
 */
export function ensureImages(version: string = DEFAULT_ROCKETMQ_VERSION): Promise<unknown> {
  let built = builtVersions.get(version);
  if (!built) {
    built =
      process.env[IMAGES_READY] === version
        ? Promise.resolve()
        : awaitBackgroundBuild(`images-${version}`).then(() => buildImages({ rocketmqVersion: version }));
    builtVersions.set(version, built);
  }
  return built;
}

/** How test/lanes.ts tells a lane's test files the loopback address of their own. */
export const PUBLISH_ADDR_FLAG = "--publish-addr=";

/**
 * Where this test process's compose suites publish their fixed host ports (compose's PUBLISH_ADDR): 127.0.0.1, or
 * another loopback address that test/lanes.ts gives a lane (`--publish-addr=127.0.0.2`), so that compose suites in
 * two lanes can run at once. Clients on the host dial the name servers, the proxy and the console there; brokers
 * advertise their container addresses, which a Linux host reaches directly.
 */
export const PUBLISH_ADDR = process.argv.find((a) => a.startsWith(PUBLISH_ADDR_FLAG))?.slice(PUBLISH_ADDR_FLAG.length) ?? "127.0.0.1";

/** A port the compose suites publish, as clients on the host dial it: e.g. `onHost(9876)`. */
export function onHost(port: number): string {
  return `${PUBLISH_ADDR}:${port}`;
}

export function composeFile(mode: string): string {
  return join(REPO_ROOT, "compose", `${mode}.yml`);
}

export interface ComposeOptions {
  /** Variables for compose's interpolation, e.g. ROCKETMQ_VERSION. */
  env?: Record<string, string>;
  /** Further compose files layered on the mode's file: a mode name ("proxy") or a path. */
  overlays?: string[];
  /** `--env-file`s for interpolation. */
  envFiles?: string[];
}

export class ComposeProject {
  readonly name: string;
  readonly files: string[];
  readonly options: ComposeOptions;
  constructor(name: string, mode: string, options: ComposeOptions = {}) {
    this.name = name;
    this.files = [composeFile(mode), ...(options.overlays ?? []).map((o) => (o.includes("/") ? o : composeFile(o)))];
    this.options = options;
  }
  run(...args: string[]): Promise<Exec> {
    const envFiles = (this.options.envFiles ?? []).flatMap((f) => ["--env-file", f]);
    return sh("docker", ["compose", "-p", this.name, ...envFiles, ...this.files.flatMap((f) => ["-f", f]), ...args], {
      env: { PUBLISH_ADDR, ...this.options.env },
    });
  }
  async ok(...args: string[]): Promise<string> {
    const r = await this.run(...args);
    if (r.code === 0) return r.stdout + r.stderr;
    // `up` prints a line per container and step; what failed is in its error lines and in the containers.
    // (`up` may follow global options: `--profile bootstrap up`.)
    if (args.includes("up")) {
      const said = (r.stdout + r.stderr).split("\n").filter((l) => /error|unhealthy|exited|failed|denied|allocated/i.test(l));
      throw new Error(`docker compose ${args.join(" ")} exited ${r.code}\n${said.join("\n")}\n${await this.diagnose()}`);
    }
    throw new Error(`docker compose ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  }

  /** Each container's state; for those not running healthy, their last health probes and log lines. */
  async diagnose(): Promise<string> {
    const ps = await this.run("ps", "-a", "--format", "{{.Name}}\t{{.State}}\t{{.Status}}");
    const rows = ps.stdout.split("\n").filter((l) => l.trim() !== "");
    const out = ["containers:", ...rows.map((r) => `  ${r.replace(/\t/g, "  ")}`)];
    for (const row of rows) {
      const [name = "", state = "", status = ""] = row.split("\t");
      if (state === "running" && !/unhealthy|starting/.test(status)) continue;
      const health = await sh("docker", [
        "inspect",
        "--format",
        "{{if .State.Health}}{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}{{end}}{{end}} oom={{.State.OOMKilled}} exit={{.State.ExitCode}}",
        name,
      ]);
      out.push(`${name}: ${health.stdout.trim().split("\n").slice(-6).join(" | ")}`);
      const logs = await sh("docker", ["logs", "--tail", "15", name]);
      out.push(
        ...(logs.stdout + logs.stderr)
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => `  ${name}| ${l}`),
      );
    }
    const memory = await sh("free", ["-m"]);
    out.push(...memory.stdout.split("\n").filter((l) => l.startsWith("Mem:")));
    return out.join("\n");
  }
  container(service: string): string {
    return `${this.name}-${service}-1`;
  }
  get network(): string {
    return `${this.name}_default`;
  }
  volume(name: string): string {
    return `${this.name}_${name}`;
  }
}

export function uniqueId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Retries `check` until it stops throwing; after `timeoutMs` its last error fails the test. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs: number, intervalMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
