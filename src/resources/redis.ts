import {
  type CacheCluster,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  paginateDescribeCacheClusters,
  type ReplicationGroup,
  ReplicationGroupNotFoundFault,
} from '@aws-sdk/client-elasticache'

import type {RunContext} from '../aws/context.js'

/** The replication group, or undefined when there is none of that id; described once per run. */
export const describeReplicationGroup = (ctx: RunContext, id: string): Promise<ReplicationGroup | undefined> =>
  ctx.memo(`redis:group:${id}`, async () => {
    try {
      const out = await ctx.aws
        .client(ElastiCacheClient)
        .send(new DescribeReplicationGroupsCommand({ReplicationGroupId: id}), {abortSignal: ctx.signal})
      return out.ReplicationGroups?.[0]
    } catch (error) {
      if (error instanceof ReplicationGroupNotFoundFault) return undefined
      throw error
    }
  })

/** Every cache cluster in the region, with its nodes; read once per run (the redis and network checks share it). */
export function listCacheClusters(ctx: RunContext): Promise<CacheCluster[]> {
  return ctx.memo('redis:clusters', async () => {
    const all: CacheCluster[] = []
    const pages = paginateDescribeCacheClusters(
      {client: ctx.aws.client(ElastiCacheClient)},
      {ShowCacheNodeInfo: true},
      {abortSignal: ctx.signal},
    )
    for await (const page of pages) all.push(...(page.CacheClusters ?? []))
    return all
  })
}
