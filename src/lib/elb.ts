import {ResourceNotFoundException} from '@aws-sdk/client-acm'
import type {
  Action,
  Listener,
  LoadBalancerAttribute,
  TargetGroup,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2'

import type {CheckContext, CheckStatus, Finding} from '../checks/types.js'
import {describeCertificate, shortId} from './acm.js'
import {daysUntil} from './duration.js'

/**
 * Reading an Application Load Balancer for checks: its idle timeout, how its
 * listeners answer, and what its target groups say about their targets.
 */

/** The idle timeout AWS applies when none was set (some emulators report the attribute only once set). */
export const AWS_DEFAULT_IDLE_TIMEOUT_SECONDS = 60

/** The idle timeout in seconds and whether the load balancer reported it. */
export function idleTimeout(attributes: LoadBalancerAttribute[]): {seconds: number; reported: boolean} {
  const raw = attributes.find((a) => a.Key === 'idle_timeout.timeout_seconds')?.Value
  const seconds = raw === undefined || raw === '' ? Number.NaN : Number(raw)
  return Number.isFinite(seconds) ? {seconds, reported: true} : {seconds: AWS_DEFAULT_IDLE_TIMEOUT_SECONDS, reported: false}
}

/** pass for `active`, warn while `provisioning`, fail for `failed`, `active_impaired` or anything unknown. */
export const loadBalancerStateSeverity = (code: string | undefined): CheckStatus =>
  code === 'active' ? 'pass' : (code === 'provisioning' ? 'warn' : 'fail')

/** The action that answers: the last of the default actions in `Order` (authenticate-* actions come first). */
export function terminalAction(listener: Listener): Action | undefined {
  const actions = (listener.DefaultActions ?? []).toSorted((a, b) => (a.Order ?? 0) - (b.Order ?? 0))
  return actions.at(-1)
}

/** True when the listener's default action redirects to HTTPS (`#{protocol}` would keep plain HTTP). */
export function redirectsToHttps(listener: Listener): boolean {
  const action = terminalAction(listener)
  return action?.Type === 'redirect' && action.RedirectConfig?.Protocol?.toUpperCase() === 'HTTPS'
}

/** "HTTP:80 → redirect HTTPS:443", "HTTPS:443 → forward", for --json and notes. */
export function listenerLabel(listener: Listener): string {
  const action = terminalAction(listener)
  const to = action?.Type === 'redirect' ? ` ${action.RedirectConfig?.Protocol ?? '#{protocol}'}:${action.RedirectConfig?.Port ?? '#{port}'}` : ''
  return `${listener.Protocol}:${listener.Port} → ${action?.Type ?? 'no action'}${to}`
}

/** "10.0.10.25:8000" / "i-0abc:8000" (the port is absent for Lambda targets). */
export const targetLabel = (d: TargetHealthDescription): string =>
  `${d.Target?.Id ?? '?'}${d.Target?.Port === undefined ? '' : `:${d.Target.Port}`}`

/** "unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [502])". */
export function targetProblem(d: TargetHealthDescription): string {
  const h = d.TargetHealth
  const why = [h?.Reason, h?.Description].filter(Boolean).join(': ')
  return `${h?.State ?? 'unknown'}${why ? ` (${why})` : ''}`
}

/** "GET /api/health/ on traffic-port, expecting 200": what the target group asks its targets. */
export function healthCheckLabel(g: TargetGroup): string {
  const protocol = g.HealthCheckProtocol ?? g.Protocol ?? 'HTTP'
  const path = g.HealthCheckPath ? ` ${g.HealthCheckPath}` : ''
  const codes = g.Matcher?.HttpCode ?? g.Matcher?.GrpcCode
  return `${protocol}${path} on port ${g.HealthCheckPort ?? 'traffic-port'}${codes ? `, expecting ${codes}` : ''}`
}

/** The region in an ARN ("arn:aws:acm:eu-west-1:…" → "eu-west-1"), or undefined. */
export const arnRegion = (arn: string): string | undefined => arn.split(':')[3] || undefined

/** The service in an ARN ("arn:aws:iam::…:server-certificate/x" → "iam"). */
export const arnService = (arn: string): string | undefined => arn.split(':')[2] || undefined

/** The HTTPS listener's default certificate (`Certificates[0]`, the listener's default): ISSUED in ACM, with days left above the thresholds. */
export async function listenerCertificate(ctx: CheckContext, name: string, l: Listener): Promise<{finding: Finding; label: string; data: Record<string, unknown>}> {
  const arn = l.Certificates?.[0]?.CertificateArn
  if (!arn) return {finding: {status: 'fail', short: 'HTTPS without certificate', detail: `${name}: HTTPS:443 has no certificate`}, label: 'no certificate', data: {}}
  if (arnService(arn) !== 'acm') {
    return {finding: {status: 'pass', detail: `${name}: HTTPS:443 uses ${arn}, not an ACM certificate: expiry not checked`}, label: 'non-ACM certificate', data: {arn}}
  }

  const region = arnRegion(arn) ?? ctx.region
  let facts
  try {
    facts = await describeCertificate(ctx, {arn, region, names: [], inUse: true, partialNames: false})
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error
    return {finding: {status: 'fail', short: 'certificate not found', detail: `${name}: HTTPS:443 certificate ${arn} not found in ACM (${region})`, hint: `Attach an issued certificate: aws elbv2 modify-listener --listener-arn ${l.ListenerArn} --certificates CertificateArn=<acm-certificate-arn>`}, label: 'certificate not found', data: {arn}}
  }

  const id = shortId(arn)
  const describe = `aws acm describe-certificate --certificate-arn ${arn} --region ${region}`
  const {warnDays, failDays} = ctx.env.thresholds.certificates
  if (facts.status !== 'ISSUED') {
    return {finding: {status: 'fail', short: `certificate ${facts.status ?? 'UNKNOWN'}`, detail: `${name}: HTTPS:443 certificate ${id} is ${facts.status ?? 'UNKNOWN'}`, hint: `See why: ${describe}`}, label: `cert ${facts.status ?? 'UNKNOWN'}`, data: {arn, status: facts.status}}
  }

  const days = facts.notAfter ? daysUntil(facts.notAfter, ctx.now) : undefined
  const data = {arn, status: facts.status, type: facts.type, notAfter: facts.notAfter?.toISOString() ?? null, daysLeft: days ?? null}
  if (days === undefined) return {finding: {status: 'warn', short: 'certificate expiry unknown', detail: `${name}: HTTPS:443 certificate ${id} has no expiry date`}, label: 'cert expiry unknown', data}
  const when = days < 0 ? `expired ${-days} days ago` : `expires in ${days} days`
  const status = days < failDays ? 'fail' : (days < warnDays ? 'warn' : 'pass')
  const renew = facts.type === 'IMPORTED'
    ? `re-import a renewed certificate: aws acm import-certificate --certificate-arn ${arn} --certificate fileb://cert.pem --private-key fileb://key.pem --certificate-chain fileb://chain.pem --region ${region}`
    : `check its renewal status and DNS validation records: ${describe}`
  return {
    finding: status === 'pass'
      ? {status, detail: `${name}: HTTPS:443 certificate ${id}, ${days} days left`}
      : {status, short: `certificate ${when}`, detail: `${name}: HTTPS:443 certificate ${id} ${when} (${status === 'fail' ? `fails below ${failDays}` : `warns below ${warnDays}`} days)`, hint: renew},
    label: `cert ${days} days`,
    data,
  }
}
