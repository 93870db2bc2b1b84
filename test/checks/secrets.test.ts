import {
  BatchGetSecretValueCommand,
  type BatchGetSecretValueCommandOutput,
  GetSecretValueCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager'
import {beforeEach, describe, expect, it} from 'vitest'

import {secrets} from '../../src/checks/secrets.js'
import {loadSecrets} from '../../src/resources/secrets.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, everything} from '../helpers/context.js'
import {secretValue} from '../helpers/secrets.js'

const CANARY = 'CANARY-sk_live_51HxSECRETVALUE'

/** Every expected key of every production secret, with a canary value. */
function healthyValues(
  override: Record<string, Record<string, unknown>> = {},
): BatchGetSecretValueCommandOutput['SecretValues'] {
  const ctx = ctxWith()
  return ctx.env.secrets.map((s) =>
    secretValue(s.id, override[s.key] ?? Object.fromEntries(s.keys.map((k) => [k, `${CANARY}-${k}`]))),
  )
}

const batch = (out: Partial<BatchGetSecretValueCommandOutput>) =>
  mocks.secrets.on(BatchGetSecretValueCommand).resolves({$metadata: {}, ...out})

describe('secrets check', () => {
  beforeEach(() => resetMocks())

  it('passes when every secret holds every key, in one batch call', async () => {
    batch({SecretValues: healthyValues()})
    const r = await secrets.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('5 secrets, 13 keys set')
    expect(mocks.secrets).toHaveReceivedCommandTimes(BatchGetSecretValueCommand, 1)
    expect(everything(r)).not.toContain(CANARY)
  })

  it('fails naming a missing secret, missing keys, empty and placeholder values, never the values', async () => {
    const values = healthyValues({
      'stripe/credentials': {STRIPE_PUBLIC_KEY: CANARY, STRIPE_SECRET_KEY: 'changeme', STRIPE_WEBHOOK_SECRET: ''},
      app: {SECRET_KEY: CANARY},
    })!.filter((v) => v.Name !== 'production/allthrive/database')
    batch({
      SecretValues: values,
      Errors: [
        {SecretId: 'production/allthrive/database', ErrorCode: 'ResourceNotFoundException', Message: 'not found'},
      ],
    })
    const r = await secrets.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details).toEqual([
      'production/allthrive/stripe/credentials: a placeholder STRIPE_SECRET_KEY',
      'production/allthrive/stripe/credentials: empty STRIPE_WEBHOOK_SECRET',
      'production/allthrive/database: does not exist',
      'production/allthrive/app: missing SENTRY_DSN',
    ])
    expect(r.hint).toContain('get-secret-value --secret-id production/allthrive/stripe/credentials')
    expect(r.hint).toContain('put-secret-value replaces the whole secret')
    expect(everything(r)).not.toContain(CANARY)
    expect(everything(r)).not.toContain('changeme')
  })

  it('fails on a value that is not JSON without quoting it', async () => {
    const values = healthyValues()!
    values[3] = {...values[3], SecretString: `postgres://admin:${CANARY}@db:5432/app`}
    batch({SecretValues: values})
    const r = await secrets.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', details: ['production/allthrive/database: is not valid JSON']})
    expect(everything(r)).not.toContain(CANARY)
  })

  it('falls back to GetSecretValue per secret when the batch action is denied', async () => {
    mocks.secrets.on(BatchGetSecretValueCommand).rejects(accessDenied('secretsmanager:BatchGetSecretValue'))
    for (const v of healthyValues()!)
      mocks.secrets.on(GetSecretValueCommand, {SecretId: v.Name}).resolves({...v, $metadata: {}})
    mocks.secrets
      .on(GetSecretValueCommand, {SecretId: 'production/allthrive/app'})
      .rejects(
        new ResourceNotFoundException({message: "Secrets Manager can't find the specified secret.", $metadata: {}}),
      )
    const r = await secrets.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', details: ['production/allthrive/app: does not exist']})
    expect(mocks.secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 5)
  })

  it('is an error naming the IAM action when a secret cannot be read', async () => {
    batch({
      SecretValues: healthyValues()!.slice(1),
      Errors: [
        {
          SecretId: 'production/allthrive/ai/api-keys',
          ErrorCode: 'AccessDeniedException',
          Message:
            'User is not authorized to perform: secretsmanager:GetSecretValue on resource: production/allthrive/ai/api-keys',
        },
      ],
    })
    const r = await secrets.run(ctxWith())
    expect(r.status).toBe('error')
    expect(r.details?.[0]).toMatch(/^production\/allthrive\/ai\/api-keys: AccessDeniedException/)
    expect(r.hint).toContain('secretsmanager:GetSecretValue')
  })

  it('is an error with the --concurrency hint when AWS keeps throttling', async () => {
    mocks.secrets
      .on(BatchGetSecretValueCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), {name: 'ThrottlingException', $metadata: {httpStatusCode: 400}}),
      )
    const r = await secrets.run(ctxWith())
    expect(r.status).toBe('error')
    expect(r.hint).toContain('lower --concurrency')
    expect(r.details).toEqual([
      'production/allthrive/ai/api-keys, production/allthrive/oauth/credentials, production/allthrive/stripe/credentials, production/allthrive/database, production/allthrive/app: ThrottlingException (HTTP 400): Rate exceeded',
    ])
  })
})

describe('loadSecrets', () => {
  beforeEach(() => resetMocks())

  it('reads each secret once per run, however many checks ask', async () => {
    batch({SecretValues: healthyValues()})
    const ctx = ctxWith()
    const ids = ctx.env.secrets.map((s) => s.id)
    await Promise.all([loadSecrets(ctx, ids), loadSecrets(ctx, ids.slice(0, 2)), loadSecrets(ctx, [ids[4]])])
    expect(mocks.secrets).toHaveReceivedCommandTimes(BatchGetSecretValueCommand, 1)
  })

  it('matches batch entries to ids given as full or partial ARNs', async () => {
    batch({SecretValues: healthyValues()})
    const ctx = ctxWith()
    const partial = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:production/allthrive/app'
    const r = await loadSecrets(ctx, [partial])
    expect(r.get(partial)).toMatchObject({state: 'found', name: 'production/allthrive/app'})
  })
})
