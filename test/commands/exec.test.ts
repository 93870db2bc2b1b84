import {
  AccessDeniedException,
  DescribeTaskDefinitionCommand,
  ExecuteCommandCommand,
  type ExecuteCommandCommandOutput,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs'
import {captureOutput} from '@oclif/test'
import {existsSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import Exec from '../../src/commands/exec.js'
import {wrapWithExitMarker} from '../../src/lib/exec/command-line.js'
import {mocks, resetMocks} from '../helpers/aws.js'
import {describeServices, listTasks} from '../helpers/ecs.js'
import {type FakePlugin, fakePluginOnPath} from '../helpers/plugin.js'
import {accountClusters} from '../helpers/ecs.js'
import {CLUSTER, CLUSTER_ARN, service, task, taskDefinition} from '../lib/exec/fixtures.js'

const SESSION = {
  sessionId: 'ecs-execute-command-0abc',
  streamUrl:
    'wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/ecs-execute-command-0abc?role=publish_subscribe',
  tokenValue: 'TOKEN-abc',
}
const saved = {...process.env}
let plugin: FakePlugin

const run = (argv: string[]) => captureOutput<Record<string, unknown>>(() => Exec.run(argv, import.meta.url))
const pluginArgs = (): string[] => plugin.args()

function given(o: {service?: Service; tasks?: Task[]} = {}): void {
  const tasks = o.tasks ?? [task('0aaa1111'), task('0bbb2222', {startedAt: new Date('2026-11-26T09:00:00Z')})]
  describeServices([o.service ?? service()])
  listTasks(tasks)
  mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({taskDefinition: taskDefinition()})
  mocks.ecs
    .on(ExecuteCommandCommand)
    .callsFake((input: {task: string; container: string}): ExecuteCommandCommandOutput => ({
      $metadata: {},
      clusterArn: CLUSTER_ARN,
      taskArn: input.task,
      containerName: input.container,
      interactive: true,
      session: SESSION,
    }))
}

describe('exec', () => {
  beforeEach(() => {
    resetMocks()
    // The account has the environment's cluster (discovery lists the clusters first).
    accountClusters([{name: CLUSTER}])
    for (const k of ['ENVIRONMENT', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'FAKE_SMP_EXIT', 'FAKE_SMP_STDOUT'])
      delete process.env[k]
    process.env.AWS_REGION = 'us-east-1'
    plugin = fakePluginOnPath('allthrive-exec-')
  })

  afterEach(() => {
    process.env = {...saved}
  })

  it('opens the configured shell in the newest primary task and hands the session to the plugin exactly as the AWS CLI does', async () => {
    given()
    process.env.FAKE_SMP_EXIT = '0'
    const {stderr} = await run(['web', '--yes'])
    expect(mocks.ecs).toHaveReceivedCommandWith(ExecuteCommandCommand, {
      cluster: 'production-allthrive-cluster',
      task: task('0aaa1111').taskArn,
      container: 'web',
      interactive: true,
      command: '/bin/bash',
    })
    expect(pluginArgs()).toEqual([
      'AWS_SSM_START_SESSION_RESPONSE',
      'us-east-1',
      'StartSession',
      '',
      '{"Target":"ecs:production-allthrive-cluster_0aaa1111_0aaa1111-0123456789"}',
      'https://ecs.us-east-1.amazonaws.com',
    ])
    expect(stderr).toContain('Entering production: container web of task 0aaa1111 (production-allthrive-web:42')
    expect(stderr).not.toContain('TOKEN-abc')
    expect(process.exitCode).toBe(0)
  })

  it('on production, says which environment and task it enters, and refuses without a terminal or --yes (exit 2)', async () => {
    given()
    const {stderr, error} = await run(['web', '--', 'ls', '/app'])
    expect(stderr).toContain('Entering production: container web of task 0aaa1111')
    expect(error?.message).toContain(
      'Refusing to run ls /app in task 0aaa1111 of production-allthrive-web on production without confirmation',
    )
    expect(error?.suggestions).toEqual([
      'Re-run with --yes to confirm from a script: allthrive exec web --environment production --yes -- ls /app',
    ])
    expect(error?.oclif?.exit).toBe(2)
    expect(mocks.ecs).not.toHaveReceivedCommand(ExecuteCommandCommand)
  })

  it("never puts the session token on the plugin's command line", async () => {
    given()
    process.env.FAKE_SMP_EXIT = '0'
    await run(['web', '--yes'])
    expect(pluginArgs()[0]).toBe('AWS_SSM_START_SESSION_RESPONSE')
    expect(pluginArgs().join(' ')).not.toContain('TOKEN-abc')
    expect(JSON.parse(plugin.sessionEnv()!)).toEqual(SESSION)
  })

  it("returns the plugin's exit status for a shell session", async () => {
    given()
    process.env.FAKE_SMP_EXIT = '5'
    await run(['web', '--yes', '--environment', 'production'])
    expect(process.exitCode).toBe(5)
  })

  it("runs one command after --, passes the profile, and exits with the remote command's status", async () => {
    given()
    process.env.FAKE_SMP_STDOUT = 'System check identified 2 issues.\r\n__ALLTHRIVE_EXIT=3\r\n'
    const {stdout} = await run([
      'web',
      '--yes',
      '--profile',
      'allthrive-prod',
      '--',
      'python',
      'manage.py',
      'check',
      '--deploy',
    ])
    expect(mocks.ecs).toHaveReceivedCommandWith(ExecuteCommandCommand, {
      interactive: true,
      command: wrapWithExitMarker(['python', 'manage.py', 'check', '--deploy']),
    })
    expect(pluginArgs()[3]).toBe('allthrive-prod')
    expect(stdout).toBe('System check identified 2 issues.\r\n')
    expect(process.exitCode).toBe(3)
  })

  it("with --no-exit-code sends the command as is and returns the plugin's status", async () => {
    given()
    process.env.FAKE_SMP_EXIT = '0'
    await run(['web', '--yes', '--no-exit-code', '--', 'ls', '-la', '/app/my dir'])
    expect(mocks.ecs).toHaveReceivedCommandWith(ExecuteCommandCommand, {command: "ls -la '/app/my dir'"})
    expect(process.exitCode).toBe(0)
  })

  it('honours --task and --container', async () => {
    const two = task('0bbb2222', {}, {name: 'celery', runtimeId: 'celery-rt'})
    given({tasks: [task('0aaa1111'), two]})
    await run(['web', '--yes', '--task', '0bb', '--container', 'celery'])
    expect(mocks.ecs).toHaveReceivedCommandWith(ExecuteCommandCommand, {task: two.taskArn, container: 'celery'})
    expect(pluginArgs()[4]).toBe('{"Target":"ecs:production-allthrive-cluster_0bbb2222_celery-rt"}')
  })

  it('is a usage error listing the matches when --task is ambiguous', async () => {
    given({tasks: [task('3f2a0000'), task('3f2b0000')]})
    const {error} = await run(['web', '--task', '3f2'])
    expect(error?.message).toMatch(/^--task 3f2 matches 2 tasks of production-allthrive-web: 3f2a0000 .*, 3f2b0000/)
    expect(error?.oclif?.exit).toBe(2)
    expect(mocks.ecs).not.toHaveReceivedCommand(ExecuteCommandCommand)
  })

  it('stops before connecting and names the one blocking cause with its fix (exit 1)', async () => {
    given({
      service: service({enableExecuteCommand: false}),
      tasks: [task('0aaa1111', {enableExecuteCommand: false}, {managedAgents: []})],
    })
    const {error} = await run(['web'])
    expect(error?.message).toBe(
      'Cannot open ECS Exec in production-allthrive-web (production): ECS Exec is turned off on production-allthrive-web (enableExecuteCommand is false).',
    )
    expect(error?.suggestions?.[0]).toMatch(
      /^aws ecs update-service --cluster production-allthrive-cluster --service production-allthrive-web --enable-execute-command --force-new-deployment/,
    )
    expect(error?.oclif?.exit).toBe(1)
    expect(mocks.ecs).not.toHaveReceivedCommand(ExecuteCommandCommand)
    expect(existsSync(plugin.argsFile)).toBe(false)
  })

  it('says how to install session-manager-plugin when it is not on PATH', async () => {
    given()
    process.env.PATH = mkdtempSync(join(tmpdir(), 'allthrive-nopath-'))
    const {error} = await run(['web'])
    expect(error?.message).toContain('session-manager-plugin is not on PATH')
    expect(error?.suggestions?.join('\n')).toMatch(/brew install --cask session-manager-plugin[\s\S]*\.deb[\s\S]*\.rpm/)
    expect(error?.oclif?.exit).toBe(1)
  })

  it('names ecs:ExecuteCommand when it is denied', async () => {
    given()
    mocks.ecs.on(ExecuteCommandCommand).rejects(
      new AccessDeniedException({
        message:
          'User: arn:aws:sts::123456789012:assumed-role/dev/me is not authorized to perform: ecs:ExecuteCommand on resource: x',
        $metadata: {httpStatusCode: 400},
      }),
    )
    const {error} = await run(['web', '--yes'])
    expect(error?.message).toBe(
      'You are not allowed to open an ECS Exec session in task 0aaa1111 (ecs:ExecuteCommand was denied).',
    )
    expect(error?.oclif?.exit).toBe(1)
  })

  it('--check --json reports every item and exits 0 when ready, without opening a session', async () => {
    given()
    const {stdout} = await run(['web', '--check', '--json'])
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({
      ready: true,
      cluster: 'production-allthrive-cluster',
      service: 'production-allthrive-web',
      target: {taskId: '0aaa1111', container: 'web'},
    })
    expect(report.items.map((i: {id: string}) => i.id)).toEqual([
      'plugin',
      'service',
      'service-exec',
      'running-task',
      'task-exec',
      'platform-version',
      'container',
      'exec-agent',
      'task-role',
    ])
    expect(mocks.ecs).not.toHaveReceivedCommand(ExecuteCommandCommand)
    expect(process.exitCode).toBe(0)
  })

  it('--check prints each item with the fix, and exits 1 when not ready', async () => {
    given({tasks: [task('0aaa1111', {platformVersion: '1.3.0'})]})
    const {stdout} = await run(['web', '--check'])
    expect(stdout).toContain(
      '  ✖ Fargate platform version 1.4.0 or later — Task 0aaa1111 runs on Fargate platform 1.3.0; ECS Exec needs 1.4.0 or later.',
    )
    expect(stdout).toContain(
      '      fix: aws ecs update-service --cluster production-allthrive-cluster --service production-allthrive-web --platform-version LATEST --force-new-deployment',
    )
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(
      '✖ Not ready. The blocking cause: Task 0aaa1111 runs on Fargate platform 1.3.0; ECS Exec needs 1.4.0 or later.',
    )
    expect(process.exitCode).toBe(1)
  })

  it('says the remote command goes after -- when its flags were read as ours (exit 2)', async () => {
    const {error} = await run(['web', 'python', 'manage.py', 'check', '--deploy'])
    expect(error?.message).toBe(
      "Nonexistent flag: --deploy. A command for the container goes after --, so that its flags are not read as allthrive's.",
    )
    expect(error?.suggestions).toEqual(['allthrive exec web -- <command and its flags>'])
    expect(error?.oclif?.exit).toBe(2)
  })

  it('with --task and no running task at all, names that as the cause (exit 1)', async () => {
    given({tasks: []})
    const {error} = await run(['web', '--task', 'abc'])
    expect(error?.message).toMatch(/: production-allthrive-web has no running task \(desired 2, running 2\)\.$/)
    expect(error?.oclif?.exit).toBe(1)
  })

  it('refuses --json without --check (exit 2)', async () => {
    const {stdout} = await run(['web', '--json'])
    expect(JSON.parse(stdout)).toMatchObject({error: {code: 'JSON_NEEDS_CHECK'}})
    expect(process.exitCode).toBe(2)
    expect(mocks.ecs.calls()).toHaveLength(0)
  })
})
