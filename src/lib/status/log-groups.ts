import type {TaskDefinition} from '@aws-sdk/client-ecs'

/** Where a task definition's essential container writes its logs (awslogs driver). */
export interface LogTarget {
  group: string
  /** Stream name prefix of this container's streams: "<awslogs-stream-prefix>/<container>/". */
  streamPrefix?: string
  container: string
}

/**
 * The log group of a task definition, from its essential container's `logConfiguration.options`
 * (`awslogs-group`, `awslogs-stream-prefix`); undefined when it does not use awslogs.
 * One small function on purpose: the discovery layer may offer its own reader to swap in.
 */
export function logTargetOf(td: TaskDefinition): LogTarget | undefined {
  const containers = td.containerDefinitions ?? []
  const c =
    containers.find((x) => x.essential !== false && x.logConfiguration?.options?.['awslogs-group']) ??
    containers.find((x) => x.logConfiguration?.options?.['awslogs-group'])
  const options = c?.logConfiguration?.options
  if (!c?.name || !options?.['awslogs-group']) return undefined
  const prefix = options['awslogs-stream-prefix']
  return {group: options['awslogs-group'], container: c.name, ...(prefix && {streamPrefix: `${prefix}/${c.name}/`})}
}
