/**
 * K-way merge of sources that are each in timestamp order: yields the earliest head first,
 * so several services interleave by time while every source is read page by page (a day of
 * logs never sits in memory). Ties keep the order of `sources`.
 */
export async function* mergeByTimestamp<T extends {timestamp: number}>(sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]())
  try {
    const heads = await Promise.all(iterators.map((it) => it.next()))
    for (;;) {
      let min = -1
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i]
        if (!head.done && (min < 0 || head.value.timestamp < (heads[min].value as T).timestamp)) min = i
      }

      if (min < 0) return
      yield heads[min].value as T
      heads[min] = await iterators[min].next()
    }
  } finally {
    await Promise.allSettled(iterators.map((it) => it.return?.()))
  }
}

/**
 * Reads one page ahead: the next page of a source is fetched while the current one is
 * printed. A failure of the page read ahead surfaces when it is reached, as without the lookahead.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]()
  let next = it.next()
  next.catch(() => {}) // observed below; never an unhandled rejection if the reader stops early
  try {
    for (;;) {
      const r = await next
      if (r.done) return
      next = it.next()
      next.catch(() => {})
      yield r.value
    }
  } finally {
    await it.return?.()
  }
}
