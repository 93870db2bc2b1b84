import {
  ACMClient,
  type CertificateStatus,
  type CertificateType,
  DescribeCertificateCommand,
  type RenewalEligibility,
  ResourceNotFoundException,
} from '@aws-sdk/client-acm'

import type {RunContext} from '../aws/context.js'
import {UserError} from '../errors.js'
import {findDistribution, type FoundDistribution, getDistribution} from './cloudfront.js'
import {type AlbServing, albServing} from './elb.js'

/**
 * Reading ACM certificates for checks: the certificates the environment serves (its ALB's
 * HTTPS listeners and its CloudFront distribution), each described once per run.
 */

/** What a check needs to know about one certificate. */
export interface CertificateFacts {
  arn: string
  region: string
  /** DomainName followed by the subject alternative names, lower case. */
  names: string[]
  status?: CertificateStatus
  type?: CertificateType
  notAfter?: Date
  inUse: boolean
  renewalEligibility?: RenewalEligibility
  /** The summary's SAN list was cut short (ACM lists at most 100): names may be incomplete. */
  partialNames: boolean
}

/** A client for `region`: the shared one when it is the context's region, else a region override. */
export const acmClient = (ctx: RunContext, region: string): ACMClient =>
  region === ctx.region ? ctx.aws.client(ACMClient) : ctx.aws.client(ACMClient, {region})

const names = (domain: string | undefined, sans: string[] = []): string[] => [
  ...new Set([domain, ...sans].filter((n): n is string => Boolean(n)).map((n) => n.toLowerCase())),
]

/** The full record of one certificate (every SAN, NotAfter), for when its summary lacks them. */
export async function describeCertificate(ctx: RunContext, cert: CertificateFacts): Promise<CertificateFacts> {
  const out = await acmClient(ctx, cert.region).send(new DescribeCertificateCommand({CertificateArn: cert.arn}), {
    abortSignal: ctx.signal,
  })
  const c = out.Certificate
  if (!c) return cert
  return {
    ...cert,
    names: c.DomainName ? names(c.DomainName, c.SubjectAlternativeNames) : cert.names,
    status: c.Status ?? cert.status,
    type: c.Type ?? cert.type,
    notAfter: c.NotAfter ?? cert.notAfter,
    inUse: c.InUseBy ? c.InUseBy.length > 0 : cert.inUse,
    renewalEligibility: c.RenewalEligibility ?? cert.renewalEligibility,
    partialNames: false,
  }
}

/**
 * The certificate an ARN names, described once per run (whoever asks first: the certificates,
 * alb or cloudfront check); undefined when ACM has no such certificate. The region is the ARN's.
 */
export function certificateByArn(ctx: RunContext, arn: string): Promise<CertificateFacts | undefined> {
  return ctx.memo(`acm:certificate:${arn}`, async () => {
    const region = arn.split(':')[3] || ctx.region
    try {
      return await describeCertificate(ctx, {arn, region, names: [], inUse: false, partialNames: false})
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined
      throw error
    }
  })
}

/** True for an ACM certificate ARN (not an IAM server certificate). */
export const isAcmArn = (arn: string): boolean => arn.split(':')[2] === 'acm'

/**
 * True when a certificate name covers a domain: equal (case-insensitive), or a wildcard
 * `*.example.com` covering exactly one more label (`api.example.com`, not `example.com`
 * nor `a.b.example.com`). A requested `*.example.com` is covered only by `*.example.com`.
 */
export function nameCovers(name: string, domain: string): boolean {
  const n = name.toLowerCase()
  const d = domain.toLowerCase()
  if (n === d) return true
  if (!n.startsWith('*.') || d.startsWith('*.')) return false
  const dot = d.indexOf('.')
  return dot > 0 && d.slice(dot + 1) === n.slice(2)
}

export const certificateCovers = (cert: CertificateFacts, domain: string): boolean =>
  cert.names.some((n) => nameCovers(n, domain))

/** The certificate's id: the last part of its ARN. */
export const shortId = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1)

// ---------------------------------------------------------------- what the environment serves

/** Where a certificate is served: an ALB HTTPS listener (default or SNI extra), or CloudFront's viewer certificate. */
export type ServedAt =
  | {kind: 'alb'; name: string; listener: string; listenerArn: string; isDefault: boolean}
  | {kind: 'cloudfront'; id: string; aliases: string[]}

export interface ServedCertificate {
  /** The ACM ARN, or the IAM server certificate's ARN / id. */
  arn: string
  at: ServedAt
  /** The ACM record; undefined for a non-ACM certificate or an ARN ACM does not know (see `missing`). */
  facts?: CertificateFacts
  /** An ACM ARN that ACM does not know (deleted, or another account's). */
  missing: boolean
}

export interface EnvironmentServing {
  alb: AlbServing
  /** The environment's distribution, when one was found. */
  distribution?: FoundDistribution
  /** Why no distribution is judged (none found, several match): the lookup's message. */
  distributionProblem?: {code: string; message: string}
  /** CloudFront serves its default *.cloudfront.net certificate (no custom certificate). */
  cloudfrontDefaultCertificate: boolean
  certificates: ServedCertificate[]
  /** Every domain of the environment with where it was learnt, config first, in order, once each. */
  domains: {name: string; source: 'config' | 'cloudfront-alias' | 'alb-host-header' | 'certificate'}[]
}

/** "ALB production-allthrive-alb HTTPS:443 (default)", "CloudFront E123 (viewer)". */
export const servedAtLabel = (at: ServedAt): string =>
  at.kind === 'alb'
    ? `ALB ${at.name} ${at.listener} (${at.isDefault ? 'default' : 'SNI'})`
    : `CloudFront ${at.id} (viewer)`

/**
 * The certificates the environment serves, read from the live account once per run: the ALB's
 * HTTPS listeners (default and SNI extras) and the CloudFront distribution's viewer certificate,
 * each described in ACM (in the region of its ARN). A distribution that cannot be found is a
 * fact (`distributionProblem`), not an error; AccessDenied and throttling propagate.
 */
export function environmentServing(ctx: RunContext): Promise<EnvironmentServing> {
  return ctx.memo(`acm:environment-serving:${ctx.env.name}`, async () => {
    const [alb, lookup] = await Promise.all([
      albServing(ctx),
      findDistribution(ctx).then(
        (d) => ({d}),
        (error: unknown) => {
          const code = error instanceof UserError ? error.code : undefined
          if (code === 'CLOUDFRONT_NOT_FOUND' || code === 'CLOUDFRONT_AMBIGUOUS') {
            return {problem: {code, message: (error as UserError).message}}
          }

          throw error
        },
      ),
    ])
    const distribution = 'd' in lookup ? lookup.d : undefined
    const record = distribution ? await getDistribution(ctx, distribution.id) : undefined
    const viewer = record?.DistributionConfig?.ViewerCertificate
    const at: ServedCertificate[] = alb.certificates.map((c) => ({
      arn: c.arn,
      at: {kind: 'alb', name: alb.name, listener: c.listener, listenerArn: c.listenerArn, isDefault: c.isDefault},
      missing: false,
    }))
    const viewerArn = viewer?.ACMCertificateArn || viewer?.IAMCertificateId
    if (distribution && viewerArn) {
      const where: ServedAt = {kind: 'cloudfront', id: distribution.id, aliases: distribution.aliases}
      at.push({arn: viewerArn, at: where, missing: false})
    }

    const certificates = await Promise.all(
      at.map(async (s) => {
        if (!isAcmArn(s.arn)) return s
        const facts = await certificateByArn(ctx, s.arn)
        return {...s, facts, missing: !facts}
      }),
    )

    const domains: EnvironmentServing['domains'] = []
    const add = (name: string, source: EnvironmentServing['domains'][number]['source']) => {
      const n = name.toLowerCase()
      if (!domains.some((d) => d.name === n)) domains.push({name: n, source})
    }

    for (const d of [...ctx.env.domains, ...ctx.env.cloudfrontDomains]) add(d, 'config')
    for (const d of distribution?.aliases ?? []) add(d, 'cloudfront-alias')
    for (const d of alb.hostHeaders) add(d, 'alb-host-header')
    for (const c of certificates) for (const d of c.facts?.names ?? []) add(d, 'certificate')
    return {
      alb,
      distribution,
      ...('problem' in lookup && {distributionProblem: lookup.problem}),
      cloudfrontDefaultCertificate: Boolean(distribution && !viewerArn && viewer?.CloudFrontDefaultCertificate),
      certificates,
      domains,
    }
  })
}
