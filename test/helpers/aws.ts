import {ACMClient} from '@aws-sdk/client-acm'
import {CloudWatchClient} from '@aws-sdk/client-cloudwatch'
import {CloudWatchLogsClient} from '@aws-sdk/client-cloudwatch-logs'
import {ECSClient} from '@aws-sdk/client-ecs'
import {ElastiCacheClient} from '@aws-sdk/client-elasticache'
import {RDSClient} from '@aws-sdk/client-rds'
import {S3Client} from '@aws-sdk/client-s3'
import {SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {STSClient} from '@aws-sdk/client-sts'
import {mockClient} from 'aws-sdk-client-mock'

/**
 * The one map of SDK mocks (aws-cdk-cli style). mockClient patches the class
 * prototype, so every client the factory builds is mocked. Reset in beforeEach.
 */
export const mocks = {
  acm: mockClient(ACMClient),
  cloudwatch: mockClient(CloudWatchClient),
  logs: mockClient(CloudWatchLogsClient),
  ecs: mockClient(ECSClient),
  elasticache: mockClient(ElastiCacheClient),
  rds: mockClient(RDSClient),
  s3: mockClient(S3Client),
  secrets: mockClient(SecretsManagerClient),
  sts: mockClient(STSClient),
}

export function resetMocks(): void {
  for (const m of Object.values(mocks)) m.reset()
}

/** An SDK-shaped service exception, as the SDK deserialises it. */
export function awsError(name: string, message = name, status = 400, requestId = 'req-1234'): Error {
  return Object.assign(new Error(message), {name, $fault: status >= 500 ? 'server' : 'client', $metadata: {httpStatusCode: status, requestId}})
}

/** AccessDenied as AWS words it, naming the action. */
export const accessDenied = (action: string): Error =>
  awsError('AccessDeniedException', `User: arn:aws:sts::123456789012:assumed-role/oncall/me is not authorized to perform: ${action} on resource: *`, 403)

export const throttled = (): Error => awsError('ThrottlingException', 'Rate exceeded', 400)
