// The catalogue of RocketMQ configuration keys, one JSON file per RocketMQ version, generated from the
// config classes of that version (src/catalogue/generator). Everything that knows about keys — validation,
// env aliases, defaults, the docs' tables — reads it from here; no key is listed by hand elsewhere.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type Role = "broker" | "namesrv" | "proxy";
export const ROLES: readonly Role[] = ["broker", "namesrv", "proxy"];

export type KeyType = "int" | "long" | "double" | "float" | "boolean" | "string";

export interface KeySpec {
  type: KeyType;
  /** Set when RocketMQ has setters of several types for the key (metricsExporterType: int or name). */
  types?: KeyType[];
  enum?: string[];
  /** The default of the first class in `classes`; `defaults` when the classes disagree. */
  default: string | null;
  defaults?: Record<string, string | null>;
  dynamicDefault?: boolean;
  important?: boolean;
  classes: string[];
}

export interface CatalogueFile {
  rocketmqVersion: string;
  source: string;
  /** Every version has a broker and a name server; the proxy exists from RocketMQ 5.0 on. */
  roles: Record<"broker" | "namesrv", Record<string, KeySpec>> & Partial<Record<"proxy", Record<string, KeySpec>>>;
}

/** The keys of one role in one RocketMQ version, with the two lookups the env rule needs. */
export class RoleCatalogue {
  readonly version: string;
  readonly role: Role;
  readonly keys: ReadonlyMap<string, KeySpec>;
  private readonly byAlias: Map<string, string>;

  constructor(version: string, role: Role, keys: Record<string, KeySpec>) {
    this.version = version;
    this.role = role;
    this.keys = new Map(Object.entries(keys));
    this.byAlias = new Map();
    for (const key of this.keys.keys()) {
      const alias = aliasOf(key);
      // Two keys folding to the same alias would make the UPPER_SNAKE form ambiguous: then only the
      // exact camelCase form is accepted for either.
      this.byAlias.set(alias, this.byAlias.has(alias) ? "" : key);
    }
  }

  get(key: string): KeySpec | undefined {
    return this.keys.get(key);
  }

  /** `FILE_RESERVED_TIME` → `fileReservedTime` (lower-case, underscores dropped, then matched). */
  fromAlias(upperSnake: string): string | undefined {
    return this.byAlias.get(aliasOf(upperSnake)) || undefined;
  }
}

/**
 * Keys whose values are secrets: never echoed in an error, a log line or print-config (the generated file keeps
 * them, RocketMQ needs them). Decided by name, so that it also covers the keys of future catalogues and the
 * console's CONSOLE_PASSWORD; the list names the secrets whose names do not say so.
 */
const SECRET_NAME = /password|passwd|credential|secret|accesskey|token/i;
const SECRET_KEYS: ReadonlySet<string> = new Set([
  // JSON {"username": ..., "password": ...} of the user a broker or proxy creates at first start.
  "initAuthenticationUser",
  // OTLP exporter headers, where collectors take their API key or bearer token.
  "metricsGrpcExporterHeader",
  // SOCKS5 proxy settings of the remoting client, with its username and password.
  "socksProxyConfig",
]);

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key) || SECRET_NAME.test(key);
}

/** What errors, logs and print-config show instead of a secret value. */
export const REDACTED = "<redacted>";

/** A copy of a node's settings with the secrets' values REDACTED, for anyone who may read them but not use them. */
export function withoutSecrets(settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, isSecretKey(key) ? REDACTED : value]));
}

/** The folded form used to match UPPER_SNAKE aliases: lower case without underscores. */
export function aliasOf(name: string): string {
  return name.replace(/_/g, "").toLowerCase();
}

/** `fileReservedTime` → `FILE_RESERVED_TIME`, the alias spelling shown in documentation. */
export function upperSnake(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toUpperCase();
}

const versionsDir = join(dirname(fileURLToPath(import.meta.url)), "versions");

export function supportedVersions(dir = versionsDir): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort(compareVersions);
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const cache = new Map<string, CatalogueFile>();

export function loadCatalogueFile(version: string, dir = versionsDir): CatalogueFile {
  let file = cache.get(version);
  if (!file) {
    const known = supportedVersions(dir);
    if (!known.includes(version)) {
      throw new Error(`RocketMQ ${version} has no catalogue; supported versions: ${known.join(", ")}`);
    }
    file = JSON.parse(readFileSync(join(dir, `${version}.json`), "utf8")) as CatalogueFile;
    cache.set(version, file);
  }
  return file;
}

/** The roles RocketMQ `version` has, in ROLES order. */
export function rolesOf(version: string, dir = versionsDir): Role[] {
  const file = loadCatalogueFile(version, dir);
  return ROLES.filter((role) => file.roles[role] !== undefined);
}

export function loadCatalogue(version: string, role: Role): RoleCatalogue {
  const keys = loadCatalogueFile(version).roles[role];
  if (!keys) {
    const having = supportedVersions().filter((v) => rolesOf(v).includes(role));
    throw new Error(
      `RocketMQ ${version} has no ${role}: ${role === "proxy" ? "the proxy (gRPC and remoting front end) ships with RocketMQ 5.x" : `no ${role} in its catalogue`}; ` +
        `versions with one: ${having.join(", ") || "none"}`,
    );
  }
  return new RoleCatalogue(version, role, keys);
}
