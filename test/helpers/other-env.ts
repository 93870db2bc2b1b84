import {
  type ContainerDefinition,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type Service,
} from '@aws-sdk/client-ecs'

import {mocks} from './aws.js'
import {accountClusters, ECS_ARN, listServices, namedService} from './ecs.js'

/**
 * An environment that departs from the convention: cluster `allthriveai-production`, services
 * `allthriveai-production-<role>` plus a fifth, `allthriveai-production-celery-ai`, all logging
 * into one group `/ecs/allthriveai-production` with stream prefix `ecs`.
 */
export const OTHER = 'allthriveai-production'
export const GROUP = '/ecs/allthriveai-production'
export const ROLES = ['web', 'celery', 'celery-beat', 'weaviate', 'celery-ai']
export const otherName = (role: string): string => `${OTHER}-${role}`
export const otherTd = (role: string): string => `${ECS_ARN}:task-definition/${otherName(role)}:7`

const awslogs = (name: string): ContainerDefinition => ({
  name,
  essential: true,
  logConfiguration: {
    logDriver: 'awslogs',
    options: {'awslogs-group': GROUP, 'awslogs-stream-prefix': 'ecs', 'awslogs-region': 'us-east-1'},
  },
})

/** The other-convention environment: five services, the fifth crash-looping (desired 1, running 0). */
export function otherEnvironment(over: Partial<Record<string, Partial<Service>>> = {}): void {
  accountClusters([{name: OTHER}, {name: 'staging-allthrive-cluster'}])
  listServices(ROLES.map(otherName), OTHER)
  const services = ROLES.map((r) =>
    namedService(
      otherName(r),
      {
        desiredCount: 1,
        runningCount: r === 'celery-ai' ? 0 : 1,
        pendingCount: 0,
        taskDefinition: otherTd(r),
        ...over[r],
      },
      OTHER,
    ),
  )
  mocks.ecs.on(DescribeServicesCommand).callsFake((input: {services: string[]}) => ({
    services: services.filter((s) => input.services.includes(s.serviceName!)),
    failures: input.services
      .filter((n) => !services.some((s) => s.serviceName === n))
      .map((n) => ({arn: n, reason: 'MISSING'})),
  }))
  for (const r of ROLES) {
    mocks.ecs.on(DescribeTaskDefinitionCommand, {taskDefinition: otherTd(r)}).resolves({
      // The worker's container is named "worker", next to a non-essential sidecar.
      taskDefinition: {
        taskDefinitionArn: otherTd(r),
        family: otherName(r),
        revision: 7,
        containerDefinitions:
          r === 'celery-ai' ? [{name: 'log-router', essential: false}, awslogs('worker')] : [awslogs(r)],
      },
    })
  }
}
