import {
  AccessDeniedException,
  ECSClient,
  ExecuteCommandCommand,
  type ExecuteCommandCommandOutput,
  TargetNotConnectedException,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../../src/aws/clients.js'
import {UserError} from '../../../src/errors.js'
import {wrapWithExitMarker} from '../../../src/lib/exec/command-line.js'
import type {ExecTarget} from '../../../src/lib/exec/preflight.js'
import {ecsEndpoint, execInContainer} from '../../../src/lib/exec/session.js'
import {mocks, resetMocks} from '../../helpers/aws.js'
import {fakePlugin} from '../../helpers/plugin.js'
import {CLUSTER, CLUSTER_ARN, task, taskArn, WEB} from './fixtures.js'
import {shJoin} from '../../../src/util/shell.js'

const target: ExecTarget = {
  cluster: CLUSTER,
  service: WEB,
  taskArn: taskArn('0aaa1111'),
  taskId: '0aaa1111',
  container: 'web',
  runtimeId: '0aaa1111-0123456789',
  taskDefinition: `${WEB}:42`,
}
const session: ExecuteCommandCommandOutput = {
  $metadata: {},
  clusterArn: CLUSTER_ARN,
  taskArn: task('0aaa1111').taskArn,
  containerName: 'web',
  interactive: true,
  session: {
    sessionId: 'ecs-execute-command-0abc',
    streamUrl: 'wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/ecs-execute-command-0abc',
    tokenValue: 'TOKEN',
  },
}

function plugin(env: Record<string, string> = {}): {
  path: string
  env: NodeJS.ProcessEnv
  args: () => string[]
  sessionEnv: () => string | undefined
} {
  const fake = fakePlugin()
  return {
    path: fake.path,
    env: {...process.env, FAKE_SMP_ARGS_FILE: fake.argsFile, ...env},
    args: fake.args,
    sessionEnv: fake.sessionEnv,
  }
}

describe('execInContainer', () => {
  beforeEach(() => resetMocks())

  it('sends ExecuteCommand (interactive) and hands the session to the plugin as the AWS CLI does', async () => {
    mocks.ecs.on(ExecuteCommandCommand).resolves(session)
    const p = plugin({FAKE_SMP_EXIT: '0'})
    const aws = createAwsClients({region: 'us-east-1', endpoint: 'https://ecs.us-east-1.amazonaws.com'})
    const r = await execInContainer({
      aws,
      target,
      command: '/bin/bash',
      captureExit: false,
      profile: 'allthrive-prod',
      plugin: {path: p.path, env: p.env},
    })
    expect(mocks.ecs).toHaveReceivedCommandWith(ExecuteCommandCommand, {
      cluster: CLUSTER,
      task: target.taskArn,
      container: 'web',
      interactive: true,
      command: '/bin/bash',
    })
    expect(p.args()).toEqual([
      'AWS_SSM_START_SESSION_RESPONSE',
      'us-east-1',
      'StartSession',
      'allthrive-prod',
      '{"Target":"ecs:production-allthrive-cluster_0aaa1111_0aaa1111-0123456789"}',
      'https://ecs.us-east-1.amazonaws.com',
    ])
    expect(p.args().join(' ')).not.toContain('TOKEN')
    expect(JSON.parse(p.sessionEnv()!)).toEqual(session.session)
    expect(r).toEqual({exitCode: 0, pluginExit: 0, command: '/bin/bash'})
  })

  it('keeps the argument form only for a plugin too old to read the environment variable, with a warning', async () => {
    mocks.ecs.on(ExecuteCommandCommand).resolves(session)
    const p = plugin({FAKE_SMP_VERSION: '1.2.331.0'})
    const warnings: string[] = []
    const aws = createAwsClients({region: 'us-east-1', endpoint: 'https://ecs.us-east-1.amazonaws.com'})
    await execInContainer({
      aws,
      target,
      command: '/bin/bash',
      captureExit: false,
      plugin: {path: p.path, env: p.env},
      warn: (l) => warnings.push(l),
    })
    expect(p.args()[0]).toBe(JSON.stringify(session.session))
    expect(p.sessionEnv()).toBeUndefined()
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('session-manager-plugin 1.2.331.0 is older than 1.2.497.0')
    expect(warnings[0]).not.toContain('TOKEN')
  })

  it("returns the remote status of a wrapped command, not the plugin's 0", async () => {
    mocks.ecs.on(ExecuteCommandCommand).resolves(session)
    const p = plugin({FAKE_SMP_STDOUT: 'boom\r\n__ALLTHRIVE_EXIT=3\r\n'})
    let out = ''
    const command = wrapWithExitMarker(['python', 'manage.py', 'check'])
    const r = await execInContainer({
      aws: createAwsClients({region: 'us-east-1'}),
      target,
      command,
      captureExit: true,
      plugin: {
        path: p.path,
        env: p.env,
        stdout: (t) => {
          out += t
        },
      },
    })
    expect(r).toMatchObject({exitCode: 3, remoteExit: 3, pluginExit: 0})
    expect(out).toBe('boom\r\n')
  })

  it("exits 1 when a wrapped command's status never came and the plugin said 0; the plugin's status when it failed", async () => {
    mocks.ecs.on(ExecuteCommandCommand).resolves(session)
    const exitWith = async (fake: ReturnType<typeof plugin>) =>
      (
        await execInContainer({
          aws: createAwsClients({region: 'us-east-1'}),
          target,
          command: wrapWithExitMarker(['true']),
          captureExit: true,
          plugin: {path: fake.path, env: fake.env, stdout: () => {}},
        })
      ).exitCode
    expect(await exitWith(plugin())).toBe(1)
    expect(await exitWith(plugin({FAKE_SMP_EXIT: '255'}))).toBe(255)
  })

  it('names ecs:ExecuteCommand when access is denied (exit 1)', async () => {
    mocks.ecs.on(ExecuteCommandCommand).rejects(
      new AccessDeniedException({
        message:
          'User: arn:aws:sts::123456789012:assumed-role/dev/me is not authorized to perform: ecs:ExecuteCommand on resource: arn:aws:ecs:us-east-1:123456789012:task/x',
        $metadata: {httpStatusCode: 400},
      }),
    )
    const e = (await execInContainer({
      aws: createAwsClients({region: 'us-east-1'}),
      target,
      command: shJoin(['ls']),
      captureExit: false,
    }).catch((error: unknown) => error)) as UserError
    expect(e).toBeInstanceOf(UserError)
    expect(e.exit).toBe(1)
    expect(e.message).toBe(
      'You are not allowed to open an ECS Exec session in task 0aaa1111 (ecs:ExecuteCommand was denied).',
    )
    expect(e.suggestions[0]).toMatch(
      /^Grant ecs:ExecuteCommand on arn:aws:ecs:<region>:<account>:task\/production-allthrive-cluster\/\*/,
    )
  })

  it('explains TargetNotConnectedException: task role, network path, agent', async () => {
    mocks.ecs.on(ExecuteCommandCommand).rejects(
      new TargetNotConnectedException({
        message: 'The execute command failed due to an internal error. Try again later.',
        $metadata: {},
      }),
    )
    const e = (await execInContainer({
      aws: createAwsClients({region: 'us-east-1'}),
      target,
      command: 'ls',
      captureExit: false,
    }).catch((error: unknown) => error)) as UserError
    expect(e.message).toBe('ECS could not reach the exec agent in task 0aaa1111 (TargetNotConnectedException).')
    expect(e.suggestions.join('\n')).toMatch(
      /ssmmessages:CreateControlChannel[\s\S]*VPC endpoint[\s\S]*ExecuteCommandAgent/,
    )
  })
})

describe('ecsEndpoint', () => {
  it('is the regional endpoint the AWS CLI passes, or the custom endpoint in use', async () => {
    expect(await ecsEndpoint(new ECSClient({region: 'eu-west-1'}))).toBe('https://ecs.eu-west-1.amazonaws.com')
    expect(await ecsEndpoint(new ECSClient({region: 'cn-north-1'}))).toBe('https://ecs.cn-north-1.amazonaws.com.cn')
    expect(await ecsEndpoint(new ECSClient({region: 'us-east-1', endpoint: 'http://127.0.0.1:5055'}))).toBe(
      'http://127.0.0.1:5055',
    )
    expect(await ecsEndpoint(new ECSClient({region: 'us-east-1', useFipsEndpoint: true}))).toBe(
      'https://ecs-fips.us-east-1.amazonaws.com',
    )
  })
})
