// The bootstrap file: users with their policies, topics and consumer groups a cluster must have. YAML or JSON (JSON
// is YAML). Parsing and validation are pure: every problem is collected with its line and column before anything
// is applied, and no problem shows a password.
import { isIP } from "node:net";
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from "yaml";
import { closest } from "../configurator/suggest.ts";
import { ACTIONS, PASSWORD_PATTERN, RESOURCE_PATTERN, USERNAME_PATTERN, type Action } from "../remoting/acl.ts";

/** Bytes; a declaration of users, topics and groups is far smaller. */
export const MAX_FILE_BYTES = 1024 * 1024;
export const MESSAGE_TYPES = ["NORMAL", "FIFO", "DELAY", "TRANSACTION"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
const PERMS = { rw: 6, r: 4, w: 2 } as const;

export interface TopicSpec {
  name: string;
  /** Read and write queues on each master. */
  queues: number;
  messageType: MessageType;
  /** PermName bits: 6 read and write, 4 read only, 2 write only. */
  perm: 2 | 4 | 6;
}

export interface GroupSpec {
  name: string;
  /** Left out: RocketMQ's default (16). */
  retryMaxTimes?: number;
  orderly?: boolean;
  consumeEnable?: boolean;
  broadcast?: boolean;
}

export interface PolicySpec {
  resource: string;
  actions: Action[];
  decision: "Allow" | "Deny";
  sourceIps: string[];
}

export interface UserSpec {
  username: string;
  /** Never logged, never part of an error. */
  password: string;
  userType: "Super" | "Normal";
  userStatus: "enable" | "disable";
  policies: PolicySpec[];
}

export interface BootstrapSpec {
  users: UserSpec[];
  topics: TopicSpec[];
  groups: GroupSpec[];
}

export interface BootstrapProblem {
  line: number;
  column: number;
  /** Where in the document, e.g. `topics[2].queues`. */
  path: string;
  message: string;
}

export interface ParseContext {
  /** Reads a `passwordFile`; undefined when it cannot be read. */
  readFile(path: string): string | undefined;
  /** The cluster's admin (AUTH_ADMIN_USER): its password belongs to AUTH_ADMIN_PASSWORD, not to this file. */
  adminUser?: string;
}

export function formatProblem(source: string, p: BootstrapProblem): string {
  return `${source}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
}

// RocketMQ's TopicValidator: these characters, at most 127 (topics) or 255 (groups).
const NAME = /^[%|a-zA-Z0-9_-]+$/;
const USERNAME = new RegExp(USERNAME_PATTERN);
const RESOURCE = new RegExp(RESOURCE_PATTERN);
const PRINTABLE_ASCII = new RegExp(PASSWORD_PATTERN);
const RESERVED_TOPIC = /^(TBW102|SCHEDULE_TOPIC_XXXX|OFFSET_MOVED_EVENT|RMQ_SYS_.*|rmq_sys_.*|%.*)$/;

class Checker {
  readonly problems: BootstrapProblem[] = [];
  private readonly lines: LineCounter;
  constructor(lines: LineCounter) {
    this.lines = lines;
  }

  report(node: Node | null | undefined, path: string, message: string): void {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(offset);
    this.problems.push({ line, column: col, path, message });
  }

  /** The map's entries by key; unknown keys and missing required ones reported. */
  fields(node: Node, path: string, known: readonly string[], required: readonly string[] = []): Map<string, Node> | undefined {
    if (!isMap(node)) {
      this.report(node, path, "must be a mapping (key: value)");
      return undefined;
    }
    const out = new Map<string, Node>();
    for (const pair of (node as YAMLMap<unknown, unknown>).items as Pair<Node, Node>[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      // An unknown key is shown up to its first ':' and 40 characters: `{password:secret}` is one key in YAML.
      const shown = key === undefined || known.includes(key) ? key : (key.split(":")[0] ?? "").slice(0, 40);
      const at = path ? `${path}.${shown}` : String(shown);
      if (key === undefined || !known.includes(key)) {
        const hint = shown === undefined ? undefined : closest(shown, known);
        this.report(pair.key, at, `unknown key${hint ? ` (did you mean ${hint}?)` : ""}; allowed: ${known.join(", ")}`);
        continue;
      }
      out.set(key, pair.value as Node);
    }
    for (const key of required) {
      if (!out.has(key)) this.report(node, path, `${key} is required`);
    }
    return out;
  }

  list(node: Node | undefined, path: string): Node[] {
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    if (!isSeq(node)) {
      this.report(node, path, "must be a list");
      return [];
    }
    return node.items as Node[];
  }

  string(node: Node | undefined, path: string, rule: RegExp, allowed: string): string | undefined {
    if (node === undefined) return undefined;
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== "string" || !rule.test(value)) {
      this.report(node, path, `must be ${allowed}`);
      return undefined;
    }
    return value;
  }

  /** Like string(), but the value is never repeated in a problem. */
  secret(node: Node | undefined, path: string): string | undefined {
    if (node === undefined) return undefined;
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== "string" || !PRINTABLE_ASCII.test(value)) {
      this.report(node, path, "must be 8 to 128 printable ASCII characters without spaces (the value is not shown)");
      return undefined;
    }
    return value;
  }

  integer(node: Node | undefined, path: string, min: number, max: number): number | undefined {
    if (node === undefined) return undefined;
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.report(node, path, `must be a whole number from ${min} to ${max}`);
      return undefined;
    }
    return value;
  }

  boolean(node: Node | undefined, path: string): boolean | undefined {
    if (node === undefined) return undefined;
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== "boolean") {
      this.report(node, path, "must be true or false");
      return undefined;
    }
    return value;
  }

  /** One of `choices`, in any letter case; returns the choice as spelled there. */
  oneOf<T extends string>(node: Node | undefined, path: string, choices: readonly T[]): T | undefined {
    if (node === undefined) return undefined;
    const value = isScalar(node) ? node.value : undefined;
    const found = typeof value === "string" ? choices.find((c) => c.toLowerCase() === value.toLowerCase()) : undefined;
    if (found === undefined) this.report(node, path, `must be one of ${choices.join(", ")}`);
    return found;
  }

  unique(node: Node, path: string, name: string | undefined, seen: Set<string>, what: string): void {
    if (name === undefined) return;
    if (seen.has(name)) this.report(node, path, `${what} ${name} is declared twice`);
    seen.add(name);
  }
}

function topicOf(c: Checker, node: Node, path: string, seen: Set<string>): TopicSpec | undefined {
  const f = c.fields(node, path, ["name", "queues", "type", "perm"], ["name"]);
  if (!f) return undefined;
  let name = c.string(f.get("name"), `${path}.name`, NAME, "letters, digits, %, |, _ or - (at most 127)");
  if (name !== undefined && name.length > 127) {
    c.report(f.get("name"), `${path}.name`, "must be at most 127 characters");
    name = undefined;
  }
  if (name !== undefined && RESERVED_TOPIC.test(name)) {
    c.report(f.get("name"), `${path}.name`, `${name} is a RocketMQ system topic name`);
    name = undefined;
  }
  c.unique(node, `${path}.name`, name, seen, "topic");
  const queues = f.has("queues") ? c.integer(f.get("queues"), `${path}.queues`, 1, 1024) : 4;
  const messageType = f.has("type") ? c.oneOf(f.get("type"), `${path}.type`, MESSAGE_TYPES) : "NORMAL";
  const perm = f.has("perm") ? c.oneOf(f.get("perm"), `${path}.perm`, Object.keys(PERMS) as (keyof typeof PERMS)[]) : "rw";
  if (name === undefined || queues === undefined || messageType === undefined || perm === undefined) return undefined;
  return { name, queues, messageType, perm: PERMS[perm] };
}

function groupOf(c: Checker, node: Node, path: string, seen: Set<string>): GroupSpec | undefined {
  const known = ["name", "retryMaxTimes", "orderly", "consumeEnable", "broadcast"];
  const f = c.fields(node, path, known, ["name"]);
  if (!f) return undefined;
  let name = c.string(f.get("name"), `${path}.name`, NAME, "letters, digits, %, |, _ or - (at most 255)");
  if (name !== undefined && name.length > 255) {
    c.report(f.get("name"), `${path}.name`, "must be at most 255 characters");
    name = undefined;
  }
  c.unique(node, `${path}.name`, name, seen, "consumer group");
  const group: GroupSpec = { name: name ?? "" };
  const before = c.problems.length;
  if (f.has("retryMaxTimes")) group.retryMaxTimes = c.integer(f.get("retryMaxTimes"), `${path}.retryMaxTimes`, -1, 1000);
  if (f.has("orderly")) group.orderly = c.boolean(f.get("orderly"), `${path}.orderly`);
  if (f.has("consumeEnable")) group.consumeEnable = c.boolean(f.get("consumeEnable"), `${path}.consumeEnable`);
  if (f.has("broadcast")) group.broadcast = c.boolean(f.get("broadcast"), `${path}.broadcast`);
  return name === undefined || c.problems.length > before ? undefined : group;
}

function policyOf(c: Checker, node: Node, path: string, seen: Set<string>): PolicySpec | undefined {
  const f = c.fields(node, path, ["resource", "actions", "decision", "sourceIps"], ["resource", "actions"]);
  if (!f) return undefined;
  const resource = c.string(
    f.get("resource"),
    `${path}.resource`,
    RESOURCE,
    "*, or Cluster|Namespace|Topic|Group followed by :name, :prefix* or :*",
  );
  // RocketMQ keeps one entry per resource: a second one would silently replace the first.
  c.unique(node, `${path}.resource`, resource, seen, "resource");
  const actionNodes = c.list(f.get("actions"), `${path}.actions`);
  if (f.has("actions") && !actionNodes.length) c.report(f.get("actions"), `${path}.actions`, "must list at least one action");
  const actions = actionNodes.map((a, i) => c.oneOf(a, `${path}.actions[${i}]`, ACTIONS));
  const decision = f.has("decision") ? c.oneOf(f.get("decision"), `${path}.decision`, ["Allow", "Deny"] as const) : "Allow";
  const sourceIps = c.list(f.get("sourceIps"), `${path}.sourceIps`).map((n, i) => {
    const value = isScalar(n) ? n.value : undefined;
    const [ip, bits, extra] = typeof value === "string" ? value.split("/") : [];
    const family = ip === undefined ? 0 : isIP(ip);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!family || !bitsOk || extra !== undefined) {
      c.report(n, `${path}.sourceIps[${i}]`, "must be an IP address or a CIDR block such as 10.0.0.0/8");
      return undefined;
    }
    return value as string;
  });
  if (resource === undefined || decision === undefined || actions.includes(undefined) || sourceIps.includes(undefined)) return undefined;
  if (!actions.length) return undefined;
  return { resource, actions: [...new Set(actions as Action[])], decision, sourceIps: sourceIps as string[] };
}

function userOf(c: Checker, node: Node, path: string, seen: Set<string>, context: ParseContext): UserSpec | undefined {
  const known = ["username", "password", "passwordFile", "type", "status", "policies"];
  const f = c.fields(node, path, known, ["username"]);
  if (!f) return undefined;
  const username = c.string(f.get("username"), `${path}.username`, USERNAME, "1 to 64 letters, digits, _, ., @ or -");
  c.unique(node, `${path}.username`, username, seen, "user");
  if (username !== undefined && username === context.adminUser) {
    c.report(
      f.get("username"),
      `${path}.username`,
      `${username} is the cluster's admin (AUTH_ADMIN_USER): its password is AUTH_ADMIN_PASSWORD`,
    );
  }
  let password: string | undefined;
  if (f.has("password") === f.has("passwordFile")) {
    c.report(node, path, "needs exactly one of password and passwordFile (a mounted secret)");
  } else if (f.has("password")) {
    password = c.secret(f.get("password"), `${path}.password`);
  } else {
    const file = c.string(f.get("passwordFile"), `${path}.passwordFile`, /^\/\S+$/, "an absolute path");
    const content = file === undefined ? undefined : context.readFile(file);
    if (file !== undefined && content === undefined) c.report(f.get("passwordFile"), `${path}.passwordFile`, `${file} cannot be read`);
    if (content !== undefined) {
      password = content.replace(/\r?\n$/, "");
      if (!PRINTABLE_ASCII.test(password)) {
        c.report(
          f.get("passwordFile"),
          `${path}.passwordFile`,
          `${file} must hold 8 to 128 printable ASCII characters without spaces (the value is not shown)`,
        );
        password = undefined;
      }
    }
  }
  const userType = f.has("type") ? c.oneOf(f.get("type"), `${path}.type`, ["Normal", "Super"] as const) : "Normal";
  const userStatus = f.has("status") ? c.oneOf(f.get("status"), `${path}.status`, ["enable", "disable"] as const) : "enable";
  const policyPaths = new Set<string>();
  const policies = c.list(f.get("policies"), `${path}.policies`).map((p, i) => policyOf(c, p, `${path}.policies[${i}]`, policyPaths));
  if (username === undefined || password === undefined || userType === undefined || userStatus === undefined) return undefined;
  if (policies.includes(undefined)) return undefined;
  return { username, password, userType, userStatus, policies: policies as PolicySpec[] };
}

/** The file's declarations, or every problem in it (then no spec). */
export function parseBootstrap(text: string, context: ParseContext): { spec?: BootstrapSpec; problems: BootstrapProblem[] } {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
    return { problems: [{ line: 1, column: 1, path: "", message: `the file is larger than ${MAX_FILE_BYTES} bytes` }] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    return {
      problems: doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        // yaml's messages quote the source text, which may be a password: the kind of error and where, only.
        return { line, column: col, path: "", message: `not valid YAML (${e.code.toLowerCase().replace(/_/g, " ")})` };
      }),
    };
  }
  const c = new Checker(lines);
  const root = doc.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) return { spec: { users: [], topics: [], groups: [] }, problems: [] };
  const f = c.fields(root, "", ["users", "topics", "groups"]);
  if (!f) return { problems: c.problems };
  const seen = { users: new Set<string>(), topics: new Set<string>(), groups: new Set<string>() };
  const users = c.list(f.get("users"), "users").map((n, i) => userOf(c, n, `users[${i}]`, seen.users, context));
  const topics = c.list(f.get("topics"), "topics").map((n, i) => topicOf(c, n, `topics[${i}]`, seen.topics));
  const groups = c.list(f.get("groups"), "groups").map((n, i) => groupOf(c, n, `groups[${i}]`, seen.groups));
  if (c.problems.length) return { problems: c.problems.sort((a, b) => a.line - b.line || a.column - b.column) };
  return { spec: { users: users as UserSpec[], topics: topics as TopicSpec[], groups: groups as GroupSpec[] }, problems: [] };
}
