import type {ContainerDefinition, TaskDefinition} from '@aws-sdk/client-ecs'

/**
 * Readers of a task definition: which container is the service's, and where its logs go.
 * Pure functions over the SDK's TaskDefinition: no AWS call, no verdict.
 */

/**
 * The service's container: the one named `hint` (the configured container, or the role's name),
 * else the only container, else the first essential one, else the first. Undefined without containers.
 */
export function essentialContainer(td: TaskDefinition | undefined, hint?: string): ContainerDefinition | undefined {
  const all = td?.containerDefinitions ?? []
  if (hint) {
    const named = all.find((c) => c.name === hint)
    if (named) return named
  }

  if (all.length <= 1) return all[0]
  // `essential` defaults to true when the task definition leaves it out.
  return all.find((c) => c.essential !== false) ?? all[0]
}

/** Where a container's logs go, as its logConfiguration says. */
export type LogTargetFacts =
  /** awslogs: streams are `<streamPrefix>/<container>/<taskId>` (no prefix: the task id alone). */
  | {kind: 'awslogs'; group: string; streamPrefix?: string; container: string; region?: string}
  /** Another driver (awsfirelens, splunk, …): where the logs go, as far as the options say. */
  | {kind: 'elsewhere'; driver: string; destination: string}
  /** No logConfiguration: the container's output is not kept. */
  | {kind: 'none'}

/** Options of other drivers that name where the logs go, most telling first. */
const DESTINATION_OPTIONS = [
  'Name',
  'splunk-url',
  'host',
  'endpoint',
  'delivery_stream',
  'log_group_name',
  'region',
  'address',
  'tag',
]

/** The container's log target from its logConfiguration. */
export function logTargetOf(
  td: TaskDefinition | undefined,
  container: ContainerDefinition | string | undefined,
): LogTargetFacts {
  const def = typeof container === 'string' ? td?.containerDefinitions?.find((c) => c.name === container) : container
  const log = def?.logConfiguration
  if (!def || !log?.logDriver) return {kind: 'none'}
  const options = log.options ?? {}
  if (log.logDriver === 'awslogs' && options['awslogs-group']) {
    return {
      kind: 'awslogs',
      group: options['awslogs-group'],
      container: def.name ?? '',
      ...(options['awslogs-stream-prefix'] && {streamPrefix: options['awslogs-stream-prefix']}),
      ...(options['awslogs-region'] && {region: options['awslogs-region']}),
    }
  }

  const named = DESTINATION_OPTIONS.filter((k) => options[k]).map((k) => `${k}=${options[k]}`)
  const destination = named.length > 0 ? named.join(', ') : 'not named in the task definition'
  return {kind: 'elsewhere', driver: log.logDriver, destination}
}

/** "logs go to awsfirelens (Name=datadog, host=http-intake.logs.datadoghq.com): they cannot be read here". */
export const elsewhereText = (t: {driver: string; destination: string}): string =>
  `logs go to the ${t.driver} driver (${t.destination}), not CloudWatch Logs: they cannot be read here`

/** The stream of one task: `<prefix>/<container>/<taskId>`, or the task id alone when the group has no prefix. */
export const taskStreamName = (prefix: string | undefined, container: string, taskId: string): string =>
  prefix ? `${prefix}/${container}/${taskId}` : taskId
