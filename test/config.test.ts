import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {
  conventionFor,
  knownEnvironments,
  loadConfigFile,
  parseConfigFile,
  resolveEnvironment,
  userConfigFile,
} from '../src/config.js'
import {UserError} from '../src/errors.js'

const noFile = {config: {}, source: 'convention'}

describe('naming convention', () => {
  it('derives every name from the environment', () => {
    const env = resolveEnvironment('staging', noFile)
    expect(env.cluster).toBe('staging-allthrive-cluster')
    expect(env.services.map((s) => [s.key, s.name, s.container, s.logGroup])).toEqual([
      ['web', 'staging-allthrive-web', 'web', '/ecs/staging-allthrive-web'],
      ['celery', 'staging-allthrive-celery', 'celery', '/ecs/staging-allthrive-celery'],
      ['celery-beat', 'staging-allthrive-celery-beat', 'celery-beat', '/ecs/staging-allthrive-celery-beat'],
      ['weaviate', 'staging-allthrive-weaviate', 'weaviate', '/ecs/staging-allthrive-weaviate'],
    ])
    expect(env.secrets.map((s) => s.id)).toEqual([
      'staging/allthrive/ai/api-keys',
      'staging/allthrive/oauth/credentials',
      'staging/allthrive/stripe/credentials',
      'staging/allthrive/database',
      'staging/allthrive/app',
    ])
    expect(env.secrets.find((s) => s.key === 'stripe/credentials')?.keys).toEqual([
      'STRIPE_PUBLIC_KEY',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
    ])
    expect(env.buckets).toEqual({
      frontend: 'staging-allthrive-frontend',
      media: 'staging-allthrive-media',
      backups: 'staging-allthrive-backups',
    })
    expect(env.rds).toEqual({instanceId: 'staging-allthrive-db', expectMultiAz: false, expectDeletionProtection: false})
    expect(env.redis.replicationGroupId).toBe('staging-allthrive-redis')
    expect(env.alb.name).toBe('staging-allthrive-alb')
  })

  it('expects Multi-AZ and deletion protection in production only', () => {
    expect(conventionFor('production').rds).toMatchObject({expectMultiAz: true, expectDeletionProtection: true})
    // Domains are not guessed: they come from config, or from what the environment serves.
    expect(conventionFor('production')).toMatchObject({domains: [], cloudfrontDomains: []})
  })
})

describe('config file', () => {
  it('overrides names, adds environments and merges thresholds', () => {
    const config = parseConfigFile(
      JSON.stringify({
        defaults: {region: 'eu-west-1', thresholds: {certificates: {warnDays: 45}}},
        environments: {
          staging: {
            cluster: 'stg-cluster',
            services: {web: {container: 'django'}},
            rds: {expectMultiAz: true},
            thresholds: {certificates: {failDays: 3}},
          },
          dev: {region: 'us-west-2', secrets: {extra: {keys: ['X']}}},
        },
      }),
      'allthrive.config.json',
    )
    expect(knownEnvironments(config)).toEqual(['production', 'staging', 'dev'])
    const staging = resolveEnvironment('staging', {config, source: 'file'})
    expect(staging.cluster).toBe('stg-cluster')
    expect(staging.services[0]).toMatchObject({name: 'staging-allthrive-web', container: 'django'})
    expect(staging.rds).toEqual({
      instanceId: 'staging-allthrive-db',
      expectMultiAz: true,
      expectDeletionProtection: false,
    })
    expect(staging.thresholds.certificates).toEqual({warnDays: 45, failDays: 3})
    expect(staging.region).toBe('eu-west-1')
    const dev = resolveEnvironment('dev', {config, source: 'file'})
    expect(dev.region).toBe('us-west-2')
    expect(dev.cluster).toBe('dev-allthrive-cluster')
    expect(dev.secrets.at(-1)).toEqual({key: 'extra', id: 'dev/allthrive/extra', keys: ['X']})
  })

  it('names the field that is wrong', () => {
    const bad = JSON.stringify({
      environments: {staging: {rds: {expectMultiAz: 'yes'}, thresholds: {certificates: {warnDays: -1}}}},
    })
    expect(() => parseConfigFile(bad, 'allthrive.config.json')).toThrowError(UserError)
    try {
      parseConfigFile(bad, 'allthrive.config.json')
    } catch (error) {
      expect((error as UserError).message).toMatch(
        /^allthrive\.config\.json is invalid: environments\.staging\.rds\.expectMultiAz: .*boolean.*; environments\.staging\.thresholds\.certificates\.warnDays: /,
      )
      expect((error as UserError).exit).toBe(2)
    }
  })

  it('says in English what each field needs (the schema checks: whole numbers, ranges, URLs, durations, names)', () => {
    const messages = (environment: Record<string, unknown>): string => {
      try {
        parseConfigFile(JSON.stringify({environments: {staging: environment}}), 'f.json')
        return ''
      } catch (error) {
        return (error as UserError).message
      }
    }
    expect(messages({thresholds: {certificates: {warnDays: 1.5}}})).toContain(
      'environments.staging.thresholds.certificates.warnDays: Invalid input: expected int, received number',
    )
    expect(messages({thresholds: {rds: {storageWarnFreePercent: 120}}})).toContain(
      'storageWarnFreePercent: Too big: expected number to be <=100',
    )
    expect(messages({thresholds: {cloudwatchErrors: {since: '15 minutes'}}})).toContain(
      'since: must be a duration such as 30s, 15m, 2h or 1d',
    )
    expect(messages({healthUrl: 'not a url'})).toContain('environments.staging.healthUrl: Invalid URL')
    expect(messages({cluster: ''})).toContain(
      'environments.staging.cluster: Too small: expected string to have >=1 characters',
    )
    expect(messages({services: {Web: {}}})).toContain(
      'environments.staging.services.Web: invalid key: service keys are lowercase letters, digits and hyphens',
    )
    expect(messages({domains: []})).toContain(
      'environments.staging.domains: Too small: expected array to have >=1 items',
    )
    expect(messages({thresholds: {probes: {timeoutMs: 500}}, protected: true})).toBe('')
  })

  it('rejects unknown fields (typos) by name', () => {
    expect(() => parseConfigFile(JSON.stringify({environments: {staging: {clustr: 'x'}}}), 'f.json')).toThrowError(
      /environments\.staging: Unrecognized key.*clustr/,
    )
  })

  it('reports invalid JSON with the file name', () => {
    expect(() => parseConfigFile('{"environments": ', '/w/allthrive.config.json')).toThrowError(
      /^\/w\/allthrive\.config\.json is not valid JSON/,
    )
  })

  it('is optional, and read from the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'allthrive-'))
    const home = mkdtempSync(join(tmpdir(), 'allthrive-home-'))
    expect(loadConfigFile({cwd: dir, env: {}, home}).config).toEqual({})
    writeFileSync(join(dir, 'allthrive.config.json'), JSON.stringify({environments: {qa: {}}}))
    const loaded = loadConfigFile({cwd: dir, env: {}, home})
    expect(loaded.source).toBe(join(dir, 'allthrive.config.json'))
    expect(knownEnvironments(loaded.config)).toContain('qa')
  })
})

describe('unknown environment', () => {
  it('lists the known ones and suggests the closest', () => {
    try {
      resolveEnvironment('prodution', noFile)
      expect.unreachable()
    } catch (error) {
      const e = error as UserError
      expect(e.message).toBe('Unknown environment "prodution". Known environments: production, staging.')
      expect(e.suggestions[0]).toBe('Did you mean --environment production?')
      expect(e.exit).toBe(2)
    }
  })
})

describe("configuration file lookup: --config, ./allthrive.config.json, then the user's", () => {
  const envs = (names: string[]) => JSON.stringify({environments: Object.fromEntries(names.map((n) => [n, {}]))})
  function dirs() {
    const root = mkdtempSync(join(tmpdir(), 'allthrive-lookup-'))
    const [cwd, home, xdg] = ['work', 'home', 'xdg'].map((d) => join(root, d))
    for (const d of [cwd, join(home, '.config', 'allthrive'), join(xdg, 'allthrive')]) mkdirSync(d, {recursive: true})
    return {root, cwd, home, xdg}
  }

  it('falls back to ~/.config/allthrive/config.json from any folder', () => {
    const {cwd, home} = dirs()
    writeFileSync(join(home, '.config', 'allthrive', 'config.json'), envs(['laptop']))
    const loaded = loadConfigFile({cwd, env: {}, home})
    expect(loaded.source).toBe(join(home, '.config', 'allthrive', 'config.json'))
    expect(knownEnvironments(loaded.config)).toContain('laptop')
  })

  it('reads $XDG_CONFIG_HOME/allthrive/config.json when XDG_CONFIG_HOME is set (absolute)', () => {
    const {cwd, home, xdg} = dirs()
    writeFileSync(join(home, '.config', 'allthrive', 'config.json'), envs(['home']))
    writeFileSync(join(xdg, 'allthrive', 'config.json'), envs(['xdg']))
    expect(loadConfigFile({cwd, env: {XDG_CONFIG_HOME: xdg}, home}).source).toBe(join(xdg, 'allthrive', 'config.json'))
    expect(userConfigFile({XDG_CONFIG_HOME: 'relative/dir'}, home)).toBe(
      join(home, '.config', 'allthrive', 'config.json'),
    )
  })

  it("prefers ./allthrive.config.json to the user's file, and --config to both", () => {
    const {root, cwd, home} = dirs()
    writeFileSync(join(home, '.config', 'allthrive', 'config.json'), envs(['home']))
    writeFileSync(join(cwd, 'allthrive.config.json'), envs(['local']))
    writeFileSync(join(root, 'chosen.json'), envs(['chosen']))
    expect(loadConfigFile({cwd, env: {}, home}).source).toBe(join(cwd, 'allthrive.config.json'))
    const chosen = loadConfigFile({cwd, env: {}, home, file: '../chosen.json'})
    expect(chosen.source).toBe(join(root, 'chosen.json'))
    expect(knownEnvironments(chosen.config)).toEqual(['production', 'staging', 'chosen'])
  })

  it('refuses a --config file that does not exist (exit 2), without falling back', () => {
    const {cwd, home} = dirs()
    writeFileSync(join(cwd, 'allthrive.config.json'), envs(['local']))
    try {
      loadConfigFile({cwd, env: {}, home, file: 'missing.json'})
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({exit: 2, code: 'CONFIG_NOT_FOUND'})
      expect((error as Error).message).toBe(
        `Configuration file ${join(cwd, 'missing.json')} (--config or ALLTHRIVE_CONFIG) does not exist.`,
      )
    }
  })

  it('says which files it looked for when there is none', () => {
    const {cwd, home} = dirs()
    expect(loadConfigFile({cwd, env: {}, home}).source).toBe(
      `naming convention (no allthrive.config.json, no ${join(home, '.config', 'allthrive', 'config.json')})`,
    )
  })
})

describe('services beyond the four roles', () => {
  it('takes requiredEnv (and names) for any service key, with their source', () => {
    const config = parseConfigFile(
      JSON.stringify({
        environments: {
          staging: {
            services: {
              'celery-ai': {requiredEnv: ['DATABASE_URL', 'OPENAI_API_KEY']},
              web: {container: 'django'},
            },
          },
        },
      }),
      'allthrive.config.json',
    )
    const env = resolveEnvironment('staging', {config, source: 'allthrive.config.json'})
    expect(env.services.map((s) => s.key)).toEqual(['web', 'celery', 'celery-beat', 'weaviate', 'celery-ai'])
    expect(env.services[4]).toMatchObject({
      key: 'celery-ai',
      name: 'staging-allthrive-celery-ai',
      requiredEnv: ['DATABASE_URL', 'OPENAI_API_KEY'],
    })
    expect(env.services[4].role).toBeUndefined()
    expect(env.services[0]).toMatchObject({role: 'web', container: 'django', sources: {container: 'config file'}})
  })

  it('rejects a service key that is not a name', () => {
    expect(() =>
      parseConfigFile(
        JSON.stringify({environments: {staging: {services: {'Celery AI': {}}}}}),
        'allthrive.config.json',
      ),
    ).toThrow(
      /environments\.staging\.services\.Celery AI: invalid key: service keys are lowercase letters, digits and hyphens/,
    )
  })
})
