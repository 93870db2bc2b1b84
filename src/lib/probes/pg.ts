import {Socket} from 'node:net'
import type {ConnectionOptions} from 'node:tls'

import {
  decode,
  deadline,
  hostPort,
  isLoopback,
  networkCode,
  ProbeTimeout,
  scrub,
  tlsCode,
  type Unreachable,
  unreachable,
} from './common.js'

/**
 * Connecting to PostgreSQL with a DATABASE_URL and asking it a few questions, within a
 * hard time budget. Nothing a caller gets back holds the password or the URL: outcomes
 * are built from error codes, and server text is scrubbed first.
 */

export interface PgTarget {
  host: string
  port: number
  user: string
  password: string
  database: string
  /** sslmode from the URL, when given. */
  sslmode?: string
}

/** How the connection is encrypted: off, encrypted without checking the certificate, or verified. */
export type PgTlsMode = 'off' | 'unverified' | 'verify-ca' | 'verify-full'

export type PgOutcome =
  | {
      kind: 'ok'
      serverVersion: string
      connections: number
      maxConnections: number
      tls: PgTlsMode
      encrypted: boolean
      latencyMs: number
    }
  | Unreachable
  /** The server (or its TLS layer) answered and said no: SQLSTATE or a TLS code, and why in words. */
  | {kind: 'rejected'; code: string; reason: string}
  /** The server's certificate could not be verified (code as Node names it). */
  | {kind: 'tls'; code: string; reason: string}

const SCHEMES = new Set(['postgres:', 'postgresql:', 'postgis:'])
const SSLMODES = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'])

/**
 * Parses a DATABASE_URL (postgres://user:password@host:port/database?sslmode=…).
 * Errors say what is wrong without quoting the URL.
 */
export function parseDatabaseUrl(text: string): PgTarget | {error: string} {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return {error: 'is not a valid URL'}
  }

  if (!SCHEMES.has(url.protocol)) return {error: `has scheme ${url.protocol.replace(/:$/, '')}, not postgres`}
  if (!url.hostname) return {error: 'has no host'}
  if (!url.username) return {error: 'has no user name'}
  const sslmode = url.searchParams.get('sslmode') ?? undefined
  if (sslmode && !SSLMODES.has(sslmode)) return {error: `has an unknown sslmode ${sslmode}`}
  const database = decode(url.pathname.replace(/^\//, ''))
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 5432,
    user: decode(url.username),
    password: decode(url.password),
    database: database || decode(url.username),
    ...(sslmode && {sslmode}),
  }
}

/**
 * TLS as the URL asks for it, with RDS's needs in mind. There is no RDS CA bundle here,
 * so without sslmode a remote host (RDS or an alias of it) gets encrypted-but-unverified
 * TLS (RDS for PostgreSQL 15+ refuses unencrypted connections by default), and so do
 * `require`, `prefer` and `allow` (libpq's fallback to plain text is not imitated).
 * `verify-ca`/`verify-full` check against Node's CAs plus NODE_EXTRA_CA_CERTS.
 * Loopback hosts get no TLS unless sslmode is require or verify-*.
 */
export function tlsModeFor(t: Pick<PgTarget, 'host' | 'sslmode'>): PgTlsMode {
  switch (t.sslmode) {
    case 'disable':
      return 'off'
    case 'verify-ca':
    case 'verify-full':
      return t.sslmode
    case 'require':
      return 'unverified'
    default:
      return isLoopback(t.host) ? 'off' : 'unverified'
  }
}

/** pg sets the SNI name from the host itself (and leaves it unset for IP addresses). */
function sslOptions(mode: PgTlsMode, ca?: string | Buffer): false | ConnectionOptions {
  if (mode === 'off') return false
  if (mode === 'unverified') return {rejectUnauthorized: false}
  return {
    rejectUnauthorized: true,
    ...(ca && {ca}),
    ...(mode === 'verify-ca' && {checkServerIdentity: () => undefined}),
  }
}

const QUERY = `SELECT 1 AS ok,
  current_setting('server_version') AS server_version,
  current_setting('max_connections')::int AS max_connections,
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS connections,
  coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false) AS encrypted`

/** SQLSTATEs worth their own words; the rest show the server's (scrubbed) message. */
function rejection(code: string, t: PgTarget, message: string): string {
  switch (code) {
    case '28P01':
      return `authentication failed for user ${t.user}`
    case '3D000':
      return `database ${t.database} does not exist`
    case '28000':
      return `connection not allowed: ${message}`
    case '53300':
      return 'every connection slot is taken (too many connections)'
    case '57P03':
      return 'the server is starting up or shutting down'
    case '57014':
      return 'the queries were cancelled (statement timeout)'
    default:
      return message
  }
}

export interface PgProbeOptions {
  /** Budget for connecting, and again for the queries. */
  timeoutMs: number
  signal?: AbortSignal
  /** Extra CA certificates for verify-ca/verify-full (tests; NODE_EXTRA_CA_CERTS otherwise). */
  ca?: string | Buffer
}

/** Connects, runs one query for version and connection counts, and always closes the socket. */
export async function probePostgres(t: PgTarget, opts: PgProbeOptions): Promise<PgOutcome> {
  const tls = tlsModeFor(t)
  const started = performance.now()
  let socket: Socket | undefined
  let phase: 'connect' | 'query' = 'connect'
  // Loaded on use: only --probe runs need the driver.
  const {default: pg} = await import('pg')
  const client = new pg.Client({
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: t.database,
    ssl: sslOptions(tls, opts.ca),
    application_name: 'allthrive-probe',
    connectionTimeoutMillis: opts.timeoutMs,
    statement_timeout: opts.timeoutMs,
    query_timeout: opts.timeoutMs,
    // Our own socket, so it can be destroyed whatever state the driver is in.
    stream: () => (socket = new Socket()),
  })
  client.on('error', () => {})
  const secrets = [t.password]
  try {
    await deadline(client.connect(), opts.timeoutMs + 250, opts.signal)
    phase = 'query'
    const {rows} = await deadline(client.query(QUERY), opts.timeoutMs + 250, opts.signal)
    const row = rows[0] as {server_version: string; max_connections: number; connections: number; encrypted: boolean}
    const latencyMs = Math.round(performance.now() - started)
    await deadline(client.end(), 250).catch(() => undefined)
    return {
      kind: 'ok',
      serverVersion: row.server_version,
      connections: row.connections,
      maxConnections: row.max_connections,
      tls,
      encrypted: row.encrypted,
      latencyMs,
    }
  } catch (error) {
    return classify(error, t, phase, opts.timeoutMs, secrets)
  } finally {
    socket?.destroy()
  }
}

function classify(
  error: unknown,
  t: PgTarget,
  phase: 'connect' | 'query',
  timeoutMs: number,
  secrets: string[],
): PgOutcome {
  if (opaqueAbort(error)) throw error
  const e = error as {code?: unknown; message?: unknown; severity?: unknown}
  const message = scrub(String(e.message ?? ''), secrets)
  const code = typeof e.code === 'string' ? e.code : undefined
  const timedOut =
    error instanceof ProbeTimeout || /timeout expired|connection timeout|Query read timeout/i.test(message)
  if (phase === 'query' && (timedOut || code === '57014')) {
    return {
      kind: 'rejected',
      code: 'QUERY_TIMEOUT',
      reason: `connected, but the queries did not answer within ${timeoutMs}ms`,
    }
  }

  if (timedOut) return unreachable('TIMEOUT', timeoutMs)
  const net = networkCode(error)
  if (net) return unreachable(net, timeoutMs)
  const tlsFailure = tlsCode(error)
  if (tlsFailure) return {kind: 'tls', code: tlsFailure, reason: message}
  if (code && /^[0-9A-Z]{5}$/.test(code) && e.severity)
    return {kind: 'rejected', code, reason: rejection(code, t, message)}
  if (/does not support SSL/i.test(message))
    return {
      kind: 'rejected',
      code: 'NO_TLS',
      reason: 'the server does not accept TLS connections, and sslmode asks for TLS',
    }
  if (/terminated unexpectedly/i.test(message))
    return {
      kind: 'rejected',
      code: 'TERMINATED',
      reason: `${hostPort(t.host, t.port)} closed the connection during the ${phase}`,
    }
  // Anything else is a bug or a surprise: rethrow, scrubbed, so the runner reports an error.
  throw Object.assign(new Error(`PostgreSQL probe: ${message || 'unknown error'}`), {
    name: code ?? 'PostgresProbeError',
  })
}

/** The run's own abort (the runner's time budget): not ours to classify. */
const opaqueAbort = (error: unknown): boolean =>
  (error as Error | undefined)?.name === 'TimeoutError' && !(error instanceof ProbeTimeout)
