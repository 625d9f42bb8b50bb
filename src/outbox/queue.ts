/**
 * How a service tells the task runner that a commit queued outbox tasks (`enqueueTask` in the
 * transaction, then `kick()` once it committed), so they run now rather than at the next poll.
 * Made before the runner, which subscribes when it is built; with no runner (a domain test) a
 * kick is only counted.
 */
export class TaskQueue {
  private readonly wakers: (() => void)[] = [];

  kick(): void {
    for (const wake of this.wakers) wake();
  }

  /** Runs `wake` on every kick (the task runner). */
  onKick(wake: () => void): void {
    this.wakers.push(wake);
  }
}
