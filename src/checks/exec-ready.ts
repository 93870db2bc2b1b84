import {serviceByKey, type ServiceKey} from '../config.js'
import {describeEnvServices, liveTasks, taskDefinition, taskDefinitionLabel, taskId} from '../resources/ecs.js'
import {SSM_MESSAGES_ACTIONS} from '../lib/exec/preflight.js'
import {execContainer, platformTooOld, taskReadiness} from '../lib/exec/readiness.js'
import {execAgent} from '../lib/exec/select-task.js'
import {type Check, fail, type Finding, resultFromFindings} from './types.js'
import {shq} from '../util/shell.js'

/** The services `allthrive exec` connects to. */
const EXEC_SERVICES = ['web', 'celery'] as const satisfies readonly ServiceKey[]

const NO_ROLE = `ECS Exec needs ${SSM_MESSAGES_ACTIONS.map((a, i) => (i === 0 ? a : a.replace('ssmmessages:', ''))).join(', ')} on the task role`
const oldFargate = (t: {platformVersion?: string; platformFamily?: string}): boolean =>
  !/windows/i.test(t.platformFamily ?? '') && platformTooOld(t.platformVersion)

/** web and celery allow ECS Exec, so `allthrive exec` works when it is needed. */
export const execReady: Check = {
  id: 'exec-ready',
  title: 'ECS Exec ready on web and celery',
  iam: ['ecs:DescribeServices', 'ecs:ListServices', 'ecs:ListTasks', 'ecs:DescribeTasks', 'ecs:DescribeTaskDefinition'],
  async run(ctx) {
    const {env} = ctx
    const {services, clusterMissing} = await describeEnvServices(ctx)
    if (clusterMissing)
      return fail(`cluster ${env.cluster} not found: nothing to exec into`, {
        hint: `Compare "cluster" in the configuration with: aws ecs list-clusters --region ${shq(ctx.region)}`,
      })

    // web, celery, and every service of the environment beyond the four roles (celery-ai).
    const targets = [...EXEC_SERVICES.map((key) => serviceByKey(env, key)), ...env.services.filter((s) => !s.role)].map(
      (s) => ({s, svc: services.get(s.key)}),
    )
    const active = targets.filter((t) => t.svc?.status === 'ACTIVE').map((t) => ({s: t.s, svc: t.svc!}))
    const [live] = await Promise.all([
      liveTasks(
        ctx,
        active.map((t) => t.s.name),
      ),
      ...active.map((t) => taskDefinition(ctx, t.svc.taskDefinition!)),
    ])
    const running = new Map(active.map((t) => [t.s.key, live.get(t.s.name)!.filter((x) => x.lastStatus === 'RUNNING')]))
    // Task definitions of running tasks on other revisions, when no override gives them a role.
    const roleless = [...running.values()]
      .flat()
      .filter((x) => !x.overrides?.taskRoleArn && x.taskDefinitionArn)
      .map((x) => x.taskDefinitionArn!)
    const arns = [...new Set([...active.map((t) => t.svc.taskDefinition!), ...roleless])]
    const defs = new Map(await Promise.all(arns.map(async (arn) => [arn, await taskDefinition(ctx, arn)] as const)))

    const findings: Finding[] = []
    const shorts = new Set<string>()
    const add = (status: Finding['status'], short: string, detail: string, hint?: string): void => {
      findings.push({status, ...(!shorts.has(short) && {short}), detail, ...(hint && {hint})})
      shorts.add(short)
    }

    for (const {s, svc} of targets) {
      const update = `aws ecs update-service --cluster ${shq(env.cluster)} --service ${shq(s.name)}`
      if (!svc || svc.status !== 'ACTIVE') {
        add(
          'fail',
          `${s.key} not found`,
          `${s.key}: service ${s.name} ${svc ? `is ${svc.status}` : `not found in cluster ${env.cluster}`}: allthrive exec has nothing to connect to`,
          `Compare the service name with: aws ecs list-services --cluster ${shq(env.cluster)}`,
        )
        continue
      }

      if (!svc.enableExecuteCommand)
        add(
          'fail',
          `off on ${s.key}`,
          `${s.key}: ECS Exec is off on service ${s.name} (enableExecuteCommand false)`,
          `${update} --enable-execute-command --force-new-deployment`,
        )
      if (oldFargate(svc))
        add(
          'fail',
          `${s.key} platform ${svc.platformVersion}`,
          `${s.key}: service ${s.name} pins Fargate platform ${svc.platformVersion}: ECS Exec needs 1.4.0 or later`,
          `${update} --platform-version LATEST --force-new-deployment`,
        )
      const td = defs.get(svc.taskDefinition!)!
      const roleHint = `Set taskRoleArn in ${td.family ?? s.name} to a role allowing ${SSM_MESSAGES_ACTIONS.join(', ')} on "*", register the revision and deploy it`
      if (!td.taskRoleArn)
        add(
          'fail',
          `no task role for ${s.key}`,
          `${s.key}: task definition ${taskDefinitionLabel(svc.taskDefinition)} has no task role: ${NO_ROLE}`,
          roleHint,
        )

      const tasks = running.get(s.key)!
      if (tasks.length === 0)
        add(
          'warn',
          `no ${s.key} task running`,
          `${s.key}: no running task: cannot confirm the ExecuteCommandAgent`,
          `See why: allthrive validate --only ecs-services -e ${shq(env.name)}`,
        )
      for (const t of tasks) {
        const id = taskId(t.taskArn)
        const label = taskDefinitionLabel(t.taskDefinitionArn)
        const problems = findings.length
        if (oldFargate(t))
          add(
            'fail',
            `${s.key} task on platform ${t.platformVersion}`,
            `${s.key}: task ${id} runs Fargate platform ${t.platformVersion}: ECS Exec needs 1.4.0 or later`,
            `${update} --platform-version LATEST --force-new-deployment`,
          )
        const role = t.overrides?.taskRoleArn ?? defs.get(t.taskDefinitionArn ?? '')?.taskRoleArn
        // A task on the service's current revision without an override shares the finding above.
        if (!role && t.taskDefinitionArn !== svc.taskDefinition) {
          add(
            'fail',
            `no task role for ${s.key}`,
            `${s.key}: running task ${id} (${label}) has no task role: ${NO_ROLE}`,
            roleHint,
          )
        }

        // One model with `allthrive exec`'s preflight (lib/exec/readiness): the same container, the same requirements.
        const readiness = taskReadiness(t, {container: s.container, taskRoleArn: role})
        const c = readiness.container
        const agent = execAgent(c)
        if (!t.enableExecuteCommand) {
          if (svc.enableExecuteCommand)
            add(
              'warn',
              `${s.key} task predates setting`,
              `${s.key}: running task ${id} predates the setting: force a new deployment`,
              `${update} --force-new-deployment`,
            )
        } else if (!c) {
          add(
            'warn',
            `${s.key} container missing`,
            `${s.key}: task ${id} has no container ${s.container} (containers: ${(t.containers ?? []).map((x) => x.name).join(', ') || 'none'})`,
            `Set services.${s.key}.container in allthrive.config.json to the container exec should use`,
          )
        } else if (readiness.unmet.includes('container')) {
          add(
            'warn',
            `${s.key} container ${c.lastStatus ?? 'not running'}`,
            `${s.key}: task ${id} container ${c.name} is ${c.lastStatus ?? 'not running'}${c.reason ? ` (${c.reason})` : ''}`,
            'Wait until it is RUNNING, or replace the task',
          )
        } else if (readiness.unmet.includes('exec-agent')) {
          const status = agent?.lastStatus ?? 'not reported'
          add(
            'warn',
            `${s.key} agent ${status}`,
            `${s.key}: task ${id} container ${c.name}: ExecuteCommandAgent is ${status}${agent?.reason ? ` (${agent.reason})` : ''}`,
            agent?.lastStatus === 'PENDING'
              ? 'The agent is still starting: check again in a minute'
              : `Check the task role allows ${SSM_MESSAGES_ACTIONS.join(', ')} and the task reaches ssmmessages.${ctx.region}.amazonaws.com (NAT gateway or VPC endpoint), then replace it: aws ecs stop-task --cluster ${shq(env.cluster)} --task ${shq(id)}`,
          )
        }

        if (findings.length === problems && readiness.ready)
          add(
            'pass',
            '',
            `${s.key}: task ${id} ready (${label}, platform ${t.platformVersion ?? 'n/a'}, ExecuteCommandAgent RUNNING)`,
          )
      }
    }

    const data = {
      services: Object.fromEntries(
        targets.map(({s, svc}) => [
          s.key,
          {
            name: s.name,
            status: svc?.status ?? 'MISSING',
            enableExecuteCommand: svc?.enableExecuteCommand,
            taskDefinition: svc?.taskDefinition && taskDefinitionLabel(svc.taskDefinition),
            taskRoleArn: svc?.taskDefinition ? defs.get(svc.taskDefinition)?.taskRoleArn : undefined,
            tasks: (running.get(s.key) ?? []).map((t) => ({
              taskId: taskId(t.taskArn),
              taskDefinition: taskDefinitionLabel(t.taskDefinitionArn),
              enableExecuteCommand: t.enableExecuteCommand ?? false,
              platformVersion: t.platformVersion,
              execAgent: execAgent(execContainer(t, s.container))?.lastStatus,
              taskRoleArn: t.overrides?.taskRoleArn ?? defs.get(t.taskDefinitionArn ?? '')?.taskRoleArn,
            })),
          },
        ]),
      ),
    }
    const ready = [...running.values()].flat().length
    return resultFromFindings(
      'ECS Exec',
      findings,
      `ECS Exec ready on ${EXEC_SERVICES.join(', ')} (${ready} running task${ready === 1 ? '' : 's'}, agent RUNNING)`,
      data,
    )
  },
}
