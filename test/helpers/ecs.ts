import {
  type Cluster,
  ClusterNotFoundException,
  type Deployment,
  DescribeClustersCommand,
  type DescribeClustersCommandOutput,
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandOutput,
  DescribeTasksCommand,
  type DescribeTasksCommandOutput,
  type Failure,
  ListClustersCommand,
  type ListClustersCommandOutput,
  ListServicesCommand,
  type ListServicesCommandOutput,
  ListTasksCommand,
  type ListTasksCommandOutput,
  type Service,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs'

import {mocks} from './aws.js'

/**
 * Typed ECS fixtures of an environment by the naming convention (production unless
 * named), in the test account and us-east-1: a misnamed field fails to compile.
 * Each builder takes Partial overrides, spread last; a test file keeps its own
 * variations as a thin wrapper over these.
 */

export const ACCOUNT = '123456789012'
/** The prefix of every ECS ARN in the test account and region. */
export const ECS_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}`
export const CLUSTER = 'production-allthrive-cluster'
export const CLUSTER_ARN = `${ECS_ARN}:cluster/${CLUSTER}`
export const KEYS = ['web', 'celery', 'celery-beat', 'weaviate'] as const
export type Key = (typeof KEYS)[number]
export const TASK_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/production-allthrive-task`

export const serviceName = (key: string, env = 'production'): string => `${env}-allthrive-${key}`
export const serviceArn = (name: string, cluster = CLUSTER): string => `${ECS_ARN}:service/${cluster}/${name}`
export const tdArn = (key: string, rev = 42, env = 'production'): string =>
  `${ECS_ARN}:task-definition/${serviceName(key, env)}:${rev}`
export const taskArn = (id: string, cluster = CLUSTER): string => `${ECS_ARN}:task/${cluster}/${id}`

/** An ACTIVE service: its name and ARN, nothing else. */
export const namedService = (name: string, overrides: Partial<Service> = {}, cluster = CLUSTER): Service => ({
  serviceName: name,
  serviceArn: serviceArn(name, cluster),
  status: 'ACTIVE',
  ...overrides,
})

/** The platform's service `key`, steady: 1 task desired and running, none pending, on revision 42. */
export const service = (key: string, overrides: Partial<Service> = {}): Service =>
  namedService(serviceName(key), {
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    taskDefinition: tdArn(key),
    ...overrides,
  })

/** A PRIMARY deployment of revision 42 that completed: 1 task desired and running, none failed. */
export const deployment = (key: string, overrides: Partial<Deployment> = {}): Deployment => ({
  id: `ecs-svc/${key}-1`,
  status: 'PRIMARY',
  taskDefinition: tdArn(key),
  desiredCount: 1,
  runningCount: 1,
  pendingCount: 0,
  failedTasks: 0,
  rolloutState: 'COMPLETED',
  ...overrides,
})

/** A RUNNING task of service `key` on revision 42. */
export const task = (key: string, id: string, overrides: Partial<Task> = {}): Task => ({
  taskArn: taskArn(id),
  group: `service:${serviceName(key)}`,
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  taskDefinitionArn: tdArn(key),
  ...overrides,
})

/** A task of service `key` that stopped at 11:`minute` UTC on 2026-11-26 because its essential container exited. */
export const stoppedTask = (key: string, id: string, minute: number, overrides: Partial<Task> = {}): Task =>
  task(key, id, {
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    stoppedAt: new Date(Date.UTC(2026, 10, 26, 11, minute)),
    ...overrides,
  })

/** Revision `rev` of the task definition of service `key`. */
export const taskDefinition = (
  key: string,
  overrides: Partial<TaskDefinition> = {},
  rev = 42,
  env = 'production',
): TaskDefinition => ({
  taskDefinitionArn: tdArn(key, rev, env),
  family: serviceName(key, env),
  revision: rev,
  ...overrides,
})

/** The platform's services, each built by `build` with its overrides; `null` leaves one out. */
export const platformServices = (
  over: Partial<Record<Key, Partial<Service> | null>> = {},
  build: (key: Key, overrides: Partial<Service>) => Service = service,
): Service[] => KEYS.filter((k) => over[k] !== null).map((k) => build(k, over[k] ?? {}))

/** DescribeServices answers with these services and failures, whatever it is asked. */
export const describeServices = (services: Service[], failures: Failure[] = []) =>
  mocks.ecs.on(DescribeServicesCommand).resolves({services, failures} satisfies Partial<DescribeServicesCommandOutput>)

/** ListTasks lists these tasks whatever its filter (as emulators do), and DescribeTasks describes them. */
export function listTasks(tasks: Task[]): void {
  mocks.ecs
    .on(ListTasksCommand)
    .resolves({taskArns: tasks.map((t) => t.taskArn!)} satisfies Partial<ListTasksCommandOutput>)
  mocks.ecs.on(DescribeTasksCommand).resolves({tasks, failures: []} satisfies Partial<DescribeTasksCommandOutput>)
}

/** DescribeTaskDefinition answers each of these when asked for its ARN. */
export function describeTaskDefinitions(defs: TaskDefinition[]): void {
  for (const td of defs) {
    mocks.ecs
      .on(DescribeTaskDefinitionCommand, {taskDefinition: td.taskDefinitionArn})
      .resolves({taskDefinition: td} satisfies Partial<DescribeTaskDefinitionCommandOutput>)
  }
}

/** The error ECS answers for a cluster that does not exist. */
export const clusterNotFound = (): ClusterNotFoundException =>
  new ClusterNotFoundException({message: 'Cluster not found.', $metadata: {}})

/** DescribeServices fails: the cluster does not exist. */
export const noCluster = () => mocks.ecs.on(DescribeServicesCommand).rejects(clusterNotFound())

/** ListClusters lists these clusters (one page); DescribeClusters describes those asked for that exist, with tags. */
export function accountClusters(clusters: {name: string; tags?: Record<string, string>; status?: string}[]): void {
  const arn = (name: string): string => `${ECS_ARN}:cluster/${name}`
  mocks.ecs
    .on(ListClustersCommand)
    .resolves({clusterArns: clusters.map((c) => arn(c.name))} satisfies Partial<ListClustersCommandOutput>)
  mocks.ecs
    .on(DescribeClustersCommand)
    .callsFake((input: {clusters?: string[]}): Partial<DescribeClustersCommandOutput> => ({
      clusters: clusters
        .filter((c) => (input.clusters ?? []).some((asked) => asked === c.name || asked === arn(c.name)))
        .map((c): Cluster => ({
          clusterName: c.name,
          clusterArn: arn(c.name),
          status: c.status ?? 'ACTIVE',
          tags: Object.entries(c.tags ?? {}).map(([key, value]) => ({key, value})),
        })),
      failures: (input.clusters ?? [])
        .filter((asked) => !clusters.some((c) => asked === c.name || asked === arn(c.name)))
        .map((asked) => ({arn: asked, reason: 'MISSING'})),
    }))
}

/** ListServices lists these services of `cluster` (one page). */
export const listServices = (names: string[], cluster = CLUSTER) =>
  mocks.ecs
    .on(ListServicesCommand, {cluster})
    .resolves({serviceArns: names.map((n) => serviceArn(n, cluster))} satisfies Partial<ListServicesCommandOutput>)
