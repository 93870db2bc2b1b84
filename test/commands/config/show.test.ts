import {ListServicesCommand} from '@aws-sdk/client-ecs'
import {GetCallerIdentityCommand} from '@aws-sdk/client-sts'
import {captureOutput} from '@oclif/test'
import {beforeEach, describe, expect, it} from 'vitest'

import ConfigShow, {type ServedJson} from '../../../src/commands/config/show.js'
import {mocks, resetMocks} from '../../helpers/aws.js'
import {accountClusters} from '../../helpers/ecs.js'
import {certArn, certDetail, givenServing, inDays} from '../../helpers/serving.js'

const root = import.meta.url
const ALB_CERT = certArn('us-east-1', 'alb-prod')
const CF_CERT = certArn('us-east-1', 'cf-prod')

describe('config show: what the environment serves', () => {
  beforeEach(() => {
    resetMocks()
    process.env.AWS_REGION = 'us-east-1'
    mocks.sts
      .on(GetCallerIdentityCommand)
      .resolves({Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/oncall'})
    accountClusters([{name: 'production-allthrive-cluster'}])
    mocks.ecs.on(ListServicesCommand).resolves({serviceArns: []})
  })

  it('prints the served certificates with where each is served, the distribution and the domains learnt', async () => {
    givenServing({
      alb: {default: ALB_CERT},
      cloudfront: {viewer: {ACMCertificateArn: CF_CERT, SSLSupportMethod: 'sni-only'}},
      certs: [certDetail(ALB_CERT, {NotAfter: inDays(150)}), certDetail(CF_CERT, {NotAfter: inDays(10)})],
    })
    const {stdout, result} = await captureOutput<{served?: ServedJson}>(() =>
      ConfigShow.run(['-e', 'production'], root),
    )
    expect(stdout).toMatch(
      /^certificate +alb-prod at ALB production-allthrive-alb HTTPS:443 \(default\): ISSUED, expires \d{4}-\d\d-\d\d, allthrive\.ai \*\.allthrive\.ai$/m,
    )
    expect(stdout).toMatch(/^certificate +cf-prod at CloudFront EPROD \(viewer\): ISSUED/m)
    expect(stdout).toMatch(/^distribution +EPROD \(found by /m)
    const served = result?.served
    if (!served || 'notRead' in served) throw new Error(`served not read: ${JSON.stringify(served)}`)
    expect(served.certificates.map((c) => [c.arn, c.servedAt])).toEqual([
      [ALB_CERT, 'ALB production-allthrive-alb HTTPS:443 (default)'],
      [CF_CERT, 'CloudFront EPROD (viewer)'],
    ])
    expect(served.domains.length).toBeGreaterThan(0)
  })

  it('says what could not be read instead of failing (exit 0)', async () => {
    mocks.elbv2.onAnyCommand().rejects(
      Object.assign(new Error('User is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers'), {
        name: 'AccessDeniedException',
        $metadata: {httpStatusCode: 403},
      }),
    )
    const {stdout, result} = await captureOutput<{served?: ServedJson}>(() =>
      ConfigShow.run(['-e', 'production'], root),
    )
    expect(stdout).toMatch(/^served +not read: .*DescribeLoadBalancers/m)
    expect(result?.served).toMatchObject({notRead: expect.stringContaining('AccessDenied')})
    expect(process.exitCode).toBeFalsy()
  })
})
