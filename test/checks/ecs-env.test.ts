import {
  type ContainerDefinition,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type Service,
} from '@aws-sdk/client-ecs'
import {
  BatchGetSecretValueCommand,
  type BatchGetSecretValueCommandOutput,
  type SecretValueEntry,
} from '@aws-sdk/client-secrets-manager'
import {beforeEach, describe, expect, it} from 'vitest'

import {ecsEnv} from '../../src/checks/ecs-env.js'
import {ecsServices} from '../../src/checks/ecs-services.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, everything, expectErrorNaming} from '../helpers/context.js'
import {
  CLUSTER,
  deployment,
  describeServices,
  describeTaskDefinitions,
  type Key,
  KEYS,
  noCluster,
  service as ecsService,
  taskDefinition,
  tdArn,
} from '../helpers/ecs.js'

const CANARY = 'CANARY-postgres-pw-9f8e7d'
const SM_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret'

/** Secrets as Secrets Manager holds them: name, ARN with its random suffix, JSON keys. */
const SECRETS = {
  database: {
    name: 'production/allthrive/database',
    arn: `${SM_ARN}:production/allthrive/database-AbCdEf`,
    keys: ['DATABASE_URL'],
  },
  app: {
    name: 'production/allthrive/app',
    arn: `${SM_ARN}:production/allthrive/app-GhIjKl`,
    keys: ['SECRET_KEY', 'SENTRY_DSN'],
  },
  ai: {
    name: 'production/allthrive/ai/api-keys',
    arn: `${SM_ARN}:production/allthrive/ai/api-keys-MnOpQr`,
    keys: ['OPENAI_API_KEY'],
  },
  stripe: {
    name: 'production/allthrive/stripe/credentials',
    arn: `${SM_ARN}:production/allthrive/stripe/credentials-StUvWx`,
    keys: ['STRIPE_SECRET_KEY'],
  },
} as const
type SecretName = keyof typeof SECRETS

const ref = (name: string, secret: SecretName) => ({name, valueFrom: `${SECRETS[secret].arn}:${name}::`})
const env = (name: string, value = `value-of-${name}`) => ({name, value})

const DJANGO = [env('DJANGO_SETTINGS_MODULE', 'config.settings.production'), env('REDIS_URL', 'rediss://redis:6379/0')]
const CONTAINERS: Record<Key, ContainerDefinition> = {
  web: {
    name: 'web',
    environment: [...DJANGO, env('WEAVIATE_URL', 'http://weaviate:8080')],
    secrets: [
      ref('DATABASE_URL', 'database'),
      ref('SECRET_KEY', 'app'),
      ref('OPENAI_API_KEY', 'ai'),
      ref('STRIPE_SECRET_KEY', 'stripe'),
    ],
  },
  celery: {
    name: 'celery',
    environment: [...DJANGO, env('WEAVIATE_URL', 'http://weaviate:8080')],
    secrets: [ref('DATABASE_URL', 'database'), ref('SECRET_KEY', 'app'), ref('OPENAI_API_KEY', 'ai')],
  },
  'celery-beat': {
    name: 'celery-beat',
    environment: DJANGO,
    secrets: [ref('DATABASE_URL', 'database'), ref('SECRET_KEY', 'app')],
  },
  weaviate: {name: 'weaviate', environment: [env('PERSISTENCE_DATA_PATH', '/var/lib/weaviate')]},
}

/** A service running its one task, as ecs-services passes it. */
const service = (key: Key): Service => ecsService(key, {deployments: [deployment(key)]})

/** Services, task definitions and secret values; `over` replaces a service's containers or a secret's JSON. */
function world(
  over: {
    containers?: Partial<Record<Key, ContainerDefinition[]>>
    values?: Partial<Record<SecretName, string>>
    services?: Service[]
  } = {},
) {
  describeServices(over.services ?? KEYS.map(service))
  describeTaskDefinitions(
    KEYS.map((key) => taskDefinition(key, {containerDefinitions: over.containers?.[key] ?? [CONTAINERS[key]]})),
  )

  const entries: SecretValueEntry[] = Object.entries(SECRETS).map(([k, s]) => ({
    Name: s.name,
    ARN: s.arn,
    SecretString:
      over.values?.[k as SecretName] ??
      JSON.stringify(Object.fromEntries(s.keys.map((key) => [key, `${CANARY}-${key}`]))),
  }))
  secretValues({SecretValues: entries})
}

const secretValues = (out: Partial<BatchGetSecretValueCommandOutput>) =>
  mocks.secrets.on(BatchGetSecretValueCommand).resolves(out)

describe('ecs-env check', () => {
  beforeEach(() => resetMocks())

  it('passes when every required variable is set and every reference resolves, reading each secret once', async () => {
    world()
    const r = await ecsEnv.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('4 task definitions: required variables set, 9 secret references resolve')
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 4)
    for (const key of KEYS)
      expect(mocks.ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, {taskDefinition: tdArn(key)})
    expect(mocks.secrets).toHaveReceivedCommandTimes(BatchGetSecretValueCommand, 1)
    const ids = mocks.secrets.commandCalls(BatchGetSecretValueCommand)[0].args[0].input.SecretIdList
    expect(ids?.toSorted()).toEqual(
      Object.values(SECRETS)
        .map((s) => s.arn)
        .toSorted(),
    )
    expect(r.data).toMatchObject({
      services: {
        web: {
          taskDefinition: 'production-allthrive-web:42',
          container: 'web',
          missingEnv: [],
          refs: expect.arrayContaining([
            {
              name: 'DATABASE_URL',
              kind: 'secretsmanager',
              secretId: SECRETS.database.arn,
              jsonKey: 'DATABASE_URL',
              state: 'resolves',
            },
          ]),
        },
        weaviate: {missingEnv: [], refs: []},
      },
    })
    expect(everything(r)).not.toContain(CANARY)
  })

  it('shares one DescribeServices call with the ecs-services check', async () => {
    world()
    const ctx = ctxWith()
    const [a, b] = await Promise.all([ecsEnv.run(ctx), ecsServices.run(ctx)])
    expect([a.status, b.status]).toEqual(['pass', 'pass'])
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 1)
  })

  it('fails a missing JSON key while the service runs fine: the next deployment would fail', async () => {
    world({values: {stripe: JSON.stringify({STRIPE_PUBLIC_KEY: `${CANARY}-pk`})}})
    const ctx = ctxWith()
    const services = await ecsServices.run(ctx)
    expect(services.status).toBe('pass')
    const r = await ecsEnv.run(ctx)
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('1 problem in 4 task definitions')
    expect(r.details).toEqual([
      'web: STRIPE_SECRET_KEY → key STRIPE_SECRET_KEY missing in production/allthrive/stripe/credentials',
    ])
    expect(r.hint).toContain(
      'the next deployment of web will fail with ResourceInitializationError: unable to pull secrets',
    )
    expect(r.data).toMatchObject({
      services: {
        web: {
          refs: expect.arrayContaining([expect.objectContaining({name: 'STRIPE_SECRET_KEY', state: 'key-missing'})]),
        },
      },
    })
    expect(everything(r, services)).not.toContain(CANARY)
  })

  it('fails on a referenced secret that does not exist, for every service that uses it', async () => {
    world()
    secretValues({
      SecretValues: Object.values(SECRETS)
        .filter((s) => s !== SECRETS.database)
        .map((s) => ({
          Name: s.name,
          ARN: s.arn,
          SecretString: JSON.stringify(Object.fromEntries(s.keys.map((k) => [k, CANARY]))),
        })),
      Errors: [
        {
          SecretId: SECRETS.database.arn,
          ErrorCode: 'ResourceNotFoundException',
          Message: "Secrets Manager can't find the specified secret.",
        },
      ],
    })
    const r = await ecsEnv.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details).toEqual([
      'web: DATABASE_URL → production/allthrive/database-AbCdEf does not exist',
      'celery: DATABASE_URL → production/allthrive/database-AbCdEf does not exist',
      'celery-beat: DATABASE_URL → production/allthrive/database-AbCdEf does not exist',
    ])
    expect(r.hint).toContain('the next deployment of web, celery, celery-beat will fail')
  })

  it('fails on a key referenced in a secret that is not JSON, without quoting it', async () => {
    world({values: {app: `django-insecure-${CANARY}`}})
    const r = await ecsEnv.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details).toEqual([
      'web: SECRET_KEY → key SECRET_KEY referenced but production/allthrive/app is not valid JSON',
      'celery: SECRET_KEY → key SECRET_KEY referenced but production/allthrive/app is not valid JSON',
      'celery-beat: SECRET_KEY → key SECRET_KEY referenced but production/allthrive/app is not valid JSON',
    ])
    expect(everything(r)).not.toContain(CANARY)
  })

  it('accepts a whole-secret reference to a value that is not JSON', async () => {
    world({
      values: {app: `django-insecure-${CANARY}`},
      containers: {
        'celery-beat': [
          {
            ...CONTAINERS['celery-beat'],
            secrets: [ref('DATABASE_URL', 'database'), {name: 'SECRET_KEY', valueFrom: SECRETS.app.arn}],
          },
        ],
      },
    })
    const r = await ecsEnv.run(ctxWith())
    expect(r.details).toHaveLength(2)
    expect(r.details!.some((d) => d.startsWith('celery-beat'))).toBe(false)
  })

  it('fails naming missing and empty required variables per service', async () => {
    world({
      containers: {web: [{...CONTAINERS.web, environment: [env('DJANGO_SETTINGS_MODULE'), env('WEAVIATE_URL', '')]}]},
    })
    const r = await ecsEnv.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details).toEqual(['web (production-allthrive-web:42): missing REDIS_URL, WEAVIATE_URL'])
    expect(r.hint).toBe(
      "Add the missing variables to the container's environment or secrets, register a new task definition revision and deploy it.",
    )
    expect(r.data).toMatchObject({services: {web: {missingEnv: ['REDIS_URL', 'WEAVIATE_URL']}}})
  })

  it('warns instead when the container reads environment files this check cannot see', async () => {
    world({
      containers: {
        weaviate: [
          {
            name: 'weaviate',
            environmentFiles: [{type: 's3', value: 'arn:aws:s3:::production-allthrive-config/weaviate.env'}],
          },
        ],
      },
    })
    const r = await ecsEnv.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.details).toEqual([
      'weaviate (production-allthrive-weaviate:42): missing PERSISTENCE_DATA_PATH (unless its environmentFiles set them; not read)',
    ])
  })

  it('lists Parameter Store references as not verified, without reading them', async () => {
    const ssmArn = 'arn:aws:ssm:us-east-1:123456789012:parameter/production/allthrive/REDIS_URL'
    const withSsm = (key: 'web' | 'celery', valueFrom: string): ContainerDefinition => ({
      ...CONTAINERS[key],
      environment: CONTAINERS[key].environment!.filter((e) => e.name !== 'REDIS_URL'),
      secrets: [...CONTAINERS[key].secrets!, {name: 'REDIS_URL', valueFrom}],
    })
    world({containers: {web: [withSsm('web', ssmArn)], celery: [withSsm('celery', '/production/allthrive/REDIS_URL')]}})
    const r = await ecsEnv.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('4 task definitions: required variables set, 9 secret references resolve, 2 not verified')
    expect(r.details).toEqual([
      `web: REDIS_URL → Parameter Store ${ssmArn}: not verified`,
      'celery: REDIS_URL → Parameter Store /production/allthrive/REDIS_URL: not verified',
    ])
    expect(r.data).toMatchObject({
      services: {
        web: {
          missingEnv: [],
          refs: expect.arrayContaining([{name: 'REDIS_URL', kind: 'ssm', parameter: ssmArn, state: 'not-verified'}]),
        },
      },
    })
    expect(mocks.secrets.commandCalls(BatchGetSecretValueCommand)[0].args[0].input.SecretIdList).toHaveLength(4)
  })

  it('does not judge secrets in another region or keys of a pinned version', async () => {
    const elsewhere = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:production/allthrive/dr-ZzYyXx'
    world({
      values: {stripe: JSON.stringify({})},
      containers: {
        web: [
          {
            ...CONTAINERS.web,
            secrets: [
              ...CONTAINERS.web.secrets!.slice(0, 3),
              {name: 'STRIPE_SECRET_KEY', valueFrom: `${SECRETS.stripe.arn}:STRIPE_SECRET_KEY:AWSPREVIOUS:`},
              {name: 'DR_URL', valueFrom: `${elsewhere}:DR_URL::`},
            ],
          },
        ],
      },
    })
    const r = await ecsEnv.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('4 task definitions: required variables set, 8 secret references resolve, 2 not verified')
    expect(mocks.secrets.commandCalls(BatchGetSecretValueCommand)[0].args[0].input.SecretIdList).not.toContain(
      elsewhere,
    )
  })

  it('falls back to the only container, noting it, and fails when several containers do not match', async () => {
    world({
      containers: {
        weaviate: [{...CONTAINERS.weaviate, name: 'vector-db'}],
        web: [{...CONTAINERS.web, name: 'app'}, {name: 'nginx'}],
      },
    })
    const r = await ecsEnv.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details).toEqual([
      'web: container web not in task definition production-allthrive-web:42 (it has app, nginx)',
      'weaviate: no container weaviate in production-allthrive-weaviate:42; checked its only container vector-db',
    ])
    expect(r.data).toMatchObject({services: {weaviate: {container: 'vector-db', missingEnv: []}}})
  })

  it('describes a task definition shared by two services once', async () => {
    world({
      services: KEYS.map((k) => (k === 'celery-beat' ? {...service(k), taskDefinition: tdArn('celery')} : service(k))),
    })
    const r = await ecsEnv.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.details).toEqual([
      'celery-beat: no container celery-beat in production-allthrive-celery:42; checked its only container celery',
    ])
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 3)
  })

  it('warns about services it could not find, checking the others', async () => {
    world({services: [service('web'), service('celery'), service('weaviate')]})
    const r = await ecsEnv.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.summary).toBe('3 task definitions: required variables set, 7 secret references resolve')
    expect(r.details).toEqual([
      'celery-beat: service production-allthrive-celery-beat not found, its task definition was not checked',
    ])
  })

  it('fails naming the cluster when it does not exist', async () => {
    noCluster()
    const r = await ecsEnv.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: `cluster ${CLUSTER} not found: no task definitions to check`})
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeTaskDefinitionCommand)
  })

  it('is an error naming the secret it could not read, with the IAM action', async () => {
    world()
    secretValues({
      SecretValues: Object.values(SECRETS)
        .filter((s) => s !== SECRETS.ai)
        .map((s) => ({
          Name: s.name,
          ARN: s.arn,
          SecretString: JSON.stringify(Object.fromEntries(s.keys.map((k) => [k, CANARY]))),
        })),
      Errors: [
        {
          SecretId: SECRETS.ai.arn,
          ErrorCode: 'AccessDeniedException',
          Message: `User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SECRETS.ai.arn}`,
        },
      ],
    })
    const r = await ecsEnv.run(ctxWith())
    expect(r.status).toBe('error')
    expect(r.summary).toBe('2 secret references could not be read')
    expect(r.details?.[0]).toMatch(
      /^web: OPENAI_API_KEY → production\/allthrive\/ai\/api-keys-MnOpQr: AccessDeniedException/,
    )
    expect(r.hint).toContain('secretsmanager:GetSecretValue')
    expect(everything(r)).not.toContain(CANARY)
  })

  it('is an error naming ecs:DescribeTaskDefinition when it is denied', async () => {
    world()
    mocks.ecs.on(DescribeTaskDefinitionCommand).rejects(accessDenied('ecs:DescribeTaskDefinition'))
    await expectErrorNaming(ecsEnv, 'ecs:DescribeTaskDefinition')
  })
})
