import {
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs'
import {captureOutput} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import Restart from '../../src/commands/restart.js'
import type {DeployResult} from '../../src/lib/deploy/apply.js'
import {mocks} from '../helpers/aws.js'
import {deployment, KEYS, serviceName, tdArn} from '../helpers/ecs.js'
import {deployCommandEnvironment} from '../lib/deploy/command-env.js'
import {at, givenEnvironment, steady} from '../lib/status/fixtures.js'

const run = (argv: string[]) =>
  captureOutput<DeployResult[]>(() => Restart.run([...argv, '--poll-interval', '0.01s'], import.meta.url))
const beatFirst = (): Service[] =>
  ['celery-beat', 'web', 'celery', 'weaviate'].map((k) =>
    steady(k, {deploymentConfiguration: {maximumPercent: 200, minimumHealthyPercent: 100}}),
  )

describe('restart', () => {
  deployCommandEnvironment()

  it('starts a new deployment of the current revision and waits for it to be steady', async () => {
    givenEnvironment(KEYS.map((k) => steady(k)))
    mocks.ecs.on(UpdateServiceCommand).resolves({})
    mocks.ecs
      .on(DescribeServicesCommand, {services: [serviceName('web')]})
      .resolves({services: [steady('web')]} satisfies Partial<DescribeServicesCommandOutput>)
    const {stderr, result} = await run(['web', '--yes'])
    expect(mocks.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, {
      service: 'production-allthrive-web',
      taskDefinition: tdArn('web', 42),
      forceNewDeployment: true,
    })
    expect(stderr).toContain(
      'Restart web (production-allthrive-web): a new deployment of production-allthrive-web:42 (force new deployment).',
    )
    expect(result?.[0].outcome).toBe('steady')
    expect(process.exitCode).toBe(0)
  })

  it('restarts every service with --all, celery-beat last, with maximumPercent 100 / minimum 0', async () => {
    givenEnvironment(beatFirst())
    mocks.ecs.on(UpdateServiceCommand).resolves({})
    const {result} = await run(['--all', '--yes', '--no-wait'])
    const sent = mocks.ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)
    expect(sent.map((i) => i.service)).toEqual(['web', 'celery', 'weaviate', 'celery-beat'].map((k) => serviceName(k)))
    expect(sent[3].deploymentConfiguration).toEqual({maximumPercent: 100, minimumHealthyPercent: 0})
    expect(sent[0].deploymentConfiguration).toBeUndefined()
    expect(result?.map((r) => r.outcome)).toEqual(['not-waited', 'not-waited', 'not-waited', 'not-waited'])
    expect(process.exitCode).toBe(0)
  })

  it('does not start a second deployment while one is under way', async () => {
    const busy = steady('web', {
      deployments: [
        deployment('web', {rolloutState: 'IN_PROGRESS', createdAt: at('11:59')}),
        deployment('web', {status: 'ACTIVE', taskDefinition: tdArn('web', 41)}),
      ],
    })
    givenEnvironment(KEYS.map((k) => (k === 'web' ? busy : steady(k))))
    const {stderr} = await run(['web', '--yes', '--no-wait'])
    expect(mocks.ecs).not.toHaveReceivedCommand(UpdateServiceCommand)
    expect(stderr).toContain('Nothing to send: a deployment of the service is already under way')
  })

  it('needs a service or --all (exit 2)', async () => {
    givenEnvironment(KEYS.map((k) => steady(k)))
    const {error} = await run([])
    expect(error?.oclif?.exit).toBe(2)
    expect(error?.message).toContain('Name one service to restart, or give --all')
  })

  it('refuses on production without a terminal and without --yes, before anything is sent', async () => {
    givenEnvironment(KEYS.map((k) => steady(k)))
    const {error} = await run(['--all'])
    expect(error?.oclif?.exit).toBe(2)
    expect(error?.message).toContain('Refusing to restart web, celery, weaviate, celery-beat on production')
    expect(mocks.ecs).not.toHaveReceivedCommand(UpdateServiceCommand)
  })
})
