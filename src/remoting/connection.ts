// A remoting connection that carries many requests at once, matched to responses by `opaque`, each with its
// own timeout; and a client that keeps one connection per address and opens a new one after a close.
//
// The peer is not trusted: a frame over the cap closes the connection as soon as its length prefix is in, bytes
// that are not remoting close it too (its requests fail with the reason), receiving is linear in the bytes
// received, and a peer that stops answering, or trickles a frame, is not read any longer than the requests wait.
import { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { splitAddress } from "./address.ts";
import { signedExtFields, type Credentials } from "./auth.ts";
import {
  MAX_FRAME_BYTES,
  RESPONSE_FLAG,
  decodeCommands,
  encodeCommand,
  frameSize,
  type RemotingCommand,
  type SerializeTypeName,
} from "./codec.ts";

export interface RemotingResponse {
  code: number;
  remark?: string;
  extFields?: Record<string, string>;
  body: Buffer;
}

/** Whatever sends a request to an address: a pooled RemotingClient, or `oneShot` (client.ts) for a single request. */
export interface Requester {
  request(address: string, code: number, options?: RequestOptions): Promise<RemotingResponse>;
}

export interface RequestOptions {
  extFields?: Record<string, string>;
  body?: Buffer;
  timeoutMs?: number;
  serializeType?: SerializeTypeName;
  /** Signs the request (ACL): brokers and proxies with authentication on refuse unsigned ones. */
  credentials?: Credentials;
}

export class RemotingTimeoutError extends Error {
  constructor(address: string, code: number, timeoutMs: number) {
    super(`${address}: no answer to request code ${code} within ${timeoutMs} ms`);
    this.name = "RemotingTimeoutError";
  }
}

export class RemotingConnectionError extends Error {
  constructor(address: string, reason: string, options?: ErrorOptions) {
    super(`${address}: ${reason}`, options);
    this.name = "RemotingConnectionError";
  }
}

export interface ConnectionOptions {
  /** The largest frame accepted, length prefix included; default MAX_FRAME_BYTES (16 MiB, RocketMQ's own cap). */
  maxFrameBytes?: number;
  /**
   * TLS to the peer (TLS_MODE permissive or enforcing). With `ca`, the peer's certificate chain must lead to it;
   * the name in the certificate is not checked, as RocketMQ's own clients do not (brokers advertise addresses that
   * change with their containers). Without `ca`, any certificate is accepted: encryption without authentication.
   */
  tls?: { ca?: string | Buffer };
}

let nextOpaque = 1;

interface Pending {
  resolve(r: RemotingResponse): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  /** How many answers the connection had received when the request was made. */
  answersBefore: number;
}

/** Chunks below this size are copied together, so that a peer sending a byte at a time does not pile up one Buffer per byte. */
const SMALL_CHUNK = 4 * 1024;
const MERGE_BLOCK = 64 * 1024;

/**
 * Received bytes, kept as the chunks they came in and joined once, when the frame they belong to is complete:
 * joining on every chunk instead copies a large frame over and over (quadratic; 10 s for 32 MiB).
 */
class ReceiveBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private block: Buffer | undefined;
  private blockUsed = 0;
  /** The size of the frame being received, once its length prefix is in. */
  private frameBytes: number | undefined;
  private readonly maxFrameBytes: number;

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Adds a chunk. Returns everything received once the current frame is complete (whole frames and perhaps the
   * start of the next one), else undefined. Throws RemotingProtocolError as soon as a length prefix is over the cap.
   */
  add(chunk: Buffer): Buffer | undefined {
    if (chunk.length < SMALL_CHUNK) this.merge(chunk);
    else {
      this.flushBlock();
      this.chunks.push(chunk);
    }
    this.bytes += chunk.length;
    if (this.frameBytes === undefined) {
      if (this.bytes < 4) return undefined;
      this.frameBytes = frameSize(this.prefix(), 0, this.maxFrameBytes);
    }
    if (this.bytes < this.frameBytes) return undefined;
    this.flushBlock();
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    this.frameBytes = undefined;
    return all;
  }

  private merge(chunk: Buffer): void {
    if (this.block && MERGE_BLOCK - this.blockUsed < chunk.length) this.flushBlock();
    this.block ??= Buffer.allocUnsafe(MERGE_BLOCK);
    this.blockUsed += chunk.copy(this.block, this.blockUsed);
  }

  private flushBlock(): void {
    if (!this.block || this.blockUsed === 0) return;
    if (this.blockUsed === MERGE_BLOCK) {
      this.chunks.push(this.block);
      this.block = undefined;
    } else {
      // A copy of the part in use: the block is reused, and a few bytes must not hold on to all of it.
      this.chunks.push(Buffer.from(this.block.subarray(0, this.blockUsed)));
    }
    this.blockUsed = 0;
  }

  /** The first 4 bytes received, wherever they lie. */
  private prefix(): Buffer {
    const head = Buffer.alloc(4);
    let n = 0;
    for (const c of this.chunks) {
      n += c.copy(head, n, 0, Math.min(c.length, 4 - n));
      if (n === 4) return head;
    }
    this.block?.copy(head, n, 0, 4 - n);
    return head;
  }
}

export class RemotingConnection {
  readonly address: string;
  private readonly socket: Socket;
  private readonly pending = new Map<number, Pending>();
  private readonly connected: Promise<void>;
  private readonly maxFrameBytes: number;
  private readonly received: ReceiveBuffer;
  /** Responses that matched a waiting request; late answers to requests that timed out do not count. */
  private answersReceived = 0;
  private closedBecause: Error | undefined;

  constructor(address: string, connectTimeoutMs = 3000, options: ConnectionOptions = {}) {
    this.address = address;
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.received = new ReceiveBuffer(this.maxFrameBytes);
    const [host, port] = splitAddress(address);
    const tls = options.tls;
    this.socket = tls
      ? tlsConnect({ host, port, ca: tls.ca, rejectUnauthorized: tls.ca !== undefined, checkServerIdentity: () => undefined })
      : new Socket();
    this.socket.setNoDelay(true);
    this.connected = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.close(new RemotingConnectionError(address, `no connection within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      this.socket.once(tls ? "secureConnect" : "connect", () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.once("close", () => {
        clearTimeout(timer);
        reject(this.closedBecause ?? new RemotingConnectionError(address, "connection closed"));
      });
    });
    this.connected.catch(() => undefined);
    this.socket.on("error", (e) => this.close(new RemotingConnectionError(address, e.message)));
    this.socket.on("close", () => this.close(new RemotingConnectionError(address, "connection closed")));
    this.socket.on("data", (chunk) => this.receive(chunk));
    if (!tls) this.socket.connect(port, host);
  }

  get closed(): boolean {
    return this.closedBecause !== undefined;
  }

  /** Sends one request; resolves with its response, or rejects on timeout or when the connection closes. */
  async request(code: number, options: RequestOptions = {}): Promise<RemotingResponse> {
    if (this.closedBecause) throw this.closedBecause;
    const timeoutMs = options.timeoutMs ?? 3000;
    const opaque = nextOpaque++ & 0x7fffffff;
    const response = new Promise<RemotingResponse>((resolve, reject) => {
      const timer = setTimeout(() => this.timedOut(opaque, code, timeoutMs), timeoutMs);
      this.pending.set(opaque, { resolve, reject, timer, answersBefore: this.answersReceived });
    });
    // A refused connect rejects the request before the caller awaits it: marked handled here, the caller still sees it.
    response.catch(() => undefined);
    try {
      await this.connected;
    } catch (e) {
      this.settle(opaque)?.reject(e as Error);
      return response;
    }
    // Closed while connecting (a protocol error, a timeout): the request was rejected already.
    if (this.closedBecause) return response;
    const extFields = options.credentials ? signedExtFields(options.extFields, options.body, options.credentials) : options.extFields;
    this.socket.write(encodeCommand({ code, opaque, flag: 0, extFields, body: options.body, serializeType: options.serializeType }));
    return response;
  }

  close(reason: Error = new RemotingConnectionError(this.address, "closed by the client")): void {
    if (this.closedBecause) return;
    this.closedBecause = reason;
    this.socket.destroy();
    for (const opaque of [...this.pending.keys()]) this.settle(opaque)?.reject(reason);
  }

  /**
   * A request without an answer in time fails. When no request at all was answered since it was made, the
   * connection closes as well, failing the others: the peer stopped answering, or is trickling a frame that
   * every answer queues behind, and must not be read on. The client opens a new connection next time.
   */
  private timedOut(opaque: number, code: number, timeoutMs: number): void {
    const p = this.settle(opaque);
    if (!p) return;
    const error = new RemotingTimeoutError(this.address, code, timeoutMs);
    p.reject(error);
    if (this.answersReceived === p.answersBefore) {
      this.close(
        new RemotingConnectionError(this.address, `closed: no answer to request code ${code} within ${timeoutMs} ms`, { cause: error }),
      );
    }
  }

  private receive(chunk: Buffer): void {
    if (this.closedBecause) return;
    let commands: RemotingCommand[];
    try {
      const frames = this.received.add(chunk);
      if (!frames) return;
      const decoded = decodeCommands(frames, { maxFrameBytes: this.maxFrameBytes });
      commands = decoded.commands;
      // The start of the next frame, shorter than the chunk it came in: copied, so as not to hold the whole join.
      if (decoded.rest.length) this.received.add(Buffer.from(decoded.rest));
    } catch (e) {
      const reason = `not a RocketMQ remoting peer (${(e as Error).message}); connection closed`;
      this.close(new RemotingConnectionError(this.address, reason, { cause: e }));
      return;
    }
    for (const c of commands) {
      // Requests from the server (e.g. a broker asking a client for its running info) are not answered here.
      if ((c.flag & RESPONSE_FLAG) !== RESPONSE_FLAG) continue;
      const p = this.settle(c.opaque);
      if (!p) continue;
      this.answersReceived++;
      p.resolve({ code: c.code, remark: c.remark, extFields: c.extFields, body: c.body });
    }
  }

  private settle(opaque: number): Pending | undefined {
    const p = this.pending.get(opaque);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(opaque);
    return p;
  }
}

/** One connection per address, opened on first use and again after it closed. */
export class RemotingClient implements Requester {
  private readonly connections = new Map<string, RemotingConnection>();
  private readonly defaultTimeoutMs: number;
  private readonly credentials: Credentials | undefined;
  private readonly connectionOptions: ConnectionOptions;

  /** `credentials` sign every request unless a request brings its own. */
  constructor(options: { timeoutMs?: number; credentials?: Credentials } & ConnectionOptions = {}) {
    this.defaultTimeoutMs = options.timeoutMs ?? 3000;
    this.credentials = options.credentials;
    this.connectionOptions = { maxFrameBytes: options.maxFrameBytes, tls: options.tls };
  }

  request(address: string, code: number, options: RequestOptions = {}): Promise<RemotingResponse> {
    let connection = this.connections.get(address);
    if (!connection || connection.closed) {
      connection = new RemotingConnection(address, options.timeoutMs ?? this.defaultTimeoutMs, this.connectionOptions);
      this.connections.set(address, connection);
    }
    return connection.request(code, { timeoutMs: this.defaultTimeoutMs, credentials: this.credentials, ...options });
  }

  close(): void {
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
  }
}
