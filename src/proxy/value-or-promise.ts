/**
 * A step of the hot path that answers its value synchronously while its cache holds it, and a promise of it only
 * when it has to load: an `await` on a plain value would still cost a microtask turn per request, so the next step
 * is chained only when there is a promise to chain on.
 */
export type MaybePromise<T> = T | Promise<T>

/**
 * `fn(value)`, called at once for a plain value (its result and anything it throws come back synchronously, no
 * promise made), or chained for a promise (a throw rejects the returned promise).
 */
export function thenMaybe<T, R>(value: MaybePromise<T>, fn: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value)
}
