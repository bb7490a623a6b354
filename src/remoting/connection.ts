// A remoting connection that carries many requests at once, matched to responses by `opaque`, each with its
// own timeout; and a client that keeps one connection per address and opens a new one after a close.
import { Socket } from "node:net";
import { RESPONSE_FLAG, decodeCommands, encodeCommand, type RemotingCommand, type SerializeTypeName } from "./codec.ts";

export interface RemotingResponse {
  code: number;
  remark?: string;
  extFields?: Record<string, string>;
  body: Buffer;
}

export interface RequestOptions {
  extFields?: Record<string, string>;
  body?: Buffer;
  timeoutMs?: number;
  serializeType?: SerializeTypeName;
}

export class RemotingTimeoutError extends Error {
  constructor(address: string, code: number, timeoutMs: number) {
    super(`${address}: no answer to request code ${code} within ${timeoutMs} ms`);
    this.name = "RemotingTimeoutError";
  }
}

export class RemotingConnectionError extends Error {
  constructor(address: string, reason: string) {
    super(`${address}: ${reason}`);
    this.name = "RemotingConnectionError";
  }
}

let nextOpaque = 1;

interface Pending {
  resolve(r: RemotingResponse): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class RemotingConnection {
  readonly address: string;
  private readonly socket: Socket;
  private readonly pending = new Map<number, Pending>();
  private readonly connected: Promise<void>;
  private buffered: Buffer = Buffer.alloc(0);
  private closedBecause: Error | undefined;

  constructor(address: string, connectTimeoutMs = 3000) {
    this.address = address;
    const [host, port] = splitAddress(address);
    this.socket = new Socket();
    this.socket.setNoDelay(true);
    this.connected = new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.close(new RemotingConnectionError(address, `no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
      this.socket.once("connect", () => {
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
    this.socket.connect(port, host);
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
      const timer = setTimeout(() => {
        this.pending.delete(opaque);
        reject(new RemotingTimeoutError(this.address, code, timeoutMs));
      }, timeoutMs);
      this.pending.set(opaque, { resolve, reject, timer });
    });
    try {
      await this.connected;
    } catch (e) {
      this.settle(opaque)?.reject(e as Error);
      return response;
    }
    this.socket.write(encodeCommand({ code, opaque, flag: 0, extFields: options.extFields, body: options.body, serializeType: options.serializeType }));
    return response;
  }

  close(reason: Error = new RemotingConnectionError(this.address, "closed by the client")): void {
    if (this.closedBecause) return;
    this.closedBecause = reason;
    this.socket.destroy();
    for (const opaque of [...this.pending.keys()]) this.settle(opaque)?.reject(reason);
  }

  private receive(chunk: Buffer): void {
    let commands: RemotingCommand[];
    try {
      ({ commands, rest: this.buffered } = decodeCommands(this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk));
    } catch (e) {
      this.close(new RemotingConnectionError(this.address, (e as Error).message));
      return;
    }
    for (const c of commands) {
      // Requests from the server (e.g. a broker asking a client for its running info) are not answered here.
      if ((c.flag & RESPONSE_FLAG) !== RESPONSE_FLAG) continue;
      this.settle(c.opaque)?.resolve({ code: c.code, remark: c.remark, extFields: c.extFields, body: c.body });
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
export class RemotingClient {
  private readonly connections = new Map<string, RemotingConnection>();
  private readonly defaultTimeoutMs: number;

  constructor(options: { timeoutMs?: number } = {}) {
    this.defaultTimeoutMs = options.timeoutMs ?? 3000;
  }

  request(address: string, code: number, options: RequestOptions = {}): Promise<RemotingResponse> {
    let connection = this.connections.get(address);
    if (!connection || connection.closed) {
      connection = new RemotingConnection(address, options.timeoutMs ?? this.defaultTimeoutMs);
      this.connections.set(address, connection);
    }
    return connection.request(code, { timeoutMs: this.defaultTimeoutMs, ...options });
  }

  close(): void {
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
  }
}

export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  if (i <= 0) throw new RemotingConnectionError(address, "not a host:port address");
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
