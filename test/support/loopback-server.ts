import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server on a free loopback port, as the fakes of outside services run: its origin, and how to stop it. */
export async function listenOnLoopback(handler: http.RequestListener): Promise<{ server: http.Server; origin: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
