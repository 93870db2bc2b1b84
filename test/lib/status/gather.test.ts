import {
  DescribeAlarmHistoryCommand,
  type DescribeAlarmHistoryCommandOutput,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
} from '@aws-sdk/client-cloudwatch'
import {FilterLogEventsCommand, type FilterLogEventsCommandOutput} from '@aws-sdk/client-cloudwatch-logs'
import {
  DescribeServiceDeploymentsCommand,
  type DescribeServiceDeploymentsCommandOutput,
  DescribeServiceRevisionsCommand,
  type DescribeServiceRevisionsCommandOutput,
  DescribeTaskDefinitionCommand,
  ListServiceDeploymentsCommand,
  type ListServiceDeploymentsCommandOutput,
  ListTaskDefinitionsCommand,
  type ListTaskDefinitionsCommandOutput,
} from '@aws-sdk/client-ecs'
import {
  DescribeTargetHealthCommand,
  type DescribeTargetHealthCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {DescribeSecretCommand, type DescribeSecretCommandOutput} from '@aws-sdk/client-secrets-manager'
import {beforeEach, describe, expect, it} from 'vitest'

import {gatherStatus} from '../../../src/lib/status/gather.js'
import {renderStatus} from '../../../src/lib/status/render.js'
import {awsError, mocks, resetMocks} from '../../helpers/aws.js'
import {ctxWith} from '../../helpers/context.js'
import {deployment, ECS_ARN, KEYS, stoppedTask, task, tdArn} from '../../helpers/ecs.js'
import {at, givenEnvironment, steady, td, TG} from './fixtures.js'

const NOW = at('12:00')
const SINCE = at('00:00')
const ctx = () => ctxWith({}, {now: NOW})
const SD_ARN = `${ECS_ARN}:service-deployment/production-allthrive-cluster/production-allthrive-web/d1`
const REV_ARN = `${ECS_ARN}:service-revision/production-allthrive-cluster/production-allthrive-web/r43`

describe('gatherStatus', () => {
  beforeEach(() => resetMocks())

  it("falls back to the services' deployments without the service-deployment APIs, and says so", async () => {
    givenEnvironment(KEYS.map((k) => steady(k)))
    const p = await gatherStatus(ctx(), {services: [], since: SINCE})
    expect(p.steady).toBe(true)
    expect(p.services.map((s) => [s.name, s.deploymentSource, s.deploymentSourceNote])).toEqual(
      KEYS.map((k) => [k, 'service', 'ListServiceDeployments unavailable (UnknownOperationException)']),
    )
    expect(p.services[0].deployment).toMatchObject({
      state: 'COMPLETED',
      revision: 42,
      imageTag: 'v42',
      strategy: 'rolling',
      failedTasks: 0,
    })
    expect(renderStatus(p).join('\n')).toContain("deployments read from the services' deployments and events")
  })

  it('reads a deployment in progress from the service-deployment APIs', async () => {
    givenEnvironment([steady('web', {runningCount: 1, pendingCount: 1})], {
      defs: [td('web', 42, 'v42'), td('web', 43, 'v43', at('11:30'))],
    })
    mocks.ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [{serviceDeploymentArn: SD_ARN, createdAt: at('11:31'), status: 'IN_PROGRESS'}],
    } satisfies Partial<ListServiceDeploymentsCommandOutput>)
    mocks.ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: SD_ARN,
          createdAt: at('11:31'),
          startedAt: at('11:31'),
          status: 'IN_PROGRESS',
          targetServiceRevision: {arn: REV_ARN, requestedTaskCount: 1, runningTaskCount: 0, pendingTaskCount: 1},
          deploymentCircuitBreaker: {status: 'MONITORING', failureCount: 2, threshold: 10},
        },
      ],
    } satisfies Partial<DescribeServiceDeploymentsCommandOutput>)
    mocks.ecs.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [{serviceRevisionArn: REV_ARN, taskDefinition: tdArn('web', 43)}],
    } satisfies Partial<DescribeServiceRevisionsCommandOutput>)
    const p = await gatherStatus(ctx(), {services: ['web'], since: SINCE})
    const web = p.services[0]
    expect(web.deploymentSource).toBe('service-deployments')
    expect(web.deployment).toMatchObject({
      state: 'IN_PROGRESS',
      revision: 43,
      imageTag: 'v43',
      failedTasks: 2,
      startedAt: '2026-11-26T11:31:00.000Z',
    })
    expect(web.steady).toBe(false)
    expect(web.problems).toEqual(['1 pending', 'deployment in progress'])
    expect(p.steady).toBe(false)
    expect(p.timeline.map((e) => e.summary)).toContain('web: deployment of revision 43 (image v43) started')
  })

  it('shows tasks (health, AZ, target health with reason), stopped tasks, events deduplicated', async () => {
    const events = [
      ...Array.from({length: 12}, (_, i) => ({
        id: `s${i}`,
        createdAt: at(`0${Math.floor(i / 2)}:1${i % 2}`),
        message: '(service production-allthrive-web) has reached a steady state.',
      })),
      {
        id: 'x',
        createdAt: at('11:50'),
        message: '(service production-allthrive-web) has started 1 tasks: (task 2b2b).\u001B[31m',
      },
    ]
    const running = task('web', '1a1a', {
      healthStatus: 'UNHEALTHY',
      availabilityZone: 'us-east-1a',
      startedAt: at('11:00'),
      attachments: [{type: 'ElasticNetworkInterface', details: [{name: 'privateIPv4Address', value: '10.0.1.5'}]}],
    })
    givenEnvironment(
      [steady('web', {events, loadBalancers: [{targetGroupArn: TG, containerName: 'web', containerPort: 8000}]})],
      {
        tasks: [
          running,
          stoppedTask('web', '9f9f', 40),
          stoppedTask('web', '8e8e', 41, {stoppedAt: new Date('2026-11-25T11:00:00Z')}),
        ],
      },
    )
    mocks.elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        {
          Target: {Id: '10.0.1.5', Port: 8000},
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.ResponseCodeMismatch',
            Description: 'Health checks failed with these codes: [502]',
          },
        },
        {Target: {Id: '10.0.9.9', Port: 8000}, TargetHealth: {State: 'healthy'}},
      ],
    } satisfies Partial<DescribeTargetHealthCommandOutput>)
    const p = await gatherStatus(ctx(), {services: [], since: SINCE})
    const web = p.services[0]
    expect(web.tasks).toEqual([
      {
        id: '1a1a',
        revision: 42,
        lastStatus: 'RUNNING',
        health: 'UNHEALTHY',
        startedAt: '2026-11-26T11:00:00.000Z',
        availabilityZone: 'us-east-1a',
        targets: [
          {
            state: 'unhealthy',
            reason: 'Target.ResponseCodeMismatch',
            description: 'Health checks failed with these codes: [502]',
          },
        ],
      },
    ])
    expect(web.stoppedTasks.map((t) => [t.id, t.stopCode])).toEqual([['9f9f', 'EssentialContainerExited']])
    expect(web.events).toEqual([
      {
        at: '2026-11-26T11:50:00.000Z',
        message: '(service production-allthrive-web) has started 1 tasks: (task 2b2b).\\x1b[31m',
        count: 1,
      },
      {
        at: '2026-11-26T05:11:00.000Z',
        message: '(service production-allthrive-web) has reached a steady state.',
        count: 12,
      },
    ])
    const screen = renderStatus(p).join('\n')
    expect(screen).toContain('has reached a steady state. (×12)')
    expect(screen).toContain(
      'target unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [502])',
    )
    expect(screen).not.toContain('\u001B')
  })

  it('marks a secret change just before an alarm as its likely trigger, on one time line', async () => {
    givenEnvironment([steady('web')], {defs: [td('web', 42, 'v42', at('03:00'))]})
    mocks.ecs.on(ListTaskDefinitionsCommand).resolves({
      taskDefinitionArns: [tdArn('web', 42), tdArn('web', 41)],
    } satisfies Partial<ListTaskDefinitionsCommandOutput>)
    mocks.ecs
      .on(DescribeTaskDefinitionCommand, {taskDefinition: tdArn('web', 41)})
      .resolves({taskDefinition: td('web', 41, 'v41', new Date('2026-11-20T00:00:00Z'))})
    mocks.secrets
      .on(DescribeSecretCommand)
      .resolves({
        Name: 'x',
        LastChangedDate: new Date('2026-11-01T00:00:00Z'),
      } satisfies Partial<DescribeSecretCommandOutput>)
      .on(DescribeSecretCommand, {SecretId: 'production/allthrive/database'})
      .resolves({
        Name: 'production/allthrive/database',
        LastChangedDate: at('11:40'),
      } satisfies Partial<DescribeSecretCommandOutput>)
    mocks.cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        {
          AlarmName: 'production-allthrive-web-5xx',
          StateValue: 'ALARM',
          StateReason: 'Threshold Crossed',
          StateTransitionedTimestamp: at('11:47'),
        },
        {AlarmName: 'production-allthrive-rds-cpu', StateValue: 'OK'},
        {AlarmName: 'staging-allthrive-web-5xx', StateValue: 'ALARM'},
      ],
    } satisfies Partial<DescribeAlarmsCommandOutput>)
    mocks.cloudwatch.on(DescribeAlarmHistoryCommand).resolves({
      AlarmHistoryItems: [
        {
          AlarmName: 'production-allthrive-web-5xx',
          Timestamp: at('11:47'),
          HistoryItemType: 'StateUpdate',
          HistorySummary: 'Alarm updated from OK to ALARM',
          HistoryData: JSON.stringify({oldState: {stateValue: 'OK'}, newState: {stateValue: 'ALARM'}}),
        },
        {
          AlarmName: 'staging-allthrive-web-5xx',
          Timestamp: at('11:46'),
          HistoryItemType: 'StateUpdate',
          HistoryData: JSON.stringify({newState: {stateValue: 'ALARM'}}),
        },
      ],
    } satisfies Partial<DescribeAlarmHistoryCommandOutput>)
    const p = await gatherStatus(ctx(), {services: [], since: SINCE})
    expect(p.alarms).toEqual([
      {
        name: 'production-allthrive-web-5xx',
        state: 'ALARM',
        since: '2026-11-26T11:47:00.000Z',
        reason: 'Threshold Crossed',
      },
    ])
    expect(p.timeline.map((e) => [e.at.slice(11, 16), e.kind, e.summary, e.likelyTriggerOf])).toEqual([
      ['11:47', 'alarm', 'alarm production-allthrive-web-5xx: OK → ALARM', undefined],
      [
        '11:40',
        'secret',
        'secret production/allthrive/database changed',
        ['alarm production-allthrive-web-5xx: OK → ALARM'],
      ],
      [
        '03:00',
        'task-definition',
        'web: task definition production-allthrive-web:42 registered (image v42)',
        undefined,
      ],
      ['01:05', 'deployment', 'web: deployment of revision 42 (image v42) completed', undefined],
      ['01:00', 'deployment', 'web: deployment of revision 42 (image v42) started', undefined],
    ])
    expect(renderStatus(p).join('\n')).toMatch(
      /11:40 {2}secret +secret production\/allthrive\/database changed {3}← likely trigger of: alarm production-allthrive-web-5xx/,
    )
  })

  it("finds an error onset in the task definition's log group and links the deployment before it", async () => {
    givenEnvironment([
      steady('web', {
        deployments: [
          deployment('web', {createdAt: at('10:50'), updatedAt: at('10:58'), taskDefinition: tdArn('web', 42)}),
        ],
      }),
    ])
    mocks.logs
      .on(FilterLogEventsCommand)
      .resolves({events: []} satisfies Partial<FilterLogEventsCommandOutput>)
      .on(FilterLogEventsCommand, {filterPattern: 'ERROR'})
      .resolves({
        events: [
          {timestamp: at('02:00').getTime(), logStreamName: 'ecs/web/1', message: 'ERROR old'},
          {timestamp: at('11:05').getTime(), logStreamName: 'ecs/web/1', message: 'ERROR boom'},
          {timestamp: at('11:06').getTime(), logStreamName: 'ecs/web/1', message: 'ERROR boom'},
        ],
      } satisfies Partial<FilterLogEventsCommandOutput>)
    const p = await gatherStatus(ctx(), {services: [], since: SINCE})
    expect(mocks.logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {
      logGroupName: '/ecs/production-allthrive-web',
      logStreamNamePrefix: 'ecs/web/',
      filterPattern: 'Traceback',
    })
    const onsets = p.timeline.filter((e) => e.kind === 'error-onset')
    expect(onsets.map((e) => [e.at.slice(11, 16), e.summary])).toEqual([
      ['11:05', 'web: errors begin (2 in the burst): ERROR boom'],
      ['02:00', 'web: errors begin (1 in the burst): ERROR old'],
    ])
    const done = p.timeline.find((e) => e.summary === 'web: deployment of revision 42 (image v42) completed')
    expect(done?.likelyTriggerOf).toEqual(['web: errors begin (2 in the burst): ERROR boom'])
  })

  it('reads each task definition once per run, however many parts of the screen need it', async () => {
    givenEnvironment([steady('web')])
    await gatherStatus(ctx(), {services: [], since: SINCE})
    expect(mocks.ecs.commandCalls(DescribeTaskDefinitionCommand, {taskDefinition: tdArn('web', 42)})).toHaveLength(1)
  })

  it('names a part it could not read (an API the endpoint lacks) and shows the rest', async () => {
    givenEnvironment([steady('web')])
    mocks.cloudwatch
      .on(DescribeAlarmHistoryCommand)
      .rejects(awsError('InternalFailure', 'The describe_alarm_history action has not been implemented', 500))
    mocks.cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        {AlarmName: 'production-allthrive-web-5xx', StateValue: 'ALARM', StateTransitionedTimestamp: at('11:47')},
      ],
    })
    mocks.secrets.on(DescribeSecretCommand).resolves({Name: 'production/allthrive/app', LastChangedDate: at('11:45')})
    const p = await gatherStatus(ctx(), {services: ['web'], since: SINCE})
    // The alarm's own transition time stands in for its history.
    expect(p.timeline.find((e) => e.kind === 'alarm')).toMatchObject({
      at: '2026-11-26T11:47:00.000Z',
      summary: 'alarm production-allthrive-web-5xx: → ALARM',
      breakage: true,
    })
    expect(p.timeline.find((e) => e.kind === 'secret')?.likelyTriggerOf).toEqual([
      'alarm production-allthrive-web-5xx: → ALARM',
    ])
    expect(p.gaps).toEqual([
      'alarm state changes: InternalFailure (HTTP 500, request req-1234): The describe_alarm_history action has not been implemented',
    ])
    expect(p.alarms).toHaveLength(1)
    expect(renderStatus(p).join('\n')).toContain(
      'not shown (could not be read)\n  alarm state changes: InternalFailure',
    )
  })

  it('refuses a service the environment does not have, naming the ones it has', async () => {
    givenEnvironment([steady('web')])
    await expect(gatherStatus(ctx(), {services: ['wbe'], since: SINCE})).rejects.toMatchObject({
      exit: 2,
      message: expect.stringContaining('Its services: web'),
    })
  })
})
