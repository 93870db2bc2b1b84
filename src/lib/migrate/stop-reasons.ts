import type {Failure, Task} from '@aws-sdk/client-ecs'

import {taskId} from '../../resources/ecs.js'
import {shq} from '../../util/shell.js'

/**
 * Why a one-off task failed, in plain words, with the fix. ECS's own words (stopCode,
 * stoppedReason, the container's reason) are kept in `detail`.
 */
export interface Explanation {
  summary: string
  fix?: string
  detail?: string
}

const REACH = /i\/o timeout|dial tcp|context deadline exceeded|connection timed out|no such host/i

interface Rule {
  test: (text: string, task: Task) => boolean
  explain: (ctx: {text: string; task: Task; image?: string; env?: string}) => Omit<Explanation, 'detail'>
}

const RULES: Rule[] = [
  {
    test: (t) => /CannotPullContainerError|pull image manifest|failed to resolve ref|manifest unknown/i.test(t),
    explain: ({text, image}) => ({
      summary: REACH.test(text)
        ? `ECS could not reach the registry to pull the image${image ? ` ${image}` : ''} from the task's subnets.`
        : `ECS could not pull the container image${image ? ` ${image}` : ''}: the tag does not exist or may not be read.`,
      fix: 'Check the image tag exists (aws ecr describe-images --repository-name <repo> --image-ids imageTag=<tag>), the task execution role allows ecr:GetAuthorizationToken, ecr:BatchGetImage and ecr:GetDownloadUrlForLayer, and the subnets reach ECR (a NAT gateway, or ecr.api, ecr.dkr and S3 VPC endpoints).',
    }),
  },
  {
    test: (t) => /ResourceInitializationError/i.test(t) && /secret|registry auth|ssm|parameter/i.test(t),
    explain: ({text, env}) => ({
      summary: REACH.test(text)
        ? "ECS could not reach Secrets Manager (or the registry) from the task's subnets to fetch the task's secrets before starting it."
        : "ECS could not fetch the task's secrets (or the registry credentials) before starting it.",
      fix: `The task execution role must allow secretsmanager:GetSecretValue (ssm:GetParameters for Parameter Store, kms:Decrypt for a customer-managed key) on every secret the task definition names; each secret (and JSON key) must exist; the subnets must reach Secrets Manager (a NAT gateway or a secretsmanager VPC endpoint). \`allthrive validate${env ? ` -e ${shq(env)}` : ''} --only secrets,ecs-env\` checks the secrets.`,
    }),
  },
  {
    test: (t) => /ResourceInitializationError/i.test(t) && /log|awslogs|CreateLogStream/i.test(t),
    explain: () => ({
      summary: "ECS could not set up the container's logging (awslogs) before starting it.",
      fix: 'Create the log group named in the task definition (aws logs create-log-group --log-group-name <group>) and allow logs:CreateLogStream and logs:PutLogEvents in the task execution role.',
    }),
  },
  {
    test: (t) => /network interface|\bENI\b|free IP|IP address|InsufficientFreeAddresses|subnet/i.test(t),
    explain: () => ({
      summary:
        "ECS could not give the task a network interface: the subnets have no free IP addresses, or the account's ENI quota is reached.",
      fix: 'Check free addresses with aws ec2 describe-subnets --subnet-ids <ids> --query "Subnets[].AvailableIpAddressCount", free some or add subnets to the web service\'s network configuration, then run again.',
    }),
  },
  {
    test: (t, task) =>
      task.stopCode === 'SpotInterruption' ||
      /capacity|SpotInterruption|No Container Instances|RESOURCE:(CPU|MEMORY|ENI|PORTS)/i.test(t),
    explain: ({task}) => ({
      summary:
        task.stopCode === 'SpotInterruption'
          ? 'AWS reclaimed the Fargate Spot capacity the task ran on (SpotInterruption).'
          : "There was no capacity to run the task (Fargate or the cluster's instances had none of the size needed).",
      fix: 'Run again in a few minutes. Migrations are better on on-demand capacity: a FARGATE (not FARGATE_SPOT) capacity provider for the web service.',
    }),
  },
  {
    test: (t) =>
      /CannotStartContainerError|executable file not found|exec format error|no such file or directory|ContainerRuntimeError/i.test(
        t,
      ),
    explain: () => ({
      summary: 'The container could not start the migration command.',
      fix: "Check that migrate.command in allthrive.config.json exists in the image, and that the image's architecture matches the task definition's runtimePlatform.",
    }),
  },
  {
    test: (t) => /ResourceInitializationError/i.test(t),
    explain: () => ({
      summary: 'ECS could not prepare the task (ResourceInitializationError).',
      fix: "Check the task execution role and the subnets' access to ECR, Secrets Manager and CloudWatch Logs (NAT gateway or VPC endpoints).",
    }),
  },
  {
    test: (_t, task) => task.stopCode === 'UserInitiated',
    explain: ({task}) => ({
      summary: `Someone stopped the task before it ran${task.stoppedReason ? ` ("${task.stoppedReason}")` : ''}.`,
    }),
  },
]

/** The container of a stopped task never ran (no exit code): why. */
export function explainNotStarted(task: Task, container: string, env?: string): Explanation {
  const own = task.containers?.find((c) => c.name === container)
  const others = (task.containers ?? []).filter((c) => c.name !== container)
  const text = [task.stopCode, task.stoppedReason, own?.reason, ...others.map((c) => c.reason)]
    .filter(Boolean)
    .join(' | ')
  const detail = text || undefined
  const rule = RULES.find((r) => r.test(text, task))
  if (rule) return {...rule.explain({text, task, image: own?.image, env}), ...(detail && {detail})}
  const exited = others.find((c) => c.exitCode !== undefined)
  if (task.stopCode === 'EssentialContainerExited' && exited) {
    return {
      summary: `Another essential container, ${exited.name}, exited (code ${exited.exitCode}) before ${container} ran.`,
      fix: `Read its logs, and check its definition in the task definition (a sidecar that must not exit should stay up for the task).`,
      ...(detail && {detail}),
    }
  }

  return {
    summary: `The task stopped before ${container} ran${task.stopCode ? ` (${task.stopCode})` : ''}.`,
    fix: `See the task's stopped reason: aws ecs describe-tasks --cluster ${shq(task.clusterArn?.split('/').pop() ?? '<cluster>')} --tasks ${shq(taskId(task.taskArn))} --query "tasks[0].[stopCode,stoppedReason,containers[].reason]"`,
    ...(detail && {detail}),
  }
}

/** A RunTask `failures[]` entry, in plain words. */
export function explainRunTaskFailure(f: Failure): Explanation {
  const reason = f.reason ?? 'unknown'
  const detail = [f.arn, reason, f.detail].filter(Boolean).join(': ')
  if (reason === 'MISSING') {
    return {
      summary: `ECS could not find ${f.arn ?? 'the cluster or its container instances'} (MISSING).`,
      fix: 'Check --environment, --region and the cluster name in allthrive.config.json.',
      detail,
    }
  }

  if (/^RESOURCE:/.test(reason) || /capacity/i.test(reason)) {
    return {
      summary: `There was no capacity to start the task (${reason}).`,
      fix: 'Run again in a few minutes, or in another availability zone / with a FARGATE capacity provider.',
      detail,
    }
  }

  if (reason === 'AGENT')
    return {
      summary: 'The ECS agent on the chosen container instance is disconnected (AGENT).',
      fix: "Check the cluster's container instances: aws ecs list-container-instances --cluster <cluster> --status ACTIVE",
      detail,
    }
  if (reason === 'ATTRIBUTE')
    return {
      summary: 'No container instance has the attributes the task definition requires (ATTRIBUTE).',
      fix: "Check the task definition's placement constraints and requiresAttributes.",
      detail,
    }
  return {summary: `ECS could not start the task: ${reason}${f.detail ? ` (${f.detail})` : ''}.`, detail}
}
