import {
  BatchGetSecretValueCommand,
  type BatchGetSecretValueCommandOutput,
  type SecretValueEntry,
} from '@aws-sdk/client-secrets-manager'

import {mocks} from './aws.js'

/** A secret as BatchGetSecretValue returns it: name, ARN with its random suffix, value (an object as JSON). */
export const secretValue = (name: string, value: Record<string, unknown> | string): SecretValueEntry => ({
  Name: name,
  ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
  SecretString: typeof value === 'string' ? value : JSON.stringify(value),
})

/** BatchGetSecretValue answers these secrets (name: value) whatever it is asked: the others do not exist. */
export function secretsHold(values: Record<string, Record<string, unknown> | string>): void {
  const out: Partial<BatchGetSecretValueCommandOutput> = {
    SecretValues: Object.entries(values).map(([name, value]) => secretValue(name, value)),
  }
  mocks.secrets.on(BatchGetSecretValueCommand).resolves(out)
}
