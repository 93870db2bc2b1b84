import {
  DescribeReplicationGroupsCommand,
  type ReplicationGroup,
  ReplicationGroupNotFoundFault,
} from '@aws-sdk/client-elasticache'
import {BatchGetSecretValueCommand, GetSecretValueCommand} from '@aws-sdk/client-secrets-manager'
import {beforeEach, describe, expect, it, vi} from 'vitest'

import {redisProbe, redisProbeCheck} from '../../src/checks/redis-probe.js'
import {unreachable} from '../../src/lib/probes/common.js'
import {
  parseInfo,
  parseRedisUrl,
  type probeRedis,
  type RedisOutcome,
  type RedisTarget,
} from '../../src/lib/probes/redis.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, everything, expectErrorNaming, probing} from '../helpers/context.js'
import {secretsHold} from '../helpers/secrets.js'

const GROUP = 'production-allthrive-redis'
const APP = 'production/allthrive/app'
const CANARY = 'CANARY-auth-token/9+x'
const PRIMARY = 'master.production-allthrive-redis.abc123.use1.cache.amazonaws.com'
const MIB = 1024 * 1024

const group = (over: Partial<ReplicationGroup> = {}): ReplicationGroup => ({
  ReplicationGroupId: GROUP,
  Status: 'available',
  TransitEncryptionEnabled: true,
  AuthTokenEnabled: false,
  NodeGroups: [{NodeGroupId: '0001', PrimaryEndpoint: {Address: PRIMARY, Port: 6379}}],
  ...over,
})

const ok = (over: Partial<Extract<RedisOutcome, {kind: 'ok'}>> = {}): RedisOutcome => ({
  kind: 'ok',
  version: '7.1.0',
  usedMemory: 120 * MIB,
  maxMemory: 400 * MIB,
  latencyMs: 3,
  ...over,
})

function withProbe(outcome: RedisOutcome) {
  const probe = vi.fn<typeof probeRedis>(async () => outcome)
  return {check: redisProbeCheck(probe), probe}
}

const redisUrl = `rediss://:${encodeURIComponent(CANARY)}@${PRIMARY}:6379/0`

describe('redis-probe check', () => {
  beforeEach(() => resetMocks())

  it('is skipped without --probe', () => {
    expect(redisProbe.applies!(ctxWith())).toBe('live probe: run with --probe')
    expect(redisProbe.applies!(probing())).toBe(true)
  })

  it('prefers a REDIS_URL from the secrets, over TLS with its password, and passes with version and memory', async () => {
    secretsHold({[APP]: {SECRET_KEY: 'x', REDIS_URL: redisUrl}})
    const {check, probe} = withProbe(ok())
    const r = await check.run(probing())
    expect(r).toMatchObject({status: 'pass', summary: 'Redis 7.1.0 answers, 120.0 MiB of 400.0 MiB used (30%)'})
    expect(r.details).toEqual([
      `${PRIMARY}:6379 (REDIS_URL in ${APP}): PONG in 3ms over TLS`,
      `${PRIMARY}:6379: Redis 7.1.0`,
      `${PRIMARY}:6379: 120.0 MiB of 400.0 MiB used (30%)`,
    ])
    expect(probe).toHaveBeenCalledWith(
      {host: PRIMARY, port: 6379, tls: true, password: CANARY} satisfies RedisTarget,
      expect.objectContaining({timeoutMs: 3000}),
    )
    expect(mocks.elasticache).not.toHaveReceivedCommand(DescribeReplicationGroupsCommand)
    expect(everything(r)).not.toContain(CANARY)
    expect(everything(r)).not.toContain(encodeURIComponent(CANARY))
  })

  it('uses the replication group primary endpoint and its TLS setting when no secret has REDIS_URL', async () => {
    secretsHold({[APP]: {SECRET_KEY: 'x'}})
    mocks.elasticache.on(DescribeReplicationGroupsCommand).resolves({ReplicationGroups: [group()]})
    const {check, probe} = withProbe(ok())
    const r = await check.run(probing())
    expect(r.status).toBe('pass')
    expect(r.details?.[0]).toBe(`${PRIMARY}:6379 (primary endpoint of ${GROUP}): PONG in 3ms over TLS`)
    expect(probe.mock.calls[0][0]).toEqual({host: PRIMARY, port: 6379, tls: true})
    expect(mocks.elasticache).toHaveReceivedCommandWith(DescribeReplicationGroupsCommand, {ReplicationGroupId: GROUP})
  })

  it('uses the configuration endpoint of a cluster-mode group', async () => {
    secretsHold({})
    mocks.elasticache.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        group({ConfigurationEndpoint: {Address: 'clustercfg.example', Port: 6380}, TransitEncryptionEnabled: false}),
      ],
    })
    const {check, probe} = withProbe(ok())
    await check.run(probing())
    expect(probe.mock.calls[0][0]).toEqual({host: 'clustercfg.example', port: 6380, tls: false})
  })

  it('says maxmemory 0 means unlimited', async () => {
    secretsHold({[APP]: {REDIS_URL: redisUrl}})
    const r = await withProbe(ok({maxMemory: 0})).check.run(probing())
    expect(r).toMatchObject({
      status: 'pass',
      summary: 'Redis 7.1.0 answers, 120.0 MiB used, maxmemory 0 (unlimited)',
      data: {memoryPercent: null},
    })
  })

  it('warns at 90% of maxmemory, not at 89%', async () => {
    secretsHold({[APP]: {REDIS_URL: redisUrl}})
    const r = await withProbe(ok({usedMemory: 90 * MIB, maxMemory: 100 * MIB})).check.run(probing())
    expect(r).toMatchObject({status: 'warn', summary: 'memory 90% used (90.0 MiB of 100.0 MiB) on Redis 7.1.0'})
    expect(r.hint).toContain(GROUP)
    expect((await withProbe(ok({usedMemory: 89 * MIB, maxMemory: 100 * MIB})).check.run(probing())).status).toBe('pass')
  })

  it('skips when Redis cannot be reached from here', async () => {
    secretsHold({[APP]: {REDIS_URL: redisUrl}})
    const r = await withProbe(unreachable('ENOTFOUND')).check.run(probing())
    expect(r).toMatchObject({
      status: 'skip',
      summary:
        'not reachable from here (DNS: host not found): run from inside the VPC (a bastion, or `allthrive exec web -e production`)',
      details: [`${PRIMARY}:6379 (REDIS_URL in ${APP}): DNS: host not found (ENOTFOUND)`],
    })
  })

  it('fails on a wrong password, pointing at the secret that holds it', async () => {
    secretsHold({[APP]: {REDIS_URL: redisUrl}})
    const r = await withProbe({
      kind: 'rejected',
      code: 'WRONGPASS',
      reason: 'the server rejected the password',
    }).check.run(probing())
    expect(r).toMatchObject({
      status: 'fail',
      summary: `${PRIMARY}:6379: the server rejected the password`,
      data: {code: 'WRONGPASS', secret: APP},
    })
    expect(r.hint).toContain(`REDIS_URL of ${APP}`)
    expect(everything(r)).not.toContain(CANARY)
  })

  it('fails on NOAUTH when the group wants a token and no secret has REDIS_URL', async () => {
    secretsHold({})
    mocks.elasticache
      .on(DescribeReplicationGroupsCommand)
      .resolves({ReplicationGroups: [group({AuthTokenEnabled: true})]})
    const r = await withProbe({
      kind: 'rejected',
      code: 'NOAUTH',
      reason: 'the server requires a password (AUTH) and none was given',
    }).check.run(probing())
    expect(r).toMatchObject({
      status: 'fail',
      summary: `${PRIMARY}:6379: the server requires a password (AUTH) and none was given`,
    })
    expect(r.details?.[0]).toContain('AUTH token required but no REDIS_URL in the secrets')
    expect(r.hint).toContain('Add REDIS_URL')
  })

  it('fails on a TLS handshake failure', async () => {
    secretsHold({[APP]: {REDIS_URL: redisUrl}})
    const r = await withProbe({
      kind: 'tls',
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      reason: "Hostname/IP does not match certificate's altnames",
    }).check.run(probing())
    expect(r).toMatchObject({
      status: 'fail',
      summary: `${PRIMARY}:6379: TLS handshake failed (ERR_TLS_CERT_ALTNAME_INVALID)`,
    })
  })

  it('fails on an unusable REDIS_URL without quoting it', async () => {
    secretsHold({[APP]: {REDIS_URL: `memcached://:${encodeURIComponent(CANARY)}@h`}})
    const {check, probe} = withProbe(ok())
    const r = await check.run(probing())
    expect(r).toMatchObject({status: 'fail', summary: `REDIS_URL in ${APP} has scheme memcached, not redis or rediss`})
    expect(everything(r)).not.toContain(CANARY)
    expect(probe).not.toHaveBeenCalled()
  })

  it('falls back to the replication group, and says so, when the secrets cannot be read', async () => {
    mocks.secrets.on(BatchGetSecretValueCommand).rejects(accessDenied('secretsmanager:BatchGetSecretValue'))
    mocks.secrets.on(GetSecretValueCommand).rejects(accessDenied('secretsmanager:GetSecretValue'))
    mocks.elasticache.on(DescribeReplicationGroupsCommand).resolves({ReplicationGroups: [group()]})
    const r = await withProbe(ok()).check.run(probing())
    expect(r.status).toBe('pass')
    expect(r.details?.[0]).toContain(`(primary endpoint of ${GROUP} (could not read production/allthrive/ai/api-keys, `)
  })

  it('fails when the replication group does not exist', async () => {
    secretsHold({})
    mocks.elasticache
      .on(DescribeReplicationGroupsCommand)
      .rejects(new ReplicationGroupNotFoundFault({message: 'not found', $metadata: {}}))
    const {check, probe} = withProbe(ok())
    expect(await check.run(probing())).toMatchObject({status: 'fail', summary: `replication group ${GROUP} not found`})
    expect(probe).not.toHaveBeenCalled()
  })

  it('is an error naming the IAM action when ElastiCache denies access', async () => {
    secretsHold({})
    mocks.elasticache
      .on(DescribeReplicationGroupsCommand)
      .rejects(accessDenied('elasticache:DescribeReplicationGroups'))
    await expectErrorNaming(withProbe(ok()).check, 'elasticache:DescribeReplicationGroups', probing())
  })
})

describe('parseRedisUrl and parseInfo', () => {
  it('reads TLS, user, password, db and ssl_cert_reqs', () => {
    expect(parseRedisUrl(`rediss://app:${encodeURIComponent(CANARY)}@h.example:6380/2?ssl_cert_reqs=none`)).toEqual({
      host: 'h.example',
      port: 6380,
      tls: true,
      verifyTls: false,
      username: 'app',
      password: CANARY,
      db: 2,
    })
    expect(parseRedisUrl('redis://h')).toEqual({host: 'h', port: 6379, tls: false})
    expect(parseRedisUrl('nope')).toEqual({error: 'is not a valid URL'})
  })

  it('parses INFO sections', () => {
    expect(parseInfo('# Memory\r\nused_memory:1024\r\nmaxmemory:0\r\n')).toEqual({used_memory: '1024', maxmemory: '0'})
  })
})
