import {
  DescribeServiceDeploymentsCommand,
  type DescribeServiceDeploymentsCommandOutput,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  type ListTaskDefinitionsCommandOutput,
  ListTasksCommand,
  type Service,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs'
import {captureOutput} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import Rollback from '../../src/commands/rollback.js'
import type {DeployResult} from '../../src/lib/deploy/apply.js'
import {mocks} from '../helpers/aws.js'
import {deployment, ECS_ARN, KEYS, serviceName, stoppedTask, tdArn} from '../helpers/ecs.js'
import {deployCommandEnvironment} from '../lib/deploy/command-env.js'
import {at, givenEnvironment, steady, td} from '../lib/status/fixtures.js'

const FAST = ['--poll-interval', '0.01s']
const run = (argv: string[]) => captureOutput<DeployResult>(() => Rollback.run([...argv, ...FAST], import.meta.url))

/** Service `key` on revision `rev` since 10:00 (a completed deployment), beat with maximumPercent 200. */
const on = (key: string, rev: number, extra: Partial<Service> = {}): Service =>
  steady(key, {
    taskDefinition: tdArn(key, rev),
    deployments: [deployment(key, {taskDefinition: tdArn(key, rev), createdAt: at('10:00'), updatedAt: at('10:05')})],
    deploymentConfiguration: {maximumPercent: 200, minimumHealthyPercent: 100},
    ...extra,
  })

/** The environment with `key` on revision 43 (41-43 exist), then these answers to the wait's DescribeServices. */
function given(key: string, polls: Service[], first: Service = on(key, 43)): void {
  givenEnvironment(
    KEYS.map((k) => (k === key ? first : on(k, 43))),
    {defs: [41, 42, 43].map((r) => td(key, r, `v${r}`))},
  )
  mocks.ecs.on(ListTaskDefinitionsCommand).resolves({
    taskDefinitionArns: [43, 42, 41].map((r) => tdArn(key, r)),
  } satisfies Partial<ListTaskDefinitionsCommandOutput>)
  mocks.ecs.on(UpdateServiceCommand).resolves({})
  let poll = mocks.ecs.on(DescribeServicesCommand, {services: [serviceName(key)]})
  for (const p of polls.slice(0, -1))
    poll = poll.resolvesOnce({services: [p]} satisfies Partial<DescribeServicesCommandOutput>)
  poll.resolves({services: [polls.at(-1)!]})
}

describe('rollback', () => {
  deployCommandEnvironment()

  it('deploys the previous revision, shows what changes, prints events as they arrive, exits 0', async () => {
    const rolling = on('web', 42, {
      deployments: [
        deployment('web', {rolloutState: 'IN_PROGRESS', createdAt: at('12:00')}),
        deployment('web', {status: 'ACTIVE', taskDefinition: tdArn('web', 43)}),
      ],
      events: [
        {
          id: 'e1',
          createdAt: new Date('2026-11-26T12:00:05Z'),
          message: '(service production-allthrive-web) has started 1 tasks: (task 1a1a).',
        },
      ],
    })
    given('web', [rolling, on('web', 42)])
    const {stderr, result} = await run(['web', '--yes'])
    expect(mocks.ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1)
    expect(mocks.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: 'production-allthrive-cluster',
      service: 'production-allthrive-web',
      taskDefinition: tdArn('web', 42),
    })
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)[0].args[0].input.deploymentConfiguration).toBeUndefined()
    expect(stderr).toContain(
      'Roll back web (production-allthrive-web) from production-allthrive-web:43 to production-allthrive-web:42',
    )
    expect(stderr).toContain('  web image: v43 → v42')
    expect(stderr).toContain('Database migrations already applied stay applied')
    expect(stderr).toMatch(
      /12:00 {2}\(service production-allthrive-web\) has started 1 tasks[\s\S]*running 1\/1, pending 0, 1 deployment\(s\), rollout COMPLETED/,
    )
    expect(stderr).toContain('✔ web is steady on production-allthrive-web:42.')
    expect(result?.outcome).toBe('steady')
    expect(process.exitCode).toBe(0)
  })

  it('exits 1 with the stop reasons of the failed tasks when the deployment fails', async () => {
    given('web', [
      on('web', 42, {
        deployments: [
          deployment('web', {
            rolloutState: 'FAILED',
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            createdAt: at('12:00'),
          }),
        ],
      }),
    ])
    const failed = stoppedTask('web', 'dead', 0, {
      taskDefinitionArn: tdArn('web', 42),
      stoppedAt: new Date('2026-11-26T12:00:30Z'),
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
    })
    mocks.ecs.on(ListTasksCommand, {desiredStatus: 'STOPPED'}).resolves({taskArns: [failed.taskArn!]})
    mocks.ecs.on(DescribeTasksCommand, {tasks: [failed.taskArn!]}).resolves({tasks: [failed]})
    const {stderr, result} = await run(['web', '--yes'])
    expect(result?.outcome).toBe('failed')
    expect(stderr).toContain('✖ web: deployment failed: ECS deployment circuit breaker: tasks failed to start.')
    expect(stderr).toContain('task dead: TaskFailedToStart — CannotPullContainerError')
    expect(process.exitCode).toBe(1)
  })

  it('does not deploy twice: a second identical invocation finds the service already on the target', async () => {
    given('web', [on('web', 42)], on('web', 42))
    mocks.ecs
      .on(DescribeTaskDefinitionCommand, {taskDefinition: 'production-allthrive-web:42'})
      .resolves({taskDefinition: td('web', 42, 'v42')})
    const {stderr} = await run(['web', '--to', '42', '--yes'])
    expect(mocks.ecs).not.toHaveReceivedCommand(UpdateServiceCommand)
    expect(stderr).toContain('Nothing to send: the service is already on production-allthrive-web:42.')
    expect(process.exitCode).toBe(0)
  })

  it('does not roll back once more right after a rollback without --to', async () => {
    const justRolledBack = on('web', 42, {
      deployments: [deployment('web', {taskDefinition: tdArn('web', 42), createdAt: at('11:58')})],
    })
    given('web', [justRolledBack], justRolledBack)
    const {stderr} = await run(['web', '--yes'])
    expect(mocks.ecs).not.toHaveReceivedCommand(UpdateServiceCommand)
    expect(stderr).toMatch(
      /Nothing to send: the service moved back to production-allthrive-web:42 less than 10 minutes ago/,
    )
  })

  it('deploys celery-beat with maximumPercent 100 and minimumHealthyPercent 0, and says why', async () => {
    given('celery-beat', [
      on('celery-beat', 42, {deploymentConfiguration: {maximumPercent: 100, minimumHealthyPercent: 0}}),
    ])
    const {stderr} = await run(['celery-beat', '--yes'])
    expect(mocks.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, {
      service: 'production-allthrive-celery-beat',
      taskDefinition: tdArn('celery-beat', 42),
      deploymentConfiguration: {maximumPercent: 100, minimumHealthyPercent: 0},
    })
    expect(stderr).toContain('maximumPercent 200) would start a second beat before the first stops')
    expect(process.exitCode).toBe(0)
  })

  it("stops a deployment in progress with ECS's rollback where the account has the APIs", async () => {
    const sd = `${ECS_ARN}:service-deployment/production-allthrive-cluster/production-allthrive-web/d2`
    given(
      'web',
      [on('web', 42)],
      on('web', 43, {
        deployments: [
          deployment('web', {taskDefinition: tdArn('web', 43), rolloutState: 'IN_PROGRESS', createdAt: at('11:55')}),
        ],
      }),
    )
    mocks.ecs
      .on(ListServiceDeploymentsCommand)
      .resolves({serviceDeployments: [{serviceDeploymentArn: sd}, {serviceDeploymentArn: 'old'}]})
    mocks.ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: sd,
          status: 'IN_PROGRESS',
          startedAt: at('11:55'),
          targetServiceRevision: {arn: 'rev43'},
        },
        {
          serviceDeploymentArn: 'old',
          status: 'SUCCESSFUL',
          startedAt: at('09:00'),
          finishedAt: at('09:05'),
          targetServiceRevision: {arn: 'rev42'},
        },
      ],
    } satisfies Partial<DescribeServiceDeploymentsCommandOutput>)
    mocks.ecs.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [
        {serviceRevisionArn: 'rev43', taskDefinition: tdArn('web', 43)},
        {serviceRevisionArn: 'rev42', taskDefinition: tdArn('web', 42)},
      ],
    })
    mocks.ecs.on(StopServiceDeploymentCommand).resolves({serviceDeploymentArn: sd})
    const {stderr} = await run(['web', '--yes'])
    expect(mocks.ecs).toHaveReceivedCommandWith(StopServiceDeploymentCommand, {
      serviceDeploymentArn: sd,
      stopType: 'ROLLBACK',
    })
    expect(mocks.ecs).toHaveReceivedCommandTimes(ListServiceDeploymentsCommand, 1)
    expect(mocks.ecs).not.toHaveReceivedCommand(UpdateServiceCommand)
    expect(stderr).toContain("stopped with ECS's rollback (StopServiceDeployment, ROLLBACK)")
    expect(process.exitCode).toBe(0)
  })

  it('refuses on production without a terminal and without --yes (exit 2), sending nothing', async () => {
    given('web', [on('web', 42)])
    const {error} = await run(['web'])
    expect(error?.oclif?.exit).toBe(2)
    expect(error?.message).toContain(
      'Refusing to roll back web to production-allthrive-web:42 on production without confirmation',
    )
    expect(mocks.ecs).not.toHaveReceivedCommand(UpdateServiceCommand)
  })

  it('prints the plan and the request with --dry-run and changes nothing', async () => {
    given('web', [on('web', 42)])
    const {stderr} = await run(['web', '--dry-run'])
    expect(stderr).toContain(
      `Request: {"cluster":"production-allthrive-cluster","service":"production-allthrive-web","taskDefinition":"${tdArn('web', 42)}"}`,
    )
    expect(mocks.ecs).not.toHaveReceivedCommand(UpdateServiceCommand)
    expect(process.exitCode).toBe(0)
  })

  it('gives up after --timeout with exit 1 (the deployment continues)', async () => {
    given('web', [on('web', 42, {runningCount: 0, pendingCount: 1})])
    const {stderr} = await run(['web', '--yes', '--timeout', '0.05s'])
    expect(stderr).toMatch(/✖ web: timed out: not steady after/)
    expect(process.exitCode).toBe(1)
  })

  it('exits 130 on Ctrl+C while waiting (the deployment continues)', async () => {
    given('web', [on('web', 42, {runningCount: 0, pendingCount: 1})])
    const timer = setTimeout(() => process.emit('SIGINT'), 300)
    try {
      const {stderr} = await run(['web', '--yes'])
      expect(stderr).toContain(
        'Interrupted: the deployment of web continues in ECS. Follow it with: allthrive status web',
      )
      expect(process.exitCode).toBe(130)
    } finally {
      clearTimeout(timer)
    }
  })

  it('refuses a service deployed by CodeDeploy, saying where to roll it back (exit 1)', async () => {
    given('web', [on('web', 42)], on('web', 43, {deploymentController: {type: 'CODE_DEPLOY'}}))
    const {error} = await run(['web', '--yes'])
    expect(error?.message).toContain(
      'is deployed by CodeDeploy (blue/green), not by ECS: allthrive cannot roll it back.',
    )
    expect(error?.oclif?.exit).toBe(1)
    expect(mocks.ecs).not.toHaveReceivedCommand(UpdateServiceCommand)
  })

  it('refuses a --to of another family (exit 2)', async () => {
    given('web', [on('web', 42)])
    const {error} = await run(['web', '--to', 'production-allthrive-celery:3', '--yes'])
    expect(error?.oclif?.exit).toBe(2)
    expect(error?.message).toContain(
      "is of family production-allthrive-celery, not of this service's family production-allthrive-web",
    )
    expect(mocks.ecs).not.toHaveReceivedCommand(UpdateServiceCommand)
  })
})
