import {readFileSync} from 'node:fs'
import {type AddressInfo, createServer, type Socket} from 'node:net'

import pg from 'pg'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {postgresProbe} from '../../../src/checks/postgres-probe.js'
import {type PgTarget, parseDatabaseUrl, probePostgres} from '../../../src/lib/probes/pg.js'
import {resetMocks} from '../../helpers/aws.js'
import {everything} from '../../helpers/context.js'
import {secretsHold} from '../../helpers/secrets.js'
import {closedPort, probeCtx as ctx, runAgainstSilentServer, testServices, withUrl} from './services.js'

/** Live tests against the PostgreSQL of scripts/test-services.sh; skipped when it is not running. */
const {PGTEST_URL, PGTEST_CA_FILE} = testServices()
const SECRET = 'production/allthrive/database'
const CANARY = 'CANARY-pg-password-7f3a'

const secretHolds = (url: string): void => secretsHold({[SECRET]: {DATABASE_URL: url}})

describe.skipIf(!PGTEST_URL)('postgres-probe against a real PostgreSQL', () => {
  // The describe body runs even when skipped: nothing here may assume the services exist.
  const url = PGTEST_URL ?? ''
  const target = parseDatabaseUrl(url) as PgTarget
  beforeEach(() => resetMocks())

  it('passes with the server version and connections in use', async () => {
    secretHolds(url)
    const r = await postgresProbe.run(ctx())
    expect(r.status).toBe('pass')
    expect(r.summary).toMatch(/^PostgreSQL \d+\.\d+ answers, \d+ of 20 connections in use$/)
    expect(r.details?.[0]).toMatch(/^127\.0\.0\.1:55432\/allthrive: connected as allthrive in \d+ms without TLS$/)
    expect(r.details?.[2]).toMatch(/^127\.0\.0\.1:55432\/allthrive: \d+ of 20 connections in use \(\d+%\)$/)
    expect(r.data).toMatchObject({
      host: '127.0.0.1',
      port: 55432,
      database: 'allthrive',
      user: 'allthrive',
      maxConnections: 20,
      tls: 'off',
      encrypted: false,
    })
    expect(everything(r)).not.toContain(target.password)
  })

  it('encrypts with sslmode=require and says the certificate is not verified', async () => {
    secretHolds(withUrl(url, {search: '?sslmode=require'}))
    const r = await postgresProbe.run(ctx())
    expect(r.status).toBe('pass')
    expect(r.data).toMatchObject({tls: 'unverified', encrypted: true})
    expect(r.details?.[0]).toContain('over TLS (server certificate not verified')
  })

  it('warns when sslmode=verify-full cannot verify the certificate from here', async () => {
    secretHolds(withUrl(url, {search: '?sslmode=verify-full'}))
    const r = await postgresProbe.run(ctx())
    expect(r).toMatchObject({
      status: 'warn',
      summary: '127.0.0.1:55432/allthrive: could not verify the server certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    })
    expect(r.hint).toContain('NODE_EXTRA_CA_CERTS')
  })

  it.skipIf(!PGTEST_CA_FILE)('verifies the certificate and host name with verify-full and the CA', async () => {
    const o = await probePostgres(
      {...target, sslmode: 'verify-full'},
      {timeoutMs: 3000, ca: readFileSync(PGTEST_CA_FILE!)},
    )
    expect(o).toMatchObject({kind: 'ok', tls: 'verify-full', encrypted: true})
  })

  it('fails on a wrong password, naming the user and never the password', async () => {
    const bad = withUrl(url, {password: CANARY})
    secretHolds(bad)
    const r = await postgresProbe.run(ctx())
    expect(r).toMatchObject({
      status: 'fail',
      summary: 'authentication failed for user allthrive: the DATABASE_URL secret does not match the database',
      details: ['127.0.0.1:55432/allthrive: authentication failed for user allthrive (28P01)'],
      data: {code: '28P01', user: 'allthrive'},
    })
    expect(r.hint).toContain(`put-secret-value --secret-id ${SECRET}`)
    expect(everything(r)).not.toContain(CANARY)
    expect(everything(r)).not.toContain(bad)
  })

  it('fails when the database does not exist', async () => {
    secretHolds(withUrl(url, {pathname: '/no_such_db'}))
    const r = await postgresProbe.run(ctx())
    expect(r).toMatchObject({
      status: 'fail',
      summary: '127.0.0.1:55432/no_such_db: database no_such_db does not exist',
      data: {code: '3D000'},
    })
  })

  it('skips quickly when the port is closed', async () => {
    secretHolds(withUrl(url, {port: await closedPort()}))
    const started = Date.now()
    const r = await postgresProbe.run(ctx())
    expect(Date.now() - started).toBeLessThan(1000)
    expect(r.status).toBe('skip')
    expect(r.summary).toBe(
      'not reachable from here (connection refused): run from inside the VPC (a bastion, or `allthrive exec web -e production`)',
    )
    expect(r.data).toMatchObject({code: 'ECONNREFUSED'})
  })

  it('skips after the timeout, not a hang, when the server accepts and never answers', async () => {
    const {entry, elapsed} = await runAgainstSilentServer(postgresProbe, (port) =>
      secretHolds(withUrl(url, {port, password: CANARY})),
    )
    expect(elapsed).toBeGreaterThanOrEqual(380)
    expect(elapsed).toBeLessThan(2000)
    expect(entry).toMatchObject({
      status: 'skip',
      summary:
        'not reachable from here (connection timed out after 400ms): run from inside the VPC (a bastion, or `allthrive exec web -e production`)',
    })
    expect(everything(entry)).not.toContain(CANARY)
  })

  describe('with most connection slots taken', () => {
    const held: pg.Client[] = []
    beforeAll(async () => {
      // max_connections 20 in the test cluster: 15 held + the probe's own = 16 = 80%.
      for (let i = 0; i < 15; i++) {
        const c = new pg.Client({...target, ssl: false})
        c.on('error', () => {})
        await c.connect()
        held.push(c)
      }
    })
    afterAll(async () => {
      await Promise.all(held.map((c) => c.end()))
    })

    it('warns at 80% of max_connections', async () => {
      secretHolds(url)
      const r = await postgresProbe.run(ctx())
      expect(r.status).toBe('warn')
      expect(r.summary).toMatch(/^1[6-7] of 20 connections in use \(8[0-5]%\) on PostgreSQL \d+\.\d+$/)
      expect(r.hint).toContain('pg_stat_activity')
    })
  })
})

describe('probePostgres against a server that logs in and then goes quiet', () => {
  it('fails with QUERY_TIMEOUT (connected, queries unanswered) rather than calling it unreachable', async () => {
    const sockets: Socket[] = []
    // Just enough of the protocol: AuthenticationOk and ReadyForQuery after the startup message, then silence.
    const server = createServer((s) => {
      sockets.push(s)
      s.on('error', () => {})
      s.once('data', () => s.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x5a, 0, 0, 0, 5, 0x49])))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const {port} = server.address() as AddressInfo
      const started = Date.now()
      const o = await probePostgres(
        {host: '127.0.0.1', port, user: 'u', password: CANARY, database: 'd'},
        {timeoutMs: 300},
      )
      expect(Date.now() - started).toBeLessThan(2000)
      expect(o).toEqual({
        kind: 'rejected',
        code: 'QUERY_TIMEOUT',
        reason: 'connected, but the queries did not answer within 300ms',
      })
    } finally {
      for (const s of sockets) s.destroy()
      server.close()
    }
  })
})
