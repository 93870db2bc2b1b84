import {
  type CertificateDetail,
  DescribeCertificateCommand,
  type DescribeCertificateCommandInput,
  ResourceNotFoundException,
} from '@aws-sdk/client-acm'
import {
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  type DescribeListenersCommandOutput,
  DescribeLoadBalancerAttributesCommand,
  type DescribeLoadBalancerAttributesCommandOutput,
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersCommandOutput,
  DescribeTargetGroupsCommand,
  type DescribeTargetGroupsCommandOutput,
  DescribeTargetHealthCommand,
  type DescribeTargetHealthCommandOutput,
  type Listener,
  type LoadBalancer,
  LoadBalancerNotFoundException,
  type TargetGroup,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {beforeEach, describe, expect, it} from 'vitest'

import {alb} from '../../src/checks/alb.js'
import {DEFAULT_THRESHOLDS} from '../../src/config.js'
import {albServing, idleTimeout, redirectsToHttps} from '../../src/resources/elb.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming, NOW} from '../helpers/context.js'

const NAME = 'production-allthrive-alb'
const ELB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012'
const LB_ARN = `${ELB_ARN}:loadbalancer/app/${NAME}/50dc6c495c0c9188`
const TG_ARN = `${ELB_ARN}:targetgroup/production-allthrive-web-tg/73e2d6bc24d8a067`
const TG2_ARN = `${ELB_ARN}:targetgroup/production-allthrive-ws-tg/0e7b8a1f2c3d4e5f`
const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/4f1d2c3b-aaaa-bbbb-cccc-0123456789ab'
const CERT_ID = '4f1d2c3b-aaaa-bbbb-cccc-0123456789ab'
const DAY = 86_400_000

const loadBalancer = (over: Partial<LoadBalancer> = {}): LoadBalancer => ({
  LoadBalancerArn: LB_ARN,
  LoadBalancerName: NAME,
  DNSName: `${NAME}-1234567890.us-east-1.elb.amazonaws.com`,
  Scheme: 'internet-facing',
  Type: 'application',
  State: {Code: 'active'},
  ...over,
})

const httpsListener = (over: Partial<Listener> = {}): Listener => ({
  ListenerArn: `${ELB_ARN}:listener/app/${NAME}/50dc6c495c0c9188/https443`,
  LoadBalancerArn: LB_ARN,
  Port: 443,
  Protocol: 'HTTPS',
  Certificates: [{CertificateArn: CERT_ARN}],
  SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  DefaultActions: [{Type: 'forward', TargetGroupArn: TG_ARN}],
  ...over,
})

const httpListener = (over: Partial<Listener> = {}): Listener => ({
  ListenerArn: `${ELB_ARN}:listener/app/${NAME}/50dc6c495c0c9188/http80`,
  LoadBalancerArn: LB_ARN,
  Port: 80,
  Protocol: 'HTTP',
  DefaultActions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'}}],
  ...over,
})

const targetGroup = (over: Partial<TargetGroup> = {}): TargetGroup => ({
  TargetGroupArn: TG_ARN,
  TargetGroupName: 'production-allthrive-web-tg',
  Protocol: 'HTTP',
  Port: 8000,
  TargetType: 'ip',
  HealthCheckProtocol: 'HTTP',
  HealthCheckPort: 'traffic-port',
  HealthCheckPath: '/api/health/',
  Matcher: {HttpCode: '200'},
  LoadBalancerArns: [LB_ARN],
  ...over,
})

const target = (
  ip: string,
  state: NonNullable<TargetHealthDescription['TargetHealth']>['State'] = 'healthy',
  reason?: Pick<NonNullable<TargetHealthDescription['TargetHealth']>, 'Reason' | 'Description'>,
): TargetHealthDescription => ({
  Target: {Id: ip, Port: 8000, AvailabilityZone: 'us-east-1a'},
  HealthCheckPort: '8000',
  TargetHealth: {State: state, ...reason},
})

const certificate = (over: Partial<CertificateDetail> = {}): CertificateDetail => ({
  CertificateArn: CERT_ARN,
  DomainName: 'allthrive.ai',
  SubjectAlternativeNames: ['allthrive.ai', '*.allthrive.ai'],
  Status: 'ISSUED',
  Type: 'AMAZON_ISSUED',
  NotAfter: new Date(NOW.getTime() + 212 * DAY + 3_600_000),
  InUseBy: [LB_ARN],
  ...over,
})

const unhealthy502 = {
  Reason: 'Target.ResponseCodeMismatch',
  Description: 'Health checks failed with these codes: [502]',
} as const

interface Setup {
  lb?: LoadBalancer
  attributes?: DescribeLoadBalancerAttributesCommandOutput['Attributes']
  listeners?: Listener[]
  groups?: TargetGroup[]
  health?: Record<string, TargetHealthDescription[]>
  cert?: CertificateDetail
}

/** A healthy environment unless told otherwise. */
function given(s: Setup = {}): void {
  mocks.elbv2
    .on(DescribeLoadBalancersCommand)
    .resolves({LoadBalancers: [s.lb ?? loadBalancer()]} satisfies Partial<DescribeLoadBalancersCommandOutput>)
  mocks.elbv2.on(DescribeLoadBalancerAttributesCommand).resolves({
    Attributes: s.attributes ?? [
      {Key: 'idle_timeout.timeout_seconds', Value: '120'},
      {Key: 'deletion_protection.enabled', Value: 'true'},
    ],
  } satisfies Partial<DescribeLoadBalancerAttributesCommandOutput>)
  mocks.elbv2.on(DescribeListenersCommand).resolves({
    Listeners: s.listeners ?? [httpsListener(), httpListener()],
  } satisfies Partial<DescribeListenersCommandOutput>)
  mocks.elbv2
    .on(DescribeTargetGroupsCommand)
    .resolves({TargetGroups: s.groups ?? [targetGroup()]} satisfies Partial<DescribeTargetGroupsCommandOutput>)
  const health = s.health ?? {[TG_ARN]: [target('10.0.10.25'), target('10.0.11.40')]}
  for (const [arn, descriptions] of Object.entries(health)) {
    mocks.elbv2
      .on(DescribeTargetHealthCommand, {TargetGroupArn: arn})
      .resolves({TargetHealthDescriptions: descriptions} satisfies Partial<DescribeTargetHealthCommandOutput>)
  }

  mocks.acm.on(DescribeCertificateCommand).resolves({Certificate: s.cert ?? certificate()})
}

describe('alb check', () => {
  beforeEach(() => resetMocks())

  it('passes for an active ALB with a 120s idle timeout, a valid certificate, an HTTP redirect and healthy targets', async () => {
    given()
    const r = await alb.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe(
      'production-allthrive-alb active, idle timeout 120s, HTTPS (cert 212 days), 2/2 targets healthy',
    )
    expect(r.details).toEqual([
      'production-allthrive-alb: idle timeout 120s',
      `production-allthrive-alb: HTTPS:443 certificate ${CERT_ID}, 212 days left`,
      'production-allthrive-alb: HTTP:80 → redirect HTTPS:443',
    ])
    expect(mocks.elbv2).toHaveReceivedCommandWith(DescribeLoadBalancersCommand, {Names: [NAME]})
    expect(mocks.elbv2).toHaveReceivedCommandWith(DescribeLoadBalancerAttributesCommand, {LoadBalancerArn: LB_ARN})
    expect(mocks.elbv2).toHaveReceivedCommandWith(DescribeListenersCommand, {LoadBalancerArn: LB_ARN})
    expect(mocks.elbv2).toHaveReceivedCommandWith(DescribeTargetGroupsCommand, {LoadBalancerArn: LB_ARN})
    expect(mocks.elbv2).toHaveReceivedCommandWith(DescribeTargetHealthCommand, {TargetGroupArn: TG_ARN})
    expect(mocks.acm).toHaveReceivedCommandWith(DescribeCertificateCommand, {CertificateArn: CERT_ARN})
    expect(r.data).toMatchObject({
      name: NAME,
      state: 'active',
      idleTimeoutSeconds: 120,
      idleTimeoutReported: true,
      certificate: {daysLeft: 212, status: 'ISSUED'},
    })
  })

  it('reads the listeners once per run: the served-certificate reader shares them', async () => {
    given()
    mocks.elbv2.on(DescribeListenerCertificatesCommand).resolves({Certificates: []})
    mocks.elbv2.on(DescribeRulesCommand).resolves({Rules: []})
    const ctx = ctxWith()
    const [r, serving] = await Promise.all([alb.run(ctx), albServing(ctx)])
    expect(r.status).toBe('pass')
    expect(serving.httpsListeners).toHaveLength(1)
    expect(mocks.elbv2).toHaveReceivedCommandTimes(DescribeListenersCommand, 1)
  })

  it('passes the abort signal to every call', async () => {
    given()
    const controller = new AbortController()
    await alb.run(ctxWith({}, {signal: controller.signal}))
    for (const call of [...mocks.elbv2.calls(), ...mocks.acm.calls()])
      expect((call.args as unknown[])[1]).toMatchObject({abortSignal: controller.signal})
  })

  it('fails naming the load balancer when it does not exist', async () => {
    mocks.elbv2
      .on(DescribeLoadBalancersCommand)
      .rejects(new LoadBalancerNotFoundException({message: `Load balancers '[${NAME}]' not found`, $metadata: {}}))
    const r = await alb.run(ctxWith())
    expect(r).toMatchObject({
      status: 'fail',
      summary: `${NAME} not found`,
      details: [`${NAME}: no load balancer with this name in us-east-1`],
    })
    expect(r.hint).toContain('alb.name')
    expect(mocks.elbv2).toHaveReceivedCommandTimes(DescribeListenersCommand, 0)
  })

  it('warns while the load balancer is provisioning', async () => {
    given({lb: loadBalancer({State: {Code: 'provisioning'}})})
    const r = await alb.run(ctxWith())
    expect(r).toMatchObject({status: 'warn', summary: `${NAME}: provisioning`})
    expect(r.details?.[0]).toBe(`${NAME}: state is provisioning`)
  })

  it.each(['failed', 'active_impaired'] as const)('fails when the state is %s, with its reason', async (Code) => {
    given({lb: loadBalancer({State: {Code, Reason: 'Insufficient capacity in us-east-1a'}})})
    const r = await alb.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details?.[0]).toBe(`${NAME}: state is ${Code} (Insufficient capacity in us-east-1a)`)
  })

  it('fails when the idle timeout is below the minimum, with the command that raises it', async () => {
    given({attributes: [{Key: 'idle_timeout.timeout_seconds', Value: '60'}]})
    const r = await alb.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: `${NAME}: idle timeout 60s`})
    expect(r.details?.[0]).toBe(
      `${NAME}: idle timeout 60s is below 120s: idle WebSocket connections through the ALB are dropped`,
    )
    expect(r.hint).toBe(
      `aws elbv2 modify-load-balancer-attributes --load-balancer-arn ${LB_ARN} --attributes Key=idle_timeout.timeout_seconds,Value=120`,
    )
  })

  it("treats an absent idle timeout as AWS's default of 60s and says so", async () => {
    given({attributes: [{Key: 'deletion_protection.enabled', Value: 'true'}]})
    const r = await alb.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details?.[0]).toBe(
      `${NAME}: idle timeout 60s (not reported: AWS default assumed) is below 120s: idle WebSocket connections through the ALB are dropped`,
    )
    expect(r.data).toMatchObject({idleTimeoutSeconds: 60, idleTimeoutReported: false})
  })

  it('follows thresholds.alb.minIdleTimeoutSeconds', async () => {
    given({attributes: [{Key: 'idle_timeout.timeout_seconds', Value: '300'}]})
    const thresholds = {...DEFAULT_THRESHOLDS, alb: {minIdleTimeoutSeconds: 3600}}
    const r = await alb.run(ctxWith({thresholds}))
    expect(r.details?.[0]).toBe(
      `${NAME}: idle timeout 300s is below 3600s: idle WebSocket connections through the ALB are dropped`,
    )
  })

  it('fails without an HTTPS:443 listener and when HTTP serves plain HTTP', async () => {
    given({listeners: [httpListener({DefaultActions: [{Type: 'forward', TargetGroupArn: TG_ARN}]})]})
    const r = await alb.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe(`${NAME}: no HTTPS:443 listener, HTTP:80 serves plain HTTP`)
    expect(r.details?.slice(0, 2)).toEqual([
      `${NAME}: no HTTPS listener on port 443 (listeners: HTTP:80 → forward)`,
      `${NAME}: HTTP:80 serves plain HTTP (HTTP:80 → forward) instead of redirecting to HTTPS`,
    ])
    expect(r.hint).toContain('aws elbv2 create-listener')
    expect(r.hint).toContain(
      `aws elbv2 modify-listener --listener-arn ${httpListener().ListenerArn} --default-actions 'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}'`,
    )
    expect(mocks.acm).toHaveReceivedCommandTimes(DescribeCertificateCommand, 0)
  })

  it('fails when HTTP redirects but keeps the protocol', async () => {
    given({
      listeners: [
        httpsListener(),
        httpListener({
          DefaultActions: [
            {Type: 'redirect', RedirectConfig: {Protocol: '#{protocol}', Port: '443', StatusCode: 'HTTP_301'}},
          ],
        }),
      ],
    })
    const r = await alb.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: `${NAME}: HTTP:80 serves plain HTTP`})
  })

  it('warns when the certificate expires within warnDays, and fails within failDays', async () => {
    given({cert: certificate({NotAfter: new Date(NOW.getTime() + 20 * DAY)})})
    const w = await alb.run(ctxWith())
    expect(w).toMatchObject({status: 'warn', summary: `${NAME}: certificate expires in 20 days`})
    expect(w.details?.[0]).toBe(`${NAME}: HTTPS:443 certificate ${CERT_ID} expires in 20 days (warns below 30 days)`)

    resetMocks()
    given({cert: certificate({NotAfter: new Date(NOW.getTime() - 2 * DAY), Type: 'IMPORTED'})})
    const f = await alb.run(ctxWith())
    expect(f).toMatchObject({status: 'fail', summary: `${NAME}: certificate expired 2 days ago`})
    expect(f.hint).toContain(`aws acm import-certificate --certificate-arn ${CERT_ARN}`)
  })

  it('fails when the certificate is not ISSUED', async () => {
    given({cert: certificate({Status: 'REVOKED'})})
    const r = await alb.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: `${NAME}: certificate REVOKED`})
    expect(r.details?.[0]).toBe(`${NAME}: HTTPS:443 certificate ${CERT_ID} is REVOKED`)
  })

  it("fails when the listener's certificate is not in ACM", async () => {
    given()
    mocks.acm
      .on(DescribeCertificateCommand)
      .rejects(new ResourceNotFoundException({message: 'Could not find certificate', $metadata: {}}))
    const r = await alb.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details?.[0]).toBe(`${NAME}: HTTPS:443 certificate ${CERT_ARN} not found in ACM (us-east-1)`)
  })

  it('looks the certificate up in the region of its ARN', async () => {
    const arn = CERT_ARN.replace('us-east-1', 'eu-west-1')
    given({
      listeners: [httpsListener({Certificates: [{CertificateArn: arn}]}), httpListener()],
      cert: certificate({CertificateArn: arn}),
    })
    const regions: string[] = []
    mocks.acm.on(DescribeCertificateCommand).callsFake(async (_: DescribeCertificateCommandInput, getClient) => {
      regions.push(await getClient().config.region())
      return {Certificate: certificate({CertificateArn: arn})}
    })
    const r = await alb.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(regions).toEqual(['eu-west-1'])
  })

  it('warns naming each unhealthy target with its reason when some targets are healthy', async () => {
    given({health: {[TG_ARN]: [target('10.0.10.25'), target('10.0.11.40', 'unhealthy', unhealthy502)]}})
    const r = await alb.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe(`${NAME}: 1/2 targets healthy in production-allthrive-web-tg`)
    expect(r.details?.[0]).toBe(
      'production-allthrive-web-tg: target 10.0.11.40:8000 unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [502])',
    )
    expect(r.hint).toBe(
      'See why: allthrive logs tail web -e production --since 30m; the health check of production-allthrive-web-tg is HTTP /api/health/ on port traffic-port, expecting 200',
    )
  })

  it("fails when no target of a group is healthy, reading every group's health", async () => {
    given({
      groups: [targetGroup(), targetGroup({TargetGroupArn: TG2_ARN, TargetGroupName: 'production-allthrive-ws-tg'})],
      health: {
        [TG_ARN]: [target('10.0.10.25'), target('10.0.11.40')],
        [TG2_ARN]: [
          target('10.0.10.25', 'unhealthy', {Reason: 'Target.Timeout', Description: 'Request timed out'}),
          target('10.0.11.40', 'draining', {
            Reason: 'Target.DeregistrationInProgress',
            Description: 'Target deregistration is in progress',
          }),
        ],
      },
    })
    const r = await alb.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe(`${NAME}: 0/2 targets healthy in production-allthrive-ws-tg`)
    expect(r.details?.slice(0, 2)).toEqual([
      'production-allthrive-ws-tg: target 10.0.10.25:8000 unhealthy (Target.Timeout: Request timed out)',
      'production-allthrive-ws-tg: target 10.0.11.40:8000 draining (Target.DeregistrationInProgress: Target deregistration is in progress)',
    ])
    expect(mocks.elbv2).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 2)
    expect(mocks.elbv2).toHaveReceivedCommandWith(DescribeTargetHealthCommand, {TargetGroupArn: TG2_ARN})
  })

  it('fails when a target group has no registered targets', async () => {
    given({health: {[TG_ARN]: []}})
    const r = await alb.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: `${NAME}: production-allthrive-web-tg has no targets`})
    expect(r.details?.[0]).toBe('production-allthrive-web-tg: no registered targets')
  })

  it('is an error naming the IAM action when DescribeTargetHealth is denied', async () => {
    given()
    mocks.elbv2.on(DescribeTargetHealthCommand).rejects(accessDenied('elasticloadbalancing:DescribeTargetHealth'))
    await expectErrorNaming(alb, 'elasticloadbalancing:DescribeTargetHealth')
  })

  it('is an error when DescribeLoadBalancers is denied', async () => {
    mocks.elbv2.on(DescribeLoadBalancersCommand).rejects(accessDenied('elasticloadbalancing:DescribeLoadBalancers'))
    await expect(alb.run(ctxWith())).rejects.toThrow(/elasticloadbalancing:DescribeLoadBalancers/)
  })
})

describe('elb helpers', () => {
  it("reads the idle timeout, falling back to AWS's default", () => {
    expect(idleTimeout([{Key: 'idle_timeout.timeout_seconds', Value: '4000'}])).toEqual({seconds: 4000, reported: true})
    expect(idleTimeout([{Key: 'idle_timeout.timeout_seconds', Value: ''}])).toEqual({seconds: 60, reported: false})
    expect(idleTimeout([])).toEqual({seconds: 60, reported: false})
  })

  it('judges the terminal default action after authentication', () => {
    expect(redirectsToHttps(httpListener())).toBe(true)
    expect(
      redirectsToHttps(
        httpListener({
          DefaultActions: [
            {Type: 'redirect', Order: 2, RedirectConfig: {Protocol: 'HTTPS', StatusCode: 'HTTP_302'}},
            {Type: 'authenticate-cognito', Order: 1},
          ],
        }),
      ),
    ).toBe(true)
    expect(
      redirectsToHttps(
        httpListener({DefaultActions: [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '404'}}]}),
      ),
    ).toBe(false)
  })
})
