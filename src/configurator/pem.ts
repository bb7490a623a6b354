// What a PEM file must hold, for everything of ours that takes one: the nodes' TLS_* files, the bootstrap's and the
// console's CA, the console's own certificate and key, and the Testcontainers module's withTls. One wording.
//
// Two kinds of key: RocketMQ's JVMs read PKCS#8 only (encrypted or not), so a node refuses a PKCS#1 key and names
// the openssl command that converts it; the console's Node reads PKCS#1 and PKCS#8 alike, but no encrypted key
// (it is given no password).
import type { ConfigError } from "./types.ts";

export type PemKind = "certificate" | "rocketmq-key" | "node-key";

const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PKCS8 = /-----BEGIN PRIVATE KEY-----/;
const PKCS8_ENCRYPTED = /-----BEGIN ENCRYPTED PRIVATE KEY-----/;
const PKCS1 = /-----BEGIN (RSA|EC) PRIVATE KEY-----/;

/** What a PEM of this kind is, in the words of an error's "allowed". */
export const PEM_ALLOWED: Record<PemKind, string> = {
  certificate: "a PEM certificate (-----BEGIN CERTIFICATE-----)",
  "rocketmq-key": "a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----, or ENCRYPTED PRIVATE KEY with its password)",
  "node-key": "an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----, or RSA / EC PRIVATE KEY)",
};

/** Why `text` is not a PEM of this kind, or undefined when it is; `undefined` text is a file that cannot be read. */
export function pemProblem(text: string | undefined, kind: PemKind): string | undefined {
  if (text === undefined) return "names a file that cannot be read";
  switch (kind) {
    case "certificate":
      return CERTIFICATE.test(text) ? undefined : "holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
    case "rocketmq-key":
      if (PKCS1.test(text))
        return "holds a PKCS#1 key, which RocketMQ cannot read: convert it with `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem`";
      return PKCS8.test(text) || PKCS8_ENCRYPTED.test(text) ? undefined : "holds no PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)";
    case "node-key":
      if (PKCS8_ENCRYPTED.test(text)) return "holds an encrypted key; the console takes an unencrypted one";
      return PKCS8.test(text) || PKCS1.test(text) ? undefined : "holds no PEM private key (-----BEGIN PRIVATE KEY-----)";
  }
}

/**
 * Reads the PEM file at `path`, named by `subject` (a variable), and checks it is of this kind. A problem goes to
 * `errors` with the path and what is allowed, and gives undefined; a good file gives its text.
 */
export function readPem(
  subject: string,
  path: string,
  kind: PemKind,
  readFile: (path: string) => string | undefined,
  errors: ConfigError[],
  allowed: string = PEM_ALLOWED[kind],
): string | undefined {
  const text = readFile(path);
  const problem = pemProblem(text, kind);
  if (!problem) return text;
  errors.push({ subject, value: path, problem, allowed });
  return undefined;
}

/** Whether a PEM key (of a kind that passed pemProblem) is encrypted and so needs its password. */
export function isEncryptedKey(text: string): boolean {
  return PKCS8_ENCRYPTED.test(text);
}
