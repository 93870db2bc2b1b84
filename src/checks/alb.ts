import {
  DescribeLoadBalancerAttributesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type Listener,
  paginateDescribeTargetGroups,
  type TargetGroup,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2'

import {collectPages} from '../aws/pages.js'
import {certificateByArn, shortId} from '../resources/acm.js'
import {
  arnRegion,
  arnService,
  findLoadBalancer,
  healthCheckLabel,
  idleTimeout,
  listenerLabel,
  listenersOf,
  redirectsToHttps,
  targetLabel,
  targetProblem,
} from '../resources/elb.js'
import {daysUntil} from '../util/duration.js'
import {type Check, type CheckContext, type CheckStatus, fail, type Finding, resultFromFindings} from './types.js'
import {shq} from '../util/shell.js'

/** The ALB is active, keeps idle WebSockets open, serves HTTPS with a valid certificate, redirects HTTP, and its targets are healthy. */
export const alb: Check = {
  id: 'alb',
  title: 'Load balancer active, HTTPS only, WebSocket idle timeout, targets healthy',
  iam: [
    'elasticloadbalancing:DescribeLoadBalancers',
    'elasticloadbalancing:DescribeLoadBalancerAttributes',
    'elasticloadbalancing:DescribeListeners',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetHealth',
    'acm:DescribeCertificate',
  ],
  async run(ctx) {
    const {name} = ctx.env.alb
    const client = ctx.aws.client(ElasticLoadBalancingV2Client)
    const opts = {abortSignal: ctx.signal}
    // Read once per run, shared with the certificates and cloudfront checks.
    const lb = await findLoadBalancer(ctx)

    if (!lb?.LoadBalancerArn) {
      return fail(`${name} not found`, {
        details: [`${name}: no load balancer with this name in ${ctx.region}`],
        hint: 'List them with: aws elbv2 describe-load-balancers --query "LoadBalancers[].LoadBalancerName", or fix alb.name in allthrive.config.json.',
        data: {name},
      })
    }

    const arn = lb.LoadBalancerArn
    const attributes = client.send(new DescribeLoadBalancerAttributesCommand({LoadBalancerArn: arn}), opts)
    const listeners = listenersOf(ctx, arn)
    const groups = collectPages(
      paginateDescribeTargetGroups({client}, {LoadBalancerArn: arn}, opts),
      (p) => p.TargetGroups,
    )
    // The certificate and the targets' health are read as soon as their listener / group is known.
    const https = listeners.then((ls) => ls.find((l) => l.Protocol === 'HTTPS' && l.Port === 443))
    const cert = https.then((l) => (l ? listenerCertificate(ctx, name, l) : undefined))
    const health = groups.then((gs) =>
      Promise.all(
        gs.map(async (g) => ({
          g,
          targets:
            (await client.send(new DescribeTargetHealthCommand({TargetGroupArn: g.TargetGroupArn}), opts))
              .TargetHealthDescriptions ?? [],
        })),
      ),
    )
    const [attrs, ls, httpsListener, certificate, groupHealth] = await Promise.all([
      attributes,
      listeners,
      https,
      cert,
      health,
    ])

    const findings: Finding[] = []
    const state = lb.State?.Code ?? 'unknown'
    const severity = loadBalancerStateSeverity(state)
    if (severity !== 'pass') {
      findings.push({
        status: severity,
        short: state,
        detail: `${name}: state is ${state}${lb.State?.Reason ? ` (${lb.State.Reason})` : ''}`,
        hint: `See its state in the console (EC2 → Load Balancers → ${name}) or: aws elbv2 describe-load-balancers --names ${shq(name)} --query "LoadBalancers[0].State"`,
      })
    }

    const idle = idleTimeout(attrs.Attributes ?? [])
    const min = ctx.env.thresholds.alb.minIdleTimeoutSeconds
    const assumed = idle.reported ? '' : ' (not reported: AWS default assumed)'
    findings.push(
      idle.seconds < min
        ? {
            status: 'fail',
            short: `idle timeout ${idle.seconds}s`,
            detail: `${name}: idle timeout ${idle.seconds}s${assumed} is below ${min}s: idle WebSocket connections through the ALB are dropped`,
            hint: `aws elbv2 modify-load-balancer-attributes --load-balancer-arn ${shq(arn)} --attributes Key=idle_timeout.timeout_seconds,Value=${shq(min)}`,
          }
        : {status: 'pass', detail: `${name}: idle timeout ${idle.seconds}s${assumed}`},
    )

    if (!httpsListener) {
      findings.push({
        status: 'fail',
        short: 'no HTTPS:443 listener',
        detail: `${name}: no HTTPS listener on port 443 (listeners: ${ls.map(listenerLabel).join(', ') || 'none'})`,
        hint: `aws elbv2 create-listener --load-balancer-arn ${shq(arn)} --protocol HTTPS --port 443 --certificates CertificateArn=<acm-certificate-arn> --default-actions Type=forward,TargetGroupArn=<web-target-group-arn>`,
      })
    }

    if (certificate) findings.push(certificate.finding)
    for (const l of ls.filter((x) => x.Protocol === 'HTTP')) {
      findings.push(
        redirectsToHttps(l)
          ? {status: 'pass', detail: `${name}: ${listenerLabel(l)}`}
          : {
              status: 'fail',
              short: `HTTP:${l.Port} serves plain HTTP`,
              detail: `${name}: HTTP:${l.Port} serves plain HTTP (${listenerLabel(l)}) instead of redirecting to HTTPS`,
              hint: `aws elbv2 modify-listener --listener-arn ${shq(l.ListenerArn)} --default-actions 'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}'`,
            },
      )
    }

    let healthy = 0
    let total = 0
    for (const {g, targets} of groupHealth) {
      const ok = targets.filter((t) => t.TargetHealth?.State === 'healthy').length
      healthy += ok
      total += targets.length
      findings.push(...targetFindings(ctx, g, targets, ok))
    }

    const https443 = httpsListener ? `HTTPS (${certificate?.label ?? 'no certificate'})` : 'no HTTPS'
    return resultFromFindings(
      name,
      findings,
      `${name} ${state}, idle timeout ${idle.seconds}s, ${https443}, ${healthy}/${total} targets healthy`,
      {
        name,
        arn,
        dnsName: lb.DNSName,
        state,
        idleTimeoutSeconds: idle.seconds,
        idleTimeoutReported: idle.reported,
        listeners: ls.map((l) => ({port: l.Port, protocol: l.Protocol, action: listenerLabel(l)})),
        certificate: certificate?.data ?? null,
        targetGroups: groupHealth.map(({g, targets}) => ({
          name: g.TargetGroupName,
          healthCheck: healthCheckLabel(g),
          targets: targets.map((t) => ({
            id: t.Target?.Id,
            port: t.Target?.Port,
            state: t.TargetHealth?.State,
            reason: t.TargetHealth?.Reason ?? null,
          })),
        })),
      },
    )
  },
}

/** Each target that is not healthy: fail when none in its group is, warn when some are. */
function targetFindings(ctx: CheckContext, g: TargetGroup, targets: TargetHealthDescription[], ok: number): Finding[] {
  const tg = g.TargetGroupName ?? g.TargetGroupArn ?? '?'
  const hint = `See why: allthrive logs tail web -e ${shq(ctx.env.name)} --since 30m; the health check of ${tg} is ${healthCheckLabel(g)}`
  if (targets.length === 0)
    return [
      {
        status: 'fail',
        short: `${tg} has no targets`,
        detail: `${tg}: no registered targets`,
        hint: `Check that the web service registers with it: allthrive validate -e ${shq(ctx.env.name)} --only ecs-services`,
      },
    ]
  const status = ok === 0 ? 'fail' : 'warn'
  const bad = targets.filter((t) => t.TargetHealth?.State !== 'healthy')
  return bad.map((t, i) => ({
    status,
    ...(i === 0 && {short: `${ok}/${targets.length} targets healthy in ${tg}`}),
    detail: `${tg}: target ${targetLabel(t)} ${targetProblem(t)}`,
    hint,
  }))
}

/** pass for `active`, warn while `provisioning`, fail for `failed`, `active_impaired` or anything unknown. */
const loadBalancerStateSeverity = (code: string | undefined): CheckStatus =>
  code === 'active' ? 'pass' : code === 'provisioning' ? 'warn' : 'fail'

/** The HTTPS listener's default certificate (`Certificates[0]`, the listener's default): ISSUED in ACM, with days left above the thresholds. */
async function listenerCertificate(
  ctx: CheckContext,
  name: string,
  l: Listener,
): Promise<{finding: Finding; label: string; data: Record<string, unknown>}> {
  const arn = l.Certificates?.[0]?.CertificateArn
  if (!arn)
    return {
      finding: {status: 'fail', short: 'HTTPS without certificate', detail: `${name}: HTTPS:443 has no certificate`},
      label: 'no certificate',
      data: {},
    }
  if (arnService(arn) !== 'acm') {
    return {
      finding: {status: 'pass', detail: `${name}: HTTPS:443 uses ${arn}, not an ACM certificate: expiry not checked`},
      label: 'non-ACM certificate',
      data: {arn},
    }
  }

  const region = arnRegion(arn) ?? ctx.region
  // Described once per run, shared with the certificates check.
  const facts = await certificateByArn(ctx, arn)
  if (!facts) {
    return {
      finding: {
        status: 'fail',
        short: 'certificate not found',
        detail: `${name}: HTTPS:443 certificate ${arn} not found in ACM (${region})`,
        hint: `Attach an issued certificate: aws elbv2 modify-listener --listener-arn ${shq(l.ListenerArn)} --certificates CertificateArn=<acm-certificate-arn>`,
      },
      label: 'certificate not found',
      data: {arn},
    }
  }

  const id = shortId(arn)
  const describe = `aws acm describe-certificate --certificate-arn ${shq(arn)} --region ${shq(region)}`
  const {warnDays, failDays} = ctx.env.thresholds.certificates
  if (facts.status !== 'ISSUED') {
    return {
      finding: {
        status: 'fail',
        short: `certificate ${facts.status ?? 'UNKNOWN'}`,
        detail: `${name}: HTTPS:443 certificate ${id} is ${facts.status ?? 'UNKNOWN'}`,
        hint: `See why: ${describe}`,
      },
      label: `cert ${facts.status ?? 'UNKNOWN'}`,
      data: {arn, status: facts.status},
    }
  }

  const days = facts.notAfter ? daysUntil(facts.notAfter, ctx.now) : undefined
  const data = {
    arn,
    status: facts.status,
    type: facts.type,
    notAfter: facts.notAfter?.toISOString() ?? null,
    daysLeft: days ?? null,
  }
  if (days === undefined)
    return {
      finding: {
        status: 'warn',
        short: 'certificate expiry unknown',
        detail: `${name}: HTTPS:443 certificate ${id} has no expiry date`,
      },
      label: 'cert expiry unknown',
      data,
    }
  const when = days < 0 ? `expired ${-days} days ago` : `expires in ${days} days`
  const status = days < failDays ? 'fail' : days < warnDays ? 'warn' : 'pass'
  const renew =
    facts.type === 'IMPORTED'
      ? `re-import a renewed certificate: aws acm import-certificate --certificate-arn ${shq(arn)} --certificate fileb://cert.pem --private-key fileb://key.pem --certificate-chain fileb://chain.pem --region ${shq(region)}`
      : `check its renewal status and DNS validation records: ${describe}`
  return {
    finding:
      status === 'pass'
        ? {status, detail: `${name}: HTTPS:443 certificate ${id}, ${days} days left`}
        : {
            status,
            short: `certificate ${when}`,
            detail: `${name}: HTTPS:443 certificate ${id} ${when} (${status === 'fail' ? `fails below ${failDays}` : `warns below ${warnDays}`} days)`,
            hint: renew,
          },
    label: `cert ${days} days`,
    data,
  }
}
