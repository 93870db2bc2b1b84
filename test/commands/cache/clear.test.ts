import {
  AccessDenied,
  CreateInvalidationCommand,
  type CreateInvalidationCommandOutput,
  GetDistributionCommand,
  GetInvalidationCommand,
  type GetInvalidationCommandOutput,
  type Invalidation,
  ListDistributionsCommand,
  ListInvalidationsCommand,
  type ListInvalidationsCommandOutput,
  ListTagsForResourceCommand,
  TooManyInvalidationsInProgress,
} from '@aws-sdk/client-cloudfront'
import {captureOutput} from '@oclif/test'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest'

import CacheClear from '../../../src/commands/cache/clear.js'
import type {CacheClearResult} from '../../../src/lib/cache/clear.js'
import * as confirm from '../../../src/util/confirm.js'
import {mocks, resetMocks} from '../../helpers/aws.js'
import {distributionList as distributions, distributionSummary as summary} from '../../helpers/cloudfront.js'

// The production guard, spied on so a test can answer its question as a user at a terminal would.
vi.mock('../../../src/util/confirm.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/util/confirm.js')>()
  return {...real, confirmChange: vi.fn(real.confirmChange)}
})
const {confirmChange: realConfirm} =
  await vi.importActual<typeof import('../../../src/util/confirm.js')>('../../../src/util/confirm.js')

const root = import.meta.url

const invalidation = (over: Partial<Invalidation> = {}): Invalidation => ({
  Id: 'I2J3K4L5M6',
  Status: 'InProgress',
  CreateTime: new Date(),
  InvalidationBatch: {CallerReference: 'r', Paths: {Quantity: 1, Items: ['/*']}},
  ...over,
})
const created = (): CreateInvalidationCommandOutput => ({Invalidation: invalidation(), Location: 'loc', $metadata: {}})
const got = (over: Partial<Invalidation> = {}): GetInvalidationCommandOutput => ({
  Invalidation: invalidation(over),
  $metadata: {},
})
const noInvalidations = (): ListInvalidationsCommandOutput => ({
  InvalidationList: {Items: [], Quantity: 0, IsTruncated: false, Marker: '', MaxItems: 100},
  $metadata: {},
})
const tooMany = (): TooManyInvalidationsInProgress =>
  new TooManyInvalidationsInProgress({message: 'Too many invalidations in progress.', $metadata: {httpStatusCode: 400}})

const run = (argv: string[]) => captureOutput<CacheClearResult>(() => CacheClear.run(argv, root))

/** Runs with fake timers, letting real I/O proceed between clock ticks; the test timeout bounds it. */
async function runDriven(argv: string[], stepMs = 1000) {
  vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'Date']})
  try {
    let settled = false
    const p = run(argv).finally(() => {
      settled = true
    })
    while (!settled) {
      await vi.advanceTimersByTimeAsync(stepMs)
      await new Promise((r) => setImmediate(r))
    }

    return await p
  } finally {
    vi.useRealTimers()
  }
}

const createCalls = () => mocks.cloudfront.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input)

// oclif's first load in a worker takes seconds of real time: pay it once, before any fake clock.
beforeAll(async () => {
  await run(['-e', 'staging', '--paths', '/warm*up'])
})

let stdinTTY: boolean | undefined
beforeEach(() => {
  resetMocks()
  vi.mocked(confirm.confirmChange).mockClear()
  delete process.env.ENVIRONMENT
  stdinTTY = process.stdin.isTTY
  process.stdin.isTTY = false
  mocks.cloudfront
    .on(ListDistributionsCommand)
    .resolves(
      distributions([
        summary('EPROD123', ['allthrive.ai', '*.allthrive.ai'], 'production-allthrive'),
        summary('ESTAGE456', ['staging.allthrive.ai'], 'staging-allthrive'),
      ]),
    )
  mocks.cloudfront.on(ListTagsForResourceCommand).resolves({Tags: {Items: []}, $metadata: {}})
  mocks.cloudfront.on(ListInvalidationsCommand).resolves(noInvalidations())
  mocks.cloudfront.on(CreateInvalidationCommand).resolves(created())
  mocks.cloudfront.on(GetInvalidationCommand).resolves(got({Status: 'Completed'}))
})
afterEach(() => {
  process.stdin.isTTY = stdinTTY!
})

describe('cache clear', () => {
  it("invalidates /* on the environment's distribution and prints the command that waits for it (exit 0)", async () => {
    const {result, stdout} = await run(['-e', 'staging'])
    expect(createCalls()).toEqual([
      {
        DistributionId: 'ESTAGE456',
        InvalidationBatch: {
          CallerReference: expect.stringMatching(/^allthrive-staging-\d{8}T\d{9}Z-[0-9a-f]{8}$/),
          Paths: {Quantity: 1, Items: ['/*']},
        },
      },
    ])
    expect(stdout).toContain(
      'Distribution ESTAGE456 (estage456.cloudfront.net, staging.allthrive.ai), found by comment "staging-allthrive".',
    )
    expect(stdout).toContain('Created invalidation I2J3K4L5M6 on ESTAGE456 for /*: InProgress.')
    expect(stdout).toContain(
      'Wait for it with: aws cloudfront wait invalidation-completed --distribution-id ESTAGE456 --id I2J3K4L5M6',
    )
    expect(result).toMatchObject({
      distributionId: 'ESTAGE456',
      invalidationId: 'I2J3K4L5M6',
      status: 'InProgress',
      freePathsUsedThisMonth: 0,
      estimatedCost: 0,
    })
    expect(process.exitCode).toBe(0)
  })

  it('prints the whole result as JSON', async () => {
    const {result, stdout} = await run(['-e', 'staging', '--json'])
    const json = JSON.parse(stdout) as CacheClearResult
    expect(json).toEqual(JSON.parse(JSON.stringify(result)))
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining([
        'distributionId',
        'domain',
        'aliases',
        'invalidationId',
        'paths',
        'callerReference',
        'status',
        'durationMs',
        'freePathsUsedThisMonth',
        'estimatedCost',
      ]),
    )
    expect(json).toMatchObject({domain: 'estage456.cloudfront.net', aliases: ['staging.allthrive.ai'], paths: ['/*']})
  })

  it('uses a new CallerReference on every run', async () => {
    await run(['-e', 'staging'])
    await run(['-e', 'staging'])
    const [a, b] = createCalls().map((c) => c.InvalidationBatch?.CallerReference)
    expect(a).not.toBe(b)
  })

  it('normalises --paths (repeated or comma-separated) and says what it left out', async () => {
    const {result, stderr} = await run([
      '-e',
      'staging',
      '--paths',
      'index.html, /a b/ü.png',
      '--paths',
      '/assets/*,/assets/app.js,/index.html',
    ])
    expect(createCalls()[0].InvalidationBatch?.Paths).toEqual({
      Quantity: 3,
      Items: ['/index.html', '/a%20b/%C3%BC.png', '/assets/*'],
    })
    expect(result?.paths).toEqual(['/index.html', '/a%20b/%C3%BC.png', '/assets/*'])
    expect(stderr).toContain('Warning: Left out /assets/app.js: covered by /assets/*.')
    expect(stderr).toContain('Warning: Left out /index.html: duplicate of /index.html.')
  })

  it('refuses bad paths before any AWS call (exit 2)', async () => {
    const {error} = await run(['-e', 'staging', '--paths', '/a*.js'])
    expect(error?.message).toContain('"*" is a wildcard only as the last character')
    expect(error?.oclif?.exit).toBe(2)
    expect(mocks.cloudfront.calls()).toHaveLength(0)
  })

  it('with --wait, polls until Completed, showing progress and elapsed time', async () => {
    mocks.cloudfront
      .on(GetInvalidationCommand)
      .resolvesOnce(got())
      .resolvesOnce(got())
      .resolves(got({Status: 'Completed'}))
    const {result, stdout, stderr} = await runDriven(['-e', 'staging', '--wait'])
    expect(stderr).toContain('Waiting for I2J3K4L5M6 to complete; Ctrl+C stops the waiting, not the invalidation.')
    expect(stderr).toContain('  I2J3K4L5M6: InProgress after 5s')
    expect(stderr).toContain('  I2J3K4L5M6: InProgress after 15s')
    expect(stdout).toContain('Invalidation I2J3K4L5M6 completed after 30s.')
    expect(stdout).not.toContain('Wait for it with')
    expect(result?.status).toBe('Completed')
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(GetInvalidationCommand, 3)
    expect(process.exitCode).toBe(0)
  })

  it('with --wait --timeout, stops waiting, says it is still in progress and how to keep waiting (exit 1)', async () => {
    mocks.cloudfront.on(GetInvalidationCommand).resolves(got())
    const {error} = await runDriven(['-e', 'staging', '--wait', '--timeout', '1m'])
    expect(error?.message).toBe(
      'Invalidation I2J3K4L5M6 on ESTAGE456 is still in progress after 1m (--timeout); CloudFront carries on with it.',
    )
    expect(error?.suggestions).toEqual([
      'Keep waiting with: aws cloudfront wait invalidation-completed --distribution-id ESTAGE456 --id I2J3K4L5M6',
    ])
    expect(error?.oclif?.exit).toBe(1)
  })

  it('retries TooManyInvalidationsInProgress, saying so each time, then succeeds', async () => {
    mocks.cloudfront.on(CreateInvalidationCommand).rejectsOnce(tooMany()).rejectsOnce(tooMany()).resolves(created())
    const {result, stderr} = await runDriven(['-e', 'staging'])
    const notices = stderr.split('\n').filter((l) => l.includes('TooManyInvalidationsInProgress'))
    expect(notices).toHaveLength(2)
    expect(notices[0]).toMatch(
      /^CloudFront has too many invalidations in progress on ESTAGE456 \(TooManyInvalidationsInProgress\): retrying in \ds, attempt 2 of 7\.$/,
    )
    expect(notices[1]).toMatch(/retrying in \d+s, attempt 3 of 7\.$/)
    expect(result?.invalidationId).toBe('I2J3K4L5M6')
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(CreateInvalidationCommand, 3)
    expect(process.exitCode).toBe(0)
  })

  it('gives up on TooManyInvalidationsInProgress after 7 attempts (exit 1)', async () => {
    mocks.cloudfront.on(CreateInvalidationCommand).rejects(tooMany())
    const {error} = await runDriven(['-e', 'staging'], 5000)
    expect(error?.message).toMatch(
      /^CloudFront still has too many invalidations in progress on ESTAGE456 after 7 attempts over \dm\d*s?\. Nothing was invalidated\.$/,
    )
    expect(error?.oclif?.exit).toBe(1)
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(CreateInvalidationCommand, 7)
  })

  it('warns, with the cost, when the request goes past the 1,000 free paths this month', async () => {
    const mine: ListInvalidationsCommandOutput = {
      InvalidationList: {
        Items: [
          {Id: 'A', CreateTime: new Date(), Status: 'Completed'},
          {Id: 'B', CreateTime: new Date(), Status: 'Completed'},
        ],
        Quantity: 2,
        IsTruncated: false,
        Marker: '',
        MaxItems: 100,
      },
      $metadata: {},
    }
    mocks.cloudfront.on(ListInvalidationsCommand, {DistributionId: 'EPROD123'}).resolves(mine)
    mocks.cloudfront
      .on(GetInvalidationCommand, {Id: 'A'})
      .resolves(got({InvalidationBatch: {CallerReference: 'a', Paths: {Quantity: 600}}}))
      .on(GetInvalidationCommand, {Id: 'B'})
      .resolves(got({InvalidationBatch: {CallerReference: 'b', Paths: {Quantity: 399}}}))
    const {result, stderr} = await run(['-e', 'staging', '--paths', '/a,/b,/c'])
    expect(stderr).toContain(
      "Warning: 999 invalidation paths already used this month in this account; this request's 3 take it to 1,002, 2 over CloudFront's 1,000 free paths: $0.01 ($0.005 per path).",
    )
    expect(result).toMatchObject({freePathsUsedThisMonth: 999, freePathsUsedIsLowerBound: false, estimatedCost: 0.01})
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(CreateInvalidationCommand, 1)
  })

  it("still invalidates when this month's paths cannot be counted, and says so", async () => {
    mocks.cloudfront.on(ListInvalidationsCommand).rejects(
      new AccessDenied({
        message: 'not authorized to perform: cloudfront:ListInvalidations',
        $metadata: {httpStatusCode: 403},
      }),
    )
    const {result, stderr} = await run(['-e', 'staging'])
    expect(stderr).toContain(
      "Warning: Could not count this month's invalidation paths (AccessDenied (HTTP 403): not authorized to perform: cloudfront:ListInvalidations); the free-tier check was skipped.",
    )
    expect(result).toMatchObject({invalidationId: 'I2J3K4L5M6', freePathsUsedThisMonth: null, estimatedCost: null})
  })

  it('names cloudfront:CreateInvalidation when access is denied (exit 1)', async () => {
    mocks.cloudfront.on(CreateInvalidationCommand).rejects(
      new AccessDenied({
        message:
          'User: arn:aws:sts::123456789012:assumed-role/readonly/me is not authorized to perform: cloudfront:CreateInvalidation on resource: arn:aws:cloudfront::123456789012:distribution/ESTAGE456',
        $metadata: {httpStatusCode: 403, requestId: 'req-9'},
      }),
    )
    const {error} = await run(['-e', 'staging'])
    expect(error?.message).toContain(
      'Not allowed to create an invalidation on ESTAGE456: the caller lacks cloudfront:CreateInvalidation',
    )
    expect(error?.suggestions).toEqual([
      'Grant cloudfront:CreateInvalidation to the caller (see README "IAM policy"), or run with a role that has it.',
    ])
    expect(error?.oclif?.exit).toBe(1)
  })

  it('names the IAM action when listing distributions is denied (exit 1)', async () => {
    mocks.cloudfront.on(ListDistributionsCommand).rejects(
      new AccessDenied({
        message: 'User: x is not authorized to perform: cloudfront:ListDistributions',
        $metadata: {httpStatusCode: 403},
      }),
    )
    const {error} = await run(['-e', 'staging'])
    expect(error?.message).toMatch(/^AWS refused cloudfront:ListDistributions: /)
    expect(error?.suggestions?.[0]).toContain('Grant cloudfront:ListDistributions')
    expect(error?.oclif?.exit).toBe(1)
  })

  it('exits 1 naming what was searched when no distribution matches', async () => {
    mocks.cloudfront
      .on(ListDistributionsCommand)
      .resolves(distributions([summary('EDOCS', ['docs.example.com'], 'docs')]))
    const {error} = await run(['-e', 'production'])
    expect(error?.message).toBe(
      'No CloudFront distribution found for "production" among the account\'s 1 distribution: no domains are configured to match aliases, none is tagged Environment=production, none has an S3 origin on production-allthrive-frontend, and no comment names "production" (such as "production-allthrive").',
    )
    expect(error?.suggestions).toContain(
      'Set it in allthrive.config.json: {"environments": {"production": {"cloudfront": {"distributionId": "E1234567890ABC"}}}}',
    )
    expect(error?.oclif?.exit).toBe(1)
    expect(createCalls()).toHaveLength(0)
  })

  it('exits 2 listing the candidates when several match', async () => {
    mocks.cloudfront
      .on(ListDistributionsCommand)
      .resolves(distributions([summary('EA', [], 'staging-allthrive a'), summary('EB', [], 'staging-allthrive b')]))
    const {error} = await run(['-e', 'staging'])
    expect(error?.message).toContain('2 CloudFront distributions match "staging" by comment')
    expect(error?.message).toContain('EA (ea.cloudfront.net; aliases: none; comment: "staging-allthrive a")')
    expect(error?.oclif?.exit).toBe(2)
    expect(createCalls()).toHaveLength(0)
  })

  it('uses cloudfront.distributionId when configured', async () => {
    mocks.cloudfront.on(GetDistributionCommand).resolves({
      Distribution: {
        Id: 'ECFG',
        ARN: 'arn:aws:cloudfront::1:distribution/ECFG',
        Status: 'Deployed',
        LastModifiedTime: new Date(),
        InProgressInvalidationBatches: 0,
        DomainName: 'ecfg.cloudfront.net',
        DistributionConfig: {
          CallerReference: 'c',
          Origins: {Quantity: 0, Items: []},
          DefaultCacheBehavior: {TargetOriginId: 'o', ViewerProtocolPolicy: 'allow-all'},
          Comment: '',
          Enabled: true,
        },
      },
      $metadata: {},
    })
    const dir = mkdtempSync(join(tmpdir(), 'allthrive-cc-'))
    writeFileSync(
      join(dir, 'allthrive.config.json'),
      JSON.stringify({environments: {staging: {cloudfront: {distributionId: 'ECFG'}}}}),
    )
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      const {result} = await run(['-e', 'staging'])
      expect(result).toMatchObject({
        distributionId: 'ECFG',
        foundBy: 'cloudfront.distributionId in allthrive.config.json',
      })
    } finally {
      process.chdir(cwd)
    }
  })
})

describe('cache clear: production guard', () => {
  it('refuses without a terminal and without --yes (exit 2), creating nothing', async () => {
    const {error} = await run(['-e', 'production', '--paths', '/index.html'])
    expect(error?.message).toBe(
      'Refusing to clear the CloudFront cache for /index.html in distribution EPROD123 (allthrive.ai) on production without confirmation: standard input is not a terminal.',
    )
    expect(error?.suggestions).toEqual([
      'Re-run with --yes to confirm from a script: allthrive cache clear -e production --paths /index.html --yes',
    ])
    expect(error?.oclif?.exit).toBe(2)
    expect(createCalls()).toHaveLength(0)
  })

  it('goes ahead with --yes', async () => {
    const {result} = await run(['-e', 'production', '--yes'])
    expect(result?.invalidationId).toBe('I2J3K4L5M6')
    expect(createCalls()[0].DistributionId).toBe('EPROD123')
  })

  it('asks at a terminal, and creates nothing when the answer does not match (exit 2)', async () => {
    const questions: string[] = []
    vi.mocked(confirm.confirmChange).mockImplementationOnce((opts) =>
      realConfirm({
        ...opts,
        interactive: true,
        ask: async (q) => {
          questions.push(q)
          return 'yes'
        },
      }),
    )
    const {error} = await run(['-e', 'production', '--paths', '/index.html,/assets/*'])
    expect(questions).toEqual([
      'This will clear the CloudFront cache for 2 paths (/index.html, /assets/*) in distribution EPROD123 (allthrive.ai) on production. Type "production" to continue: ',
    ])
    expect(error?.message).toBe('Aborted: the answer did not match "production". Nothing was changed.')
    expect(error?.oclif?.exit).toBe(2)
    expect(createCalls()).toHaveLength(0)
  })

  it('goes ahead when the environment name is typed', async () => {
    vi.mocked(confirm.confirmChange).mockImplementationOnce((opts) =>
      realConfirm({...opts, interactive: true, ask: async () => 'production'}),
    )
    const {result} = await run(['-e', 'production'])
    expect(result?.invalidationId).toBe('I2J3K4L5M6')
  })

  it('--dry-run shows the plan, asks nothing and creates nothing (exit 0)', async () => {
    const {result, stdout} = await run(['-e', 'production', '--dry-run', '--paths', '/index.html'])
    expect(stdout).toContain(
      'Dry run: would clear the CloudFront cache for /index.html in distribution EPROD123 (allthrive.ai). Nothing was created; run again without --dry-run to do it.',
    )
    expect(stdout).toContain('Invalidation paths used this month in this account: 0 of 1,000 free; this adds 1.')
    expect(result).toMatchObject({
      status: 'DryRun',
      invalidationId: null,
      callerReference: null,
      paths: ['/index.html'],
    })
    expect(createCalls()).toHaveLength(0)
    expect(process.exitCode).toBe(0)
  })
})
