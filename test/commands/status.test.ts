import {captureOutput} from '@oclif/test'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import Status from '../../src/commands/status.js'
import type {StatusPicture} from '../../src/lib/status/gather.js'
import {setClock} from '../../src/util/clock.js'
import {resetMocks} from '../helpers/aws.js'
import {accountClusters, KEYS} from '../helpers/ecs.js'
import {at, givenEnvironment, steady} from '../lib/status/fixtures.js'
import {OTHER, otherEnvironment} from '../helpers/other-env.js'

const saved = {...process.env}
const run = (argv: string[]) => captureOutput<StatusPicture>(() => Status.run(argv, import.meta.url))

describe('status', () => {
  beforeEach(() => {
    resetMocks()
    // The account has both environments' clusters (the commands discover the environment first).
    accountClusters([{name: 'production-allthrive-cluster'}, {name: 'staging-allthrive-cluster'}])
    for (const k of ['ENVIRONMENT', 'AWS_PROFILE', 'AWS_ENDPOINT_URL']) delete process.env[k]
    process.env.AWS_REGION = 'us-east-1'
    setClock(at('12:00'))
  })
  afterEach(() => {
    process.env = {...saved}
  })

  it('reads the environment the account has: the other cluster name and a fifth service, which is not steady', async () => {
    // Every other read answers as an account without findings; ECS answers as the other convention.
    givenEnvironment([])
    otherEnvironment()
    const {stdout} = await run(['--json', '-e', 'production'])
    const result = JSON.parse(stdout) as StatusPicture
    expect(result?.cluster).toBe(OTHER)
    expect(result?.services.map((s) => s.name)).toEqual(['web', 'celery', 'celery-beat', 'weaviate', 'celery-ai'])
    expect(result?.services.find((s) => s.name === 'celery-ai')?.steady).toBe(false)
    expect(process.exitCode).toBe(1)
  })

  it('prints the whole picture with --json and exits 0 when every service is steady', async () => {
    givenEnvironment(KEYS.map((k) => steady(k)))
    const {stdout, result} = await run(['--json'])
    const parsed = JSON.parse(stdout) as StatusPicture
    expect(Object.keys(parsed)).toEqual([
      'environment',
      'cluster',
      'generatedAt',
      'since',
      'steady',
      'services',
      'missing',
      'alarms',
      'timeline',
      'gaps',
    ])
    expect(parsed).toMatchObject({
      environment: 'production',
      generatedAt: '2026-11-26T12:00:00.000Z',
      since: '2026-11-25T12:00:00.000Z',
      steady: true,
    })
    expect(Object.keys(parsed.services[0])).toEqual([
      'name',
      'serviceName',
      'status',
      'desired',
      'running',
      'pending',
      'steady',
      'problems',
      'deploymentSource',
      'deploymentSourceNote',
      'deployment',
      'deployments',
      'tasks',
      'stoppedTasks',
      'events',
    ])
    expect(result?.steady).toBe(true)
    expect(process.exitCode).toBe(0)
  })

  it('shows only the services named, and exits 1 when one is not steady', async () => {
    givenEnvironment(KEYS.map((k) => steady(k, k === 'celery' ? {runningCount: 0} : {})))
    const {stdout} = await run(['celery', 'web', '--since', '2h'])
    expect(stdout).toMatch(/^production · production-allthrive-cluster · 11-26 12:00 UTC · NOT STEADY/)
    expect(stdout).toContain('celery  NOT STEADY  0/1 running, 0 pending')
    expect(stdout).toContain('  ! 0 of 1 tasks running')
    expect(stdout).toContain('what changed since 11-26 10:00 (newest first)')
    expect(stdout).not.toContain('celery-beat')
    expect(process.exitCode).toBe(1)
  })

  it('repeats plain blocks with --watch when stdout is not a terminal, bounded by --count', async () => {
    givenEnvironment(KEYS.map((k) => steady(k)))
    const {stdout} = await run(['web', '--watch', '--count', '2', '--interval', '0.01s'])
    expect(stdout.split('\n---\n')).toHaveLength(2)
    expect(stdout).not.toContain('\u001B[2J')
    expect(process.exitCode).toBe(0)
  })

  it('redraws in place on a terminal and exits 130 on Ctrl+C', async () => {
    givenEnvironment(KEYS.map((k) => steady(k)))
    const savedTTY = process.stdout.isTTY
    process.stdout.isTTY = true
    const timer = setTimeout(() => process.emit('SIGINT'), 300)
    try {
      const {stdout} = await captureOutput(() => Status.run(['web', '--watch', '--interval', '10s'], import.meta.url), {
        stripAnsi: false,
      })
      expect(stdout.startsWith('\u001B[H\u001B[2Jproduction · production-allthrive-cluster')).toBe(true)
      expect(process.exitCode).toBe(130)
    } finally {
      clearTimeout(timer)
      process.stdout.isTTY = savedTTY
    }
  })

  it('exits 2 with the known services for an unknown one', async () => {
    givenEnvironment(KEYS.map((k) => steady(k)))
    const {error} = await run(['nope'])
    expect(error?.message).toContain(
      'No service "nope" in this environment. Its services: web, celery, celery-beat, weaviate.',
    )
    expect(error?.oclif?.exit).toBe(2)
  })
})
