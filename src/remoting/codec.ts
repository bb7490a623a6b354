// RocketMQ remoting frames: `i32 length | i32 (serializeType<<24 | headerLength) | header | body`.
// The header is JSON (serializeType 0, what Java clients send by default) or RocketMQ's binary form
// (serializeType 1, RocketMQSerializable, chosen by clients with rocketmq.serialize.type=ROCKETMQ). Servers
// read both; a 5.5 broker answered a binary request with a JSON header (test/unit/fixtures/remoting), but a
// server configured for binary answers in binary, so both are read here too.

export const SerializeType = { JSON: 0, ROCKETMQ: 1 } as const;
export type SerializeTypeName = keyof typeof SerializeType;

/** Bit 0 of `flag`: a response (bit 1, one-way, is never sent here). */
export const RESPONSE_FLAG = 1;

/** Language codes of RocketMQ's LanguageCode enum, by ordinal (the binary header carries the ordinal). */
const LANGUAGES = ["JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER", "HTTP", "GO", "PHP", "OMS", "RUST", "NODE_JS"];

export interface RemotingCommand {
  code: number;
  language?: string;
  version?: number;
  opaque: number;
  flag: number;
  remark?: string;
  extFields?: Record<string, string>;
  body: Buffer;
  serializeType: SerializeTypeName;
}

/** The `version` a request declares: RocketMQ 5.x's MQVersion ordinal for V5_5_0 (brokers accept older ones too). */
export const CLIENT_VERSION = 479;

export function encodeCommand(
  command: Omit<RemotingCommand, "serializeType" | "body"> & { body?: Buffer; serializeType?: SerializeTypeName },
): Buffer {
  const type = command.serializeType ?? "JSON";
  const header = type === "JSON" ? encodeJsonHeader(command) : encodeBinaryHeader(command);
  const body = command.body ?? Buffer.alloc(0);
  const frame = Buffer.alloc(8 + header.length + body.length);
  frame.writeInt32BE(4 + header.length + body.length, 0);
  frame.writeInt32BE(((SerializeType[type] << 24) | (header.length & 0xffffff)) >>> 0, 4);
  header.copy(frame, 8);
  body.copy(frame, 8 + header.length);
  return frame;
}

function encodeJsonHeader(c: Omit<RemotingCommand, "serializeType" | "body">): Buffer {
  const header: Record<string, unknown> = {
    code: c.code,
    language: c.language ?? "JAVA",
    version: c.version ?? CLIENT_VERSION,
    opaque: c.opaque,
    flag: c.flag,
  };
  if (c.remark !== undefined) header.remark = c.remark;
  header.extFields = c.extFields ?? {};
  header.serializeTypeCurrentRPC = "JSON";
  return Buffer.from(JSON.stringify(header));
}

function encodeBinaryHeader(c: Omit<RemotingCommand, "serializeType" | "body">): Buffer {
  const remark = c.remark === undefined ? undefined : Buffer.from(c.remark);
  const fields = Object.entries(c.extFields ?? {}).map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as const);
  const fieldsLength = fields.reduce((n, [k, v]) => n + 2 + k.length + 4 + v.length, 0);
  const out = Buffer.alloc(2 + 1 + 2 + 4 + 4 + 4 + (remark?.length ?? 0) + 4 + fieldsLength);
  let o = out.writeInt16BE(c.code, 0);
  o = out.writeUInt8(Math.max(0, LANGUAGES.indexOf(c.language ?? "JAVA")), o);
  o = out.writeInt16BE(c.version ?? CLIENT_VERSION, o);
  o = out.writeInt32BE(c.opaque, o);
  o = out.writeInt32BE(c.flag, o);
  o = out.writeInt32BE(remark?.length ?? 0, o);
  if (remark) o += remark.copy(out, o);
  o = out.writeInt32BE(fieldsLength, o);
  for (const [k, v] of fields) {
    o = out.writeInt16BE(k.length, o);
    o += k.copy(out, o);
    o = out.writeInt32BE(v.length, o);
    o += v.copy(out, o);
  }
  return out;
}

/**
 * What a frame may weigh, its length prefix included: RocketMQ's own cap (NettyDecoder's frameMaxLength default).
 * A peer announcing more is not speaking RocketMQ to us; refusing it early is what bounds the memory a hostile or
 * confused peer can make us hold.
 */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** The one error decoding throws: the bytes are not a RocketMQ remoting stream, whatever the reason. */
export class RemotingProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RemotingProtocolError";
  }
}

export interface DecodeOptions {
  /** Default MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
}

/**
 * The size of the frame starting at `offset` (length prefix included), read from its prefix alone, so that a
 * frame over the cap is refused before any of it is buffered. `buffer` must hold the 4 prefix bytes.
 */
export function frameSize(buffer: Buffer, offset = 0, maxFrameBytes = MAX_FRAME_BYTES): number {
  const length = buffer.readInt32BE(offset);
  // A frame holds at least the 4-byte serialize-type/header-length mark.
  if (length < 4 || length > maxFrameBytes - 4) {
    throw new RemotingProtocolError(
      `remoting frame of ${length} bytes: not a RocketMQ remoting stream (frames hold 4 to ${maxFrameBytes - 4} bytes)`,
    );
  }
  return 4 + length;
}

/**
 * Splits a byte stream into commands; returns those complete and the unconsumed rest (a partial frame). Throws
 * RemotingProtocolError, and nothing else, for bytes that are not RocketMQ remoting.
 */
export function decodeCommands(buffer: Buffer, options: DecodeOptions = {}): { commands: RemotingCommand[]; rest: Buffer } {
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  const commands: RemotingCommand[] = [];
  let offset = 0;
  while (buffer.length - offset >= 4) {
    const size = frameSize(buffer, offset, maxFrameBytes);
    if (buffer.length - offset < size) break;
    commands.push(decodeFrame(buffer.subarray(offset + 4, offset + size)));
    offset += size;
  }
  return { commands, rest: buffer.subarray(offset) };
}

/** One frame without its length prefix: the serialize-type/header-length mark, the header, the body. */
function decodeFrame(frame: Buffer): RemotingCommand {
  const mark = frame.readUInt32BE(0);
  const serializeType = mark >>> 24;
  const headerLength = mark & 0xffffff;
  if (headerLength > frame.length - 4)
    throw new RemotingProtocolError(`remoting header of ${headerLength} bytes in a frame of ${frame.length}`);
  const header = frame.subarray(4, 4 + headerLength);
  // A copy: the body outlives the receive buffer it arrived in.
  const body = Buffer.from(frame.subarray(4 + headerLength));
  if (serializeType === SerializeType.JSON) return { ...decodeJsonHeader(header), body, serializeType: "JSON" };
  if (serializeType === SerializeType.ROCKETMQ) return { ...decodeBinaryHeader(header), body, serializeType: "ROCKETMQ" };
  throw new RemotingProtocolError(`unknown remoting serialize type ${serializeType}`);
}

type Header = Omit<RemotingCommand, "body" | "serializeType">;

/**
 * Sets `key` as an own property even when it is "__proto__" (an assignment would replace the prototype instead),
 * so that keys a peer chose never change what an object inherits.
 */
export function setOwn(target: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function decodeJsonHeader(header: Buffer): Header {
  let parsed: unknown;
  try {
    parsed = JSON.parse(header.toString("utf8"));
  } catch (e) {
    throw new RemotingProtocolError(`JSON remoting header does not parse: ${(e as Error).message}`);
  }
  if (!isRecord(parsed)) throw new RemotingProtocolError(`JSON remoting header is ${kindOf(parsed)}, not an object`);
  const h = parsed;
  // Own properties only: nothing a header leaves out is read from Object.prototype.
  const field = (name: string): unknown => (Object.hasOwn(h, name) ? h[name] : undefined);
  const int = (name: string): number | undefined => {
    const v = field(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31)
      throw new RemotingProtocolError(`JSON remoting header: ${name} is ${kindOf(v)}, not a 32-bit integer`);
    return v;
  };
  const text = (name: string): string | undefined => {
    const v = field(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new RemotingProtocolError(`JSON remoting header: ${name} is ${kindOf(v)}, not a string`);
    return v;
  };
  const code = int("code");
  const opaque = int("opaque");
  if (code === undefined || opaque === undefined) throw new RemotingProtocolError("JSON remoting header without code or opaque");
  return {
    code,
    language: text("language"),
    version: int("version"),
    opaque,
    flag: int("flag") ?? 0,
    remark: text("remark"),
    extFields: jsonExtFields(field("extFields")),
  };
}

/** RocketMQ's extFields are a HashMap<String, String>: string values only (fastjson leaves null ones out; so do we). */
function jsonExtFields(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw new RemotingProtocolError(`JSON remoting header: extFields is ${kindOf(v)}, not an object`);
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(v)) {
    if (value === null) continue;
    if (typeof value !== "string")
      throw new RemotingProtocolError(`JSON remoting header: extFields.${key.slice(0, 64)} is ${kindOf(value)}, not a string`);
    setOwn(fields, key, value);
  }
  return fields;
}

/** A JSON object: not null, not an array. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** What a value is, for errors: never more than a number's digits of it. */
export const kindOf = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "number" ? String(v) : `a ${typeof v}`;

function decodeBinaryHeader(h: Buffer): Header {
  let o = 0;
  /**
   * Claims `n` bytes of what is left before `end` and returns where they start: a negative or oversized length
   * (a hostile one would move the position backwards and loop) is refused, and every field moves forward.
   */
  const take = (n: number, what: string, end = h.length): number => {
    if (n < 0 || n > end - o)
      throw new RemotingProtocolError(`binary remoting header: ${what} of ${n} bytes at byte ${o}, ${end - o} left`);
    o += n;
    return o - n;
  };
  const fixed = take(13, "the fixed fields");
  const code = h.readInt16BE(fixed);
  const language = LANGUAGES[h.readUInt8(fixed + 2)] ?? "OTHER";
  const version = h.readInt16BE(fixed + 3);
  const opaque = h.readInt32BE(fixed + 5);
  const flag = h.readInt32BE(fixed + 9);
  const remarkLength = h.readInt32BE(take(4, "the remark length"));
  const remarkAt = take(remarkLength, "a remark");
  const remark = remarkLength > 0 ? h.toString("utf8", remarkAt, o) : undefined;
  const fieldsLength = h.readInt32BE(take(4, "the ext fields length"));
  // The block is claimed whole, then read field by field within it.
  const fieldsAt = take(fieldsLength, "ext fields");
  const end = o;
  o = fieldsAt;
  const extFields: Record<string, string> = {};
  while (o < end) {
    const keyLength = h.readInt16BE(take(2, "a key length", end));
    const keyAt = take(keyLength, "a key", end);
    const key = h.toString("utf8", keyAt, o);
    const valueLength = h.readInt32BE(take(4, "a value length", end));
    const valueAt = take(valueLength, "a value", end);
    setOwn(extFields, key, h.toString("utf8", valueAt, o));
  }
  return { code, language, version, opaque, flag, remark, extFields: fieldsLength > 0 ? extFields : undefined };
}
