// Checks one value against its catalogue type. RocketMQ's loader swallows every parse failure and keeps the
// default, so anything it would not parse exactly is an error here, with the allowed form spelled out.
import type { KeySpec } from "../catalogue/catalogue.ts";

export type ValueCheck = { ok: true; value: string; notice?: string } | { ok: false; problem: string; allowed: string };

const INT_RANGE = [-(2n ** 31n), 2n ** 31n - 1n] as const;
const LONG_RANGE = [-(2n ** 63n), 2n ** 63n - 1n] as const;

/** `secret`: a password or key, which may well start with `#`; `value # comment` is refused all the same. */
export function checkValue(spec: KeySpec, raw: string, secret = false): ValueCheck {
  const layout = checkLayout(raw, secret);
  if (layout) return layout;
  if (spec.enum) {
    const asInt = spec.types?.includes("int") && /^\d+$/.test(raw);
    return asInt ? { ok: true, value: raw } : checkEnum(spec.enum, raw);
  }
  switch (spec.type) {
    case "int":
      return checkInteger(raw, INT_RANGE, "a whole number from -2147483648 to 2147483647");
    case "long":
      return checkInteger(raw, LONG_RANGE, "a whole number (64-bit)");
    case "double":
    case "float":
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)
        ? { ok: true, value: raw }
        : { ok: false, problem: "is not a number", allowed: "a decimal number such as 0.75" };
    case "boolean":
      if (raw === "true" || raw === "false") return { ok: true, value: raw };
      if (/^(true|false)$/i.test(raw)) return { ok: true, value: raw.toLowerCase() };
      return {
        ok: false,
        problem: "is not a boolean (RocketMQ would silently read it as false)",
        allowed: "true or false",
      };
    case "string":
      return { ok: true, value: raw };
  }
}

/** Problems any value can have, whatever its type: the classic copy-paste mistakes. */
function checkLayout(raw: string, secret: boolean): ValueCheck | undefined {
  if ((secret ? /\s#/ : /(^|\s)#/).test(raw) && raw.trim() !== "#") {
    return {
      ok: false,
      problem: "contains an inline comment (a properties file keeps everything after '=' as the value)",
      allowed: "the value alone; put comments on a line of their own",
    };
  }
  if (raw !== raw.trim()) {
    return {
      ok: false,
      problem: "has leading or trailing whitespace (RocketMQ keeps it, and a number with a trailing space is silently ignored)",
      allowed: "the value without surrounding spaces",
    };
  }
  if (/[\r\n]/.test(raw)) {
    return { ok: false, problem: "spans several lines", allowed: "a single-line value" };
  }
  return undefined;
}

function checkInteger(raw: string, [min, max]: readonly [bigint, bigint], allowed: string): ValueCheck {
  if (!/^-?\d+$/.test(raw)) return { ok: false, problem: "is not a whole number", allowed };
  const n = BigInt(raw);
  if (n < min || n > max) return { ok: false, problem: "is out of range", allowed };
  return { ok: true, value: n.toString() };
}

function checkEnum(values: string[], raw: string): ValueCheck {
  if (values.includes(raw)) return { ok: true, value: raw };
  const folded = values.find((v) => v.toLowerCase() === raw.toLowerCase());
  if (folded) return { ok: true, value: folded, notice: `normalised '${raw}' to '${folded}'` };
  return { ok: false, problem: "is not an allowed value", allowed: `one of ${values.join(", ")}` };
}

const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function isHost(value: string): boolean {
  return IPV4.test(value) || HOSTNAME.test(value) || isIPv6(value);
}

function isIPv6(value: string): boolean {
  const groups = value.split(":").length;
  return groups >= 3 && groups <= 8 && /^[0-9a-fA-F:.]+$/.test(value) && !/^[\d.]+:\d+$/.test(value);
}

/**
 * `host:port;host:port` as RocketMQ's namesrvAddr and controllerAddr take it. The problem quotes the entry at
 * fault, or for a secret value names it by position.
 */
export function checkAddressList(value: string, secret = false): string | undefined {
  if (value.includes(",")) return "separates addresses with ',' (RocketMQ splits on ';')";
  const entries = value.split(";");
  for (const [i, entry] of entries.entries()) {
    if (!entry) return "has an empty entry";
    const which = secret ? `entry ${i + 1}` : `entry '${entry}'`;
    const m = /^(.*):(\d+)$/.exec(entry);
    if (!m) return `${which} has no port (RocketMQ exits at start with it)`;
    if (!m[1]) return `${which} has no host`;
    if (!isHost(m[1]!)) return `${which} does not start with a valid host name or IP address`;
    const port = Number(m[2]);
    if (port < 1 || port > 65535) return `${which} has a port outside 1..65535`;
  }
  return undefined;
}
