import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {delimiter, join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {findPlugin, pluginArgs, runPlugin, versionAtLeast} from '../../../src/lib/exec/plugin.js'
import {fakePlugin} from '../../helpers/plugin.js'

describe('findPlugin', () => {
  it('finds an executable session-manager-plugin on PATH, and nothing otherwise', () => {
    const {dir} = fakePlugin()
    const empty = mkdtempSync(join(tmpdir(), 'allthrive-empty-'))
    expect(findPlugin({PATH: [empty, dir].join(delimiter)}, 'linux')).toBe(join(dir, 'session-manager-plugin'))
    expect(findPlugin({PATH: empty}, 'linux')).toBeUndefined()
    const notExecutable = mkdtempSync(join(tmpdir(), 'allthrive-noexec-'))
    writeFileSync(join(notExecutable, 'session-manager-plugin'), '', {mode: 0o644})
    expect(findPlugin({PATH: notExecutable}, 'linux')).toBeUndefined()
  })
})

describe("pluginArgs (the AWS CLI's order)", () => {
  const handoff = {
    session: {
      sessionId: 'ecs-execute-command-0abc',
      streamUrl: 'wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/x',
      tokenValue: 'TOKEN',
    },
    region: 'us-east-1',
    profile: undefined,
    cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/production-allthrive-cluster',
    task: 'arn:aws:ecs:us-east-1:123456789012:task/production-allthrive-cluster/0123456789abcdef',
    runtimeId: '0123456789abcdef-1234567890',
    endpoint: 'https://ecs.us-east-1.amazonaws.com',
  }
  const session =
    '{"sessionId":"ecs-execute-command-0abc","streamUrl":"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/x","tokenValue":"TOKEN"}'
  const rest = [
    'us-east-1',
    'StartSession',
    '',
    '{"Target":"ecs:production-allthrive-cluster_0123456789abcdef_0123456789abcdef-1234567890"}',
    'https://ecs.us-east-1.amazonaws.com',
  ]

  it('names AWS_SSM_START_SESSION_RESPONSE, which carries the session; then region, StartSession, profile, target JSON, endpoint', () => {
    const {args, env} = pluginArgs(handoff)
    expect(args).toEqual(['AWS_SSM_START_SESSION_RESPONSE', ...rest])
    expect(env).toEqual({AWS_SSM_START_SESSION_RESPONSE: session})
    expect(args.join(' ')).not.toContain('TOKEN')
  })

  it('puts the session JSON first only for old plugins', () => {
    expect(pluginArgs(handoff, {viaEnv: false})).toEqual({args: [session, ...rest], env: {}})
  })

  it('compares plugin versions part by part', () => {
    expect(versionAtLeast('1.2.707.0', '1.2.497.0')).toBe(true)
    expect(versionAtLeast('1.2.497.0', '1.2.497.0')).toBe(true)
    expect(versionAtLeast('1.2.331.0', '1.2.497.0')).toBe(false)
    expect(versionAtLeast('1.10.0.0', '1.2.497.0')).toBe(true)
  })
})

describe('runPlugin', () => {
  it("passes the arguments through unchanged and returns the plugin's exit status", async () => {
    const fake = fakePlugin()
    const args = [
      '{"a":"b c"}',
      'eu-west-1',
      'StartSession',
      '',
      '{"Target":"ecs:x_y_z"}',
      'https://ecs.eu-west-1.amazonaws.com',
    ]
    const run = await runPlugin(args, {
      path: fake.path,
      env: {...process.env, FAKE_SMP_ARGS_FILE: fake.argsFile, FAKE_SMP_EXIT: '7'},
    })
    expect(run).toEqual({pluginExit: 7})
    expect(fake.args()).toEqual(args)
  })

  it("reads the remote status from the output when asked, and keeps stdout the remote's", async () => {
    const {dir} = fakePlugin()
    let out = ''
    let err = ''
    const run = await runPlugin([], {
      path: join(dir, 'session-manager-plugin'),
      captureExit: true,
      stdout: (t) => {
        out += t
      },
      stderr: (t) => {
        err += t
      },
      env: {
        ...process.env,
        FAKE_SMP_STDOUT:
          '\nStarting session with SessionId: s-1\nSystem check identified no issues.\r\n__ALLTHRIVE_EXIT=4\r\n',
      },
    })
    expect(run).toEqual({pluginExit: 0, remoteExit: 4})
    expect(out).toBe('\nSystem check identified no issues.\r\n')
    expect(err).toBe('Starting session with SessionId: s-1\n')
  })

  it("survives the user's Ctrl+C while the plugin runs (the plugin handles it), then stops ignoring it", async () => {
    const {dir} = fakePlugin()
    const before = process.listenerCount('SIGINT')
    const run = await runPlugin([], {
      path: join(dir, 'session-manager-plugin'),
      env: {...process.env, FAKE_SMP_SIGINT_PARENT: '1', FAKE_SMP_EXIT: '0'},
    })
    expect(run.pluginExit).toBe(0)
    expect(process.listenerCount('SIGINT')).toBe(before)
  })

  it('rejects when the plugin cannot be started', async () => {
    await expect(runPlugin([], {path: join(tmpdir(), 'no-such-plugin-here')})).rejects.toMatchObject({code: 'ENOENT'})
  })
})
