import net from 'node:net';

interface Link {
  client: net.Socket;
  upstream: net.Socket;
}

/**
 * A TCP proxy on loopback that a test can cut and restore, to simulate a database outage, or pause
 * and resume, to simulate a database that stops answering while its connections stay open.
 */
export class TcpProxy {
  private links = new Set<Link>();
  private down = false;
  private paused = false;
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = net.createServer((client) => {
      if (!proxy || proxy.down) return client.destroy();
      const link = { client, upstream: net.connect(target.port, target.host) };
      proxy.links.add(link);
      for (const s of [link.client, link.upstream]) s.on('error', () => {});
      link.client.on('close', () => {
        link.upstream.destroy();
        proxy!.links.delete(link);
      });
      link.upstream.on('close', () => link.client.destroy());
      if (!proxy.paused) forward(link);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  /** A proxy in front of a PostgreSQL URL, and the URL that reaches it through the proxy. */
  static async inFrontOf(databaseUrl: string): Promise<{ proxy: TcpProxy; url: string }> {
    const u = new URL(databaseUrl);
    const proxy = await TcpProxy.start({ host: u.hostname, port: Number(u.port || 5432) });
    u.host = `127.0.0.1:${proxy.port}`;
    return { proxy, url: u.toString() };
  }

  /** Drops every connection and refuses new ones. */
  cut(): void {
    this.down = true;
    for (const { client, upstream } of this.links) {
      client.destroy();
      upstream.destroy();
    }
  }

  restore(): void {
    this.down = false;
  }

  /** Stops carrying bytes either way; connections stay open and new ones are accepted (and wait). */
  pause(): void {
    this.paused = true;
    for (const { client, upstream } of this.links) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Carries bytes again, including those held back meanwhile. */
  resume(): void {
    this.paused = false;
    for (const link of this.links) forward(link);
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function forward({ client, upstream }: Link): void {
  client.pipe(upstream);
  upstream.pipe(client);
}
