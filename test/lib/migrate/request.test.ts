import {describe, expect, it} from 'vitest'

import {UserError} from '../../../src/errors.js'
import {buildRunTaskRequest, STARTED_BY} from '../../../src/lib/migrate/request.js'
import {CLUSTER, service, TD_ARN} from '../exec/fixtures.js'

const env = {name: 'production', cluster: CLUSTER}
const command = ['python', 'manage.py', 'migrate', '--noinput']

describe('buildRunTaskRequest', () => {
  it('clones the PRIMARY deployment: task definition, network, launch type, platform version; overrides the web command', () => {
    const svc = service({
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/production-allthrive-web:43',
    }) // a deployment in progress
    expect(buildRunTaskRequest({env, service: svc, container: 'web', command, plan: false})).toEqual({
      cluster: CLUSTER,
      taskDefinition: TD_ARN,
      count: 1,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-a', 'subnet-b'],
          securityGroups: ['sg-web'],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: {containerOverrides: [{name: 'web', command}]},
      startedBy: 'allthrive-migrate',
      group: 'allthrive-migrate',
      enableExecuteCommand: false,
      propagateTags: 'TASK_DEFINITION',
      tags: [
        {key: 'allthrive:purpose', value: 'migrate'},
        {key: 'allthrive:environment', value: 'production'},
      ],
    })
  })

  it("uses the capacity provider strategy instead of a launch type, and the service's settings without deployments", () => {
    const strategy = [
      {capacityProvider: 'FARGATE', weight: 1, base: 1},
      {capacityProvider: 'FARGATE_SPOT', weight: 3},
    ]
    const svc = service({
      deployments: [],
      launchType: undefined,
      capacityProviderStrategy: strategy,
      networkConfiguration: {
        awsvpcConfiguration: {subnets: ['subnet-pub'], securityGroups: ['sg-1'], assignPublicIp: 'ENABLED'},
      },
      enableECSManagedTags: true,
    })
    const r = buildRunTaskRequest({env, service: svc, container: 'web', command, plan: false})
    expect(r.capacityProviderStrategy).toEqual(strategy)
    expect(r).not.toHaveProperty('launchType')
    expect(r.platformVersion).toBe('LATEST')
    expect(r.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('ENABLED')
    expect(r.enableECSManagedTags).toBe(true)
  })

  it('clones EC2 placement and leaves out what an EC2 bridge-mode service does not have', () => {
    const svc = service({
      deployments: [],
      launchType: 'EC2',
      platformVersion: undefined,
      networkConfiguration: undefined,
      placementStrategy: [{type: 'spread', field: 'attribute:ecs.availability-zone'}],
    })
    const r = buildRunTaskRequest({env, service: svc, container: 'web', command, plan: false})
    expect(r).toMatchObject({
      launchType: 'EC2',
      placementStrategy: [{type: 'spread', field: 'attribute:ecs.availability-zone'}],
    })
    expect(r).not.toHaveProperty('platformVersion')
    expect(r).not.toHaveProperty('networkConfiguration')
  })

  it('marks a plan task apart, so it never blocks a real migration', () => {
    const r = buildRunTaskRequest({
      env,
      service: service(),
      container: 'web',
      command: ['python', 'manage.py', 'migrate', '--plan'],
      plan: true,
    })
    expect(r).toMatchObject({
      startedBy: STARTED_BY.plan,
      group: STARTED_BY.plan,
      tags: [
        {key: 'allthrive:purpose', value: 'migrate-plan'},
        {key: 'allthrive:environment', value: 'production'},
      ],
    })
    for (const s of Object.values(STARTED_BY)) expect(s.length).toBeLessThanOrEqual(128)
  })

  it('refuses a service without a task definition', () => {
    expect(() =>
      buildRunTaskRequest({
        env,
        service: service({deployments: [], taskDefinition: undefined}),
        container: 'web',
        command,
        plan: false,
      }),
    ).toThrow(UserError)
  })
})
