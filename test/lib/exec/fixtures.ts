import type {Container, NetworkConfiguration, Service, Task, TaskDefinition} from '@aws-sdk/client-ecs'

import {
  ACCOUNT,
  CLUSTER,
  CLUSTER_ARN,
  ECS_ARN,
  namedService,
  serviceName,
  TASK_ROLE_ARN,
  task as ecsTask,
  taskArn,
  taskDefinition as ecsTaskDefinition,
  tdArn,
} from '../../helpers/ecs.js'

/** Typed ECS fixtures of the web service for the exec and migrate tests, over test/helpers/ecs.ts. */

export {ACCOUNT, CLUSTER, CLUSTER_ARN, taskArn} from '../../helpers/ecs.js'
export const WEB = serviceName('web')
export const TD_ARN = tdArn('web')
export const OLD_TD_ARN = tdArn('web', 41)
export const PRIMARY_ID = 'ecs-svc/1111111111111111111'

/** The web service's network: private subnets in two AZs, its security group, no public IP. */
const network = (): NetworkConfiguration => ({
  awsvpcConfiguration: {subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-web'], assignPublicIp: 'DISABLED'},
})

export function service(overrides: Partial<Service> = {}, cluster = CLUSTER, name = WEB): Service {
  return namedService(
    name,
    {
      clusterArn: `${ECS_ARN}:cluster/${cluster}`,
      desiredCount: 2,
      runningCount: 2,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      taskDefinition: TD_ARN,
      enableExecuteCommand: true,
      networkConfiguration: network(),
      deployments: [
        {
          id: PRIMARY_ID,
          status: 'PRIMARY',
          taskDefinition: TD_ARN,
          launchType: 'FARGATE',
          platformVersion: '1.4.0',
          rolloutState: 'COMPLETED',
          networkConfiguration: network(),
        },
        {id: 'ecs-svc/2222222222222222222', status: 'ACTIVE', taskDefinition: OLD_TD_ARN},
      ],
      ...overrides,
    },
    cluster,
  )
}

export function container(overrides: Partial<Container> = {}): Container {
  return {
    name: 'web',
    runtimeId: 'aaaa1111-2222333344',
    lastStatus: 'RUNNING',
    image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/allthrive-web:v42`,
    managedAgents: [
      {name: 'ExecuteCommandAgent', lastStatus: 'RUNNING', lastStartedAt: new Date('2026-11-26T10:00:00Z')},
    ],
    ...overrides,
  }
}

export function task(id: string, overrides: Partial<Task> = {}, containerOverrides: Partial<Container> = {}): Task {
  return ecsTask('web', id, {
    clusterArn: CLUSTER_ARN,
    startedBy: PRIMARY_ID,
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    enableExecuteCommand: true,
    createdAt: new Date('2026-11-26T09:59:00Z'),
    startedAt: new Date('2026-11-26T10:00:00Z'),
    containers: [container({taskArn: taskArn(id), runtimeId: `${id}-0123456789`, ...containerOverrides})],
    ...overrides,
  })
}

export function taskDefinition(overrides: Partial<TaskDefinition> = {}): TaskDefinition {
  return ecsTaskDefinition('web', {
    taskRoleArn: TASK_ROLE_ARN,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/production-allthrive-execution`,
    containerDefinitions: [
      {
        name: 'web',
        image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/allthrive-web:v42`,
        essential: true,
        logConfiguration: {
          logDriver: 'awslogs',
          options: {'awslogs-group': `/ecs/${WEB}`, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs'},
        },
      },
    ],
    ...overrides,
  })
}
