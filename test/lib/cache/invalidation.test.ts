import {
  AccessDenied,
  CloudFrontClient,
  CreateInvalidationCommand,
  type CreateInvalidationCommandOutput,
  GetInvalidationCommand,
  type GetInvalidationCommandOutput,
  InvalidArgument,
  type Invalidation,
  type InvalidationSummary,
  ListInvalidationsCommand,
  type ListInvalidationsCommandOutput,
  TooManyInvalidationsInProgress,
} from '@aws-sdk/client-cloudfront'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {UserError} from '../../../src/errors.js'
import {
  awsWaitCommand,
  backoffDelay,
  callerReference,
  createInvalidation,
  freeTierOutlook,
  normalisePath,
  normalisePaths,
  pathsUsedThisMonth,
  pollDelay,
  usd,
  waitForInvalidation,
  wildcardCovers,
} from '../../../src/lib/cache/invalidation.js'
import {mocks, resetMocks} from '../../helpers/aws.js'

const client = new CloudFrontClient({region: 'us-east-1'})
const meta = {$metadata: {httpStatusCode: 400, requestId: 'req-1'}}
const tooMany = (): TooManyInvalidationsInProgress =>
  new TooManyInvalidationsInProgress({
    message:
      'Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations.',
    ...meta,
  })

const invalidation = (over: Partial<Invalidation> = {}): Invalidation => ({
  Id: 'I2J3K4L5',
  Status: 'InProgress',
  CreateTime: new Date('2026-11-26T12:00:00Z'),
  InvalidationBatch: {CallerReference: 'ref', Paths: {Quantity: 1, Items: ['/*']}},
  ...over,
})
const created = (over: Partial<Invalidation> = {}): CreateInvalidationCommandOutput => ({
  Invalidation: invalidation(over),
  Location: 'loc',
  $metadata: {},
})
const got = (over: Partial<Invalidation> = {}): GetInvalidationCommandOutput => ({
  Invalidation: invalidation(over),
  $metadata: {},
})

function userError(fn: () => unknown): UserError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return error as UserError
  }

  throw new Error('expected a UserError')
}

async function rejection(p: Promise<unknown>): Promise<UserError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(e).toBeInstanceOf(UserError)
  return e as UserError
}

beforeEach(() => resetMocks())

describe('normalisePath (AWS "What you need to know when invalidating files")', () => {
  it.each([
    ['leading slash added', 'index.html', '/index.html'],
    ['already absolute', '/index.html', '/index.html'],
    ['surrounding whitespace dropped', '  /a.html \t', '/a.html'],
    ['space encoded', '/my file.html', '/my%20file.html'],
    ['non-ASCII encoded as UTF-8', '/ü.png', '/%C3%BC.png'],
    ['CJK encoded', '/日本.html', '/%E6%97%A5%E6%9C%AC.html'],
    ['astral plane (emoji) encoded as 4 bytes', '/😀.png', '/%F0%9F%98%80.png'],
    ['RFC 1738 unsafe characters encoded', '/a"<>#{}|\\^[]`', '/a%22%3C%3E%23%7B%7D%7C%5C%5E%5B%5D%60'],
    ['control characters encoded', '/a\tb', '/a%09b'],
    ['already-encoded sequence kept as typed', '/my%20file.html', '/my%20file.html'],
    ['a lone % encoded', '/100%.html', '/100%25.html'],
    ['query string kept (reserved characters are not encoded)', '/img.jpg?w=1&h=2', '/img.jpg?w=1&h=2'],
    ['other safe characters untouched', "/a-b_c.d!$'()+,;=:@", "/a-b_c.d!$'()+,;=:@"],
    ['full URL reduced to path and query', 'https://allthrive.ai/app/index.html?v=2', '/app/index.html?v=2'],
    ['wildcard at the end', '/assets/*', '/assets/*'],
    ['bare wildcard', '*', '/*'],
  ])('%s: %j → %j', (_, input, expected) => {
    expect(normalisePath(input)).toBe(expected)
  })

  it('returns undefined for an empty entry', () => {
    expect(normalisePath('  ')).toBeUndefined()
  })

  it('refuses "*" anywhere but last (CloudFront would match it literally), exit 2', () => {
    const e = userError(() => normalisePath('/a*/b.js'))
    expect(e.message).toBe(
      'Invalid path "/a*/b.js": "*" is a wildcard only as the last character; CloudFront would match this one literally.',
    )
    expect(e.suggestions).toEqual(["End the path at the wildcard: --paths '/a*'."])
    expect(e.exit).toBe(2)
  })

  it.each(['/~user/x', '/%7Euser', '/%7eu'])('refuses "~", encoded or not: %s', (input) => {
    expect(userError(() => normalisePath(input)).message).toContain('does not support "~"')
  })

  it('refuses a path over 4,000 characters once encoded', () => {
    expect(normalisePath(`/${'a'.repeat(3999)}`)).toHaveLength(4000)
    expect(userError(() => normalisePath(`/${'ü'.repeat(700)}`)).message).toContain(
      '4201 characters once encoded; CloudFront accepts at most 4000',
    )
  })
})

describe('normalisePaths', () => {
  it('defaults to /*', () => {
    expect(normalisePaths()).toEqual({paths: ['/*'], dropped: []})
    expect(normalisePaths(['', ' '])).toEqual({paths: ['/*'], dropped: []})
  })

  it('removes duplicates after normalisation, keeping the first', () => {
    expect(normalisePaths(['a.html', '/a.html', '/b.html', '/a.html'])).toEqual({
      paths: ['/a.html', '/b.html'],
      dropped: [
        {input: '/a.html', reason: 'duplicate of /a.html'},
        {input: '/a.html', reason: 'duplicate of /a.html'},
      ],
    })
  })

  it('drops paths covered by a wildcard in the list, wherever it stands', () => {
    expect(normalisePaths(['/img/a.png', '/index.html', '/img/*', '/img/sub/b.png'])).toEqual({
      paths: ['/index.html', '/img/*'],
      dropped: [
        {input: '/img/a.png', reason: 'covered by /img/*'},
        {input: '/img/sub/b.png', reason: 'covered by /img/*'},
      ],
    })
    expect(normalisePaths(['/img*', '/img/*', '/img']).paths).toEqual(['/img*'])
    expect(normalisePaths(['/index.html', '/*', '/assets/*']).paths).toEqual(['/*'])
  })

  it('keeps paths a wildcard does not cover', () => {
    expect(normalisePaths(['/img/*', '/images/a.png', '/im']).paths).toEqual(['/img/*', '/images/a.png', '/im'])
  })

  it('recognises an unquoted /* expanded by the shell', () => {
    const e = userError(() => normalisePaths(['/bin', '/boot', '/dev', '/etc', '/usr']))
    expect(e.code).toBe('SHELL_EXPANDED_PATHS')
    expect(e.suggestions).toEqual(["Quote the wildcard: --paths '/*'"])
  })

  it('refuses more paths than CloudFront accepts in progress', () => {
    expect(userError(() => normalisePaths(Array.from({length: 16}, (_, i) => `/d${i}/*`))).code).toBe('TOO_MANY_PATHS')
    expect(userError(() => normalisePaths(Array.from({length: 3001}, (_, i) => `/f${i}`))).code).toBe('TOO_MANY_PATHS')
    expect(normalisePaths(Array.from({length: 3000}, (_, i) => `/f${i}`)).paths).toHaveLength(3000)
  })

  it('wildcardCovers matches by prefix, never itself', () => {
    expect(wildcardCovers('/*', '/a/b/c')).toBe(true)
    expect(wildcardCovers('/a/*', '/a')).toBe(false)
    expect(wildcardCovers('/a*', '/a')).toBe(true)
    expect(wildcardCovers('/a*', '/a*')).toBe(false)
    expect(wildcardCovers('/a', '/a/b')).toBe(false)
  })
})

describe('callerReference', () => {
  it('is allthrive-<env>-<UTC timestamp>-<random>', () => {
    expect(callerReference('production', new Date('2026-11-26T12:34:56.789Z'), () => 'abcd1234')).toBe(
      'allthrive-production-20261126T123456789Z-abcd1234',
    )
  })

  it('differs between two runs in the same millisecond', () => {
    const now = new Date()
    const refs = new Set(Array.from({length: 50}, () => callerReference('staging', now)))
    expect(refs.size).toBe(50)
    for (const r of refs) expect(r).toMatch(/^allthrive-staging-\d{8}T\d{9}Z-[0-9a-f]{8}$/)
  })
})

describe('createInvalidation', () => {
  const base = {distributionId: 'E1', paths: ['/a', '/b/*'], callerReference: 'allthrive-staging-1-x'}

  it('sends the paths and the CallerReference', async () => {
    mocks.cloudfront.on(CreateInvalidationCommand).resolves(created())
    await expect(createInvalidation(client, base)).resolves.toMatchObject({Id: 'I2J3K4L5', Status: 'InProgress'})
    expect(mocks.cloudfront).toHaveReceivedCommandWith(CreateInvalidationCommand, {
      DistributionId: 'E1',
      InvalidationBatch: {CallerReference: 'allthrive-staging-1-x', Paths: {Quantity: 2, Items: ['/a', '/b/*']}},
    })
  })

  it('retries TooManyInvalidationsInProgress with growing, jittered delays and the same CallerReference', async () => {
    mocks.cloudfront.on(CreateInvalidationCommand).rejectsOnce(tooMany()).rejectsOnce(tooMany()).resolves(created())
    const slept: number[] = []
    const notices: unknown[] = []
    const out = await createInvalidation(client, {
      ...base,
      random: () => 0.5,
      sleep: async (ms) => {
        slept.push(ms)
      },
      onRetry: (n) => notices.push(n),
    })
    expect(out.Id).toBe('I2J3K4L5')
    expect(slept).toEqual([3750, 7500])
    expect(notices).toEqual([
      {attempt: 1, maxAttempts: 7, delayMs: 3750},
      {attempt: 2, maxAttempts: 7, delayMs: 7500},
    ])
    const refs = mocks.cloudfront
      .commandCalls(CreateInvalidationCommand)
      .map((c) => c.args[0].input.InvalidationBatch?.CallerReference)
    expect(refs).toEqual(['allthrive-staging-1-x', 'allthrive-staging-1-x', 'allthrive-staging-1-x'])
  })

  it('gives up after the bound with advice (exit 1), having created nothing', async () => {
    mocks.cloudfront.on(CreateInvalidationCommand).rejects(tooMany())
    const e = await rejection(createInvalidation(client, {...base, maxAttempts: 3, sleep: async () => {}}))
    expect(e).toBeInstanceOf(UserError)
    expect(e.message).toMatch(
      /^CloudFront still has too many invalidations in progress on E1 after 3 attempts over \d+s\. Nothing was invalidated\.$/,
    )
    expect(e.suggestions[0]).toContain('aws cloudfront list-invalidations --distribution-id E1')
    expect(e).toMatchObject({exit: 1, code: 'TOO_MANY_INVALIDATIONS'})
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(CreateInvalidationCommand, 3)
  })

  it('names cloudfront:CreateInvalidation on AccessDenied (exit 1)', async () => {
    mocks.cloudfront.on(CreateInvalidationCommand).rejects(
      new AccessDenied({
        message:
          'User: arn:aws:sts::123456789012:assumed-role/ci/x is not authorized to perform: cloudfront:CreateInvalidation on resource: arn:aws:cloudfront::123456789012:distribution/E1',
        $metadata: {httpStatusCode: 403},
      }),
    )
    const e = await rejection(createInvalidation(client, base))
    expect(e.message).toMatch(
      /^Not allowed to create an invalidation on E1: the caller lacks cloudfront:CreateInvalidation \(AccessDenied \(HTTP 403\)/,
    )
    expect(e.suggestions).toEqual([
      'Grant cloudfront:CreateInvalidation to the caller (see README "IAM policy"), or run with a role that has it.',
    ])
    expect(e.exit).toBe(1)
  })

  it('reports paths CloudFront rejects as a usage error', async () => {
    mocks.cloudfront
      .on(CreateInvalidationCommand)
      .rejects(new InvalidArgument({message: 'Your request contains one or more invalid invalidation paths.', ...meta}))
    const e = await rejection(createInvalidation(client, base))
    expect(e).toMatchObject({exit: 2, code: 'INVALID_PATH'})
    expect(e.message).toContain('/a, /b/*')
  })

  it('rethrows other errors untouched', async () => {
    const boom = Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'})
    mocks.cloudfront.on(CreateInvalidationCommand).rejects(boom)
    await expect(createInvalidation(client, base)).rejects.toBe(boom)
  })

  it('backoffDelay doubles from 5 s, caps at 60 s, and keeps between half and all of it', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map((n) => backoffDelay(n, {random: () => 1}))).toEqual([
      5000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000,
    ])
    expect([1, 2, 9].map((n) => backoffDelay(n, {random: () => 0}))).toEqual([2500, 5000, 30_000])
  })
})

describe('waitForInvalidation', () => {
  beforeEach(() => {
    vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'Date']})
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('polls GetInvalidation until Completed, reporting progress', async () => {
    mocks.cloudfront
      .on(GetInvalidationCommand)
      .resolvesOnce(got())
      .resolvesOnce(got())
      .resolves(got({Status: 'Completed'}))
    const progress: unknown[] = []
    const waiting = waitForInvalidation(client, {
      distributionId: 'E1',
      invalidationId: 'I1',
      onProgress: (p) => progress.push(p),
    })
    await vi.advanceTimersByTimeAsync(30_000)
    await expect(waiting).resolves.toEqual({completed: true, status: 'Completed', elapsedMs: 30_000, polls: 3})
    expect(progress).toEqual([
      {status: 'InProgress', elapsedMs: 5000, polls: 1},
      {status: 'InProgress', elapsedMs: 15_000, polls: 2},
    ])
    expect(mocks.cloudfront).toHaveReceivedCommandWith(GetInvalidationCommand, {DistributionId: 'E1', Id: 'I1'})
  })

  it('accepts moto\'s "COMPLETED" as well as AWS\'s "Completed"', async () => {
    mocks.cloudfront.on(GetInvalidationCommand).resolves(got({Status: 'COMPLETED'}))
    const waiting = waitForInvalidation(client, {distributionId: 'E1', invalidationId: 'I1'})
    await vi.advanceTimersByTimeAsync(5000)
    await expect(waiting).resolves.toMatchObject({completed: true})
  })

  it('stops at the timeout with the invalidation still in progress', async () => {
    mocks.cloudfront.on(GetInvalidationCommand).resolves(got())
    const waiting = waitForInvalidation(client, {distributionId: 'E1', invalidationId: 'I1', timeoutMs: 12_000})
    await vi.advanceTimersByTimeAsync(12_000)
    await expect(waiting).resolves.toEqual({completed: false, status: 'InProgress', elapsedMs: 12_000, polls: 2})
  })

  it('polls every 5, 10, 15, then 20 s', () => {
    expect([0, 1, 2, 3, 50].map((n) => pollDelay(n))).toEqual([5000, 10_000, 15_000, 20_000, 20_000])
  })

  it('prints the AWS CLI waiter', () => {
    expect(awsWaitCommand('E1', 'I1')).toBe('aws cloudfront wait invalidation-completed --distribution-id E1 --id I1')
    expect(awsWaitCommand('E1', 'I1', 'prod')).toBe(
      'aws cloudfront wait invalidation-completed --distribution-id E1 --id I1 --profile prod',
    )
  })
})

describe('paths used this month and the free tier', () => {
  const NOW = new Date('2026-11-26T12:00:00Z')
  const summary = (id: string, created: string): InvalidationSummary => ({
    Id: id,
    CreateTime: new Date(created),
    Status: 'Completed',
  })
  const page = (items: InvalidationSummary[], next?: string): ListInvalidationsCommandOutput => ({
    InvalidationList: {
      Items: items,
      Quantity: items.length,
      IsTruncated: Boolean(next),
      NextMarker: next,
      Marker: '',
      MaxItems: 100,
    },
    $metadata: {},
  })

  it("counts paths of this month's invalidations (newest first), stopping at the first older one", async () => {
    mocks.cloudfront
      .on(ListInvalidationsCommand)
      .resolves(page([]))
      .on(ListInvalidationsCommand, {DistributionId: 'E1'})
      .resolves(
        page(
          [
            summary('A', '2026-11-25T00:00:00Z'),
            summary('B', '2026-11-01T00:00:00Z'),
            summary('OLD', '2026-10-31T23:59:59Z'),
          ],
          'OLD',
        ),
      )
      .on(ListInvalidationsCommand, {DistributionId: 'E2'})
      .resolves(page([summary('C', '2026-11-20T00:00:00Z')]))
    mocks.cloudfront
      .on(GetInvalidationCommand)
      .resolves(got({InvalidationBatch: {CallerReference: 'r', Paths: {Quantity: 1}}}))
      .on(GetInvalidationCommand, {Id: 'A'})
      .resolves(got({InvalidationBatch: {CallerReference: 'r', Paths: {Quantity: 400}}}))
      .on(GetInvalidationCommand, {Id: 'C'})
      .resolves(got({InvalidationBatch: {CallerReference: 'r', Paths: {Quantity: 250}}}))
    const usage = await pathsUsedThisMonth(client, {distributionIds: ['E1', 'E2'], now: NOW})
    expect(usage).toEqual({paths: 651, invalidations: 3, lowerBound: false, distributions: 2})
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(ListInvalidationsCommand, 2) // no second page for E1
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(GetInvalidationCommand, 3)
  })

  it('reads at most maxGets invalidations and says the total is a lower bound', async () => {
    mocks.cloudfront
      .on(ListInvalidationsCommand)
      .resolves(page(['A', 'B', 'C', 'D'].map((id, i) => summary(id, `2026-11-2${i}T00:00:00Z`))))
    mocks.cloudfront
      .on(GetInvalidationCommand)
      .resolves(got({InvalidationBatch: {CallerReference: 'r', Paths: {Quantity: 10}}}))
    const usage = await pathsUsedThisMonth(client, {distributionIds: ['E1'], now: NOW, maxGets: 2})
    expect(usage).toEqual({paths: 22, invalidations: 4, lowerBound: true, distributions: 1})
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(GetInvalidationCommand, 2)
    // The newest two were read.
    expect(
      mocks.cloudfront
        .commandCalls(GetInvalidationCommand)
        .map((c) => c.args[0].input.Id)
        .sort(),
    ).toEqual(['C', 'D'])
  })

  it.each([
    [{paths: 10, lowerBound: false}, 1, 0, 0, undefined],
    [{paths: 999, lowerBound: false}, 1, 0, 0, undefined],
    [
      {paths: 990, lowerBound: false},
      20,
      10,
      0.05,
      "990 invalidation paths already used this month in this account; this request's 20 take it to 1,010, 10 over CloudFront's 1,000 free paths: $0.05 ($0.005 per path).",
    ],
    [
      {paths: 1200, lowerBound: false},
      3,
      3,
      0.015,
      "1,200 invalidation paths already used this month in this account: CloudFront's 1,000 free paths are spent, so this request's 3 paths cost $0.015 ($0.005 per path).",
    ],
    [
      {paths: 999, lowerBound: true},
      3,
      2,
      0.01,
      "at least 999 invalidation paths already used this month in this account; this request's 3 take it to at least 1,002, 2 over CloudFront's 1,000 free paths: at least $0.01 ($0.005 per path).",
    ],
  ])('%j + %i paths → %i chargeable, $%d', (used, requested, chargeable, cost, warning) => {
    expect(freeTierOutlook(used, requested)).toEqual({chargeablePaths: chargeable, cost, ...(warning && {warning})})
  })

  it('formats dollars', () => {
    expect([0.005, 0.01, 0.015, 1.5, 12.345].map((n) => usd(n))).toEqual([
      '$0.005',
      '$0.01',
      '$0.015',
      '$1.50',
      '$12.345',
    ])
  })
})
