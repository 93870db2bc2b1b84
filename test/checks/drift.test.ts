import {
  type ContainerDefinition,
  DescribeServicesCommand,
  type DescribeServicesCommandInput,
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandInput,
  type DescribeTaskDefinitionCommandOutput,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs'
import {
  BatchGetSecretValueCommand,
  type BatchGetSecretValueCommandInput,
  type BatchGetSecretValueCommandOutput,
  GetSecretValueCommand,
  type SecretValueEntry,
} from '@aws-sdk/client-secrets-manager'
import {beforeEach, describe, expect, it} from 'vitest'

import {drift} from '../../src/checks/drift.js'
import {ecsEnv} from '../../src/checks/ecs-env.js'
import {runOne} from '../../src/checks/run-checks.js'
import type {CheckContext} from '../../src/checks/types.js'
import {conventionFor, type EnvConfig} from '../../src/config.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, envWith, everything, expectErrorNaming} from '../helpers/context.js'
import {clusterNotFound, type Key, KEYS, serviceName, taskDefinition, tdArn as ecsTdArn} from '../helpers/ecs.js'
import {secretValue} from '../helpers/secrets.js'

const CANARY = 'CANARY-drift-7a6b5c4d'

interface EnvSpec {
  containers: Record<Key, ContainerDefinition>
  sizes: Record<Key, {cpu: string; memory: string}>
  /** JSON keys of each secret, by config key; absent = the secret does not exist. */
  secrets: Partial<Record<string, string[]>>
  missingServices: Key[]
}

const v = (name: string, value: string) => ({name, value})
const ref = (env: string, name: string) => ({
  name,
  valueFrom: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${env}/allthrive/app-AbCdEf:${name}::`,
})

/** An environment as the platform deploys it; values differ between environments by design. */
function spec(env: string): EnvSpec {
  const django = [v('DJANGO_SETTINGS_MODULE', `config.settings.${env}`), v('REDIS_URL', `rediss://${env}-redis:6379/0`)]
  const refs = [ref(env, 'DATABASE_URL'), ref(env, 'SECRET_KEY')]
  return {
    containers: {
      web: {
        name: 'web',
        image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/allthrive-web:${env}-1.4.2`,
        environment: [...django, v('WEAVIATE_URL', 'http://weaviate:8080')],
        secrets: [...refs, ref(env, 'OPENAI_API_KEY')],
      },
      celery: {
        name: 'celery',
        image: 'repo/allthrive-web:1.4.2',
        environment: django,
        secrets: [...refs, ref(env, 'OPENAI_API_KEY')],
      },
      'celery-beat': {name: 'celery-beat', image: 'repo/allthrive-web:1.4.2', environment: django, secrets: refs},
      weaviate: {
        name: 'weaviate',
        image: 'semitechnologies/weaviate:1.25.0',
        environment: [v('PERSISTENCE_DATA_PATH', '/var/lib/weaviate')],
      },
    },
    sizes: {
      web: {cpu: '512', memory: '1024'},
      celery: {cpu: '512', memory: '1024'},
      'celery-beat': {cpu: '256', memory: '512'},
      weaviate: {cpu: '512', memory: '1024'},
    },
    secrets: Object.fromEntries(conventionFor(env).secrets.map((s) => [s.key, s.keys])),
    missingServices: [],
  }
}

const tdArn = (env: string, key: Key) => ecsTdArn(key, env === 'production' ? 42 : 17, env)

/** Both environments behind the same mocks: answers follow the cluster, task definition ARN and secret ids asked for. */
function world(specs: Record<string, EnvSpec>) {
  const envOf = (cluster: string) => cluster.replace('-allthrive-cluster', '')
  mocks.ecs
    .on(DescribeServicesCommand)
    .callsFake((input: DescribeServicesCommandInput): Partial<DescribeServicesCommandOutput> => {
      const env = envOf(input.cluster!)
      const s = specs[env]
      if (!s) throw clusterNotFound()
      const services: Service[] = KEYS.filter(
        (k) => !s.missingServices.includes(k) && input.services!.includes(serviceName(k, env)),
      ).map((k) => ({serviceName: serviceName(k, env), status: 'ACTIVE', taskDefinition: tdArn(env, k)}))
      return {services, failures: []}
    })
  mocks.ecs
    .on(DescribeTaskDefinitionCommand)
    .callsFake((input: DescribeTaskDefinitionCommandInput): Partial<DescribeTaskDefinitionCommandOutput> => {
      const [, env, key, rev] = /task-definition\/(.+)-allthrive-(.+):(\d+)$/.exec(input.taskDefinition!)!
      const s = specs[env]
      return {
        taskDefinition: taskDefinition(
          key,
          {...s.sizes[key as Key], containerDefinitions: [s.containers[key as Key]]},
          Number(rev),
          env,
        ),
      }
    })
  mocks.secrets
    .on(BatchGetSecretValueCommand)
    .callsFake((input: BatchGetSecretValueCommandInput): Partial<BatchGetSecretValueCommandOutput> => {
      const entries: SecretValueEntry[] = []
      const errors: NonNullable<BatchGetSecretValueCommandOutput['Errors']> = []
      for (const id of input.SecretIdList!) {
        const [env, , ...rest] = id.split('/')
        const keys = specs[env]?.secrets[rest.join('/')]
        if (!keys) errors.push({SecretId: id, ErrorCode: 'ResourceNotFoundException', Message: 'not found'})
        else entries.push(secretValue(id, Object.fromEntries(keys.map((k) => [k, `${CANARY}-${k}`]))))
      }

      return {SecretValues: entries, Errors: errors}
    })
}

const ctxFor = (
  current: string,
  compare: string,
  over: {current?: Partial<EnvConfig>; compare?: Partial<EnvConfig>} = {},
): CheckContext => ({
  ...ctxWith(over.current, {name: current}),
  compare: {env: envWith(over.compare, compare)},
})

describe('drift', () => {
  beforeEach(() => resetMocks())

  it('skips without --compare', async () => {
    const r = await runOne(drift, ctxWith({}, {name: 'staging'}), {timeoutMs: 5000})
    expect(r).toMatchObject({status: 'skip', summary: 'no --compare environment'})
    expect(mocks.ecs.calls()).toHaveLength(0)
  })

  it('passes when both environments have the same names, whatever their values', async () => {
    world({staging: spec('staging'), production: spec('production')})
    const r = await drift.run(ctxFor('staging', 'production'))
    expect(r).toMatchObject({status: 'pass', summary: 'staging matches production (4 services, 5 secrets compared)'})
    expect(r.details).toBeUndefined()
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, {cluster: 'staging-allthrive-cluster'})
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, {cluster: 'production-allthrive-cluster'})
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 8)
    expect(mocks.secrets).toHaveReceivedCommandTimes(BatchGetSecretValueCommand, 2)
    expect(r.data?.services).toMatchObject({
      web: {
        staging: {taskDefinition: 'staging-allthrive-web:17', image: 'staging-1.4.2', cpu: '512'},
        production: {taskDefinition: 'production-allthrive-web:42', image: 'production-1.4.2'},
      },
    })
  })

  it('reports each unallowed difference on one line, hides the allowed one, never prints a secret value', async () => {
    const staging = spec('staging')
    staging.containers.web.environment!.push(v('DEBUG', '1'), v('DJANGO_DEBUG', 'true'))
    const production = spec('production')
    production.containers.celery.secrets!.push(ref('production', 'STRIPE_SECRET_KEY'))
    production.secrets['stripe/credentials'] = [
      ...production.secrets['stripe/credentials']!,
      'STRIPE_WEBHOOK_SECRET_V2',
    ]
    production.sizes.web = {cpu: '1024', memory: '2048'}
    world({staging, production})

    const r = await drift.run(
      ctxFor('staging', 'production', {current: {drift: {allow: ['web:env:DEBUG', '*:memory']}}}),
    )
    expect(r.status).toBe('warn')
    expect(r.summary).toBe(
      'staging vs production: 3 differences (1 variable, 1 secret reference, 1 secret key); 2 differences allowed',
    )
    expect(r.details).toEqual([
      'web: env DJANGO_DEBUG only in staging',
      'celery: secret STRIPE_SECRET_KEY only in production',
      'secret stripe/credentials: key STRIPE_WEBHOOK_SECRET_V2 only in production',
      'web: cpu 512 (staging) vs 1024 (production)',
    ])
    expect(r.hint).toContain('allow it in drift.allow of allthrive.config.json (e.g. "web:env:DJANGO_DEBUG")')
    expect(r.hint).toContain(
      'aws ecs describe-task-definition --task-definition production-allthrive-web:42 --region us-east-1',
    )
    expect(r.hint).toContain(
      'aws secretsmanager get-secret-value --secret-id staging/allthrive/stripe/credentials --region us-east-1 --query SecretString --output text | jq keys',
    )
    expect(r.data).toMatchObject({
      environment: 'staging',
      compare: 'production',
      allowed: ['web:env:DEBUG', 'web:memory'],
      differences: [
        {id: 'web:env:DJANGO_DEBUG', kind: 'env', onlyIn: 'staging', status: 'warn'},
        {id: 'celery:secret:STRIPE_SECRET_KEY', kind: 'secret', onlyIn: 'production', status: 'warn'},
        {
          id: 'secret:stripe/credentials:STRIPE_WEBHOOK_SECRET_V2',
          kind: 'secret-key',
          onlyIn: 'production',
          status: 'warn',
        },
      ],
    })
    expect(r.details!.join('\n')).not.toMatch(/env DEBUG |memory/) // the allowed differences are not reported
    expect(everything(r)).not.toContain(CANARY)
    expect(everything(r)).not.toContain('config.settings') // nor any other value
  })

  it('fails when production lacks a variable or secret reference the compared environment sets', async () => {
    const staging = spec('staging')
    staging.containers.web.environment!.push(v('FEATURE_CHECKOUT_V2', 'on'))
    staging.containers.celery.secrets!.push(ref('staging', 'STRIPE_SECRET_KEY'))
    const production = spec('production')
    production.containers.weaviate.environment!.push(v('BACKUP_S3_BUCKET', 'b'))
    world({staging, production})

    const r = await drift.run(ctxFor('production', 'staging'))
    expect(r.status).toBe('fail')
    expect(r.details).toEqual([
      'web: env FEATURE_CHECKOUT_V2 only in staging',
      'celery: secret STRIPE_SECRET_KEY only in staging',
      'weaviate: env BACKUP_S3_BUCKET only in production',
    ])
    expect(r.data?.differences).toEqual([
      {id: 'web:env:FEATURE_CHECKOUT_V2', kind: 'env', onlyIn: 'staging', status: 'fail'},
      {id: 'celery:secret:STRIPE_SECRET_KEY', kind: 'secret', onlyIn: 'staging', status: 'fail'},
      {id: 'weaviate:env:BACKUP_S3_BUCKET', kind: 'env', onlyIn: 'production', status: 'warn'},
    ])
    expect(r.hint).toContain(
      'add what production lacks to its task definition and deploy a new revision (aws ecs describe-task-definition --task-definition production-allthrive-web:42',
    )
  })

  it("applies the compared environment's allow list too", async () => {
    const staging = spec('staging')
    staging.containers.web.environment!.push(v('DEBUG', '1'))
    world({staging, production: spec('production')})
    const r = await drift.run(ctxFor('production', 'staging', {compare: {drift: {allow: ['*:env:DEBUG']}}}))
    expect(r).toMatchObject({
      status: 'pass',
      summary: 'production matches staging (4 services, 5 secrets compared; 1 difference allowed)',
    })
  })

  it('reports a service and a secret that exist in one environment only', async () => {
    const staging = spec('staging')
    staging.missingServices = ['weaviate']
    delete staging.secrets.app
    world({staging, production: spec('production')})
    const r = await drift.run(ctxFor('staging', 'production'))
    expect(r.status).toBe('warn')
    expect(r.details).toEqual([
      'weaviate: service only in production (staging-allthrive-weaviate not found)',
      'secret app: exists only in production (staging/allthrive/app not found)',
    ])
    expect(r.hint).toContain('aws ecs list-services --cluster staging-allthrive-cluster --region us-east-1')
  })

  it('says when the compared environment has no cluster, and still compares secrets', async () => {
    const production = spec('production')
    world({staging: spec('staging'), production})
    mocks.ecs.on(DescribeServicesCommand, {cluster: 'production-allthrive-cluster'}).rejects(clusterNotFound())
    production.secrets.app = ['SECRET_KEY']
    const r = await drift.run(ctxFor('staging', 'production'))
    expect(r.details).toEqual([
      'secret app: key SENTRY_DSN only in staging',
      'production: cluster production-allthrive-cluster not found; services not compared',
    ])
  })

  it('reads the compared environment with a client of its configured region', async () => {
    world({staging: spec('staging'), production: spec('production')})
    await drift.run(ctxFor('staging', 'production', {compare: {region: 'eu-west-1'}}))
    const regionOf = async (cluster: string) => {
      const call = mocks.ecs.commandCalls(DescribeServicesCommand, {cluster})[0]
      return (call.thisValue as ECSClient).config.region()
    }

    expect(await regionOf('production-allthrive-cluster')).toBe('eu-west-1')
    expect(await regionOf('staging-allthrive-cluster')).toBe('us-east-1')
  })

  it('notes allow entries it cannot understand and lists unused ones in data', async () => {
    world({staging: spec('staging'), production: spec('production')})
    const r = await drift.run(
      ctxFor('staging', 'production', {current: {drift: {allow: ['web:envs:DEBUG', 'celery:cpu']}}}),
    )
    expect(r.status).toBe('pass')
    expect(r.details).toEqual([
      'drift.allow entry "web:envs:DEBUG" has no known shape and matches nothing (see README "Drift between environments")',
    ])
    expect(r.data).toMatchObject({invalidAllow: ['web:envs:DEBUG'], unusedAllow: ['celery:cpu']})
  })

  it('shares task definitions with ecs-env: each is described once per run', async () => {
    world({staging: spec('staging'), production: spec('production')})
    const ctx = ctxFor('staging', 'production')
    await Promise.all([drift.run(ctx), ecsEnv.run(ctx)])
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 8)
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 2)
  })

  it('is an error naming the IAM action when a task definition cannot be read', async () => {
    world({staging: spec('staging'), production: spec('production')})
    mocks.ecs.on(DescribeTaskDefinitionCommand).rejects(accessDenied('ecs:DescribeTaskDefinition'))
    await expectErrorNaming(drift, 'ecs:DescribeTaskDefinition', ctxFor('staging', 'production'))
  })

  it('is an error naming the IAM action when the secrets cannot be read', async () => {
    world({staging: spec('staging'), production: spec('production')})
    mocks.secrets.on(BatchGetSecretValueCommand).rejects(accessDenied('secretsmanager:BatchGetSecretValue'))
    mocks.secrets.on(GetSecretValueCommand).rejects(accessDenied('secretsmanager:GetSecretValue'))
    const r = await expectErrorNaming(drift, 'secretsmanager:GetSecretValue', ctxFor('staging', 'production'))
    expect(everything(r)).not.toContain(CANARY)
  })
})
