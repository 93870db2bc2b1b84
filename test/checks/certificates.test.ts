import {
  type CertificateDetail,
  type CertificateSummary,
  DescribeCertificateCommand,
  type DescribeCertificateCommandOutput,
  ListCertificatesCommand,
  type ListCertificatesCommandInput,
  type ListCertificatesCommandOutput,
} from '@aws-sdk/client-acm'
import {beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../src/aws/clients.js'
import {certificates} from '../../src/checks/certificates.js'
import type {CheckContext} from '../../src/checks/types.js'
import {DEFAULT_THRESHOLDS, type EnvConfig} from '../../src/config.js'
import {nameCovers} from '../../src/resources/acm.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming, NOW} from '../helpers/context.js'

const DAY = 86_400_000
/** NotAfter `days` whole days (plus some hours, which floor away) after NOW. */
const inDays = (days: number): Date => new Date(NOW.getTime() + days * DAY + 5 * 3_600_000)
const arn = (region: string, id: string) => `arn:aws:acm:${region}:123456789012:certificate/${id}`

/** An issued, in-use, Amazon-issued certificate for allthrive.ai and *.allthrive.ai. */
const cert = (region: string, id: string, over: Partial<CertificateSummary> = {}): CertificateSummary => ({
  CertificateArn: arn(region, id),
  DomainName: 'allthrive.ai',
  SubjectAlternativeNameSummaries: ['allthrive.ai', '*.allthrive.ai'],
  HasAdditionalSubjectAlternativeNames: false,
  Status: 'ISSUED',
  Type: 'AMAZON_ISSUED',
  KeyAlgorithm: 'RSA_2048',
  InUse: true,
  RenewalEligibility: 'ELIGIBLE',
  NotAfter: inDays(212),
  ...over,
})

/** ListCertificates answers by the region of the client that sends it; returns the regions asked, in order. */
function listing(byRegion: Record<string, CertificateSummary[]>): string[] {
  const asked: string[] = []
  mocks.acm.on(ListCertificatesCommand).callsFake(async (_input: ListCertificatesCommandInput, getClient) => {
    const region = await getClient().config.region()
    asked.push(region)
    const out: Partial<ListCertificatesCommandOutput> = {CertificateSummaryList: byRegion[region] ?? []}
    return out
  })
  return asked
}

/** A context whose clients and region are `region` (ctxWith is us-east-1). */
const ctxIn = (region: string, overrides: Partial<EnvConfig> = {}): CheckContext => ({...ctxWith(overrides), region, aws: createAwsClients({region})})

const ALL_KEY_TYPES = ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1', 'EC_secp521r1']
type PairData = {domain: string; region: string; result: string; arn: string | null; status: string | null; daysLeft: number | null}
const pairsOf = (data: unknown) => (data as {pairs: PairData[]}).pairs

describe('certificates check', () => {
  beforeEach(() => resetMocks())

  it('passes in us-east-1 with one listing of every key type and status', async () => {
    const asked = listing({'us-east-1': [cert('us-east-1', 'aaaa-1111')]})
    const ctx = ctxWith()
    const r = await certificates.run(ctx)
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('2 domain/region pairs covered, earliest expiry in 212 days (allthrive.ai, us-east-1)')
    expect(r.details).toEqual([
      'allthrive.ai (us-east-1): aaaa-1111, 212 days left (2027-06-26)',
      '*.allthrive.ai (us-east-1): aaaa-1111, 212 days left (2027-06-26)',
    ])
    expect(asked).toEqual(['us-east-1'])
    expect(mocks.acm).toHaveReceivedCommandTimes(ListCertificatesCommand, 1)
    const input = mocks.acm.commandCalls(ListCertificatesCommand)[0].args[0].input
    expect(input.Includes?.keyTypes?.toSorted()).toEqual(ALL_KEY_TYPES.toSorted())
    expect(input.CertificateStatuses).toBeUndefined()
    expect((mocks.acm.commandCalls(ListCertificatesCommand)[0].args as unknown[])[1]).toEqual({abortSignal: ctx.signal})
    expect(mocks.acm).not.toHaveReceivedCommand(DescribeCertificateCommand)
    expect(pairsOf(r.data)[0]).toMatchObject({domain: 'allthrive.ai', region: 'us-east-1', result: 'pass', arn: arn('us-east-1', 'aaaa-1111'),
      status: 'ISSUED', daysLeft: 212, notAfter: inDays(212).toISOString()})
  })

  it('lists the environment region and us-east-1 for CloudFront when they differ', async () => {
    const asked = listing({
      'eu-west-1': [cert('eu-west-1', 'alb-cert', {NotAfter: inDays(300)})],
      'us-east-1': [cert('us-east-1', 'cf-cert')],
    })
    const r = await certificates.run(ctxIn('eu-west-1'))
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('4 domain/region pairs covered, earliest expiry in 212 days (allthrive.ai, us-east-1)')
    expect(asked.toSorted()).toEqual(['eu-west-1', 'us-east-1'])
    expect(pairsOf(r.data).map((p) => `${p.domain} ${p.region} ${p.arn}`)).toEqual([
      `allthrive.ai eu-west-1 ${arn('eu-west-1', 'alb-cert')}`,
      `*.allthrive.ai eu-west-1 ${arn('eu-west-1', 'alb-cert')}`,
      `allthrive.ai us-east-1 ${arn('us-east-1', 'cf-cert')}`,
      `*.allthrive.ai us-east-1 ${arn('us-east-1', 'cf-cert')}`,
    ])
  })

  it('fails a CloudFront domain covered only by a certificate outside us-east-1', async () => {
    listing({'eu-west-1': [cert('eu-west-1', 'alb-cert')]})
    const r = await certificates.run(ctxIn('eu-west-1', {cloudfrontDomains: ['allthrive.ai']}))
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('1 of 3 domain/region pairs failing')
    expect(r.details).toEqual(['allthrive.ai (us-east-1): covered only by alb-cert in eu-west-1; CloudFront needs a certificate in us-east-1'])
    expect(r.hint).toBe('aws acm request-certificate --domain-name allthrive.ai --validation-method DNS --region us-east-1')
  })

  it('fails each domain no certificate covers, with the request command', async () => {
    listing({'us-east-1': [cert('us-east-1', 'other', {DomainName: 'example.com', SubjectAlternativeNameSummaries: ['example.com']})]})
    const r = await certificates.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('2 of 2 domain/region pairs failing')
    expect(r.details).toEqual(['allthrive.ai (us-east-1): no certificate covers it', '*.allthrive.ai (us-east-1): no certificate covers it'])
    expect(r.hint).toBe('aws acm request-certificate --domain-name allthrive.ai --validation-method DNS --region us-east-1; '
      + "aws acm request-certificate --domain-name '*.allthrive.ai' --validation-method DNS --region us-east-1")
    expect(pairsOf(r.data)[0]).toMatchObject({result: 'fail', arn: null, daysLeft: null})
  })

  it('lets a wildcard cover one label only, and a requested wildcard only by the wildcard', async () => {
    listing({'us-east-1': [cert('us-east-1', 'wild', {DomainName: '*.allthrive.ai', SubjectAlternativeNameSummaries: ['*.allthrive.ai']})]})
    const domains = ['api.allthrive.ai', 'allthrive.ai', 'a.b.allthrive.ai', '*.allthrive.ai']
    const r = await certificates.run(ctxWith({domains, cloudfrontDomains: []}))
    expect(r.details).toEqual(['allthrive.ai (us-east-1): no certificate covers it', 'a.b.allthrive.ai (us-east-1): no certificate covers it'])
    expect(pairsOf(r.data).map((p) => p.result)).toEqual(['pass', 'fail', 'fail', 'pass'])
  })

  it('matches names case-insensitively and wildcards by one label', () => {
    expect(nameCovers('*.allthrive.ai', 'API.allthrive.ai')).toBe(true)
    expect(nameCovers('AllThrive.ai', 'allthrive.ai')).toBe(true)
    expect(nameCovers('*.allthrive.ai', 'allthrive.ai')).toBe(false)
    expect(nameCovers('*.allthrive.ai', 'x.api.allthrive.ai')).toBe(false)
    expect(nameCovers('api.allthrive.ai', '*.allthrive.ai')).toBe(false)
    expect(nameCovers('*.ai', '*.allthrive.ai')).toBe(false)
    expect(nameCovers('*.allthrive.ai', 'evilallthrive.ai')).toBe(false)
  })

  it('fails naming the status when only unissued certificates cover a domain', async () => {
    listing({'us-east-1': [
      cert('us-east-1', 'pending', {Status: 'PENDING_VALIDATION', NotAfter: undefined, InUse: false}),
      cert('us-east-1', 'old', {Status: 'EXPIRED', NotAfter: inDays(-40)}),
    ]})
    const r = await certificates.run(ctxWith({cloudfrontDomains: [], domains: ['allthrive.ai']}))
    expect(r).toMatchObject({status: 'fail', details: ['allthrive.ai (us-east-1): no issued certificate (old is EXPIRED, pending is PENDING_VALIDATION)']})
    expect(mocks.acm).not.toHaveReceivedCommand(DescribeCertificateCommand)
    expect(r.hint).toBe('aws acm request-certificate --domain-name allthrive.ai --validation-method DNS --region us-east-1')
    expect(pairsOf(r.data)[0]).toMatchObject({arn: arn('us-east-1', 'old'), status: 'EXPIRED'})
  })

  it('points at the DNS validation records when the best candidate awaits validation', async () => {
    listing({'us-east-1': [cert('us-east-1', 'pending', {Status: 'PENDING_VALIDATION', NotAfter: undefined, InUse: false})]})
    const r = await certificates.run(ctxWith({cloudfrontDomains: [], domains: ['allthrive.ai']}))
    expect(r.details).toEqual(['allthrive.ai (us-east-1): no issued certificate (pending is PENDING_VALIDATION)'])
    expect(r.hint).toBe(`create the DNS validation records: aws acm describe-certificate --certificate-arn ${arn('us-east-1', 'pending')} --region us-east-1 --query Certificate.DomainValidationOptions`)
  })

  it('picks an issued certificate over others, in use first, then the latest expiry', async () => {
    listing({'us-east-1': [
      cert('us-east-1', 'expired-in-use', {Status: 'EXPIRED', NotAfter: inDays(-3)}),
      cert('us-east-1', 'spare-later', {InUse: false, NotAfter: inDays(390)}),
      cert('us-east-1', 'in-use', {NotAfter: inDays(200)}),
      cert('us-east-1', 'spare', {DomainName: '*.allthrive.ai', SubjectAlternativeNameSummaries: ['*.allthrive.ai'], InUse: false, NotAfter: inDays(100)}),
    ]})
    const r = await certificates.run(ctxWith({cloudfrontDomains: [], domains: ['allthrive.ai', 'www.allthrive.ai']}))
    expect(r.status).toBe('pass')
    expect(pairsOf(r.data).map((p) => p.arn)).toEqual([arn('us-east-1', 'in-use'), arn('us-east-1', 'in-use')])
  })

  it('picks the latest expiry among certificates equally in use', async () => {
    listing({'us-east-1': [cert('us-east-1', 'sooner', {NotAfter: inDays(40)}), cert('us-east-1', 'later', {NotAfter: inDays(380)})]})
    const r = await certificates.run(ctxWith())
    expect(pairsOf(r.data).map((p) => p.arn)).toEqual([arn('us-east-1', 'later'), arn('us-east-1', 'later')])
  })

  it('warns within warnDays, with the DNS validation hint for an Amazon-issued certificate', async () => {
    listing({'us-east-1': [cert('us-east-1', 'soon', {NotAfter: inDays(20)})]})
    const r = await certificates.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe('2 domain/region pairs covered, 1 certificate expiring within 30 days')
    expect(r.details).toEqual([
      'allthrive.ai (us-east-1): soon expires in 20 days (2026-12-16)',
      '*.allthrive.ai (us-east-1): soon expires in 20 days (2026-12-16)',
    ])
    expect(r.hint).toBe(`check that the DNS validation records exist so ACM can renew it: aws acm describe-certificate --certificate-arn ${arn('us-east-1', 'soon')} --region us-east-1 --query Certificate.DomainValidationOptions`)
    expect(pairsOf(r.data)[0]).toMatchObject({result: 'warn', daysLeft: 20})
  })

  it('passes at exactly warnDays and warns one day short of it', async () => {
    listing({'us-east-1': [cert('us-east-1', 'edge', {NotAfter: inDays(30)})]})
    expect((await certificates.run(ctxWith())).status).toBe('pass')
    resetMocks()
    listing({'us-east-1': [cert('us-east-1', 'edge', {NotAfter: inDays(29)})]})
    expect((await certificates.run(ctxWith())).status).toBe('warn')
  })

  it('fails within failDays, with the re-import hint for an imported certificate', async () => {
    listing({'us-east-1': [cert('us-east-1', 'imported', {Type: 'IMPORTED', NotAfter: inDays(6), RenewalEligibility: 'INELIGIBLE'})]})
    const r = await certificates.run(ctxWith({domains: ['allthrive.ai'], cloudfrontDomains: []}))
    expect(r).toMatchObject({status: 'fail', summary: '1 of 1 domain/region pairs failing', details: ['allthrive.ai (us-east-1): imported expires in 6 days (2026-12-02)']})
    expect(r.hint).toMatch(/^re-import a renewed certificate: aws acm import-certificate --certificate-arn \S+imported /)
  })

  it('fails an issued certificate past its NotAfter and says when ACM will not renew it', async () => {
    listing({'us-east-1': [cert('us-east-1', 'lapsed', {NotAfter: new Date(NOW.getTime() - 2 * DAY), RenewalEligibility: 'INELIGIBLE', InUse: false})]})
    const r = await certificates.run(ctxWith({domains: ['allthrive.ai'], cloudfrontDomains: []}))
    expect(r.details).toEqual(['allthrive.ai (us-east-1): lapsed expired 2 days ago (2026-11-24); not eligible for managed renewal'])
  })

  it('reads the thresholds from the environment', async () => {
    listing({'us-east-1': [cert('us-east-1', 'c', {NotAfter: inDays(40)})]})
    const thresholds = {...DEFAULT_THRESHOLDS, certificates: {warnDays: 60, failDays: 45}}
    const r = await certificates.run(ctxWith({thresholds}))
    expect(r.status).toBe('fail')
  })

  it('describes a matching certificate whose summary has no NotAfter, and only that one', async () => {
    listing({'us-east-1': [
      cert('us-east-1', 'undated', {NotAfter: undefined}),
      cert('us-east-1', 'unrelated', {DomainName: 'example.com', SubjectAlternativeNameSummaries: ['example.com'], NotAfter: undefined}),
    ]})
    const detail: CertificateDetail = {CertificateArn: arn('us-east-1', 'undated'), DomainName: 'allthrive.ai', SubjectAlternativeNames: ['allthrive.ai', '*.allthrive.ai'],
      Status: 'ISSUED', Type: 'AMAZON_ISSUED', NotAfter: inDays(90), InUseBy: ['arn:aws:cloudfront::123456789012:distribution/E1']}
    const out: DescribeCertificateCommandOutput = {$metadata: {}, Certificate: detail}
    mocks.acm.on(DescribeCertificateCommand).resolves(out)
    const r = await certificates.run(ctxWith())
    expect(r.summary).toBe('2 domain/region pairs covered, earliest expiry in 90 days (allthrive.ai, us-east-1)')
    expect(mocks.acm).toHaveReceivedCommandTimes(DescribeCertificateCommand, 1)
    expect(mocks.acm).toHaveReceivedCommandWith(DescribeCertificateCommand, {CertificateArn: arn('us-east-1', 'undated')})
  })

  it('describes a certificate whose SAN summary was cut short to find the rest of its names', async () => {
    const san = Array.from({length: 100}, (_, i) => `site${i}.example.com`)
    listing({'us-east-1': [cert('us-east-1', 'many-names', {DomainName: 'site0.example.com', SubjectAlternativeNameSummaries: san, HasAdditionalSubjectAlternativeNames: true})]})
    mocks.acm.on(DescribeCertificateCommand).resolves({$metadata: {}, Certificate: {
      CertificateArn: arn('us-east-1', 'many-names'), DomainName: 'site0.example.com', SubjectAlternativeNames: [...san, 'allthrive.ai', '*.allthrive.ai'],
      Status: 'ISSUED', Type: 'AMAZON_ISSUED', NotAfter: inDays(150), InUseBy: []}})
    const r = await certificates.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(pairsOf(r.data).map((p) => p.arn)).toEqual([arn('us-east-1', 'many-names'), arn('us-east-1', 'many-names')])
  })

  it('follows NextToken through every page', async () => {
    mocks.acm.on(ListCertificatesCommand).resolvesOnce({CertificateSummaryList: [cert('us-east-1', 'x', {DomainName: 'example.com', SubjectAlternativeNameSummaries: []})], NextToken: 'page-2'})
      .resolvesOnce({CertificateSummaryList: [cert('us-east-1', 'on-page-2')]})
    const r = await certificates.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(mocks.acm).toHaveReceivedCommandTimes(ListCertificatesCommand, 2)
    expect(mocks.acm).toHaveReceivedNthCommandWith(ListCertificatesCommand, 2, {NextToken: 'page-2'})
  })

  it('is an error naming the IAM action when listing is denied', async () => {
    mocks.acm.on(ListCertificatesCommand).rejects(accessDenied('acm:ListCertificates'))
    await expectErrorNaming(certificates, 'acm:ListCertificates')
  })

  it('declares the IAM actions it calls', () => {
    expect(certificates.iam).toEqual(['acm:ListCertificates', 'acm:DescribeCertificate'])
  })
})
