import type {Service, Task} from '@aws-sdk/client-ecs'

import {serviceByKey} from '../config.js'
import {describeEnvServices, liveTasks, taskDefinitionLabel, taskId} from '../resources/ecs.js'
import {type Check, type CheckStatus, fail, worst} from './types.js'
import {shq} from '../util/shell.js'

const STARTING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING'])

/** Why a deployment of this service can run the new beat beside the old one, if it can. */
function overlapRisk(svc: Service): string | undefined {
  const controller = svc.deploymentController?.type ?? 'ECS'
  if (controller !== 'ECS') return `deployment controller ${controller} runs the new task set beside the old one`
  const {strategy, minimumHealthyPercent = 100, maximumPercent = 200} = svc.deploymentConfiguration ?? {}
  if (strategy && strategy !== 'ROLLING')
    return `deployment strategy ${strategy} runs the new tasks beside the old ones`
  if (maximumPercent >= 200)
    return `minimumHealthyPercent ${minimumHealthyPercent}, maximumPercent ${maximumPercent}: a deployment can start the new beat before the old one stops`
  return undefined
}

/** Exactly one celery-beat task runs: none means no scheduled job runs, two or more run every job twice. */
export const celeryBeat: Check = {
  id: 'celery-beat',
  title: 'Exactly one celery-beat task running',
  iam: ['ecs:DescribeServices', 'ecs:ListServices', 'ecs:ListTasks', 'ecs:DescribeTasks'],
  async run(ctx) {
    const {env} = ctx
    const beat = serviceByKey(env, 'celery-beat')
    const {services, clusterMissing} = await describeEnvServices(ctx)
    const svc = services.get('celery-beat')
    if (clusterMissing || !svc || svc.status !== 'ACTIVE') {
      const what = clusterMissing
        ? `cluster ${env.cluster} not found`
        : svc
          ? `service ${beat.name} is ${svc.status}`
          : `service ${beat.name} not found in cluster ${env.cluster}`
      return fail(`${what}: scheduled jobs are not running`, {
        hint: clusterMissing
          ? `Compare "cluster" in the configuration with: aws ecs list-clusters --region ${shq(ctx.region)}`
          : `Compare the service name with: aws ecs list-services --cluster ${shq(env.cluster)}`,
        data: {service: beat.name, status: svc?.status ?? 'MISSING'},
      })
    }

    const tasks = (await liveTasks(ctx, [beat.name])).get(beat.name)!
    const running = tasks.filter((t) => t.lastStatus === 'RUNNING')
    const starting = tasks.filter((t) => STARTING.has(t.lastStatus ?? ''))
    const desired = svc.desiredCount ?? 0
    const risk = overlapRisk(svc)
    const update = `aws ecs update-service --cluster ${shq(env.cluster)} --service ${shq(beat.name)}`
    const scale = `Run exactly one: ${update} --desired-count 1`
    const noOverlapCommand = `${update} --deployment-configuration minimumHealthyPercent=0,maximumPercent=100`
    const noOverlap = `Stop deployments from overlapping: ${noOverlapCommand}`
    const stopOlder = `stop the older task: aws ecs stop-task --cluster ${shq(env.cluster)} --task <id>`
    const problems: {status: CheckStatus; line: string; hint: string}[] = []
    const n = running.length
    if (n >= 2)
      problems.push({
        status: 'fail',
        line: `${n} celery-beat tasks running: every scheduled job runs ${n} times`,
        hint: desired > 1 ? scale : risk ? `${noOverlap}; then ${stopOlder}` : `S${stopOlder.slice(1)}`,
      })
    if (desired === 0)
      problems.push({
        status: 'fail',
        line: 'celery-beat desired count is 0: scheduled jobs are not running',
        hint: scale,
      })
    else if (desired > 1)
      problems.push({
        status: 'fail',
        line: `celery-beat desired count is ${desired}: every scheduled job runs ${desired} times once they all start`,
        hint: scale,
      })
    if (desired > 0 && n === 0 && starting.length === 0) {
      problems.push({
        status: 'fail',
        line: 'no celery-beat task running: scheduled jobs are not running',
        hint: `See why: allthrive validate --only ecs-services -e ${shq(env.name)}; allthrive logs tail celery-beat -e ${shq(env.name)} --since 30m`,
      })
    } else if (desired > 0 && n === 0) {
      problems.push({
        status: 'warn',
        line: `no celery-beat task running yet: ${starting.length} starting (${starting.map((t) => t.lastStatus).join(', ')}): scheduled jobs wait until it runs`,
        hint: `Follow it: aws ecs wait services-stable --cluster ${shq(env.cluster)} --services ${shq(beat.name)}`,
      })
    } else if (n === 1 && starting.length > 0) {
      problems.push({
        status: 'warn',
        line: `1 celery-beat task running, ${starting.length} starting: a deployment is in progress; once both run, every scheduled job runs twice until the old one stops`,
        hint: noOverlap,
      })
    }

    const describe = (t: Task) =>
      `task ${taskId(t.taskArn)}: ${t.lastStatus} ${taskDefinitionLabel(t.taskDefinitionArn)}${t.startedAt ? `, started ${t.startedAt.toISOString()}` : ''}`
    const {minimumHealthyPercent, maximumPercent, strategy} = svc.deploymentConfiguration ?? {}
    const data = {
      service: beat.name,
      desired,
      running: n,
      starting: starting.length,
      tasks: [...running, ...starting].map((t) => ({
        taskId: taskId(t.taskArn),
        lastStatus: t.lastStatus,
        taskDefinition: taskDefinitionLabel(t.taskDefinitionArn),
        startedAt: t.startedAt?.toISOString(),
      })),
      deploymentConfiguration: {minimumHealthyPercent, maximumPercent, strategy},
      ...(risk && {overlapRisk: risk}),
    }
    const details = [...running, ...starting].map(describe)
    if (risk) details.push(`deployments can overlap (${risk}); to avoid it: ${noOverlapCommand}`)
    if (problems.length === 0)
      return {
        status: 'pass',
        summary: `1 celery-beat task running (${taskId(running[0].taskArn)}, ${taskDefinitionLabel(running[0].taskDefinitionArn)})`,
        details,
        data,
      }
    const status = worst(problems.map((p) => p.status))
    problems.sort((a, b) => (a.status === b.status ? 0 : a.status === status ? -1 : 1))
    return {
      status,
      summary: problems[0].line,
      details: [...problems.map((p) => p.line), ...details],
      hint: [...new Set(problems.map((p) => p.hint))].join('; '),
      data,
    }
  },
}
