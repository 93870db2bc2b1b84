import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  type DescribeServicesCommandInput,
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandInput,
  type DescribeTaskDefinitionCommandOutput,
} from '@aws-sdk/client-ecs'
import {
  BatchGetSecretValueCommand,
  type BatchGetSecretValueCommandInput,
  type BatchGetSecretValueCommandOutput,
} from '@aws-sdk/client-secrets-manager'
import {GetCallerIdentityCommand} from '@aws-sdk/client-sts'
import {captureOutput} from '@oclif/test'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {Report} from '../../src/checks/report.js'
import Validate, {progressModeFor} from '../../src/commands/validate.js'
import {conventionFor} from '../../src/config.js'
import {accessDenied, givenAccount, mocks, resetMocks, throttled} from '../helpers/aws.js'
import {KEYS, serviceName, tdArn} from '../helpers/ecs.js'
import {secretValue} from '../helpers/secrets.js'

const CANARY = 'CANARY-9f8e7d6c5b4a-SECRET'
const root = import.meta.url

function secretValues(env: string, broken = false): BatchGetSecretValueCommandOutput['SecretValues'] {
  return conventionFor(env).secrets.map((s) =>
    secretValue(s.id, Object.fromEntries(s.keys.map((k, i) => [k, broken && i === 0 ? 'changeme' : `${CANARY}-${k}`]))),
  )
}

const run = (argv: string[]) => captureOutput<Report>(() => Validate.run(argv, root))

describe('validate', () => {
  beforeEach(() => {
    givenAccount()
    mocks.secrets.on(BatchGetSecretValueCommand).resolves({SecretValues: secretValues('staging')})
  })

  it('fails with the discovery error (exit 1, naming the IAM action) when the cluster cannot be looked up', async () => {
    mocks.ecs.on(DescribeClustersCommand).rejects(accessDenied('ecs:DescribeClusters'))
    const {stdout} = await run(['-e', 'staging', '--only', 'secrets,ecs-services', '--json'])
    // With --json the error is the document on stdout: no report, since the environment could not be read.
    const out = JSON.parse(stdout) as {error?: {code?: string; message?: string; oclif?: {exit?: number}}}
    expect(Object.keys(out)).toEqual(['error'])
    expect(out.error).toMatchObject({code: 'AWS_ACCESS_DENIED', oclif: {exit: 1}})
    expect(out.error?.message).toContain('not authorized to perform: ecs:DescribeClusters')
  })

  it('prints the whole report as JSON and nothing else, exit 0', async () => {
    const {result, stdout, stderr} = await run(['-e', 'staging', '--only', 'secrets', '--json'])
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(result)))
    expect(stderr).toBe('')
    expect(result).toMatchObject({
      ok: true,
      environment: 'staging',
      region: 'us-east-1',
      accountId: '123456789012',
      counts: {pass: 1, fail: 0},
    })
    expect(result?.checks[0]).toMatchObject({id: 'secrets', status: 'pass', durationMs: expect.any(Number)})
    expect(result?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(process.exitCode).toBe(0)
  })

  it('prints one plain line per check and the verdict when not on a terminal, exit 1 on a failure', async () => {
    mocks.secrets.on(BatchGetSecretValueCommand).resolves({SecretValues: secretValues('staging', true)})
    const {stdout} = await run(['-e', 'staging', '--only', 'secrets'])
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^✖ FAIL {2}secrets {12}5 problems in 5 secrets \(\d+ms\)$/)
    expect(stdout).toContain('    • staging/allthrive/database: a placeholder DATABASE_URL')
    expect(lines.at(-1)).toBe('✖ staging (us-east-1, account 123456789012) is NOT healthy — failed: secrets')
    expect(process.exitCode).toBe(1)
  })

  it('reads the environment from ALLTHRIVE_ENVIRONMENT (not ENVIRONMENT) and defaults to production', async () => {
    mocks.secrets.on(BatchGetSecretValueCommand).resolves({SecretValues: secretValues('production')})
    process.env.ENVIRONMENT = 'dev'
    expect((await run(['--only', 'secrets', '--json'])).result?.environment).toBe('production')
    process.env.ALLTHRIVE_ENVIRONMENT = 'staging'
    mocks.secrets.on(BatchGetSecretValueCommand).resolves({SecretValues: secretValues('staging')})
    try {
      expect((await run(['--only', 'secrets', '--json'])).result?.environment).toBe('staging')
    } finally {
      delete process.env.ALLTHRIVE_ENVIRONMENT
      delete process.env.ENVIRONMENT
    }
  })

  it('writes a JUnit report', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'allthrive-')), 'reports', 'validate.xml')
    await run(['-e', 'staging', '--only', 'secrets', '--junit', file])
    const xml = readFileSync(file, 'utf8')
    expect(xml).toContain('<testsuite name="staging" tests="1" failures="0" errors="0" skipped="0"')
    expect(xml).toContain('name="secrets: Secrets exist and hold every expected key"')
  })

  it('never prints a secret value: human, verbose, JSON, JUnit, debug', async () => {
    mocks.secrets.on(BatchGetSecretValueCommand).resolves({SecretValues: secretValues('staging', true)})
    const file = join(mkdtempSync(join(tmpdir(), 'allthrive-')), 'v.xml')
    const outputs = [
      await run(['-e', 'staging', '--only', 'secrets', '--verbose', '--debug', '--junit', file]),
      await run(['-e', 'staging', '--only', 'secrets', '--json', '--debug']),
    ]
    const all = [
      ...outputs.flatMap((o) => [o.stdout, o.stderr, JSON.stringify(o.result)]),
      readFileSync(file, 'utf8'),
    ].join('\n')
    expect(all).toContain('DATABASE_URL') // key names are reported…
    expect(all).not.toContain(CANARY) // …values never
    expect(all).not.toContain('changeme')
  })

  it('reports AccessDenied as an error naming the IAM action, exit 1', async () => {
    mocks.secrets.on(BatchGetSecretValueCommand).rejects(throttled())
    const {result} = await run(['-e', 'staging', '--only', 'secrets', '--json'])
    expect(result?.checks[0]).toMatchObject({status: 'error', hint: expect.stringContaining('lower --concurrency')})
    expect(process.exitCode).toBe(1)
  })

  it('reports a check that hangs past its budget as a timeout error', async () => {
    mocks.secrets.on(BatchGetSecretValueCommand).callsFake(() => new Promise(() => {}))
    const {result} = await run(['-e', 'staging', '--only', 'secrets', '--json', '--timeout', '1s'])
    expect(result?.checks[0]).toMatchObject({status: 'error', summary: 'check timed out: did not finish within 1s'})
    expect(process.exitCode).toBe(1)
  })

  it('fails on warnings with --fail-on warn', async () => {
    const {result} = await run(['-e', 'staging', '--only', 'secrets', '--json', '--fail-on', 'warn'])
    expect(result?.ok).toBe(true)
    expect(process.exitCode).toBe(0)
  })
})

describe('validate: nothing is checked on bad input (exit 2)', () => {
  beforeEach(() => {
    resetMocks()
    process.env.AWS_REGION = 'us-east-1'
    mocks.sts.on(GetCallerIdentityCommand).resolves({Account: '123456789012'})
  })

  it.each([
    [['--only', 'secret'], 'Unknown check "secret". Valid checks:', 'Did you mean secrets?'],
    [
      ['-e', 'prod'],
      'Unknown environment "prod". Known environments: production, staging.',
      'Did you mean --environment production?',
    ],
    [['--region', 'us-east1'], '"us-east1" (from --region) is not an AWS region.', 'Did you mean --region us-east-1?'],
    [
      ['--since', '15 minutes'],
      'Invalid --since "15 minutes": use a whole number and a unit between 1m and 30d, such as 15m, 2h, 1d.',
      undefined,
    ],
  ])('%j', async (argv, message, suggestion) => {
    const {error} = await run(argv)
    expect(error?.message).toContain(message)
    if (suggestion) expect(error?.suggestions).toContain(suggestion)
    expect(error?.oclif?.exit).toBe(2)
    expect(mocks.secrets.calls()).toHaveLength(0)
  })

  it('says how to get credentials when there are none', async () => {
    mocks.sts
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), {name: 'CredentialsProviderError'}),
      )
    const {error} = await run(['-e', 'staging'])
    expect(error?.message).toBe('No AWS credentials were found.')
    expect(error?.suggestions?.[0]).toMatch(/^Configure credentials: aws configure/)
    expect(error?.oclif?.exit).toBe(2)
    expect(mocks.secrets.calls()).toHaveLength(0)
  })

  it('prints the sso login command for an expired SSO session', async () => {
    mocks.sts
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(
          new Error(
            'The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.',
          ),
          {name: 'CredentialsProviderError'},
        ),
      )
    const {error} = await run(['-e', 'staging', '--profile', 'allthrive-staging'])
    expect(error?.suggestions).toEqual(['Refresh the SSO session: aws sso login --profile allthrive-staging'])
    expect(error?.oclif?.exit).toBe(2)
  })

  it('names expired temporary credentials', async () => {
    mocks.sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('The security token included in the request is expired'), {
        name: 'ExpiredToken',
        $metadata: {httpStatusCode: 403},
      }),
    )
    const {error} = await run(['-e', 'staging'])
    expect(error?.message).toBe('The AWS credentials have expired.')
    expect(error?.oclif?.exit).toBe(2)
  })

  it('reports an AWS failure the command cannot handle with its cause and the fix, exit 1', async () => {
    mocks.sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: {httpStatusCode: 400, requestId: 'r-9'},
      }),
    )
    const {error} = await run(['-e', 'staging'])
    expect(error?.message).toBe('ThrottlingException (HTTP 400, request r-9): Rate exceeded')
    expect(error?.suggestions?.[0]).toContain('lower --concurrency')
    expect(error?.oclif?.exit).toBe(1)
  })

  it('prints a JSON error with --json', async () => {
    const {stdout} = await run(['-e', 'nope', '--json'])
    expect(process.exitCode).toBe(2)
    expect(JSON.parse(stdout)).toMatchObject({
      error: {message: expect.stringContaining('Unknown environment "nope"'), code: 'UNKNOWN_ENVIRONMENT'},
    })
  })
})

describe('progress mode', () => {
  it('is live on a terminal, plain in CI or a pipe, silent with --json', () => {
    expect(progressModeFor({json: false, isTTY: true, ci: false, columns: 120})).toBe('live')
    expect(progressModeFor({json: false, isTTY: true, ci: false, columns: 0})).toBe('plain')
    expect(progressModeFor({json: false, isTTY: true, ci: true, columns: 120})).toBe('plain')
    expect(progressModeFor({json: false, isTTY: false, ci: false})).toBe('plain')
    expect(progressModeFor({json: true, isTTY: true, ci: false})).toBe('silent')
  })
})

describe('validate --format markdown and GitHub annotations', () => {
  beforeEach(() => {
    resetMocks()
    process.env.AWS_REGION = 'us-east-1'
    delete process.env.ENVIRONMENT
    delete process.env.GITHUB_ACTIONS
    mocks.sts.on(GetCallerIdentityCommand).resolves({Account: '123456789012'})
    mocks.secrets.on(BatchGetSecretValueCommand).resolves({SecretValues: secretValues('staging', true)})
  })
  afterEach(() => {
    delete process.env.GITHUB_ACTIONS
  })

  it('prints a Markdown report on stdout and the progress on stderr, and still exits 1 on a failure', async () => {
    const {stdout, stderr} = await run(['-e', 'staging', '--only', 'secrets', '--format', 'markdown'])
    expect(stdout.startsWith('## allthrive validate: staging\n')).toBe(true)
    expect(stdout).toContain('**❌ staging is NOT healthy** — failed: `secrets`')
    expect(stdout).toMatch(/^\| ❌ fail \| `secrets` \| 5 problems in 5 secrets \|$/m)
    expect(stdout).toContain('staging/allthrive/database: a placeholder DATABASE_URL')
    expect(stdout).not.toContain('✖ FAIL') // progress lines are not in the document…
    expect(stderr).toMatch(/✖ FAIL {2}secrets/) // …they are on stderr
    expect(`${stdout}${stderr}`).not.toContain(CANARY)
    expect(process.exitCode).toBe(1)
  })

  it('prints JSON when --json and --format markdown are both given', async () => {
    const {stdout, result} = await run(['-e', 'staging', '--only', 'secrets', '--format', 'markdown', '--json'])
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(result)))
  })

  it('rejects an unknown format', async () => {
    const {error} = await run(['-e', 'staging', '--format', 'html'])
    expect(error?.message).toContain('Expected --format=html to be one of: human, markdown')
    expect(error?.oclif?.exit).toBe(2)
  })

  it('prints an annotation per failing check on GitHub Actions: stdout, or stderr with Markdown, never with --json', async () => {
    process.env.GITHUB_ACTIONS = 'true'
    const human = await run(['-e', 'staging', '--only', 'secrets'])
    expect(human.stdout).toMatch(
      /^::error title=secrets::5 problems in 5 secrets%0A• staging\/allthrive\/[^\n]+%0ANext: /m,
    )
    const markdown = await run(['-e', 'staging', '--only', 'secrets', '--format', 'markdown'])
    expect(markdown.stdout).not.toContain('::error')
    expect(markdown.stderr).toMatch(/^::error title=secrets::/m)
    const json = await run(['-e', 'staging', '--only', 'secrets', '--json'])
    expect(`${json.stdout}${json.stderr}`).not.toContain('::error')
    expect(`${human.stdout}${markdown.stdout}${markdown.stderr}`).not.toContain(CANARY)
  })
})

describe('validate --compare (drift)', () => {
  beforeEach(() => {
    resetMocks()
    process.env.AWS_REGION = 'us-east-1'
    delete process.env.ENVIRONMENT
    mocks.sts.on(GetCallerIdentityCommand).resolves({Account: '123456789012'})
    mocks.ecs
      .on(DescribeServicesCommand)
      .callsFake((input: DescribeServicesCommandInput): Partial<DescribeServicesCommandOutput> => {
        const env = input.cluster!.replace('-allthrive-cluster', '')
        return {
          services: KEYS.map((k) => ({
            serviceName: serviceName(k, env),
            status: 'ACTIVE',
            taskDefinition: tdArn(k, 3, env),
          })),
        }
      })
    mocks.ecs
      .on(DescribeTaskDefinitionCommand)
      .callsFake((input: DescribeTaskDefinitionCommandInput): Partial<DescribeTaskDefinitionCommandOutput> => {
        const family = input.taskDefinition!.split('/').pop()!.split(':')[0]
        const container = family.replace(/^(staging|production)-allthrive-/, '')
        const environment = [
          {name: 'DJANGO_SETTINGS_MODULE', value: `config.settings.${family}`},
          ...(family === 'staging-allthrive-web' ? [{name: 'NEW_FLAG', value: 'on'}] : []),
        ]
        return {
          taskDefinition: {
            family,
            revision: 3,
            cpu: '512',
            memory: '1024',
            containerDefinitions: [{name: container, image: 'repo/app:1.0', environment}],
          },
        }
      })
    mocks.secrets
      .on(BatchGetSecretValueCommand)
      .callsFake((input: BatchGetSecretValueCommandInput): Partial<BatchGetSecretValueCommandOutput> => ({
        SecretValues: [...secretValues('staging')!, ...secretValues('production')!].filter((e) =>
          input.SecretIdList!.includes(e.Name!),
        ),
      }))
  })

  it('compares the environment with another one: a difference warns', async () => {
    const {result} = await run(['-e', 'staging', '--only', 'drift', '--compare', 'production', '--json'])
    expect(result?.checks[0]).toMatchObject({
      id: 'drift',
      status: 'warn',
      details: ['web: env NEW_FLAG only in staging'],
    })
    expect(JSON.stringify(result)).not.toContain(CANARY)
    expect(process.exitCode).toBe(0)
  })

  it('fails when production lacks what the compared environment sets', async () => {
    const {result, stdout} = await run(['-e', 'production', '--only', 'drift', '--compare', 'staging'])
    expect(result?.checks[0]).toMatchObject({status: 'fail', details: ['web: env NEW_FLAG only in staging']})
    expect(stdout).toContain('✖ production (us-east-1, account 123456789012) is NOT healthy — failed: drift')
    expect(process.exitCode).toBe(1)
  })

  it('warns that --compare does nothing when drift is not selected', async () => {
    mocks.secrets.on(BatchGetSecretValueCommand).resolves({SecretValues: secretValues('staging')})
    const {stderr, result} = await run(['-e', 'staging', '--only', 'secrets', '--compare', 'production'])
    expect(stderr.replaceAll(/\s*\n ›\s+/g, ' ')).toContain(
      'Warning: --compare has no effect: the drift check is not selected (--only/--skip).',
    )
    expect(result?.checks.map((c) => c.id)).toEqual(['secrets'])
  })

  it('skips drift without --compare: nothing was checked, exit 2', async () => {
    const {result} = await run(['-e', 'staging', '--only', 'drift', '--json'])
    expect(result?.checks[0]).toMatchObject({status: 'skip', summary: 'no --compare environment'})
    expect(result?.ok).toBe(false)
    expect(process.exitCode).toBe(2)
    expect(mocks.ecs.calls()).toHaveLength(0)
  })

  it('says nothing was checked, not healthy, when every check skipped', async () => {
    const {stdout} = await run(['-e', 'staging', '--only', 'drift'])
    expect(stdout).toContain(
      'staging (us-east-1, account 123456789012): nothing was checked — every selected check skipped',
    )
    expect(stdout).not.toContain('is healthy')
    expect(process.exitCode).toBe(2)
  })

  it.each([
    [
      ['-e', 'staging', '--compare', 'staging'],
      '--compare staging is the environment being validated',
      'allthrive validate --environment staging --compare production',
    ],
    [
      ['-e', 'staging', '--compare', 'prod'],
      'Unknown --compare environment "prod"',
      'Did you mean --compare production?',
    ],
  ])('refuses %j before calling AWS (exit 2)', async (argv, message, suggestion) => {
    const {error} = await run(argv)
    expect(error?.message).toContain(message)
    expect(error?.suggestions).toContain(suggestion)
    expect(error?.oclif?.exit).toBe(2)
    expect(mocks.sts.calls()).toHaveLength(0)
  })
})
