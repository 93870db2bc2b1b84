import type {TaskDefinition} from '@aws-sdk/client-ecs'
import {describe, expect, it} from 'vitest'

import {elsewhereText, essentialContainer, logTargetOf, taskStreamName} from '../../src/resources/containers.js'

const td = (containerDefinitions: TaskDefinition['containerDefinitions']): TaskDefinition => ({
  family: 'f',
  revision: 1,
  containerDefinitions,
})

describe('essentialContainer', () => {
  it('takes the named container, else the only one, else the first essential one', () => {
    const two = td([{name: 'log-router', essential: false}, {name: 'app'}])
    expect(essentialContainer(two, 'log-router')?.name).toBe('log-router')
    expect(essentialContainer(two, 'web')?.name).toBe('app')
    expect(essentialContainer(two)?.name).toBe('app')
    expect(essentialContainer(td([{name: 'only', essential: false}]), 'web')?.name).toBe('only')
    expect(
      essentialContainer(
        td([
          {name: 'a', essential: false},
          {name: 'b', essential: false},
        ]),
      )?.name,
    ).toBe('a')
    expect(essentialContainer(td([]), 'web')).toBeUndefined()
    expect(essentialContainer(undefined)).toBeUndefined()
  })
})

describe('logTargetOf', () => {
  it('reads awslogs group, stream prefix and region', () => {
    const def = td([
      {
        name: 'web',
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '/ecs/allthriveai-production',
            'awslogs-stream-prefix': 'ecs',
            'awslogs-region': 'eu-west-1',
          },
        },
      },
    ])
    expect(logTargetOf(def, 'web')).toEqual({
      kind: 'awslogs',
      group: '/ecs/allthriveai-production',
      streamPrefix: 'ecs',
      container: 'web',
      region: 'eu-west-1',
    })
    expect(taskStreamName('ecs', 'web', '1a2b')).toBe('ecs/web/1a2b')
  })

  it('says where another driver sends the logs, and when there is no log configuration', () => {
    const splunk = td([
      {
        name: 'web',
        logConfiguration: {
          logDriver: 'splunk',
          options: {'splunk-url': 'https://splunk.example:8088', 'splunk-token': 'not-printed'},
        },
      },
    ])
    const target = logTargetOf(splunk, 'web')
    expect(target).toEqual({kind: 'elsewhere', driver: 'splunk', destination: 'splunk-url=https://splunk.example:8088'})
    expect(JSON.stringify(target)).not.toContain('not-printed')
    expect(elsewhereText(target as {driver: string; destination: string})).toContain('cannot be read here')
    expect(logTargetOf(td([{name: 'web'}]), 'web')).toEqual({kind: 'none'})
    expect(logTargetOf(td([{name: 'web'}]), 'nope')).toEqual({kind: 'none'})
  })
})
