import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring tokens for the dashboard: a link from `/incident dashboard` carries one, and the
 * dashboard then keeps the same kind of token in an HttpOnly cookie for the session.
 */
export class DashboardAuth {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own, derived from the signing secret, so dashboard tokens are useless elsewhere.
    this.key = Buffer.from(hkdfSync('sha256', secret, 'incident-officer', 'dashboard-link-v1', 32));
  }

  sign(userId: string, expiresAt: Date): string {
    const body = Buffer.from(JSON.stringify({ u: userId, exp: Math.floor(expiresAt.getTime() / 1000) })).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The user id of a valid, unexpired token; undefined otherwise. */
  verify(token: string | undefined, now: Date): string | undefined {
    if (!token || token.length > 1000) return undefined;
    const [body, mac] = token.split('.');
    if (!body || !mac) return undefined;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const { u, exp } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { u?: unknown; exp?: unknown };
      if (typeof u !== 'string' || typeof exp !== 'number' || exp * 1000 <= now.getTime()) return undefined;
      return u;
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
