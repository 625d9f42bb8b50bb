/**
 * The fakes' "stored, then the answer lost" fault: a write the vendor commits, answered with a 5xx
 * or not at all (the connection closed before the answer), as when a node or the network fails
 * after the commit. What reproduces a retry that would do the same thing twice.
 */
import type http from 'node:http';

interface Fault<C> { answer: number | 'drop'; only?: (call: C) => boolean; remaining: number }

export class StoredFaults<C extends { method: string; status: number; stored?: boolean }> {
  private readonly pending: Fault<C>[] = [];

  /** The next `times` writes (those `only` accepts, when given) are stored, then answered `answer` or dropped. */
  add(times: number, answer: number | 'drop', only?: (call: C) => boolean): void {
    this.pending.push({ answer, remaining: times, only });
  }

  clear(): void {
    this.pending.length = 0;
  }

  /**
   * For a write just done with a success `status`: when a fault takes it, the connection is closed or
   * `fail` answers the fault's status, the call is recorded as stored, and true is answered.
   */
  lose(call: C, status: number, res: http.ServerResponse, fail: (status: number) => void): boolean {
    if (status >= 300 || call.method === 'GET') return false;
    const fault = this.pending.find((f) => f.remaining > 0 && (!f.only || f.only(call)));
    if (!fault) return false;
    fault.remaining--;
    call.stored = true;
    if (fault.answer === 'drop') {
      call.status = 0;
      res.socket?.destroy();
    } else {
      call.status = fault.answer;
      fail(fault.answer);
    }
    return true;
  }
}
