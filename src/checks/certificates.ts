import {CLOUDFRONT_REGION} from '../aws/regions.js'
import {
  type CertificateFacts,
  certificateCovers,
  environmentServing,
  type EnvironmentServing,
  type ServedCertificate,
  servedAtLabel,
  shortId,
} from '../resources/acm.js'
import {daysUntil} from '../util/duration.js'
import {shq} from '../util/shell.js'
import {type Check, type CheckContext, type CheckStatus, type Finding, plural, resultFromFindings} from './types.js'

const describeCmd = (c: CertificateFacts) =>
  `aws acm describe-certificate --certificate-arn ${shq(c.arn)} --region ${shq(c.region)}`

function renewalHint(c: CertificateFacts): string {
  if (c.type === 'IMPORTED') {
    return (
      `re-import a renewed certificate: aws acm import-certificate --certificate-arn ${shq(c.arn)}` +
      ' --certificate fileb://cert.pem --private-key fileb://key.pem --certificate-chain fileb://chain.pem' +
      ` --region ${shq(c.region)}`
    )
  }

  if (c.type === 'PRIVATE')
    return `renew it: aws acm renew-certificate --certificate-arn ${shq(c.arn)} --region ${shq(c.region)}`
  return (
    'check that the DNS validation records exist so ACM can renew it: ' +
    `${describeCmd(c)} --query Certificate.DomainValidationOptions`
  )
}

/** A certificate's own health: ISSUED, dated, more days left than the thresholds. Shared with the cloudfront check. */
export function judgeCertificate(ctx: CheckContext, c: CertificateFacts, where: string): Finding & {days?: number} {
  const {warnDays, failDays} = ctx.env.thresholds.certificates
  const id = shortId(c.arn)
  if (c.status !== 'ISSUED') {
    const status = c.status ?? 'UNKNOWN'
    return {
      status: 'fail',
      short: `${id} ${status}`,
      detail: `${where}: ${id} is ${status}`,
      hint: `see why: ${describeCmd(c)}`,
    }
  }

  // ACM always dates an issued certificate; should it not, say so rather than pass silently.
  if (!c.notAfter) return {status: 'warn', short: `${id} undated`, detail: `${where}: ${id} has no expiry date`}
  const days = daysUntil(c.notAfter, ctx.now)
  const date = c.notAfter.toISOString().slice(0, 10)
  const ineligible = c.type === 'AMAZON_ISSUED' && c.renewalEligibility === 'INELIGIBLE'
  const renewal = ineligible ? '; not eligible for managed renewal' : ''
  const when = days < 0 ? `expired ${-days} days ago (${date})` : `expires in ${days} days (${date})`
  const status: CheckStatus = days < failDays ? 'fail' : days < warnDays ? 'warn' : 'pass'
  if (status === 'pass') return {status, detail: `${where}: ${id}, ${days} days left (${date})`, days}
  const short = days < 0 ? `${id} expired` : `${id} expires in ${days} days`
  return {status, short, detail: `${where}: ${id} ${when}${renewal}`, hint: renewalHint(c), days}
}

/** The served certificate itself: known to ACM, from us-east-1 for CloudFront, then judgeCertificate. */
function judgeServed(ctx: CheckContext, s: ServedCertificate): Finding & {days?: number} {
  const where = servedAtLabel(s.at)
  const id = shortId(s.arn)
  if (s.missing) {
    return {
      status: 'fail',
      short: `${id} not in ACM`,
      detail: `${where}: ${s.arn} is not in ACM`,
      hint: 'attach an issued ACM certificate to it',
    }
  }

  if (!s.facts) {
    return {
      status: 'warn',
      short: 'non-ACM certificate',
      detail: `${where}: ${s.arn} is not an ACM certificate: expiry not checked`,
    }
  }

  if (s.at.kind === 'cloudfront' && s.facts.region !== CLOUDFRONT_REGION) {
    return {
      status: 'fail',
      short: `${id} not in ${CLOUDFRONT_REGION}`,
      detail: `${where}: ${id} is in ${s.facts.region}; CloudFront needs a certificate from ${CLOUDFRONT_REGION}`,
    }
  }

  return judgeCertificate(ctx, s.facts, where)
}

const covers = (certs: ServedCertificate[], domain: string): boolean =>
  certs.some((c) => c.facts && certificateCovers(c.facts, domain))
/** Host-header patterns with `?` or an inner `*` are not host names; a leading `*.` is judged as a wildcard name. */
const isHostName = (h: string): boolean => !h.includes('?') && !h.slice(1).includes('*')

/** What serves: nothing at all fails; a missing ALB or distribution is noted (their own checks judge them). */
function presence(ctx: CheckContext, served: EnvironmentServing): Finding[] {
  const {alb, distribution, distributionProblem} = served
  const whereAlb = alb.loadBalancer ? `ALB ${alb.name}` : `no load balancer named ${alb.name}`
  const whereCf = distribution
    ? `CloudFront ${distribution.id}`
    : (distributionProblem?.message ?? 'no CloudFront distribution')
  const findings: Finding[] = []
  if (served.certificates.length === 0) {
    const albPart = `${whereAlb}${alb.loadBalancer ? ' has no HTTPS listener with a certificate' : ''}`
    const cfPart = `${whereCf}${distribution ? ' has no custom certificate' : ''}`
    findings.push({
      status: 'fail',
      short: 'no certificate served',
      detail: `The environment serves no certificate: ${albPart}; ${cfPart}.`,
      hint: `allthrive validate -e ${shq(ctx.env.name)} --only alb,cloudfront`,
    })
  } else {
    if (!alb.loadBalancer) findings.push({status: 'pass', detail: `${whereAlb}: no ALB certificate judged`})
    if (!distribution) {
      const status = distributionProblem?.code === 'CLOUDFRONT_AMBIGUOUS' ? 'warn' : 'pass'
      const detail = `${whereCf}: no CloudFront certificate judged`
      findings.push({status, short: 'CloudFront distribution ambiguous', detail})
    }
  }

  if (served.cloudfrontDefaultCertificate && distribution && distribution.aliases.length > 0) {
    findings.push({
      status: 'fail',
      short: `CloudFront ${distribution.id} has no custom certificate`,
      detail:
        `CloudFront ${distribution.id}: serves the default *.cloudfront.net certificate,` +
        ' which covers none of its aliases',
    })
  }

  return findings
}

/** Names in use (CloudFront aliases, ALB host rules) and configured domains, each covered by what answers for it. */
function coverage(ctx: CheckContext, served: EnvironmentServing): Finding[] {
  const {alb, distribution} = served
  const albCerts = served.certificates.filter((c) => c.at.kind === 'alb')
  const cfCerts = served.certificates.filter((c) => c.at.kind === 'cloudfront')
  const findings: Finding[] = []
  for (const s of cfCerts) {
    for (const alias of s.facts && s.at.kind === 'cloudfront' ? s.at.aliases : []) {
      if (certificateCovers(s.facts!, alias)) continue
      findings.push({
        status: 'fail',
        short: `alias ${alias} not covered`,
        detail:
          `${servedAtLabel(s.at)}: alias ${alias} is not covered by ${shortId(s.arn)}` +
          ` (${s.facts!.names.join(', ')})`,
        hint: `request a certificate covering ${alias}: aws acm request-certificate --domain-name ${shq(alias)} --validation-method DNS --region ${CLOUDFRONT_REGION}`,
      })
    }
  }

  for (const h of alb.hostHeaders.filter(isHostName)) {
    if (albCerts.length === 0 || covers(albCerts, h)) continue
    findings.push({
      status: 'fail',
      short: `host ${h} not covered`,
      detail: `ALB ${alb.name}: rules route host ${h}, which no certificate of its HTTPS listeners covers`,
      hint: `add a certificate covering ${h}: aws elbv2 add-listener-certificates`,
    })
  }

  const servedIds = served.certificates.map((c) => shortId(c.arn)).join(', ') || 'none served'
  for (const d of ctx.env.domains.filter((x) => !covers(served.certificates, x))) {
    findings.push({
      status: 'fail',
      short: `${d} not served`,
      detail: `${d}: configured in domains, but no certificate the environment serves covers it (${servedIds})`,
    })
  }

  const cfWhere = distribution
    ? `the viewer certificate of CloudFront ${distribution.id} does not cover it`
    : (served.distributionProblem?.message ?? 'no CloudFront distribution')
  for (const d of ctx.env.cloudfrontDomains.filter((x) => !covers(cfCerts, x))) {
    findings.push({
      status: 'fail',
      short: `${d} not served by CloudFront`,
      detail: `${d}: configured in cloudfrontDomains, but ${cfWhere}`,
    })
  }

  return findings
}

/**
 * The certificates the environment serves (ALB HTTPS listeners, default and SNI; CloudFront's
 * viewer certificate) are issued and not expiring, cover the names they answer for (CloudFront
 * aliases, ALB host-header rules), and every configured domain is covered by one of them.
 */
export const certificates: Check = {
  id: 'certificates',
  title: 'TLS certificates served are issued, cover their domains and are not expiring',
  iam: [
    'elasticloadbalancing:DescribeLoadBalancers',
    'elasticloadbalancing:DescribeListeners',
    'elasticloadbalancing:DescribeListenerCertificates',
    'elasticloadbalancing:DescribeRules',
    'cloudfront:ListDistributions',
    'cloudfront:GetDistribution',
    'cloudfront:ListTagsForResource',
    'acm:DescribeCertificate',
  ],
  async run(ctx) {
    const served = await environmentServing(ctx)
    const judged = served.certificates.map((s) => ({s, f: judgeServed(ctx, s)}))
    const findings = [...presence(ctx, served), ...judged.map((j) => j.f), ...coverage(ctx, served)]
    const days = judged.map((j) => j.f.days).filter((d): d is number => d !== undefined)
    const soonest = judged.find((j) => j.f.days === Math.min(...days))
    const earliest = soonest
      ? `, earliest expiry in ${soonest.f.days} days (${shortId(soonest.s.arn)}, ${servedAtLabel(soonest.s.at)})`
      : ''
    const healthy = `${plural(served.certificates.length, 'certificate')} served${earliest}`
    const {alb, distribution} = served
    return resultFromFindings('', findings, healthy, {
      loadBalancer: alb.loadBalancer ? alb.name : null,
      distribution: distribution ? {id: distribution.id, foundBy: distribution.reason} : null,
      distributionProblem: served.distributionProblem?.message ?? null,
      certificates: judged.map(({s, f}) => ({
        arn: s.arn,
        servedBy: servedAtLabel(s.at),
        result: f.status,
        status: s.facts?.status ?? null,
        type: s.facts?.type ?? null,
        names: s.facts?.names ?? [],
        notAfter: s.facts?.notAfter?.toISOString() ?? null,
        daysLeft: f.days ?? null,
      })),
      domains: served.domains,
    })
  },
}
