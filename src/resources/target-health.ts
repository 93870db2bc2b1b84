import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2'

import type {RunContext} from '../aws/context.js'

/** A target's health in one target group, by target id (a task's private IP for awsvpc tasks). */
export interface TargetHealthFacts {
  targetGroupArn: string
  targetId: string
  port?: number
  state: string
  reason?: string
  description?: string
}

const toFacts = (targetGroupArn: string, d: TargetHealthDescription): TargetHealthFacts => ({
  targetGroupArn,
  targetId: d.Target?.Id ?? '?',
  ...(d.Target?.Port !== undefined && {port: d.Target.Port}),
  state: d.TargetHealth?.State ?? 'unknown',
  ...(d.TargetHealth?.Reason && {reason: d.TargetHealth.Reason}),
  ...(d.TargetHealth?.Description && {description: d.TargetHealth.Description}),
})

/** DescribeTargetHealth of one target group, once per run. */
export const targetGroupHealth = (ctx: RunContext, targetGroupArn: string): Promise<TargetHealthFacts[]> =>
  ctx.memo(`elb:target-health:${targetGroupArn}`, async () => {
    const out = await ctx.aws
      .client(ElasticLoadBalancingV2Client)
      .send(new DescribeTargetHealthCommand({TargetGroupArn: targetGroupArn}), {abortSignal: ctx.signal})
    return (out.TargetHealthDescriptions ?? []).map((d) => toFacts(targetGroupArn, d))
  })

/** The health of every target in these target groups, concurrently. */
export async function targetHealthOf(ctx: RunContext, targetGroupArns: string[]): Promise<TargetHealthFacts[]> {
  const all = await Promise.all([...new Set(targetGroupArns)].map((arn) => targetGroupHealth(ctx, arn)))
  return all.flat()
}
