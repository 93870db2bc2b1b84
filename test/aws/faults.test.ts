import {GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {Readable} from 'node:stream'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients, timeoutFromEnv} from '../../src/aws/clients.js'
import {
  classifyAwsError,
  credentialsUserError,
  describeAwsError,
  endpointUserError,
  hintFor,
} from '../../src/aws/errors.js'
import {UserError} from '../../src/errors.js'
import {stuckServer} from '../helpers/faults.js'

/** Real client and middleware, a fake wire answering with a raw body (an HTML page from a proxy). */
function rawWire(client: SecretsManagerClient, status: number, contentType: string, body: string): void {
  Object.assign(client.config, {
    requestHandler: {
      async handle() {
        return {
          response: {
            statusCode: status,
            headers: {'content-type': contentType},
            body: Readable.from([Buffer.from(body)]),
          },
        }
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    },
  })
}

describe('faults on the wire', () => {
  const saved = {...process.env}
  beforeEach(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
    process.env.AWS_SECRET_ACCESS_KEY = 'secret'
    delete process.env.AWS_ENDPOINT_URL
    delete process.env.ALLTHRIVE_REQUEST_TIMEOUT
    delete process.env.ALLTHRIVE_CONNECT_TIMEOUT
  })
  afterEach(() => {
    process.env = {...saved}
  })

  it('ends a call to an endpoint that accepts and never answers, retries included, naming the endpoint (exit 2)', async () => {
    const stuck = await stuckServer()
    try {
      const aws = createAwsClients({
        region: 'us-east-1',
        endpoint: stuck.url,
        requestTimeoutMs: 300,
        connectTimeoutMs: 300,
        maxAttempts: 2,
      })
      const started = Date.now()
      const error = await aws
        .client(SecretsManagerClient)
        .send(new GetSecretValueCommand({SecretId: 'x'}))
        .catch((e: unknown) => e)
      const took = Date.now() - started
      expect(took).toBeGreaterThanOrEqual(500)
      expect(took).toBeLessThan(5000)
      expect(classifyAwsError(error)).toBe('timeout')
      const user = credentialsUserError(error)
      expect(user).toBeInstanceOf(UserError)
      expect(user!.exit).toBe(2)
      expect(user!.code).toBe('AWS_ENDPOINT_TIMEOUT')
      expect(user!.message).toContain(`AWS did not answer in time at ${stuck.url} (SecretsManager GetSecretValue)`)
      expect(user!.suggestions.join(' ')).toMatch(/proxy.*AWS_ENDPOINT_URL.*ALLTHRIVE_REQUEST_TIMEOUT/)
      aws.destroy()
    } finally {
      await stuck.close()
    }
  })

  it('gives every client the connect and request timeouts, from the environment when set', () => {
    process.env.ALLTHRIVE_REQUEST_TIMEOUT = '30s'
    process.env.ALLTHRIVE_CONNECT_TIMEOUT = '2'
    const aws = createAwsClients({region: 'us-east-1'})
    expect(aws.timeouts).toEqual({connectMs: 2000, requestMs: 30_000})
    expect(createAwsClients({region: 'us-east-1', requestTimeoutMs: 1234}).timeouts?.requestMs).toBe(1234)
    delete process.env.ALLTHRIVE_REQUEST_TIMEOUT
    expect(createAwsClients({region: 'us-east-1'}).timeouts?.requestMs).toBe(10_000)
  })

  it.each(['0', 'soon', '25d', '-5'])(
    'rejects ALLTHRIVE_REQUEST_TIMEOUT=%s with the allowed range (exit 2)',
    (value) => {
      const e = (() => {
        try {
          return timeoutFromEnv('ALLTHRIVE_REQUEST_TIMEOUT', 10_000, {ALLTHRIVE_REQUEST_TIMEOUT: value})
        } catch (error) {
          return error
        }
      })() as UserError
      expect(e).toBeInstanceOf(UserError)
      expect(e.exit).toBe(2)
      expect(e.message).toContain('between 1s and 10m')
    },
  )

  it.each([
    [503, 'Service Unavailable'],
    [403, 'Forbidden by proxy'],
  ])('names an HTML %i from a proxy with its status, not a SyntaxError', async (status, title) => {
    const aws = createAwsClients({region: 'us-east-1', maxAttempts: 1})
    const client = aws.client(SecretsManagerClient)
    rawWire(
      client,
      status,
      'text/html; charset=utf-8',
      `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`,
    )
    const error = await client.send(new GetSecretValueCommand({SecretId: 'x'})).catch((e: unknown) => e)
    const text = describeAwsError(error)
    expect(text).toContain(`HTTP ${status}`)
    expect(text).not.toMatch(/SyntaxError|Unexpected token/)
    expect(text).toContain('was not an AWS response')
    expect(hintFor(error)).toMatch(/proxy/)
  })

  it('leaves errors that are not about reaching the endpoint alone', () => {
    expect(endpointUserError(Object.assign(new Error('Rate exceeded'), {name: 'ThrottlingException'}))).toBeUndefined()
    // A check's own budget (no operation attached) is not the endpoint's fault.
    expect(
      endpointUserError(Object.assign(new Error('did not finish within 5s'), {name: 'TimeoutError'})),
    ).toBeUndefined()
  })
})
