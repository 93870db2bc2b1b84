import {AsyncLocalStorage} from 'node:async_hooks'

/**
 * The critical path of a run's API calls: the longest chain of calls that wait on each other.
 *
 * Each call records, as the call it waited on, the last call that had finished in the same chain
 * of work when it started (a chain is one check, see `inCallChain`; calls outside any chain, such
 * as the identity call, form the root chain that every check starts after). Following those links
 * back from the call that finished last gives the chain that decided the run's wall time.
 */

export interface CallRecord {
  /** "ecs:DescribeServices". */
  action: string
  /** ms since the timeline's origin. */
  start: number
  end?: number
  failed?: boolean
  /** The call this one waited on (the last call finished in its chain when it started). */
  after?: CallRecord
}

export interface Chain {
  last?: CallRecord
}

const chains = new AsyncLocalStorage<Chain>()

/** Runs `work` as one chain of calls (a check); until its first call ends, its calls wait on the root chain. */
export function inCallChain<T>(work: () => Promise<T>): Promise<T> {
  return chains.run({}, work)
}

/** Records a call's start in the current chain (else `root`, the factory's); call the returned function when it ends. */
export function recordCall(
  timeline: CallRecord[],
  action: string,
  now: () => number,
  root: Chain,
): (failed?: boolean) => void {
  const chain = chains.getStore() ?? root
  const start = now()
  const after = chain.last ?? (root.last && (root.last.end ?? Infinity) <= start ? root.last : undefined)
  const record: CallRecord = {action, start, ...(after && {after})}
  timeline.push(record)
  return (failed = false) => {
    record.end = now()
    if (failed) record.failed = true
    if (!chain.last || (chain.last.end ?? 0) <= record.end) chain.last = record
  }
}

/** The chain ending with the call that finished last, first call first. */
export function criticalPath(timeline: readonly CallRecord[]): CallRecord[] {
  const finished = timeline.filter((c) => c.end !== undefined)
  if (finished.length === 0) return []
  let last = finished[0]
  for (const c of finished) if (c.end! > last.end! || (c.end === last.end && depth(c) > depth(last))) last = c
  const path: CallRecord[] = []
  for (let c: CallRecord | undefined = last; c; c = c.after) path.unshift(c)
  return path
}

function depth(c: CallRecord): number {
  let n = 0
  for (let x: CallRecord | undefined = c; x; x = x.after) n++
  return n
}

/** Lines for --debug: the path, its calls' time, and the time between them (the code's own work, or waits). */
export function criticalPathLines(timeline: readonly CallRecord[]): string[] {
  const path = criticalPath(timeline)
  if (path.length === 0) return ['critical path: no API call finished']
  const inCalls = path.reduce((sum, c) => sum + (c.end! - c.start), 0)
  const span = path.at(-1)!.end! - path[0].start
  const steps = path.map((c) => `${c.action}${c.failed ? ' (failed)' : ''} ${Math.round(c.end! - c.start)}ms`)
  return [
    `critical path: ${path.length} call${path.length === 1 ? '' : 's'} in a chain, ${Math.round(span)}ms from the first's start to the last's end ` +
      `(${Math.round(inCalls)}ms in the calls, ${Math.round(span - inCalls)}ms between them) of ${timeline.length} calls`,
    `  ${steps.join(' → ')}`,
  ]
}
