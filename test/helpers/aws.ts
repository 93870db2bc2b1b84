import {ACMClient} from '@aws-sdk/client-acm'
import {CloudFrontClient} from '@aws-sdk/client-cloudfront'
import {CloudWatchClient} from '@aws-sdk/client-cloudwatch'
import {CloudWatchLogsClient} from '@aws-sdk/client-cloudwatch-logs'
import {CostExplorerClient} from '@aws-sdk/client-cost-explorer'
import {EC2Client} from '@aws-sdk/client-ec2'
import {ECRClient} from '@aws-sdk/client-ecr'
import {ECSClient} from '@aws-sdk/client-ecs'
import {ElasticLoadBalancingV2Client} from '@aws-sdk/client-elastic-load-balancing-v2'
import {ElastiCacheClient} from '@aws-sdk/client-elasticache'
import {PricingClient} from '@aws-sdk/client-pricing'
import {RDSClient} from '@aws-sdk/client-rds'
import {S3Client} from '@aws-sdk/client-s3'
import {SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {mockClient} from 'aws-sdk-client-mock'

/**
 * The one map of SDK mocks (aws-cdk-cli style). mockClient patches the class
 * prototype, so every client the factory builds is mocked; a second mockClient of
 * the same class would undo the first, so no test file calls it. Reset in beforeEach.
 */
export const mocks = {
  acm: mockClient(ACMClient),
  cloudfront: mockClient(CloudFrontClient),
  cloudwatch: mockClient(CloudWatchClient),
  costExplorer: mockClient(CostExplorerClient),
  logs: mockClient(CloudWatchLogsClient),
  ec2: mockClient(EC2Client),
  ecr: mockClient(ECRClient),
  ecs: mockClient(ECSClient),
  elasticache: mockClient(ElastiCacheClient),
  elbv2: mockClient(ElasticLoadBalancingV2Client),
  pricing: mockClient(PricingClient),
  rds: mockClient(RDSClient),
  s3: mockClient(S3Client),
  secrets: mockClient(SecretsManagerClient),
  sts: mockClient(STSClient),
}

export function resetMocks(): void {
  for (const m of Object.values(mocks)) m.reset()
}

/**
 * The account a command test runs against: fresh mocks, region us-east-1, no bare ENVIRONMENT (the CLI reads
 * ALLTHRIVE_ENVIRONMENT), and STS saying who we are.
 */
export function givenAccount(): void {
  resetMocks()
  process.env.AWS_REGION = 'us-east-1'
  delete process.env.ENVIRONMENT
  mocks.sts
    .on(GetCallerIdentityCommand)
    .resolves({Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/oncall', UserId: 'AIDA'})
}

/** An SDK-shaped service exception, as the SDK deserialises it. */
export function awsError(name: string, message = name, status = 400, requestId = 'req-1234'): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: {httpStatusCode: status, requestId},
  })
}

/** AccessDenied as AWS words it, naming the action. */
export const accessDenied = (action: string): Error =>
  awsError(
    'AccessDeniedException',
    `User: arn:aws:sts::123456789012:assumed-role/oncall/me is not authorized to perform: ${action} on resource: *`,
    403,
  )

export const throttled = (): Error => awsError('ThrottlingException', 'Rate exceeded', 400)
