import {ECSClient} from '@aws-sdk/client-ecs'
import {Readable} from 'node:stream'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../../src/aws/clients.js'
import {startTask} from '../../../src/lib/migrate/run-task.js'

// Not from the fixtures: they load the mockClient map, which would replace the real client's send.
const CLUSTER = 'production-allthrive-cluster'
const taskArn = (id: string): string => `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/${id}`

/** A real ECS client and its retry middleware over a fake wire: the first answer to RunTask is lost. */
function lossyWire(client: ECSClient): string[] {
  const bodies: string[] = []
  Object.assign(client.config, {
    requestHandler: {
      async handle(request: {body: string}) {
        bodies.push(String(request.body))
        if (bodies.length === 1) throw Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'})
        const body = JSON.stringify({tasks: [{taskArn: taskArn('9f9f0000'), lastStatus: 'PROVISIONING'}], failures: []})
        return {
          response: {
            statusCode: 200,
            headers: {'content-type': 'application/x-amz-json-1.1'},
            body: Readable.from([Buffer.from(body)]),
          },
        }
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    },
  })
  return bodies
}

describe('RunTask idempotency across SDK retries', () => {
  const saved = {...process.env}
  beforeEach(() => {
    Object.assign(process.env, {AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret'})
    delete process.env.AWS_ENDPOINT_URL
  })
  afterEach(() => {
    process.env = {...saved}
  })

  it('a retry after a lost answer carries the same clientToken, so ECS starts one task', async () => {
    const aws = createAwsClients({region: 'us-east-1', maxAttempts: 3})
    const ecs = aws.client(ECSClient)
    const bodies = lossyWire(ecs)
    const task = await startTask(ecs, {cluster: CLUSTER, taskDefinition: 'production-allthrive-web:42'})
    expect(task.taskArn).toBe(taskArn('9f9f0000'))
    expect(bodies).toHaveLength(2)
    const tokens = bodies.map((b) => (JSON.parse(b) as {clientToken?: string}).clientToken)
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(tokens[1]).toBe(tokens[0])
  })
})
