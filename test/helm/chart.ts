// Renders charts/rocketmq with helm and reads the objects back, for the chart's tests: which helm and validator
// to run, the rendered pods' containers, and the variables each image documents (taken from the catalogue and the
// appliance's variable definitions, as the docs' tables are).
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { loadCatalogue, supportedVersions, type Role } from "../../src/catalogue/catalogue.ts";
import { AUTH_VARIABLES } from "../../src/configurator/auth.ts";
import { TLS_VARIABLES } from "../../src/configurator/tls.ts";
import { CONTAINER_VARIABLES, KEY_VARIABLES, prefixOf } from "../../src/configurator/variables.ts";
import { CONSOLE_SCHEMA, consoleConfig } from "../../src/console/config.ts";
import { formatError, resolve } from "../../src/configurator/resolve.ts";
import { DEFAULT_ROCKETMQ_VERSION } from "../../src/images/versions.ts";
import { REPO_ROOT } from "../../scripts/docs-tables.ts";
import { requireBackgroundBuild } from "../background-builds.ts";

export const CHART = join(REPO_ROOT, "charts", "rocketmq");
/** The chart's modes: the compose files' (src/testcontainers/modes.ts). */
export { CLUSTER_MODES as MODES, type ClusterMode as Mode } from "../../src/testcontainers/modes.ts";
export const HELM = process.env.HELM ?? "helm";

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], input?: string, cwd?: string): Result {
  const r = spawnSync(command, args, { input, cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) return { code: -1, stdout: "", stderr: String(r.error) };
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Why the chart's tests cannot run here, or undefined. Under CI the caller fails instead of skipping. CI compiles
 * helm and the validator in the background while the tests run: they are waited for first.
 */
export async function missingTools(): Promise<string | undefined> {
  try {
    await Promise.all([requireBackgroundBuild("helm-install"), requireBackgroundBuild("helm-validate")]);
  } catch (e) {
    return (e as Error).message;
  }
  if (run(HELM, ["version", "--short"]).code !== 0) return `${HELM} is not installed (.ci/run installs it)`;
  if (!process.env.HELM_VALIDATE && run("go", ["version"]).code !== 0) return "go is not installed (it builds test/helm/validate)";
  return undefined;
}

/** The strict validator: HELM_VALIDATE, or built from test/helm/validate (a cached build takes about a second). */
export function validatorBinary(): string {
  if (process.env.HELM_VALIDATE) return process.env.HELM_VALIDATE;
  const out = join(mkdtempSync(join(tmpdir(), "helm-validate-")), "validate");
  const r = run("go", ["build", "-buildvcs=false", "-o", out, "."], undefined, join(REPO_ROOT, "test", "helm", "validate"));
  if (r.code !== 0) throw new Error(`go build of test/helm/validate failed:\n${r.stderr}`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Rendered objects

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

export interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name?: string; containerPort: number; hostPort?: number }[];
  readinessProbe?: { exec?: { command: string[] } };
  livenessProbe?: { exec?: { command: string[] }; tcpSocket?: { port: string | number } };
  startupProbe?: { exec?: { command: string[] } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; runAsUser?: number };
}

export function template(args: string[]): Result {
  return run(HELM, ["template", "rmq", CHART, "--namespace", "mq", ...args]);
}

export function parseObjects(stream: string): K8sObject[] {
  return parseAllDocuments(stream)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === "object");
}

/** StatefulSets and Deployments: their pods, with the replica count. */
export function workloads(objects: K8sObject[]): K8sObject[] {
  return objects.filter((o) => o.kind === "StatefulSet" || o.kind === "Deployment");
}

export function containers(workload: K8sObject): Container[] {
  return workload.spec.template.spec.containers as Container[];
}

/** The image's role from its name: rocketmq-appliance/<role>:<tag>. */
export function roleOf(image: string): Role | "console" {
  const m = /\/(namesrv|broker|proxy|console):[^/]+$/.exec(image);
  if (!m) throw new Error(`${image} is not one of the appliance's images`);
  return m[1] as Role | "console";
}

export function envOf(container: Container): Map<string, string | undefined> {
  return new Map((container.env ?? []).map((e) => [e.name, e.value]));
}

// ---------------------------------------------------------------------------------------------------------
// The images' documented variables

/** Whether `name` is a variable the image of `role` documents for RocketMQ `version` (docs/configuration.md). */
export function isDocumentedVariable(role: Role | "console", name: string, version: string): boolean {
  const base = name.endsWith("_FILE") && role !== "console" ? name.slice(0, -"_FILE".length) : name;
  if (role === "console") return Object.hasOwn(CONSOLE_SCHEMA.properties, name);
  const named = [
    ...KEY_VARIABLES[role].map((v) => v.name),
    ...CONTAINER_VARIABLES,
    ...TLS_VARIABLES,
    ...(role === "namesrv" ? [] : AUTH_VARIABLES),
  ];
  if (named.includes(base)) return true;
  const prefix = prefixOf(role);
  if (!base.startsWith(prefix)) return false;
  const key = base.slice(prefix.length);
  const catalogue = loadCatalogue(catalogueVersion(version), role);
  return catalogue.get(key) !== undefined || catalogue.fromAlias(key) !== undefined;
}

/** The catalogue of an image tag: 4.9.7 → 4.9.7, anything else the default release. */
export function catalogueVersion(tag: string): string {
  return supportedVersions().includes(tag) ? tag : DEFAULT_ROCKETMQ_VERSION;
}

// ---------------------------------------------------------------------------------------------------------
// Quantities

/** A Kubernetes quantity as a number: memory in MiB, CPU in millicores. */
export function quantity(value: string | undefined, kind: "memory" | "cpu"): number {
  if (!value) return 0;
  if (kind === "cpu") return value.endsWith("m") ? Number(value.slice(0, -1)) : Number(value) * 1000;
  const m = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(value);
  if (!m) throw new Error(`cannot read memory quantity ${value}`);
  const bytes: Record<string, number> = { "": 1, Ki: 1024, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return (Number(m[1]) * bytes[m[2] ?? ""]!) / 2 ** 20;
}

// ---------------------------------------------------------------------------------------------------------
// What the images make of the rendered variables

/**
 * The problems the image's own configurator (or the console's) finds in a container's variables, as it would at
 * start: downward-API values filled in with an address, each `_FILE` read from `files` (path → content).
 */
export function imageProblems(container: Container, tag: string, files: Record<string, string>): string[] {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) env[e.name] = e.value ?? "10.1.2.3";
  const readFile = (path: string) => files[path];
  const role = roleOf(container.image);
  if (role === "console") {
    try {
      consoleConfig(env, readFile);
      return [];
    } catch (e) {
      return [String(e instanceof Error ? e.message : e)];
    }
  }
  const resolution = resolve({ role, catalogue: loadCatalogue(catalogueVersion(tag), role), env, readFile, detectedAddress: "10.1.2.3" });
  return resolution.errors.map(formatError);
}
