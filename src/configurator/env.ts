// Environment variables as the images' configurator and the console read them: `X_FILE` read in place of X
// (where Docker and Kubernetes mount secrets), values checked against an env-schema schema, and "did you mean"
// for a misspelt name. Problems come back as ConfigErrors, which each caller words in its own format; a secret's
// value is never in one, only the mark that there is one.
import envSchema from "env-schema";
import { isSecretKey } from "../catalogue/catalogue.ts";
import { closest } from "./suggest.ts";
import type { ConfigError } from "./types.ts";

export interface EnvVariable {
  name: string;
  /** The variable as the user wrote it (`X_FILE` when the value came from a file). */
  shownAs: string;
  value: string;
  /** Read from a `*_FILE`: where Docker and Kubernetes secrets are mounted, so treated as a secret whatever it is. */
  fromFile: boolean;
}

/** The value part of a ConfigError: the value itself, or only the mark that there is a secret one. */
export function offending(value: string, secret: boolean): Pick<ConfigError, "value" | "redacted"> {
  return secret ? { redacted: true } : { value };
}

/**
 * The environment's variables, with `X_FILE` read as X (its last newline dropped) for each X that `hasFileForm`
 * accepts; other `*_FILE` variables are kept under their own names. X and X_FILE both set, or a file that cannot be read, is an error.
 * `maxFileBytes`: the most `readFile` reads (it gives undefined for a larger file), for the error to say so.
 */
export function readVariables(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string | undefined,
  hasFileForm: (name: string) => boolean,
  errors: ConfigError[],
  maxFileBytes?: number,
): Map<string, EnvVariable> {
  const out = new Map<string, EnvVariable>();
  for (const [name, value] of Object.entries(env)) {
    // X_FILE is X's file form only where X has one; otherwise it is a name of its own (TLS_CERT_FILE).
    if (value === undefined || (name.endsWith("_FILE") && hasFileForm(name.slice(0, -"_FILE".length)))) continue;
    out.set(name, { name, shownAs: name, value, fromFile: false });
  }
  for (const [fileVar, path] of Object.entries(env)) {
    const name = fileVar.slice(0, -"_FILE".length);
    if (path === undefined || !fileVar.endsWith("_FILE") || !hasFileForm(name)) continue;
    if (out.has(name)) {
      errors.push({ subject: `${name} and ${fileVar}`, problem: "are both set", allowed: "one of the two" });
      continue;
    }
    const text = readFile(path);
    if (text === undefined) {
      errors.push({
        subject: fileVar,
        value: path,
        problem: unreadableFile(maxFileBytes),
        allowed: "the path of a readable file inside the container",
      });
      continue;
    }
    out.set(name, { name, shownAs: fileVar, value: text.replace(/\r?\n$/, ""), fromFile: true });
  }
  return out;
}

/** Why `readFile` gave nothing for a file, when it reads at most `maxFileBytes`. */
export function unreadableFile(maxFileBytes?: number): string {
  return `names a file that cannot be read${maxFileBytes === undefined ? "" : ` or is larger than ${maxFileBytes} bytes`}`;
}

interface SchemaViolation {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: { missingProperty?: string };
}

/**
 * The variables an env-schema schema lists, validated and converted (integers, booleans, defaults). Undefined when
 * any is wrong, with one error per violation: a missing variable, or a bad value under the name the user wrote
 * (X_FILE) with the schema's `description` as what is allowed, the value hidden if secret.
 */
export function checkSchema<T>(
  schema: { readonly properties: Readonly<Record<string, { readonly description?: string }>> },
  variables: Map<string, EnvVariable>,
  errors: ConfigError[],
): T | undefined {
  const data: Record<string, string> = {};
  for (const name of Object.keys(schema.properties)) {
    const v = variables.get(name);
    if (v) data[name] = v.value;
  }
  try {
    return envSchema({ schema: structuredClone(schema) as object, data, env: false }) as T;
  } catch (e) {
    const violations = (e as { errors?: SchemaViolation[] }).errors;
    if (!violations) throw e;
    for (const violation of violations) {
      const name = violation.params?.missingProperty ?? violation.instancePath.replace(/^\//, "");
      const allowed = schema.properties[name]?.description;
      const v = variables.get(name);
      if (violation.keyword === "required") errors.push({ subject: name, problem: "is not set", allowed });
      else
        errors.push({
          subject: v?.shownAs ?? name,
          ...(v && offending(v.value, v.fromFile || isSecretKey(name))),
          problem: violation.message ?? "is not valid",
          allowed,
        });
    }
    return undefined;
  }
}

/** "; did you mean X?" naming the candidate closest to a misspelt `name`, or "" when none is close enough. */
export function didYouMean(name: string, candidates: Iterable<string>, options: { threshold?: number; quoted?: boolean } = {}): string {
  const near = closest(name, candidates, options.threshold);
  if (!near) return "";
  return `; did you mean ${options.quoted ? `'${near}'` : near}?`;
}
