import type {IpPermission, SecurityGroup} from '@aws-sdk/client-ec2'
import {describe, expect, it} from 'vitest'

import {admits, cidrContains, coversTcpPort, parseCidr, type Peer} from '../../src/resources/network.js'

describe('parseCidr', () => {
  it('parses IPv4 and IPv6 blocks and bare addresses', () => {
    expect(parseCidr('10.0.0.0/16')).toEqual({version: 4, address: 0x0a00_0000n, prefix: 16})
    expect(parseCidr('10.0.10.25')).toEqual({version: 4, address: 0x0a00_0a19n, prefix: 32})
    expect(parseCidr('2600:1f18:abcd::/56')).toEqual({version: 6, address: 0x2600_1f18_abcdn << 80n, prefix: 56})
    expect(parseCidr('::/0')).toEqual({version: 6, address: 0n, prefix: 0})
    expect(parseCidr('::1')).toEqual({version: 6, address: 1n, prefix: 128})
  })

  it('rejects what is not a CIDR', () => {
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0/16',
      '10.0.0.0/',
      '10.0.0.0/16/2',
      'sg-0123',
      '2600::/129',
      '10.0.0.256/32',
      '',
    ]) {
      expect(parseCidr(bad), bad).toBeUndefined()
    }
  })
})

describe('cidrContains', () => {
  it.each([
    ['10.0.0.0/16', '10.0.10.0/24', true],
    ['10.0.0.0/16', '10.0.0.0/16', true],
    ['10.0.10.0/24', '10.0.0.0/16', false],
    ['10.0.10.0/24', '10.0.11.0/24', false],
    ['10.0.10.0/23', '10.0.11.0/24', true],
    ['0.0.0.0/0', '192.168.1.0/24', true],
    ['172.16.0.0/12', '172.31.255.0/24', true],
    ['172.16.0.0/12', '172.32.0.0/24', false],
    ['10.0.10.25/32', '10.0.10.25', true],
    ['2600:1f18:abcd::/56', '2600:1f18:abcd:ff::/64', true],
    ['2600:1f18:abcd::/56', '2600:1f18:abce::/64', false],
    ['::/0', '10.0.0.0/16', false],
    ['0.0.0.0/0', '2600:1f18::/64', false],
    ['not-a-cidr', '10.0.0.0/16', false],
  ] as const)('%s contains %s: %s', (outer, inner, expected) => {
    expect(cidrContains(outer, inner)).toBe(expected)
  })
})

describe('coversTcpPort', () => {
  const rule = (over: IpPermission): IpPermission => over
  it('admits all traffic, TCP ranges holding the port, and protocol number 6', () => {
    expect(coversTcpPort(rule({IpProtocol: '-1'}), 5432)).toBe(true)
    expect(coversTcpPort(rule({IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432}), 5432)).toBe(true)
    expect(coversTcpPort(rule({IpProtocol: 'tcp', FromPort: 0, ToPort: 65_535}), 6379)).toBe(true)
    expect(coversTcpPort(rule({IpProtocol: '6', FromPort: 8000, ToPort: 8080}), 8080)).toBe(true)
  })

  it('refuses other ports and protocols', () => {
    expect(coversTcpPort(rule({IpProtocol: 'tcp', FromPort: 8000, ToPort: 8079}), 8080)).toBe(false)
    expect(coversTcpPort(rule({IpProtocol: 'udp', FromPort: 0, ToPort: 65_535}), 5432)).toBe(false)
    expect(coversTcpPort(rule({IpProtocol: 'icmp', FromPort: -1, ToPort: -1}), 5432)).toBe(false)
  })
})

describe('admits', () => {
  const sg = (
    id: string,
    ingress: IpPermission[],
    egress: IpPermission[] = [{IpProtocol: '-1', IpRanges: [{CidrIp: '0.0.0.0/0'}]}],
  ): SecurityGroup => ({
    GroupId: id,
    GroupName: id,
    VpcId: 'vpc-1',
    IpPermissions: ingress,
    IpPermissionsEgress: egress,
  })
  const tasks: Peer = {
    groupIds: ['sg-tasks'],
    subnets: [
      {id: 'subnet-a', cidrs: ['10.0.10.0/24']},
      {id: 'subnet-b', cidrs: ['10.0.11.0/24', '2600:1f18:abcd:1::/64']},
    ],
  }

  it("allows a rule naming one of the peer's groups", () => {
    const db = sg('sg-db', [
      {
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        UserIdGroupPairs: [{GroupId: 'sg-other'}, {GroupId: 'sg-tasks'}],
      },
    ])
    expect(admits([db], 'in', 5432, tasks)).toEqual({result: 'allowed', via: 'sg-db inbound tcp/5432 from sg-tasks'})
    expect(admits([db], 'in', 6379, tasks)).toEqual({result: 'blocked'})
    expect(admits([db], 'in', 5432, {...tasks, groupIds: ['sg-celery']})).toEqual({result: 'blocked'})
  })

  it('allows CIDRs only when every subnet of the peer is inside one, across rules and groups', () => {
    const half = sg('sg-redis', [
      {IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, IpRanges: [{CidrIp: '10.0.10.0/24'}]},
    ])
    expect(admits([half], 'in', 6379, tasks)).toEqual({result: 'blocked'})
    const other = sg('sg-redis-2', [
      {IpProtocol: 'tcp', FromPort: 6300, ToPort: 6400, IpRanges: [{CidrIp: '10.0.11.0/24'}]},
    ])
    expect(admits([half, other], 'in', 6379, tasks)).toEqual({
      result: 'allowed',
      via: 'inbound from sg-redis 10.0.10.0/24, sg-redis-2 10.0.11.0/24',
    })
    const vpcWide = sg('sg-redis', [
      {IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, IpRanges: [{CidrIp: '10.0.0.0/16'}]},
    ])
    expect(admits([vpcWide], 'in', 6379, tasks)).toEqual({result: 'allowed', via: 'inbound from sg-redis 10.0.0.0/16'})
  })

  it('counts an IPv6 block of a subnet', () => {
    const v6 = sg('sg-w', [
      {
        IpProtocol: 'tcp',
        FromPort: 8080,
        ToPort: 8080,
        IpRanges: [{CidrIp: '10.0.10.0/24'}],
        Ipv6Ranges: [{CidrIpv6: '2600:1f18:abcd::/56'}],
      },
    ])
    expect(admits([v6], 'in', 8080, tasks).result).toBe('allowed')
  })

  it('allows the default egress to anywhere, and judges restrictive egress', () => {
    const db: Peer = {groupIds: ['sg-db'], subnets: [{id: 'subnet-db', cidrs: ['10.0.20.0/24']}]}
    expect(admits([sg('sg-tasks', [])], 'out', 5432, db)).toEqual({
      result: 'allowed',
      via: 'sg-tasks outbound to 0.0.0.0/0',
    })
    const https = sg(
      'sg-tasks',
      [],
      [{IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{CidrIp: '0.0.0.0/0'}]}],
    )
    expect(admits([https], 'out', 5432, db)).toEqual({result: 'blocked'})
    expect(admits([sg('sg-tasks', [], [])], 'out', 5432, db)).toEqual({result: 'blocked'})
    const vpc = sg('sg-tasks', [], [{IpProtocol: '-1', IpRanges: [{CidrIp: '10.0.0.0/16'}]}])
    expect(admits([vpc], 'out', 5432, db)).toEqual({result: 'allowed', via: 'outbound to sg-tasks 10.0.0.0/16'})
  })

  it("cannot tell for CIDRs when the peer's subnets are unknown, nor for prefix lists", () => {
    const vpc = sg('sg-tasks', [], [{IpProtocol: '-1', IpRanges: [{CidrIp: '10.0.0.0/16'}]}])
    expect(admits([vpc], 'out', 6379, {groupIds: ['sg-redis'], subnets: []})).toEqual({
      result: 'unknown',
      why: 'rules to 10.0.0.0/16 cannot be matched: the subnets are unknown',
    })
    const pl = sg('sg-db', [
      {IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, PrefixListIds: [{PrefixListId: 'pl-0abc'}]},
    ])
    expect(admits([pl], 'in', 5432, tasks)).toEqual({
      result: 'unknown',
      why: 'rules from prefix lists pl-0abc are not evaluated',
    })
  })

  it('names all-traffic rules', () => {
    const self = sg('sg-tasks', [{IpProtocol: '-1', UserIdGroupPairs: [{GroupId: 'sg-tasks'}]}])
    expect(admits([self], 'in', 8080, tasks)).toEqual({
      result: 'allowed',
      via: 'sg-tasks inbound all traffic from sg-tasks',
    })
  })
})
