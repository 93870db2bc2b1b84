import type {Service, Task} from '@aws-sdk/client-ecs'

import type {ServiceConfig} from '../config.js'
import {
  describeEnvServices,
  describeStoppedTask,
  recentStoppedTasks,
  taskDefinitionLabel,
  taskId,
} from '../resources/ecs.js'
import {type Check, type CheckResult, type CheckStatus, fail, pass, warn, worst} from './types.js'
import {shq} from '../util/shell.js'

interface Finding {
  status: CheckStatus
  line: string
}

/** What is wrong with one service, worst first in the result; an empty list means healthy. */
function assess(s: ServiceConfig, svc: Service | undefined, cluster: string): Finding[] {
  if (!svc) return [{status: 'fail', line: `${s.key}: service ${s.name} not found in cluster ${cluster}`}]
  if (svc.status !== 'ACTIVE') return [{status: 'fail', line: `${s.key}: service ${s.name} is ${svc.status}`}]
  const found: Finding[] = []
  const [desired, running, pending] = [svc.desiredCount ?? 0, svc.runningCount ?? 0, svc.pendingCount ?? 0]
  if (desired === 0) found.push({status: 'warn', line: `${s.key}: scaled to zero (desired 0)`})
  else if (running < desired)
    found.push({
      status: 'fail',
      line: `${s.key}: running ${running} of ${desired}${pending ? ` (${pending} pending)` : ''}`,
    })
  const deployments = svc.deployments ?? []
  const primary = deployments.find((d) => d.status === 'PRIMARY')
  if (primary) {
    const name = `deployment ${primary.id} (${taskDefinitionLabel(primary.taskDefinition)})`
    const counts = `running ${primary.runningCount ?? 0}/${primary.desiredCount ?? 0}, ${primary.failedTasks ?? 0} failed tasks`
    // ECS's reason for a rollout under way only repeats the deployment id ("ECS deployment ecs-svc/… in progress.").
    const said = primary.rolloutStateReason && !/^ECS deployment \S+ in progress\.?$/.test(primary.rolloutStateReason)
    const reason = said ? `: ${primary.rolloutStateReason}` : ''
    if (primary.rolloutState === 'FAILED')
      found.push({status: 'fail', line: `${s.key}: ${name} FAILED${reason} (${counts})`})
    else if (primary.rolloutState === 'IN_PROGRESS')
      found.push({status: 'warn', line: `${s.key}: ${name} IN_PROGRESS${reason} (${counts})`})
    else if ((primary.failedTasks ?? 0) > 0) found.push({status: 'pass', line: `${s.key}: ${name}: ${counts}`})
  }

  if (deployments.length > 1) {
    const others = deployments
      .filter((d) => d !== primary)
      .map((d) => `${d.status} ${taskDefinitionLabel(d.taskDefinition)}`)
    found.push({
      status: 'warn',
      line: `${s.key}: rollout under way: ${deployments.length} deployments (${others.join(', ')} still running)`,
    })
  }

  return found
}

const stoppedData = (t: Task) => ({
  taskId: taskId(t.taskArn),
  stopCode: t.stopCode,
  stoppedReason: t.stoppedReason,
  stoppedAt: t.stoppedAt?.toISOString(),
  containers: (t.containers ?? []).map((c) => ({name: c.name, exitCode: c.exitCode, reason: c.reason})),
})

/** Every service runs its desired count on a completed deployment; failing ones show why their tasks stopped. */
export const ecsServices: Check = {
  id: 'ecs-services',
  title: 'ECS services running their desired tasks',
  iam: ['ecs:DescribeServices', 'ecs:ListServices', 'ecs:ListTasks', 'ecs:DescribeTasks'],
  async run(ctx) {
    const {env} = ctx
    const {services, clusterMissing} = await describeEnvServices(ctx)
    if (clusterMissing) {
      return fail(`cluster ${env.cluster} not found`, {
        details: [
          `cluster ${env.cluster} does not exist in ${ctx.region}: none of ${env.services.map((s) => s.name).join(', ')} can run`,
          // What discovery looked for (configured name, both conventions, tags).
          ...(env.clusterOrigin && !env.clusterOrigin.found
            ? [`looked for ${env.clusterOrigin.searched.join('; ')}`]
            : []),
        ],
        hint: `Compare "cluster" in the configuration with: aws ecs list-clusters --region ${shq(ctx.region)}`,
        data: {cluster: env.cluster, clusterMissing: true},
      })
    }

    const assessed = env.services.map((s) => ({
      s,
      svc: services.get(s.key),
      findings: assess(s, services.get(s.key), env.cluster),
    }))
    const statusOf = (a: (typeof assessed)[number]): CheckStatus => worst(a.findings.map((f) => f.status))
    const failing = assessed.filter((a) => statusOf(a) === 'fail')
    // Stopped tasks explain failing services, and services whose current deployment lost tasks.
    const explain = assessed.filter(
      (a) =>
        a.svc?.status === 'ACTIVE' &&
        (statusOf(a) === 'fail' ||
          (a.svc.deployments ?? []).some((d) => d.status === 'PRIMARY' && (d.failedTasks ?? 0) > 0)),
    )
    const stopped = await recentStoppedTasks(
      ctx,
      explain.map((a) => a.svc!.serviceName!),
      env.thresholds.ecsServices.stoppedTasksShown,
    )

    const details: string[] = []
    for (const a of assessed) {
      details.push(...a.findings.map((f) => f.line))
      if (statusOf(a) === 'fail' && a.svc) {
        const events = [...(a.svc.events ?? [])]
          .sort((x, y) => (y.createdAt?.getTime() ?? 0) - (x.createdAt?.getTime() ?? 0))
          .slice(0, 3)
        details.push(
          ...events.map(
            (e) => `${a.s.key}: event ${e.createdAt?.toISOString().replace(/\.\d{3}Z$/, 'Z') ?? ''} ${e.message}`,
          ),
        )
      }

      details.push(...(stopped.get(a.svc?.serviceName ?? '') ?? []).map((t) => `${a.s.key}: ${describeStoppedTask(t)}`))
    }

    const data = {
      cluster: env.cluster,
      services: Object.fromEntries(
        assessed.map(({s, svc}) => [
          s.key,
          {
            name: s.name,
            status: svc?.status ?? 'MISSING',
            desired: svc?.desiredCount,
            running: svc?.runningCount,
            pending: svc?.pendingCount,
            rolloutState: svc?.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState,
            deployments: svc?.deployments?.length ?? 0,
            taskDefinition: svc?.taskDefinition && taskDefinitionLabel(svc.taskDefinition),
            stoppedTasks: (stopped.get(svc?.serviceName ?? '') ?? []).map(stoppedData),
          },
        ]),
      ),
    }
    const extras = (hint: string): Omit<CheckResult, 'status' | 'summary'> => ({details, hint, data})
    const total = env.services.length
    if (failing.length > 0) {
      // Explain the first service that exists; if none does, point at the names.
      const first = (failing.find((a) => a.svc) ?? failing[0]).s
      // Tasks that keep stopping (a crash loop): the stop reason is the lead, not the desired count.
      const lastStop = stopped.get(services.get(first.key)?.serviceName ?? '')?.[0]
      return fail(
        `${failing.length} of ${total} services failing: ${failing.map((a) => a.s.key).join(', ')}`,
        extras(
          !services.has(first.key)
            ? `Compare the service names in the configuration with: aws ecs list-services --cluster ${shq(env.cluster)}`
            : lastStop
              ? `Its tasks keep stopping (${describeStoppedTask(lastStop)}): read the last one's logs with: ` +
                `allthrive logs tail ${shq(first.key)} -e ${shq(env.name)} --previous`
              : `See why: allthrive logs tail ${shq(first.key)} -e ${shq(env.name)} --since 30m; ` +
                `aws ecs describe-services --cluster ${shq(env.cluster)} --services ${shq(first.name)}`,
        ),
      )
    }

    const warned = assessed.filter((a) => statusOf(a) === 'warn')
    if (warned.length > 0) {
      const {s, svc} = warned[0]
      return warn(
        `${warned.length} of ${total} services need attention: ${warned.map((a) => a.s.key).join(', ')}`,
        extras(
          svc?.desiredCount === 0
            ? `If ${s.name} should run: aws ecs update-service --cluster ${shq(env.cluster)} --service ${shq(s.name)} --desired-count 1`
            : `Follow the rollout: aws ecs wait services-stable --cluster ${shq(env.cluster)} --services ${shq(s.name)}`,
        ),
      )
    }

    const counts = assessed.map(({s, svc}) => `${s.key} ${svc!.runningCount ?? 0}/${svc!.desiredCount ?? 0}`)
    return pass(`${total} services running (${counts.join(', ')})`, {...(details.length > 0 && {details}), data})
  },
}
