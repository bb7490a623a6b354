// RocketMQ remoting over TCP: frames of `i32 length | i32 (serializeType<<24 | headerLength) | header | body`,
// JSON headers, responses matched to requests by `opaque`.
import { Socket } from "node:net";

export const RequestCode = {
  UPDATE_AND_CREATE_TOPIC: 17,
  GET_BROKER_RUNTIME_INFO: 28,
  GET_ROUTEINFO_BY_TOPIC: 105,
  GET_BROKER_CLUSTER_INFO: 106,
} as const;

export interface RemotingResponse {
  code: number;
  remark?: string;
  extFields?: Record<string, string>;
  body: Buffer;
}

const RESPONSE_FLAG = 1;
let nextOpaque = 1;

export function encodeRequest(code: number, opaque: number, extFields: Record<string, string> = {}, body?: Buffer): Buffer {
  const header = Buffer.from(
    JSON.stringify({ code, language: "JAVA", version: 479, opaque, flag: 0, extFields, serializeTypeCurrentRPC: "JSON" }),
  );
  const bodyLength = body?.length ?? 0;
  const frame = Buffer.alloc(8 + header.length + bodyLength);
  frame.writeInt32BE(4 + header.length + bodyLength, 0);
  frame.writeInt32BE(header.length & 0xffffff, 4);
  header.copy(frame, 8);
  body?.copy(frame, 8 + header.length);
  return frame;
}

/** Splits a byte stream into frames; returns the frames found and the unconsumed rest. */
export function decodeFrames(buffer: Buffer): { frames: { header: Record<string, unknown>; body: Buffer }[]; rest: Buffer } {
  const frames: { header: Record<string, unknown>; body: Buffer }[] = [];
  let offset = 0;
  while (buffer.length - offset >= 4) {
    const length = buffer.readInt32BE(offset);
    if (buffer.length - offset - 4 < length) break;
    const mark = buffer.readInt32BE(offset + 4);
    const serializeType = (mark >>> 24) & 0xff;
    const headerLength = mark & 0xffffff;
    if (serializeType !== 0) throw new Error(`unsupported serialize type ${serializeType} (expected JSON)`);
    const headerText = buffer.toString("utf8", offset + 8, offset + 8 + headerLength);
    const body = buffer.subarray(offset + 8 + headerLength, offset + 4 + length);
    frames.push({ header: JSON.parse(headerText) as Record<string, unknown>, body: Buffer.from(body) });
    offset += 4 + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

/** One request on a fresh connection: enough for health checks and diagnostics. */
export function request(
  address: string,
  code: number,
  options: { extFields?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RemotingResponse> {
  const [host, port] = splitAddress(address);
  const opaque = nextOpaque++;
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let pending: Buffer = Buffer.alloc(0);
    const done = (err: Error | undefined, response?: RemotingResponse): void => {
      socket.destroy();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(response!);
    };
    const timer = setTimeout(() => done(new Error(`${address}: no answer within ${options.timeoutMs ?? 3000} ms`)), options.timeoutMs ?? 3000);
    socket.on("error", (e) => done(new Error(`${address}: ${e.message}`)));
    socket.on("close", () => done(new Error(`${address}: connection closed before the response`)));
    socket.on("data", (chunk) => {
      try {
        const { frames, rest } = decodeFrames(Buffer.concat([pending, chunk]));
        pending = rest;
        for (const { header, body } of frames) {
          if (header.opaque === opaque && (Number(header.flag) & RESPONSE_FLAG) === RESPONSE_FLAG) {
            done(undefined, {
              code: Number(header.code),
              remark: header.remark as string | undefined,
              extFields: header.extFields as Record<string, string> | undefined,
              body,
            });
          }
        }
      } catch (e) {
        done(e as Error);
      }
    });
    socket.connect(port, host, () => socket.write(encodeRequest(code, opaque, options.extFields)));
  });
}

export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
