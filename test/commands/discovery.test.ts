import {DescribeLogStreamsCommand, FilterLogEventsCommand} from '@aws-sdk/client-cloudwatch-logs'
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs'
import {captureOutput} from '@oclif/test'
import {beforeEach, describe, expect, it} from 'vitest'

import ConfigShow from '../../src/commands/config/show.js'
import Environments from '../../src/commands/environments.js'
import Exec from '../../src/commands/exec.js'
import LogsTail, {logTargets} from '../../src/commands/logs/tail.js'
import {conventionFor} from '../../src/config.js'
import type {Discovery, EnvironmentEntry} from '../../src/resources/discovery.js'
import {givenAccount, mocks} from '../helpers/aws.js'
import {accountClusters} from '../helpers/ecs.js'
import {GROUP, OTHER, otherEnvironment} from '../helpers/other-env.js'
import {FakeLogs, TASK_A, TASK_B} from '../lib/logs/fakes.js'

const root = import.meta.url

/** Commands over an account whose production departs from the convention (helpers/other-env.ts). */
describe('commands read the environment the account has', () => {
  beforeEach(() => {
    givenAccount()
  })

  it('environments lists built-in, configured and found environments with where each was found', async () => {
    accountClusters([
      {name: OTHER},
      {name: 'allthriveai-demo'},
      {name: 'ops-9', tags: {Project: 'allthrive', Environment: 'qa'}},
    ])
    const {stdout, result} = await captureOutput<{environments: EnvironmentEntry[]}>(() => Environments.run([], root))
    expect(result?.environments.map((e) => [e.name, e.foundBy.join('+')])).toEqual([
      ['production', 'built-in+cluster name'],
      ['staging', 'built-in'],
      ['demo', 'cluster name'],
      ['qa', 'tags'],
    ])
    expect(stdout).toMatch(/^demo +cluster name +allthriveai-demo$/m)
    expect(stdout).toMatch(/^staging +built-in +\(none in this region\)$/m)
    expect(process.exitCode).toBe(0)
  })

  it('accepts an environment found only in the account, and refuses an unknown one listing those that exist', async () => {
    accountClusters([{name: 'allthriveai-demo'}])
    const {result} = await captureOutput(() => ConfigShow.run(['-e', 'demo', '--json'], root))
    expect(result).toMatchObject({
      name: 'demo',
      cluster: 'allthriveai-demo',
      source: 'found in the account (naming convention)',
    })

    const {error} = await captureOutput(() => ConfigShow.run(['-e', 'demoo'], root))
    expect(error?.message).toContain('Unknown environment "demoo". Known environments: production, staging, demo.')
    expect(error?.message).toContain(
      'looked for demoo-allthrive-cluster, allthriveai-demoo and a cluster tagged Project=allthrive and Environment=demoo',
    )
    expect(error?.suggestions).toContain('Did you mean --environment demo?')
    expect(error?.oclif?.exit).toBe(2)
  })

  it('config show prints each name with its source and what discovery found', async () => {
    otherEnvironment()
    const {stdout, result} = await captureOutput<{discovery?: Discovery}>(() =>
      ConfigShow.run(['-e', 'production'], root),
    )
    expect(stdout).toMatch(
      /^cluster +allthriveai-production \(convention: naming convention allthriveai-production\)$/m,
    )
    expect(stdout).toContain(
      `allthriveai-production-celery-ai (discovered)  ACTIVE allthriveai-production-celery-ai:7  container worker (discovered)  logs ${GROUP}, streams ecs/worker/<task-id> (discovered)`,
    )
    expect(stdout).toContain('secret database')
    expect(result?.discovery?.services).toHaveLength(5)
    // One read per resource for the whole run: the names the configured services may have, then the fifth service
    // ListServices found (each service described once).
    expect(mocks.ecs.commandCalls(ListServicesCommand)).toHaveLength(1)
    const described = mocks.ecs.commandCalls(DescribeServicesCommand).flatMap((c) => c.args[0].input.services ?? [])
    expect(described.filter((n) => n === 'allthriveai-production-celery-ai')).toHaveLength(1)
    expect(new Set(described).size).toBe(described.length)
  })

  it('config show without credentials shows the model as configured and says why it was not discovered (exit 0)', async () => {
    mocks.ecs
      .on(ListClustersCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), {name: 'CredentialsProviderError'}),
      )
    const {result, stdout} = await captureOutput<{notDiscovered?: string}>(() =>
      ConfigShow.run(['-e', 'staging'], root),
    )
    expect(result?.notDiscovered).toBe('No AWS credentials were found.')
    expect(stdout).toMatch(/^discovery +not done: No AWS credentials were found\.$/m)
    expect(stdout).toMatch(/^cluster +staging-allthrive-cluster \(convention; not looked up\)$/m)
    expect(process.exitCode).toBeFalsy()
  })

  it('config show --no-discover makes no AWS call', async () => {
    const {result} = await captureOutput(() => ConfigShow.run(['-e', 'staging', '--no-discover', '--json'], root))
    expect(result).toMatchObject({cluster: 'staging-allthrive-cluster'})
    expect(mocks.ecs.calls()).toHaveLength(0)
    expect(mocks.sts.calls()).toHaveLength(0)
  })

  it('logs tail reads a fifth service by its short or full name, only its own streams of the shared log group', async () => {
    otherEnvironment()
    const logs = new FakeLogs({now: () => Date.now()})
    logs.groups.add(GROUP)
    mocks.logs.on(FilterLogEventsCommand).callsFake(logs.filter)
    const now = Date.now()
    logs.put(GROUP, `ecs/worker/${TASK_A}`, now - 60_000, 'embedding batch 12 done')
    logs.put(GROUP, `ecs/web/${TASK_B}`, now - 30_000, 'GET /api/health/ 200')
    for (const name of ['celery-ai', 'allthriveai-production-celery-ai']) {
      const {stdout} = await captureOutput(() => LogsTail.run([name, '--since', '5m'], root))
      expect(stdout).toContain('embedding batch 12 done')
      expect(stdout).not.toContain('GET /api/health/')
    }

    expect(mocks.logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {logGroupName: GROUP})
    const {stdout} = await captureOutput(() => LogsTail.run(['--since', '5m'], root))
    expect(stdout.split('\n').filter((l) => l.includes('embedding batch 12 done'))).toHaveLength(1)
    expect(stdout).toContain('GET /api/health/ 200')
  })

  it("logs tail --task finds the fifth service's task stream among the shared group's streams", async () => {
    otherEnvironment()
    const logs = new FakeLogs({now: () => Date.now()})
    logs.groups.add(GROUP)
    mocks.logs.on(FilterLogEventsCommand).callsFake(logs.filter)
    mocks.logs
      .on(DescribeLogStreamsCommand)
      .resolves({logStreams: [{logStreamName: `ecs/web/${TASK_A}`}, {logStreamName: `ecs/worker/${TASK_A}`}]})
    logs.put(GROUP, `ecs/worker/${TASK_A}`, Date.now() - 60_000, 'embedding batch 12 done')
    logs.put(GROUP, `ecs/web/${TASK_A}`, Date.now() - 30_000, 'GET /api/health/ 200')
    const {stdout} = await captureOutput(() =>
      LogsTail.run(['celery-ai', '--task', TASK_A.slice(0, 8), '--since', '5m'], root),
    )
    expect(mocks.logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {
      logGroupName: GROUP,
      logStreamNamePrefix: `ecs/worker/${TASK_A.slice(0, 8)}`,
    })
    expect(stdout).toContain('embedding batch 12 done')
    expect(stdout).not.toContain('GET /api/health/')
  })

  it('names the stream prefix of each service only when services share a group', () => {
    const own = conventionFor('production').services.map((s) => ({...s, logStreamPrefix: 'ecs'}))
    expect(logTargets(own).map((t) => t.streamPrefix)).toEqual([undefined, undefined, undefined, undefined])
    const shared = own.map((s) => ({...s, logGroup: GROUP}))
    expect(logTargets(shared).map((t) => t.streamPrefix)).toEqual([
      'ecs/web/',
      'ecs/celery/',
      'ecs/celery-beat/',
      'ecs/weaviate/',
    ])
  })

  it('exec --check judges the fifth service, on its discovered container', async () => {
    otherEnvironment()
    mocks.ecs.on(ListTasksCommand).resolves({taskArns: []})
    mocks.ecs.on(DescribeTasksCommand).resolves({tasks: []})
    const {result} = await captureOutput<Record<string, unknown>>(() =>
      Exec.run(['celery-ai', '--check', '--json'], root),
    )
    expect(result).toMatchObject({cluster: OTHER, service: 'allthriveai-production-celery-ai', ready: false})
    expect(JSON.stringify(result)).toContain('has no running task')
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: OTHER,
      serviceName: 'allthriveai-production-celery-ai',
    })

    const {error} = await captureOutput(() => Exec.run(['celery-io', '--check'], root))
    expect(error?.message).toBe(
      'Unknown service "celery-io". Valid services: web, celery, celery-beat, weaviate, celery-ai.',
    )
    expect(error?.suggestions).toContain('Did you mean celery-ai?')
  })

  it('exec, migrate and logs --previous name what was searched when the account has no cluster of the environment (exit 1)', async () => {
    accountClusters([{name: 'unrelated'}])
    const {error} = await captureOutput(() => Exec.run(['web', '--check', '-e', 'staging'], root))
    expect(error?.message).toBe(
      'No ECS cluster of environment staging in us-east-1: looked for staging-allthrive-cluster, allthriveai-staging and a cluster tagged Project=allthrive and Environment=staging.',
    )
    expect(error?.oclif?.exit).toBe(1)
    expect(mocks.ecs.commandCalls(ListTasksCommand)).toHaveLength(0)
    const previous = await captureOutput(() => LogsTail.run(['web', '--previous', '-e', 'staging'], root))
    expect(previous.error?.message).toContain('looked for staging-allthrive-cluster, allthriveai-staging')
  })
})
