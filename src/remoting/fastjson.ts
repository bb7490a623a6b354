// A JSON reader that also accepts what fastjson writes and JSON.parse rejects: unquoted numeric map keys
// (`{0:"10.0.0.1:10911"}`) and object map keys (`{{"topic":"t","queueId":0}:{...}}`), which become the
// key's compact JSON text. Everything else is standard JSON.

export function parseFastjson(text: string): unknown {
  const p = new Reader(text);
  p.skipSpace();
  const value = p.value();
  p.skipSpace();
  if (p.pos !== text.length) p.fail("trailing characters");
  return value;
}

class Reader {
  pos = 0;
  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }

  fail(what: string): never {
    throw new SyntaxError(`fastjson: ${what} at offset ${this.pos}`);
  }

  skipSpace(): void {
    while (this.pos < this.s.length && " \t\r\n".includes(this.s[this.pos]!)) this.pos++;
  }

  value(): unknown {
    const c = this.s[this.pos];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(`unexpected ${c === undefined ? "end" : `'${c}'`}`);
  }

  private object(): Record<string, unknown> {
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
      else if (keyStart === "{" || keyStart === "[") key = JSON.stringify(this.value());
      else key = String(this.number());
      this.skipSpace();
      if (this.s[this.pos++] !== ":") this.fail("expected ':'");
      this.skipSpace();
      out[key] = this.value();
      this.skipSpace();
      const next = this.s[this.pos++];
      if (next === "}") return out;
      if (next !== ",") this.fail("expected ',' or '}'");
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.s[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value());
      this.skipSpace();
      const next = this.s[this.pos++];
      if (next === "]") return out;
      if (next !== ",") this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const m = /^"(?:[^"\\]|\\.)*"/.exec(this.s.slice(this.pos));
    if (!m) this.fail("unterminated string");
    this.pos += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  private number(): number {
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.pos));
    if (!m) this.fail("bad number");
    this.pos += m[0].length;
    return Number(m[0]);
  }
}
