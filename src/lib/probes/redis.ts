import type {ConnectionOptions} from 'node:tls'

import {decode, deadline, networkCode, ProbeTimeout, scrub, tlsCode, type Unreachable, unreachable} from './common.js'

/**
 * PING and INFO against one Redis endpoint, within a hard time budget, with no retries,
 * no reconnects and no offline queue. The password never leaves this module: outcomes
 * are built from reply prefixes and error codes, and any text is scrubbed first.
 */

export interface RedisTarget {
  host: string
  port: number
  tls: boolean
  /** Verify the server certificate (default true); `ssl_cert_reqs=none` in a URL turns it off. */
  verifyTls?: boolean
  username?: string
  password?: string
  db?: number
}

export type RedisOutcome =
  | {kind: 'ok'; version: string; usedMemory: number; maxMemory: number; latencyMs: number}
  | Unreachable
  /** The server answered and refused: NOAUTH, WRONGPASS, … */
  | {kind: 'rejected'; code: string; reason: string}
  | {kind: 'tls'; code: string; reason: string}

/** Parses redis:// and rediss:// URLs (as Django, Celery and redis-py write them). Errors never quote the URL. */
export function parseRedisUrl(text: string): RedisTarget | {error: string} {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return {error: 'is not a valid URL'}
  }

  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    return {error: `has scheme ${url.protocol.replace(/:$/, '')}, not redis or rediss`}
  if (!url.hostname) return {error: 'has no host'}
  const db = Number(url.pathname.replace(/^\//, '') || url.searchParams.get('db') || 0)
  const certReqs = url.searchParams.get('ssl_cert_reqs')?.toLowerCase()
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 6379,
    tls: url.protocol === 'rediss:',
    ...(certReqs && ['none', 'cert_none'].includes(certReqs) && {verifyTls: false}),
    ...(url.username && {username: decode(url.username)}),
    ...(url.password && {password: decode(url.password)}),
    ...(Number.isInteger(db) && db > 0 && {db}),
  }
}

/** "field:value" lines of an INFO section. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim()
  }

  return out
}

export interface RedisProbeOptions {
  timeoutMs: number
  signal?: AbortSignal
  /** Extra CA certificates (tests). */
  ca?: string | Buffer
}

/** Connects, PINGs, reads INFO server and memory, and always disconnects. */
export async function probeRedis(t: RedisTarget, opts: RedisProbeOptions): Promise<RedisOutcome> {
  const started = performance.now()
  const tls: ConnectionOptions | undefined = t.tls
    ? {rejectUnauthorized: t.verifyTls !== false, ...(opts.ca && {ca: opts.ca})}
    : undefined
  // Loaded on use: only --probe runs need the driver.
  const {Redis} = await import('ioredis')
  const client = new Redis({
    host: t.host,
    port: t.port,
    ...(t.username && {username: t.username}),
    ...(t.password && {password: t.password}),
    ...(t.db && {db: t.db}),
    ...(tls && {tls}),
    lazyConnect: true,
    connectTimeout: opts.timeoutMs,
    commandTimeout: opts.timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    connectionName: 'allthrive-probe',
  })
  // ioredis reports the real cause (ECONNREFUSED, WRONGPASS) as an event and rejects the
  // command with a generic "Connection is closed." / "Stream isn't writeable": keep the first.
  let cause: unknown
  client.on('error', (error: unknown) => {
    cause ??= error
  })
  try {
    const work = (async () => {
      await client.connect()
      await client.ping()
      return Promise.all([client.info('server'), client.info('memory')])
    })()
    const [server, memory] = await deadline(work, opts.timeoutMs * 2 + 250, opts.signal)
    const s = parseInfo(server)
    const m = parseInfo(memory)
    return {
      kind: 'ok',
      version: s.redis_version ?? s.valkey_version ?? 'unknown',
      usedMemory: Number(m.used_memory ?? 0),
      maxMemory: Number(m.maxmemory ?? 0),
      latencyMs: Math.round(performance.now() - started),
    }
  } catch (error) {
    return classify(cause ?? error, t, opts.timeoutMs)
  } finally {
    client.disconnect()
  }
}

function classify(error: unknown, t: RedisTarget, timeoutMs: number): RedisOutcome {
  if ((error as Error | undefined)?.name === 'TimeoutError' && !(error instanceof ProbeTimeout)) throw error
  const message = scrub(String((error as Error | undefined)?.message ?? error), [t.password, t.username])
  const reply = /^([A-Z]+)\b/.exec(message)?.[1]
  if ((error as Error | undefined)?.name === 'ReplyError' || reply === 'NOAUTH' || reply === 'WRONGPASS') {
    if (reply === 'NOAUTH')
      return {kind: 'rejected', code: 'NOAUTH', reason: 'the server requires a password (AUTH) and none was given'}
    if (reply === 'WRONGPASS' || /invalid (username-)?password/i.test(message))
      return {
        kind: 'rejected',
        code: 'WRONGPASS',
        reason: `the server rejected the password${t.username ? ` of user ${t.username}` : ''}`,
      }
    return {kind: 'rejected', code: reply ?? 'ERR', reason: message}
  }

  if (error instanceof ProbeTimeout || /Command timed out/i.test(message)) return unreachable('TIMEOUT', timeoutMs)
  const net = networkCode(error)
  if (net) return unreachable(net, timeoutMs)
  const tlsFailure = tlsCode(error)
  if (tlsFailure) return {kind: 'tls', code: tlsFailure, reason: message}
  if (/Connection is closed/i.test(message))
    return {
      kind: 'rejected',
      code: 'CLOSED',
      reason: 'the server closed the connection without answering (not Redis, or TLS expected?)',
    }
  throw Object.assign(new Error(`Redis probe: ${message || 'unknown error'}`), {name: 'RedisProbeError'})
}
