/**
 * Slack's side of Socket Mode for tests: a WebSocket server (RFC 6455: the handshake, unfragmented
 * text frames, ping/pong and close, which is all @slack/socket-mode uses) that greets each connection
 * with `hello`, delivers envelopes to the newest one and hands back the app's acknowledgements.
 * Point FakeSlack.socketModeUrl at `url` so apps.connections.open sends the app here.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126) {
    head[0] = 0x80 | opcode;
    if (len < 65_536) {
      head[1] = 126;
      head.writeUInt16BE(len, 2);
    } else {
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
  }
  return Buffer.concat([head, payload]);
}

/** Splits complete client frames off `buf`; returns them and what is left. */
function parseFrames(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const opcode = buf[at] & 0x0f;
    const masked = (buf[at + 1] & 0x80) !== 0;
    let len = buf[at + 1] & 0x7f;
    let p = at + 2;
    if (len === 126) {
      if (buf.length < p + 2) break;
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      if (buf.length < p + 8) break;
      len = Number(buf.readBigUInt64BE(p));
      p += 8;
    }
    const mask = masked ? buf.subarray(p, p + 4) : undefined;
    if (masked) p += 4;
    if (buf.length < p + len) break;
    const payload = Buffer.from(buf.subarray(p, p + len));
    if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
    frames.push({ opcode, payload });
    at = p + len;
  }
  return { frames, rest: buf.subarray(at) };
}

export class FakeSocketMode {
  readonly url: string;
  /** Connections opened so far (greeted with hello). */
  connections = 0;
  private readonly open = new Set<Socket>();
  private readonly waiting = new Map<string, (payload: any) => void>();

  private constructor(
    private readonly server: http.Server,
    port: number,
  ) {
    this.url = `ws://127.0.0.1:${port}/link/`;
  }

  static async start(): Promise<FakeSocketMode> {
    const server = http.createServer((_req, res) => res.writeHead(426).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const fake = new FakeSocketMode(server, (server.address() as AddressInfo).port);
    server.on('upgrade', (req, socket: Socket) => fake.accept(req, socket));
    return fake;
  }

  /** Open connections right now. */
  get connected(): number {
    return this.open.size;
  }

  /** Delivers a payload (`slash_commands`, `interactive` or `events_api`) and resolves with the app's ack payload. */
  deliver(type: string, payload: Record<string, unknown>): Promise<any> {
    const socket = [...this.open].at(-1);
    if (!socket) throw new Error('fake Socket Mode: no app connected');
    const envelope_id = randomBytes(8).toString('hex');
    const acked = new Promise((resolve) => this.waiting.set(envelope_id, resolve));
    socket.write(frame(OP.text, Buffer.from(JSON.stringify({ envelope_id, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }))));
    return acked;
  }

  /** Drops every connection without a close handshake, as a network cut would. */
  dropAll(): void {
    for (const s of this.open) s.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private accept(req: http.IncomingMessage, socket: Socket): void {
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string') return void socket.destroy();
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    this.open.add(socket);
    this.connections++;
    socket.on('close', () => this.open.delete(socket));
    socket.on('error', () => {});
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const { frames, rest } = parseFrames(Buffer.concat([buffered, chunk]));
      buffered = rest;
      for (const f of frames) this.receive(socket, f.opcode, f.payload);
    });
    socket.write(frame(OP.text, Buffer.from(JSON.stringify({ type: 'hello', num_connections: this.open.size, connection_info: { app_id: 'A0APP0001' }, debug_info: { host: 'fake' } }))));
  }

  private receive(socket: Socket, opcode: number, payload: Buffer): void {
    if (opcode === OP.ping) return void socket.write(frame(OP.pong, payload));
    if (opcode === OP.close) {
      socket.end(frame(OP.close, payload.subarray(0, 2)));
      return;
    }
    if (opcode !== OP.text) return;
    const msg = JSON.parse(payload.toString('utf8')) as { envelope_id?: string; payload?: unknown };
    const resolve = msg.envelope_id ? this.waiting.get(msg.envelope_id) : undefined;
    if (resolve) {
      this.waiting.delete(msg.envelope_id!);
      resolve(msg.payload);
    }
  }
}
