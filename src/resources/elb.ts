import {
  type Action,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  type LoadBalancerAttribute,
  LoadBalancerNotFoundException,
  paginateDescribeListenerCertificates,
  paginateDescribeListeners,
  paginateDescribeRules,
  type TargetGroup,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2'

import {collectPages} from '../aws/pages.js'
import type {RunContext} from '../aws/context.js'

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
  return Number.isFinite(seconds)
    ? {seconds, reported: true}
    : {seconds: AWS_DEFAULT_IDLE_TIMEOUT_SECONDS, reported: false}
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
  const to =
    action?.Type === 'redirect'
      ? ` ${action.RedirectConfig?.Protocol ?? '#{protocol}'}:${action.RedirectConfig?.Port ?? '#{port}'}`
      : ''
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

// ---------------------------------------------------------------- what the load balancer serves

/** One certificate an HTTPS listener presents: its default, or an SNI extra. */
export interface ListenerCertificate {
  arn: string
  /** "HTTPS:443" */
  listener: string
  listenerArn: string
  /** The listener's default certificate (served to clients without SNI or whose name no extra matches). */
  isDefault: boolean
}

/** The certificates the environment's ALB serves and the host names its HTTPS rules route. */
export interface AlbServing {
  name: string
  /** undefined when no load balancer has this name. */
  loadBalancer?: {arn: string; dnsName: string; state?: string}
  httpsListeners: string[]
  certificates: ListenerCertificate[]
  /** host-header values of the HTTPS listeners' rules, lower case ("api.allthrive.ai"). */
  hostHeaders: string[]
}

/** The environment's load balancer by `alb.name`, or undefined when none has that name; once per run. */
export function findLoadBalancer(ctx: RunContext): Promise<LoadBalancer | undefined> {
  const {name} = ctx.env.alb
  return ctx.memo(`elb:load-balancer:${name}`, async () => {
    try {
      const client = ctx.aws.client(ElasticLoadBalancingV2Client)
      const out = await client.send(new DescribeLoadBalancersCommand({Names: [name]}), {abortSignal: ctx.signal})
      return out.LoadBalancers?.[0]
    } catch (error) {
      if (error instanceof LoadBalancerNotFoundException) return undefined
      throw error
    }
  })
}

/** The listeners of a load balancer (every page), once per run: the alb check and the served certificates share them. */
export function listenersOf(ctx: RunContext, loadBalancerArn: string): Promise<Listener[]> {
  return ctx.memo(`elb:listeners:${loadBalancerArn}`, () =>
    collectPages(
      paginateDescribeListeners(
        {client: ctx.aws.client(ElasticLoadBalancingV2Client)},
        {LoadBalancerArn: loadBalancerArn},
        {abortSignal: ctx.signal},
      ),
      (p) => p.Listeners,
    ),
  )
}

/**
 * Every certificate the ALB's HTTPS listeners serve: the default (`Listener.Certificates`) and
 * the SNI extras (DescribeListenerCertificates, which lists the default too, flagged IsDefault),
 * and the host names their rules route. Read once per run.
 */
export function albServing(ctx: RunContext): Promise<AlbServing> {
  const {name} = ctx.env.alb
  return ctx.memo(`elb:serving:${name}`, async () => {
    const lb = await findLoadBalancer(ctx)
    if (!lb?.LoadBalancerArn) return {name, httpsListeners: [], certificates: [], hostHeaders: []}
    const client = ctx.aws.client(ElasticLoadBalancingV2Client)
    const opts = {abortSignal: ctx.signal}
    const listeners = await listenersOf(ctx, lb.LoadBalancerArn)
    const https = listeners.filter((l) => l.Protocol === 'HTTPS' && l.ListenerArn)
    const perListener = await Promise.all(
      https.map(async (l) => {
        const label = `${l.Protocol}:${l.Port}`
        const listenerArn = l.ListenerArn!
        const [listed, rules] = await Promise.all([
          collectPages(
            paginateDescribeListenerCertificates({client}, {ListenerArn: listenerArn}, opts),
            (p) => p.Certificates,
          ),
          collectPages(paginateDescribeRules({client}, {ListenerArn: listenerArn}, opts), (p) => p.Rules),
        ])
        const defaultArn =
          l.Certificates?.find((c) => c.CertificateArn)?.CertificateArn ??
          listed.find((c) => c.IsDefault)?.CertificateArn
        const certs: ListenerCertificate[] = []
        if (defaultArn) certs.push({arn: defaultArn, listener: label, listenerArn, isDefault: true})
        for (const c of listed) {
          if (!c.CertificateArn || c.IsDefault || certs.some((x) => x.arn === c.CertificateArn)) continue
          certs.push({arn: c.CertificateArn, listener: label, listenerArn, isDefault: false})
        }

        const hosts = rules
          .flatMap((r) => r.Conditions ?? [])
          .filter((c) => c.Field === 'host-header')
          .flatMap((c) => c.HostHeaderConfig?.Values ?? c.Values ?? [])
        return {label, certs, hosts}
      }),
    )
    return {
      name,
      loadBalancer: {arn: lb.LoadBalancerArn, dnsName: (lb.DNSName ?? '').toLowerCase(), state: lb.State?.Code},
      httpsListeners: perListener.map((p) => p.label),
      certificates: perListener.flatMap((p) => p.certs),
      hostHeaders: [...new Set(perListener.flatMap((p) => p.hosts).map((h) => h.toLowerCase()))],
    }
  })
}
