// ACL 2.0 administration (RocketMQ 5.3+, AdminBrokerProcessor): users and their access policies, per broker.
// Users and ACLs live in each broker's own store and are not replicated, so a change is made on every broker of
// the cluster (as `mqadmin … -c <cluster>` does). Passwords come back in clear from the broker: callers must not
// show them.
import { AdminRequestError } from "./admin.ts";
import { RequestCode } from "./codes.ts";
import { parseFastjson } from "./fastjson.ts";
import type { Requester, RemotingResponse } from "./connection.ts";

export type UserType = "Super" | "Normal";
export type UserStatus = "enable" | "disable";

export interface UserInfo {
  username: string;
  password?: string;
  userType?: UserType;
  userStatus?: UserStatus;
}

/** Names this project accepts for users (RocketMQ takes any non-blank string; these survive URLs, logs and YAML). */
export const USERNAME_PATTERN = "^[A-Za-z0-9_.@-]{1,64}$";
/** 8 to 128 printable ASCII characters without spaces: for the admin and every user declared or created here. */
export const PASSWORD_PATTERN = "^[\\x21-\\x7e]{8,128}$";
/** `*`, or a resource type followed by `:name`, `:prefix*` or `:*` (RocketMQ's Resource.of). */
export const RESOURCE_PATTERN = "^(\\*|(Cluster|Namespace|Topic|Group):(\\*|[%|a-zA-Z0-9_-]+\\*?))$";

export const ACTIONS = ["All", "Pub", "Sub", "Create", "Update", "Delete", "Get", "List"] as const;
export type Action = (typeof ACTIONS)[number];

export interface PolicyEntry {
  /** `*`, `Type:name`, `Type:prefix*` or `Type:*`; Type is Cluster, Namespace, Topic or Group. */
  resource: string;
  actions: Action[];
  sourceIps?: string[];
  decision: "Allow" | "Deny";
}

export interface AclInfo {
  /** `User:<name>`. */
  subject: string;
  policies: { policyType?: "Custom" | "Default"; entries: PolicyEntry[] }[];
}

async function ask(
  requester: Requester,
  broker: string,
  code: number,
  what: string,
  extFields: Record<string, string>,
  body?: unknown,
): Promise<RemotingResponse> {
  const r = await requester.request(broker, code, { extFields, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) });
  if (r.code !== 0) throw new AdminRequestError(broker, what, r);
  return r;
}

const parsed = <T>(r: RemotingResponse, empty: T): T => (r.body.length ? (parseFastjson(r.body.toString("utf8")) as T) : empty);

/** The broker's users whose names contain `filter`; passwords left out. */
export async function listUsers(requester: Requester, broker: string, filter = ""): Promise<UserInfo[]> {
  const r = await ask(requester, broker, RequestCode.AUTH_LIST_USER, "the user list", { filter });
  return parsed<UserInfo[]>(r, []).map(({ password: _password, ...user }) => user);
}

export async function createUser(requester: Requester, broker: string, user: UserInfo): Promise<void> {
  await ask(requester, broker, RequestCode.AUTH_CREATE_USER, `to create user ${user.username}`, { username: user.username }, user);
}

/** The user, password included (for comparison only: never show it); undefined when the broker has none. */
export async function getUser(requester: Requester, broker: string, username: string): Promise<UserInfo | undefined> {
  const r = await ask(requester, broker, RequestCode.AUTH_GET_USER, `user ${username}`, { username });
  return r.body.length ? (parseFastjson(r.body.toString("utf8")) as UserInfo) : undefined;
}

/** Applies the fields given (password, type, status). */
export async function updateUser(requester: Requester, broker: string, user: UserInfo): Promise<void> {
  await ask(requester, broker, RequestCode.AUTH_UPDATE_USER, `to update user ${user.username}`, { username: user.username }, user);
}

/** Deletes the user and its ACL. */
export async function deleteUser(requester: Requester, broker: string, username: string): Promise<void> {
  await ask(requester, broker, RequestCode.AUTH_DELETE_USER, `to delete user ${username}`, { username });
}

export async function listAcls(requester: Requester, broker: string, subjectFilter = "", resourceFilter = ""): Promise<AclInfo[]> {
  const r = await ask(requester, broker, RequestCode.AUTH_LIST_ACL, "the ACL list", { subjectFilter, resourceFilter });
  return parsed<AclInfo[]>(r, []);
}

/** Creates or replaces the subject's entries for the same resources (RocketMQ upserts by resource). */
export async function createAcl(requester: Requester, broker: string, acl: AclInfo): Promise<void> {
  await ask(requester, broker, RequestCode.AUTH_CREATE_ACL, `to create the ACL of ${acl.subject}`, { subject: acl.subject }, acl);
}

/** The subject's ACL; undefined when it has none. */
export async function getAcl(requester: Requester, broker: string, subject: string): Promise<AclInfo | undefined> {
  const r = await ask(requester, broker, RequestCode.AUTH_GET_ACL, `the ACL of ${subject}`, { subject });
  return r.body.length ? (parseFastjson(r.body.toString("utf8")) as AclInfo) : undefined;
}

/** Adds or replaces entries of an existing ACL, by resource. */
export async function updateAcl(requester: Requester, broker: string, acl: AclInfo): Promise<void> {
  await ask(requester, broker, RequestCode.AUTH_UPDATE_ACL, `to update the ACL of ${acl.subject}`, { subject: acl.subject }, acl);
}

/** Removes the subject's entry for `resource`, or its whole ACL without one. */
export async function deleteAcl(requester: Requester, broker: string, subject: string, resource?: string): Promise<void> {
  await ask(requester, broker, RequestCode.AUTH_DELETE_ACL, `to delete the ACL of ${subject}`, {
    subject,
    ...(resource ? { resource } : {}),
  });
}

const lower = (values: readonly string[] | undefined): string =>
  [...(values ?? [])]
    .map((v) => v.toLowerCase())
    .sort()
    .join();
const sameEntry = (a: PolicyEntry, b: PolicyEntry): boolean =>
  a.decision?.toLowerCase() === b.decision.toLowerCase() &&
  lower(a.actions) === lower(b.actions) &&
  lower(a.sourceIps) === lower(b.sourceIps);

/** The subject's own (Custom) entries; Default policies are RocketMQ's. */
export const customEntries = (acl: AclInfo | undefined): PolicyEntry[] =>
  (acl?.policies ?? []).filter((p) => (p.policyType ?? "Custom") === "Custom").flatMap((p) => p.entries ?? []);

/**
 * Makes `broker` hold the user as given: created when missing (a Normal, enabled user unless said otherwise),
 * otherwise updated in the fields given that differ. A field left out keeps its value; a missing user cannot be
 * created without a password.
 */
export async function ensureUser(
  requester: Requester,
  broker: string,
  user: { username: string; password?: string; userType?: UserType; userStatus?: UserStatus },
): Promise<"created" | "updated" | "unchanged"> {
  const existing = await getUser(requester, broker, user.username);
  if (!existing) {
    if (user.password === undefined)
      throw new Error(`user ${user.username} does not exist on ${broker}: a password is needed to create it`);
    await createUser(requester, broker, { userType: "Normal", userStatus: "enable", ...user });
    return "created";
  }
  const same = (a: string | undefined, b: string | undefined) => a?.toLowerCase() === b?.toLowerCase();
  const differs =
    (user.password !== undefined && existing.password !== user.password) ||
    (user.userType !== undefined && !same(existing.userType, user.userType)) ||
    (user.userStatus !== undefined && !same(existing.userStatus, user.userStatus));
  if (!differs) return "unchanged";
  await updateUser(requester, broker, user);
  return "updated";
}

/** Makes the subject's ACL on `broker` exactly `wanted` (by resource); returns whether anything changed. */
export async function ensurePolicies(requester: Requester, broker: string, subject: string, wanted: PolicyEntry[]): Promise<boolean> {
  const acl = await getAcl(requester, broker, subject);
  const current = customEntries(acl);
  const changed = wanted.filter((w) => !current.some((c) => c.resource === w.resource && sameEntry(c, w)));
  const stale = current.filter((c) => !wanted.some((w) => w.resource === c.resource));
  if (changed.length) {
    const body: AclInfo = { subject, policies: [{ policyType: "Custom", entries: changed }] };
    await (acl ? updateAcl : createAcl)(requester, broker, body);
  }
  for (const entry of stale) await deleteAcl(requester, broker, subject, entry.resource);
  return changed.length > 0 || stale.length > 0;
}
