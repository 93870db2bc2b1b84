import {ECSClient, type TaskDefinition} from '@aws-sdk/client-ecs'
import {describe, expect, it, vi} from 'vitest'

import type {ServiceKey} from '../../../src/config.js'
import {UserError} from '../../../src/errors.js'
import {
  applyAllow,
  compareSnapshots,
  contextFor,
  type EnvSnapshot,
  imageTag,
  notesFor,
  parseAllow,
  resolveCompare,
  type ServiceFacts,
  serviceFacts,
} from '../../../src/lib/drift/compare.js'
import {ctxWith, envWith} from '../../helpers/context.js'

const facts = (key: ServiceKey, over: Partial<ServiceFacts> = {}): ServiceFacts => ({
  key,
  taskDefinition: `x-${key}:1`,
  container: key,
  env: ['DJANGO_SETTINGS_MODULE'],
  secrets: ['DATABASE_URL'],
  cpu: '512',
  memory: '1024',
  image: '1.0.0',
  ...over,
})

function snap(
  name: string,
  over: {services?: Partial<Record<ServiceKey, Partial<ServiceFacts> | null>>; secrets?: EnvSnapshot['secrets']} = {},
): EnvSnapshot {
  const keys: ServiceKey[] = ['web', 'celery', 'celery-beat', 'weaviate']
  const services = new Map<ServiceKey, ServiceFacts>()
  for (const k of keys) if (over.services?.[k] !== null) services.set(k, facts(k, over.services?.[k] ?? {}))
  return {
    name,
    cluster: `${name}-allthrive-cluster`,
    clusterMissing: false,
    services,
    missing: keys.filter((k) => !services.has(k)),
    serviceNames: new Map(keys.map((k) => [k, `${name}-allthrive-${k}`])),
    secrets:
      over.secrets ??
      new Map([['app', {key: 'app', id: `${name}/allthrive/app`, state: 'found', keys: ['SECRET_KEY', 'SENTRY_DSN']}]]),
  }
}

describe('imageTag', () => {
  it.each([
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/allthrive-web:1.4.2', '1.4.2'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/allthrive-web@sha256:abc123', 'sha256:abc123'],
    ['localhost:5000/allthrive-web', 'latest'],
    ['semitechnologies/weaviate:1.25.0', '1.25.0'],
    ['nginx', 'latest'],
  ])('%s → %s', (image, tag) => expect(imageTag(image)).toBe(tag))
})

describe('serviceFacts', () => {
  const td: TaskDefinition = {
    family: 'staging-allthrive-web',
    revision: 7,
    cpu: '512',
    memory: '1024',
    containerDefinitions: [
      {name: 'sidecar', image: 'datadog/agent:7', environment: [{name: 'DD_SITE', value: 'x'}]},
      {
        name: 'web',
        image: 'repo/web:2.0.1',
        environment: [
          {name: 'DEBUG', value: '0'},
          {name: 'DEBUG', value: '1'},
        ],
        secrets: [{name: 'SECRET_KEY', valueFrom: 'arn'}],
      },
    ],
  }

  it('reads the configured container: names only, de-duplicated, with sizes and image tag', () => {
    expect(serviceFacts('web', 'web', td, 'arn:aws:ecs:us-east-1:1:task-definition/staging-allthrive-web:7')).toEqual({
      key: 'web',
      taskDefinition: 'staging-allthrive-web:7',
      container: 'web',
      env: ['DEBUG'],
      secrets: ['SECRET_KEY'],
      cpu: '512',
      memory: '1024',
      image: '2.0.1',
    })
  })

  it('names the problem when the container is not there (and there are several)', () => {
    expect(serviceFacts('web', 'django', td, 'arn').problem).toBe('no container django in staging-allthrive-web:7')
  })
})

describe('compareSnapshots', () => {
  it('finds nothing between identical environments', () => {
    expect(compareSnapshots(snap('staging'), snap('production'))).toEqual([])
  })

  it('reports presence differences of each kind, one line each, sizes as notes', () => {
    const staging = snap('staging', {
      services: {web: {env: ['DJANGO_SETTINGS_MODULE', 'DJANGO_DEBUG'], cpu: '512'}, celery: {secrets: []}},
    })
    const production = snap('production', {
      services: {web: {cpu: '1024'}, celery: {secrets: ['DATABASE_URL', 'STRIPE_SECRET_KEY']}},
      secrets: new Map([
        [
          'app',
          {key: 'app', id: 'production/allthrive/app', state: 'found', keys: ['SECRET_KEY', 'SENTRY_DSN', 'EXTRA']},
        ],
      ]),
    })
    expect(compareSnapshots(staging, production)).toEqual([
      {
        id: 'web:env:DJANGO_DEBUG',
        kind: 'env',
        detail: 'web: env DJANGO_DEBUG only in staging',
        onlyIn: 'staging',
        status: 'warn',
      },
      {id: 'web:cpu', kind: 'cpu', detail: 'web: cpu 512 (staging) vs 1024 (production)', status: 'pass'},
      {
        id: 'celery:secret:DATABASE_URL',
        kind: 'secret',
        detail: 'celery: secret DATABASE_URL only in production',
        onlyIn: 'production',
        status: 'warn',
      },
      {
        id: 'celery:secret:STRIPE_SECRET_KEY',
        kind: 'secret',
        detail: 'celery: secret STRIPE_SECRET_KEY only in production',
        onlyIn: 'production',
        status: 'warn',
      },
      {
        id: 'secret:app:EXTRA',
        kind: 'secret-key',
        detail: 'secret app: key EXTRA only in production',
        onlyIn: 'production',
        status: 'warn',
      },
    ])
  })

  it('fails only for a variable or secret reference that production lacks', () => {
    const production = snap('production', {services: {web: {env: ['DJANGO_SETTINGS_MODULE', 'PROD_ONLY']}}})
    const staging = snap('staging', {
      services: {web: {env: ['DJANGO_SETTINGS_MODULE', 'NEW_FLAG']}, celery: {secrets: ['DATABASE_URL', 'NEW_KEY']}},
      secrets: new Map([
        ['app', {key: 'app', id: 'staging/allthrive/app', state: 'found', keys: ['SECRET_KEY', 'SENTRY_DSN', 'NEW']}],
      ]),
    })
    const byId = Object.fromEntries(compareSnapshots(production, staging).map((d) => [d.id, d.status]))
    expect(byId).toEqual({
      'web:env:NEW_FLAG': 'fail', // staging sets it, production does not: promoting staging's image breaks production
      'web:env:PROD_ONLY': 'warn',
      'celery:secret:NEW_KEY': 'fail',
      'secret:app:NEW': 'warn', // a key matters once referenced; references are compared above
    })
  })

  it('reports a service or a whole secret that exists in one environment only', () => {
    const staging = snap('staging', {
      services: {weaviate: null},
      secrets: new Map([['app', {key: 'app', id: 'staging/allthrive/app', state: 'missing'}]]),
    })
    expect(compareSnapshots(staging, snap('production')).map((d) => [d.id, d.detail])).toEqual([
      ['weaviate:service', 'weaviate: service only in production (staging-allthrive-weaviate not found)'],
      ['secret:app', 'secret app: exists only in production (staging/allthrive/app not found)'],
    ])
  })

  it('does not compare what it could not read, and says so', () => {
    const staging = {
      ...snap('staging', {services: {web: {problem: 'no container web in staging-allthrive-web:3'}}}),
      secrets: new Map([
        ['app', {key: 'app', id: 'staging/allthrive/app', state: 'invalid' as const, reason: 'is not valid JSON'}],
      ]),
    }
    const production = {
      ...snap('production'),
      clusterMissing: true,
      services: new Map(),
      missing: ['web', 'celery', 'celery-beat', 'weaviate'] as ServiceKey[],
    }
    expect(compareSnapshots(staging, production)).toEqual([])
    expect(notesFor(staging, production)).toEqual([
      'web: no container web in staging-allthrive-web:3 (staging); not compared',
      'secret app: keys not compared, staging/allthrive/app is not valid JSON',
      'production: cluster production-allthrive-cluster not found; services not compared',
    ])
  })
})

describe('drift.allow', () => {
  it('accepts the documented shapes and rejects the rest', () => {
    const {patterns, invalid} = parseAllow([
      'web:env:DEBUG',
      'celery:secret:SENTRY_DSN',
      '*:cpu',
      '*:memory',
      'secret:app:SENTRY_DSN',
      'secret:app',
      'weaviate:service',
      'web:*',
      '*',
      'wbe:env:DEBUG',
      'web:envs:DEBUG',
      'web:cpus',
      'secret:',
      'DEBUG',
    ])
    expect(patterns.map((p) => p.entry)).toEqual([
      'web:env:DEBUG',
      'celery:secret:SENTRY_DSN',
      '*:cpu',
      '*:memory',
      'secret:app:SENTRY_DSN',
      'secret:app',
      'weaviate:service',
      'web:*',
      '*',
    ])
    expect(invalid).toEqual(['wbe:env:DEBUG', 'web:envs:DEBUG', 'web:cpus', 'secret:', 'DEBUG'])
  })

  it('matches whole ids, * across any characters, case-sensitively, and lists unused entries', () => {
    const d = (id: string) => ({id, kind: 'env' as const, detail: id, status: 'warn' as const})
    const diffs = [
      d('web:env:DEBUG'),
      d('celery:env:DEBUG'),
      d('web:env:DEBUG_TOOLBAR'),
      d('web:cpu'),
      d('secret:stripe/credentials:STRIPE_WEBHOOK_SECRET'),
      d('secret:stripe/credentials'),
    ]
    const r = applyAllow(diffs, [
      '*:env:DEBUG',
      '*:cpu',
      'secret:stripe/credentials*',
      'web:env:debug_toolbar',
      'celery:memory',
    ])
    expect(r.allowed.map((x) => x.id)).toEqual([
      'web:env:DEBUG',
      'celery:env:DEBUG',
      'web:cpu',
      'secret:stripe/credentials:STRIPE_WEBHOOK_SECRET',
      'secret:stripe/credentials',
    ])
    expect(r.reported.map((x) => x.id)).toEqual(['web:env:DEBUG_TOOLBAR'])
    expect(r.unused).toEqual(['web:env:debug_toolbar', 'celery:memory'])
  })

  it('treats regular-expression characters literally', () => {
    expect(
      applyAllow([{id: 'web:env:AXB', kind: 'env', detail: '', status: 'warn'}], ['web:env:A.B']).reported,
    ).toHaveLength(1)
  })
})

describe('contextFor', () => {
  it('keeps the shared client in the same region and memoises apart from the current environment', async () => {
    const ctx = ctxWith({}, {name: 'staging'})
    const other = contextFor(ctx, envWith({}, 'production'))
    expect(other.env.name).toBe('production')
    expect(other.region).toBe('us-east-1')
    expect(other.aws.client(ECSClient)).toBe(ctx.aws.client(ECSClient))
    const load = vi.fn(async () => 'value')
    await ctx.memo('ecs:services', async () => 'mine')
    expect(await other.memo('ecs:services', load)).toBe('value')
    expect(await other.memo('ecs:services', load)).toBe('value')
    expect(load).toHaveBeenCalledTimes(1)
  })

  it("uses a client of the other environment's configured region", async () => {
    const ctx = ctxWith({}, {name: 'staging'})
    const other = contextFor(ctx, envWith({region: 'eu-west-1'}, 'production'))
    expect(other.region).toBe('eu-west-1')
    expect(await other.aws.client(ECSClient).config.region()).toBe('eu-west-1')
    expect(await other.aws.region()).toBe('eu-west-1')
  })
})

describe('resolveCompare', () => {
  const loaded = {config: {}, source: 'test'}
  it('resolves another environment', () => {
    expect(resolveCompare('production', envWith({}, 'staging'), loaded).cluster).toBe('production-allthrive-cluster')
  })

  it('refuses the environment being validated, suggesting the other', () => {
    expect(() => resolveCompare('staging', envWith({}, 'staging'), loaded)).toThrow(UserError)
    try {
      resolveCompare('staging', envWith({}, 'staging'), loaded)
    } catch (error) {
      expect((error as UserError).suggestions).toEqual([
        'allthrive validate --environment staging --compare production',
      ])
    }
  })

  it('names --compare in an unknown-environment error', () => {
    expect(() => resolveCompare('prod', envWith({}, 'staging'), loaded)).toThrow('Unknown --compare environment "prod"')
    try {
      resolveCompare('prod', envWith({}, 'staging'), loaded)
    } catch (error) {
      expect((error as UserError).suggestions[0]).toBe('Did you mean --compare production?')
      expect((error as UserError).exit).toBe(2)
    }
  })
})
