import {httpGet} from '../lib/probes/http.js'
import {certificateDaysLeft, type CertificateOutcome, fetchCertificate} from '../lib/probes/tls.js'
import {type Check, type Finding, resultFromFindings, skip} from './types.js'
import {shq} from '../util/shell.js'

export interface HealthCheckOptions {
  /** Trusted CA certificates in place of Node's (tests against a local server). */
  ca?: string | Buffer
}

const snippet = (body: string): string => body.replace(/\s+/g, ' ').trim().slice(0, 200)
const day = (d: Date): string => d.toISOString().slice(0, 10)

/**
 * The public health endpoint answers 2xx quickly, and the certificate it serves is valid
 * for a while yet. Public, so it runs without --probe; unreachable from here is a skip.
 */
export function healthCheck(opts: HealthCheckOptions = {}): Check {
  return {
    id: 'health',
    title: 'API health endpoint answers',
    iam: [],
    async run(ctx) {
      const {healthUrl, thresholds} = ctx.env
      const url = new URL(healthUrl)
      const timeoutMs = thresholds.probes.timeoutMs
      const [res, cert] = await Promise.all([
        httpGet(healthUrl, {timeoutMs, signal: ctx.signal, ...(opts.ca && {ca: opts.ca})}),
        url.protocol === 'https:'
          ? fetchCertificate(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 443), {
              timeoutMs,
              signal: ctx.signal,
              ...(opts.ca && {ca: opts.ca}),
            })
          : Promise.resolve(undefined),
      ])
      const data: Record<string, unknown> = {url: healthUrl}
      if (res.kind === 'unreachable') {
        return skip(`not reachable from here: ${res.code}`, {
          details: [`GET ${healthUrl}: ${res.reason}`],
          hint: 'Check DNS and the network from this machine (curl -sv the URL); the endpoint may still be up for users.',
          data: {...data, code: res.code},
        })
      }

      const findings: Finding[] = []
      const {maxLatencyMs, certificateMinDays} = thresholds.health
      if (res.kind === 'tls') {
        findings.push({
          status: 'fail',
          short: `TLS ${res.code}`,
          detail: `GET ${healthUrl}: TLS handshake failed: ${res.code} (${res.reason})`,
          hint: `Check the certificate served for ${url.hostname}: allthrive validate --only certificates -e ${shq(ctx.env.name)}`,
        })
        data.tlsError = res.code
      } else if (res.status < 200 || res.status > 299) {
        const body = snippet(res.body)
        findings.push({
          status: 'fail',
          short: `HTTP ${res.status}`,
          detail: `GET ${healthUrl}: HTTP ${res.status} in ${res.latencyMs}ms${res.location ? ` → ${res.location}` : ''}${body ? `: ${body}` : ''}`,
          hint: `See why: allthrive logs tail web -e ${shq(ctx.env.name)} --since 15m; allthrive validate --only ecs-services -e ${shq(ctx.env.name)}`,
        })
      } else if (res.latencyMs > maxLatencyMs) {
        findings.push({
          status: 'warn',
          short: `slow (${res.latencyMs}ms)`,
          detail: `GET ${healthUrl}: HTTP ${res.status} in ${res.latencyMs}ms, over ${maxLatencyMs}ms`,
          hint: `See the load on the web service: allthrive logs tail web -e ${shq(ctx.env.name)} --since 15m, and its CPU in the ECS console.`,
        })
      } else {
        findings.push({status: 'pass', detail: `GET ${healthUrl}: HTTP ${res.status} in ${res.latencyMs}ms`})
      }

      if (res.kind === 'response') Object.assign(data, {status: res.status, latencyMs: res.latencyMs})
      findings.push(
        ...certificateFindings(
          cert,
          {
            host: url.hostname,
            env: ctx.env.name,
            now: ctx.now,
            minDays: certificateMinDays,
            failDays: thresholds.certificates.failDays,
            trustReported: res.kind === 'tls',
          },
          data,
        ),
      )
      const httpPart = res.kind === 'response' ? `HTTP ${res.status} in ${res.latencyMs}ms` : `TLS ${res.code}`
      const certPart =
        typeof data.certificateDaysLeft === 'number' ? `, certificate valid ${data.certificateDaysLeft} more days` : ''
      return resultFromFindings('', findings, `${httpPart}${certPart}`, data)
    },
  }
}

interface CertificateRules {
  host: string
  env: string
  now: Date
  /** Fewer days left than this: warn (thresholds.health.certificateMinDays). */
  minDays: number
  /** This many days left or fewer: fail (thresholds.certificates.failDays). */
  failDays: number
  /** The GET already failed on TLS: do not report the same distrust twice. */
  trustReported: boolean
}

function certificateFindings(
  cert: CertificateOutcome | undefined,
  rules: CertificateRules,
  data: Record<string, unknown>,
): Finding[] {
  const {host, now, minDays, failDays} = rules
  if (!cert) return [{status: 'pass', detail: `${host}: plain HTTP, no certificate to check`}]
  if (cert.kind === 'unreachable') return [{status: 'pass', detail: `${host}: certificate not read (${cert.reason})`}]
  const c = cert.certificate
  const days = certificateDaysLeft(c, now)
  Object.assign(data, {
    certificateDaysLeft: days,
    certificateValidTo: c.validTo.toISOString(),
    certificateSubject: c.subject,
    certificateIssuer: c.issuer,
  })
  const name = `${host}: certificate ${c.subject} (issuer ${c.issuer})`
  const renew = `ACM renews certificates 60 days before expiry: see why it has not (allthrive validate --only certificates -e ${shq(rules.env)}, or ACM in the console for ${host}).`
  const out: Finding[] = []
  if (!c.authorized && !rules.trustReported && c.authorizationError !== 'CERT_HAS_EXPIRED') {
    out.push({
      status: 'fail',
      short: `certificate not trusted (${c.authorizationError})`,
      detail: `${name} is not trusted: ${c.authorizationError}`,
      hint: `Serve a certificate for ${host} from a public CA (ACM).`,
    })
  }

  if (days < 0)
    out.push({
      status: 'fail',
      short: 'certificate expired',
      detail: `${name} expired on ${day(c.validTo)}`,
      hint: renew,
    })
  else if (days <= failDays)
    out.push({
      status: 'fail',
      short: `certificate expires in ${days} days`,
      detail: `${name} expires on ${day(c.validTo)}, in ${days} days`,
      hint: renew,
    })
  else if (days < minDays)
    out.push({
      status: 'warn',
      short: `certificate expires in ${days} days`,
      detail: `${name} expires on ${day(c.validTo)}, in ${days} days (under ${minDays})`,
      hint: renew,
    })
  else out.push({status: 'pass', detail: `${name} valid until ${day(c.validTo)} (${days} days)`})
  return out
}

export const health = healthCheck()
