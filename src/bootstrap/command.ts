// `docker-entrypoint bootstrap`: a one-shot run that applies the bootstrap file (BOOTSTRAP_FILE, or its text in
// BOOTSTRAP) to the cluster at NAMESRV_ADDR, signing as the admin when AUTH_ADMIN_PASSWORD is set. Every problem with the variables or the file
// is reported before anything is applied; then it waits for a master and applies, idempotently.
import type { Logger } from "pino";
import { AUTH_SCHEMA } from "../configurator/auth.ts";
import { checkSchema, readVariables } from "../configurator/env.ts";
import { TLS_SCHEMA, withTlsModeLowerCased, type TlsMode } from "../configurator/tls.ts";
import { readPem } from "../configurator/pem.ts";
import { formatError } from "../configurator/resolve.ts";
import type { ConfigError } from "../configurator/types.ts";
import { splitNamesrvList } from "../remoting/address.ts";
import { oneShot, oneShotWith, signing } from "../remoting/client.ts";
import { ClusterWaitTimeout, brokersOf, clusterInfo, waitForMasters } from "../remoting/cluster.ts";
import { fromAnyNamesrv } from "../remoting/namesrv.ts";
import type { Requester } from "../remoting/connection.ts";
import { applyBootstrap } from "./apply.ts";
import { formatProblem, parseBootstrap, type BootstrapSpec } from "./spec.ts";

export const BOOTSTRAP_SCHEMA = {
  type: "object",
  required: ["BOOTSTRAP", "NAMESRV_ADDR"],
  properties: {
    BOOTSTRAP: {
      type: "string",
      description: "the bootstrap file's text (YAML or JSON), or BOOTSTRAP_FILE: the file's path in the container; one of the two",
    },
    NAMESRV_ADDR: {
      type: "string",
      pattern: "^[^;\\s]+:\\d+(;[^;\\s]+:\\d+)*$",
      description: "host:port of the name servers, separated by ';'",
    },
    BOOTSTRAP_WATCH_SECONDS: {
      type: "integer",
      minimum: 0,
      maximum: 86400,
      default: 0,
      description: "0 (apply once and exit) or up to 86400: keep running and look at the file and the brokers this often",
    },
    BOOTSTRAP_WAIT_SECONDS: {
      type: "integer",
      minimum: 0,
      maximum: 3600,
      default: 300,
      description: "0 to 3600: how long to wait for a name server that lists a master broker",
    },
    AUTH_ADMIN_USER: AUTH_SCHEMA.properties.AUTH_ADMIN_USER,
    AUTH_ADMIN_PASSWORD: AUTH_SCHEMA.properties.AUTH_ADMIN_PASSWORD,
    // As on the cluster's nodes: with TLS_MODE=enforcing it speaks TLS, trusting TLS_CA_FILE when given.
    TLS_MODE: TLS_SCHEMA.properties.TLS_MODE,
    TLS_CA_FILE: TLS_SCHEMA.properties.TLS_CA_FILE,
  },
} as const;

/** What each variable does, for the docs' table (`npm run docs`). */
export const BOOTSTRAP_VARIABLE_SUMMARIES: Record<"BOOTSTRAP" | "BOOTSTRAP_WAIT_SECONDS" | "BOOTSTRAP_WATCH_SECONDS", string> = {
  BOOTSTRAP:
    "`bootstrap` command only: the users, policies, topics and consumer groups to apply (docs/security.md#bootstrap-file); usually `BOOTSTRAP_FILE`, a mounted file or secret. It also takes NAMESRV_ADDR and, on a cluster with AUTH_ENABLED, AUTH_ADMIN_USER and AUTH_ADMIN_PASSWORD(_FILE); on one with TLS_MODE=enforcing, TLS_MODE=enforcing and TLS_CA_FILE.",
  BOOTSTRAP_WAIT_SECONDS: "`bootstrap` command only: how long it waits for a name server that lists a master broker.",
  BOOTSTRAP_WATCH_SECONDS:
    "`bootstrap` command only: 0 applies the file once and exits; more keeps it running (the compose files' `bootstrap` service), applying the file again when it or the set of brokers changes.",
};

interface BootstrapSettings {
  BOOTSTRAP: string;
  NAMESRV_ADDR: string;
  BOOTSTRAP_WAIT_SECONDS: number;
  BOOTSTRAP_WATCH_SECONDS: number;
  AUTH_ADMIN_USER: string;
  AUTH_ADMIN_PASSWORD?: string;
  TLS_MODE?: TlsMode;
  TLS_CA_FILE?: string;
}

const EXIT_CONFIG = 2;
/** Watch mode applies the file again this often even when nothing seems to have changed. */
const REAPPLY_MS = 300_000;
const EXIT_FAILED = 1;

export interface BootstrapEnvironment {
  env: Record<string, string | undefined>;
  readFile(path: string): string | undefined;
  /** The image's RocketMQ version: users and policies need 5.x. */
  version: string;
  log: Logger;
  /** Between two looks at the name servers while waiting; tests shorten it. */
  intervalMs?: number;
  /** Watch mode: called after each successful apply (the container's health check looks for its mark). */
  onApplied?: () => void;
}

async function waitForMaster(
  namesrvs: string[],
  requester: typeof oneShot,
  seconds: number,
  log: Logger,
  intervalMs: number,
): Promise<boolean> {
  try {
    const { masters } = await waitForMasters(namesrvs, {
      requester,
      timeoutMs: seconds * 1000,
      intervalMs,
      onWaiting: (why) => log.info(`waiting for a master broker: ${why}`),
    });
    log.info(`master broker(s) ${masters.map((m) => `${m.brokerName} (${m.address})`).join(", ")} found; applying the bootstrap file`);
    return true;
  } catch (e) {
    if (!(e instanceof ClusterWaitTimeout)) throw e;
    log.error(`no master broker after ${seconds} s (${e.why}); nothing was applied`);
    return false;
  }
}

interface Loaded {
  settings?: BootstrapSettings;
  /** TLS for the connections, with TLS_MODE=enforcing. */
  tls?: { ca?: string };
  spec?: BootstrapSpec;
  problems: string[];
}

/** The variables and the file, checked; every problem at once. Read again on each look in watch mode. */
function load(env: Record<string, string | undefined>, readFile: (path: string) => string | undefined, version: string): Loaded {
  const errors: ConfigError[] = [];
  const variables = withTlsModeLowerCased(
    readVariables(env, readFile, (name) => name === "AUTH_ADMIN_PASSWORD" || name === "BOOTSTRAP", errors),
  );
  const settings = checkSchema<BootstrapSettings>(BOOTSTRAP_SCHEMA, variables, errors);
  let tls: { ca?: string } | undefined;
  if (settings?.TLS_MODE === "enforcing") {
    const path = settings.TLS_CA_FILE;
    const ca =
      path === undefined
        ? undefined
        : readPem("TLS_CA_FILE", path, "certificate", readFile, errors, TLS_SCHEMA.properties.TLS_CA_FILE.description);
    tls = ca === undefined ? {} : { ca };
  }
  const problems = errors.map(formatError);
  // Problems name the file as the user gave it: its path, or the variable that holds its text.
  const source = variables.get("BOOTSTRAP")?.fromFile ? (env.BOOTSTRAP_FILE ?? "BOOTSTRAP_FILE") : "BOOTSTRAP";
  if (!settings) return { problems };
  const adminUser = settings.AUTH_ADMIN_PASSWORD ? settings.AUTH_ADMIN_USER : undefined;
  const { spec, problems: fileProblems } = parseBootstrap(settings.BOOTSTRAP, { readFile, adminUser });
  problems.push(...fileProblems.map((p) => formatProblem(source, p)));
  if (spec?.users.length && version.startsWith("4.")) {
    problems.push(`${source}: users and policies need RocketMQ 5 (ACL 2.0); this image runs RocketMQ ${version}`);
  }
  if (spec?.users.length && !settings.AUTH_ADMIN_PASSWORD) {
    problems.push(`${source}: users and policies are managed as the admin: set AUTH_ADMIN_PASSWORD (or AUTH_ADMIN_PASSWORD_FILE)`);
  }
  return { settings, tls, spec, problems };
}

/** What the last apply reached: a new broker (a replaced volume, a new group) gets the file again. */
async function brokerSet(namesrvs: string[], requester: Requester): Promise<string> {
  const { value } = await fromAnyNamesrv(namesrvs, (ns) => clusterInfo(ns, requester));
  return brokersOf(value)
    .map((b) => b.address)
    .sort()
    .join(",");
}

export async function bootstrapCommand(options: BootstrapEnvironment): Promise<number> {
  const { env, readFile, version, log, intervalMs = 2000 } = options;
  const first = load(env, readFile, version);
  for (const problem of first.problems) log.error(problem);
  const { settings, spec } = first;
  if (first.problems.length || !settings || !spec) {
    log.error(`${first.problems.length} problem(s); nothing was applied. The bootstrap file's format: docs/security.md#bootstrap-file`);
    return EXIT_CONFIG;
  }

  const namesrvs = splitNamesrvList(settings.NAMESRV_ADDR);
  const credentials = settings.AUTH_ADMIN_PASSWORD
    ? { accessKey: settings.AUTH_ADMIN_USER, secretKey: settings.AUTH_ADMIN_PASSWORD }
    : undefined;
  const requester = signing(first.tls ? oneShotWith({ tls: first.tls }) : oneShot, credentials);
  const rocketmq5 = !version.startsWith("4.");
  if (!(await waitForMaster(namesrvs, requester, settings.BOOTSTRAP_WAIT_SECONDS, log, intervalMs))) return EXIT_FAILED;
  const apply = async (s: BootstrapSpec): Promise<boolean> => {
    if (!s.users.length && !s.topics.length && !s.groups.length) log.info("the bootstrap file declares nothing (is BOOTSTRAP_FILE set?)");
    try {
      await applyBootstrap(s, { requester, namesrvs, rocketmq5, report: (line) => log.info(line) });
      log.info(`bootstrap applied: ${s.users.length} user(s), ${s.topics.length} topic(s), ${s.groups.length} consumer group(s)`);
      return true;
    } catch (e) {
      log.error(`bootstrap stopped: ${(e as Error).message}`);
      return false;
    }
  };

  const watchSeconds = settings.BOOTSTRAP_WATCH_SECONDS;
  if (!watchSeconds) return (await apply(spec)) ? 0 : EXIT_FAILED;

  // Watch mode: apply again when the declarations (passwords from their files included) or the set of brokers
  // change, and every REAPPLY_MS in any case (a broker back at the same address with an empty store); a bad edit
  // is reported once and skipped.
  let applied = "";
  let appliedAt = 0;
  let reported = "";
  for (;;) {
    const now = load(env, readFile, version);
    const brokers = await brokerSet(namesrvs, requester).catch(() => undefined);
    const state = `${JSON.stringify(now.spec)}\n${brokers}`;
    if (now.problems.length) {
      const problems = now.problems.join("\n");
      if (problems !== reported) {
        for (const problem of now.problems) log.error(problem);
        log.error(`${now.problems.length} problem(s) in the changed file; it was not applied, the last one stays`);
        reported = problems;
      }
    } else if (
      brokers !== undefined &&
      (state !== applied || Date.now() - appliedAt >= REAPPLY_MS) &&
      now.spec &&
      (await apply(now.spec))
    ) {
      applied = state;
      appliedAt = Date.now();
      reported = "";
      options.onApplied?.();
    }
    await new Promise((r) => setTimeout(r, watchSeconds * 1000));
  }
}
