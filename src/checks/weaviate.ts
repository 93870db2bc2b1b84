import type {Task} from '@aws-sdk/client-ecs'

import {serviceByKey} from '../config.js'
import {describeEnvServices, liveTasks, taskId} from '../resources/ecs.js'
import {fromTheVpc} from '../lib/probes/common.js'
import {httpGet} from '../lib/probes/http.js'
import {type Check, type CheckContext, fail, pass} from './types.js'
import {shq} from '../util/shell.js'

/** Weaviate's REST port (WEAVIATE_URL is http://weaviate:8080). */
export const WEAVIATE_PORT = 8080
const READY_PATH = '/v1/.well-known/ready'

/** The private IP of a RUNNING task of the service (Fargate: the task's ENI). */
async function runningTaskIp(
  ctx: CheckContext,
  serviceName: string,
): Promise<{taskId: string; ip: string} | undefined> {
  const tasks = (await liveTasks(ctx, [serviceName])).get(serviceName) ?? []
  const ipOf = (t: Task): string | undefined =>
    t.attachments
      ?.find((a) => a.type === 'ElasticNetworkInterface')
      ?.details?.find((d) => d.name === 'privateIPv4Address')?.value ??
    t.containers?.flatMap((c) => c.networkInterfaces ?? []).find((n) => n.privateIpv4Address)?.privateIpv4Address
  const task = tasks.find((t) => t.lastStatus === 'RUNNING' && ipOf(t))
  return task ? {taskId: taskId(task.taskArn), ip: ipOf(task)!} : undefined
}

/** The weaviate ECS service runs its desired tasks; with --probe, a task answers Weaviate's readiness endpoint. */
export function weaviateCheck(get: typeof httpGet = httpGet): Check {
  return {
    id: 'weaviate',
    title: 'Weaviate runs and answers',
    iam: ['ecs:DescribeServices', 'ecs:ListServices', 'ecs:ListTasks', 'ecs:DescribeTasks'],
    async run(ctx) {
      const {env} = ctx
      const s = serviceByKey(env, 'weaviate')
      const {services, clusterMissing} = await describeEnvServices(ctx)
      const svc = services.get('weaviate')
      const [desired, running] = [svc?.desiredCount ?? 0, svc?.runningCount ?? 0]
      const data: Record<string, unknown> = {
        cluster: env.cluster,
        service: s.name,
        status: svc?.status ?? 'MISSING',
        desired,
        running,
      }
      const hint = `See why: allthrive logs tail weaviate -e ${shq(env.name)} --since 30m; check the task is running (aws ecs describe-services --cluster ${shq(env.cluster)} --services ${shq(s.name)}), the security group allows port ${WEAVIATE_PORT} from the ECS tasks, and the log group ${shq(s.logGroup)}.`
      let problem: string | undefined
      if (clusterMissing) problem = `cluster ${env.cluster} not found`
      else if (!svc) problem = `service ${s.name} not found in cluster ${env.cluster}`
      else if (svc.status !== 'ACTIVE') problem = `service ${s.name} is ${svc.status}`
      else if (desired === 0) problem = `service ${s.name} is scaled to zero (desired 0)`
      else if (running < desired) problem = `service ${s.name} runs ${running} of ${desired} tasks`
      if (problem && running === 0) return fail(`weaviate: ${problem}`, {details: [problem], hint, data})

      const details = [problem ?? `service ${s.name} runs ${running} of ${desired} tasks`]
      if (!ctx.probe) {
        details.push(`readiness not probed: run with --probe from inside the VPC`)
      } else {
        const task = await runningTaskIp(ctx, s.name)
        if (task) {
          const url = `http://${task.ip}:${WEAVIATE_PORT}${READY_PATH}`
          const o = await get(url, {timeoutMs: env.thresholds.probes.timeoutMs, signal: ctx.signal})
          data.probe = {
            taskId: task.taskId,
            url,
            ...(o.kind === 'response' ? {status: o.status, latencyMs: o.latencyMs} : {code: o.code}),
          }
          if (o.kind === 'response' && o.status !== 200) {
            return fail(`weaviate task ${task.taskId} not ready: GET ${READY_PATH} answered HTTP ${o.status}`, {
              details: [...details, `task ${task.taskId}: GET ${url} → HTTP ${o.status} in ${o.latencyMs}ms`],
              hint,
              data,
            })
          }

          details.push(
            o.kind === 'response'
              ? `task ${task.taskId}: GET ${url} → HTTP 200 in ${o.latencyMs}ms (ready)`
              : `task ${task.taskId}: readiness not probed: ${task.ip}:${WEAVIATE_PORT} not reachable from here (${o.kind === 'unreachable' ? o.reason : o.code}): ${fromTheVpc(ctx.env.name)}`,
          )
        } else {
          details.push('readiness not probed: no RUNNING task with a private IP address')
        }
      }

      if (problem) return fail(`weaviate: ${problem}`, {details, hint, data})
      return pass(
        `weaviate running ${running}/${desired}${details.some((d) => d.endsWith('(ready)')) ? ', ready' : ''}`,
        {details, data},
      )
    },
  }
}

export const weaviate = weaviateCheck()
