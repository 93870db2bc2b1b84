import {GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {Readable} from 'node:stream'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients, retryDelay} from '../../src/aws/clients.js'
import {classifyAwsError, deniedAction, describeAwsError} from '../../src/aws/errors.js'

/** Real clients, real middleware, a fake wire: responses are queued per test. */
function fakeWire(client: SecretsManagerClient, responses: {status: number; type?: string; body: object}[]) {
  const seen: string[] = []
  Object.assign(client.config, {
    requestHandler: {
      async handle(request: {headers: Record<string, string>}) {
        seen.push(request.headers['x-amz-target'])
        const r = responses.shift()!
        const headers: Record<string, string> = {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': `req-${seen.length}`,
        }
        if (r.type) headers['x-amzn-errortype'] = r.type
        return {response: {statusCode: r.status, headers, body: Readable.from([Buffer.from(JSON.stringify(r.body))])}}
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    },
  })
  return seen
}

/** Sends one call on a wire that records where it went (host:port) and answers nothing. */
async function sentTo(
  client: SecretsManagerClient | STSClient,
  command: GetSecretValueCommand | GetCallerIdentityCommand,
): Promise<string> {
  let where = ''
  Object.assign(client.config, {
    requestHandler: {
      async handle(request: {hostname: string; port?: number}) {
        where = `${request.hostname}:${request.port}`
        throw new Error('stop here')
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    },
  })
  await (client.send as (c: unknown) => Promise<unknown>)(command).catch(() => undefined)
  return where
}

describe('createAwsClients', () => {
  const saved = {...process.env}
  beforeEach(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
    process.env.AWS_SECRET_ACCESS_KEY = 'secret'
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_ENDPOINT_URL')) delete process.env[k]
  })
  afterEach(() => {
    process.env = {...saved}
  })

  it('caches one client per class and region', async () => {
    const aws = createAwsClients({region: 'eu-west-1'})
    const a = aws.client(SecretsManagerClient)
    expect(aws.client(SecretsManagerClient)).toBe(a)
    const us = aws.client(SecretsManagerClient, {region: 'us-east-1'})
    expect(us).not.toBe(a)
    expect(await a.config.region()).toBe('eu-west-1')
    expect(await us.config.region()).toBe('us-east-1')
    expect(await aws.region()).toBe('eu-west-1')
  })

  it('points every client at AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5055'
    const aws = createAwsClients({region: 'us-east-1', maxAttempts: 1})
    expect(await sentTo(aws.client(SecretsManagerClient), new GetSecretValueCommand({SecretId: 'x'}))).toBe(
      '127.0.0.1:5055',
    )
    expect(await sentTo(aws.client(STSClient), new GetCallerIdentityCommand({}))).toBe('127.0.0.1:5055')
    expect(aws.options.endpoint).toBe('http://127.0.0.1:5055')
  })

  it('lets the SDK honour the per-service variables: AWS_ENDPOINT_URL_SECRETS_MANAGER over AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5055'
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = 'http://127.0.0.1:6066'
    const aws = createAwsClients({region: 'us-east-1', maxAttempts: 1})
    expect(await sentTo(aws.client(SecretsManagerClient), new GetSecretValueCommand({SecretId: 'x'}))).toBe(
      '127.0.0.1:6066',
    )
    expect(await sentTo(aws.client(STSClient), new GetCallerIdentityCommand({}))).toBe('127.0.0.1:5055')
    expect((aws.client(SecretsManagerClient).config as {forcePathStyle?: boolean}).forcePathStyle).toBe(true)
  })

  it('sets an endpoint given in code on every client', async () => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = 'http://127.0.0.1:6066'
    const aws = createAwsClients({region: 'us-east-1', endpoint: 'http://127.0.0.1:7077'})
    const endpoint = await aws.client(SecretsManagerClient).config.endpoint!()
    expect(`${endpoint.hostname}:${endpoint.port}`).toBe('127.0.0.1:7077')
  })

  it('tags errors with the operation, so AccessDenied names the IAM action', async () => {
    const aws = createAwsClients({region: 'us-east-1', maxAttempts: 1})
    const client = aws.client(SecretsManagerClient)
    fakeWire(client, [
      {
        status: 400,
        type: 'AccessDeniedException',
        body: {__type: 'AccessDeniedException', Message: 'Access to KMS is not allowed'},
      },
    ])
    const error = await client.send(new GetSecretValueCommand({SecretId: 'x'})).catch((e: unknown) => e)
    expect(classifyAwsError(error)).toBe('access-denied')
    expect(deniedAction(error)).toBe('secretsmanager:GetSecretValue')
    expect(describeAwsError(error)).toBe(
      'SecretsManager GetSecretValue: AccessDeniedException (HTTP 400, request req-1): Access to KMS is not allowed',
    )
    expect(aws.calls).toBe(1)
  })

  it('retries throttling with back-off, then succeeds', async () => {
    const lines: string[] = []
    const aws = createAwsClients({region: 'us-east-1', maxAttempts: 2, debug: (l) => lines.push(l)})
    const client = aws.client(SecretsManagerClient)
    const seen = fakeWire(client, [
      {status: 400, type: 'ThrottlingException', body: {__type: 'ThrottlingException', message: 'Rate exceeded'}},
      {status: 200, body: {Name: 'x', SecretString: '{}'}},
    ])
    const out = await client.send(new GetSecretValueCommand({SecretId: 'x'}))
    expect(out.Name).toBe('x')
    expect(seen).toEqual(['secretsmanager.GetSecretValue', 'secretsmanager.GetSecretValue'])
    expect(aws.calls).toBe(1)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^aws secretsmanager:GetSecretValue \d+ms$/)
  })

  it('caps the back-off at 10 seconds', () => {
    for (let attempt = 0; attempt < 12; attempt++) expect(retryDelay(attempt)).toBeLessThanOrEqual(10_000)
    expect(retryDelay(1)).toBeGreaterThanOrEqual(300)
  })
})
