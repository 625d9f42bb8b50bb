/**
 * A TCP proxy in front of PostgreSQL that counts the round trips its clients make: every simple
 * query ('Q') and every Sync ('S', which ends an extended-protocol exchange and waits for the
 * server) the frontend sends. It runs in the benchmark's process, never the app's.
 */
import net from 'node:net';

export class PgRoundTripCounter {
  roundTrips = 0;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(server: net.Server) {
    this.server = server;
  }

  static async start(target: { host: string; port: number }): Promise<PgRoundTripCounter & { port: number }> {
    let counter!: PgRoundTripCounter;
    const server = net.createServer((client) => counter.pipe(client, target));
    counter = new PgRoundTripCounter(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return Object.assign(counter, { port: (server.address() as net.AddressInfo).port });
  }

  private pipe(client: net.Socket, target: { host: string; port: number }): void {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    // The frontend stream: a start-up message without a type byte (an SSL or GSS request may come
    // first), then messages of a type byte and a 4-byte length that counts itself.
    let startup = true;
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      for (;;) {
        if (startup) {
          if (pending.length - at < 8) break;
          const len = pending.readInt32BE(at);
          if (pending.length - at < len) break;
          const code = pending.readInt32BE(at + 4);
          at += len;
          if (code === 196_608) startup = false; // protocol 3.0: the real start-up message
          continue;
        }
        if (pending.length - at < 5) break;
        const len = pending.readInt32BE(at + 1);
        if (pending.length - at < 1 + len) break;
        const type = pending[at];
        if (type === 0x51 || type === 0x53) this.roundTrips++; // 'Q', 'S'
        at += 1 + len;
      }
      pending = pending.subarray(at);
    });
    client.on('end', () => upstream.end());
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The database URL with its host and port replaced by the proxy's. */
export function viaProxy(databaseUrl: string, port: number): string {
  const u = new URL(databaseUrl);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}
