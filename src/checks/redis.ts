import type {CacheCluster, ReplicationGroup} from '@aws-sdk/client-elasticache'

import {describeReplicationGroup, listCacheClusters} from '../resources/redis.js'
import {
  type Check,
  type CheckResult,
  type CheckStatus,
  fail,
  type Finding,
  plural,
  resultFromFindings,
} from './types.js'
import {shq} from '../util/shell.js'

const events = (type: string, id: string): string =>
  `aws elasticache describe-events --source-type ${shq(type)} --source-identifier ${shq(id)} --duration 1440`

/** The Redis replication group (or a single-node cluster of that id) is available, every node is up, and TLS is on. */
export const redis: Check = {
  id: 'redis',
  title: 'Redis available, every node up, TLS on',
  iam: ['elasticache:DescribeReplicationGroups', 'elasticache:DescribeCacheClusters'],
  async run(ctx) {
    const id = ctx.env.redis.replicationGroupId
    // One listing serves both shapes: the group's member clusters, or a standalone cluster of the same id.
    const [group, clusters] = await Promise.all([describeReplicationGroup(ctx, id), listCacheClusters(ctx)])
    if (group)
      return groupResult(
        id,
        group,
        clusters.filter((c) => c.ReplicationGroupId === id || group.MemberClusters?.includes(c.CacheClusterId!)),
      )
    const single = clusters.find((c) => c.CacheClusterId === id)
    if (single) return clusterResult(id, single)
    return fail(`${id} not found`, {
      details: [`${id}: no ElastiCache replication group or cache cluster with this id in ${ctx.region}`],
      hint: 'List them with: aws elasticache describe-replication-groups --query "ReplicationGroups[].ReplicationGroupId" (and describe-cache-clusters --query "CacheClusters[].CacheClusterId"), or fix redis.replicationGroupId in allthrive.config.json.',
      data: {id},
    })
  },
}

function groupResult(id: string, g: ReplicationGroup, members: CacheCluster[]): CheckResult {
  const status = g.Status ?? 'unknown'
  const findings: Finding[] = []
  if (severity(status) !== 'pass')
    findings.push({
      status: severity(status),
      short: status,
      detail: `${id}: replication group status is ${status}`,
      hint: `See what happened: ${events('replication-group', id)}`,
    })
  if (members.length === 0)
    findings.push({status: 'pass', detail: `${id}: node status unknown: no member cache clusters were listed`})
  findings.push(...nodeFindings(members))
  const modify = `aws elasticache modify-replication-group --replication-group-id ${shq(id)}`
  findings.push(
    ...tlsFindings(
      id,
      g,
      [
        `Enable it (Redis 7+): ${modify} --transit-encryption-enabled --transit-encryption-mode preferred --apply-immediately`,
        `move clients to TLS, then ${modify} --transit-encryption-mode required --apply-immediately`,
      ].join('; '),
    ),
  )
  const engineVersion = members.find((c) => c.EngineVersion)?.EngineVersion
  const engine = g.Engine ?? members[0]?.Engine ?? 'redis'
  const nodes =
    members.length > 0
      ? members.reduce((n, c) => n + (c.CacheNodes?.length ?? c.NumCacheNodes ?? 0), 0)
      : (g.NodeGroups ?? []).reduce((n, ng) => n + (ng.NodeGroupMembers?.length ?? 0), 0)
  const nodeGroups = g.NodeGroups?.length ?? 0
  const endpoint = g.ConfigurationEndpoint ?? g.NodeGroups?.[0]?.PrimaryEndpoint
  const shards = nodeGroups > 1 ? ` in ${nodeGroups} shards` : ''
  return resultFromFindings(
    id,
    findings,
    `${id} available, ${engine} ${engineVersion ?? '(version unknown)'} ${g.CacheNodeType}, ${plural(nodes, 'node')}${shards}, TLS ${tlsWord(g)}`,
    {
      id,
      kind: 'replication-group',
      status,
      engine,
      engineVersion: engineVersion ?? null,
      nodeType: g.CacheNodeType,
      nodeGroups,
      nodes,
      transitEncryption: g.TransitEncryptionEnabled ?? false,
      transitEncryptionMode: g.TransitEncryptionMode ?? null,
      atRestEncryption: g.AtRestEncryptionEnabled ?? false,
      automaticFailover: g.AutomaticFailover ?? null,
      multiAz: g.MultiAZ ?? null,
      clusterMode: g.ClusterEnabled ?? false,
      endpoint: endpoint?.Address ? `${endpoint.Address}:${endpoint.Port}` : null,
      members: members.map(memberData),
    },
  )
}

function clusterResult(id: string, c: CacheCluster): CheckResult {
  const findings = [
    ...nodeFindings([c]),
    ...tlsFindings(
      id,
      c,
      `A cluster outside a replication group cannot turn TLS on in place: snapshot ${id} and restore it into a replication group created with --transit-encryption-enabled.`,
    ),
  ]
  const endpoint = c.ConfigurationEndpoint ?? c.CacheNodes?.[0]?.Endpoint
  return resultFromFindings(
    id,
    findings,
    `${id} available, ${c.Engine} ${c.EngineVersion} ${c.CacheNodeType}, single cluster, ${plural(c.CacheNodes?.length ?? c.NumCacheNodes ?? 0, 'node')}, TLS ${tlsWord(c)}`,
    {
      id,
      kind: 'cache-cluster',
      status: c.CacheClusterStatus,
      engine: c.Engine,
      engineVersion: c.EngineVersion ?? null,
      nodeType: c.CacheNodeType,
      nodeGroups: 1,
      nodes: c.CacheNodes?.length ?? c.NumCacheNodes ?? 0,
      transitEncryption: c.TransitEncryptionEnabled ?? false,
      transitEncryptionMode: c.TransitEncryptionMode ?? null,
      atRestEncryption: c.AtRestEncryptionEnabled ?? false,
      automaticFailover: null,
      multiAz: null,
      clusterMode: false,
      endpoint: endpoint?.Address ? `${endpoint.Address}:${endpoint.Port}` : null,
      members: [memberData(c)],
    },
  )
}

/** Each cluster whose status, and each node whose status, is not `available`, named "cluster" or "cluster/node". */
function nodeFindings(clusters: CacheCluster[]): Finding[] {
  const out: Finding[] = []
  let nodes = 0
  let down = 0
  for (const c of clusters) {
    const hint = `See what happened: ${events('cache-cluster', c.CacheClusterId!)}`
    const cs = c.CacheClusterStatus ?? 'unknown'
    if (severity(cs) !== 'pass')
      out.push({status: severity(cs), detail: `${c.CacheClusterId}: cluster status is ${cs}`, hint})
    for (const n of c.CacheNodes ?? []) {
      nodes++
      const ns = n.CacheNodeStatus ?? 'unknown'
      if (severity(ns) === 'pass') continue
      down++
      out.push({status: severity(ns), detail: `${c.CacheClusterId}/${n.CacheNodeId}: node status is ${ns}`, hint})
    }
  }

  if (out.length > 0)
    out[0].short =
      down > 0 ? `${down} of ${plural(nodes, 'node')} not available` : `${plural(out.length, 'cluster')} not available`
  return out
}

function tlsFindings(
  id: string,
  r: {TransitEncryptionEnabled?: boolean; TransitEncryptionMode?: string},
  enableHint: string,
): Finding[] {
  if (!r.TransitEncryptionEnabled)
    return [{status: 'fail', short: 'TLS off', detail: `${id}: in-transit encryption (TLS) is off`, hint: enableHint}]
  if (r.TransitEncryptionMode === 'preferred') {
    return [
      {
        status: 'warn',
        short: 'TLS not required',
        detail: `${id}: in-transit encryption mode is preferred: clients can still connect without TLS`,
        hint: `Once every client uses TLS: aws elasticache modify-replication-group --replication-group-id ${shq(id)} --transit-encryption-mode required --apply-immediately`,
      },
    ]
  }

  return []
}

const tlsWord = (r: {TransitEncryptionEnabled?: boolean; TransitEncryptionMode?: string}): string =>
  r.TransitEncryptionEnabled ? (r.TransitEncryptionMode === 'preferred' ? 'preferred' : 'on') : 'off'

const memberData = (c: CacheCluster) => ({
  id: c.CacheClusterId,
  status: c.CacheClusterStatus,
  engineVersion: c.EngineVersion,
  nodes: (c.CacheNodes ?? []).map((n) => ({
    id: n.CacheNodeId,
    status: n.CacheNodeStatus,
    az: n.CustomerAvailabilityZone,
  })),
})

/** Replication group, cluster and node statuses that are work in progress rather than breakage. */
const TRANSIENT = new Set(['creating', 'modifying', 'snapshotting', 'rebooting', 'rebooting cache cluster nodes'])

/** pass for `available`, warn for work in progress, fail for anything else (create-failed, deleting, incompatible-network, …). */
const severity = (status: string): CheckStatus =>
  status === 'available' ? 'pass' : TRANSIENT.has(status) ? 'warn' : 'fail'
