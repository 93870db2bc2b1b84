import {isIP} from 'node:net'
import {connect, type PeerCertificate} from 'node:tls'

import {daysUntil} from '../../util/duration.js'
import {networkCode, type Unreachable, unreachable} from './common.js'

/** The certificate a TLS endpoint serves, read without trusting it (so an invalid one can be reported). */
export interface ServedCertificate {
  subject: string
  issuer: string
  /** DNS and IP names it covers ("DNS:api.example.com, IP Address:127.0.0.1"). */
  altNames: string
  validFrom: Date
  validTo: Date
  /** True when Node's CAs (or the given `ca`) trust it for this host name. */
  authorized: boolean
  /** Why it is not trusted (CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, …). */
  authorizationError?: string
}

export type CertificateOutcome = {kind: 'certificate'; certificate: ServedCertificate} | Unreachable

export interface CertificateOptions {
  timeoutMs: number
  signal?: AbortSignal
  /** SNI name; defaults to the host unless it is an IP address. */
  servername?: string
  /** Trusted CA certificates in place of Node's (tests). */
  ca?: string | Buffer
}

const name = (n: PeerCertificate['subject'] | undefined): string =>
  n?.CN ? String(n.CN) : Object.values(n ?? {}).join(', ')

/** Connects to host:port, completes the handshake, reads the peer certificate and closes. */
export function fetchCertificate(host: string, port: number, opts: CertificateOptions): Promise<CertificateOutcome> {
  const servername = opts.servername ?? (isIP(host) ? undefined : host)
  return new Promise<CertificateOutcome>((resolve) => {
    let settled = false
    const finish = (outcome: CertificateOutcome): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      socket.destroy()
      resolve(outcome)
    }

    const onAbort = (): void => finish(unreachable('TIMEOUT', opts.timeoutMs))
    const timer = setTimeout(onAbort, opts.timeoutMs)
    const socket = connect(
      {host, port, ...(servername && {servername}), rejectUnauthorized: false, ...(opts.ca && {ca: opts.ca})},
      () => {
        const c = socket.getPeerCertificate()
        if (!c || !c.valid_to) return finish(unreachable('NO_CERTIFICATE'))
        const authError = socket.authorizationError as unknown as Error | string | null
        finish({
          kind: 'certificate',
          certificate: {
            subject: name(c.subject),
            issuer: name(c.issuer),
            altNames: c.subjectaltname ?? '',
            validFrom: new Date(c.valid_from),
            validTo: new Date(c.valid_to),
            authorized: socket.authorized,
            ...(authError && {
              authorizationError:
                typeof authError === 'string'
                  ? authError
                  : String((authError as {code?: string}).code ?? authError.message),
            }),
          },
        })
      },
    )
    socket.on('error', (error) =>
      finish(
        unreachable(networkCode(error) ?? String((error as {code?: unknown}).code ?? 'TLS_ERROR'), opts.timeoutMs),
      ),
    )
    if (opts.signal?.aborted) onAbort()
    else opts.signal?.addEventListener('abort', onAbort, {once: true})
  })
}

/** Whole days from `now` until the certificate expires (negative once expired). */
export const certificateDaysLeft = (c: Pick<ServedCertificate, 'validTo'>, now: Date): number =>
  daysUntil(c.validTo, now)
