// TLS_* → what RocketMQ's remoting servers and clients read: the mode as a system property (RocketMQ reads it
// nowhere else), the certificate, key and trust files in a tls.properties file named by another system property,
// and for the proxy its own rmq-proxy.json keys. Pure: files are read through the caller's readFile and checked
// (PEM, PKCS#8 keys) before anything starts.
import type { Role } from "../catalogue/catalogue.ts";
import { checkSchema, type EnvVariable } from "./env.ts";
import { isEncryptedKey, readPem, type PemKind } from "./pem.ts";
import { IMAGE_RUNTIME_DIR, TLS_PROPERTIES_NAME } from "./file-names.ts";
import { renderProperty } from "./properties.ts";
import type { ConfigError } from "./types.ts";

export const TLS_MODES = ["disabled", "permissive", "enforcing"] as const;
export type TlsMode = (typeof TLS_MODES)[number];

export const TLS_SCHEMA = {
  type: "object",
  properties: {
    TLS_MODE: { type: "string", enum: [...TLS_MODES], description: "disabled, permissive (TLS and plaintext) or enforcing (TLS only)" },
    TLS_CERT_FILE: { type: "string", pattern: "^/", description: "the absolute path of a PEM certificate (chain) in the container" },
    TLS_KEY_FILE: { type: "string", pattern: "^/", description: "the absolute path of a PKCS#8 PEM private key in the container" },
    TLS_CA_FILE: {
      type: "string",
      pattern: "^/",
      description: "the absolute path of the PEM certificate(s) that signed the peers' certificates",
    },
    TLS_KEY_PASSWORD: {
      type: "string",
      minLength: 1,
      maxLength: 1024,
      // A line break would start a tls.properties line of its own; RocketMQ takes no such password anyway.
      pattern: "^[^\\u0000-\\u001f\\u007f]*$",
      description:
        "the password of an encrypted key (BEGIN ENCRYPTED PRIVATE KEY), without control characters (line breaks included); TLS_KEY_PASSWORD or TLS_KEY_PASSWORD_FILE",
    },
  },
} as const;

export const TLS_VARIABLES = Object.keys(TLS_SCHEMA.properties);

/** What each variable does, for the docs' table (`npm run docs`). */
export const TLS_VARIABLE_SUMMARIES: Record<keyof typeof TLS_SCHEMA.properties, string> = {
  TLS_MODE:
    "TLS on the node's remoting (and the proxy's gRPC) port: `permissive` accepts TLS and plaintext, `enforcing` TLS only (the node then speaks TLS to its peers too). Unset: RocketMQ's default, permissive with a self-signed test certificate. Set it on every node of a cluster.",
  TLS_CERT_FILE:
    "The node's certificate (chain), PEM. Required with TLS_MODE permissive or enforcing; RocketMQ reloads it when it changes.",
  TLS_KEY_FILE: "Its private key, PKCS#8 PEM (`openssl pkcs8 -topk8` converts a PKCS#1 key).",
  TLS_CA_FILE:
    "The CA the peers' certificates must lead to, for the node's own connections (a broker to name servers and its master). Unset: any certificate is accepted.",
  TLS_KEY_PASSWORD: "The key's password when it is encrypted (also `TLS_KEY_PASSWORD_FILE`).",
};

/**
 * TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE are paths RocketMQ reads itself (and reloads when they change),
 * not the file forms of TLS_CERT, TLS_KEY and TLS_CA, which do not exist.
 */
export const isTlsPathVariable = (name: string): boolean => /^TLS_(CERT|KEY|CA)_FILE$/.test(name);

interface TlsSettings {
  TLS_MODE?: TlsMode;
  TLS_CERT_FILE?: string;
  TLS_KEY_FILE?: string;
  TLS_CA_FILE?: string;
  TLS_KEY_PASSWORD?: string;
}

/** Where the image writes the tls.properties that -Dtls.config.file names. */
export const TLS_PROPERTIES_FILE = `${IMAGE_RUNTIME_DIR}/${TLS_PROPERTIES_NAME}`;

export interface TlsPlan {
  mode: TlsMode;
  /** JVM options: the mode, the properties file, and TLS for the node's own outgoing connections when enforcing. */
  systemProperties: string[];
  /** tls.properties: every key RocketMQ's TlsSystemConfig reads from it; `secret` ones are never shown. */
  properties: { key: string; value: string; secret: boolean }[];
  /** rmq-proxy.json keys (the proxy reads its certificate from there, not from tls.properties). */
  proxyKeys: { key: string; value: string; secret?: boolean }[];
}

/** TLS_MODE is taken in any case (ENFORCING too): the variables with its value lower-cased, the others as they are. */
export function withTlsModeLowerCased(variables: Map<string, EnvVariable>): Map<string, EnvVariable> {
  const mode = variables.get("TLS_MODE");
  return mode ? new Map([...variables, ["TLS_MODE", { ...mode, value: mode.value.toLowerCase() }]]) : variables;
}

/**
 * The TLS plan of one node from its TLS_* variables, or undefined when TLS_MODE is unset (RocketMQ's own default
 * then applies: permissive, with a self-signed test certificate) or the variables are wrong (errors say why).
 */
export function resolveTls(
  role: Role,
  variables: Map<string, EnvVariable>,
  readFile: (path: string) => string | undefined,
  errors: ConfigError[],
): TlsPlan | undefined {
  const before = errors.length;
  const tls = checkSchema<TlsSettings>(TLS_SCHEMA, withTlsModeLowerCased(variables), errors);
  if (!tls || errors.length > before) return undefined;
  const given = ["TLS_CERT_FILE", "TLS_KEY_FILE", "TLS_CA_FILE", "TLS_KEY_PASSWORD"].filter((v) => variables.has(v));
  if (!tls.TLS_MODE) {
    if (given.length)
      errors.push({
        subject: given.join(", "),
        problem: "are set without TLS_MODE",
        allowed: "TLS_MODE=permissive or enforcing with them",
      });
    return undefined;
  }
  if (tls.TLS_MODE === "disabled") {
    return { mode: "disabled", systemProperties: ["-Dtls.server.mode=disabled"], properties: [], proxyKeys: [] };
  }

  const read = (variable: "TLS_CERT_FILE" | "TLS_KEY_FILE" | "TLS_CA_FILE", kind: PemKind): string | undefined => {
    const path = tls[variable];
    return path === undefined ? undefined : readPem(variable, path, kind, readFile, errors, TLS_SCHEMA.properties[variable].description);
  };
  for (const needed of ["TLS_CERT_FILE", "TLS_KEY_FILE"] as const) {
    if (!tls[needed])
      errors.push({
        subject: needed,
        problem: `is not set, and TLS_MODE=${tls.TLS_MODE} needs it`,
        allowed: `${TLS_SCHEMA.properties[needed].description} (without it RocketMQ would serve a self-signed test certificate)`,
      });
  }
  read("TLS_CERT_FILE", "certificate");
  const key = read("TLS_KEY_FILE", "rocketmq-key");
  if (key !== undefined && isEncryptedKey(key) && !tls.TLS_KEY_PASSWORD)
    errors.push({
      subject: "TLS_KEY_PASSWORD",
      problem: "is not set, and TLS_KEY_FILE is encrypted",
      allowed: "its password, or TLS_KEY_PASSWORD_FILE",
    });
  read("TLS_CA_FILE", "certificate");
  if (errors.length > before) return undefined;

  const ca = tls.TLS_CA_FILE;
  const properties = [
    { key: "tls.test.mode.enable", value: "false", secret: false },
    { key: "tls.server.need.client.auth", value: "none", secret: false },
    { key: "tls.server.certPath", value: tls.TLS_CERT_FILE!, secret: false },
    { key: "tls.server.keyPath", value: tls.TLS_KEY_FILE!, secret: false },
    ...(tls.TLS_KEY_PASSWORD ? [{ key: "tls.server.keyPassword", value: tls.TLS_KEY_PASSWORD, secret: true }] : []),
    // The node's own outgoing connections (a broker to name servers and its master) verify the peer with the CA.
    { key: "tls.client.authServer", value: String(ca !== undefined), secret: false },
    ...(ca ? [{ key: "tls.client.trustCertPath", value: ca, secret: false }] : []),
  ];
  return {
    mode: tls.TLS_MODE,
    systemProperties: [
      `-Dtls.server.mode=${tls.TLS_MODE}`,
      `-Dtls.config.file=${TLS_PROPERTIES_FILE}`,
      // Enforcing peers accept nothing else: the node's own client must speak TLS too.
      ...(tls.TLS_MODE === "enforcing" ? ["-Dtls.enable=true"] : []),
    ],
    properties,
    proxyKeys:
      role === "proxy"
        ? [
            { key: "tlsTestModeEnable", value: "false" },
            { key: "tlsCertPath", value: tls.TLS_CERT_FILE! },
            { key: "tlsKeyPath", value: tls.TLS_KEY_FILE! },
            // Its gRPC server reads the key's password from its own config, not from tls.properties.
            ...(tls.TLS_KEY_PASSWORD ? [{ key: "tlsKeyPassword", value: tls.TLS_KEY_PASSWORD, secret: true }] : []),
          ]
        : [],
  };
}

/** tls.properties as RocketMQ reads it (java.util.Properties, escaped as the broker's conf file is). */
export function renderTlsProperties(plan: TlsPlan): string {
  return plan.properties.map((p) => renderProperty(p.key, p.value)).join("\n") + "\n";
}

/** What the node's own remoting client (our health check, the proxy's wait) uses: TLS trusting the CA, if any. */
export function clientTlsOf(plan: TlsPlan | undefined, readFile: (path: string) => string | undefined): { ca?: string } | undefined {
  if (!plan?.properties.length) return undefined;
  const trust = plan.properties.find((p) => p.key === "tls.client.trustCertPath")?.value;
  return trust ? { ca: readFile(trust) } : {};
}
