// A JSON reader that also accepts what fastjson writes and JSON.parse rejects: unquoted numeric map keys
// (`{0:"10.0.0.1:10911"}`) and object map keys (`{{"topic":"t","queueId":0}:{...}}`), which become the
// key's compact JSON text. Everything else is standard JSON.
//
// The text comes from whatever answers on a broker's address, so the reader is hardened: keys become own
// properties (a "__proto__" key does not replace an object's prototype), nesting is bounded (no stack overflow),
// every step consumes input (linear time, no regular expressions that backtrack), and FastjsonError is the only
// error it throws.

/** Deeper nesting is refused: RocketMQ's answers nest a handful of levels. */
export const MAX_DEPTH = 64;

/**
 * Object map keys become their JSON text, and one nested in another is escaped again at each level, doubling:
 * a hundred bytes would make GiB keys. Such keys may add up to the text's own length (what fastjson's keys come
 * to) plus this much per parse.
 */
export const OBJECT_KEY_SLACK = 1024 * 1024;

export class FastjsonError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "FastjsonError";
  }
}

export function parseFastjson(text: string): unknown {
  const p = new Reader(text);
  p.skipSpace();
  const value = p.value(0);
  p.skipSpace();
  if (p.pos !== text.length) p.fail("trailing characters");
  return value;
}

/** Own, enumerable, writable: what an assignment makes, except that "__proto__" stays a plain key. */
function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

class Reader {
  pos = 0;
  private readonly s: string;
  /** What is left for the keys made from object keys (OBJECT_KEY_SLACK). */
  private keyBudget: number;
  constructor(s: string) {
    this.s = s;
    this.keyBudget = s.length + OBJECT_KEY_SLACK;
  }

  fail(what: string): never {
    throw new FastjsonError(`fastjson: ${what} at offset ${this.pos}`);
  }

  skipSpace(): void {
    while (this.pos < this.s.length && " \t\r\n".includes(this.s[this.pos]!)) this.pos++;
  }

  value(depth: number): unknown {
    const c = this.s[this.pos];
    if (c === "{" || c === "[") {
      if (depth >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
      return c === "{" ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === '"') return this.string();
    if (c === "-" || isDigit(c)) return this.number();
    for (const [word, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(`unexpected ${c === undefined ? "end" : `'${c}'`}`);
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.skipSpace();
    if (this.s[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      const keyStart = this.s[this.pos];
      let key: string;
      if (keyStart === '"') key = this.string();
      else if (keyStart === "{" || keyStart === "[") {
        const at = this.pos;
        key = JSON.stringify(this.value(depth));
        // Checked level by level, so no key gets much past the budget before it is refused.
        if ((this.keyBudget -= key.length) < 0) {
          this.pos = at;
          this.fail(`object map keys longer than the text plus ${OBJECT_KEY_SLACK} characters (keys nested in keys)`);
        }
      } else key = String(this.number());
      this.skipSpace();
      if (this.s[this.pos++] !== ":") this.fail("expected ':'");
      this.skipSpace();
      setOwn(out, key, this.value(depth));
      this.skipSpace();
      const next = this.s[this.pos++];
      if (next === "}") return out;
      if (next !== ",") this.fail("expected ',' or '}'");
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.s[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value(depth));
      this.skipSpace();
      const next = this.s[this.pos++];
      if (next === "]") return out;
      if (next !== ",") this.fail("expected ',' or ']'");
    }
  }

  /** Scans to the closing quote (skipping escaped characters), then lets JSON.parse check and unescape it. */
  private string(): string {
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const c = this.s.charCodeAt(i);
      if (Number.isNaN(c)) this.fail("unterminated string");
      if (c === 0x22 /* " */) break;
      i += c === 0x5c /* \ */ ? 2 : 1;
    }
    this.pos = i + 1;
    try {
      return JSON.parse(this.s.slice(start, i + 1)) as string;
    } catch {
      this.pos = start;
      return this.fail("bad string");
    }
  }

  /** JSON's number form (leading zeros tolerated, as before). */
  private number(): number {
    const start = this.pos;
    const digits = (): boolean => {
      const from = this.pos;
      while (isDigit(this.s[this.pos])) this.pos++;
      return this.pos > from;
    };
    if (this.s[this.pos] === "-") this.pos++;
    if (!digits()) return this.fail("bad number");
    if (this.s[this.pos] === "." && isDigit(this.s[this.pos + 1])) {
      this.pos++;
      digits();
    }
    const e = this.s[this.pos];
    if (e === "e" || e === "E") {
      const mark = this.pos;
      this.pos++;
      if (this.s[this.pos] === "+" || this.s[this.pos] === "-") this.pos++;
      if (!digits()) this.pos = mark; // not an exponent: left for the caller to reject
    }
    return Number(this.s.slice(start, this.pos));
  }
}
