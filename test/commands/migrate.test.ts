import {GetLogEventsCommand, ResourceNotFoundException} from '@aws-sdk/client-cloudwatch-logs'
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ExecuteCommandCommand,
  type ExecuteCommandCommandOutput,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs'
import {captureOutput} from '@oclif/test'
import {readFileSync} from 'node:fs'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import Migrate from '../../src/commands/migrate.js'
import {wrapWithExitMarker} from '../../src/lib/exec/command-line.js'
import type {MigrateResult} from '../../src/lib/migrate/result.js'
import {mocks, resetMocks} from '../helpers/aws.js'
import {accountClusters} from '../helpers/ecs.js'
import {fakePluginOnPath} from '../helpers/plugin.js'
import {CLUSTER, CLUSTER_ARN, service, task, taskArn, taskDefinition, TD_ARN} from '../lib/exec/fixtures.js'

const MIGRATE = ['python', 'manage.py', 'migrate', '--noinput']
const ARN = taskArn('9f9f0000')
const saved = {...process.env}
const savedTTY = process.stdin.isTTY
const FAST = ['--poll-interval', '0.01s']

const run = (argv: string[]) => captureOutput<MigrateResult>(() => Migrate.run([...argv, ...FAST], import.meta.url))

/** The one-off task at a stage of its life; the container has an exit code once it ran. */
const oneOff = (lastStatus: string, extra: Partial<Task> = {}, exitCode?: number): Task =>
  task(
    '9f9f0000',
    {
      startedBy: 'allthrive-migrate',
      group: 'allthrive-migrate',
      lastStatus,
      startedAt:
        lastStatus === 'PROVISIONING' || lastStatus === 'PENDING' ? undefined : new Date('2026-11-26T10:00:00Z'),
      ...(lastStatus === 'STOPPED' && {stoppedAt: new Date('2026-11-26T10:01:30Z'), desiredStatus: 'STOPPED'}),
      ...extra,
    },
    {lastStatus, exitCode, managedAgents: []},
  )

function given(lifecycle: Task[], logs: string[] = []): void {
  mocks.ecs.on(DescribeServicesCommand).resolves({services: [service()]})
  mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({taskDefinition: taskDefinition()})
  mocks.ecs.on(ListTasksCommand).resolves({taskArns: []})
  mocks.ecs.on(RunTaskCommand).resolves({tasks: [oneOff('PROVISIONING')], failures: []})
  let d = mocks.ecs.on(DescribeTasksCommand)
  for (const t of lifecycle.slice(0, -1)) d = d.resolvesOnce({tasks: [t]})
  d.resolves({tasks: [lifecycle.at(-1)!]})
  mocks.logs
    .on(GetLogEventsCommand)
    .rejectsOnce(new ResourceNotFoundException({message: 'The specified log stream does not exist.', $metadata: {}}))
    .resolvesOnce({events: logs.map((message, i) => ({timestamp: i, message})), nextForwardToken: 'f/1'})
    .resolves({events: [], nextForwardToken: 'f/1'})
}

const ran = (exitCode: number): Task[] => [
  oneOff('PENDING'),
  oneOff('RUNNING'),
  oneOff(
    'STOPPED',
    {stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited'},
    exitCode,
  ),
]
const neverStarted = (stoppedReason: string): Task[] => [
  oneOff('PENDING'),
  oneOff('STOPPED', {stopCode: 'TaskFailedToStart', stoppedReason, startedAt: undefined}),
]

describe('migrate', () => {
  beforeEach(() => {
    resetMocks()
    // The account has the environment's cluster (discovery lists the clusters first).
    accountClusters([{name: CLUSTER}])
    for (const k of ['ENVIRONMENT', 'AWS_PROFILE', 'AWS_ENDPOINT_URL']) delete process.env[k]
    process.env.AWS_REGION = 'us-east-1'
    process.stdin.isTTY = false as true
  })

  afterEach(() => {
    process.env = {...saved}
    process.stdin.isTTY = savedTTY
  })

  it('runs a one-off task cloned from the web service, streams its log lines, and exits 0', async () => {
    given(ran(0), ['Operations to perform:', '  Applying users.0042_profile... OK'])
    const {stdout, stderr, result} = await run(['--yes'])
    expect(mocks.ecs).toHaveReceivedCommandWith(RunTaskCommand, {
      cluster: CLUSTER,
      taskDefinition: TD_ARN,
      count: 1,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-a', 'subnet-b'],
          securityGroups: ['sg-web'],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: {containerOverrides: [{name: 'web', command: MIGRATE}]},
      startedBy: 'allthrive-migrate',
      group: 'allthrive-migrate',
      enableExecuteCommand: false,
      propagateTags: 'TASK_DEFINITION',
    })
    expect(mocks.logs).toHaveReceivedCommandWith(GetLogEventsCommand, {
      logGroupName: '/ecs/production-allthrive-web',
      logStreamName: 'ecs/web/9f9f0000',
    })
    expect(stdout).toBe('Operations to perform:\n  Applying users.0042_profile... OK\n')
    expect(stderr).toMatch(
      /Started task 9f9f0000 \(production-allthrive-web:42\)[\s\S]*PENDING +\+0s[\s\S]*RUNNING[\s\S]*STOPPED[\s\S]*✔ Migration finished: web exited 0/,
    )
    expect(result?.outcome).toBe('succeeded')
    expect(process.exitCode).toBe(0)
  })

  it("shows control characters in the container's log lines instead of sending them; --json keeps them exact", async () => {
    const hostile = 'ok \u001b]52;c;Y3VybA==\u0007 \u001b[2J'
    given(ran(0), [hostile])
    const {stdout} = await run(['--yes'])
    expect(stdout).toBe(String.raw`ok \x1b]52;c;Y3VybA==\x07 \x1b[2J` + '\n')
    resetMocks()
    accountClusters([{name: CLUSTER}])
    given(ran(0), [hostile])
    const json = await run(['--yes', '--json'])
    expect(JSON.parse(json.stdout).logLines).toEqual([hostile])
  })

  it('uses the capacity provider strategy of the service instead of a launch type', async () => {
    given(ran(0))
    const strategy = [{capacityProvider: 'FARGATE', weight: 1}]
    mocks.ecs
      .on(DescribeServicesCommand)
      .resolves({services: [service({deployments: [], launchType: undefined, capacityProviderStrategy: strategy})]})
    await run(['--yes'])
    const input = mocks.ecs.commandCalls(RunTaskCommand)[0].args[0].input
    expect(input.capacityProviderStrategy).toEqual(strategy)
    expect(input.launchType).toBeUndefined()
  })

  it("exits with the container's exit code, and reports it all in --json", async () => {
    given(ran(3), ['django.db.utils.ProgrammingError: relation "users" does not exist'])
    const {stdout} = await run(['--yes', '--json'])
    const r = JSON.parse(stdout)
    expect(r).toMatchObject({
      outcome: 'failed',
      taskArn: ARN,
      taskId: '9f9f0000',
      cluster: CLUSTER,
      command: MIGRATE,
      exitCode: 3,
      startedAt: '2026-11-26T10:00:00.000Z',
      stoppedAt: '2026-11-26T10:01:30.000Z',
      durationMs: 150_000,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      logLines: ['django.db.utils.ProgrammingError: relation "users" does not exist'],
    })
    expect(process.exitCode).toBe(3)
  })

  it.each([
    [
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/allthrive-web:v42: not found',
      /never started: ECS could not pull the container image/,
    ],
    [
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: AccessDeniedException',
      /never started: ECS could not fetch the task's secrets/,
    ],
  ])(
    'never reports a task that did not start as a success: exit 1 with the cause in plain words (%#)',
    async (reason, words) => {
      given(neverStarted(reason))
      const {stderr, result} = await run(['--yes'])
      expect(stderr).toMatch(words)
      expect(stderr).toContain(`ECS said: TaskFailedToStart | ${reason}`)
      expect(stderr).toMatch(/Fix: /)
      expect(result).toMatchObject({outcome: 'not-started', exitCode: null})
      expect(process.exitCode).toBe(1)
    },
  )

  it('explains RunTask failures[] (exit 1)', async () => {
    given(ran(0))
    mocks.ecs.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [
        {
          arn: CLUSTER_ARN,
          reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone',
        },
      ],
    })
    const {error} = await run(['--yes'])
    expect(error?.message).toMatch(/^The migration task could not be started: There was no capacity to start the task/)
    expect(error?.oclif?.exit).toBe(1)
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeTasksCommand)
  })

  it('stops waiting at --timeout, says the task keeps running and how to stop it (exit 1)', async () => {
    given([oneOff('RUNNING')])
    const {stderr, result} = await run(['--yes', '--timeout', '0.05s'])
    expect(stderr).toMatch(
      /Stopped waiting after .* \(--timeout\): task 9f9f0000 is still RUNNING and keeps running in ECS\./,
    )
    expect(stderr).toContain(`aws ecs stop-task --cluster ${CLUSTER} --task 9f9f0000`)
    expect(result?.outcome).toBe('timeout')
    expect(process.exitCode).toBe(1)
  })

  it('when contact with ECS is lost mid-wait, says the task keeps running and how to watch or stop it (exit 1)', async () => {
    given(ran(0))
    mocks.ecs
      .on(DescribeTasksCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), {name: 'Error', code: 'ECONNREFUSED'}))
    const {error, stderr} = await run(['--yes', '--outage-budget', '0.05s'])
    expect(stderr).toContain('Lost contact with ECS')
    expect(error?.message).toMatch(
      /^Lost track of migration task 9f9f0000: .*ECONNREFUSED.*\. The task keeps running in ECS\.$/,
    )
    expect(error?.suggestions?.join('\n')).toContain(`aws ecs stop-task --cluster ${CLUSTER} --task 9f9f0000`)
    expect(error?.suggestions?.join('\n')).toContain('allthrive migrate --attach 9f9f0000 --environment production')
    expect(error?.oclif?.exit).toBe(1)
  })

  it('rides out a short outage while watching and prints the re-attach command first', async () => {
    given(ran(0))
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), {code: 'ECONNREFUSED'})
    mocks.ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({tasks: [oneOff('RUNNING')]})
      .rejectsOnce(refused)
      .rejectsOnce(refused)
      .rejectsOnce(refused)
      .rejectsOnce(refused)
      .resolves({tasks: [ran(0).at(-1)!]})
    const {stderr, result} = await run(['--yes'])
    expect(stderr).toContain(
      'If this command stops, wait for the task again with: allthrive migrate --attach 9f9f0000 --environment production',
    )
    expect(stderr).toMatch(
      /Lost contact with ECS[\s\S]*Back in contact with ECS[\s\S]*✔ Migration finished: web exited 0/,
    )
    expect(result?.outcome).toBe('succeeded')
    expect(process.exitCode).toBe(0)
  })

  it("--attach waits for a migration task already running and exits with its container's code, starting nothing", async () => {
    given(ran(4), ['Applying users.0042_profile...'])
    mocks.ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({tasks: [oneOff('RUNNING', {overrides: {containerOverrides: [{name: 'web', command: MIGRATE}]}})]})
      .resolvesOnce({tasks: [oneOff('RUNNING')]})
      .resolves({tasks: [ran(4).at(-1)!]})
    const {stderr, stdout} = await run(['--attach', '9f9f0000'])
    expect(stderr).toContain(
      'Attached to task 9f9f0000 (production-allthrive-web:42) in production-allthrive-cluster, RUNNING: python manage.py migrate --noinput',
    )
    expect(stderr).toContain('✖ Migration failed: web exited 4')
    expect(stdout).toContain('Applying users.0042_profile...')
    expect(mocks.ecs).not.toHaveReceivedCommand(RunTaskCommand)
    expect(process.exitCode).toBe(4)
  })

  it('--attach to a task ECS does not know is a usage error (exit 2)', async () => {
    given(ran(0))
    mocks.ecs.on(DescribeTasksCommand).resolves({tasks: [], failures: [{arn: taskArn('dead0000'), reason: 'MISSING'}]})
    const {error} = await run(['--attach', 'dead0000'])
    expect(error?.message).toContain('Task dead0000 is not known in cluster production-allthrive-cluster (MISSING)')
    expect(error?.oclif?.exit).toBe(2)
  })

  it('when another migration started just before ours, stops ours and says which one runs (exit 1)', async () => {
    given(ran(0))
    const other = task('7e7e0000', {
      startedBy: 'allthrive-migrate',
      createdAt: new Date('2026-11-26T09:59:59Z'),
      startedAt: undefined,
      lastStatus: 'PENDING',
    })
    mocks.ecs
      .on(ListTasksCommand, {startedBy: 'allthrive-migrate'})
      .resolvesOnce({taskArns: []})
      .resolves({taskArns: [other.taskArn!, ARN]})
    mocks.ecs
      .on(DescribeTasksCommand)
      .resolves({tasks: [other, oneOff('PROVISIONING', {createdAt: new Date('2026-11-26T10:00:00Z')})]})
    mocks.ecs
      .on(RunTaskCommand)
      .resolves({tasks: [oneOff('PROVISIONING', {createdAt: new Date('2026-11-26T10:00:00Z')})], failures: []})
    const {error} = await run(['--yes'])
    expect(error?.message).toMatch(
      /^Another migration is still running in production-allthrive-cluster: task 7e7e0000 .*task 9f9f0000, started at the same time, was stopped\.$/,
    )
    expect(mocks.ecs).toHaveReceivedCommandWith(StopTaskCommand, {cluster: CLUSTER, task: ARN})
    expect(error?.oclif?.exit).toBe(1)
  })

  it('still runs, and says so, when the container does not log with awslogs', async () => {
    given(ran(0))
    mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: taskDefinition({
        containerDefinitions: [{name: 'web', logConfiguration: {logDriver: 'awsfirelens'}}],
      }),
    })
    const {stderr} = await run(['--yes'])
    expect(stderr).toContain('Not following the logs: container web logs with awsfirelens, not awslogs.')
    expect(mocks.logs).not.toHaveReceivedCommand(GetLogEventsCommand)
    expect(process.exitCode).toBe(0)
  })

  it('refuses while another allthrive migration is running, naming it (exit 1, nothing started)', async () => {
    given(ran(0))
    const other = task('7e7e0000', {startedBy: 'allthrive-migrate', startedAt: new Date(Date.now() - 4 * 60_000)})
    mocks.ecs.on(ListTasksCommand, {startedBy: 'allthrive-migrate'}).resolves({taskArns: [other.taskArn!]})
    mocks.ecs.on(DescribeTasksCommand).resolves({tasks: [other]})
    const {error} = await run(['--yes'])
    expect(error?.message).toMatch(
      /^Another migration is still running in production-allthrive-cluster: task 7e7e0000 \(RUNNING, started .*, 4m ago\)/,
    )
    expect(error?.suggestions?.join('\n')).toContain(
      'aws ecs stop-task --cluster production-allthrive-cluster --task 7e7e0000',
    )
    expect(error?.oclif?.exit).toBe(1)
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER,
      startedBy: 'allthrive-migrate',
      desiredStatus: 'RUNNING',
    })
    expect(mocks.ecs).not.toHaveReceivedCommand(RunTaskCommand)
  })

  it('refuses on production without --yes when stdin is not a terminal (exit 2), and never sends RunTask', async () => {
    given(ran(0))
    const {error} = await run([])
    expect(error?.message).toMatch(
      /^Refusing to run database migrations \(python manage\.py migrate --noinput, one-off task of production-allthrive-web:42\) on production without confirmation/,
    )
    expect(error?.suggestions).toEqual([
      'Re-run with --yes to confirm from a script: allthrive migrate --environment production --yes',
    ])
    expect(error?.oclif?.exit).toBe(2)
    expect(mocks.ecs).not.toHaveReceivedCommand(RunTaskCommand)
  })

  it('--dry-run prints the RunTask request and sends nothing (no confirmation needed)', async () => {
    given(ran(0))
    const {stdout} = await run(['--dry-run'])
    expect(JSON.parse(stdout)).toMatchObject({
      cluster: CLUSTER,
      taskDefinition: TD_ARN,
      overrides: {containerOverrides: [{name: 'web', command: MIGRATE}]},
      startedBy: 'allthrive-migrate',
    })
    expect(mocks.ecs).not.toHaveReceivedCommand(RunTaskCommand)
    expect(process.exitCode).toBe(0)
  })

  it('--plan runs the plan command, apart from real migrations, without confirmation', async () => {
    given(ran(0), ['Planned operations:', 'users.0043_x'])
    const {stderr} = await run(['--plan'])
    expect(mocks.ecs).toHaveReceivedCommandWith(RunTaskCommand, {
      overrides: {containerOverrides: [{name: 'web', command: ['python', 'manage.py', 'migrate', '--plan']}]},
      startedBy: 'allthrive-migrate-plan',
    })
    expect(mocks.ecs).not.toHaveReceivedCommandWith(ListTasksCommand, {startedBy: 'allthrive-migrate'})
    expect(stderr).toContain('✔ Migration plan finished')
    expect(process.exitCode).toBe(0)
  })
})

describe('migrate --via exec', () => {
  let argsFile: string

  beforeEach(() => {
    resetMocks()
    // The account has the environment's cluster (discovery lists the clusters first).
    accountClusters([{name: CLUSTER}])
    for (const k of ['ENVIRONMENT', 'AWS_PROFILE', 'AWS_ENDPOINT_URL']) delete process.env[k]
    process.env.AWS_REGION = 'us-east-1'
    argsFile = fakePluginOnPath('allthrive-migrate-exec-').argsFile
    const web = task('0aaa1111')
    mocks.ecs.on(DescribeServicesCommand).resolves({services: [service()]})
    mocks.ecs
      .on(ListTasksCommand)
      .resolves({taskArns: []})
      .on(ListTasksCommand, {serviceName: 'production-allthrive-web'})
      .resolves({taskArns: [web.taskArn!]})
    mocks.ecs.on(DescribeTasksCommand).resolves({tasks: [web]})
    mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({taskDefinition: taskDefinition()})
    mocks.ecs.on(ExecuteCommandCommand).callsFake((input: {task: string}): ExecuteCommandCommandOutput => ({
      $metadata: {},
      clusterArn: CLUSTER_ARN,
      taskArn: input.task,
      containerName: 'web',
      interactive: true,
      session: {sessionId: 's-1', streamUrl: 'wss://x', tokenValue: 't'},
    }))
  })

  afterEach(() => {
    process.env = {...saved}
  })

  it('runs the migration in a running web container through session-manager-plugin and exits with its status', async () => {
    process.env.FAKE_SMP_STDOUT = 'Operations to perform:\r\n__ALLTHRIVE_EXIT=4\r\n'
    const {stdout, result} = await run(['--via', 'exec', '--yes'])
    expect(mocks.ecs).toHaveReceivedCommandWith(ExecuteCommandCommand, {
      task: taskArn('0aaa1111'),
      container: 'web',
      interactive: true,
      command: wrapWithExitMarker(MIGRATE),
    })
    expect(readFileSync(argsFile, 'utf8').split('\0')[4]).toBe(
      '{"Target":"ecs:production-allthrive-cluster_0aaa1111_0aaa1111-0123456789"}',
    )
    expect(stdout).toBe('Operations to perform:\r\n')
    expect(result).toMatchObject({via: 'exec', outcome: 'failed', exitCode: 4, taskId: '0aaa1111'})
    expect(mocks.ecs).not.toHaveReceivedCommand(RunTaskCommand)
    expect(process.exitCode).toBe(4)
  })

  it('collects the output into logLines with --json', async () => {
    process.env.FAKE_SMP_STDOUT = 'No migrations to apply.\r\n__ALLTHRIVE_EXIT=0\r\n'
    const {stdout} = await run(['--via', 'exec', '--yes', '--json'])
    expect(JSON.parse(stdout)).toMatchObject({
      via: 'exec',
      outcome: 'succeeded',
      exitCode: 0,
      logLines: ['No migrations to apply.'],
    })
    expect(process.exitCode).toBe(0)
  })
})
