import {
  ACMClient,
  type CertificateStatus,
  type CertificateSummary,
  type CertificateType,
  DescribeCertificateCommand,
  KeyAlgorithm,
  paginateListCertificates,
  type RenewalEligibility,
} from '@aws-sdk/client-acm'

import type {RunContext} from '../aws/context.js'

/**
 * Reading ACM certificates for checks: every certificate of a region, whatever its
 * key type or status, listed once per run.
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

/** Every key type: without this filter ListCertificates returns RSA_2048 certificates only. */
export const ALL_KEY_TYPES: KeyAlgorithm[] = Object.values(KeyAlgorithm)

/** A client for `region`: the shared one when it is the context's region, else a region override. */
export const acmClient = (ctx: RunContext, region: string): ACMClient =>
  region === ctx.region ? ctx.aws.client(ACMClient) : ctx.aws.client(ACMClient, {region})

const names = (domain: string | undefined, sans: string[] = []): string[] =>
  [...new Set([domain, ...sans].filter((n): n is string => Boolean(n)).map((n) => n.toLowerCase()))]

const fromSummary = (s: CertificateSummary, region: string): CertificateFacts => ({
  arn: s.CertificateArn ?? '',
  region,
  names: names(s.DomainName, s.SubjectAlternativeNameSummaries),
  status: s.Status,
  type: s.Type,
  notAfter: s.NotAfter,
  inUse: s.InUse ?? false,
  renewalEligibility: s.RenewalEligibility,
  partialNames: s.HasAdditionalSubjectAlternativeNames ?? false,
})

/** Every certificate of a region, all statuses and key types; one listing per region per run. */
export function listCertificates(ctx: RunContext, region: string): Promise<CertificateFacts[]> {
  return ctx.memo(`acm:certificates:${region}`, async () => {
    const certs: CertificateFacts[] = []
    const pages = paginateListCertificates({client: acmClient(ctx, region), pageSize: 1000}, {Includes: {keyTypes: ALL_KEY_TYPES}}, {abortSignal: ctx.signal})
    for await (const page of pages) {
      for (const s of page.CertificateSummaryList ?? []) certs.push(fromSummary(s, region))
    }

    return certs
  })
}

/** The full record of one certificate (every SAN, NotAfter), for when its summary lacks them. */
export async function describeCertificate(ctx: RunContext, cert: CertificateFacts): Promise<CertificateFacts> {
  const out = await acmClient(ctx, cert.region).send(new DescribeCertificateCommand({CertificateArn: cert.arn}), {abortSignal: ctx.signal})
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

export const certificateCovers = (cert: CertificateFacts, domain: string): boolean => cert.names.some((n) => nameCovers(n, domain))

/** The certificate's id: the last part of its ARN. */
export const shortId = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1)

