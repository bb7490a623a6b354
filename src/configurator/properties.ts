// Java .properties as RocketMQ reads them (java.util.Properties): `key=value`, `key:value` or `key value`;
// `#` and `!` start a comment only at the beginning of a line; trailing backslash continues a line.
// We keep line numbers so that every error can point at `file:line`.

export interface PropertyLine {
  key: string;
  value: string;
  line: number;
}

export function parseProperties(text: string): PropertyLine[] {
  const out: PropertyLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let logical = lines[i]!.replace(/^[ \t\f]+/, "");
    if (!logical || logical.startsWith("#") || logical.startsWith("!")) continue;
    while (endsWithContinuation(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, "");
    }
    const match = /^((?:\\.|[^=:\s\\])+)[ \t\f]*[=:]?[ \t\f]*(.*)$/.exec(logical);
    if (!match) continue;
    out.push({ key: unescape(match[1]!), value: unescape(match[2]!), line: lineNo });
  }
  return out;
}

function endsWithContinuation(line: string): boolean {
  const backslashes = /\\*$/.exec(line)![0].length;
  return backslashes % 2 === 1;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ t: "\t", n: "\n", r: "\r", f: "\f" } as Record<string, string>)[c] ?? c;
  });
}

const NAMED_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f" };

/**
 * A value as java.util.Properties.store writes it, so that Properties.load reads back exactly it: backslashes and
 * control characters escaped, a leading space too (load skips it), and everything outside printable ASCII as
 * \uXXXX, because RocketMQ loads its files from an InputStream, as ISO-8859-1. `ascii` false keeps non-ASCII
 * characters readable, for people (print-config).
 */
export function escapePropertyValue(value: string, ascii = true): string {
  return value.replace(/^ |[\\\u0000-\u001f\u007f-\uffff]/g, (c) => {
    if (c === " ") return "\\ ";
    if (NAMED_ESCAPES[c]) return NAMED_ESCAPES[c];
    return ascii || c < "\u00a0" ? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}` : c;
  });
}

/** Renders one `key=value` line, escaping what Properties would otherwise misread. */
export function renderProperty(key: string, value: string, ascii = true): string {
  return `${key}=${escapePropertyValue(value, ascii)}`;
}
