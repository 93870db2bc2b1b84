import {describeReplicationGroup} from '../resources/redis.js'
import {loadSecrets, valueProblem} from '../resources/secrets.js'
import {hostPort, PROBE_SKIP_REASON, unreachableSummary} from '../lib/probes/common.js'
import {parseRedisUrl, probeRedis, type RedisTarget} from '../lib/probes/redis.js'
import {type Check, type CheckContext, type CheckResult, fail, pass, skip, warn} from './types.js'
import {shq} from '../util/shell.js'

/** used_memory as a share of maxmemory from which the check warns. */
const MEMORY_WARN_PERCENT = 90

const mib = (bytes: number): string =>
  bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`

interface Endpoint {
  target: RedisTarget
  /** Where the endpoint came from, for messages: "REDIS_URL in production/allthrive/app". */
  source: string
  secretId?: string
}

/** A REDIS_URL in any of the environment's secrets, else the replication group's endpoint; or a failure. */
async function findEndpoint(ctx: CheckContext): Promise<Endpoint | CheckResult> {
  const ids = ctx.env.secrets.map((s) => s.id)
  const found = await loadSecrets(ctx, ids)
  for (const id of ids) {
    const r = found.get(id)!
    if (r.state !== 'found' || !('REDIS_URL' in r.json)) continue
    const problem = valueProblem(r.json.REDIS_URL)
    if (problem)
      return fail(`secret ${id}: ${problem} REDIS_URL`, {
        hint: `Set REDIS_URL (rediss://:<auth-token>@<primary-endpoint>:6379/0) in ${id}.`,
        data: {secret: id},
      })
    const target = parseRedisUrl(String(r.json.REDIS_URL))
    if ('error' in target)
      return fail(`REDIS_URL in ${id} ${target.error}`, {
        hint: `Fix REDIS_URL in ${id}: rediss://:<auth-token>@<primary-endpoint>:6379/0`,
        data: {secret: id},
      })
    return {target, source: `REDIS_URL in ${id}`, secretId: id}
  }

  const groupId = ctx.env.redis.replicationGroupId
  const group = await describeReplicationGroup(ctx, groupId)
  if (!group)
    return fail(`replication group ${groupId} not found`, {
      hint: 'List them with: aws elasticache describe-replication-groups --query "ReplicationGroups[].ReplicationGroupId"',
      data: {replicationGroupId: groupId},
    })
  const endpoint = group.ConfigurationEndpoint ?? group.NodeGroups?.[0]?.PrimaryEndpoint
  if (!endpoint?.Address)
    return fail(`replication group ${groupId} has no endpoint (status ${group.Status})`, {
      hint: `aws elasticache describe-replication-groups --replication-group-id ${shq(groupId)}`,
      data: {replicationGroupId: groupId},
    })
  const unread = ids.filter((id) => found.get(id)!.state === 'error')
  const auth = [
    ...(group.AuthTokenEnabled ? [', AUTH token required but no REDIS_URL in the secrets'] : []),
    ...(unread.length > 0 ? [` (could not read ${unread.join(', ')} to look for REDIS_URL)`] : []),
  ].join('')
  return {
    target: {host: endpoint.Address, port: endpoint.Port ?? 6379, tls: group.TransitEncryptionEnabled ?? false},
    source: `${group.ConfigurationEndpoint ? 'configuration' : 'primary'} endpoint of ${groupId}${auth}`,
  }
}

/**
 * Connects to the environment's Redis from where the CLI runs: PING, version and memory.
 * The password never appears in output. `probe` is injectable for tests.
 */
export function redisProbeCheck(probe: typeof probeRedis = probeRedis): Check {
  return {
    id: 'redis-probe',
    title: 'Redis answers from here',
    iam: [
      'secretsmanager:BatchGetSecretValue',
      'secretsmanager:GetSecretValue',
      'elasticache:DescribeReplicationGroups',
    ],
    applies: (ctx) => (ctx.probe ? true : PROBE_SKIP_REASON),
    async run(ctx) {
      const endpoint = await findEndpoint(ctx)
      if ('status' in endpoint) return endpoint
      const {target, source, secretId} = endpoint
      const where = hostPort(target.host, target.port)
      const base = {host: target.host, port: target.port, tls: target.tls, source, ...(secretId && {secret: secretId})}
      const o = await probe(target, {timeoutMs: ctx.env.thresholds.probes.timeoutMs, signal: ctx.signal})
      if (o.kind === 'unreachable')
        return skip(unreachableSummary(o, ctx.env.name), {
          details: [`${where} (${source}): ${o.reason} (${o.code})`],
          data: {...base, code: o.code},
        })
      if (o.kind === 'tls') {
        return fail(`${where}: TLS handshake failed (${o.code})`, {
          details: [`${where} (${source}): ${o.reason}`],
          hint: 'ElastiCache serves an Amazon-issued certificate for its own endpoint names: connect to the endpoint ElastiCache gives, not an alias.',
          data: {...base, code: o.code},
        })
      }

      if (o.kind === 'rejected') {
        const hint = secretId
          ? `Put the replication group's current AUTH token in REDIS_URL of ${secretId} (rediss://:<token>@${where}/0), then redeploy.`
          : `Add REDIS_URL (rediss://:<token>@${where}/0) to one of the environment's secrets, so the probe and the app share it.`
        return fail(`${where}: ${o.reason}`, {
          details: [`${where} (${source}): ${o.reason} (${o.code})`],
          hint,
          data: {...base, code: o.code},
        })
      }

      const unlimited = o.maxMemory === 0
      const percent = unlimited ? 0 : Math.round((o.usedMemory / o.maxMemory) * 100)
      const memory = unlimited
        ? `${mib(o.usedMemory)} used, maxmemory 0 (unlimited)`
        : `${mib(o.usedMemory)} of ${mib(o.maxMemory)} used (${percent}%)`
      const details = [
        `${where} (${source}): PONG in ${o.latencyMs}ms${target.tls ? ' over TLS' : ''}`,
        `${where}: Redis ${o.version}`,
        `${where}: ${memory}`,
      ]
      const data = {
        ...base,
        version: o.version,
        usedMemory: o.usedMemory,
        maxMemory: o.maxMemory,
        memoryPercent: unlimited ? null : percent,
        latencyMs: o.latencyMs,
      }
      const warnAt =
        (ctx.env.thresholds.probes as {memoryWarnPercent?: number}).memoryWarnPercent ?? MEMORY_WARN_PERCENT
      if (!unlimited && percent >= warnAt) {
        return warn(`memory ${percent}% used (${mib(o.usedMemory)} of ${mib(o.maxMemory)}) on Redis ${o.version}`, {
          details,
          hint: `Find the big keys (redis-cli --bigkeys, from inside the VPC), check the eviction policy, or move ${ctx.env.redis.replicationGroupId} to a larger node type.`,
          data,
        })
      }

      return pass(`Redis ${o.version} answers, ${memory}`, {details, data})
    },
  }
}

export const redisProbe = redisProbeCheck()
