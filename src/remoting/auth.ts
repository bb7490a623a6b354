// RocketMQ's request signature (AclClientRPCHook): the same for ACL 1.0 (4.x) and ACL 2.0 (5.x), which uses the
// AccessKey as the user name. The fields are sorted by name (Java's String order: UTF-16 units, as JS sorts),
// their values concatenated as UTF-8, the body appended, and HMAC-SHA1 of that with the secret key, in base64,
// is the Signature. There is no timestamp: anyone who sees a signed request can replay it (use TLS).
import { createHmac } from "node:crypto";

export interface Credentials {
  accessKey: string;
  secretKey: string;
}

const SIGNATURE = "Signature";
const ACCESS_KEY = "AccessKey";

/** `extFields` with AccessKey and Signature added, for a request with `body`. */
export function signedExtFields(
  extFields: Readonly<Record<string, string>> | undefined,
  body: Buffer | undefined,
  credentials: Credentials,
): Record<string, string> {
  const fields: Record<string, string> = { ...extFields, [ACCESS_KEY]: credentials.accessKey };
  delete fields[SIGNATURE];
  const content = Object.keys(fields)
    .sort()
    .map((k) => fields[k])
    .join("");
  const hmac = createHmac("sha1", credentials.secretKey).update(Buffer.from(content, "utf8"));
  if (body?.length) hmac.update(body);
  return { ...fields, [SIGNATURE]: hmac.digest("base64") };
}

/**
 * The credentials in RocketMQ's `innerClientAuthenticationCredentials` JSON (`{"accessKey":…,"secretKey":…}`), which
 * a broker or proxy with authentication on signs its own requests with; undefined when unset or not that shape.
 */
export function innerCredentials(json: string | undefined): Credentials | undefined {
  if (!json) return undefined;
  try {
    const parsed = JSON.parse(json) as Partial<Credentials>;
    return typeof parsed.accessKey === "string" && typeof parsed.secretKey === "string"
      ? { accessKey: parsed.accessKey, secretKey: parsed.secretKey }
      : undefined;
  } catch {
    return undefined;
  }
}
