import {describe, expect, it} from 'vitest'

import {
  classifyAwsError,
  credentialsUserError,
  deniedAction,
  describeAwsError,
  hintFor,
  operationInfo,
} from '../../src/aws/errors.js'
import {assertValidRegion} from '../../src/aws/regions.js'
import {UserError} from '../../src/errors.js'
import {accessDenied, awsError} from '../helpers/aws.js'

const providerError = (message: string) => Object.assign(new Error(message), {name: 'CredentialsProviderError'})

describe('classifyAwsError', () => {
  it.each([
    [providerError('Could not load credentials from any providers'), 'no-credentials'],
    [
      providerError(
        'The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.',
      ),
      'sso-expired',
    ],
    [
      awsError('ExpiredTokenException', 'The security token included in the request is expired', 400),
      'credentials-expired',
    ],
    [
      awsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
      'credentials-invalid',
    ],
    [accessDenied('ecs:DescribeServices'), 'access-denied'],
    [awsError('ThrottlingException', 'Rate exceeded'), 'throttling'],
    [awsError('Unknown', 'UnknownError', 403), 'access-denied'],
    [awsError('TooManyRequestsException', 'slow down', 429), 'throttling'],
    [Object.assign(new Error('getaddrinfo ENOTFOUND rds.us-east1.amazonaws.com'), {code: 'ENOTFOUND'}), 'network'],
    [awsError('DBInstanceNotFoundFault', 'DBInstance x not found.', 404), 'not-found'],
    [new Error('Region is missing'), 'no-region'],
    [awsError('InternalFailure', 'oops', 500), 'server'],
    [new TypeError('x is undefined'), 'other'],
  ])('%s → %s', (error, kind) => {
    expect(classifyAwsError(error)).toBe(kind)
  })
})

describe('messages', () => {
  it('describes with name, HTTP status, request id and operation', () => {
    const e = Object.assign(accessDenied('rds:DescribeDBInstances'), {
      $allthrive: operationInfo('RDSClient', 'DescribeDBInstancesCommand'),
    })
    expect(describeAwsError(e)).toMatch(
      /^RDS DescribeDBInstances: AccessDeniedException \(HTTP 403, request req-1234\): User: .* is not authorized/,
    )
  })

  it("drops the SDK's deserialization note from messages", () => {
    const e = awsError(
      'Error',
      '@aws-sdk XML parse error: mismatched tags\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
      500,
    )
    expect(describeAwsError(e)).toBe('Error (HTTP 500, request req-1234): @aws-sdk XML parse error: mismatched tags')
    expect(hintFor(e)).toContain('server error')
  })

  it('names the IAM action from the message, else from the operation', () => {
    expect(deniedAction(accessDenied('logs:FilterLogEvents'))).toBe('logs:FilterLogEvents')
    const bare = Object.assign(awsError('AccessDenied', 'Access Denied', 403), {
      $allthrive: operationInfo('S3Client', 'GetPublicAccessBlockCommand'),
    })
    expect(deniedAction(bare)).toBe('s3:GetBucketPublicAccessBlock')
    expect(hintFor(bare)).toContain('Grant s3:GetBucketPublicAccessBlock')
  })

  it('maps SDK client and command names to IAM actions', () => {
    expect(operationInfo('ElasticLoadBalancingV2Client', 'DescribeLoadBalancersCommand').action).toBe(
      'elasticloadbalancing:DescribeLoadBalancers',
    )
    expect(operationInfo('CloudWatchLogsClient', 'FilterLogEventsCommand').action).toBe('logs:FilterLogEvents')
    expect(operationInfo('S3Client', 'HeadBucketCommand').action).toBe('s3:ListBucket')
  })

  it('gives the sso login command for the profile in use', () => {
    const e = credentialsUserError(providerError('The SSO session associated with this profile has expired.'), {
      profile: 'allthrive-prod',
    })
    expect(e).toBeInstanceOf(UserError)
    expect(e?.message).toBe('The AWS SSO session of profile allthrive-prod has expired or is invalid.')
    expect(e?.suggestions).toEqual(['Refresh the SSO session: aws sso login --profile allthrive-prod'])
    expect(e?.exit).toBe(2)
  })

  it('does not turn resource errors into credential errors', () => {
    expect(credentialsUserError(accessDenied('rds:DescribeDBInstances'))).toBeUndefined()
  })
})

describe('regions', () => {
  it('accepts real regions and rejects typos with the closest one', () => {
    expect(() => assertValidRegion('eu-west-1', '--region')).not.toThrow()
    expect(() => assertValidRegion('xx-newplace-1', '--region')).not.toThrow()
    expect(() => assertValidRegion('ap-southeast-9', '--region')).not.toThrow()
    expect(() => assertValidRegion('us-est-1', '--region')).toThrowError(
      '"us-est-1" (from --region) is not an AWS region.',
    )
    expect(() => assertValidRegion('us-east1', 'AWS_REGION')).toThrowError(
      '"us-east1" (from AWS_REGION) is not an AWS region.',
    )
    try {
      assertValidRegion('eu-wst-1', '--region')
    } catch (error) {
      expect((error as UserError).suggestions[0]).toBe('Did you mean --region eu-west-1?')
    }
  })
})
