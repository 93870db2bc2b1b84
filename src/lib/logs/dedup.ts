import {createHash} from 'node:crypto'

import type {LogLine} from './format.js'

/**
 * Keys of events already printed, each with its event timestamp, so memory stays flat however
 * long `logs tail --follow` runs: once no window can return an event older than a cutoff
 * (the next poll starts at its cursor minus the overlap), keys older than it are dropped;
 * with `max`, the oldest key also goes when a new one would exceed it.
 */
export class RecentKeys {
  private readonly keys = new Map<string, number>()

  constructor(private readonly max = Number.POSITIVE_INFINITY) {}

  has(key: string): boolean {
    return this.keys.has(key)
  }

  add(key: string, timestamp: number): void {
    if (this.keys.size >= this.max && !this.keys.has(key)) this.keys.delete(this.keys.keys().next().value!)
    this.keys.set(key, timestamp)
  }

  /** Forgets every key of an event older than `cutoff` (epoch ms). */
  evictBefore(cutoff: number): void {
    for (const [key, timestamp] of this.keys) if (timestamp < cutoff) this.keys.delete(key)
  }

  get size(): number {
    return this.keys.size
  }
}

/** FilterLogEvents ids are unique within a log group. */
export const idKey = (line: LogLine): string | undefined =>
  line.eventId ? `i:${line.group}:${line.eventId}` : undefined

/**
 * Live Tail events carry no event id: the same event read by Live Tail and by FilterLogEvents
 * is recognised by its group, stream, timestamp and message (hashed: keys stay small).
 */
export const contentKey = (line: LogLine): string =>
  `c:${createHash('sha1').update(`${line.group}\0${line.stream}\0${line.timestamp}\0${line.message}`).digest('base64')}`
