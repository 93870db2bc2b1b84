import {
  type CertificateFacts,
  certificateCovers,
  CLOUDFRONT_REGION,
  describeCertificate,
  listCertificates,
  shortId,
} from '../resources/acm.js'
import {daysUntil} from '../util/duration.js'
import {type Check, type CheckContext, fail, pass, plural, warn, worst} from './types.js'
import {shq} from '../util/shell.js'

interface Pair {domain: string; region: string}
interface Verdict {status: 'pass' | 'warn' | 'fail'; line: string; hint?: string; cert?: CertificateFacts; days?: number}

const rank = (c: CertificateFacts): number[] => [c.status === 'ISSUED' ? 1 : 0, c.inUse ? 1 : 0, c.notAfter?.getTime() ?? 0]
/** Best first: ISSUED, then in use, then the latest expiry. */
const ranked = (certs: CertificateFacts[]): CertificateFacts[] =>
  certs.toSorted((a, b) => {
    const [x, y] = [rank(a), rank(b)]
    return y[0] - x[0] || y[1] - x[1] || y[2] - x[2]
  })

const request = ({domain, region}: Pair) => `aws acm request-certificate --domain-name ${shq(domain)} --validation-method DNS --region ${shq(region)}`
const validation = (c: CertificateFacts) =>
  `aws acm describe-certificate --certificate-arn ${shq(c.arn)} --region ${shq(c.region)} --query Certificate.DomainValidationOptions`

function renewalHint(c: CertificateFacts): string {
  if (c.type === 'IMPORTED') return `re-import a renewed certificate: aws acm import-certificate --certificate-arn ${shq(c.arn)} --certificate fileb://cert.pem --private-key fileb://key.pem --certificate-chain fileb://chain.pem --region ${shq(c.region)}`
  if (c.type === 'PRIVATE') return `renew it: aws acm renew-certificate --certificate-arn ${shq(c.arn)} --region ${shq(c.region)}`
  return `check that the DNS validation records exist so ACM can renew it: ${validation(c)}`
}

/** A region's certificates, with full records for issued ones whose summary lacks NotAfter and for cut-short SAN lists. */
async function certificatesFor(ctx: CheckContext, region: string, domains: string[]): Promise<CertificateFacts[]> {
  const certs = await listCertificates(ctx, region)
  const incomplete = (c: CertificateFacts) =>
    (c.partialNames && !domains.every((d) => certificateCovers(c, d))) || (c.status === 'ISSUED' && !c.notAfter && domains.some((d) => certificateCovers(c, d)))
  return Promise.all(certs.map((c) => (incomplete(c) ? describeCertificate(ctx, c) : c)))
}

function judge(ctx: CheckContext, pair: Pair, certs: CertificateFacts[], elsewhere: CertificateFacts[]): Verdict {
  const {warnDays, failDays} = ctx.env.thresholds.certificates
  const where = `${pair.domain} (${pair.region})`
  const covering = ranked(certs.filter((c) => certificateCovers(c, pair.domain)))
  const chosen = covering[0]
  if (!chosen) {
    const other = ranked(elsewhere.filter((c) => certificateCovers(c, pair.domain)))[0]
    const line = other
      ? `${where}: covered only by ${shortId(other.arn)} in ${other.region}; CloudFront needs a certificate in ${CLOUDFRONT_REGION}`
      : `${where}: no certificate covers it`
    return {status: 'fail', line, hint: request(pair)}
  }

  const id = shortId(chosen.arn)
  if (chosen.status !== 'ISSUED') {
    const statuses = covering.map((c) => `${shortId(c.arn)} is ${c.status ?? 'UNKNOWN'}`).join(', ')
    return {status: 'fail', line: `${where}: no issued certificate (${statuses})`, cert: chosen,
      hint: chosen.status === 'PENDING_VALIDATION' ? `create the DNS validation records: ${validation(chosen)}` : request(pair)}
  }

  // ACM always dates an issued certificate; should it not, say so rather than pass silently.
  if (!chosen.notAfter) return {status: 'warn', line: `${where}: ${id} has no expiry date`, cert: chosen}
  const days = daysUntil(chosen.notAfter, ctx.now)
  const date = chosen.notAfter.toISOString().slice(0, 10)
  const renewal = chosen.type === 'AMAZON_ISSUED' && chosen.renewalEligibility === 'INELIGIBLE' ? '; not eligible for managed renewal' : ''
  const when = days < 0 ? `expired ${-days} days ago (${date})` : `expires in ${days} days (${date})`
  if (days < failDays) return {status: 'fail', line: `${where}: ${id} ${when}${renewal}`, hint: renewalHint(chosen), cert: chosen, days}
  if (days < warnDays) return {status: 'warn', line: `${where}: ${id} ${when}${renewal}`, hint: renewalHint(chosen), cert: chosen, days}
  return {status: 'pass', line: `${where}: ${id}, ${days} days left (${date})`, cert: chosen, days}
}

/** Each domain has an issued ACM certificate in the environment's region, and each CloudFront domain one in us-east-1. */
export const certificates: Check = {
  id: 'certificates',
  title: 'TLS certificates issued and not expiring',
  iam: ['acm:ListCertificates', 'acm:DescribeCertificate'],
  async run(ctx) {
    const {env} = ctx
    const pairs: Pair[] = []
    for (const p of [...env.domains.map((domain) => ({domain, region: ctx.region})), ...env.cloudfrontDomains.map((domain) => ({domain, region: CLOUDFRONT_REGION}))]) {
      if (!pairs.some((q) => q.domain === p.domain && q.region === p.region)) pairs.push(p)
    }

    const regions = [...new Set([ctx.region, ...pairs.map((p) => p.region)])]
    const byRegion = new Map(await Promise.all(regions.map(async (r) =>
      [r, await certificatesFor(ctx, r, pairs.filter((p) => p.region === r).map((p) => p.domain))] as const)))
    // A CloudFront domain without a us-east-1 certificate: say so when one exists in the environment's region.
    const verdicts = pairs.map((p) => judge(ctx, p, byRegion.get(p.region)!, p.region === ctx.region ? [] : byRegion.get(ctx.region)!))

    const data = {
      regions,
      pairs: pairs.map((p, i) => {
        const {cert, days, status} = verdicts[i]
        return {domain: p.domain, region: p.region, result: status, arn: cert?.arn ?? null, status: cert?.status ?? null,
          type: cert?.type ?? null, inUse: cert?.inUse ?? null, notAfter: cert?.notAfter?.toISOString() ?? null, daysLeft: days ?? null}
      }),
    }
    const status = worst(verdicts.map((v) => v.status))
    const findings = verdicts.filter((v) => v.status !== 'pass')
    const hint = [...new Set(findings.map((v) => v.hint).filter(Boolean))].join('; ') || undefined
    const n = pairs.length
    if (status === 'fail') {
      return fail(`${findings.filter((v) => v.status === 'fail').length} of ${n} domain/region pairs failing`, {details: findings.map((v) => v.line), hint, data})
    }

    if (status === 'warn') {
      const expiring = new Set(findings.map((v) => v.cert?.arn)).size
      return warn(`${n} domain/region pairs covered, ${plural(expiring, 'certificate')} expiring within ${env.thresholds.certificates.warnDays} days`, {details: findings.map((v) => v.line), hint, data})
    }

    const soonest = verdicts.reduce((a, b, i) => ((b.days ?? Infinity) < (verdicts[a].days ?? Infinity) ? i : a), 0)
    return pass(`${n} domain/region pairs covered, earliest expiry in ${verdicts[soonest].days} days (${pairs[soonest].domain}, ${pairs[soonest].region})`, {
      details: verdicts.map((v) => v.line),
      data,
    })
  },
}
