import {BatchGetSecretValueCommand, GetSecretValueCommand} from '@aws-sdk/client-secrets-manager'
import {beforeEach, describe, expect, it, vi} from 'vitest'

import {postgresProbe, postgresProbeCheck} from '../../src/checks/postgres-probe.js'
import {DEFAULT_THRESHOLDS} from '../../src/config.js'
import {deadline, ProbeTimeout, scrub, unreachable} from '../../src/lib/probes/common.js'
import {
  parseDatabaseUrl,
  type PgOutcome,
  type PgTarget,
  type probePostgres,
  tlsModeFor,
} from '../../src/lib/probes/pg.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, everything, expectErrorNaming, probing} from '../helpers/context.js'
import {secretsHold} from '../helpers/secrets.js'

const SECRET = 'production/allthrive/database'
const CANARY = 'CANARY-p@ss/w0rd%41'
const HOST = 'production-allthrive-db.abc123.us-east-1.rds.amazonaws.com'
const URL_OK = `postgres://allthrive:${encodeURIComponent(CANARY)}@${HOST}:5432/allthrive`

const secretHolds = (value: Record<string, unknown> | string): void => secretsHold({[SECRET]: value})

const ok = (over: Partial<Extract<PgOutcome, {kind: 'ok'}>> = {}): PgOutcome => ({
  kind: 'ok',
  serverVersion: '16.4',
  connections: 12,
  maxConnections: 87,
  tls: 'unverified',
  encrypted: true,
  latencyMs: 41,
  ...over,
})

/** The check over a fake probe that answers `outcome`, and the fake, to see what it was asked. */
function withProbe(outcome: PgOutcome) {
  const probe = vi.fn<typeof probePostgres>(async () => outcome)
  return {check: postgresProbeCheck(probe), probe}
}

describe('postgres-probe check', () => {
  beforeEach(() => resetMocks())

  it('is skipped without --probe', () => {
    expect(postgresProbe.applies!(ctxWith())).toBe('live probe: run with --probe')
    expect(postgresProbe.applies!(probing())).toBe(true)
  })

  it('passes with version and connections, probing the parsed URL within the probe timeout', async () => {
    secretHolds({DATABASE_URL: URL_OK})
    const {check, probe} = withProbe(ok())
    const r = await check.run(probing())
    expect(r).toMatchObject({status: 'pass', summary: 'PostgreSQL 16.4 answers, 12 of 87 connections in use'})
    expect(r.details).toEqual([
      `${HOST}:5432/allthrive: connected as allthrive in 41ms over TLS (server certificate not verified: no RDS CA bundle here; sslmode=verify-full with NODE_EXTRA_CA_CERTS=<RDS global-bundle.pem> verifies it)`,
      `${HOST}:5432/allthrive: PostgreSQL 16.4`,
      `${HOST}:5432/allthrive: 12 of 87 connections in use (14%)`,
    ])
    expect(r.data).toMatchObject({
      secret: SECRET,
      host: HOST,
      user: 'allthrive',
      connections: 12,
      maxConnections: 87,
      connectionsPercent: 14,
      tls: 'unverified',
    })
    expect(probe).toHaveBeenCalledWith(
      {host: HOST, port: 5432, user: 'allthrive', password: CANARY, database: 'allthrive'},
      expect.objectContaining({timeoutMs: 3000}),
    )
    expect(everything(r)).not.toContain(CANARY)
    expect(everything(r)).not.toContain(encodeURIComponent(CANARY))
  })

  it('warns at 80% of max_connections, not at 79%', async () => {
    secretHolds({DATABASE_URL: URL_OK})
    const r = await withProbe(ok({connections: 80, maxConnections: 100, serverVersion: '16.4 (Debian)'})).check.run(
      probing(),
    )
    expect(r).toMatchObject({status: 'warn', summary: '80 of 100 connections in use (80%) on PostgreSQL 16.4'})
    expect(r.hint).toContain('pg_stat_activity')
    const r79 = await withProbe(ok({connections: 79, maxConnections: 100})).check.run(probing())
    expect(r79.status).toBe('pass')
  })

  it('says when TLS was asked for but the session is not encrypted', async () => {
    secretHolds({DATABASE_URL: URL_OK})
    const r = await withProbe(ok({encrypted: false})).check.run(probing())
    expect(r.details?.[0]).toBe(
      `${HOST}:5432/allthrive: connected as allthrive in 41ms TLS was asked for but the session is not encrypted`,
    )
  })

  it('skips, with where to run it from, when the database cannot be reached from here', async () => {
    secretHolds({DATABASE_URL: URL_OK})
    const r = await withProbe(unreachable('TIMEOUT', 3000)).check.run(probing())
    expect(r).toMatchObject({
      status: 'skip',
      summary:
        'not reachable from here (connection timed out after 3000ms): run from inside the VPC (a bastion, or `allthrive exec web -e production`)',
      details: [`${HOST}:5432/allthrive: connection timed out after 3000ms (TIMEOUT)`],
      data: {code: 'TIMEOUT'},
    })
  })

  it('fails on a wrong password naming the user, with how to fix the secret', async () => {
    secretHolds({DATABASE_URL: URL_OK})
    const r = await withProbe({
      kind: 'rejected',
      code: '28P01',
      reason: 'authentication failed for user allthrive',
    }).check.run(probing())
    expect(r).toMatchObject({
      status: 'fail',
      summary: 'authentication failed for user allthrive: the DATABASE_URL secret does not match the database',
      data: {code: '28P01'},
    })
    expect(r.hint).toContain(`aws secretsmanager put-secret-value --secret-id ${SECRET}`)
    expect(r.hint).toContain('--db-instance-identifier production-allthrive-db')
    expect(everything(r)).not.toContain(CANARY)
  })

  it.each([
    ['3D000', 'database allthrive does not exist', 'CREATE DATABASE'],
    ['53300', 'every connection slot is taken (too many connections)', 'RDS Proxy'],
    ['QUERY_TIMEOUT', 'connected, but the queries did not answer within 3000ms', 'Performance Insights'],
    ['28000', 'connection not allowed: no pg_hba.conf entry', 'sslmode=require'],
  ])('fails when the server refuses with %s', async (code, reason, hint) => {
    secretHolds({DATABASE_URL: URL_OK})
    const r = await withProbe({kind: 'rejected', code, reason}).check.run(probing())
    expect(r).toMatchObject({
      status: 'fail',
      summary: `${HOST}:5432/allthrive: ${reason}`,
      details: [`${HOST}:5432/allthrive: ${reason} (${code})`],
    })
    expect(r.hint).toContain(hint)
  })

  it('warns when the certificate cannot be verified from here, fails when it has expired', async () => {
    secretHolds({DATABASE_URL: `${URL_OK}?sslmode=verify-full`})
    const untrusted = await withProbe({
      kind: 'tls',
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
      reason: 'self-signed certificate in certificate chain',
    }).check.run(probing())
    expect(untrusted).toMatchObject({
      status: 'warn',
      summary: `${HOST}:5432/allthrive: could not verify the server certificate (SELF_SIGNED_CERT_IN_CHAIN)`,
    })
    expect(untrusted.hint).toContain('NODE_EXTRA_CA_CERTS')
    const expired = await withProbe({
      kind: 'tls',
      code: 'CERT_HAS_EXPIRED',
      reason: 'certificate has expired',
    }).check.run(probing())
    expect(expired).toMatchObject({
      status: 'fail',
      summary: `${HOST}:5432/allthrive: the server certificate has expired (CERT_HAS_EXPIRED)`,
    })
    expect(expired.hint).toContain('--ca-certificate-identifier')
  })

  it('fails naming the secret when it does not exist, without probing', async () => {
    mocks.secrets.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [],
      Errors: [{SecretId: SECRET, ErrorCode: 'ResourceNotFoundException', Message: 'not found'}],
    })
    const {check, probe} = withProbe(ok())
    const r = await check.run(probing())
    expect(r).toMatchObject({
      status: 'fail',
      summary: `secret ${SECRET} does not exist`,
      details: [`${SECRET}: not found in Secrets Manager`],
    })
    expect(r.hint).toContain(`put-secret-value --secret-id ${SECRET}`)
    expect(probe).not.toHaveBeenCalled()
  })

  it.each([
    [{SECRET_KEY: 'x'}, `secret ${SECRET}: missing DATABASE_URL`],
    [{DATABASE_URL: 'changeme'}, `secret ${SECRET}: a placeholder DATABASE_URL`],
    [{DATABASE_URL: `mysql://u:${CANARY}@h/db`}, `DATABASE_URL in ${SECRET} has scheme mysql, not postgres`],
    [{DATABASE_URL: `${CANARY} not a url`}, `DATABASE_URL in ${SECRET} is not a valid URL`],
    [`postgres://u:${CANARY}@h/db`, `secret ${SECRET} is not valid JSON`],
  ])('fails on an unusable secret without quoting it (%#)', async (value, summary) => {
    secretHolds(value)
    const {check, probe} = withProbe(ok())
    const r = await check.run(probing())
    expect(r).toMatchObject({status: 'fail', summary})
    expect(everything(r)).not.toContain(CANARY)
    expect(probe).not.toHaveBeenCalled()
  })

  it('fails when the environment has no database secret', async () => {
    const ctx = {...ctxWith({secrets: []}), probe: true}
    expect(await withProbe(ok()).check.run(ctx)).toMatchObject({
      status: 'fail',
      summary: 'no database secret configured',
    })
  })

  it('is an error naming the IAM action when the secret cannot be read', async () => {
    mocks.secrets.on(BatchGetSecretValueCommand).rejects(accessDenied('secretsmanager:BatchGetSecretValue'))
    mocks.secrets.on(GetSecretValueCommand).rejects(accessDenied('secretsmanager:GetSecretValue'))
    await expectErrorNaming(withProbe(ok()).check, 'secretsmanager:GetSecretValue', probing())
  })

  it('reads the probe timeout from thresholds.probes.timeoutMs', async () => {
    secretHolds({DATABASE_URL: URL_OK})
    const {check, probe} = withProbe(ok())
    await check.run({...ctxWith({thresholds: {...DEFAULT_THRESHOLDS, probes: {timeoutMs: 750}}}), probe: true})
    expect(probe.mock.calls[0][1]).toMatchObject({timeoutMs: 750})
  })
})

describe('parseDatabaseUrl', () => {
  it('decodes user and password, defaults the port, keeps sslmode', () => {
    expect(
      parseDatabaseUrl(`postgresql://app%40corp:${encodeURIComponent(CANARY)}@db.internal/main?sslmode=require`),
    ).toEqual<PgTarget>({
      host: 'db.internal',
      port: 5432,
      user: 'app@corp',
      password: CANARY,
      database: 'main',
      sslmode: 'require',
    })
    expect(parseDatabaseUrl('postgres://u:p@[::1]:6543/d')).toMatchObject({host: '::1', port: 6543})
    expect(parseDatabaseUrl('postgres://u:p@h')).toMatchObject({database: 'u'})
  })

  it.each([
    ['postgres:///db', 'has no host'],
    ['postgres://h/db', 'has no user name'],
    ['postgres://u:p@h/db?sslmode=sometimes', 'has an unknown sslmode sometimes'],
    ['http://u:p@h/db', 'has scheme http, not postgres'],
  ])('rejects %s', (url, error) => {
    expect(parseDatabaseUrl(url)).toEqual({error})
  })
})

describe('tlsModeFor', () => {
  it.each([
    [HOST, undefined, 'unverified'],
    ['db.internal.example', undefined, 'unverified'],
    ['127.0.0.1', undefined, 'off'],
    ['localhost', undefined, 'off'],
    ['localhost', 'require', 'unverified'],
    [HOST, 'disable', 'off'],
    [HOST, 'prefer', 'unverified'],
    [HOST, 'verify-ca', 'verify-ca'],
    [HOST, 'verify-full', 'verify-full'],
  ] as const)('%s with sslmode=%s → %s', (host, sslmode, mode) => {
    expect(tlsModeFor({host, ...(sslmode && {sslmode})})).toBe(mode)
  })
})

describe('probe helpers', () => {
  it('scrub removes a secret raw and URL-encoded', () => {
    expect(scrub(`connect postgres://u:${encodeURIComponent(CANARY)}@h failed for ${CANARY}`, [CANARY])).toBe(
      'connect postgres://u:***@h failed for ***',
    )
  })

  it('deadline rejects with ProbeTimeout when the work does not settle in time', async () => {
    const never = new Promise<void>(() => {})
    await expect(deadline(never, 20)).rejects.toBeInstanceOf(ProbeTimeout)
    await expect(deadline(Promise.resolve(7), 20)).resolves.toBe(7)
  })

  it("deadline rejects with the signal's reason when it aborts", async () => {
    const c = new AbortController()
    const p = deadline(new Promise<void>(() => {}), 5000, c.signal)
    c.abort(new Error('budget spent'))
    await expect(p).rejects.toThrow('budget spent')
  })
})
