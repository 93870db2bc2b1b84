import {request as httpRequest, type IncomingMessage} from 'node:http'
import {request as httpsRequest} from 'node:https'

import {networkCode, tlsCode, type Unreachable, unreachable} from './common.js'

/**
 * One GET with a hard deadline. node:http(s) rather than fetch: it takes a CA (tests
 * serve a self-signed certificate; fetch cannot trust one without undici's Agent) and
 * reports the socket's error code directly.
 */

export type HttpOutcome =
  | {kind: 'response'; status: number; latencyMs: number; body: string; location?: string}
  | Unreachable
  /** The TLS handshake failed: the certificate is not trusted, expired, or for another name. */
  | {kind: 'tls'; code: string; reason: string}

export interface HttpGetOptions {
  timeoutMs: number
  signal?: AbortSignal
  /** Trusted CA certificates in place of Node's (tests). */
  ca?: string | Buffer
  /** Bytes of body kept (default 4096); the rest is read and dropped. */
  maxBodyBytes?: number
}

/** GETs `url` and reads the body; never follows redirects; always resolves except for bad input. */
export function httpGet(url: string, opts: HttpGetOptions): Promise<HttpOutcome> {
  const target = new URL(url)
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest
  const keep = opts.maxBodyBytes ?? 4096
  const started = performance.now()
  return new Promise<HttpOutcome>((resolve) => {
    let settled = false
    const finish = (outcome: HttpOutcome): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      req.destroy()
      resolve(outcome)
    }

    const onAbort = (): void => finish(unreachable('TIMEOUT', opts.timeoutMs))
    const timer = setTimeout(onAbort, opts.timeoutMs)
    const req = request(
      target,
      {
        method: 'GET',
        headers: {'user-agent': 'allthrive-cli', accept: 'application/json, */*'},
        agent: false,
        ...(opts.ca && {ca: opts.ca}),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          if (size < keep) chunks.push(chunk)
          size += chunk.length
        })
        res.on('end', () =>
          finish({
            kind: 'response',
            status: res.statusCode ?? 0,
            latencyMs: Math.round(performance.now() - started),
            body: Buffer.concat(chunks).subarray(0, keep).toString('utf8'),
            ...(res.headers.location && {location: res.headers.location}),
          }),
        )
        res.on('error', (error) => finish(failure(error, opts.timeoutMs)))
      },
    )
    req.on('error', (error) => finish(failure(error, opts.timeoutMs)))
    if (opts.signal?.aborted) onAbort()
    else opts.signal?.addEventListener('abort', onAbort, {once: true})
    req.end()
  })
}

function failure(error: unknown, timeoutMs: number): HttpOutcome {
  const tls = tlsCode(error)
  if (tls) return {kind: 'tls', code: tls, reason: (error as Error).message}
  return unreachable(
    networkCode(error) ?? String((error as {code?: unknown}).code ?? (error as Error).name ?? 'ERROR'),
    timeoutMs,
  )
}
