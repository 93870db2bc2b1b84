import type {SecurityGroup} from '@aws-sdk/client-ec2'

import {collectPages} from '../aws/pages.js'
import type {ServiceKey} from '../config.js'
import {describeEnvServices} from '../resources/ecs.js'
import {admits, type Peer, redisClusters} from '../resources/network.js'
import {dbInstance} from '../resources/rds.js'
import {type Check, type Finding, resultFromFindings} from './types.js'
import {shq} from '../util/shell.js'

/** One end of a path: the groups and subnets of a service, the database, the cache or Weaviate. */
interface End {
  label: string
  name: string
  groupIds: string[]
  subnetIds: string[]
}
interface Target extends End {
  port: number
  needs: string
}

const CLIENTS: ServiceKey[] = ['web', 'celery', 'celery-beat']
const uniq = <T>(xs: (T | undefined)[]): T[] => [...new Set(xs.filter((x): x is T => x !== undefined && x !== ''))]
/** ECS tasks of web, celery and celery-beat can open connections to RDS, Redis and Weaviate: inbound on the target's groups, outbound on the tasks'. */
export const network: Check = {
  id: 'network',
  title: 'Security groups let ECS tasks reach RDS, Redis and Weaviate',
  iam: [
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSubnets',
    'rds:DescribeDBInstances',
    'elasticache:DescribeCacheClusters',
    'elasticache:DescribeReplicationGroups',
    'ecs:DescribeServices',
    'ecs:ListServices',
  ],
  async run(ctx) {
    const {env} = ctx
    const [ecs, db, redis] = await Promise.all([describeEnvServices(ctx), dbInstance(ctx), redisClusters(ctx)])
    const findings: Finding[] = []
    const note = (detail: string, short?: string): void =>
      void findings.push({
        status: 'warn',
        detail,
        short,
        hint: 'Fix what is named above (see the rds, redis and ecs-services checks), then run again.',
      })
    const vpc = (key: ServiceKey): End | undefined => {
      if (ecs.clusterMissing) return undefined
      const name = env.services.find((s) => s.key === key)!.name
      const svc = ecs.services.get(key)
      const awsvpc = svc?.networkConfiguration?.awsvpcConfiguration
      if (!svc) note(`${name}: service not found: its paths are not checked`, `${key} not found`)
      else if (!awsvpc?.securityGroups?.length)
        note(`${name}: no awsvpc security groups: its paths are not checked`, `${key} has no security groups`)
      else return {label: key, name, groupIds: awsvpc.securityGroups, subnetIds: awsvpc.subnets ?? []}
      return undefined
    }

    if (ecs.clusterMissing)
      note(`${env.cluster}: ECS cluster not found: no service's paths are checked`, 'cluster not found')
    const clients = CLIENTS.map((key) => ({key, end: vpc(key)})).filter(
      (c): c is {key: ServiceKey; end: End} => c.end !== undefined,
    )
    const weaviate = vpc('weaviate')
    const targets: Target[] = []
    const rdsGroups = uniq(
      (db?.VpcSecurityGroups ?? []).filter((g) => g.Status !== 'removing').map((g) => g.VpcSecurityGroupId),
    )
    if (!db) note(`${env.rds.instanceId}: RDS instance not found: paths to RDS are not checked`, 'RDS not found')
    else if (rdsGroups.length === 0)
      note(`${env.rds.instanceId}: RDS instance has no VPC security groups`, 'RDS has no security groups')
    else
      targets.push({
        label: 'RDS',
        name: env.rds.instanceId,
        groupIds: rdsGroups,
        subnetIds: uniq((db.DBSubnetGroup?.Subnets ?? []).map((s) => s.SubnetIdentifier)),
        port: db.Endpoint?.Port ?? db.DbInstancePort ?? 5432,
        needs: 'DATABASE_URL',
      })
    const redisGroups = uniq(redis.clusters.flatMap((c) => (c.SecurityGroups ?? []).map((g) => g.SecurityGroupId)))
    if (redis.clusters.length === 0)
      note(`${env.redis.replicationGroupId}: Redis not found: paths to Redis are not checked`, 'Redis not found')
    else if (redisGroups.length === 0)
      note(
        `${env.redis.replicationGroupId}: Redis clusters have no VPC security groups`,
        'Redis has no security groups',
      )
    else
      targets.push({
        label: 'Redis',
        name: env.redis.replicationGroupId,
        groupIds: redisGroups,
        subnetIds: [],
        port: redis.port ?? 6379,
        needs: 'REDIS_URL',
      })
    if (weaviate) targets.push({...weaviate, label: 'Weaviate', port: 8080, needs: 'WEAVIATE_URL'})

    // Without a client there is no path to judge: no group or subnet is read.
    const all = clients.length > 0 ? [...clients.map((c) => c.end), ...targets] : []
    const groupIds = uniq(all.flatMap((e) => e.groupIds))
    const subnetIds = uniq(all.flatMap((e) => e.subnetIds))
    // The EC2 client is the heaviest SDK package (~0.5 s to load): only this check needs it, and only here.
    const {EC2Client, paginateDescribeSecurityGroups, paginateDescribeSubnets} = await import('../aws/sdk/ec2.js')
    const ec2 = ctx.aws.client(EC2Client)
    const opts = {abortSignal: ctx.signal}
    // Filters rather than ids: a group or subnet that no longer exists is left out instead of failing the call.
    const [groups, subnets] = await Promise.all([
      groupIds.length > 0
        ? collectPages(
            paginateDescribeSecurityGroups({client: ec2}, {Filters: [{Name: 'group-id', Values: groupIds}]}, opts),
            (p) => p.SecurityGroups,
          )
        : [],
      subnetIds.length > 0
        ? collectPages(
            paginateDescribeSubnets({client: ec2}, {Filters: [{Name: 'subnet-id', Values: subnetIds}]}, opts),
            (p) => p.Subnets,
          )
        : [],
    ])
    const byId = new Map(groups.map((g) => [g.GroupId!, g]))
    for (const id of groupIds.filter((g) => !byId.has(g)))
      note(
        `${id}: security group not found (used by ${all
          .filter((e) => e.groupIds.includes(id))
          .map((e) => e.name)
          .join(', ')})`,
        `${id} not found`,
      )
    const cidrs = new Map(
      subnets.map((s) => [
        s.SubnetId!,
        uniq([
          s.CidrBlock,
          ...(s.Ipv6CidrBlockAssociationSet ?? [])
            .filter((a) => (a.Ipv6CidrBlockState?.State ?? 'associated') === 'associated')
            .map((a) => a.Ipv6CidrBlock),
        ]),
      ]),
    )
    const peer = (e: End): Peer => ({
      groupIds: e.groupIds,
      subnets: e.subnetIds.filter((id) => cidrs.has(id)).map((id) => ({id, cidrs: cidrs.get(id)!})),
    })
    const sgs = (e: End): SecurityGroup[] =>
      e.groupIds.map((id) => byId.get(id)).filter((g): g is SecurityGroup => g !== undefined)

    const paths: {service: string; target: string; port: number; status: string}[] = []
    const shorts = new Set<string>()
    const once = (short: string): string | undefined => (shorts.has(short) ? undefined : (shorts.add(short), short))
    for (const t of targets) {
      const to = `${t.label}:${t.port}`
      for (const c of clients.filter((x) => env.services.find((s) => s.key === x.key)!.requiredEnv.includes(t.needs))) {
        if (sgs(t).length === 0 || sgs(c.end).length === 0) continue
        const inbound = admits(sgs(t), 'in', t.port, peer(c.end))
        const outbound = admits(sgs(c.end), 'out', t.port, peer(t))
        const path = `${c.end.name} → ${to} (${t.name})`
        let f: Finding
        if (inbound.result === 'blocked') {
          f = {
            status: 'fail',
            short: once(`${to} blocked`),
            detail: `${path}: no inbound rule of ${t.groupIds.join(', ')} admits the tasks' groups ${c.end.groupIds.join(', ')} on ${t.port}`,
            hint: `aws ec2 authorize-security-group-ingress --group-id ${shq(t.groupIds[0])} --protocol tcp --port ${shq(t.port)} --source-group ${shq(c.end.groupIds[0])}`,
          }
        } else if (outbound.result === 'blocked') {
          f = {
            status: 'fail',
            short: once(`${to} blocked`),
            detail: `${path}: outbound rules of ${c.end.groupIds.join(', ')} block port ${t.port} to ${t.groupIds.join(', ')}`,
            hint: `aws ec2 authorize-security-group-egress --group-id ${shq(c.end.groupIds[0])} --ip-permissions 'IpProtocol=tcp,FromPort=${t.port},ToPort=${t.port},UserIdGroupPairs=[{GroupId=${t.groupIds[0]}}]'`,
          }
        } else if (inbound.result === 'unknown' || outbound.result === 'unknown') {
          const why = [inbound, outbound]
            .map((v) => (v.result === 'unknown' ? v.why : ''))
            .filter(Boolean)
            .join('; ')
          f = {
            status: 'warn',
            short: once(`${to} unverified`),
            detail: `${path}: not verified: ${why}`,
            hint: 'Check those rules in the console: VPC → Security groups.',
          }
        } else {
          f = {status: 'pass', detail: `${path}: allowed (${inbound.via}; ${outbound.via})`}
        }

        findings.push(f)
        paths.push({service: c.end.name, target: t.label, port: t.port, status: f.status})
      }
    }

    const reached = uniq(paths.map((p) => `${p.target}:${p.port}`))
    return resultFromFindings(
      '',
      findings,
      reached.length > 0 ? `ECS tasks reach ${reached.join(', ')}` : 'no paths to check',
      {
        clients: clients.map((c) => ({service: c.end.name, groupIds: c.end.groupIds, subnetIds: c.end.subnetIds})),
        targets: targets.map((t) => ({target: t.label, name: t.name, port: t.port, groupIds: t.groupIds})),
        paths,
        missingGroups: groupIds.filter((g) => !byId.has(g)),
      },
    )
  },
}
