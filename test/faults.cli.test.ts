import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Run, runBuiltCli} from './helpers/cli.js'
import {stuckServer} from './helpers/faults.js'

/**
 * The built CLI against faults a user meets: an endpoint that accepts and never answers (a loopback server
 * of this test, 127.0.0.1 only), an empty AWS_REGION. Needs `npm run build`.
 */
/** The built CLI as a user runs it (test/helpers/cli.ts), with test credentials, and how long it took. */
async function cli(args: string[], env: Record<string, string>): Promise<Run & {ms: number}> {
  const started = Date.now()
  const r = await runBuiltCli(args, {AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', ...env})
  return {...r, ms: Date.now() - started}
}

describe('allthrive against a stuck endpoint (built CLI)', () => {
  let stuck: Awaited<ReturnType<typeof stuckServer>>
  beforeAll(async () => {
    if (!existsSync(join(import.meta.dirname, '..', 'dist', 'commands', 'validate.js')))
      throw new Error('dist/ is missing: run `npm run build`.')
    stuck = await stuckServer()
  })
  afterAll(async () => stuck?.close())

  const env = () => ({
    AWS_ENDPOINT_URL: stuck.url,
    AWS_REGION: 'us-east-1',
    ALLTHRIVE_REQUEST_TIMEOUT: '1s',
    ALLTHRIVE_CONNECT_TIMEOUT: '1s',
  })

  it('validate --timeout 5s ends within its bound, exit 2, naming the endpoint', async () => {
    const r = await cli(['validate', '-e', 'staging', '--timeout', '5s'], env())
    expect(r.code).toBe(2)
    expect(r.ms).toBeLessThan(15_000)
    expect(r.stderr).toContain(`AWS did not answer the identity call (STS GetCallerIdentity) at ${stuck.url} within 3s`)
    expect(r.stderr).toContain('AWS_ENDPOINT_URL')
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
  }, 30_000)

  it('migrate --dry-run (no identity call) ends within its bound with the same exit 2, naming the endpoint', async () => {
    const r = await cli(['migrate', '-e', 'staging', '--dry-run'], env())
    expect(r.code).toBe(2)
    expect(r.ms).toBeLessThan(25_000)
    expect(r.stderr).toContain(`AWS did not answer in time at ${stuck.url} (ECS `)
  }, 40_000)

  it('an empty AWS_REGION= is "no region", exit 2', async () => {
    const r = await cli(['validate', '-e', 'staging'], {AWS_REGION: '', AWS_ENDPOINT_URL: stuck.url})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('No AWS region is set')
    expect(r.stderr).toContain('AWS_NO_REGION')
  }, 30_000)
})
