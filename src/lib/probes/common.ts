/**
 * What the live probes (PostgreSQL, Redis, HTTP, TLS) share: telling "cannot reach it
 * from here" apart from "it answered and is unhealthy", a hard deadline, and keeping
 * secrets out of any text a driver produces.
 */

import {shq} from '../../util/shell.js'

/** The probes' skip reason when --probe is not given. */
export const PROBE_SKIP_REASON = 'live probe: run with --probe'

/** Where to run a probe from when the endpoint is private (the hint names the environment: never production by default). */
export const fromTheVpc = (env: string): string =>
  `run from inside the VPC (a bastion, or \`allthrive exec web -e ${shq(env)}\`)`

/** Network error codes that mean the endpoint cannot be reached from this machine. */
const UNREACHABLE_CODES: Record<string, string> = {
  TIMEOUT: 'connection timed out',
  ETIMEDOUT: 'connection timed out',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed',
  ENOTFOUND: 'DNS: host not found',
  EAI_AGAIN: 'DNS: lookup failed',
  EAI_FAIL: 'DNS: lookup failed',
  EHOSTUNREACH: 'no route to host',
  EHOSTDOWN: 'host is down',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network is down',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
}

/** The endpoint could not be reached from here (the service itself may be fine). */
export interface Unreachable {
  kind: 'unreachable'
  /** ECONNREFUSED, ENOTFOUND, TIMEOUT, … */
  code: string
  /** "connection refused", "connection timed out after 3000ms", … */
  reason: string
}

export const unreachable = (code: string, timeoutMs?: number): Unreachable => ({
  kind: 'unreachable',
  code,
  reason: `${UNREACHABLE_CODES[code] ?? code}${(code === 'TIMEOUT' || code === 'ETIMEDOUT') && timeoutMs ? ` after ${timeoutMs}ms` : ''}`,
})

/** The error's code (its own, or its cause's, as fetch wraps them), when it is a network failure. */
export function networkCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as {cause?: unknown}).cause, depth++) {
    const code = (e as {code?: unknown}).code
    if (typeof code === 'string' && code in UNREACHABLE_CODES) return code
    if (e instanceof ProbeTimeout || (e as Error).name === 'TimeoutError') return 'TIMEOUT'
  }

  return undefined
}

/** "not reachable from here (connection refused): run from inside the VPC (…)". */
export const unreachableSummary = (u: Unreachable, env: string): string =>
  `not reachable from here (${u.reason}): ${fromTheVpc(env)}`

/** TLS verification failures as Node names them. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
  'ERR_SSL_WRONG_VERSION_NUMBER',
])

/** The TLS verification code of an error, if it is one. */
export function tlsCode(error: unknown): string | undefined {
  const code = (error as {code?: unknown} | undefined)?.code
  return typeof code === 'string' && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_')) ? code : undefined
}

/** Rejected by `deadline` when the time is up. */
export class ProbeTimeout extends Error {
  override readonly name = 'ProbeTimeout'
  readonly code = 'TIMEOUT'
}

/**
 * Settles with `work`, or rejects with ProbeTimeout after `ms`, or with the signal's
 * reason when it aborts: a probe never waits longer than its budget, whatever the driver does.
 */
export function deadline<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }

    const onAbort = (): void => {
      done()
      reject(signal?.reason ?? new ProbeTimeout('aborted'))
    }

    const timer = setTimeout(() => {
      done()
      reject(new ProbeTimeout(`no answer within ${ms}ms`))
    }, ms)
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, {once: true})
    work.then(
      (v) => {
        done()
        resolve(v)
      },
      (error: unknown) => {
        done()
        reject(error)
      },
    )
  })
}

/**
 * `text` with every secret (raw and URL-encoded) replaced by "***". Driver messages are
 * passed through this before they are used anywhere; short secrets are replaced too.
 */
export function scrub(text: string, secrets: Array<string | undefined>): string {
  let out = text
  const variants = secrets
    .filter((s): s is string => typeof s === 'string' && s.length > 0)
    .flatMap((s) => [s, encodeURIComponent(s), encodeURI(s)])
    .sort((a, b) => b.length - a.length)
  for (const v of new Set(variants)) out = out.split(v).join('***')
  return out
}

/** Decodes a URL component, or returns it as it is when it is not valid percent-encoding. */
export function decode(component: string): string {
  try {
    return decodeURIComponent(component)
  } catch {
    return component
  }
}

/** "host:port", with IPv6 hosts in brackets. */
export const hostPort = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`

/** True for loopback hosts, where TLS is off unless the URL asks for it. */
export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host.startsWith('127.') || host.endsWith('.localhost')
