import {DescribeCertificateCommand, ListCertificatesCommand} from '@aws-sdk/client-acm'
import {ListDistributionsCommand} from '@aws-sdk/client-cloudfront'
import {
  DescribeListenerCertificatesCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {beforeEach, describe, expect, it} from 'vitest'

import {alb} from '../../src/checks/alb.js'
import {certificates} from '../../src/checks/certificates.js'
import {DEFAULT_THRESHOLDS} from '../../src/config.js'
import {nameCovers} from '../../src/resources/acm.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {twoProductionDistributions} from '../helpers/cloudfront.js'
import {ctxWith, expectErrorNaming} from '../helpers/context.js'
import {certArn, certDetail, givenServing, inDays, LISTENER_ARN} from '../helpers/serving.js'

const ALB_CERT = certArn('us-east-1', 'alb-prod')
const CF_CERT = certArn('us-east-1', 'cf-prod')
const SNI_CERT = certArn('us-east-1', 'sni-api')
const ALB_DEFAULT = 'ALB production-allthrive-alb HTTPS:443 (default)'
/** Staging's twin: covers the same names, 200 days left. */
const TWIN = certDetail(certArn('us-east-1', 'staging-twin'), {NotAfter: inDays(200)})

type CertData = {arn: string; servedBy: string; result: string; daysLeft: number | null; names: string[]}
const certsOf = (data: unknown) => (data as {certificates: CertData[]}).certificates
const domainsOf = (data: unknown) => (data as {domains: {name: string; source: string}[]}).domains

/** A healthy production: the ALB and CloudFront each serve their own certificate. */
const healthy = {
  alb: {default: ALB_CERT},
  cloudfront: {viewer: {ACMCertificateArn: CF_CERT, SSLSupportMethod: 'sni-only' as const}},
  certs: [certDetail(ALB_CERT, {NotAfter: inDays(150)}), certDetail(CF_CERT, {NotAfter: inDays(90)})],
}

describe('certificates check (what the environment serves)', () => {
  beforeEach(() => resetMocks())

  it('passes when every served certificate is issued and far from expiry, naming the soonest', async () => {
    givenServing(healthy)
    const r = await certificates.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('2 certificates served, earliest expiry in 90 days (cf-prod, CloudFront EPROD (viewer))')
    expect(r.details).toEqual(
      expect.arrayContaining([
        `${ALB_DEFAULT}: alb-prod, 150 days left (2027-04-25)`,
        'CloudFront EPROD (viewer): cf-prod, 90 days left (2027-02-24)',
      ]),
    )
    expect(certsOf(r.data).map((c) => [c.servedBy, c.daysLeft])).toEqual([
      [ALB_DEFAULT, 150],
      ['CloudFront EPROD (viewer)', 90],
    ])
    // Described by ARN, never listed: another certificate covering the names is not "the" certificate.
    expect(mocks.acm).not.toHaveReceivedCommand(ListCertificatesCommand)
    expect(mocks.acm).toHaveReceivedCommandWith(DescribeCertificateCommand, {CertificateArn: ALB_CERT})
    expect(mocks.acm).toHaveReceivedCommandWith(DescribeCertificateCommand, {CertificateArn: CF_CERT})
  })

  it('fails the served ALB certificate expiring in 5 days, though a 200-day twin covers the names', async () => {
    const certs = [certDetail(ALB_CERT, {NotAfter: inDays(5)}), certDetail(CF_CERT, {NotAfter: inDays(90)}), TWIN]
    givenServing({...healthy, certs, listed: [TWIN]})
    const r = await certificates.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('alb-prod expires in 5 days')
    expect(r.details?.[0]).toBe(`${ALB_DEFAULT}: alb-prod expires in 5 days (2026-12-01)`)
    expect(r.hint).toContain(`aws acm describe-certificate --certificate-arn ${ALB_CERT} --region us-east-1`)
    expect(JSON.stringify(r)).not.toContain('staging-twin')
  })

  it('warns (fails by threshold) for the served CloudFront certificate expiring in 10 days, twin or not', async () => {
    const certs = [certDetail(ALB_CERT), certDetail(CF_CERT, {NotAfter: inDays(10)}), TWIN]
    givenServing({...healthy, certs, listed: [TWIN]})
    const warned = await certificates.run(ctxWith())
    expect(warned).toMatchObject({status: 'warn', summary: 'cf-prod expires in 10 days'})
    expect(warned.details?.[0]).toBe('CloudFront EPROD (viewer): cf-prod expires in 10 days (2026-12-06)')
    const thresholds = {...DEFAULT_THRESHOLDS, certificates: {warnDays: 30, failDays: 14}}
    const strict = await certificates.run(ctxWith({thresholds}))
    expect(strict.status).toBe('fail')
  })

  it('judges the SNI extras too, flagging which one is the default', async () => {
    const sni = certDetail(SNI_CERT, {
      DomainName: 'api.example.org',
      SubjectAlternativeNames: ['api.example.org'],
      Status: 'EXPIRED',
      NotAfter: inDays(-3),
    })
    givenServing({...healthy, alb: {default: ALB_CERT, sni: [SNI_CERT]}, certs: [...healthy.certs, sni]})
    const r = await certificates.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details?.[0]).toBe('ALB production-allthrive-alb HTTPS:443 (SNI): sni-api is EXPIRED')
    expect(certsOf(r.data).map((c) => c.servedBy)).toEqual([
      ALB_DEFAULT,
      'ALB production-allthrive-alb HTTPS:443 (SNI)',
      'CloudFront EPROD (viewer)',
    ])
    expect(mocks.elbv2).toHaveReceivedCommandWith(DescribeListenerCertificatesCommand, {ListenerArn: LISTENER_ARN})
    expect(domainsOf(r.data)).toContainEqual({name: 'api.example.org', source: 'certificate'})
  })

  it('names a configured domain that no served certificate covers', async () => {
    givenServing(healthy)
    const domains = ['allthrive.ai', 'shop.allthrive.io']
    const r = await certificates.run(ctxWith({domains, cloudfrontDomains: ['allthrive.ai']}))
    expect(r).toMatchObject({status: 'fail', summary: 'shop.allthrive.io not served'})
    expect(r.details?.[0]).toBe(
      'shop.allthrive.io: configured in domains, but no certificate the environment serves' +
        ' covers it (alb-prod, cf-prod)',
    )
  })

  it('fails a cloudfrontDomains entry the viewer certificate does not cover, even when the ALB covers it', async () => {
    const alb = certDetail(ALB_CERT, {SubjectAlternativeNames: ['allthrive.ai', '*.allthrive.ai', 'cdn.allthrive.io']})
    givenServing({...healthy, certs: [alb, certDetail(CF_CERT)]})
    const r = await certificates.run(ctxWith({domains: ['cdn.allthrive.io'], cloudfrontDomains: ['cdn.allthrive.io']}))
    expect(r.details?.[0]).toBe(
      'cdn.allthrive.io: configured in cloudfrontDomains, but the viewer certificate' +
        ' of CloudFront EPROD does not cover it',
    )
    expect(r.details).toHaveLength(3)
  })

  it('fails an alias in use that the viewer certificate does not cover', async () => {
    givenServing({...healthy, cloudfront: {...healthy.cloudfront, aliases: ['allthrive.ai', 'www.allthrive.io']}})
    const r = await certificates.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: 'alias www.allthrive.io not covered'})
    expect(r.details?.[0]).toBe(
      'CloudFront EPROD (viewer): alias www.allthrive.io is not covered by cf-prod' + ' (allthrive.ai, *.allthrive.ai)',
    )
  })

  it('fails a host routed by an ALB rule that none of its certificates covers, and ignores host patterns', async () => {
    const hosts = ['api.allthrive.ai', 'admin.allthrive.io', 'img-?.allthrive.ai']
    givenServing({...healthy, alb: {default: ALB_CERT, hosts}})
    const r = await certificates.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: 'host admin.allthrive.io not covered'})
    expect(r.details?.filter((d) => d.includes('rules route host'))).toHaveLength(1)
    expect(
      domainsOf(r.data)
        .filter((d) => d.source === 'alb-host-header')
        .map((d) => d.name),
    ).toEqual(hosts)
  })

  it('fails a CloudFront certificate that is not from us-east-1', async () => {
    const foreign = certArn('eu-west-1', 'cf-eu')
    const certs = [...healthy.certs, certDetail(foreign)]
    givenServing({...healthy, cloudfront: {viewer: {ACMCertificateArn: foreign}}, certs})
    const r = await certificates.run(ctxWith())
    expect(r.details?.[0]).toBe(
      'CloudFront EPROD (viewer): cf-eu is in eu-west-1; CloudFront needs a certificate from us-east-1',
    )
  })

  it('fails a served ARN that ACM does not know, and warns for an IAM server certificate', async () => {
    const deleted = certArn('us-east-1', 'deleted')
    givenServing({...healthy, alb: {default: deleted}, cloudfront: {viewer: {IAMCertificateId: 'ASCAEXAMPLE'}}})
    const r = await certificates.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details).toEqual(
      expect.arrayContaining([
        `${ALB_DEFAULT}: ${deleted} is not in ACM`,
        'CloudFront EPROD (viewer): ASCAEXAMPLE is not an ACM certificate: expiry not checked',
      ]),
    )
  })

  it('fails a distribution with aliases that serves only the default *.cloudfront.net certificate', async () => {
    givenServing({...healthy, cloudfront: {viewer: {CloudFrontDefaultCertificate: true}}})
    const r = await certificates.run(ctxWith())
    expect(r.summary).toBe('CloudFront EPROD has no custom certificate')
  })

  it('judges the ALB alone when the account has no distribution for the environment, saying so', async () => {
    givenServing({alb: {default: ALB_CERT}, certs: [certDetail(ALB_CERT)]})
    const r = await certificates.run(ctxWith())
    expect(r.status).toBe('pass')
    const note = /^No CloudFront distribution found for "production" .*: no CloudFront certificate judged$/
    expect(r.details).toContainEqual(expect.stringMatching(note))
  })

  it('warns that CloudFront is not judged when several distributions match, and still judges the ALB', async () => {
    givenServing({alb: {default: ALB_CERT}, certs: [certDetail(ALB_CERT)]})
    mocks.cloudfront.on(ListDistributionsCommand).resolves(twoProductionDistributions())
    const r = await certificates.run(ctxWith())
    expect(r).toMatchObject({status: 'warn', summary: 'CloudFront distribution ambiguous'})
    expect(r.details?.[0]).toMatch(/^2 CloudFront distributions match "production" /)
    expect(r.details?.[0]).toMatch(/: no CloudFront certificate judged$/)
    expect(certsOf(r.data).map((c) => c.result)).toEqual(['pass'])
  })

  it('fails when the environment serves no certificate at all, naming what was searched', async () => {
    givenServing({})
    const r = await certificates.run(ctxWith({name: 'staging', alb: {name: 'staging-allthrive-alb'}}))
    expect(r).toMatchObject({status: 'fail', summary: 'no certificate served'})
    const detail = r.details?.[0]
    expect(detail).toMatch(/^The environment serves no certificate: no load balancer named staging-allthrive-alb;/)
    expect(detail).toContain('; No CloudFront distribution found for "staging"')
    expect(r.hint).toBe('allthrive validate -e staging --only alb,cloudfront')
  })

  it('guesses no domains: with none configured, only what is served is judged', async () => {
    givenServing(healthy)
    const r = await certificates.run(ctxWith())
    expect(domainsOf(r.data)).toEqual([
      {name: 'allthrive.ai', source: 'cloudfront-alias'},
      {name: '*.allthrive.ai', source: 'cloudfront-alias'},
    ])
    expect(JSON.stringify(r)).not.toContain('staging.allthrive.ai')
  })

  it('reads each resource once per run, shared with other checks', async () => {
    givenServing(healthy)
    const ctx = ctxWith()
    // The alb check's other reads are not mocked here: only what it shares matters.
    await Promise.allSettled([certificates.run(ctx), certificates.run(ctx), alb.run(ctx)])
    expect(mocks.elbv2).toHaveReceivedCommandTimes(DescribeLoadBalancersCommand, 1)
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(ListDistributionsCommand, 1)
    expect(mocks.acm).toHaveReceivedCommandTimes(DescribeCertificateCommand, 2)
  })

  it('is an error naming the IAM action when describing a certificate is denied', async () => {
    givenServing(healthy)
    mocks.acm.on(DescribeCertificateCommand).rejects(accessDenied('acm:DescribeCertificate'))
    await expectErrorNaming(certificates, 'acm:DescribeCertificate')
  })

  it('declares the IAM actions it calls', () => {
    expect(certificates.iam).toEqual(
      expect.arrayContaining([
        'elasticloadbalancing:DescribeListenerCertificates',
        'cloudfront:GetDistribution',
        'acm:DescribeCertificate',
      ]),
    )
    expect(certificates.iam).not.toContain('acm:ListCertificates')
  })
})

describe('nameCovers', () => {
  it.each([
    ['allthrive.ai', 'allthrive.ai', true],
    ['*.allthrive.ai', 'api.allthrive.ai', true],
    ['*.allthrive.ai', 'allthrive.ai', false],
    ['*.allthrive.ai', 'a.b.allthrive.ai', false],
    ['*.allthrive.ai', '*.allthrive.ai', true],
    ['api.allthrive.ai', '*.allthrive.ai', false],
    ['ALLTHRIVE.AI', 'allthrive.ai', true],
  ])('%s covers %s: %s', (name, domain, expected) => {
    expect(nameCovers(name, domain)).toBe(expected)
  })
})
