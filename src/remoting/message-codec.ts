// The stored-message format, written from RocketMQ's MessageDecoder: the records brokers answer with, the
// property string, offset message ids, and bounded decompression of bodies. Pure: no I/O (messages.ts asks the
// brokers), so it is fuzzed and tested without a broker.
import * as zlib from "node:zlib";
import { setOwn } from "./codec.ts";

const NAME_VALUE = "\u0001";
const PROPERTY = "\u0002";
/** sysFlag bits (MessageSysFlag). */
const COMPRESSED = 0x1;
/** Bits 8–10 name the compression of a compressed body (5.x); 0, as 4.x writes, means zlib. */
const COMPRESSION_TYPE = 0x700;
const COMPRESSION_NAMES: Record<number, Compression> = { 0: "zlib", 1: "lz4", 2: "zstd", 3: "zlib" };
const BORNHOST_V6 = 0x10;
const STOREHOST_V6 = 0x20;
/** MessageDecoder's magic codes: v2 writes the topic length in two bytes instead of one. */
const MAGIC_V2 = -626843477;

export interface DecodedMessage {
  topic: string;
  brokerName?: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  storeTimestamp: number;
  bornHost: string;
  storeHost: string;
  /** The broker's id: store host and commit log offset (what VIEW_MESSAGE_BY_ID takes). */
  offsetMsgId: string;
  /** The producer's id (UNIQ_KEY), else offsetMsgId. */
  msgId: string;
  keys: string[];
  tags?: string;
  reconsumeTimes: number;
  properties: Record<string, string>;
  body: Buffer;
  /**
   * Set when the body is still compressed: a codec Node lacks (LZ4), a body that did not decompress, or one that
   * would inflate past the limit (MAX_INFLATED_BODY_BYTES); `body` is then the stored bytes.
   */
  compressed?: Compression;
  /** Why a compressed body was left so, with its size: "compressed (zlib), 1048576 bytes; over the 4 MiB display limit". */
  bodyNote?: string;
  /** The body's full size when `body` holds only its first bytes (a preview). */
  bodyBytes?: number;
}

export type Compression = "zlib" | "lz4" | "zstd";

/** Body bytes a message listing keeps per message by default (the console shows at most as many characters). */
export const PREVIEW_BYTES = 4096;

/**
 * The message with at most the first `bytes` of its body (copied: the whole body can then be freed) and the
 * body's full size in bodyBytes, for a listing to hold once it has looked at the whole body.
 */
export function previewOf(m: DecodedMessage, bytes: number): DecodedMessage {
  const body = m.body.length > bytes ? Buffer.from(m.body.subarray(0, bytes)) : m.body;
  return { ...m, body, bodyBytes: m.bodyBytes ?? m.body.length };
}

/**
 * How far a stored body is inflated, by default. A body that would inflate further stays compressed: inflating a
 * 1 MiB bomb to 1 GiB would block the event loop for seconds and take GiBs of memory.
 */
export const MAX_INFLATED_BODY_BYTES = 4 * 1024 * 1024;

/** How much all the bodies of one answer may inflate to together: a frame holds many small bombs. */
export const MAX_INFLATED_ANSWER_BYTES = 16 * 1024 * 1024;

export interface DecodeMessageOptions {
  /** Default MAX_INFLATED_BODY_BYTES. */
  maxInflatedBytes?: number;
  /** Default MAX_INFLATED_ANSWER_BYTES. */
  maxInflatedAnswerBytes?: number;
}

type Inflate = (b: Buffer, options: { maxOutputLength: number }) => Buffer;
/** Zstandard in node:zlib since Node 22.15 (maxOutputLength included); typed loosely so older typings still compile. */
const zstdDecompressSync = (zlib as unknown as { zstdDecompressSync?: Inflate }).zstdDecompressSync;
const INFLATE: Partial<Record<Compression, Inflate>> = {
  zlib: zlib.inflateSync,
  ...(zstdDecompressSync ? { zstd: zstdDecompressSync } : {}),
};

const mib = (bytes: number): string => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`);

/**
 * A stored body as the producer sent it, or, with the codec named and a note saying why, as stored: Node cannot
 * decompress it (LZ4; nothing is inflated then), it is corrupt, or it inflates past `maxInflatedBytes` (the
 * inflater stops there, so a bomb costs no more than the limit). `inflated` is the work done, to charge to the
 * answer's budget: the body's size, or the limit when the inflater gave up (it may have got that far).
 */
function decompress(
  body: Buffer,
  sysFlag: number,
  maxInflatedBytes: number,
  overLimit = `over the ${mib(maxInflatedBytes)} display limit`,
): { body: Buffer; compressed?: Compression; bodyNote?: string; inflated: number } {
  if (!(sysFlag & COMPRESSED)) return { body, inflated: 0 };
  const codec = COMPRESSION_NAMES[(sysFlag & COMPRESSION_TYPE) >> 8] ?? "zlib";
  const kept = (why: string, inflated = maxInflatedBytes) => ({
    body,
    compressed: codec,
    bodyNote: `compressed (${codec}), ${body.length} bytes; ${why}`,
    inflated,
  });
  const inflate = INFLATE[codec];
  if (!inflate) return kept(codec === "lz4" ? "the console has no LZ4 decoder" : `this Node has no ${codec} decoder`, 0);
  // A spent budget is not tried at all: even a one-byte limit costs an inflater's first chunk.
  if (maxInflatedBytes <= 0) return kept(overLimit, 0);
  try {
    const inflated = inflate(body, { maxOutputLength: maxInflatedBytes });
    return { body: inflated, inflated: inflated.length };
  } catch (e) {
    // A body that does not inflate must not hide the rest of the answer: it is shown as stored.
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return kept(overLimit);
    return kept(`does not decompress (${(e as Error).message})`);
  }
}

/** True when `text` cannot go into the property string: it holds one of its separators. */
export function breaksProperties(text: string): boolean {
  return text.includes(NAME_VALUE) || text.includes(PROPERTY);
}

export function encodeProperties(properties: Record<string, string>): string {
  return Object.entries(properties)
    .map(([k, v]) => `${k}${NAME_VALUE}${v}${PROPERTY}`)
    .join("");
}

export function decodeProperties(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const pair of text.split(PROPERTY)) {
    const i = pair.indexOf(NAME_VALUE);
    // Names come from the peer: a "__proto__" one stays a property (an assignment would drop it).
    if (i > 0) setOwn(properties, pair.slice(0, i), pair.slice(i + 1));
  }
  return properties;
}

/**
 * The broker's message id: store IP (4 bytes, or 16 for an IPv6 store host), 4-byte port, 8-byte commit log
 * offset, in hex: 32 digits, or 56 with IPv6.
 */
export function offsetMsgId(storeHost: string, commitLogOffset: number | bigint): string {
  const i = storeHost.lastIndexOf(":");
  const ip = ipBytes(storeHost.slice(0, i).replace(/^\[|\]$/g, ""));
  const b = Buffer.alloc(ip.length + 12);
  b.set(ip);
  b.writeInt32BE(Number(storeHost.slice(i + 1)), ip.length);
  b.writeBigInt64BE(BigInt(commitLogOffset), ip.length + 4);
  return b.toString("hex").toUpperCase();
}

/** Dotted IPv4, or IPv6 (full or with `::`), as bytes. */
function ipBytes(ip: string): Buffer {
  if (!ip.includes(":")) return Buffer.from(ip.split(".").map(Number));
  const [head = "", tail] = ip.split("::");
  const groups = (s: string) => (s ? s.split(":") : []);
  const all =
    tail === undefined
      ? groups(head)
      : [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill("0"), ...groups(tail)];
  const b = Buffer.alloc(16);
  all.slice(0, 8).forEach((g, k) => b.writeUInt16BE(parseInt(g, 16) || 0, k * 2));
  return b;
}

export function parseOffsetMsgId(id: string): { address: string; commitLogOffset: number } | undefined {
  if (!/^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{56})$/.test(id)) return undefined;
  const b = Buffer.from(id, "hex");
  const ipLength = b.length - 12;
  // The same forms as the stored-message decoder writes hosts in.
  const ip = ipLength === 4 ? [...b.subarray(0, 4)].join(".") : b.subarray(0, 16).toString("hex").match(/.{4}/g)!.join(":");
  return { address: `${ip}:${b.readInt32BE(ipLength)}`, commitLogOffset: Number(b.readBigInt64BE(ipLength + 4)) };
}

/** A stored-message record that is not what it claims: cut short, or with a length past its end. */
export class MessageDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MessageDecodeError";
  }
}

/** Decodes the stored-message records a broker answers with (QUERY_MESSAGE, VIEW_MESSAGE_BY_ID, PULL_MESSAGE). */
export function decodeMessages(buffer: Buffer, options: DecodeMessageOptions = {}): DecodedMessage[] {
  const maxInflatedBytes = options.maxInflatedBytes ?? MAX_INFLATED_BODY_BYTES;
  let budget = options.maxInflatedAnswerBytes ?? MAX_INFLATED_ANSWER_BYTES;
  const messages: DecodedMessage[] = [];
  let at = 0;
  while (at + 4 <= buffer.length) {
    const total = buffer.readInt32BE(at);
    if (total <= 0 || at + total > buffer.length)
      throw new MessageDecodeError(`stored message at byte ${at} claims ${total} bytes; ${buffer.length - at} left`);
    const limit =
      budget < maxInflatedBytes
        ? {
            bytes: Math.max(0, budget),
            over: `over what is left of the answer's ${mib(options.maxInflatedAnswerBytes ?? MAX_INFLATED_ANSWER_BYTES)} display budget`,
          }
        : { bytes: maxInflatedBytes };
    const { message: m, inflated } = decodeOne(buffer.subarray(at, at + total), limit);
    // Every attempt is charged, bombs and corrupt bodies included: thrown-away work is work all the same.
    budget -= inflated;
    messages.push(m);
    at += total;
  }
  return messages;
}

function decodeOne(b: Buffer, limit: { bytes: number; over?: string }): { message: DecodedMessage; inflated: number } {
  let p = 4;
  // Every field is checked against what is left of the record before it is read: lengths come from the peer.
  const need = (n: number, what: string) => {
    if (n < 0 || p + n > b.length)
      throw new MessageDecodeError(`stored message cut short: ${what} needs ${n} bytes at byte ${p} of ${b.length}`);
  };
  const int = () => (need(4, "a 4-byte field"), (p += 4), b.readInt32BE(p - 4));
  const bigLong = () => (need(8, "an 8-byte field"), (p += 8), b.readBigInt64BE(p - 8));
  const long = () => Number(bigLong());
  const host = (v6: boolean) => {
    need(v6 ? 16 : 4, "a host address");
    const ip = v6
      ? b
          .subarray(p, p + 16)
          .toString("hex")
          .match(/.{4}/g)!
          .join(":")
      : [...b.subarray(p, p + 4)].join(".");
    p += v6 ? 16 : 4;
    return `${ip}:${int()}`;
  };
  const magic = int();
  int(); // body CRC
  const queueId = int();
  int(); // flag
  const queueOffset = long();
  // Exact for the offset id: Number rounds an offset near 2^63 up past what 8 bytes hold.
  const commitLogOffset = bigLong();
  const sysFlag = int();
  const bornTimestamp = long();
  const bornHost = host((sysFlag & BORNHOST_V6) !== 0);
  const storeTimestamp = long();
  const storeHost = host((sysFlag & STOREHOST_V6) !== 0);
  const reconsumeTimes = int();
  long(); // prepared transaction offset
  const bodyLength = int();
  need(bodyLength, "the body");
  const { body, compressed, bodyNote, inflated } = decompress(Buffer.from(b.subarray(p, p + bodyLength)), sysFlag, limit.bytes, limit.over);
  p += bodyLength;
  need(magic === MAGIC_V2 ? 2 : 1, "the topic's length");
  const topicLength = magic === MAGIC_V2 ? ((p += 2), b.readUInt16BE(p - 2)) : ((p += 1), b.readUInt8(p - 1));
  need(topicLength, "the topic");
  const topic = b.toString("utf8", p, p + topicLength);
  p += topicLength;
  need(2, "the properties' length");
  const propertiesLength = b.readUInt16BE(p);
  p += 2;
  need(propertiesLength, "the properties");
  const properties = decodeProperties(b.toString("utf8", p, p + propertiesLength));
  const offsetId = offsetMsgId(storeHost, commitLogOffset);
  const message: DecodedMessage = {
    topic,
    queueId,
    queueOffset,
    commitLogOffset: Number(commitLogOffset),
    sysFlag,
    bornTimestamp,
    storeTimestamp,
    bornHost,
    storeHost,
    offsetMsgId: offsetId,
    msgId: properties.UNIQ_KEY ?? offsetId,
    keys: (properties.KEYS ?? "").split(" ").filter(Boolean),
    ...(properties.TAGS ? { tags: properties.TAGS } : {}),
    reconsumeTimes,
    properties,
    body,
    ...(compressed ? { compressed, bodyNote } : {}),
  };
  return { message, inflated };
}
