/** Every item of an SDK paginator's pages (`paginateDescribeListeners(…)`, `(p) => p.Listeners`), in order. */
export async function collectPages<P, T>(pages: AsyncIterable<P>, pick: (page: P) => T[] | undefined): Promise<T[]> {
  const all: T[] = []
  for await (const page of pages) all.push(...(pick(page) ?? []))
  return all
}
