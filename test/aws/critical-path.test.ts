import {describe, expect, it} from 'vitest'

import {
  type CallRecord,
  type Chain,
  criticalPath,
  criticalPathLines,
  inCallChain,
  recordCall,
} from '../../src/aws/critical-path.js'

/** A clock the test moves by hand, and calls that take as long as it says. */
function harness() {
  let t = 0
  const timeline: CallRecord[] = []
  const root: Chain = {}
  const tick = () => new Promise<void>((r) => setImmediate(r))
  /** Starts a call at the current time; resolves when the test ends it with `finish`. */
  const call = (action: string) => {
    const end = recordCall(timeline, action, () => t, root)
    let done!: () => void
    const finished = new Promise<void>((r) => (done = r))
    return {
      finished,
      finish: (at: number) => {
        t = at
        end()
        done()
      },
    }
  }
  return {timeline, root, call, tick, set: (at: number) => (t = at)}
}

describe('critical path of API calls', () => {
  it('follows the calls each chain waited on, back from the one that finished last', async () => {
    const h = harness()
    const sts = h.call('sts:GetCallerIdentity')
    sts.finish(40)
    const calls: Record<string, ReturnType<typeof h.call>> = {}
    // Check A: a1 then a2. Check B: b1 and b2 at once, then b3 after both.
    const a = inCallChain(async () => {
      calls.a1 = h.call('ecs:DescribeServices')
      await calls.a1.finished
      calls.a2 = h.call('ecs:DescribeTaskDefinition')
      await calls.a2.finished
    })
    const b = inCallChain(async () => {
      calls.b1 = h.call('rds:DescribeDBInstances')
      calls.b2 = h.call('secretsmanager:BatchGetSecretValue')
      await Promise.all([calls.b1.finished, calls.b2.finished])
      calls.b3 = h.call('ec2:DescribeSecurityGroups')
      await calls.b3.finished
    })
    await h.tick()
    calls.b1.finish(60)
    calls.b2.finish(90)
    calls.a1.finish(100)
    await h.tick()
    calls.b3.finish(150)
    calls.a2.finish(300)
    await Promise.all([a, b])

    expect(criticalPath(h.timeline).map((c) => c.action)).toEqual([
      'sts:GetCallerIdentity',
      'ecs:DescribeServices',
      'ecs:DescribeTaskDefinition',
    ])
    // b3 waited on b2 (the later of the two it awaited), b1 and b2 on the identity call.
    const by = (action: string) => h.timeline.find((c) => c.action === action)!
    expect(by('ec2:DescribeSecurityGroups').after?.action).toBe('secretsmanager:BatchGetSecretValue')
    expect(by('rds:DescribeDBInstances').after?.action).toBe('sts:GetCallerIdentity')
    expect(criticalPathLines(h.timeline)).toEqual([
      "critical path: 3 calls in a chain, 300ms from the first's start to the last's end (300ms in the calls, 0ms between them) of 6 calls",
      '  sts:GetCallerIdentity 40ms → ecs:DescribeServices 60ms → ecs:DescribeTaskDefinition 200ms',
    ])
  })

  it('says so when no call finished', () => {
    expect(criticalPathLines([])).toEqual(['critical path: no API call finished'])
  })
})
