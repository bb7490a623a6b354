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
    // Not V8's message: it quotes the text around the error, which may be a secret's.
    if (!(e instanceof SyntaxError)) throw e;
    const at = syntaxErrorOffset(text);
    if (at === undefined) return { invalid: "is not valid JSON" };
    const before = text.slice(0, at).split("\n");
    return { invalid: `is not valid JSON at line ${before.length}, column ${before.at(-1)!.length + 1}` };
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

/**
 * Where text that JSON.parse refused stops being JSON: the offset of the value, string or character that is wrong
 * there, or undefined when it cannot say (nesting too deep to follow).
 */
function syntaxErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const token = (pattern: RegExp) => {
    pattern.lastIndex = i;
    if (!pattern.test(text)) fail();
    i = pattern.lastIndex;
  };
  const string = () => token(/"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y);
  const value = (): void => {
    ws();
    const open = text[i];
    if (open !== "{" && open !== "[") return open === '"' ? string() : token(/-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null/y);
    const close = open === "{" ? "}" : "]";
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      if (open === "{") {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ":") fail();
        i++;
      }
      value();
      ws();
      if (text[i] === close) return void i++;
      if (text[i] !== ",") fail();
      i++;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return i;
  } catch (at) {
    return typeof at === "number" ? at : undefined;
  }
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
