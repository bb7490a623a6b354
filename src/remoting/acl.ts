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
