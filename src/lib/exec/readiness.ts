import type {Container, Task} from '@aws-sdk/client-ecs'

import {execAgent} from './select-task.js'

/**
 * The one model of ECS Exec readiness of a task, used by `allthrive exec` (its preflight, and
 * --check) and by the `exec-ready` check of validate: the same task gets the same verdict from both.
 */

/**
 * Linux Fargate "1.3.0" < "1.4.0"; "LATEST" and unknown forms count as new enough (Windows
 * Fargate has its own 1.0.0, which supports exec).
 */
export function platformTooOld(version: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version ?? '')
  if (!m) return false
  const [major, minor] = [Number(m[1]), Number(m[2])]
  return major < 1 || (major === 1 && minor < 4)
}

export const isFargate = (t: Task): boolean =>
  t.launchType === 'FARGATE' || Boolean(t.capacityProviderName?.startsWith('FARGATE'))

/** The task runs on a Linux Fargate platform too old for ECS Exec. */
export const oldFargate = (t: Task): boolean =>
  isFargate(t) && !/windows/i.test(t.platformFamily ?? '') && platformTooOld(t.platformVersion)

/**
 * The container ECS Exec connects to: the one named `name` (the service's container, read from
 * its task definition, or --container). A task with a single container gets that one when the
 * name came from the model, not from --container (`explicit`): it is the only place to connect to.
 */
export function execContainer(task: Task, name: string, opts: {explicit?: boolean} = {}): Container | undefined {
  const named = task.containers?.find((c) => c.name === name)
  if (named || opts.explicit) return named
  return task.containers?.length === 1 ? task.containers[0] : undefined
}

/** The requirements a running task must meet, in the order a fix has to happen. */
export type TaskRequirement = 'task-exec' | 'platform-version' | 'container' | 'exec-agent' | 'task-role'

export interface TaskReadiness {
  ready: boolean
  /** The container exec connects to, when the task has it. */
  container?: Container
  /** The requirements not met, in order. */
  unmet: TaskRequirement[]
}

/** Whether ECS Exec can open a session in this task now. `taskRoleArn`: the task's override, else its definition's. */
export function taskReadiness(
  task: Task,
  o: {container: string; explicit?: boolean; taskRoleArn?: string},
): TaskReadiness {
  const container = execContainer(task, o.container, {explicit: o.explicit})
  const unmet: TaskRequirement[] = []
  if (!task.enableExecuteCommand) unmet.push('task-exec')
  if (oldFargate(task)) unmet.push('platform-version')
  if (container?.lastStatus !== 'RUNNING') unmet.push('container')
  if (container && execAgent(container)?.lastStatus !== 'RUNNING') unmet.push('exec-agent')
  if (!o.taskRoleArn) unmet.push('task-role')
  return {ready: unmet.length === 0, ...(container && {container}), unmet}
}
