import {
  AccessDeniedException,
  ECSClient,
  ExecuteCommandCommand,
  InvalidParameterException,
  TargetNotConnectedException,
} from '@aws-sdk/client-ecs'

import type {AwsClients} from '../../aws/clients.js'
import {deniedAction, describeAwsError} from '../../aws/errors.js'
import {EXIT, UserError} from '../../errors.js'
import {
  pluginArgs,
  pluginVersion,
  runPlugin,
  type RunPluginOptions,
  SESSION_ENV,
  SESSION_ENV_MIN_VERSION,
  versionAtLeast,
} from './plugin.js'
import {type ExecTarget, SSM_MESSAGES_ACTIONS} from './preflight.js'
import {shq} from '../../util/shell.js'

export interface ExecOptions {
  aws: AwsClients
  target: ExecTarget
  /** The ExecuteCommand command string: `shJoin(argv)`, or `wrapWithExitMarker(argv)` with captureExit. */
  command: string
  /** The command was wrapped with `wrapWithExitMarker`: read the remote status from the output. */
  captureExit: boolean
  /** --profile / AWS_PROFILE, handed to the plugin. */
  profile?: string
  signal?: AbortSignal
  plugin?: Pick<RunPluginOptions, 'path' | 'stdout' | 'stderr' | 'env'>
  /** The command that checks ECS Exec for this service and environment (`allthrive exec web -e staging --check`). */
  recheck?: string
  /** Notes for the user (stderr): the warning for a plugin too old to read the session from the environment. */
  warn?: (line: string) => void
}

export interface ExecResult {
  /** What we exit with: the remote status when known, else the plugin's. */
  exitCode: number
  /** The remote command's status, when it was reported (wrapped one-off commands). */
  remoteExit?: number
  pluginExit: number
  /** The command string sent to ExecuteCommand. */
  command: string
}

/** The ECS endpoint URL the client sends to, as the AWS CLI hands it to the plugin ("https://ecs.us-east-1.amazonaws.com"). */
export async function ecsEndpoint(client: ECSClient): Promise<string> {
  const custom = client.config.endpoint ? await client.config.endpoint() : undefined
  if (custom) {
    const path = custom.path && custom.path !== '/' ? custom.path : ''
    return `${custom.protocol}//${custom.hostname}${custom.port ? `:${custom.port}` : ''}${path}`
  }

  const region = await client.config.region()
  const resolved = client.config.endpointProvider({
    Region: region,
    UseFIPS: await client.config.useFipsEndpoint(),
    UseDualStack: await client.config.useDualstackEndpoint(),
  })
  return resolved.url.href.replace(/\/$/, '')
}

/** ExecuteCommand with the failures an on-call engineer meets turned into one cause and its fix. */
async function executeCommand(
  client: ECSClient,
  target: ExecTarget,
  command: string,
  signal?: AbortSignal,
  recheck?: string,
) {
  try {
    return await client.send(
      new ExecuteCommandCommand({
        cluster: target.cluster,
        task: target.taskArn,
        container: target.container,
        interactive: true,
        command,
      }),
      {abortSignal: signal},
    )
  } catch (error) {
    if (error instanceof AccessDeniedException || (error as Error)?.name === 'AccessDeniedException') {
      const action = deniedAction(error) ?? 'ecs:ExecuteCommand'
      throw new UserError(
        `You are not allowed to open an ECS Exec session in task ${target.taskId} (${action} was denied).`,
        {
          code: 'EXEC_ACCESS_DENIED',
          exit: EXIT.FAILED,
          cause: error,
          suggestions: [
            `Grant ${action} on arn:aws:ecs:<region>:<account>:task/${target.cluster}/* to your role; if the policy has conditions (ecs:cluster, ecs:container-name, tags), they must allow container ${target.container}.`,
          ],
        },
      )
    }

    if (error instanceof TargetNotConnectedException) {
      throw new UserError(
        `ECS could not reach the exec agent in task ${target.taskId} (TargetNotConnectedException).`,
        {
          code: 'EXEC_TARGET_NOT_CONNECTED',
          exit: EXIT.FAILED,
          cause: error,
          suggestions: [
            `The task role must allow ${SSM_MESSAGES_ACTIONS.join(', ')} (on "*").`,
            "The task's subnets must reach ssmmessages.<region>.amazonaws.com: a NAT gateway, or an ssmmessages VPC endpoint (interface) with private DNS.",
            `The agent may not have started: run ${recheck ?? 'allthrive exec <service> -e <environment> --check'}` +
              ' and replace the task if ExecuteCommandAgent is not RUNNING.',
          ],
        },
      )
    }

    if (error instanceof InvalidParameterException && /execute command/i.test(error.message)) {
      throw new UserError(`ECS refused the session: ${error.message}`, {
        code: 'EXEC_NOT_ENABLED',
        exit: EXIT.FAILED,
        cause: error,
        suggestions: [
          `aws ecs update-service --cluster ${shq(target.cluster)} --service ${shq(target.service)} --enable-execute-command --force-new-deployment`,
        ],
      })
    }

    throw error
  }
}

/** Opens the session and hands it to the plugin; resolves with the exit status to return. */
export async function execInContainer(opts: ExecOptions): Promise<ExecResult> {
  const client = opts.aws.client(ECSClient)
  const {command} = opts
  const response = await executeCommand(client, opts.target, command, opts.signal, opts.recheck)
  if (!response.session?.sessionId || !response.session.streamUrl || !response.session.tokenValue) {
    throw new UserError(`ExecuteCommand returned no session for task ${opts.target.taskId}.`, {
      exit: EXIT.FAILED,
      code: 'EXEC_NO_SESSION',
    })
  }

  const [region, endpoint, version] = await Promise.all([
    client.config.region(),
    ecsEndpoint(client),
    pluginVersion(opts.plugin?.path, opts.plugin?.env),
  ])
  const viaEnv = version !== undefined && versionAtLeast(version, SESSION_ENV_MIN_VERSION)
  if (!viaEnv) {
    ;(opts.warn ?? ((l: string) => process.stderr.write(`${l}\n`)))(
      `Warning: session-manager-plugin ${version ?? '(version unknown)'} is older than ${SESSION_ENV_MIN_VERSION} and ` +
        `cannot read the session from ${SESSION_ENV}: its token is passed on the command line, where other users ` +
        'of this machine can see it in the process list. Update the plugin.',
    )
  }

  const handoff = pluginArgs(
    {
      session: response.session,
      region,
      profile: opts.profile,
      cluster: response.clusterArn ?? opts.target.cluster,
      task: response.taskArn ?? opts.target.taskArn,
      runtimeId: opts.target.runtimeId,
      endpoint,
    },
    {viaEnv},
  )
  let run
  try {
    run = await runPlugin(handoff.args, {
      ...opts.plugin,
      env: {...(opts.plugin?.env ?? process.env), ...handoff.env},
      captureExit: opts.captureExit,
    })
  } catch (error) {
    throw new UserError(`Could not start session-manager-plugin: ${describeAwsError(error)}.`, {
      exit: EXIT.FAILED,
      code: 'PLUGIN_FAILED',
      cause: error,
    })
  }

  const exitCode = run.remoteExit ?? (opts.captureExit && run.pluginExit === 0 ? EXIT.FAILED : run.pluginExit)
  return {
    exitCode,
    pluginExit: run.pluginExit,
    ...(run.remoteExit !== undefined && {remoteExit: run.remoteExit}),
    command,
  }
}
