import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer as createHttpServer, type IncomingMessage, type ServerResponse} from 'node:http'
import {createServer as createHttpsServer} from 'node:https'
import {type AddressInfo, createServer as createTcpServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {health, healthCheck} from '../../src/checks/health.js'
import {runOne} from '../../src/checks/run-checks.js'
import type {CheckContext} from '../../src/checks/types.js'
import {DEFAULT_THRESHOLDS, type Thresholds} from '../../src/config.js'
import {ctxWith} from '../helpers/context.js'

/**
 * Against local servers: HTTPS on 127.0.0.1 with self-signed certificates made by openssl
 * for the test (one per validity period), a plain HTTP server, a silent TCP server.
 */

const DAY = 86_400_000
const dir = mkdtempSync(join(tmpdir(), 'allthrive-health-'))

/** A self-signed certificate for 127.0.0.1 valid from now for `days` days. */
function certificate(days: number): {key: Buffer; cert: Buffer} {
  const [key, cert] = [join(dir, `${days}.key`), join(dir, `${days}.crt`)]
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      String(days),
      '-subj',
      '/CN=allthrive-test',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    {stdio: 'ignore'},
  )
  return {key: readFileSync(key), cert: readFileSync(cert)}
}

/** /ok answers 200, /down 503 with a long body, /slow 200 after 300 ms. */
function handler(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/down') {
    res.writeHead(503, {'content-type': 'text/html'})
    res.end(`<html>\n  <body>Service   Unavailable: ${'x'.repeat(400)}</body></html>`)
  } else if (req.url === '/slow') {
    setTimeout(() => res.end('{"status":"ok"}'), 300)
  } else {
    res.writeHead(200, {'content-type': 'application/json'})
    res.end('{"status":"ok"}')
  }
}

interface Local {
  url: string
  ca?: Buffer
  close(): Promise<void>
}

async function listen(server: Server, scheme: 'http' | 'https', ca?: Buffer): Promise<Local> {
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ...(ca && {ca}),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

const https = async (days: number): Promise<Local> => {
  const c = certificate(days)
  return listen(createHttpsServer(c, handler), 'https', c.cert)
}

function ctx(
  healthUrl: string,
  opts: {now?: Date; health?: Partial<Thresholds['health']>; timeoutMs?: number} = {},
): CheckContext {
  const thresholds: Thresholds = {
    ...DEFAULT_THRESHOLDS,
    health: {...DEFAULT_THRESHOLDS.health, ...opts.health},
    probes: {timeoutMs: opts.timeoutMs ?? 3000},
  }
  return ctxWith({healthUrl, thresholds}, {now: opts.now ?? new Date()})
}

describe('health check', () => {
  let year: Local
  let tenDays: Local
  let threeDays: Local
  let plain: Local
  beforeAll(async () => {
    ;[year, tenDays, threeDays, plain] = await Promise.all([
      https(365),
      https(10),
      https(3),
      listen(createHttpServer(handler), 'http'),
    ])
  })
  afterAll(async () => {
    await Promise.all([year, tenDays, threeDays, plain].map((s) => s?.close()))
    rmSync(dir, {recursive: true, force: true})
  })

  it('runs without --probe (the endpoint is public) and calls no AWS API', () => {
    expect(health.applies).toBeUndefined()
    expect(health.iam).toEqual([])
  })

  it('passes on a fast 200 with a certificate valid for a year', async () => {
    const r = await healthCheck({ca: year.ca}).run(ctx(`${year.url}/ok`))
    expect(r.status).toBe('pass')
    expect(r.summary).toMatch(/^HTTP 200 in \d+ms, certificate valid 36[45] more days$/)
    expect(r.details).toEqual([
      expect.stringMatching(new RegExp(`^GET ${year.url}/ok: HTTP 200 in \\d+ms$`)),
      expect.stringMatching(
        /^127\.0\.0\.1: certificate allthrive-test \(issuer allthrive-test\) valid until \d{4}-\d\d-\d\d \(36[45] days\)$/,
      ),
    ])
    expect(r.data).toMatchObject({url: `${year.url}/ok`, status: 200, certificateSubject: 'allthrive-test'})
  })

  it('fails on a 503 with the status and the first 200 characters of the body', async () => {
    const r = await healthCheck({ca: year.ca}).run(ctx(`${year.url}/down`))
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('HTTP 503')
    const body = `<html> <body>Service Unavailable: ${'x'.repeat(400)}</body></html>`.slice(0, 200)
    expect(r.details?.[0]).toMatch(
      new RegExp(`^GET ${year.url}/down: HTTP 503 in \\d+ms: ${body.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    )
    expect(r.hint).toContain('allthrive logs tail web -e production')
    expect(r.data).toMatchObject({status: 503})
  })

  it('warns when the answer is slower than thresholds.health.maxLatencyMs', async () => {
    const r = await healthCheck({ca: year.ca}).run(ctx(`${year.url}/slow`, {health: {maxLatencyMs: 100}}))
    expect(r.status).toBe('warn')
    expect(r.summary).toMatch(/^slow \(\d{3}ms\)$/)
    expect(r.details?.[0]).toMatch(/: HTTP 200 in \d{3}ms, over 100ms$/)
  })

  it('warns when the certificate expires in 10 days (under 30), fails at 3 days (7 or fewer)', async () => {
    const warned = await healthCheck({ca: tenDays.ca}).run(ctx(`${tenDays.url}/ok`))
    expect(warned.status).toBe('warn')
    expect(warned.summary).toMatch(/^certificate expires in (9|10) days$/)
    expect(warned.details?.[0]).toMatch(/expires on \d{4}-\d\d-\d\d, in (9|10) days \(under 30\)$/)
    expect(warned.hint).toContain('ACM renews certificates 60 days before expiry')
    const failed = await healthCheck({ca: threeDays.ca}).run(ctx(`${threeDays.url}/ok`))
    expect(failed).toMatchObject({status: 'fail', summary: expect.stringMatching(/^certificate expires in [23] days$/)})
  })

  it("fails when the certificate has expired by the check's clock", async () => {
    const r = await healthCheck({ca: year.ca}).run(ctx(`${year.url}/ok`, {now: new Date(Date.now() + 400 * DAY)}))
    expect(r).toMatchObject({status: 'fail', summary: 'certificate expired'})
  })

  it('fails on a certificate this machine does not trust', async () => {
    const r = await health.run(ctx(`${year.url}/ok`))
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('TLS DEPTH_ZERO_SELF_SIGNED_CERT')
    expect(r.details?.filter((d) => d.includes('not trusted'))).toEqual([])
  })

  it('passes over plain HTTP, with nothing to say about certificates', async () => {
    const r = await health.run(ctx(`${plain.url}/ok`))
    expect(r.status).toBe('pass')
    expect(r.summary).toMatch(/^HTTP 200 in \d+ms$/)
    expect(r.details?.[1]).toBe('127.0.0.1: plain HTTP, no certificate to check')
  })

  it('skips quickly when the port is refused', async () => {
    const closed = await listen(createTcpServer(), 'https')
    await closed.close()
    const started = Date.now()
    const r = await health.run(ctx(`${closed.url}/api/health/`))
    expect(Date.now() - started).toBeLessThan(1000)
    expect(r).toMatchObject({
      status: 'skip',
      summary: 'not reachable from here: ECONNREFUSED',
      data: {code: 'ECONNREFUSED'},
    })
  })

  it('skips when the host name does not resolve', async () => {
    const r = await health.run(ctx('https://api.allthrive.invalid/api/health/'))
    expect(r).toMatchObject({status: 'skip', summary: 'not reachable from here: ENOTFOUND'})
  })

  it('skips after thresholds.probes.timeoutMs, not a hang, when the server never answers', async () => {
    const silent = await listen(
      createTcpServer(() => {}),
      'https',
    )
    try {
      const started = Date.now()
      const entry = await runOne(health, ctx(`${silent.url}/api/health/`, {timeoutMs: 300}), {timeoutMs: 10_000})
      const elapsed = Date.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(290)
      expect(elapsed).toBeLessThan(1500)
      expect(entry).toMatchObject({status: 'skip', summary: 'not reachable from here: TIMEOUT'})
      expect(entry.details).toEqual([`GET ${silent.url}/api/health/: connection timed out after 300ms`])
    } finally {
      await silent.close()
    }
  })
})
