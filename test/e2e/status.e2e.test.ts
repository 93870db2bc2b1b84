/**
 * End to end: the built CLI's `status`, `rollback` and `restart` against a local moto server seeded by
 * ./seed.ts (staging healthy, production broken). Skipped unless AWS_ENDPOINT_URL is set.
 *
 *   scripts/moto.sh start && npm run build
 *   AWS_ENDPOINT_URL=http://127.0.0.1:5055 npx vitest run test/e2e/status.e2e.test.ts
 *
 * moto keeps records, not a scheduler: a service's `deployments` are frozen at CreateService, and
 * it does not implement the service-deployment APIs or DescribeAlarmHistory (HTTP 500). So the
 * test registers a second revision of staging's web and updates the service to it (what a deploy
 * leaves behind), then rolls back and restarts with --no-wait (moto would never report steady on
 * the new revision), and checks that status falls back and names what it could not read.
 */
import {runCli, type Run} from './cli.js'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import type {DeployResult} from '../../src/lib/deploy/apply.js'
import type {StatusPicture} from '../../src/lib/status/gather.js'
import type {SeedResult} from './seed.js'

const ENDPOINT = process.env.AWS_ENDPOINT_URL

let workDir = ''

/** The built CLI against the emulator only; moto answers the APIs it lacks with HTTP 500: no point retrying them. */
async function cli(args: string[]): Promise<Run> {
  const r = await runCli(ENDPOINT!, workDir, args, {AWS_MAX_ATTEMPTS: '1'})
  return {...r, stderr: r.stderr.replaceAll(/ ?\n ›\s+/g, ' ')}
}

describe.skipIf(!ENDPOINT)('status, rollback and restart against moto (e2e)', () => {
  let seeded: SeedResult
  let ecs: import('@aws-sdk/client-ecs').ECSClient
  let ECS: typeof import('@aws-sdk/client-ecs')
  const describeService = async (name: string) =>
    (await ecs.send(new ECS.DescribeServicesCommand({cluster: 'staging-allthrive-cluster', services: [name]})))
      .services![0]

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'allthrive-status-e2e-'))
    const config = {
      environments: Object.fromEntries(
        ['staging', 'production'].map((env) => [env, {healthUrl: `http://127.0.0.1:9/${env}/api/health/`}]),
      ),
    }
    writeFileSync(join(workDir, 'allthrive.config.json'), `${JSON.stringify(config, null, 2)}\n`)
    const {seed} = await import('./seed.js')
    seeded = await seed({endpoint: ENDPOINT!, log: () => {}})
    ECS = await import('@aws-sdk/client-ecs')
    ecs = new ECS.ECSClient({
      endpoint: ENDPOINT,
      region: 'us-east-1',
      credentials: {accessKeyId: 'test', secretAccessKey: 'test'},
    })
    // A deploy of staging's web: revision 2 with another image tag, and the service updated to it.
    const web = await describeService('staging-allthrive-web')
    const current = (await ecs.send(new ECS.DescribeTaskDefinitionCommand({taskDefinition: web.taskDefinition})))
      .taskDefinition!
    const registered = await ecs.send(
      new ECS.RegisterTaskDefinitionCommand({
        family: current.family,
        networkMode: current.networkMode,
        requiresCompatibilities: current.requiresCompatibilities,
        cpu: current.cpu,
        memory: current.memory,
        executionRoleArn: current.executionRoleArn,
        taskRoleArn: current.taskRoleArn,
        containerDefinitions: current.containerDefinitions!.map((c) => ({
          ...c,
          image: c.image!.replace(/:[^:/]+$/, ':staging-e2e-next'),
        })),
      }),
    )
    await ecs.send(
      new ECS.UpdateServiceCommand({
        cluster: 'staging-allthrive-cluster',
        service: 'staging-allthrive-web',
        taskDefinition: registered.taskDefinition!.taskDefinitionArn,
      }),
    )
  }, 120_000)

  it('status --json of staging: steady, deployments from the services (moto lacks the APIs)', async () => {
    const run = await cli(['status', '-e', 'staging', '--json'])
    const p = JSON.parse(run.stdout) as StatusPicture
    expect(p.services.map((s) => s.name).sort()).toEqual(['celery', 'celery-beat', 'weaviate', 'web'])
    expect(p.services.every((s) => s.deploymentSource === 'service')).toBe(true)
    expect(p.services[0].deploymentSourceNote).toMatch(/ListServiceDeployments unavailable/)
    expect(p.gaps.join('\n')).toMatch(/alarm state changes: CloudWatch DescribeAlarmHistory/)
    expect(p.steady).toBe(true)
    expect(run.code).toBe(0)
  })

  it("status of production: celery down, alarm in ALARM, web's error onset, no secret value (exit 1)", async () => {
    const run = await cli(['status', '-e', 'production'])
    expect(run.stdout).toContain('celery  NOT STEADY  0/1 running, 1 pending')
    expect(run.stdout).toMatch(/alarms in ALARM\n {2}production-allthrive-alb-5xx since/)
    expect(run.stdout).toMatch(/error-onset +web: errors begin/)
    for (const value of seeded.environments.production.secretValues)
      expect(run.stdout + run.stderr).not.toContain(value)
    expect(run.code).toBe(1)
  })

  it('rollback --dry-run shows the plan back to revision 1 (what changes), and sends nothing', async () => {
    const run = await cli(['rollback', 'web', '-e', 'staging', '--dry-run'])
    expect(run.stderr).toContain(
      'Roll back web (staging-allthrive-web) from staging-allthrive-web:2 to staging-allthrive-web:1 (the revision deployed before).',
    )
    expect(run.stderr).toMatch(/web image: staging-e2e-next → staging-/)
    expect(run.code).toBe(0)
    expect((await describeService('staging-allthrive-web')).taskDefinition).toMatch(/:2$/)
  })

  it('rollback puts web back on revision 1, and a second identical run sends nothing', async () => {
    const first = await cli(['rollback', 'web', '-e', 'staging', '--to', '1', '--no-wait', '--json'])
    expect(first.code).toBe(0)
    expect((JSON.parse(first.stdout) as DeployResult).plan.method).toBe('update-service')
    expect((await describeService('staging-allthrive-web')).taskDefinition).toMatch(/staging-allthrive-web:1$/)
    const second = await cli(['rollback', 'web', '-e', 'staging', '--to', '1', '--no-wait'])
    expect(second.stderr).toContain('Nothing to send: the service is already on staging-allthrive-web:1.')
    expect(second.code).toBe(0)
  })

  it('restart of celery-beat deploys it with maximumPercent 100 and minimumHealthyPercent 0', async () => {
    const run = await cli(['restart', 'celery-beat', '-e', 'staging', '--no-wait'])
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('Deployment started.')
    const beat = await describeService('staging-allthrive-celery-beat')
    expect(beat.deploymentConfiguration).toMatchObject({maximumPercent: 100, minimumHealthyPercent: 0})
  })

  it('refuses to restart on production without a terminal and without --yes (exit 2)', async () => {
    const run = await cli(['restart', 'web', '-e', 'production'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('without confirmation: standard input is not a terminal')
  })
})
