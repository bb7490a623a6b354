// AUTH_ENABLED and the admin's credentials → every key RocketMQ 5's ACL 2.0 needs on a broker or proxy: checks
// on, the local (broker) or broker-backed (proxy) metadata providers, the admin as the first super user, and the
// same admin as the inner client that slaves, DLedger peers and the proxy sign their requests to brokers with.
// Name servers and controllers authenticate nobody (RocketMQ has no ACL there). Pure, like resolve.ts.
import type { Role, RoleCatalogue } from "../catalogue/catalogue.ts";
import { checkSchema, type EnvVariable } from "./env.ts";
import type { ConfigError, Setting } from "./types.ts";

export const AUTH_SCHEMA = {
  type: "object",
  properties: {
    AUTH_ENABLED: { type: "boolean", default: false, description: "true or false" },
    AUTH_ADMIN_USER: {
      type: "string",
      pattern: "^[A-Za-z0-9._-]{1,64}$",
      default: "admin",
      description: "1 to 64 letters, digits, dots, dashes or underscores",
    },
    AUTH_ADMIN_PASSWORD: {
      type: "string",
      minLength: 8,
      maxLength: 128,
      pattern: "^[\\x21-\\x7e]+$",
      description: "8 to 128 printable ASCII characters without spaces; AUTH_ADMIN_PASSWORD or AUTH_ADMIN_PASSWORD_FILE, not both",
    },
  },
} as const;

/** What each variable does, for the docs' table (`npm run docs`). */
export const AUTH_VARIABLE_SUMMARIES: Record<keyof typeof AUTH_SCHEMA.properties, string> = {
  AUTH_ENABLED:
    "Turn on RocketMQ 5's ACL 2.0 (authentication and authorisation) on brokers and proxies, with the admin below as the super user and as the credentials the nodes sign their own requests with. Set it on every broker and proxy of a cluster (name servers ignore it). RocketMQ 4.x: refused, see docs/security.md.",
  AUTH_ADMIN_USER: "The super user's name; clients and mqadmin sign with it.",
  AUTH_ADMIN_PASSWORD: "The super user's password (also `AUTH_ADMIN_PASSWORD_FILE`, e.g. a Docker secret). Required with AUTH_ENABLED.",
};

export const AUTH_VARIABLES = Object.keys(AUTH_SCHEMA.properties);

interface AuthSettings {
  AUTH_ENABLED: boolean;
  AUTH_ADMIN_USER: string;
  AUTH_ADMIN_PASSWORD?: string;
}

const PROVIDERS: Record<"broker" | "proxy", { authentication: string; authorization: string }> = {
  broker: {
    authentication: "org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider",
    authorization: "org.apache.rocketmq.auth.authorization.provider.LocalAuthorizationMetadataProvider",
  },
  proxy: {
    authentication: "org.apache.rocketmq.proxy.auth.ProxyAuthenticationMetadataProvider",
    authorization: "org.apache.rocketmq.proxy.auth.ProxyAuthorizationMetadataProvider",
  },
};

/** The keys AUTH_ENABLED=true sets for a role, with whether each is a secret; none where RocketMQ has no ACL 2.0. */
export function authKeys(role: Role, user: string, password: string): { key: string; value: string; secret: boolean }[] {
  if (role === "namesrv") return [];
  const credentials = JSON.stringify({ accessKey: user, secretKey: password });
  return [
    { key: "authenticationEnabled", value: "true", secret: false },
    { key: "authorizationEnabled", value: "true", secret: false },
    { key: "authenticationMetadataProvider", value: PROVIDERS[role].authentication, secret: false },
    { key: "authorizationMetadataProvider", value: PROVIDERS[role].authorization, secret: false },
    // Brokers keep users in their own store, created at first start only: every master and slave creates it.
    ...(role === "broker" ? [{ key: "initAuthenticationUser", value: JSON.stringify({ username: user, password }), secret: true }] : []),
    { key: "innerClientAuthenticationCredentials", value: credentials, secret: true },
    // Without it a proxy in cluster mode sends its calls to brokers unsigned, and brokers refuse them.
    ...(role === "proxy" ? [{ key: "enableAclRpcHookForClusterMode", value: "true", secret: false }] : []),
  ];
}

/**
 * Applies AUTH_* to `settings`: with AUTH_ENABLED=true, each key of authKeys, unless a variable or the mounted
 * file set it otherwise (an error: two settings that disagree). Returns notices.
 */
export function applyAuth(
  role: Role,
  catalogue: RoleCatalogue,
  variables: Map<string, EnvVariable>,
  settings: Map<string, Setting>,
  errors: ConfigError[],
): string[] {
  // Any case of true/false, as for RocketMQ's own booleans.
  const enabled = variables.get("AUTH_ENABLED");
  const normalised = enabled ? new Map([...variables, ["AUTH_ENABLED", { ...enabled, value: enabled.value.toLowerCase() }]]) : variables;
  const auth = checkSchema<AuthSettings>(AUTH_SCHEMA, normalised, errors);
  if (!auth?.AUTH_ENABLED) return [];
  if (role === "namesrv") return ["AUTH_ENABLED is ignored by name servers: RocketMQ authenticates clients at brokers and proxies"];
  if (!catalogue.get("authenticationEnabled")) {
    errors.push({
      subject: "AUTH_ENABLED",
      value: "true",
      problem: `needs RocketMQ 5.3 or later (ACL 2.0); RocketMQ ${catalogue.version}'s ACL 1.0 cannot authenticate slaves to their masters without trusting their addresses instead`,
      allowed: "false on RocketMQ 4.x, or an image of RocketMQ 5.5.0 (see docs/security.md)",
    });
    return [];
  }
  if (!auth.AUTH_ADMIN_PASSWORD) {
    errors.push({
      subject: "AUTH_ADMIN_PASSWORD",
      problem: "is not set, and AUTH_ENABLED=true needs it",
      allowed: `${AUTH_SCHEMA.properties.AUTH_ADMIN_PASSWORD.description}; the same on every broker and proxy of the cluster`,
    });
    return [];
  }
  const because = { kind: "appliance", why: "AUTH_ENABLED=true" } as const;
  for (const { key, value, secret } of authKeys(role, auth.AUTH_ADMIN_USER, auth.AUTH_ADMIN_PASSWORD)) {
    const set = settings.get(key);
    if (set && (set.source.kind === "env" || set.source.kind === "file") && set.value !== value) {
      const where = set.source.kind === "env" ? set.source.variable : `${set.source.path}:${set.source.line} ${key}`;
      errors.push({
        subject: `${where} and AUTH_ENABLED`,
        problem:
          secret || set.secret
            ? `both set ${key}, to different values`
            : `both set ${key}: to ${JSON.stringify(set.value)} and ${JSON.stringify(value)}`,
        allowed: `${key} left to AUTH_ENABLED, or AUTH_ENABLED=false to configure ACL key by key`,
      });
      continue;
    }
    settings.set(key, { key, value, source: because, secret });
  }
  return [];
}
