import type {Container, Service, Task} from '@aws-sdk/client-ecs'

import {EXIT, UserError} from '../../errors.js'
import {taskId} from '../../resources/ecs.js'

/** The name ECS gives the exec agent in `containers[].managedAgents`. */
export const EXEC_AGENT = 'ExecuteCommandAgent'

export const primaryDeployment = (service: Service) => service.deployments?.find((d) => d.status === 'PRIMARY')

/** The task belongs to the service's PRIMARY deployment (startedBy is the deployment id; else same task definition). */
export function isPrimaryTask(task: Task, service: Service): boolean {
  const primary = primaryDeployment(service)
  if (!primary) return true
  if (task.startedBy && primary.id && task.startedBy === primary.id) return true
  return Boolean(primary.taskDefinition && task.taskDefinitionArn === primary.taskDefinition)
}

export const execAgent = (c: Container | undefined) => c?.managedAgents?.find((a) => a.name === EXEC_AGENT)

const started = (t: Task): number => t.startedAt?.getTime() ?? t.createdAt?.getTime() ?? 0

/**
 * The task to exec into, when the user did not name one: among RUNNING tasks, one of the
 * PRIMARY deployment whose container has the exec agent RUNNING, the most recently started.
 * When none is ready, the best candidate is still returned so the preflight can say why.
 */
export function chooseTask(tasks: Task[], service: Service, container: string): Task | undefined {
  const rank = (t: Task): number[] => {
    const c = t.containers?.find((x) => x.name === container)
    return [
      t.lastStatus === 'RUNNING' ? 1 : 0,
      isPrimaryTask(t, service) ? 1 : 0,
      c ? 1 : 0,
      t.enableExecuteCommand ? 1 : 0,
      execAgent(c)?.lastStatus === 'RUNNING' ? 1 : 0,
      started(t),
    ]
  }

  const better = (a: number[], b: number[]): boolean => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i]
    return false
  }

  let best: {task: Task; rank: number[]} | undefined
  for (const task of tasks) {
    const r = rank(task)
    if (!best || better(r, best.rank)) best = {task, rank: r}
  }

  return best?.task
}

/** `--task`: a task id (or ARN) or a unique prefix of one, among the service's tasks. Usage errors (exit 2) otherwise. */
export function matchTask(tasks: Task[], ref: string, serviceName: string): Task {
  const wanted = ref.includes('/') ? taskId(ref) : ref
  const exact = tasks.find((t) => taskId(t.taskArn) === wanted)
  if (exact) return exact
  const matches = tasks.filter((t) => taskId(t.taskArn).startsWith(wanted))
  if (matches.length === 1) return matches[0]
  const describe = (t: Task): string =>
    `${taskId(t.taskArn)} (${t.lastStatus ?? '?'}${t.startedAt ? `, started ${t.startedAt.toISOString()}` : ''})`
  if (matches.length > 1) {
    throw new UserError(
      `--task ${ref} matches ${matches.length} tasks of ${serviceName}: ${matches.map((t) => describe(t)).join(', ')}.`,
      {
        code: 'AMBIGUOUS_TASK',
        exit: EXIT.USAGE,
        suggestions: ['Give more characters of the task id.'],
      },
    )
  }

  throw new UserError(
    `No running task of ${serviceName} matches --task ${ref}.${tasks.length > 0 ? ` Running tasks: ${tasks.map((t) => describe(t)).join(', ')}.` : ' The service has no running task.'}`,
    {
      code: 'TASK_NOT_FOUND',
      exit: EXIT.USAGE,
      suggestions:
        tasks.length > 0
          ? ['Pass one of the task ids above, or leave out --task to pick one.']
          : ['Leave out --task; see `allthrive exec --check` for why no task is running.'],
    },
  )
}
