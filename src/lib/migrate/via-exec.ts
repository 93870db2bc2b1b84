import type {AwsClients} from '../../aws/clients.js'
import {type EnvConfig, serviceByKey} from '../../config.js'
import {EXIT, UserError} from '../../errors.js'
import {wrapWithExitMarker} from '../exec/command-line.js'
import {type ExecTarget, runPreflight} from '../exec/preflight.js'
import {execInContainer} from '../exec/session.js'
import type {MigrateResult} from './result.js'

/** A running web container to run the migration in, through the `allthrive exec` preflight (not ready → exit 1 with the cause). */
export async function execTargetForMigration(aws: AwsClients, env: EnvConfig): Promise<ExecTarget> {
  const web = serviceByKey(env, 'web')
  const preflight = await runPreflight({env, aws, service: web})
  if (preflight.target) return preflight.target
  throw new UserError(
    `Cannot run the migration in a web container with ECS Exec: ${preflight.blocking?.summary ?? 'no task to connect to.'}`,
    {
      code: 'EXEC_NOT_READY',
      exit: EXIT.FAILED,
      suggestions: [
        ...(preflight.blocking?.fix?.split('\n') ?? []),
        'Or run it as a one-off task: leave out --via exec.',
      ],
    },
  )
}

export interface ViaExecOptions {
  aws: AwsClients
  target: ExecTarget
  command: string[]
  profile?: string
  /** Collect the output into logLines instead of writing it to stdout (--json). */
  collect: boolean
  now?: () => number
}

/** Runs the command in the container through session-manager-plugin; the exit status comes from the exit marker. */
export async function migrateViaExec(o: ViaExecOptions): Promise<MigrateResult> {
  const now = o.now ?? Date.now
  const started = now()
  let collected = ''
  const run = await execInContainer({
    aws: o.aws,
    target: o.target,
    command: wrapWithExitMarker(o.command),
    captureExit: true,
    profile: o.profile,
    ...(o.collect && {
      plugin: {
        stdout: (t: string) => {
          collected += t
        },
      },
    }),
  })
  const remote = run.remoteExit
  return {
    outcome: remote === 0 ? 'succeeded' : 'failed',
    via: 'exec',
    taskArn: o.target.taskArn,
    taskId: o.target.taskId,
    cluster: o.target.cluster,
    taskDefinition: o.target.taskDefinition,
    command: o.command,
    startedAt: new Date(started).toISOString(),
    stoppedAt: new Date(now()).toISOString(),
    durationMs: now() - started,
    exitCode: remote ?? null,
    stopCode: null,
    stoppedReason: null,
    containerReason: null,
    ...(remote === undefined && {
      explanation: {
        summary: `the session ended (session-manager-plugin exit ${run.pluginExit}) before the command reported its exit status`,
        fix: "Run it as a one-off task instead (leave out --via exec), which reports the container's exit code.",
      },
    }),
    logLines: collected.split(/\r?\n/).filter((l, i, all) => l !== '' || i < all.length - 1),
  }
}
