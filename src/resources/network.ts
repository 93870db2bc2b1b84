import {isIPv4, isIPv6} from 'node:net'

import type {IpPermission, SecurityGroup} from '@aws-sdk/client-ec2'
import type {CacheCluster} from '@aws-sdk/client-elasticache'

import type {RunContext} from '../aws/context.js'
import {describeReplicationGroup, listCacheClusters} from './redis.js'

/**
 * Reading security groups the way VPC evaluates them: a connection from a client to a
 * target on a port needs an inbound rule of one of the target's groups that admits the
 * client, and an outbound rule of one of the client's groups that admits the target.
 * Groups are stateful (replies need no rule); network ACLs are not read here.
 */

export interface Cidr {
  version: 4 | 6
  /** The address as an integer (host bits kept as given). */
  address: bigint
  prefix: number
}

const BITS = {4: 32, 6: 128} as const

function ipv6ToBigInt(ip: string): bigint | undefined {
  if (!isIPv6(ip) || ip.includes('.')) return undefined
  const [head, tail] = ip.split('::')
  const left = head ? head.split(':') : []
  const right = tail === undefined ? [] : tail ? tail.split(':') : []
  const groups =
    tail === undefined ? left : [...left, ...Array.from({length: 8 - left.length - right.length}, () => '0'), ...right]
  return groups.reduce((n, g) => (n << 16n) + BigInt(Number.parseInt(g, 16)), 0n)
}

/** "10.0.0.0/16" / "2600:1f18::/56" → {version, address, prefix}; undefined when malformed. A bare address is a /32 (/128). */
export function parseCidr(text: string): Cidr | undefined {
  const [ip, len, extra] = text.trim().split('/')
  if (extra !== undefined) return undefined
  const version = isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : undefined
  if (!version) return undefined
  const prefix = len === undefined ? BITS[version] : Number(len)
  if (!/^\d+$/.test(len ?? String(prefix)) || prefix > BITS[version]) return undefined
  const address = version === 4 ? ip.split('.').reduce((n, o) => (n << 8n) + BigInt(Number(o)), 0n) : ipv6ToBigInt(ip)
  return address === undefined ? undefined : {version, address, prefix}
}

/** True when every address of `inner` lies in `outer` (same IP version; malformed CIDRs contain nothing). */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer)
  const i = parseCidr(inner)
  if (!o || !i || o.version !== i.version || o.prefix > i.prefix) return false
  const shift = BigInt(BITS[o.version] - o.prefix)
  return o.address >> shift === i.address >> shift
}

/** True when a rule admits TCP to `port`: all traffic (-1), or TCP with FromPort ≤ port ≤ ToPort. */
export function coversTcpPort(p: IpPermission, port: number): boolean {
  const protocol = String(p.IpProtocol ?? '').toLowerCase()
  if (protocol === '-1' || protocol === 'all') return true
  if (protocol !== 'tcp' && protocol !== '6') return false
  return (p.FromPort ?? 0) <= port && port <= (p.ToPort ?? 65_535)
}

/** The other end of a path: its security groups and the CIDRs of its subnets (each subnet: its IPv4 and IPv6 blocks). */
export interface Peer {
  groupIds: string[]
  subnets: {id: string; cidrs: string[]}[]
}

/** What the rules of a set of security groups say about one peer and port. */
export type Admission =
  | {result: 'allowed'; via: string}
  | {result: 'blocked'}
  /** Rules that might admit the peer but cannot be judged from here (prefix lists, CIDRs with the peer's subnets unknown). */
  | {result: 'unknown'; why: string}

const ANYWHERE = new Set(['0.0.0.0/0', '::/0'])

/**
 * Whether the rules of `groups` (inbound or outbound, as `direction` says) admit `peer` on a TCP port:
 * a rule covering the port that names one of the peer's groups, or whose CIDRs hold every one of the
 * peer's subnets (one block of each subnet suffices), or 0.0.0.0/0.
 */
export function admits(groups: SecurityGroup[], direction: 'in' | 'out', port: number, peer: Peer): Admission {
  const word = direction === 'in' ? 'from' : 'to'
  const cidrs: {group: string; cidr: string}[] = []
  const prefixLists: string[] = []
  for (const g of groups) {
    const rules = (direction === 'in' ? g.IpPermissions : g.IpPermissionsEgress) ?? []
    for (const p of rules.filter((r) => coversTcpPort(r, port))) {
      const pair = (p.UserIdGroupPairs ?? []).find((u) => u.GroupId && peer.groupIds.includes(u.GroupId))
      if (pair)
        return {
          result: 'allowed',
          via: `${g.GroupId} ${direction === 'in' ? 'inbound' : 'outbound'} ${portLabel(p)} ${word} ${pair.GroupId}`,
        }
      for (const r of p.IpRanges ?? []) if (r.CidrIp) cidrs.push({group: g.GroupId!, cidr: r.CidrIp})
      for (const r of p.Ipv6Ranges ?? []) if (r.CidrIpv6) cidrs.push({group: g.GroupId!, cidr: r.CidrIpv6})
      prefixLists.push(...(p.PrefixListIds ?? []).map((l) => l.PrefixListId!).filter(Boolean))
    }
  }

  const anywhere = cidrs.find((c) => c.cidr === '0.0.0.0/0')
  if (anywhere)
    return {
      result: 'allowed',
      via: `${anywhere.group} ${direction === 'in' ? 'inbound' : 'outbound'} ${word} 0.0.0.0/0`,
    }
  if (peer.subnets.length > 0) {
    const used = peer.subnets.map((s) => cidrs.find((c) => s.cidrs.some((block) => cidrContains(c.cidr, block))))
    if (used.every(Boolean)) {
      const via = [...new Set(used.map((c) => `${c!.group} ${c!.cidr}`))].join(', ')
      return {result: 'allowed', via: `${direction === 'in' ? 'inbound' : 'outbound'} ${word} ${via}`}
    }
  }

  if (prefixLists.length > 0)
    return {
      result: 'unknown',
      why: `rules ${word} prefix lists ${[...new Set(prefixLists)].join(', ')} are not evaluated`,
    }
  const ranges = cidrs.filter((c) => !ANYWHERE.has(c.cidr))
  if (peer.subnets.length === 0 && ranges.length > 0)
    return {
      result: 'unknown',
      why: `rules ${word} ${[...new Set(ranges.map((c) => c.cidr))].join(', ')} cannot be matched: the subnets are unknown`,
    }
  return {result: 'blocked'}
}

const portLabel = (p: IpPermission): string =>
  p.IpProtocol === '-1'
    ? 'all traffic'
    : p.FromPort === p.ToPort
      ? `tcp/${p.FromPort}`
      : `tcp/${p.FromPort}-${p.ToPort}`

// ---------------------------------------------------------------- the targets' groups

/** The environment's RDS instance, once per run (undefined when it does not exist). */

/** The member clusters of the Redis replication group (or the single cluster of that id). */
export async function redisClusters(ctx: RunContext): Promise<{clusters: CacheCluster[]; port?: number}> {
  const id = ctx.env.redis.replicationGroupId
  const [group, all] = await Promise.all([describeReplicationGroup(ctx, id), listCacheClusters(ctx)])
  const clusters = (group ? (group.MemberClusters ?? []) : [id]).map((member) =>
    all.find((c) => c.CacheClusterId === member),
  )
  const found = clusters.filter((c): c is CacheCluster => c !== undefined)
  return {
    clusters: found,
    port: (
      group?.ConfigurationEndpoint ??
      group?.NodeGroups?.[0]?.PrimaryEndpoint ??
      found[0]?.CacheNodes?.[0]?.Endpoint
    )?.Port,
  }
}
