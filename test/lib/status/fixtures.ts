import {
  type DescribeAlarmHistoryCommandOutput,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
} from '@aws-sdk/client-cloudwatch'
import {FilterLogEventsCommand, type FilterLogEventsCommandOutput} from '@aws-sdk/client-cloudwatch-logs'
import {
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  type ListServicesCommandOutput,
  ListTaskDefinitionsCommand,
  type ListTaskDefinitionsCommandOutput,
  type Service,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs'
import {
  DescribeTargetHealthCommand,
  type DescribeTargetHealthCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {DescribeSecretCommand, type DescribeSecretCommandOutput} from '@aws-sdk/client-secrets-manager'

import {awsError, mocks} from '../../helpers/aws.js'
import {
  deployment,
  describeServices,
  describeTaskDefinitions,
  listTasks,
  service,
  serviceName,
  taskDefinition,
  tdArn,
} from '../../helpers/ecs.js'

export const at = (hhmm: string): Date => new Date(`2026-11-26T${hhmm}:00Z`)
export const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/production-allthrive-web/abc'

/** Revision `rev` of service `key`'s task definition, with an image tag and awslogs options. */
export const td = (key: string, rev: number, tag: string, registered = at('01:00')): TaskDefinition =>
  taskDefinition(
    key,
    {
      registeredAt: registered,
      containerDefinitions: [
        {
          name: key,
          essential: true,
          image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/allthrive:${tag}`,
          logConfiguration: {
            logDriver: 'awslogs',
            options: {'awslogs-group': `/ecs/${serviceName(key)}`, 'awslogs-stream-prefix': 'ecs'},
          },
        },
      ],
    },
    rev,
  )

/** A steady service on revision 42 with a completed deployment at 01:00. */
export const steady = (key: string, overrides: Partial<Service> = {}): Service =>
  service(key, {
    deployments: [deployment(key, {createdAt: at('01:00'), updatedAt: at('01:05')})],
    deploymentConfiguration: {maximumPercent: 200, minimumHealthyPercent: 100},
    events: [],
    ...overrides,
  })

/** An environment of these services, their task definitions and tasks; every other read answers empty. */
export function givenEnvironment(services: Service[], o: {tasks?: Task[]; defs?: TaskDefinition[]} = {}): void {
  mocks.sts.onAnyCommand().resolves({Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/me'})
  mocks.ecs
    .on(ListServicesCommand)
    .resolves({serviceArns: services.map((s) => s.serviceArn!)} satisfies Partial<ListServicesCommandOutput>)
  describeServices(services)
  listTasks(o.tasks ?? [])
  describeTaskDefinitions(
    o.defs ?? services.map((s) => td(s.serviceName!.replace('production-allthrive-', ''), 42, 'v42')),
  )
  mocks.ecs
    .on(ListTaskDefinitionsCommand)
    .resolves({taskDefinitionArns: []} satisfies Partial<ListTaskDefinitionsCommandOutput>)
  unsupportedDeploymentApis()
  mocks.cloudwatch
    .on(DescribeAlarmsCommand)
    .resolves({MetricAlarms: [], CompositeAlarms: []} satisfies Partial<DescribeAlarmsCommandOutput>)
  mocks.cloudwatch
    .on(DescribeAlarmHistoryCommand)
    .resolves({AlarmHistoryItems: []} satisfies Partial<DescribeAlarmHistoryCommandOutput>)
  mocks.secrets.on(DescribeSecretCommand).resolves({Name: 'x'} satisfies Partial<DescribeSecretCommandOutput>)
  mocks.logs.on(FilterLogEventsCommand).resolves({events: []} satisfies Partial<FilterLogEventsCommandOutput>)
  mocks.elbv2
    .on(DescribeTargetHealthCommand)
    .resolves({TargetHealthDescriptions: []} satisfies Partial<DescribeTargetHealthCommandOutput>)
}

/** An account without the service-deployment APIs. */
export function unsupportedDeploymentApis(): void {
  mocks.ecs.on(ListServiceDeploymentsCommand).rejects(awsError('UnknownOperationException', 'Unknown operation'))
  mocks.ecs.on(DescribeServiceDeploymentsCommand).rejects(awsError('UnknownOperationException', 'Unknown operation'))
}

export {tdArn}
