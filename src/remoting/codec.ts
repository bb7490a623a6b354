// RocketMQ remoting frames: `i32 length | i32 (serializeType<<24 | headerLength) | header | body`.
// The header is JSON (serializeType 0, what Java clients send by default) or RocketMQ's binary form
// (serializeType 1, RocketMQSerializable, chosen by clients with rocketmq.serialize.type=ROCKETMQ). Servers
// read both; a 5.5 broker answered a binary request with a JSON header (test/unit/fixtures/remoting), but a
// server configured for binary answers in binary, so both are read here too.

export const SerializeType = { JSON: 0, ROCKETMQ: 1 } as const;
export type SerializeTypeName = keyof typeof SerializeType;

/** Bit 0 of `flag`: a response; bit 1: one-way. */
export const RESPONSE_FLAG = 1;
export const ONEWAY_FLAG = 2;

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

export function encodeCommand(command: Omit<RemotingCommand, "serializeType" | "body"> & { body?: Buffer; serializeType?: SerializeTypeName }): Buffer {
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
  const header: Record<string, unknown> = { code: c.code, language: c.language ?? "JAVA", version: c.version ?? CLIENT_VERSION, opaque: c.opaque, flag: c.flag };
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

/** Splits a byte stream into commands; returns those complete and the unconsumed rest (a partial frame). */
export function decodeCommands(buffer: Buffer): { commands: RemotingCommand[]; rest: Buffer } {
  const commands: RemotingCommand[] = [];
  let offset = 0;
  while (buffer.length - offset >= 4) {
    const length = buffer.readInt32BE(offset);
    if (length < 4 || length > 64 * 1024 * 1024) throw new Error(`remoting frame of ${length} bytes: not a RocketMQ remoting stream`);
    if (buffer.length - offset - 4 < length) break;
    const mark = buffer.readUInt32BE(offset + 4);
    const serializeType = (mark >>> 24) & 0xff;
    const headerLength = mark & 0xffffff;
    if (headerLength > length - 4) throw new Error(`remoting header of ${headerLength} bytes in a frame of ${length}`);
    const header = buffer.subarray(offset + 8, offset + 8 + headerLength);
    const body = Buffer.from(buffer.subarray(offset + 8 + headerLength, offset + 4 + length));
    if (serializeType === SerializeType.JSON) commands.push({ ...decodeJsonHeader(header), body, serializeType: "JSON" });
    else if (serializeType === SerializeType.ROCKETMQ) commands.push({ ...decodeBinaryHeader(header), body, serializeType: "ROCKETMQ" });
    else throw new Error(`unknown remoting serialize type ${serializeType}`);
    offset += 4 + length;
  }
  return { commands, rest: buffer.subarray(offset) };
}

function decodeJsonHeader(header: Buffer): Omit<RemotingCommand, "body" | "serializeType"> {
  const h = JSON.parse(header.toString("utf8")) as Record<string, unknown>;
  return {
    code: Number(h.code),
    language: h.language as string | undefined,
    version: h.version as number | undefined,
    opaque: Number(h.opaque),
    flag: Number(h.flag ?? 0),
    remark: (h.remark as string | null | undefined) ?? undefined,
    extFields: (h.extFields as Record<string, string> | null | undefined) ?? undefined,
  };
}

function decodeBinaryHeader(h: Buffer): Omit<RemotingCommand, "body" | "serializeType"> {
  let o = 0;
  const need = (n: number): void => {
    if (o + n > h.length) throw new Error(`binary remoting header cut short at byte ${o} of ${h.length}`);
  };
  need(13);
  const code = h.readInt16BE(o);
  const language = LANGUAGES[h.readUInt8(o + 2)] ?? "OTHER";
  const version = h.readInt16BE(o + 3);
  const opaque = h.readInt32BE(o + 5);
  const flag = h.readInt32BE(o + 9);
  o += 13;
  need(4);
  const remarkLength = h.readInt32BE(o);
  o += 4;
  need(remarkLength);
  const remark = remarkLength > 0 ? h.toString("utf8", o, o + remarkLength) : undefined;
  o += remarkLength;
  need(4);
  const fieldsLength = h.readInt32BE(o);
  o += 4;
  const end = o + fieldsLength;
  need(fieldsLength);
  const extFields: Record<string, string> = {};
  while (o < end) {
    need(2);
    const kLength = h.readInt16BE(o);
    o += 2;
    need(kLength + 4);
    const key = h.toString("utf8", o, o + kLength);
    o += kLength;
    const vLength = h.readInt32BE(o);
    o += 4;
    need(vLength);
    extFields[key] = h.toString("utf8", o, o + vLength);
    o += vLength;
  }
  return { code, language, version, opaque, flag, remark, extFields: fieldsLength > 0 ? extFields : undefined };
}
