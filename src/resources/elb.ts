import type {
  Action,
  Listener,
  LoadBalancerAttribute,
  TargetGroup,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2'


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
