import type {Container, Service, Task, TaskDefinition} from '@aws-sdk/client-ecs'

/** Typed ECS fixtures for the exec and migrate tests: a misnamed field fails to compile. */

export const ACCOUNT = '123456789012'
export const CLUSTER = 'production-allthrive-cluster'
export const CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${CLUSTER}`
export const WEB = 'production-allthrive-web'
export const TD_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${WEB}:42`
export const OLD_TD_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${WEB}:41`
export const PRIMARY_ID = 'ecs-svc/1111111111111111111'
export const taskArn = (id: string, cluster = CLUSTER): string => `arn:aws:ecs:us-east-1:${ACCOUNT}:task/${cluster}/${id}`

export function service(overrides: Partial<Service> = {}, cluster = CLUSTER, name = WEB): Service {
  return {
    serviceName: name,
    serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/${cluster}/${name}`,
    clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${cluster}`,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    taskDefinition: TD_ARN,
    enableExecuteCommand: true,
    networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-web'], assignPublicIp: 'DISABLED'}},
    deployments: [
      {id: PRIMARY_ID, status: 'PRIMARY', taskDefinition: TD_ARN, launchType: 'FARGATE', platformVersion: '1.4.0', rolloutState: 'COMPLETED',
        networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-web'], assignPublicIp: 'DISABLED'}}},
      {id: 'ecs-svc/2222222222222222222', status: 'ACTIVE', taskDefinition: OLD_TD_ARN},
    ],
    ...overrides,
  }
}

export function container(overrides: Partial<Container> = {}): Container {
  return {
    name: 'web',
    runtimeId: 'aaaa1111-2222333344',
    lastStatus: 'RUNNING',
    image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/allthrive-web:v42`,
    managedAgents: [{name: 'ExecuteCommandAgent', lastStatus: 'RUNNING', lastStartedAt: new Date('2026-11-26T10:00:00Z')}],
    ...overrides,
  }
}

export function task(id: string, overrides: Partial<Task> = {}, containerOverrides: Partial<Container> = {}): Task {
  return {
    taskArn: taskArn(id),
    clusterArn: CLUSTER_ARN,
    taskDefinitionArn: TD_ARN,
    group: `service:${WEB}`,
    startedBy: PRIMARY_ID,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    enableExecuteCommand: true,
    createdAt: new Date('2026-11-26T09:59:00Z'),
    startedAt: new Date('2026-11-26T10:00:00Z'),
    containers: [container({taskArn: taskArn(id), runtimeId: `${id}-0123456789`, ...containerOverrides})],
    ...overrides,
  }
}

export function taskDefinition(overrides: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    taskDefinitionArn: TD_ARN,
    family: WEB,
    revision: 42,
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/production-allthrive-task`,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/production-allthrive-execution`,
    containerDefinitions: [{
      name: 'web',
      image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/allthrive-web:v42`,
      essential: true,
      logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': `/ecs/${WEB}`, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs'}},
    }],
    ...overrides,
  }
}
