// The console's settings from environment variables, validated all at once: every problem is reported together,
// naming the variable, the value (not a password's) and what is allowed. A misspelled CONSOLE_* variable is an
// error, not ignored, and its value is not shown.
import { randomBytes } from "node:crypto";
import { REDACTED } from "../catalogue/catalogue.ts";
import { checkSchema, didYouMean, readVariables } from "../configurator/env.ts";
import type { ConfigError } from "../configurator/types.ts";
import { readPem } from "../configurator/pem.ts";
import { splitNamesrvList } from "../remoting/address.ts";
import type { Credentials } from "../remoting/auth.ts";
import type { HistorySettings } from "./history.ts";

export interface ConsoleConfig {
  namesrvAddr: string;
  /** CONSOLE_PROXY_ADDR: the proxies asked who is connected through them. */
  proxyAddrs: string[];
  port: number;
  user: string;
  password: string;
  /** True when no password was given and one was generated: it is printed once in the log. */
  passwordGenerated: boolean;
  readOnly: boolean;
  requestTimeoutMs: number;
  sessionHours: number;
  /** Mark the session cookie Secure: for a console served over TLS (behind a TLS-terminating proxy). */
  secureCookie: boolean;
  loginLimits: { perClient: number; global: number; windowMs: number };
  /** What the console signs its requests to brokers and proxies with, for clusters with authentication on. */
  clusterCredentials: Credentials | undefined;
  /** TLS to the cluster's nodes (CONSOLE_CLUSTER_TLS), with the CA they must lead to when one is given. */
  clusterTls: { ca?: string } | undefined;
  /** HTTPS instead of HTTP (CONSOLE_TLS_CERT_FILE, CONSOLE_TLS_KEY_FILE): the certificate and key, PEM. */
  https: { cert: string; key: string } | undefined;
  /** What the charts keep (history.ts). */
  history: HistorySettings;
}

/**
 * The console's variables, checked with env-schema: the one list that validation, defaults and the docs' table
 * come from. `description` is the "allowed" part of an error; CONSOLE_PASSWORD(_FILE) are checked by hand below.
 */
export const CONSOLE_SCHEMA = {
  type: "object",
  required: ["NAMESRV_ADDR"],
  properties: {
    NAMESRV_ADDR: {
      type: "string",
      pattern: "^[A-Za-z0-9._-]+:[0-9]{1,5}( *; *[A-Za-z0-9._-]+:[0-9]{1,5})*$",
      description: "name servers as host:port;host:port",
    },
    CONSOLE_PORT: { type: "integer", minimum: 1, maximum: 65535, default: 8082, description: "an integer from 1 to 65535" },
    CONSOLE_PROXY_ADDR: {
      type: "string",
      pattern: "^[A-Za-z0-9._-]+:[0-9]{1,5}( *; *[A-Za-z0-9._-]+:[0-9]{1,5})*$",
      description: "proxies' remoting addresses as host:port;host:port",
    },
    CONSOLE_USER: {
      type: "string",
      pattern: "^[A-Za-z0-9._-]{1,64}$",
      default: "admin",
      description: "1 to 64 letters, digits, dots, dashes or underscores",
    },
    CONSOLE_PASSWORD: { type: "string", description: "at least 8 characters; CONSOLE_PASSWORD or CONSOLE_PASSWORD_FILE, not both" },
    CONSOLE_PASSWORD_FILE: { type: "string", description: "a readable file holding the password (its last newline is dropped)" },
    CONSOLE_READ_ONLY: { type: "boolean", default: false, description: "true or false" },
    CONSOLE_REQUEST_TIMEOUT_MS: {
      type: "integer",
      minimum: 100,
      maximum: 60_000,
      default: 3000,
      description: "an integer from 100 to 60000",
    },
    CONSOLE_SESSION_HOURS: { type: "integer", minimum: 1, maximum: 720, default: 12, description: "an integer from 1 to 720" },
    CONSOLE_SECURE_COOKIE: { type: "boolean", default: false, description: "true or false" },
    CONSOLE_LOGIN_ATTEMPTS: { type: "integer", minimum: 1, maximum: 1000, default: 10, description: "an integer from 1 to 1000" },
    CONSOLE_LOGIN_BACKOFF_SECONDS: { type: "integer", minimum: 1, maximum: 3600, default: 60, description: "an integer from 1 to 3600" },
    CONSOLE_CLUSTER_USER: {
      type: "string",
      pattern: "^[A-Za-z0-9._-]{1,64}$",
      default: "admin",
      description: "1 to 64 letters, digits, dots, dashes or underscores",
    },
    CONSOLE_CLUSTER_PASSWORD: {
      type: "string",
      minLength: 8,
      maxLength: 128,
      description: "8 to 128 characters; CONSOLE_CLUSTER_PASSWORD or CONSOLE_CLUSTER_PASSWORD_FILE, not both",
    },
    CONSOLE_CLUSTER_PASSWORD_FILE: { type: "string", description: "a readable file holding the password (its last newline is dropped)" },
    CONSOLE_CLUSTER_TLS: { type: "boolean", default: false, description: "true or false" },
    CONSOLE_CLUSTER_CA_FILE: { type: "string", pattern: "^/", description: "the absolute path of a PEM CA certificate in the container" },
    CONSOLE_TLS_CERT_FILE: {
      type: "string",
      pattern: "^/",
      description: "the absolute path of a PEM certificate (chain) in the container",
    },
    CONSOLE_TLS_KEY_FILE: { type: "string", pattern: "^/", description: "the absolute path of its PEM private key in the container" },
    CONSOLE_HISTORY_INTERVAL_SECONDS: {
      type: "integer",
      minimum: 1,
      maximum: 3600,
      default: 60,
      description: "an integer from 1 to 3600",
    },
    CONSOLE_HISTORY_POINTS: { type: "integer", minimum: 10, maximum: 100_000, default: 1440, description: "an integer from 10 to 100000" },
    CONSOLE_HISTORY_TOPICS: { type: "integer", minimum: 0, maximum: 10_000, default: 1000, description: "an integer from 0 to 10000" },
    CONSOLE_HISTORY_GROUPS: { type: "integer", minimum: 0, maximum: 10_000, default: 1000, description: "an integer from 0 to 10000" },
  },
} as const;

type ConsoleVariable = keyof typeof CONSOLE_SCHEMA.properties;

/** What each variable does, for the docs' table (`npm run docs`). */
export const CONSOLE_VARIABLE_SUMMARIES: Record<ConsoleVariable, string> = {
  NAMESRV_ADDR: "The name servers the console reads the cluster from (required).",
  CONSOLE_PORT: "The HTTP port.",
  CONSOLE_PROXY_ADDR:
    "RocketMQ 5 proxies' remoting addresses (port 8080 by default): a consumer group's page then also lists the clients connected through them, gRPC clients included, which brokers do not know of.",
  CONSOLE_USER: "The login's user name.",
  CONSOLE_PASSWORD: "The login's password. Default: generated at start and printed once in the log.",
  CONSOLE_PASSWORD_FILE: "The password from a file, e.g. a Docker secret.",
  CONSOLE_READ_ONLY: "Refuse every change (create, delete, send, reset, resend).",
  CONSOLE_REQUEST_TIMEOUT_MS:
    "Timeout of each request to a broker or name server: the longest a node that is down or paused can delay a page.",
  CONSOLE_SESSION_HOURS: "How long a login lasts.",
  CONSOLE_SECURE_COOKIE:
    "Mark the session cookie `Secure`; set it when users reach the console over HTTPS (a TLS-terminating proxy in front).",
  CONSOLE_LOGIN_ATTEMPTS:
    "Failed logins (or failed basic auth on /metrics) one client address may make per back-off window; ten times as many from all addresses together. Past it every attempt gets 429 with `retry-after` until the window ends.",
  CONSOLE_LOGIN_BACKOFF_SECONDS: "The back-off window of CONSOLE_LOGIN_ATTEMPTS.",
  CONSOLE_CLUSTER_USER:
    "The RocketMQ user the console signs its requests to brokers with, on a cluster with authentication on (AUTH_ENABLED); used with CONSOLE_CLUSTER_PASSWORD.",
  CONSOLE_CLUSTER_PASSWORD: "That user's password. Unset: the console's requests are unsigned, as an open cluster needs.",
  CONSOLE_CLUSTER_PASSWORD_FILE: "The cluster password from a file, e.g. a Docker secret.",
  CONSOLE_CLUSTER_TLS:
    "Speak TLS to the name servers, brokers and proxies (for a cluster with TLS_MODE=enforcing). Without CONSOLE_CLUSTER_CA_FILE any certificate is accepted.",
  CONSOLE_CLUSTER_CA_FILE:
    "With CONSOLE_CLUSTER_TLS: the CA the cluster's certificates must lead to (the same file as the nodes' TLS_CA_FILE).",
  CONSOLE_TLS_CERT_FILE:
    "Serve HTTPS on CONSOLE_PORT with this certificate (chain), PEM; the session cookie is then `Secure`. With CONSOLE_TLS_KEY_FILE.",
  CONSOLE_TLS_KEY_FILE: "The private key of CONSOLE_TLS_CERT_FILE, PEM (unencrypted).",
  CONSOLE_HISTORY_INTERVAL_SECONDS:
    "How often the charts' figures are sampled (each broker's TPS and disk, each topic's TPS, each group's lag). Kept in memory only, lost on restart.",
  CONSOLE_HISTORY_POINTS:
    "Samples kept per figure: with the interval, how far back the charts reach (1440 × 60 s: a day). Memory: at most 4 bytes × points per topic, two per group, three per broker.",
  CONSOLE_HISTORY_TOPICS:
    "At most this many user topics (the first by name) get a TPS history: each costs one request per master and interval. 0: none.",
  CONSOLE_HISTORY_GROUPS: "At most this many consumer groups (the first by name) get a lag history. 0: none.",
};

const VARIABLES = Object.keys(CONSOLE_SCHEMA.properties);

/** Failed logins allowed from all addresses together: this many times the per-address limit. */
const GLOBAL_LOGIN_FACTOR = 10;
const loginLimits = (attempts: number, backoffSeconds: number) => ({
  perClient: attempts,
  global: attempts * GLOBAL_LOGIN_FACTOR,
  windowMs: backoffSeconds * 1000,
});
export const DEFAULT_LOGIN_LIMITS = loginLimits(
  CONSOLE_SCHEMA.properties.CONSOLE_LOGIN_ATTEMPTS.default,
  CONSOLE_SCHEMA.properties.CONSOLE_LOGIN_BACKOFF_SECONDS.default,
);

interface Settings {
  NAMESRV_ADDR: string;
  CONSOLE_PORT: number;
  CONSOLE_PROXY_ADDR?: string;
  CONSOLE_USER: string;
  CONSOLE_PASSWORD?: string;
  CONSOLE_PASSWORD_FILE?: string;
  CONSOLE_READ_ONLY: boolean;
  CONSOLE_REQUEST_TIMEOUT_MS: number;
  CONSOLE_SESSION_HOURS: number;
  CONSOLE_SECURE_COOKIE: boolean;
  CONSOLE_LOGIN_ATTEMPTS: number;
  CONSOLE_LOGIN_BACKOFF_SECONDS: number;
  CONSOLE_CLUSTER_USER: string;
  CONSOLE_CLUSTER_PASSWORD?: string;
  CONSOLE_CLUSTER_TLS: boolean;
  CONSOLE_CLUSTER_CA_FILE?: string;
  CONSOLE_TLS_CERT_FILE?: string;
  CONSOLE_TLS_KEY_FILE?: string;
  CONSOLE_HISTORY_INTERVAL_SECONDS: number;
  CONSOLE_HISTORY_POINTS: number;
  CONSOLE_HISTORY_TOPICS: number;
  CONSOLE_HISTORY_GROUPS: number;
}

export class ConsoleConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`${problems.length} configuration error(s); the console was not started:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConsoleConfigError";
    this.problems = problems;
  }
}

/** Pure: environment (and a file reader for *_FILE) in, config or every problem out. */
export function consoleConfig(env: Record<string, string | undefined>, readFile: (path: string) => string | undefined): ConsoleConfig {
  const errors: ConfigError[] = [];
  // A misspelt variable's value is not shown at all: CONSOLE_PASWORD holds a password.
  for (const name of Object.keys(env).filter((n) => n.startsWith("CONSOLE_") && !VARIABLES.includes(n))) {
    errors.push({
      subject: name,
      problem: "is not a console variable",
      allowed: `one of ${VARIABLES.filter((v) => v.startsWith("CONSOLE_")).join(", ")}${didYouMean(name, VARIABLES)}`,
    });
  }

  // *_FILE variables that are paths of their own (read here, or by RocketMQ), not file forms of another variable.
  const isFileForm = (name: string) => name === "CONSOLE_PASSWORD" || name === "CONSOLE_CLUSTER_PASSWORD";
  // An empty value is no value (compose passes `VAR=` for an unset shell variable in some forms).
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value));
  // Checked even when other variables are wrong, so that every problem is reported at once.
  const variables = readVariables(given, readFile, isFileForm, errors);
  const settings = checkSchema<Settings>(CONSOLE_SCHEMA, variables, errors);
  for (const name of ["NAMESRV_ADDR", "CONSOLE_PROXY_ADDR"] as const) {
    const list = settings?.[name];
    if (list && splitNamesrvList(list).some((address) => Number(address.split(":").pop()) > 65535)) {
      errors.push({
        subject: name,
        value: list,
        problem: "has a port above 65535",
        allowed: `${CONSOLE_SCHEMA.properties[name].description}, ports 1 to 65535`,
      });
    }
  }
  const password = variables.get("CONSOLE_PASSWORD");
  if (password && password.value.length < 8) {
    errors.push({
      subject: password.fromFile ? `${password.shownAs}'s password` : password.shownAs,
      problem: `has ${password.value.length} characters`,
      allowed: "at least 8",
    });
  }

  let ca: string | undefined;
  if (settings?.CONSOLE_CLUSTER_CA_FILE) {
    ca = readPem("CONSOLE_CLUSTER_CA_FILE", settings.CONSOLE_CLUSTER_CA_FILE, "certificate", readFile, errors);
    if (!settings.CONSOLE_CLUSTER_TLS)
      errors.push({
        subject: "CONSOLE_CLUSTER_CA_FILE",
        problem: "is set without CONSOLE_CLUSTER_TLS=true",
        allowed: "CONSOLE_CLUSTER_TLS=true with it",
      });
  }

  const https = httpsOf(settings, readFile, errors);

  if (errors.length || !settings) throw new ConsoleConfigError(errors.map(consoleWording));
  return {
    namesrvAddr: splitNamesrvList(settings.NAMESRV_ADDR).join(";"),
    proxyAddrs: settings.CONSOLE_PROXY_ADDR ? splitNamesrvList(settings.CONSOLE_PROXY_ADDR) : [],
    port: settings.CONSOLE_PORT,
    user: settings.CONSOLE_USER,
    password: password?.value ?? randomBytes(12).toString("base64url"),
    passwordGenerated: password === undefined,
    readOnly: settings.CONSOLE_READ_ONLY,
    requestTimeoutMs: settings.CONSOLE_REQUEST_TIMEOUT_MS,
    sessionHours: settings.CONSOLE_SESSION_HOURS,
    secureCookie: settings.CONSOLE_SECURE_COOKIE || https !== undefined,
    loginLimits: loginLimits(settings.CONSOLE_LOGIN_ATTEMPTS, settings.CONSOLE_LOGIN_BACKOFF_SECONDS),
    clusterCredentials:
      settings.CONSOLE_CLUSTER_PASSWORD === undefined
        ? undefined
        : { accessKey: settings.CONSOLE_CLUSTER_USER, secretKey: settings.CONSOLE_CLUSTER_PASSWORD },
    clusterTls: settings.CONSOLE_CLUSTER_TLS ? (ca === undefined ? {} : { ca }) : undefined,
    https,
    history: {
      intervalMs: settings.CONSOLE_HISTORY_INTERVAL_SECONDS * 1000,
      points: settings.CONSOLE_HISTORY_POINTS,
      maxTopics: settings.CONSOLE_HISTORY_TOPICS,
      maxGroups: settings.CONSOLE_HISTORY_GROUPS,
    },
  };
}

/** CONSOLE_TLS_CERT_FILE and CONSOLE_TLS_KEY_FILE, both or neither, read and checked for PEM. */
function httpsOf(
  settings: Settings | undefined,
  readFile: (path: string) => string | undefined,
  errors: ConfigError[],
): { cert: string; key: string } | undefined {
  const certPath = settings?.CONSOLE_TLS_CERT_FILE;
  const keyPath = settings?.CONSOLE_TLS_KEY_FILE;
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) {
    errors.push({
      subject: certPath === undefined ? "CONSOLE_TLS_KEY_FILE" : "CONSOLE_TLS_CERT_FILE",
      problem: `is set without ${certPath === undefined ? "CONSOLE_TLS_CERT_FILE" : "CONSOLE_TLS_KEY_FILE"}`,
      allowed: "both, for HTTPS, or neither",
    });
    return undefined;
  }
  const cert = readPem("CONSOLE_TLS_CERT_FILE", certPath, "certificate", readFile, errors);
  const key = readPem("CONSOLE_TLS_KEY_FILE", keyPath, "node-key", readFile, errors);
  return cert && key ? { cert, key } : undefined;
}

/** The console's wording: a bad value is said by what is allowed (`NAME="value": allowed: …`), other problems in words. */
function consoleWording(e: ConfigError): string {
  const value = e.redacted ? `=${REDACTED}` : e.value === undefined ? undefined : `=${JSON.stringify(e.value)}`;
  return `${e.subject}${value ?? ` ${e.problem}`}${e.allowed ? `: allowed: ${e.allowed}` : ""}`;
}
