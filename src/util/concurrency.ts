/** Small concurrency helpers shared by checks and commands (no dependencies, cheap to load). */

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = Array.from({length: items.length})
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i], i)
    }
  }

  await Promise.all(Array.from({length: Math.min(Math.max(1, limit), items.length)}, worker))
  return results
}

/** A limiter: at most `limit` of the functions given to it run at once, the others wait in the order they came. */
export function limiter(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0
  const waiting: (() => void)[] = []
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= Math.max(1, limit)) await new Promise<void>((resolve) => waiting.push(resolve))
    else running++
    try {
      return await fn()
    } finally {
      // The slot passes to the next in line (running stays the same), or is freed.
      const next = waiting.shift()
      if (next) next()
      else running--
    }
  }
}

/** `items` in slices of at most `size` (API batch limits: DescribeTasks 100, DescribeServices 10). */
export const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({length: Math.ceil(items.length / size)}, (_, i) => items.slice(i * size, (i + 1) * size))

/** A memo: one promise per key, shared by every caller (the first caller's load runs once). */
export type Memo = <T>(key: string, load: () => Promise<T>) => Promise<T>

/** A new, empty memo (one per run). */
export function createMemo(): Memo {
  const store = new Map<string, Promise<unknown>>()
  const memo = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const shared = store.get(key) as Promise<T> | undefined
    if (!shared) {
      const p = load()
      store.set(key, p)
      return p
    }

    // The first caller's load was aborted (its check ran out of time): the others load again with their own signal,
    // instead of reporting "AbortError: Request aborted" for a budget that was not theirs.
    return shared.catch((error: unknown) => {
      if ((error as Error)?.name !== 'AbortError') throw error
      if (store.get(key) === shared) store.delete(key)
      return memo(key, load)
    })
  }

  return memo
}
