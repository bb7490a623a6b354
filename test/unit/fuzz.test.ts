// Fuzzing what the console reads from the network and from browsers: remoting frames (decodeCommands), fastjson
// bodies, stored-message records (decodeMessages, compressed bodies included), cookies and Basic credentials.
// Properties: every input ends quickly (each run is timed), nothing is thrown but the module's own error, and no
// input changes a prototype.
//
// Each property runs in a worker thread that the test kills after a deadline: a decoder caught in an endless loop
// (the binary header with a negative value length was one) blocks its thread for good, so a timer on the same
// thread would never fire. The seed is fixed, so a failure replays; fast-check's report names the input.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import * as zlib from "node:zlib";
import fc from "fast-check";
import { RESPONSE_FLAG, RemotingProtocolError, decodeCommands, encodeCommand, type SerializeTypeName } from "../../src/remoting/codec.ts";
import { FastjsonError, parseFastjson } from "../../src/remoting/fastjson.ts";
import { MessageDecodeError, decodeMessages, encodeProperties } from "../../src/remoting/message-codec.ts";
import { basicCredentials, cookieValue } from "../../src/console/sessions.ts";
import { parseCursor } from "../../src/remoting/browse.ts";
import { decodeTrace } from "../../src/remoting/trace.ts";

const SEED = 20261203;
/** fast-check stops starting runs after this; the worker is killed if the property has not ended by PROPERTY_DEADLINE_MS. */
const TIME_LIMIT_MS = 1200;
const PROPERTY_DEADLINE_MS = 10_000;
/** Any single input: the largest here are a few KiB (plus a compressed body up to 256 KiB inflated). */
const RUN_DEADLINE_MS = 1000;

const settings = (numRuns: number): fc.Parameters<unknown> => ({
  seed: SEED,
  numRuns,
  plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)],
});

/** Runs `f` on `input`, failing when it takes longer than RUN_DEADLINE_MS or throws anything `allowed` rejects. */
function timed<T>(what: string, f: () => T, allowed: (e: unknown) => boolean): T | undefined {
  const started = performance.now();
  try {
    return f();
  } catch (e) {
    if (!allowed(e)) throw new Error(`${what} threw ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
    return undefined;
  } finally {
    const ms = performance.now() - started;
    if (ms > RUN_DEADLINE_MS) throw new Error(`${what} took ${Math.round(ms)} ms`);
  }
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const prototypeSnapshot = (): string[][] => PROTOTYPES.map((p) => Reflect.ownKeys(p).map(String).sort());

/** The inputs may not add or change anything every object inherits. */
function assertPrototypesUntouched(before: string[][]): void {
  assert.deepEqual(prototypeSnapshot(), before);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
}

/** Every object in a parsed value inherits from Object.prototype or Array.prototype, nothing a key chose. */
function assertPlainTree(value: unknown, depth = 0): void {
  if (typeof value !== "object" || value === null) return;
  const expected = Array.isArray(value) ? Array.prototype : Object.prototype;
  assert.equal(Object.getPrototypeOf(value), expected, `an object at depth ${depth} has another prototype`);
  for (const v of Object.values(value)) assertPlainTree(v, depth + 1);
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a.buffer, a.byteOffset, a.length));
/** Lengths a hostile peer would write: negative, zero, off by one, near the int32 limits. */
const nastyInt = fc.oneof(
  fc.constantFrom(-1, -6, -(2 ** 31), 2 ** 31 - 1, 0, 1, 3, 4, 5, 2 ** 30, 16 * 1024 * 1024, 16 * 1024 * 1024 - 4),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
);
const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("__proto__", "constructor", "prototype", "toString", "polluted"));

// ---- remoting frames ----

const command = fc.record({
  code: fc.integer({ min: -32768, max: 32767 }),
  opaque: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  flag: fc.integer({ min: 0, max: 3 }),
  remark: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  extFields: fc.array(fc.tuple(key, fc.string({ maxLength: 20 })), { maxLength: 6 }).map((pairs) => Object.fromEntries(pairs)),
  body: bytes(64),
  serializeType: fc.constantFrom<SerializeTypeName>("JSON", "ROCKETMQ"),
});

type Mutation = { at: number; byte: number } | { at: number; int: number } | { cut: number } | { twice: true };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ at: fc.nat(), int: nastyInt }),
  fc.record({ cut: fc.nat() }),
  fc.constant({ twice: true as const }),
);

function mutate(frame: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(frame);
  for (const m of mutations) {
    if ("twice" in m) b = Buffer.concat([b, b]);
    else if ("cut" in m) b = b.subarray(0, m.cut % (b.length + 1));
    else if (b.length === 0) continue;
    else if ("byte" in m) b[m.at % b.length] = m.byte;
    else if (b.length >= 4) b.writeInt32BE(m.int, m.at % (b.length - 3));
  }
  return b;
}

/** A binary-header response whose remark, ext-fields, key and value lengths are whatever the property says. */
function binaryFrame(lengths: { remark: number; fields: number; key: number; value: number }, content: Buffer): Buffer {
  const header = Buffer.alloc(13 + 4 + 4 + 2 + 4 + content.length);
  let o = header.writeInt16BE(0, 0);
  o = header.writeUInt8(0, o);
  o = header.writeInt16BE(479, o);
  o = header.writeInt32BE(1, o);
  o = header.writeInt32BE(RESPONSE_FLAG, o);
  o = header.writeInt32BE(lengths.remark, o);
  o = header.writeInt32BE(lengths.fields, o);
  o = header.writeInt16BE(Math.max(-32768, Math.min(32767, lengths.key)), o);
  o = header.writeInt32BE(lengths.value, o);
  content.copy(header, o);
  const prefix = Buffer.alloc(8);
  prefix.writeInt32BE(4 + header.length, 0);
  prefix.writeUInt32BE(((1 << 24) | header.length) >>> 0, 4);
  return Buffer.concat([prefix, header]);
}

function decodeChecked(input: Buffer): void {
  const decoded = timed(
    "decodeCommands",
    () => decodeCommands(input),
    (e) => e instanceof RemotingProtocolError,
  );
  if (!decoded) return;
  assert.ok(decoded.rest.length <= input.length);
  for (const c of decoded.commands) {
    assert.ok(Number.isInteger(c.code) && Number.isInteger(c.opaque) && Number.isInteger(c.flag));
    if (c.extFields) {
      assert.equal(Object.getPrototypeOf(c.extFields), Object.prototype);
      for (const v of Object.values(c.extFields)) assert.equal(typeof v, "string");
    }
  }
}

// ---- stored messages ----

/** One MessageDecoder record; hosts are IPv6 where the sysFlag says so, as the decoder expects. */
function storedRecord(o: {
  sysFlag: number;
  body: Buffer;
  topic: string;
  properties: Record<string, string>;
  commitLogOffset?: bigint;
}): Buffer {
  const born = o.sysFlag & 0x10 ? 16 : 4;
  const store = o.sysFlag & 0x20 ? 16 : 4;
  const topic = Buffer.from(o.topic);
  const props = Buffer.from(encodeProperties(o.properties));
  const size = 4 * 5 + 8 * 2 + 4 + 8 + born + 4 + 8 + store + 4 + 4 + 8 + 4 + o.body.length + 1 + topic.length + 2 + props.length;
  const b = Buffer.alloc(size);
  let p = b.writeInt32BE(size, 0);
  p = b.writeInt32BE(-626843481, p); // MAGIC_V1: a one-byte topic length
  p += 12; // body CRC, queue id, flag
  p += 8; // queue offset
  p = b.writeBigInt64BE(o.commitLogOffset ?? 0n, p);
  p = b.writeInt32BE(o.sysFlag, p);
  p += 8 + born + 4 + 8 + store + 4 + 4 + 8; // born time and host, store time and host, reconsume times, prepared offset
  p = b.writeInt32BE(o.body.length, p);
  p += o.body.copy(b, p);
  p = b.writeUInt8(topic.length, p);
  p += topic.copy(b, p);
  p = b.writeUInt16BE(props.length, p);
  props.copy(b, p);
  return b;
}

const zstdCompressSync = (zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;
const compressedBody = fc.oneof(
  bytes(256).map((b) => ({ stored: b })),
  fc
    .tuple(fc.integer({ min: 0, max: 256 * 1024 }), fc.integer({ min: 0, max: 255 }))
    .map(([n, fill]) => ({ stored: zlib.deflateSync(Buffer.alloc(n, fill)), inflated: n })),
  ...(zstdCompressSync
    ? [fc.integer({ min: 0, max: 256 * 1024 }).map((n) => ({ stored: zstdCompressSync(Buffer.alloc(n, 1)), inflated: n }))]
    : []),
);

/** Random bytes, and valid records cut anywhere with the record length rewritten to match (so the cut is read). */
const messageInput = fc.oneof(
  bytes(400),
  fc.tuple(fc.integer({ min: 0, max: 0x3f }), bytes(40), fc.nat()).map(([sysFlag, body, cut]) => {
    const record = storedRecord({ sysFlag, body, topic: "T", properties: { KEYS: "k" } });
    const short = Buffer.from(record.subarray(0, 4 + (cut % (record.length - 3))));
    short.writeInt32BE(short.length, 0);
    return short;
  }),
);

// ---- the properties, by name (a worker runs one) ----

const properties: Record<string, () => void> = {
  "decodeCommands: random bytes"() {
    fc.assert(
      fc.property(bytes(512), (input) => decodeChecked(input)),
      settings(20_000),
    );
  },
  "decodeCommands: valid frames round-trip, mutated ones fail cleanly"() {
    fc.assert(
      fc.property(command, fc.array(mutation, { maxLength: 4 }), (c, mutations) => {
        const frame = encodeCommand(c);
        const [back] = timed(
          "decodeCommands",
          () => decodeCommands(frame),
          () => false,
        )!.commands;
        assert.deepEqual([back?.code, back?.opaque, back?.flag, back?.body], [c.code, c.opaque, c.flag, c.body]);
        assert.deepEqual(Object.entries(back?.extFields ?? {}), Object.entries(c.extFields));
        decodeChecked(mutate(frame, mutations));
      }),
      settings(20_000),
    );
  },
  "decodeCommands: binary header lengths negative, zero or huge"() {
    const lengths = fc.record({ remark: nastyInt, fields: nastyInt, key: nastyInt, value: nastyInt });
    fc.assert(
      fc.property(lengths, bytes(64), (l, content) => decodeChecked(binaryFrame(l, content))),
      settings(20_000),
    );
  },
  "parseFastjson: JSON-like text, mutated JSON, deep nesting"() {
    const alphabet = fc.constantFrom(...'{}[]":,-+.eE0123456789 \t\nrutlfasn\\_op'.split(""));
    const text = fc.oneof(
      fc.string({ unit: alphabet, maxLength: 200 }),
      fc
        .tuple(fc.json(), fc.array(fc.tuple(fc.nat(), fc.string({ unit: alphabet, maxLength: 3 }), fc.nat({ max: 3 })), { maxLength: 4 }))
        .map(([json, edits]) =>
          edits.reduce(
            (s, [at, insert, remove]) => s.slice(0, at % (s.length + 1)) + insert + s.slice((at % (s.length + 1)) + remove),
            json,
          ),
        ),
      fc
        .tuple(fc.integer({ min: 0, max: 300 }), fc.constantFrom("[", '{"a":', "{{", '{"__proto__":'))
        .map(([n, open]) => open.repeat(n) + "1"),
      // Computed keys: a literal `__proto__:` would set the prototype instead of making a key.
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ ["__proto__"]: v, nested: { ["__proto__"]: { polluted: 1 } } })),
    );
    fc.assert(
      fc.property(text, (t) => {
        const parsed = timed(
          "parseFastjson",
          () => parseFastjson(t),
          (e) => e instanceof FastjsonError,
        );
        assertPlainTree(parsed);
      }),
      settings(20_000),
    );
    // Standard JSON reads as JSON.parse reads it.
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const t = JSON.stringify(v);
        assert.deepEqual(parseFastjson(t), JSON.parse(t));
      }),
      settings(2_000),
    );
  },
  "parseCursor (the console's messages-by-time cursor): any text ends quickly, read or refused with a 400"() {
    const part = fc
      .tuple(fc.stringMatching(/^[a-z%|_.:-]{1,12}$/), fc.nat(2000), fc.nat())
      .map(([broker, queue, offset]) => `${broker}/${queue}=${offset}`);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 2000 }),
          fc.array(part, { maxLength: 50 }).map((p) => p.join(",")),
        ),
        (text) => {
          const read = timed(
            "parseCursor",
            () => parseCursor(text),
            (e) => (e as { statusCode?: number }).statusCode === 400,
          );
          for (const offset of read?.values() ?? []) assert.ok(Number.isSafeInteger(offset) && offset >= 0);
        },
      ),
      settings(20_000),
    );
  },
  "decodeTrace (a trace message's body, written by any client): any text ends quickly, never throws, bounded events"() {
    const field = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom("Pub", "SubBefore", "SubAfter", "EndTransaction", "true", "-1", "99"),
    );
    const event = fc.array(field, { maxLength: 20 }).map((f) => f.join("\u0001"));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 3000 }),
          fc.array(event, { maxLength: 40 }).map((e) => e.join("\u0002")),
        ),
        (text) => {
          const events = timed(
            "decodeTrace",
            () => decodeTrace(text),
            () => false,
          )!;
          assert.ok(events.length <= 1000);
          for (const e of events) {
            for (const v of Object.values(e)) {
              if (typeof v === "string") assert.ok(v.length <= 512);
              if (typeof v === "number") assert.ok(Number.isSafeInteger(v));
            }
          }
        },
      ),
      settings(20_000),
    );
  },
  "decodeMessages: random bytes and records cut short end quickly, refused with the decoder's own error"() {
    // Not Buffer's RangeError (a field read past the end) nor a TypeError (an IPv6 host cut short).
    fc.assert(
      fc.property(
        messageInput,
        (input) =>
          void timed(
            "decodeMessages",
            () => decodeMessages(input, { maxInflatedBytes: 4096 }),
            (e) => e instanceof MessageDecodeError,
          ),
      ),
      settings(20_000),
    );
  },
  "decodeMessages: compressed flags over garbage and bombs never throw, and inflate no more than the limit"() {
    const sysFlag = fc
      .tuple(fc.integer({ min: 0, max: 7 }), fc.boolean(), fc.integer({ min: 0, max: 3 }))
      .map(([type, compressed, v6]) => (type << 8) | (compressed ? 1 : 0) | (v6 << 4));
    fc.assert(
      fc.property(
        sysFlag,
        compressedBody,
        fc.integer({ min: 1, max: 64 * 1024 }),
        fc.array(fc.tuple(key, fc.string({ maxLength: 8 })), { maxLength: 4 }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (flag, body, limit, pairs, commitLogOffset) => {
          const properties = Object.fromEntries(pairs.filter(([k]) => !/[\u0001\u0002]/.test(k)));
          const record = storedRecord({ sysFlag: flag, body: body.stored, topic: "T", properties, commitLogOffset });
          const [m] = timed(
            "decodeMessages",
            () => decodeMessages(record, { maxInflatedBytes: limit }),
            () => false,
          )!;
          assert.ok(m);
          if (!(flag & 1)) return assert.ok(m.body.equals(body.stored), "an uncompressed body is as stored");
          if (m.compressed) {
            assert.ok(m.body.equals(body.stored));
            assert.match(m.bodyNote ?? "", new RegExp(`^compressed \\(${m.compressed}\\), ${body.stored.length} bytes; `));
          } else {
            assert.ok(m.body.length <= limit, `inflated ${m.body.length} bytes past the ${limit}-byte limit`);
            if ("inflated" in body) assert.equal(m.body.length, body.inflated);
          }
          assertPlainTree(m.properties);
          // Every named property comes back, "__proto__" included; the offset id holds the offset exactly.
          delete properties[""];
          assert.deepEqual(m.properties, properties);
          assert.equal(m.offsetMsgId.slice(-16), BigInt.asUintN(64, commitLogOffset).toString(16).padStart(16, "0").toUpperCase());
        },
      ),
      settings(3_000),
    );
  },
  "cookieValue and basicCredentials: any header"() {
    const header = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(..."%=; ,\"'aZ09%E0%A4%zz%%".split("")), maxLength: 200 }),
      fc
        .tuple(
          fc.constantFrom("Basic ", "basic  ", "Basic\t", "Bearer "),
          fc.oneof(
            bytes(200).map((b) => b.toString("base64")),
            fc.string({ maxLength: 200 }),
          ),
        )
        .map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(header, fc.constantFrom("rmq_console_session", "a", "", "__proto__"), (h, name) => {
        // Neither may throw: a request's headers are the client's to choose (a bad % escape included).
        timed(
          "cookieValue",
          () => cookieValue(h, name),
          () => false,
        );
        timed(
          "basicCredentials",
          () => basicCredentials(h),
          () => false,
        );
      }),
      settings(20_000),
    );
  },
};

if (isMainThread) {
  // Found in review, not by a property: a bomb's work did not count when it went over the per-body limit.
  test("decodeMessages: inflating past the per-body limit is charged to the answer's budget, so bombs stop being tried", () => {
    const mib = 1024 * 1024;
    const bomb = zlib.deflateSync(Buffer.alloc(mib + 1));
    const small = zlib.deflateSync(Buffer.from("hello"));
    const records = [...Array<Buffer>(50).fill(bomb), small].map((body) => storedRecord({ sysFlag: 1, body, topic: "T", properties: {} }));
    const decoded = decodeMessages(Buffer.concat(records), { maxInflatedBytes: mib, maxInflatedAnswerBytes: 2 * mib });
    // Two bombs spend the 2 MiB budget; the rest, and the small body after them, are not inflated at all.
    assert.deepEqual(
      decoded.map((m) => m.bodyNote?.replace(/^compressed \(zlib\), \d+ bytes; /, "") ?? m.body.toString()),
      [
        ...Array<string>(2).fill("over the 1 MiB display limit"),
        ...Array<string>(49).fill("over what is left of the answer's 2 MiB display budget"),
      ],
    );
  });

  for (const name of Object.keys(properties)) {
    test(name, async () => {
      const before = prototypeSnapshot();
      const worker = new Worker(new URL(import.meta.url), { workerData: { property: name } });
      const outcome = await new Promise<{ ok: true } | { ok: false; error: string }>((resolve) => {
        const deadline = setTimeout(() => {
          void worker.terminate();
          resolve({ ok: false, error: `the property did not end within ${PROPERTY_DEADLINE_MS} ms: an input hangs` });
        }, PROPERTY_DEADLINE_MS);
        worker.once("message", (m: { ok: true } | { ok: false; error: string }) => {
          clearTimeout(deadline);
          resolve(m);
        });
        worker.once("error", (e) => {
          clearTimeout(deadline);
          resolve({ ok: false, error: e.stack ?? String(e) });
        });
      });
      await worker.terminate();
      if (!outcome.ok) assert.fail(outcome.error);
      assertPrototypesUntouched(before);
    });
  }
} else {
  const { property } = workerData as { property: string };
  const before = prototypeSnapshot();
  try {
    properties[property]!();
    assertPrototypesUntouched(before);
    parentPort!.postMessage({ ok: true });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: (e as Error).message });
  }
}
