import { expect } from 'vitest';

/** The error a promise rejects with, checked to be of the given class (a RetryLater, a PermanentFailure…). */
export async function rejection<T extends Error>(p: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(type);
  return e as T;
}
