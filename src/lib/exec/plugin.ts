import {execFile, spawn} from 'node:child_process'
import {accessSync, constants as fsConstants, statSync} from 'node:fs'
import {constants as osConstants} from 'node:os'
import {delimiter, join} from 'node:path'
import {StringDecoder} from 'node:string_decoder'

import {SessionOutputFilter} from './output-filter.js'

/**
 * AWS's session-manager-plugin: finding it, and handing it an ECS Exec session exactly
 * as the AWS CLI does (awscli/customizations/ecs/executecommand.py):
 *
 *   session-manager-plugin AWS_SSM_START_SESSION_RESPONSE <region> StartSession <profile or "">
 *     <{"Target": "ecs:<cluster>_<taskId>_<runtimeId>"}> <ECS endpoint URL>
 *
 * with the session JSON (its token included) in the AWS_SSM_START_SESSION_RESPONSE environment variable, never on
 * the command line where `ps` shows it. Plugins older than 1.2.497.0 only read the session JSON as the first
 * argument: for them (only) the argument form is used, with a warning.
 *
 * with the user's Ctrl+C, Ctrl+\ and Ctrl+Z ignored in our process while it runs (the
 * plugin forwards them to the remote), and its exit status returned as ours.
 */

export const PLUGIN = 'session-manager-plugin'

export const PLUGIN_INSTALL_HINTS = [
  "Install AWS's session-manager-plugin (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html) and put it on PATH:",
  '  macOS:          brew install --cask session-manager-plugin',
  '  Debian/Ubuntu:  curl -fsSLo /tmp/smp.deb https://s3.amazonaws.com/session-manager-downloads/plugin/latest/ubuntu_64bit/session-manager-plugin.deb && sudo dpkg -i /tmp/smp.deb   (arm64: ubuntu_arm64)',
  '  RHEL/Amazon Linux/Fedora:  sudo dnf install -y https://s3.amazonaws.com/session-manager-downloads/plugin/latest/linux_64bit/session-manager-plugin.rpm   (arm64: linux_arm64)',
]

/** The plugin's path on PATH, or undefined. */
export function findPlugin(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean)
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : ['']
  for (const dir of dirs) {
    for (const ext of exts) {
      const file = join(dir, PLUGIN + ext)
      try {
        if (!statSync(file).isFile()) continue
        if (platform !== 'win32') accessSync(file, fsConstants.X_OK)
        return file
      } catch {
        // not here
      }
    }
  }

  return undefined
}

export interface SessionHandoff {
  /** ExecuteCommand's `session`. */
  session: {sessionId?: string; streamUrl?: string; tokenValue?: string}
  region: string
  /** --profile / AWS_PROFILE, or '' (the AWS CLI passes '' when there is none). */
  profile: string | undefined
  /** ARN or name of the cluster, ARN or id of the task (ExecuteCommand's clusterArn/taskArn). */
  cluster: string
  task: string
  /** The container's runtimeId (DescribeTasks containers[].runtimeId). */
  runtimeId: string
  /** The ECS endpoint the session was created through. */
  endpoint: string
}

const lastSegment = (arnOrName: string): string => arnOrName.split('/').pop()!

/** The environment variable the plugin reads the session from when its first argument names it. */
export const SESSION_ENV = 'AWS_SSM_START_SESSION_RESPONSE'
/** The first plugin version that reads the session from SESSION_ENV (as the AWS CLI checks). */
export const SESSION_ENV_MIN_VERSION = '1.2.497.0'

/** The plugin's arguments, in the AWS CLI's order, and the environment that carries the session. */
export function pluginArgs(
  h: SessionHandoff,
  o: {viaEnv?: boolean} = {viaEnv: true},
): {args: string[]; env: Record<string, string>} {
  const {sessionId, streamUrl, tokenValue} = h.session
  const session = JSON.stringify({sessionId, streamUrl, tokenValue})
  const target = {Target: `ecs:${lastSegment(h.cluster)}_${lastSegment(h.task)}_${h.runtimeId}`}
  const rest = [h.region, 'StartSession', h.profile ?? '', JSON.stringify(target), h.endpoint]
  if (o.viaEnv === false) return {args: [session, ...rest], env: {}}
  return {args: [SESSION_ENV, ...rest], env: {[SESSION_ENV]: session}}
}

/** "1.2.707.0" ≥ "1.2.497.0", numerically part by part. */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number)
  const b = min.split('.').map(Number)
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d > 0
  }

  return true
}

/** `session-manager-plugin --version` ("1.2.707.0"), or undefined when it does not say within 5 s. */
export function pluginVersion(
  path: string = PLUGIN,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], {timeout: 5000, env}, (error, stdout) => {
      resolve(error ? undefined : /\d+(\.\d+)+/.exec(String(stdout))?.[0])
    })
  })
}

export interface PluginRun {
  /** The plugin's exit status (128 + signal number when a signal ended it). */
  pluginExit: number
  /** With `captureExit`: the remote command's status read from the marker line, if it came. */
  remoteExit?: number
}

export interface RunPluginOptions {
  /** Path of the plugin (default: found on PATH). */
  path?: string
  /** Read the exit marker from stdout (one-off wrapped command); otherwise stdio is passed through untouched. */
  captureExit?: boolean
  /** Where filtered stdout / plugin chatter go (default process.stdout / process.stderr). */
  stdout?: (text: string) => void
  stderr?: (text: string) => void
  env?: NodeJS.ProcessEnv
}

/** Signals the user types at the terminal; the plugin handles them for the remote side. */
const userSignals = (): NodeJS.Signals[] =>
  process.platform === 'win32' ? ['SIGINT'] : ['SIGINT', 'SIGQUIT', 'SIGTSTP']

/** Runs the plugin with the terminal passed through and returns its exit status. */
export async function runPlugin(args: string[], opts: RunPluginOptions = {}): Promise<PluginRun> {
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t))
  const err = opts.stderr ?? ((t: string) => process.stderr.write(t))
  // Ignore the user's signals before the plugin exists, as the AWS CLI does (ignore_user_entered_signals).
  const ignore = (): void => {}
  const signals = userSignals()
  for (const s of signals) process.on(s, ignore)
  try {
    const child = spawn(opts.path ?? PLUGIN, args, {
      stdio: ['inherit', opts.captureExit ? 'pipe' : 'inherit', 'inherit'],
      env: opts.env ?? process.env,
    })
    const filter = opts.captureExit ? new SessionOutputFilter(out, err) : undefined
    if (filter && child.stdout) {
      const decoder = new StringDecoder('utf8')
      child.stdout.on('data', (chunk: Buffer) => filter.push(decoder.write(chunk)))
      child.stdout.on('end', () => filter.push(decoder.end()))
    }

    const pluginExit = await new Promise<number>((resolve, reject) => {
      child.once('error', reject)
      child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0)))
    })
    filter?.end()
    return {pluginExit, ...(filter?.exitCode !== undefined && {remoteExit: filter.exitCode})}
  } finally {
    for (const s of signals) process.off(s, ignore)
  }
}
