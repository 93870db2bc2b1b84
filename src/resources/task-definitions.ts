import {ECSClient, ListTaskDefinitionsCommand, type TaskDefinition} from '@aws-sdk/client-ecs'

import type {RunContext} from '../aws/context.js'
import {taskDefinition} from './ecs.js'

/** "arn:…:task-definition/production-allthrive-web:42" → {family: "production-allthrive-web", revision: 42}. */
export function parseTaskDefinitionArn(arn: string): {family: string; revision: number} | undefined {
  const m = /(?:task-definition\/)?([A-Za-z0-9_-]+):(\d+)$/.exec(arn)
  return m ? {family: m[1], revision: Number(m[2])} : undefined
}

/**
 * The ARNs of a family's revisions, newest first (ListTaskDefinitions, ACTIVE and INACTIVE, sorted
 * DESC, at most `max`), once per run.
 */
export function familyRevisions(ctx: RunContext, family: string, max = 20): Promise<string[]> {
  return ctx.memo(`ecs:family:${family}:${max}`, async () => {
    const client = ctx.aws.client(ECSClient)
    const arns: string[] = []
    let nextToken: string | undefined
    do {
      const out = await client.send(
        new ListTaskDefinitionsCommand({familyPrefix: family, sort: 'DESC', nextToken, maxResults: 100}),
        {abortSignal: ctx.signal},
      )
      arns.push(...(out.taskDefinitionArns ?? []).filter((a) => parseTaskDefinitionArn(a)?.family === family))
      nextToken = out.nextToken
    } while (nextToken && arns.length < max)
    // Sorted here too: some emulators ignore `sort`.
    const rev = (a: string): number => parseTaskDefinitionArn(a)?.revision ?? 0
    return arns.sort((a, b) => rev(b) - rev(a)).slice(0, max)
  })
}

/**
 * Revisions of the family registered since `since`: DescribeTaskDefinition each, newest first,
 * stopping at the first older one.
 */
export async function revisionsRegisteredSince(
  ctx: RunContext,
  family: string,
  since: Date,
  max = 10,
): Promise<TaskDefinition[]> {
  const found: TaskDefinition[] = []
  for (const arn of await familyRevisions(ctx, family)) {
    if (found.length >= max) break
    const td = await taskDefinition(ctx, arn)
    if (!td.registeredAt || td.registeredAt < since) break
    found.push(td)
  }

  return found
}
