import {DescribeReplicationGroupsCommand, type ReplicationGroup} from '@aws-sdk/client-elasticache'
import {BatchGetSecretValueCommand} from '@aws-sdk/client-secrets-manager'
import {Redis} from 'ioredis'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {redisProbe} from '../../../src/checks/redis-probe.js'
import {mocks, resetMocks} from '../../helpers/aws.js'
import {everything} from '../../helpers/context.js'
import {secretsHold} from '../../helpers/secrets.js'
import {closedPort, probeCtx as ctx, runAgainstSilentServer, testServices, withUrl} from './services.js'

/** Live tests against the Redis servers of scripts/test-services.sh; skipped when they are not running. */
const {REDISTEST_URL, REDISTEST_PLAIN_URL} = testServices()
const APP_SECRET = 'production/allthrive/app'
const CANARY = 'CANARY-redis-token-91bd'

/** The app secret holds REDIS_URL (other secrets are absent: the probe only needs this one). */
const appSecretHolds = (redisUrl: string): void => secretsHold({[APP_SECRET]: {SECRET_KEY: 'x', REDIS_URL: redisUrl}})

const VPC = 'run from inside the VPC (a bastion, or `allthrive exec web -e production`)'

describe.skipIf(!REDISTEST_URL || !REDISTEST_PLAIN_URL)('redis-probe against a real Redis', () => {
  // The describe body runs even when skipped: nothing here may assume the services exist.
  const url = REDISTEST_URL ?? ''
  const plainUrl = REDISTEST_PLAIN_URL ?? ''
  const password = (): string => new URL(url).password
  beforeEach(() => resetMocks())

  it('passes with PING, version and memory against maxmemory, from REDIS_URL', async () => {
    appSecretHolds(url)
    const r = await redisProbe.run(ctx())
    expect(r.status).toBe('pass')
    expect(r.summary).toMatch(/^Redis \d+\.\d+\.\d+ answers, [\d.]+ MiB of 64\.0 MiB used \(\d+%\)$/)
    expect(r.details?.[0]).toMatch(/^127\.0\.0\.1:56379 \(REDIS_URL in production\/allthrive\/app\): PONG in \d+ms$/)
    expect(r.data).toMatchObject({
      host: '127.0.0.1',
      port: 56379,
      tls: false,
      secret: APP_SECRET,
      maxMemory: 64 * 1024 * 1024,
    })
    expect(mocks.elasticache).not.toHaveReceivedCommand(DescribeReplicationGroupsCommand)
    expect(everything(r)).not.toContain(password())
  })

  it('says maxmemory 0 means unlimited, using the replication group endpoint when no secret has REDIS_URL', async () => {
    mocks.secrets.on(BatchGetSecretValueCommand).resolves({SecretValues: []})
    const {hostname, port} = new URL(plainUrl)
    const group: ReplicationGroup = {
      ReplicationGroupId: 'production-allthrive-redis',
      Status: 'available',
      TransitEncryptionEnabled: false,
      NodeGroups: [{NodeGroupId: '0001', PrimaryEndpoint: {Address: hostname, Port: Number(port)}}],
    }
    mocks.elasticache.on(DescribeReplicationGroupsCommand).resolves({ReplicationGroups: [group]})
    const r = await redisProbe.run(ctx())
    expect(r.status).toBe('pass')
    expect(r.summary).toMatch(/^Redis [\d.]+ answers, [\d.]+ MiB used, maxmemory 0 \(unlimited\)$/)
    expect(r.details?.[0]).toContain('(primary endpoint of production-allthrive-redis)')
    expect(mocks.elasticache).toHaveReceivedCommandWith(DescribeReplicationGroupsCommand, {
      ReplicationGroupId: 'production-allthrive-redis',
    })
  })

  describe('near maxmemory', () => {
    let admin: Redis
    beforeEach(async () => {
      admin = new Redis(url, {lazyConnect: true, maxRetriesPerRequest: 1})
      await admin.connect()
      const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1])
      await admin.config('SET', 'maxmemory', String(Math.ceil(used * 1.04)))
    })
    afterEach(async () => {
      await admin.config('SET', 'maxmemory', '64mb')
      admin.disconnect()
    })

    it('warns at 90% of maxmemory', async () => {
      appSecretHolds(url)
      const r = await redisProbe.run(ctx())
      expect(r.status).toBe('warn')
      expect(r.summary).toMatch(/^memory (9\d|1\d\d)% used \([\d.]+ MiB of [\d.]+ MiB\) on Redis [\d.]+$/)
      expect(r.hint).toContain('--bigkeys')
    })
  })

  it('fails on a wrong password, never showing it', async () => {
    const bad = withUrl(url, {password: CANARY})
    appSecretHolds(bad)
    const r = await redisProbe.run(ctx())
    expect(r).toMatchObject({
      status: 'fail',
      summary: '127.0.0.1:56379: the server rejected the password',
      data: {code: 'WRONGPASS'},
    })
    expect(r.hint).toContain(`REDIS_URL of ${APP_SECRET}`)
    expect(everything(r)).not.toContain(CANARY)
  })

  it('fails with NOAUTH when the server wants a password and the URL has none', async () => {
    appSecretHolds(withUrl(url, {password: ''}))
    const r = await redisProbe.run(ctx())
    expect(r).toMatchObject({
      status: 'fail',
      summary: '127.0.0.1:56379: the server requires a password (AUTH) and none was given',
      data: {code: 'NOAUTH'},
    })
  })

  it('skips quickly when the port is closed', async () => {
    appSecretHolds(withUrl(url, {port: await closedPort()}))
    const started = Date.now()
    const r = await redisProbe.run(ctx())
    expect(Date.now() - started).toBeLessThan(1000)
    expect(r).toMatchObject({
      status: 'skip',
      summary: `not reachable from here (connection refused): ${VPC}`,
      data: {code: 'ECONNREFUSED'},
    })
  })

  it('skips after the timeout, not a hang, when the server accepts and never answers', async () => {
    const {entry, elapsed} = await runAgainstSilentServer(redisProbe, (port) =>
      appSecretHolds(withUrl(url, {port, password: CANARY})),
    )
    expect(elapsed).toBeGreaterThanOrEqual(380)
    expect(elapsed).toBeLessThan(2000)
    expect(entry).toMatchObject({
      status: 'skip',
      summary: `not reachable from here (connection timed out after 400ms): ${VPC}`,
    })
    expect(everything(entry)).not.toContain(CANARY)
  })
})
