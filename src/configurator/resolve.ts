// env + mounted file → effective RocketMQ settings. Pure: the caller passes the environment, the files it
// read and what it detected; every problem is collected, none is thrown, so a user sees all of them at once.
import { REDACTED, ROLES, isSecretKey, type RoleCatalogue, type Role } from "../catalogue/catalogue.ts";
import { checkSchema, didYouMean, offending, readVariables, unreadableFile, type EnvVariable } from "./env.ts";
import { parseJsonConfig } from "./json-config.ts";
import { parseProperties } from "./properties.ts";
import { checkValue } from "./values.ts";
import {
  ADVERTISED_ADDRESS_KEY,
  APPLIANCE_DEFAULTS,
  CONTAINER_SCHEMA,
  CONTAINER_VARIABLES,
  IMAGE_VARIABLES,
  KEY_VARIABLES,
  defaultConfFile,
  isApplianceVariable,
  prefixOf,
  type ContainerSettings,
} from "./variables.ts";
import { checkSemantics } from "./semantics.ts";
import { AUTH_VARIABLES, applyAuth } from "./auth.ts";
import { TLS_VARIABLES, isTlsPathVariable, resolveTls, type TlsPlan } from "./tls.ts";
import type { ConfigError, Setting, Source } from "./types.ts";

export interface ResolveInput {
  role: Role;
  catalogue: RoleCatalogue;
  env: Record<string, string | undefined>;
  /** Reads a file named by a `*_FILE` variable or the config file; undefined when it does not exist. */
  readFile: (path: string) => string | undefined;
  /** The most readFile reads (it gives undefined for a larger file, /dev/zero included), for errors to say so. */
  maxFileBytes?: number;
  /** The container's own address, used for brokerIP1 (remotingAccessAddr) when nothing sets it. */
  detectedAddress?: string;
}

export interface Resolution {
  role: Role;
  version: string;
  catalogue: RoleCatalogue;
  settings: Map<string, Setting>;
  container: ContainerSettings;
  errors: ConfigError[];
  notices: string[];
  /** From TLS_*: JVM system properties and tls.properties; undefined leaves RocketMQ's TLS defaults. */
  tls?: TlsPlan;
}

export function describeSource(source: Source): string {
  switch (source.kind) {
    case "appliance":
      return `appliance default: ${source.why}`;
    case "file":
      return `${source.path}:${source.line}`;
    case "env":
      return source.variable;
  }
}

export function formatError(e: ConfigError): string {
  const value = e.redacted ? `=${REDACTED}` : e.value === undefined ? "" : `=${JSON.stringify(e.value)}`;
  return `${e.subject}${value} ${e.problem}${e.allowed ? `; allowed: ${e.allowed}` : ""}`;
}

/** A setting's value as logs and print-config may show it. */
export function shownValue(setting: Setting): string {
  return setting.secret ? REDACTED : setting.value;
}

export function resolve(input: ResolveInput): Resolution {
  const { role, catalogue, env, readFile } = input;
  const errors: ConfigError[] = [];
  const notices: string[] = [];
  const settings = new Map<string, Setting>();

  const variables = readVariables(env, readFile, (name) => isOurs(name) && !isTlsPathVariable(`${name}_FILE`), errors, input.maxFileBytes);
  const container = checkContainerSettings(variables, errors);

  for (const d of APPLIANCE_DEFAULTS[role]) {
    if (catalogue.get(d.key)) settings.set(d.key, { key: d.key, value: d.value, source: { kind: "appliance", why: d.why }, secret: false });
  }
  const addressKey = ADVERTISED_ADDRESS_KEY[role];
  if (addressKey && input.detectedAddress && catalogue.get(addressKey)) {
    settings.set(addressKey, {
      key: addressKey,
      value: input.detectedAddress,
      source: { kind: "appliance", why: "this container's address on its network" },
      secret: false,
    });
  }

  applyConfFile(input, container, settings, errors, notices);
  applyVariables(input, variables, settings, errors, notices);
  notices.push(...applyAuth(role, catalogue, variables, settings, errors));
  const tls = resolveTls(role, variables, readFile, errors);
  for (const { key, value, secret = false } of tls?.proxyKeys ?? []) {
    if (catalogue.get(key)) settings.set(key, { key, value, source: { kind: "appliance", why: `TLS_MODE=${tls!.mode}` }, secret });
  }
  applyModeDefaults(role, catalogue, settings);

  if (role === "broker") {
    const ip1 = settings.get("brokerIP1");
    if (ip1 && !settings.has("brokerIP2")) {
      settings.set("brokerIP2", {
        key: "brokerIP2",
        value: ip1.value,
        source: { kind: "appliance", why: `same as brokerIP1 (${describeSource(ip1.source)})` },
        secret: ip1.secret,
      });
    }
  }
  checkSemantics(role, catalogue, settings, errors);
  return { role, version: catalogue.version, catalogue, settings, container, errors, notices, tls };
}

/** Names this image reads, plus JAVA_OPT(S): anything else in the environment belongs to someone else. */
function isOurs(name: string): boolean {
  return isApplianceVariable(name) || name === "JAVA_OPT" || name === "JAVA_OPTS";
}

function checkContainerSettings(variables: Map<string, EnvVariable>, errors: ConfigError[]): ContainerSettings {
  for (const wrong of ["JAVA_OPT", "JAVA_OPTS"]) {
    // Not shown: JVM options may carry -D passwords.
    if (variables.has(wrong))
      errors.push({ subject: wrong, problem: "is not read by this image", allowed: "JAVA_OPT_EXT (appended last) or JAVA_HEAP" });
  }
  return checkSchema<ContainerSettings>(CONTAINER_SCHEMA, variables, errors) ?? { RMQ_LOG_FORMAT: "text" };
}

function applyConfFile(
  input: ResolveInput,
  container: ContainerSettings,
  settings: Map<string, Setting>,
  errors: ConfigError[],
  notices: string[],
): void {
  const path = container.RMQ_CONF_PATH ?? defaultConfFile(input.role);
  const text = input.readFile(path);
  if (text === undefined) {
    if (container.RMQ_CONF_PATH)
      errors.push({
        subject: "RMQ_CONF_PATH",
        value: path,
        problem: unreadableFile(input.maxFileBytes),
        allowed: "the path of a mounted, readable file",
      });
    return;
  }
  notices.push(`reading ${path}`);
  const parsed: ReturnType<typeof parseJsonConfig> = input.role === "proxy" ? parseJsonConfig(text) : { entries: parseProperties(text) };
  if ("invalid" in parsed) {
    errors.push({
      subject: path,
      problem: parsed.invalid,
      allowed: 'one JSON object of keys and values, e.g. {"rocketMQClusterName": "DefaultCluster"}',
    });
    return;
  }
  const seen = new Map<string, { value: string; line: number }>();
  for (const { key, value, line, unsupported } of parsed.entries) {
    const subject = `${path}:${line}`;
    const spec = input.catalogue.get(key);
    if (!spec) {
      errors.push(unknownKey(subject, key, input.catalogue));
      continue;
    }
    const secret = isSecretKey(key);
    if (unsupported) {
      errors.push({
        subject: `${subject} ${key}`,
        problem: `is ${unsupported}`,
        allowed: `a ${spec.type} (leave the key out for RocketMQ's default)`,
      });
      continue;
    }
    const earlier = seen.get(key);
    if (earlier && earlier.value !== value) {
      errors.push({
        subject,
        ...offending(value, secret),
        problem: `sets ${key} again (line ${earlier.line} set ${secret ? "another value" : JSON.stringify(earlier.value)})`,
        allowed: "each key once",
      });
      continue;
    }
    seen.set(key, { value, line });
    const check = checkValue(spec, value, secret);
    if (!check.ok) {
      errors.push({ subject: `${subject} ${key}`, ...offending(value, secret), problem: check.problem, allowed: check.allowed });
      continue;
    }
    if (check.notice) notices.push(`${subject} ${key}: ${secret ? SECRET_NOTICE : check.notice}`);
    settings.set(key, { key, value: check.value, source: { kind: "file", path, line }, secret });
  }
}

/** Value notices quote the value; for a secret only that it was changed. */
const SECRET_NOTICE = "normalised the value's case";

/** An unknown key's value is never shown: nothing tells whether it is a secret (`tlsKeyPasword`). */
function unknownKey(subject: string, key: string, catalogue: RoleCatalogue): ConfigError {
  return {
    subject,
    problem: `sets unknown key '${key}' (RocketMQ ${catalogue.version} would silently ignore it)${didYouMean(key, catalogue.keys.keys(), { quoted: true })}`,
    allowed: `a ${catalogue.role} key of RocketMQ ${catalogue.version}`,
  };
}

function applyVariables(
  input: ResolveInput,
  variables: Map<string, EnvVariable>,
  settings: Map<string, Setting>,
  errors: ConfigError[],
  notices: string[],
): void {
  const { role, catalogue } = input;
  const prefix = prefixOf(role);
  const shortNames = new Map(KEY_VARIABLES[role].map((v) => [v.name, v.key]));
  const allShortNames = new Set(ROLES.flatMap((r) => KEY_VARIABLES[r].map((v) => v.name)));
  const known = [...allShortNames, ...CONTAINER_VARIABLES, ...AUTH_VARIABLES, ...TLS_VARIABLES, ...IMAGE_VARIABLES];
  /** The other images a variable is for: by their RMQ_<ROLE>_ prefix or their short names. */
  const otherImages = (name: string): Role[] =>
    ROLES.filter((r) => r !== role && (name.startsWith(prefixOf(r)) || KEY_VARIABLES[r].some((v) => v.name === name)));
  const fromEnv = new Map<string, EnvVariable & { key: string }>();

  for (const v of [...variables.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    let key: string | undefined;
    if (shortNames.has(v.name)) {
      key = shortNames.get(v.name)!;
    } else if (v.name.startsWith(prefix)) {
      const rest = v.name.slice(prefix.length);
      key = catalogue.get(rest) ? rest : /^[A-Z0-9_]+$/.test(rest) ? catalogue.fromAlias(rest) : undefined;
      if (!key) {
        errors.push(unknownKey(v.shownAs, rest, catalogue));
        continue;
      }
    } else if (otherImages(v.name).length) {
      const images = otherImages(v.name);
      notices.push(`${v.shownAs} is for the ${images.join(" and ")} image${images.length > 1 ? "s" : ""}; ignored here`);
      continue;
    } else if (isOurs(v.name) && !known.includes(v.name)) {
      // RMQ_BROKR_x: compare the prefix alone, the key part would drown the similarity.
      const rmqPrefix = /^RMQ_[A-Za-z]*_/.exec(v.name)?.[0];
      const suggestion = rmqPrefix ? didYouMean(rmqPrefix, ROLES.map(prefixOf), { threshold: 0.8 }) : didYouMean(v.name, known);
      // Its value is not shown: a misspelt variable may well hold a secret.
      errors.push({
        subject: v.shownAs,
        problem: `is not a variable this image reads${suggestion}`,
        allowed: `${[...shortNames.keys()].join(", ")}, ${CONTAINER_VARIABLES.join(", ")}, ${AUTH_VARIABLES.join(", ")}, ${TLS_VARIABLES.join(", ")}, or ${prefix}<key>`,
      });
      continue;
    } else {
      continue;
    }

    const secret = v.fromFile || isSecretKey(key);
    const spec = catalogue.get(key);
    if (!spec) {
      errors.push({
        subject: v.shownAs,
        ...offending(v.value, secret),
        problem: `sets ${key}, which RocketMQ ${catalogue.version} does not have`,
        allowed: `a ${role} setting of RocketMQ ${catalogue.version}`,
      });
      continue;
    }
    const check = checkValue(spec, v.value, secret);
    if (!check.ok) {
      errors.push({ subject: v.shownAs, ...offending(v.value, secret), problem: check.problem, allowed: check.allowed });
      continue;
    }
    if (check.notice) notices.push(`${v.shownAs}: ${secret ? SECRET_NOTICE : check.notice}`);
    const twin = fromEnv.get(key);
    if (twin) {
      if (twin.value !== check.value) {
        errors.push({
          subject: `${twin.shownAs} and ${v.shownAs}`,
          problem:
            secret || twin.fromFile
              ? `both set ${key}, to different values`
              : `both set ${key}, to ${JSON.stringify(twin.value)} and ${JSON.stringify(check.value)}`,
          allowed: "one of them, or the same value in both",
        });
      }
      continue;
    }
    fromEnv.set(key, { ...v, key, value: check.value });
    settings.set(key, { key, value: check.value, source: { kind: "env", variable: v.shownAs }, secret });
  }
}

/**
 * Settings that follow from the cluster mode a user chose: DLEDGER_PEERS means DLedger, CONTROLLER_ADDR means
 * controller mode, CONTROLLER_PEERS means an embedded controller. Only fills what nobody set.
 */
function applyModeDefaults(role: Role, catalogue: RoleCatalogue, settings: Map<string, Setting>): void {
  const because = (key: string, why: string): Source => {
    const s = settings.get(key)!;
    return { kind: "appliance", why: `${why} (${describeSource(s.source)} sets ${key})` };
  };
  const fill = (key: string, value: string, source: Source, secret = false): void => {
    if (!settings.has(key) && catalogue.get(key)) settings.set(key, { key, value, source, secret });
  };
  if (role === "broker") {
    if (settings.has("dLegerPeers")) {
      fill("enableDLegerCommitLog", "true", because("dLegerPeers", "DLedger mode"));
      const name = settings.get("brokerName");
      if (name) fill("dLegerGroup", name.value, because("dLegerPeers", "DLedger group named after the broker group"), name.secret);
    }
    // RocketMQ 5 acknowledges a SYNC_MASTER's write once the master alone has it unless inSyncReplicas >= 2
    // (4.x always waited for the slave): keep "sync double write" meaning what it says.
    if (settings.get("brokerRole")?.value === "SYNC_MASTER" && !settings.has("dLegerPeers") && !settings.has("controllerAddr")) {
      fill("inSyncReplicas", "2", because("brokerRole", "SYNC_MASTER: a write is acknowledged once the slave has it too"));
    }
    if (settings.has("controllerAddr")) {
      fill("enableControllerMode", "true", because("controllerAddr", "controller mode"));
      // As RocketMQ's controller quick start: the controller elects the master and assigns the ids.
      fill("brokerId", "-1", because("controllerAddr", "controller mode: the controller assigns broker ids"));
      fill("brokerRole", "SLAVE", because("controllerAddr", "controller mode: every node starts as a replica"));
    }
  } else if (settings.has("controllerDLegerPeers")) {
    fill("enableControllerInNamesrv", "true", because("controllerDLegerPeers", "embedded controller"));
    fill("controllerDLegerGroup", "controller", because("controllerDLegerPeers", "embedded controller"));
  }
}
