import {
  ClusterNotFoundException,
  DescribeTaskDefinitionCommand,
  ECSClient,
  paginateListTasks,
  type Service,
} from '@aws-sdk/client-ecs'

import type {AwsClients} from '../../aws/clients.js'
import type {EnvConfig, ServiceConfig} from '../../config.js'
import {describeServicesOf, describeTasksOf, taskDefinitionLabel, taskId} from '../../resources/ecs.js'
import {findPlugin, PLUGIN, PLUGIN_INSTALL_HINTS} from './plugin.js'
import {execContainer, isFargate, platformTooOld} from './readiness.js'
import {chooseTask, execAgent, isPrimaryTask, matchTask} from './select-task.js'
import {shq} from '../../util/shell.js'

export {platformTooOld} from './readiness.js'

/**
 * ECS Exec preflight, in the spirit of aws-containers/amazon-ecs-exec-checker: one item per
 * requirement, in the order a fix has to happen. The first failing item is THE blocking cause.
 */

export type ItemStatus = 'pass' | 'fail' | 'skip'

export interface PreflightItem {
  id: string
  title: string
  status: ItemStatus
  summary: string
  /** The fix, as a command or a change to make. */
  fix?: string
}

export interface ExecTarget {
  cluster: string
  service: string
  taskArn: string
  taskId: string
  container: string
  runtimeId: string
  taskDefinition: string
  startedAt?: Date
}

export interface Preflight {
  ready: boolean
  /** The first failing item: what blocks ECS Exec. */
  blocking?: PreflightItem
  items: PreflightItem[]
  /** Where exec would connect (set when ready). */
  target?: ExecTarget
  /** The task looked at, ready or not. */
  task?: {taskArn: string; taskId: string; lastStatus?: string; taskDefinition: string}
}

export interface PreflightOptions {
  env: EnvConfig
  aws: AwsClients
  service: ServiceConfig
  /** --container (default: the service's container from config). */
  container?: string
  /** --task: id, ARN or unique prefix. */
  task?: string
  signal?: AbortSignal
  /** Plugin lookup (tests). */
  findPlugin?: () => string | undefined
}

export const SSM_MESSAGES_ACTIONS = [
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
]

export const TITLES: Record<string, string> = {
  plugin: `${PLUGIN} installed`,
  service: 'Service exists and is active',
  'service-exec': 'enableExecuteCommand on the service',
  'running-task': 'A running task to connect to',
  'task-exec': 'enableExecuteCommand on the task',
  'platform-version': 'Fargate platform version 1.4.0 or later',
  container: 'Container running',
  'exec-agent': 'ExecuteCommandAgent running in the container',
  'task-role': 'Task role for the SSM channels',
}

export async function runPreflight(opts: PreflightOptions): Promise<Preflight> {
  const {env, service: svc} = opts
  const cluster = env.cluster
  const container = opts.container ?? svc.container
  const ecs = opts.aws.client(ECSClient)
  const items: PreflightItem[] = []
  const add = (id: string, status: ItemStatus, summary: string, fix?: string): void => {
    items.push({id, title: TITLES[id], status, summary, ...(fix && status === 'fail' && {fix})})
  }

  const skipRest = (ids: string[], why: string): void => {
    for (const id of ids) add(id, 'skip', why)
  }

  const finish = (extra: Partial<Preflight> = {}): Preflight => {
    const blocking = items.find((i) => i.status === 'fail')
    return {ready: !blocking, ...(blocking && {blocking}), items, ...extra}
  }

  const pluginPath = (opts.findPlugin ?? findPlugin)()
  if (pluginPath) add('plugin', 'pass', `found at ${pluginPath}`)
  else
    add(
      'plugin',
      'fail',
      `${PLUGIN} is not on PATH: the AWS CLI and allthrive need it to open ECS Exec sessions.`,
      PLUGIN_INSTALL_HINTS.join('\n'),
    )

  // The service and its running tasks, concurrently.
  let service: Service | undefined
  let arns: string[]
  try {
    const [described, listed] = await Promise.all([
      describeServicesOf({aws: opts.aws, signal: opts.signal}, cluster, [svc.name]),
      (async () => {
        const all: string[] = []
        for await (const page of paginateListTasks(
          {client: ecs},
          {cluster, serviceName: svc.name, desiredStatus: 'RUNNING'},
        ))
          all.push(...(page.taskArns ?? []))
        return all
      })(),
    ])
    const mine = described.filter((s) => s.serviceName === svc.name || s.serviceArn === svc.name)
    service = mine.find((s) => s.status === 'ACTIVE') ?? mine[0]
    arns = listed
  } catch (error) {
    if (!(error instanceof ClusterNotFoundException)) throw error
    add(
      'service',
      'fail',
      `Cluster ${cluster} does not exist in this account and region.`,
      'Check --environment, --region and --profile, or set "cluster" in allthrive.config.json.',
    )
    skipRest(
      ['service-exec', 'running-task', 'task-exec', 'platform-version', 'container', 'exec-agent', 'task-role'],
      'no cluster',
    )
    return finish()
  }

  if (!service || service.status !== 'ACTIVE') {
    add(
      'service',
      'fail',
      service
        ? `Service ${svc.name} is ${service.status} in ${cluster}.`
        : `Service ${svc.name} was not found in ${cluster}.`,
      `List the cluster's services: aws ecs list-services --cluster ${shq(cluster)}; set services.${svc.key}.name in allthrive.config.json if it is named differently.`,
    )
    skipRest(
      ['service-exec', 'running-task', 'task-exec', 'platform-version', 'container', 'exec-agent', 'task-role'],
      'no service',
    )
    return finish()
  }

  add('service', 'pass', `${svc.name} in ${cluster}`)
  const enableFix = `aws ecs update-service --cluster ${shq(cluster)} --service ${shq(svc.name)} --enable-execute-command --force-new-deployment`
  if (service.enableExecuteCommand) add('service-exec', 'pass', 'enabled')
  else
    add(
      'service-exec',
      'fail',
      `ECS Exec is turned off on ${svc.name} (enableExecuteCommand is false).`,
      `${enableFix}   (new tasks get the exec agent; wait for the deployment to finish)`,
    )

  // Describe the running tasks (100 per call), keep the service's own (some emulators ignore serviceName).
  const tasks = (await describeTasksOf(ecs, cluster, arns, opts.signal)).filter(
    (t) => !t.group || t.group === `service:${svc.name}`,
  )
  const running = tasks.filter(
    (t) => t.lastStatus === 'RUNNING' || t.lastStatus === 'PENDING' || t.lastStatus === 'ACTIVATING',
  )

  const task =
    opts.task && running.length > 0
      ? matchTask(running, opts.task, svc.name)
      : chooseTask(
          running.filter((t) => t.lastStatus === 'RUNNING'),
          service,
          container,
        )
  if (!task) {
    const pending = running.length
    add(
      'running-task',
      'fail',
      pending > 0
        ? `${svc.name} has ${pending} task${pending === 1 ? '' : 's'} starting but none RUNNING yet.`
        : `${svc.name} has no running task (desired ${service.desiredCount ?? 0}, running ${service.runningCount ?? 0}).`,
      pending > 0
        ? 'Wait until a task is RUNNING, then try again.'
        : // Desired > 0 and nothing running: the tasks keep stopping; raising the desired count would not help.
          (service.desiredCount ?? 0) > 0
          ? `Its tasks keep stopping: see the last one's stop reason and logs with: allthrive logs tail ${shq(svc.key)} -e ${shq(opts.env.name)} --previous` +
            `; and: allthrive validate -e ${shq(opts.env.name)} --only ecs-services`
          : `Start one: aws ecs update-service --cluster ${shq(cluster)} --service ${shq(svc.name)} --desired-count 1` +
            `; see why tasks stop with: allthrive validate -e ${shq(opts.env.name)} --only ecs-services`,
    )
    skipRest(['task-exec', 'platform-version', 'container', 'exec-agent', 'task-role'], 'no running task')
    return finish()
  }

  const id = taskId(task.taskArn)
  const tdLabel = taskDefinitionLabel(task.taskDefinitionArn)
  const taskInfo = {taskArn: task.taskArn!, taskId: id, lastStatus: task.lastStatus, taskDefinition: tdLabel}
  const primary = isPrimaryTask(task, service)
  add(
    'running-task',
    task.lastStatus === 'RUNNING' ? 'pass' : 'fail',
    `task ${id} (${tdLabel}, ${task.lastStatus}${primary ? '' : ', not of the PRIMARY deployment'}${task.startedAt ? `, started ${task.startedAt.toISOString()}` : ''})`,
    'Wait until the task is RUNNING, or pick another with --task.',
  )

  if (task.enableExecuteCommand) add('task-exec', 'pass', 'enabled')
  else {
    add(
      'task-exec',
      'fail',
      service.enableExecuteCommand
        ? `Task ${id} was started before ECS Exec was turned on, so it has no exec agent.`
        : `Task ${id} was started without ECS Exec (enableExecuteCommand is false).`,
      service.enableExecuteCommand
        ? `Replace the tasks: aws ecs update-service --cluster ${shq(cluster)} --service ${shq(svc.name)} --force-new-deployment`
        : enableFix,
    )
  }

  if (!isFargate(task)) add('platform-version', 'skip', `${task.launchType ?? 'EC2'} launch type: no platform version`)
  else if (platformTooOld(task.platformVersion) && !/windows/i.test(task.platformFamily ?? '')) {
    add(
      'platform-version',
      'fail',
      `Task ${id} runs on Fargate platform ${task.platformVersion}; ECS Exec needs 1.4.0 or later.`,
      `aws ecs update-service --cluster ${shq(cluster)} --service ${shq(svc.name)} --platform-version LATEST --force-new-deployment`,
    )
  } else add('platform-version', 'pass', task.platformVersion ?? 'LATEST')

  // The same container the exec-ready check judges (lib/exec/readiness): --container exactly, else the model's or the only one.
  const c = execContainer(task, container, {explicit: Boolean(opts.container)})
  const names = (task.containers ?? []).map((x) => x.name).join(', ') || 'none'
  if (!c)
    add(
      'container',
      'fail',
      `Task ${id} has no container named "${container}" (containers: ${names}).`,
      `Pass --container with one of: ${names}; or set services.${svc.key}.container in allthrive.config.json.`,
    )
  else if (c.lastStatus === 'RUNNING') add('container', 'pass', `${c.name} (${c.lastStatus})`)
  else
    add(
      'container',
      'fail',
      `Container ${c.name} of task ${id} is ${c.lastStatus ?? 'not running'}${c.reason ? `: ${c.reason}` : ''}.`,
      'Wait until it is RUNNING, or pick another task with --task.',
    )

  const agent = execAgent(c)
  if (!c) add('exec-agent', 'skip', 'no such container')
  else if (agent?.lastStatus === 'RUNNING') add('exec-agent', 'pass', 'RUNNING')
  else if (!agent) {
    add(
      'exec-agent',
      task.enableExecuteCommand ? 'fail' : 'skip',
      task.enableExecuteCommand
        ? `Container ${container} reports no ExecuteCommandAgent.`
        : 'the task was started without ECS Exec',
      `Replace the task: aws ecs stop-task --cluster ${shq(cluster)} --task ${shq(id)} --reason "restart for ECS Exec"   (the service starts a new one)`,
    )
  } else {
    const pending = agent.lastStatus === 'PENDING'
    add(
      'exec-agent',
      'fail',
      `The ExecuteCommandAgent in ${container} is ${agent.lastStatus ?? 'not running'}${agent.reason ? `: ${agent.reason}` : ''}.`,
      pending
        ? 'The agent is still starting: try again in a minute.'
        : `Check the task role allows ${SSM_MESSAGES_ACTIONS.join(', ')} and the subnets reach the ssmmessages endpoint (a NAT gateway or an ssmmessages VPC endpoint), then replace the task: aws ecs stop-task --cluster ${shq(cluster)} --task ${shq(id)}`,
    )
  }

  // The task role: from the task's overrides, else its task definition.
  let taskRoleArn = task.overrides?.taskRoleArn
  if (!taskRoleArn && task.taskDefinitionArn) {
    const td = await ecs.send(new DescribeTaskDefinitionCommand({taskDefinition: task.taskDefinitionArn}), {
      abortSignal: opts.signal,
    })
    taskRoleArn = td.taskDefinition?.taskRoleArn
  }

  if (taskRoleArn)
    add(
      'task-role',
      'pass',
      `${taskRoleArn.split('/').pop()} (must allow ssmmessages:Create/Open Control/Data Channel; not verified here)`,
    )
  else {
    add(
      'task-role',
      'fail',
      `Task ${id} has no task role (${tdLabel} sets no taskRoleArn): the exec agent needs one to open its SSM channels.`,
      `Give the task definition a taskRoleArn whose role allows ${SSM_MESSAGES_ACTIONS.join(', ')} on "*", then redeploy the service.`,
    )
  }

  const result = finish({task: taskInfo})
  if (!result.ready || !c) return result
  return {
    ...result,
    target: {
      cluster,
      service: svc.name,
      taskArn: task.taskArn!,
      taskId: id,
      container: c.name ?? container,
      runtimeId: c.runtimeId ?? '',
      taskDefinition: tdLabel,
      ...(task.startedAt && {startedAt: task.startedAt}),
    },
  }
}
