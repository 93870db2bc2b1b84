import {describe, expect, it} from 'vitest'

import {countStatuses, createMemo, exitCodeFor, runChecks, runOne} from '../../src/checks/run-checks.js'
import {type Check, fail, pass, skip, warn, worst} from '../../src/checks/types.js'
import {accessDenied, throttled} from '../helpers/aws.js'
import {ctxWith} from '../helpers/context.js'

const check = (id: string, run: Check['run'], extra: Partial<Check> = {}): Check => ({
  id,
  title: `title of ${id}`,
  iam: [],
  run,
  ...extra,
})
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('runOne', () => {
  const base = ctxWith()
  const opts = {timeoutMs: 200}

  it('turns a throw into an error result and never rejects', async () => {
    const e = await runOne(
      check('boom', async () => {
        throw new TypeError('Cannot read properties of undefined')
      }),
      base,
      opts,
    )
    expect(e).toMatchObject({
      id: 'boom',
      status: 'error',
      summary: 'check could not run: TypeError: Cannot read properties of undefined',
    })
    expect(e.hint).toMatch(/--debug/)
  })

  it('turns a hang into a timeout error and aborts the signal', async () => {
    let signal: AbortSignal | undefined
    const e = await runOne(
      check('hang', async (ctx) => {
        signal = ctx.signal
        await new Promise(() => {})
        return pass('never')
      }),
      base,
      {timeoutMs: 50},
    )
    expect(e).toMatchObject({
      status: 'error',
      summary: 'check timed out: did not finish within 50ms',
      data: {errorKind: 'timeout'},
    })
    expect(signal?.aborted).toBe(true)
  })

  it('names the IAM action on AccessDenied', async () => {
    const e = await runOne(
      check('denied', async () => {
        throw accessDenied('rds:DescribeDBInstances')
      }),
      base,
      opts,
    )
    expect(e.status).toBe('error')
    expect(e.summary).toContain('AccessDeniedException (HTTP 403, request req-1234)')
    expect(e.hint).toBe(
      'Grant rds:DescribeDBInstances to the caller (see README "IAM policy"), or run with a role that has it.',
    )
  })

  it('suggests lowering --concurrency when throttling outlives the retries', async () => {
    const e = await runOne(
      check('throttled', async () => {
        throw throttled()
      }),
      base,
      opts,
    )
    expect(e).toMatchObject({status: 'error', data: {errorKind: 'throttling'}})
    expect(e.hint).toContain('lower --concurrency')
  })

  it('reports a failing optional check as a warning', async () => {
    const e = await runOne(
      check('opt', async () => fail('broken'), {required: false}),
      base,
      opts,
    )
    expect(e).toMatchObject({status: 'warn', summary: 'broken (optional check)', required: false})
  })

  it('skips with the reason when the check does not apply, without running it', async () => {
    let ran = false
    const e = await runOne(
      check(
        'na',
        async () => {
          ran = true
          return pass('x')
        },
        {applies: () => 'no CloudFront in this environment'},
      ),
      base,
      opts,
    )
    expect(e).toMatchObject({status: 'skip', summary: 'no CloudFront in this environment'})
    expect(ran).toBe(false)
  })
})

describe('runChecks', () => {
  it('runs checks concurrently, keeps declaration order, and counts statuses', async () => {
    const slow = (id: string, ms: number, r: () => ReturnType<Check['run']>) =>
      check(id, async () => {
        await sleep(ms)
        return r()
      })
    // 80 ms apart: the order holds on a loaded machine, where starting five tasks can take milliseconds.
    const checks = [
      slow('a', 320, async () => pass('ok')),
      slow('b', 160, async () => warn('meh')),
      slow('c', 240, async () => fail('bad')),
      slow('d', 80, async () => {
        throw new Error('crash')
      }),
      slow('e', 1, async () => skip('n/a')),
    ]
    const done: string[] = []
    const report = await runChecks(checks, ctxWith(), {
      concurrency: 5,
      timeoutMs: 1000,
      progress: 'silent',
      onResult: (e) => done.push(e.id),
    })
    expect(report.checks.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(done).toEqual(['e', 'd', 'b', 'c', 'a']) // completion follows durations: they ran at once
    expect(report.counts).toEqual({pass: 1, warn: 1, fail: 1, skip: 1, error: 1})
    expect(report.ok).toBe(false)
    expect(report.environment).toBe('production')
  })

  it('starts the checks that need no discovery at once, and the others on the environment discovered', async () => {
    const order: string[] = []
    let found: (ctx: ReturnType<typeof ctxWith>) => void = () => {}
    const discovered = new Promise<ReturnType<typeof ctxWith>>((resolve) => (found = resolve))
    const early = ctxWith()
    const later = ctxWith({cluster: 'allthriveai-production'})
    const checks = [
      // First in the report and limited to one slot: had it held the slot while discovery ran, nothing would finish.
      check(
        'ecs',
        async (ctx) => {
          order.push(`ecs on ${ctx.env.cluster}`)
          return pass('ok')
        },
        {iam: ['ecs:DescribeServices']},
      ),
      check('rds', async (ctx) => {
        order.push(`rds on ${ctx.env.cluster}`)
        // Discovery ends only after this check ran: it did not wait for it.
        found(later)
        return pass('ok')
      }),
    ]
    const report = await runChecks(checks, {early, discovered}, {concurrency: 1, timeoutMs: 1000, progress: 'silent'})
    expect(order).toEqual(['rds on production-allthrive-cluster', 'ecs on allthriveai-production'])
    expect(report.checks.map((c) => `${c.id} ${c.status}`)).toEqual(['ecs pass', 'rds pass'])
  })

  it('fails the run with the discovery error, ending the checks that started', async () => {
    let signal: AbortSignal | undefined
    const done: string[] = []
    let fail_: (e: Error) => void = () => {}
    const discovered = new Promise<ReturnType<typeof ctxWith>>((_, reject) => (fail_ = reject))
    const checks = [
      check('ecs', async () => pass('never'), {iam: ['logs:FilterLogEvents']}),
      check('rds', async (ctx) => {
        signal = ctx.signal
        setTimeout(() => fail_(accessDenied('ecs:DescribeClusters')), 0)
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
        return pass('aborted')
      }),
    ]
    const run = runChecks(
      checks,
      {early: ctxWith(), discovered},
      {
        concurrency: 4,
        timeoutMs: 5000,
        progress: 'silent',
        onResult: (e) => done.push(e.id),
      },
    )
    await expect(run).rejects.toThrow(/ecs:DescribeClusters/)
    expect(signal?.aborted).toBe(true)
    expect(done).toEqual([])
  })

  it('honours the concurrency limit', async () => {
    let running = 0
    let peak = 0
    const checks = Array.from({length: 6}, (_, i) =>
      check(`c${i}`, async () => {
        running++
        peak = Math.max(peak, running)
        await sleep(10)
        running--
        return pass('ok')
      }),
    )
    await runChecks(checks, ctxWith(), {concurrency: 2, timeoutMs: 1000, progress: 'silent'})
    expect(peak).toBe(2)
  })

  it('is ok with warnings only', async () => {
    const report = await runChecks([check('w', async () => warn('w'))], ctxWith(), {
      concurrency: 1,
      timeoutMs: 1000,
      progress: 'silent',
    })
    expect(report.ok).toBe(true)
  })
})

describe('exit codes', () => {
  const counts = (s: Parameters<typeof countStatuses>[0]) => ({counts: countStatuses(s)})
  it('is 0 when all pass, warnings allowed', () => {
    expect(exitCodeFor(counts([{status: 'pass'}, {status: 'warn'}, {status: 'skip'}]))).toBe(0)
  })
  it('is 1 on fail or error', () => {
    expect(exitCodeFor(counts([{status: 'pass'}, {status: 'fail'}]))).toBe(1)
    expect(exitCodeFor(counts([{status: 'error'}]))).toBe(1)
  })
  it('is 2 when every check skipped: nothing was checked', () => {
    expect(exitCodeFor(counts([{status: 'skip'}, {status: 'skip'}]))).toBe(2)
    expect(exitCodeFor(counts([{status: 'skip'}]), 'warn')).toBe(2)
  })
  it('is 1 on warn with --fail-on warn', () => {
    expect(exitCodeFor(counts([{status: 'warn'}]), 'warn')).toBe(1)
    expect(exitCodeFor(counts([{status: 'pass'}]), 'warn')).toBe(0)
  })
})

describe('helpers', () => {
  it('memo loads once per key', async () => {
    const memo = createMemo()
    let loads = 0
    const load = async () => ++loads
    const [a, b] = await Promise.all([memo('k', load), memo('k', load)])
    expect([a, b, loads]).toEqual([1, 1, 1])
    expect(await memo('other', load)).toBe(2)
  })

  it('a sibling of a check that timed out loads again instead of reporting its AbortError', async () => {
    const base = ctxWith()
    const abortable = (signal: AbortSignal) =>
      new Promise<string>((_, reject) => {
        signal.addEventListener('abort', () =>
          reject(Object.assign(new Error('Request aborted'), {name: 'AbortError'})),
        )
      })
    let loads = 0
    const slow = check('slow', async (ctx) => pass(await ctx.memo('shared', () => abortable(ctx.signal))))
    const sibling = check('sibling', async (ctx) => {
      await sleep(5)
      return pass(await ctx.memo('shared', async () => `loaded again ${++loads}`))
    })
    const [a, b] = await Promise.all([runOne(slow, base, {timeoutMs: 30}), runOne(sibling, base, {timeoutMs: 1000})])
    expect(a).toMatchObject({status: 'error', data: {errorKind: 'timeout'}})
    expect(b).toMatchObject({status: 'pass', summary: 'loaded again 1'})
  })

  it('worst picks the most severe status', () => {
    expect(worst(['pass', 'warn', 'skip'])).toBe('warn')
    expect(worst(['warn', 'fail', 'pass'])).toBe('fail')
    expect(worst(['fail', 'error'])).toBe('error')
    expect(worst([])).toBe('pass')
  })
})

describe('live progress (listr2 on a terminal)', () => {
  /** Runs checks with the live renderer on a pretend terminal; returns the last frame drawn. */
  async function liveFrame(
    checks: Check[],
    contexts: Parameters<typeof runChecks>[1] = ctxWith(),
    onError: (error: unknown) => void = (error) => {
      throw error
    },
  ): Promise<string> {
    const out = process.stdout as NodeJS.WriteStream & {isTTY: boolean}
    const saved = {isTTY: out.isTTY, columns: out.columns, write: out.write}
    const writes: string[] = []
    out.isTTY = true
    out.columns = 120
    out.write = ((chunk: string | Uint8Array) => {
      writes.push(String(chunk))
      return true
    }) as typeof out.write
    try {
      await runChecks(checks, contexts, {concurrency: 4, timeoutMs: 1000, progress: 'live'}).catch(onError)
    } finally {
      Object.assign(out, saved)
    }

    // eslint-disable-next-line no-control-regex
    const plain = writes.join('').replaceAll(/\u001B\[[0-9;?]*[A-Za-z]/g, '')
    const last = plain.lastIndexOf('title of p')
    return plain.slice(plain.lastIndexOf('\n', last) + 1)
  }

  it('draws a warning with the warning mark, a skip once with the skip mark, a pass with a tick', async () => {
    const frame = await liveFrame([
      check('p', async () => pass('all good')),
      check('w', async () => warn('disk 85% full')),
      check('s', async () => skip('no --compare environment')),
    ])
    expect(frame).toMatch(/✔ title of p — all good/)
    expect(frame).toMatch(/⚠ title of w — disk 85% full/)
    expect(frame).not.toMatch(/✔ title of w/)
    expect(frame).toMatch(/↓ title of s — no --compare environment/)
    expect(frame.match(/no --compare environment/g)).toHaveLength(1)
  })

  it('ends the live run with the discovery error: a check waiting for it is drawn as not run', async () => {
    let thrown: unknown
    const discovered = Promise.reject(accessDenied('ecs:DescribeClusters'))
    const frame = await liveFrame(
      [check('p', async () => pass('all good')), check('e', async () => pass('never'), {iam: ['ecs:ListTasks']})],
      {early: ctxWith(), discovered},
      (error) => (thrown = error),
    )
    expect(String(thrown)).toMatch(/ecs:DescribeClusters/)
    expect(frame).toMatch(/↓ title of e — not run: the environment could not be discovered/)
    expect(frame).not.toMatch(/never/)
  })
})
