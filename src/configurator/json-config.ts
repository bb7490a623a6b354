// rmq-proxy.json as the proxy reads it (fastjson2 into ProxyConfig and AuthConfig): one JSON object whose
// members are keys. Parsing keeps each member's line and its value as written (a long stays exact), so that
// errors point at `file:line` as they do for a properties file; rendering writes each value with its JSON type.
import type { KeySpec } from "../catalogue/catalogue.ts";
import type { PropertyLine } from "./properties.ts";

export interface JsonEntry extends PropertyLine {
  /** What the value is when it is none of string, number and boolean: "an object", "an array" or "null". */
  unsupported?: string;
}

export function parseJsonConfig(text: string): { entries: JsonEntry[] } | { invalid: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { invalid: `is not valid JSON (${(e as Error).message})` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { invalid: "is not a JSON object" };

  // The text is valid JSON: a string at depth 1 followed by ':' is a member name, and its value follows.
  const entries: JsonEntry[] = [];
  let depth = 0;
  let line = 1;
  let i = 0;
  const readString = (): string => {
    const start = i;
    for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  while (i < text.length) {
    const c = text[i];
    if (c !== '"') {
      if (c === "\n") line++;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") depth--;
      i++;
      continue;
    }
    const keyLine = line;
    const key = readString();
    const colon = /\s*:\s*/y;
    colon.lastIndex = i;
    const separator = depth === 1 ? colon.exec(text) : null;
    if (!separator) continue;
    line += separator[0].split("\n").length - 1;
    i = colon.lastIndex;
    const start = text[i];
    if (start === '"') {
      entries.push({ key, value: readString(), line: keyLine });
    } else if (start === "{" || start === "[") {
      entries.push({ key, value: "", line: keyLine, unsupported: start === "{" ? "an object" : "an array" });
    } else {
      const literal = /[^\s,}\]]+/y;
      literal.lastIndex = i;
      const token = literal.exec(text)![0];
      i += token.length;
      entries.push(token === "null" ? { key, value: "", line: keyLine, unsupported: "null" } : { key, value: token, line: keyLine });
    }
  }
  return { entries };
}

/** One member's value in JSON: numbers and booleans unquoted, as the key's type in the catalogue says. */
export function jsonValue(spec: KeySpec | undefined, value: string): string {
  const numeric = spec?.enum
    ? spec.types?.includes("int") && /^\d+$/.test(value)
    : spec?.type === "int" || spec?.type === "long" || spec?.type === "double" || spec?.type === "float";
  if (numeric) {
    // Validated numbers; JSON has no leading '+', '.5' or '5.': those go through Number (same double).
    return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(value) ? value : String(Number(value));
  }
  if (spec?.type === "boolean" && (value === "true" || value === "false")) return value;
  return JSON.stringify(value);
}
