import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it, vi} from 'vitest'

import {weaviate, weaviateCheck} from '../../src/checks/weaviate.js'
import {unreachable} from '../../src/lib/probes/common.js'
import {type HttpOutcome, httpGet} from '../../src/lib/probes/http.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming, probing} from '../helpers/context.js'
import {
  CLUSTER,
  describeServices,
  listTasks as tasks,
  noCluster,
  platformServices,
  service as ecsService,
  task,
  taskArn,
} from '../helpers/ecs.js'

const NAME = 'production-allthrive-weaviate'
const TASK_ARN = taskArn('0a1b2c3d4e5f')
const READY = 'http://10.0.12.34:8080/v1/.well-known/ready'
const HINT = 'allthrive logs tail weaviate -e production --since 30m'

const service = (over: Partial<Service> = {}): Service => ecsService('weaviate', over)

/** The other services are healthy; weaviate is `svc` (or absent). */
const services = (svc: Service | undefined) =>
  describeServices(
    [...platformServices({weaviate: null}), ...(svc ? [svc] : [])],
    svc ? [] : [{arn: NAME, reason: 'MISSING'}],
  )

const fargateTask = (over: Partial<Task> = {}): Task =>
  task('weaviate', '0a1b2c3d4e5f', {
    attachments: [
      {
        type: 'ElasticNetworkInterface',
        status: 'ATTACHED',
        details: [
          {name: 'subnetId', value: 'subnet-1'},
          {name: 'privateIPv4Address', value: '10.0.12.34'},
        ],
      },
    ],
    ...over,
  })

function withGet(outcome: HttpOutcome) {
  const get = vi.fn<typeof httpGet>(async () => outcome)
  return {check: weaviateCheck(get), get}
}

/** The second argument of `send` (the typed stub only declares the command). */
const optionsOf = (call: {args: readonly unknown[]}): unknown => call.args[1]

describe('weaviate check', () => {
  beforeEach(() => resetMocks())

  it('passes on the ECS state alone without --probe, saying readiness was not probed', async () => {
    services(service())
    const {check, get} = withGet({kind: 'response', status: 200, latencyMs: 4, body: ''})
    const r = await check.run(ctxWith())
    expect(r).toMatchObject({
      status: 'pass',
      summary: 'weaviate running 1/1',
      details: [`service ${NAME} runs 1 of 1 tasks`, 'readiness not probed: run with --probe from inside the VPC'],
    })
    expect(get).not.toHaveBeenCalled()
    expect(mocks.ecs).not.toHaveReceivedCommand(ListTasksCommand)
  })

  it("with --probe, asks a RUNNING task's private IP for readiness and passes on 200", async () => {
    services(service())
    tasks([fargateTask()])
    const {check, get} = withGet({kind: 'response', status: 200, latencyMs: 4, body: ''})
    const ctx = probing()
    const r = await check.run(ctx)
    expect(r).toMatchObject({status: 'pass', summary: 'weaviate running 1/1, ready'})
    for (const call of [...mocks.ecs.commandCalls(ListTasksCommand), ...mocks.ecs.commandCalls(DescribeTasksCommand)]) {
      expect(optionsOf(call)).toEqual({abortSignal: ctx.signal})
    }

    expect(get.mock.calls[0][1].signal).toBe(ctx.signal)
    expect(r.details?.[1]).toBe(`task 0a1b2c3d4e5f: GET ${READY} → HTTP 200 in 4ms (ready)`)
    expect(get).toHaveBeenCalledWith(READY, expect.objectContaining({timeoutMs: 3000}))
    expect(mocks.ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER,
      serviceName: NAME,
      desiredStatus: 'RUNNING',
    })
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeTasksCommand, {cluster: CLUSTER, tasks: [TASK_ARN]})
    expect(r.data).toMatchObject({probe: {taskId: '0a1b2c3d4e5f', url: READY, status: 200}})
  })

  it('fails with the status when readiness answers non-200 (over real HTTP)', async () => {
    services(service())
    tasks([fargateTask()])
    const server = createServer((_, res) => {
      res.writeHead(503)
      res.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const check = weaviateCheck((url, o) => httpGet(url.replace('http://10.0.12.34:8080', local), o))
      const r = await check.run(probing())
      expect(r).toMatchObject({
        status: 'fail',
        summary: 'weaviate task 0a1b2c3d4e5f not ready: GET /v1/.well-known/ready answered HTTP 503',
      })
      expect(r.details?.[1]).toMatch(new RegExp(`^task 0a1b2c3d4e5f: GET ${READY} → HTTP 503 in \\d+ms$`))
      expect(r.hint).toContain(HINT)
    } finally {
      server.close()
    }
  })

  it('keeps the ECS verdict and notes it when the task cannot be reached from here', async () => {
    services(service())
    tasks([fargateTask()])
    const r = await withGet(unreachable('TIMEOUT', 3000)).check.run(probing())
    expect(r).toMatchObject({status: 'pass', summary: 'weaviate running 1/1'})
    expect(r.details?.[1]).toBe(
      'task 0a1b2c3d4e5f: readiness not probed: 10.0.12.34:8080 not reachable from here (connection timed out after 3000ms): run from inside the VPC (a bastion, or `allthrive exec web -e production`)',
    )
  })

  it("finds the IP on the container's network interface when the task has no ENI attachment", async () => {
    services(service())
    tasks([
      fargateTask({taskArn: taskArn('pending1'), lastStatus: 'PROVISIONING'}),
      fargateTask({
        attachments: [],
        containers: [{name: 'weaviate', networkInterfaces: [{privateIpv4Address: '10.0.12.34'}]}],
      }),
    ])
    const {check, get} = withGet({kind: 'response', status: 200, latencyMs: 4, body: ''})
    await check.run(probing())
    expect(get).toHaveBeenCalledWith(READY, expect.anything())
  })

  it('notes when no running task has an address', async () => {
    services(service())
    tasks([])
    const r = await withGet({kind: 'response', status: 200, latencyMs: 4, body: ''}).check.run(probing())
    expect(r.details).toContain('readiness not probed: no RUNNING task with a private IP address')
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeTasksCommand)
  })

  it.each([
    ['running 0 of 1', service({runningCount: 0}), `service ${NAME} runs 0 of 1 tasks`],
    ['scaled to zero', service({desiredCount: 0, runningCount: 0}), `service ${NAME} is scaled to zero (desired 0)`],
    ['draining', service({status: 'DRAINING', runningCount: 0}), `service ${NAME} is DRAINING`],
    ['missing', undefined, `service ${NAME} not found in cluster ${CLUSTER}`],
  ])('fails when the service is %s, with the logs command and what to check', async (_, svc, detail) => {
    services(svc)
    const {check, get} = withGet({kind: 'response', status: 200, latencyMs: 4, body: ''})
    const r = await check.run(probing())
    expect(r).toMatchObject({status: 'fail', summary: `weaviate: ${detail}`, details: [detail]})
    expect(r.hint).toContain(HINT)
    expect(r.hint).toContain('security group allows port 8080 from the ECS tasks')
    expect(get).not.toHaveBeenCalled()
  })

  it('fails on too few tasks even when the running one is ready', async () => {
    services(service({desiredCount: 2, runningCount: 1}))
    tasks([fargateTask()])
    const r = await withGet({kind: 'response', status: 200, latencyMs: 4, body: ''}).check.run(probing())
    expect(r).toMatchObject({status: 'fail', summary: `weaviate: service ${NAME} runs 1 of 2 tasks`})
    expect(r.details?.[1]).toContain('(ready)')
  })

  it('fails when the cluster does not exist', async () => {
    noCluster()
    const r = await weaviate.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: `weaviate: cluster ${CLUSTER} not found`})
  })

  it('is an error naming the IAM action when ECS denies access', async () => {
    mocks.ecs.on(DescribeServicesCommand).rejects(accessDenied('ecs:DescribeServices'))
    await expectErrorNaming(weaviate, 'ecs:DescribeServices')
  })
})
