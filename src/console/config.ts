// The console's settings from environment variables, validated all at once: every problem is reported together,
// naming the variable, the value and what is allowed. A misspelled CONSOLE_* variable is an error, not ignored.
import { randomBytes } from "node:crypto";
import { closest } from "../configurator/suggest.ts";

export interface ConsoleConfig {
  namesrvAddr: string;
  port: number;
  user: string;
  password: string;
  /** True when no password was given and one was generated: it is printed once in the log. */
  passwordGenerated: boolean;
  readOnly: boolean;
  requestTimeoutMs: number;
  sessionHours: number;
}

const VARIABLES = ["NAMESRV_ADDR", "CONSOLE_PORT", "CONSOLE_USER", "CONSOLE_PASSWORD", "CONSOLE_PASSWORD_FILE", "CONSOLE_READ_ONLY", "CONSOLE_REQUEST_TIMEOUT_MS", "CONSOLE_SESSION_HOURS"];

export class ConsoleConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`${problems.length} configuration error(s); the console was not started:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConsoleConfigError";
    this.problems = problems;
  }
}

/** Pure: environment (and a file reader for *_FILE) in, config or every problem out. */
export function consoleConfig(env: Record<string, string | undefined>, readFile: (path: string) => string | undefined): ConsoleConfig {
  const problems: string[] = [];
  const bad = (name: string, value: string, allowed: string) => problems.push(`${name}=${JSON.stringify(value)}: allowed: ${allowed}`);

  for (const name of Object.keys(env).filter((n) => n.startsWith("CONSOLE_") && !VARIABLES.includes(n))) {
    const near = closest(name, VARIABLES);
    bad(name, env[name] ?? "", `one of the console's variables (${VARIABLES.filter((v) => v.startsWith("CONSOLE_")).join(", ")})${near ? `; did you mean ${near}?` : ""}`);
  }

  const namesrvAddr = env.NAMESRV_ADDR ?? "";
  if (!namesrvAddr) problems.push("NAMESRV_ADDR is not set: allowed: name servers as host:port;host:port");
  else if (!namesrvAddr.split(";").every((a) => /^[A-Za-z0-9.\-_]+:\d{1,5}$/.test(a.trim()) && Number(a.split(":").pop()) <= 65535)) bad("NAMESRV_ADDR", namesrvAddr, "name servers as host:port;host:port");

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      bad(name, raw, `an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const port = integer("CONSOLE_PORT", 8082, 1, 65535);
  const requestTimeoutMs = integer("CONSOLE_REQUEST_TIMEOUT_MS", 3000, 100, 60_000);
  const sessionHours = integer("CONSOLE_SESSION_HOURS", 12, 1, 24 * 30);

  const readOnlyRaw = env.CONSOLE_READ_ONLY ?? "false";
  if (readOnlyRaw !== "true" && readOnlyRaw !== "false") bad("CONSOLE_READ_ONLY", readOnlyRaw, "true or false");

  const user = env.CONSOLE_USER ?? "admin";
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(user)) bad("CONSOLE_USER", user, "1 to 64 letters, digits, dots, dashes or underscores");

  let password = env.CONSOLE_PASSWORD;
  const passwordFile = env.CONSOLE_PASSWORD_FILE;
  if (password !== undefined && passwordFile !== undefined) {
    problems.push("CONSOLE_PASSWORD and CONSOLE_PASSWORD_FILE are both set: allowed: one of them");
  } else if (passwordFile !== undefined) {
    const text = readFile(passwordFile);
    if (text === undefined) bad("CONSOLE_PASSWORD_FILE", passwordFile, "a readable file holding the password");
    else password = text.replace(/\r?\n$/, "");
  }
  if (password !== undefined && password.length < 8) problems.push(`${passwordFile !== undefined ? "CONSOLE_PASSWORD_FILE's password" : "CONSOLE_PASSWORD"} has ${password.length} characters: allowed: at least 8`);

  if (problems.length) throw new ConsoleConfigError(problems);
  const generated = password === undefined;
  return {
    namesrvAddr,
    port,
    user,
    password: password ?? randomBytes(12).toString("base64url"),
    passwordGenerated: generated,
    readOnly: readOnlyRaw === "true",
    requestTimeoutMs,
    sessionHours,
  };
}
