/**
 * End to end: the built CLI (`node bin/run.js validate`) against a local moto server
 * seeded by ./seed.ts. Skipped unless AWS_ENDPOINT_URL is set (CI has no emulator).
 *
 *   scripts/moto.sh start && npm run build
 *   AWS_ENDPOINT_URL=http://127.0.0.1:5055 npx vitest run test/e2e
 *
 * The seed wipes the emulator (POST /moto-api/reset) before it writes.
 *
 * The runs are limited (`--only`) to FULL_SET, the checks the seed sets up for. Checks
 * of FULL_SET not registered in src/checks/index.ts yet, and registered checks outside
 * FULL_SET, are reported as skipped tests with the reason, not as failures. A few checks
 * skip by design here (EXPECTED_SKIPS: no --probe, no --compare);
 * the drift check gets a run of its own with --compare.
 *
 * moto is not AWS. Where moto lacks something AWS documents, the checks are coded to AWS
 * and MOTO_GAPS below names the gap: a check that errors because of one is left out of
 * the runs the other assertions look at (`--skip`), and its own tests are skipped with
 * the reason. Once moto or the check stops tripping on it, the tests are strict again.
 * A gap that only leaves a check at `warn` is named in MOTO_WARNINGS, by the exact summary.
 */
import {runCli, type Run} from './cli.js'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Report, ReportEntry} from '../../src/checks/report.js'
// Type only: the seed (and every SDK client it loads) is imported when the suite runs,
// so a test run without an emulator pays nothing for this file.
import type {SeedResult} from './seed.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ENDPOINT = process.env.AWS_ENDPOINT_URL

/** The checks the seed sets up for (staging passes each, production fails some): every registered check. */
const FULL_SET = [
  'rds',
  'redis',
  's3',
  'secrets',
  'ecs-services',
  'ecs-env',
  'celery-beat',
  'images',
  'exec-ready',
  'certificates',
  'cloudfront',
  'cloudwatch-errors',
  'alb',
  'network',
  'alarms',
  'weaviate',
  'health',
  'postgres-probe',
  'redis-probe',
  'drift',
]

/** Checks that skip in the FULL_SET runs by design, in both environments, by their summary. */
const EXPECTED_SKIPS: Record<string, RegExp> = {
  'postgres-probe': /^live probe: run with --probe$/,
  'redis-probe': /^live probe: run with --probe$/,
  // Checked in a run of its own, with --compare (see "drift" below).
  drift: /^no --compare environment$/,
}

/**
 * Where the health check looks: a server of this test on 127.0.0.1. The convention's
 * https://api.<env>.allthrive.ai would reach the real public endpoints, and even a name that
 * never resolves sends a DNS query off this machine: no traffic leaves loopback.
 */
let healthServer: Server | undefined
const HEALTH_URL = (env: string): string => {
  const {port} = healthServer!.address() as AddressInfo
  return `http://127.0.0.1:${port}/${env}/api/health/`
}

/**
 * What each check must say about production (see BREAKAGES in seed.ts), as patterns over
 * its summary and details (a finding names its resource). Checks absent here must pass.
 */
const PRODUCTION_FINDINGS: Record<string, RegExp[]> = {
  secrets: [/production\/allthrive\/stripe\/credentials/, /STRIPE_SECRET_KEY/],
  'ecs-env': [/production-allthrive-web|\bweb\b/, /STRIPE_SECRET_KEY/],
  'ecs-services': [/production-allthrive-celery|\bcelery\b/, /\b0 of 1\b|\b0\/1\b/],
  rds: [/production-allthrive-db/, /multi-?az/i],
  s3: [/production-allthrive-media/, /public/i],
  // Grouped messages name the service; the Traceback's last line must be among them.
  'cloudwatch-errors': [/production-allthrive-web|\bweb\b/, /KeyError|Traceback/],
  images: [/celery-beat/, /allthrive-backend:production-9f8e7d6/, /not found in ECR/],
  alb: [/production-allthrive-alb/, /idle timeout 60s/, /below 120s/],
  network: [/RDS:5432 blocked/, /production-allthrive-db/, /no inbound rule/],
  alarms: [/production-allthrive-alb-5xx/, /\bALARM\b/],
  // The served CloudFront certificate expires in 5 days, though 200-day certificates cover its names.
  certificates: [/CloudFront [A-Z0-9]+ \(viewer\): [0-9a-f-]+ expires in [45] days/],
  cloudfront: [/viewer certificate: [0-9a-f-]+ expires in [45] days/],
}

/** What checks must warn about in production as a consequence of a breakage (BREAKAGES' `warns`). */
const PRODUCTION_WARNINGS: Record<string, RegExp[]> = {
  // celery is down, so there is no celery task to exec into.
  'exec-ready': [/no celery task running/, /celery: no running task/],
}

/** Known differences between moto 5.2.2 and AWS that make a check error, and how each shows. */
const MOTO_GAPS: {check: string; shows: RegExp; why: string}[] = [
  {
    check: 'rds',
    shows: /DescribeCertificates.*HTTP 5\d\d/,
    why: 'moto returns no CertificateDetails from DescribeDBInstances (AWS does) and does not implement rds:DescribeCertificates (HTTP 500), so the CA expiry lookup fails and takes the whole rds check with it',
  },
]

/**
 * Known moto differences that leave a healthy check at `warn` rather than `error`, by the
 * exact summary they show (in staging; production's problems come first in its summaries).
 */
const MOTO_WARNINGS: Record<string, {shows: RegExp; why: string}> = {
  rds: {
    shows: /^[a-z-]+-allthrive-db: CA expiry unknown$/,
    why: 'the rds check reads the CA expiry with rds:DescribeCertificates when DescribeDBInstances has no CertificateDetails; moto has neither, so it warns "CA expiry unknown" and keeps its other findings (Multi-AZ, backups, storage) checked',
  },
  network: {
    shows: /^Redis has no security groups$/,
    why: "moto's DescribeCacheClusters returns no SecurityGroups (it keeps the SecurityGroupIds of CreateCacheCluster but leaves them out of the answer; AWS lists them), so the paths to Redis cannot be judged; the RDS and Weaviate paths are",
  },
  'exec-ready': {
    shows:
      /^ECS Exec: (web task predates setting, celery task predates setting|web container PENDING, celery container PENDING)$/,
    why: "moto's tasks carry neither enableExecuteCommand (RunTask does not echo it) nor managedAgents, so a running task of a service with ECS Exec on looks started before the setting; with the exec-agent patch they do, but their containers stay PENDING in a RUNNING task (on AWS the essential containers of a RUNNING task are RUNNING, and ECS Exec needs its container RUNNING: exec --check and exec-ready judge that alike); the service-level findings (setting, platform, task role) are checked",
  },
}

/** Passed, or warned only for a known moto difference. */
const healthy = (c: ReportEntry): boolean =>
  c.status === 'pass' || (c.status === 'warn' && Boolean(MOTO_WARNINGS[c.id]?.shows.test(c.summary)))

/** Skipped by design (EXPECTED_SKIPS). */
const skippedByDesign = (c: ReportEntry): boolean =>
  c.status === 'skip' && Boolean(EXPECTED_SKIPS[c.id]?.test(c.summary))

let workDir = ''

/** Runs the built CLI in a directory holding only an allthrive.config.json that sets HEALTH_URL, against the emulator only. */
const cli = (args: string[]): Promise<Run> => runCli(ENDPOINT!, workDir, args)

/** The report on stdout; fails the test unless stdout is one JSON document and nothing else. */
function parseReport(run: Run): Report {
  const text = run.stdout.trim()
  expect(text.startsWith('{') && text.endsWith('}'), `stdout is not pure JSON:\n${run.stdout.slice(0, 500)}`).toBe(true)
  return JSON.parse(text) as Report
}

const text = (e: ReportEntry): string => [e.summary, ...(e.details ?? [])].join('\n')
const brief = (e: ReportEntry) => ({id: e.id, status: e.status, summary: e.summary, details: e.details, hint: e.hint})

describe.skipIf(!ENDPOINT)('validate against moto (e2e)', () => {
  let seeded: SeedResult
  /** The checks the seed broke in production, from seed.ts. */
  let failingChecks: string[] = []
  /** The checks that warn in production because of a breakage, from seed.ts. */
  let warningChecks: string[] = []
  let staging: Run
  let production: Run
  let stagingHuman: Run
  let productionHuman: Run
  /** `validate -e staging --only drift --compare production --json`. */
  let drift: Run
  let junit = ''
  /** moto gaps hit by this run: check id → why. */
  const gaps = new Map<string, string>()
  /** Registered checks the seed does not set up for. */
  let uncovered: string[] = []

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/commands/validate.js')))
      throw new Error('dist/ is missing: run `npm run build` before the e2e test.')
    workDir = mkdtempSync(join(tmpdir(), 'allthrive-e2e-'))
    healthServer = createServer((req, res) => {
      res
        .writeHead(req.url?.endsWith('/api/health/') ? 200 : 404, {'content-type': 'application/json'})
        .end('{"status":"ok"}')
    })
    await new Promise<void>((resolve) => healthServer!.listen(0, '127.0.0.1', resolve))
    // Only the health URL differs from the naming convention (see HEALTH_URL).
    const config = {
      environments: Object.fromEntries(['staging', 'production'].map((env) => [env, {healthUrl: HEALTH_URL(env)}])),
    }
    writeFileSync(join(workDir, 'allthrive.config.json'), `${JSON.stringify(config, null, 2)}\n`)
    const {seed, PRODUCTION_FAILING_CHECKS, PRODUCTION_WARNING_CHECKS} = await import('./seed.js')
    failingChecks = [...PRODUCTION_FAILING_CHECKS]
    warningChecks = [...PRODUCTION_WARNING_CHECKS]
    seeded = await seed({endpoint: ENDPOINT!, log: () => {}})
    // Every check of the registry (dist/ is bundled from the same sources: npm run test:e2e builds first).
    const {CHECK_IDS} = await import('../../src/checks/index.js')
    const only = FULL_SET.filter((id) => CHECK_IDS.includes(id))
    uncovered = CHECK_IDS.filter((id) => !FULL_SET.includes(id))
    const runAll = async (skip: string[]) => {
      const extra = ['--only', only.join(','), ...(skip.length > 0 ? ['--skip', skip.join(',')] : [])]
      const junitFile = join(workDir, 'reports', 'production.xml')
      rmSync(junitFile, {force: true})
      ;[staging, production, stagingHuman, productionHuman] = await Promise.all([
        cli(['validate', '-e', 'staging', '--json', ...extra]),
        cli(['validate', '-e', 'production', '--json', ...extra]),
        cli(['validate', '-e', 'staging', ...extra]),
        cli(['validate', '-e', 'production', '--junit', junitFile, ...extra]),
      ])
      junit = existsSync(junitFile) ? readFileSync(junitFile, 'utf8') : ''
    }

    const [, driftRun] = await Promise.all([
      runAll([]),
      CHECK_IDS.includes('drift')
        ? cli(['validate', '-e', 'staging', '--only', 'drift', '--compare', 'production', '--json'])
        : undefined,
    ])
    if (driftRun) drift = driftRun
    const entries = (run: Run): ReportEntry[] => {
      try {
        return (JSON.parse(run.stdout) as Report).checks ?? []
      } catch {
        return []
      }
    }

    for (const gap of MOTO_GAPS) {
      const hit = (run: Run) =>
        entries(run).find((c) => c.id === gap.check && c.status === 'error' && gap.shows.test(c.summary))
      if (hit(staging) || hit(production)) gaps.set(gap.check, gap.why)
    }

    if (gaps.size > 0) await runAll([...gaps.keys()])
  }, 180_000)

  afterAll(() => {
    healthServer?.close()
    if (workDir) rmSync(workDir, {recursive: true, force: true})
  })

  /** The report's entry for a check; skips the test when the check is not registered yet or hit a moto gap. */
  const entryOr = (report: Report, id: string, skip: (note?: string) => void): ReportEntry => {
    const gap = gaps.get(id)
    if (gap) skip(`moto gap: ${gap}`)
    const entry = report.checks.find((c) => c.id === id)
    if (!entry) skip(`check "${id}" is not registered in src/checks/index.ts yet`)
    return entry!
  }

  /** The check skipped, with the summary EXPECTED_SKIPS gives for it. */
  const expectSkippedByDesign = (entry: ReportEntry): void => {
    expect(brief(entry)).toMatchObject({status: 'skip'})
    expect(entry.summary).toMatch(EXPECTED_SKIPS[entry.id])
  }

  describe('staging (healthy)', () => {
    it('exits 0 with pure JSON on stdout and nothing on stderr', () => {
      expect({code: staging.code, stderr: staging.stderr}).toEqual({code: 0, stderr: ''})
      parseReport(staging)
    })

    it('reports ok for staging in us-east-1, account 123456789012, every registered check passing (or skipping by design)', () => {
      const report = parseReport(staging)
      expect(report).toMatchObject({ok: true, environment: 'staging', region: 'us-east-1', accountId: '123456789012'})
      expect(report.checks.filter((c) => !healthy(c) && !skippedByDesign(c)).map(brief)).toEqual([])
      expect(report.apiCalls).toBeGreaterThan(0)
    })

    for (const id of FULL_SET) {
      const skips = EXPECTED_SKIPS[id]
      it(skips ? `${id} skips by design` : `${id} passes`, ({skip}) => {
        const entry = entryOr(parseReport(staging), id, skip)
        if (skips) expectSkippedByDesign(entry)
        else expect(healthy(entry), JSON.stringify(brief(entry))).toBe(true)
        expect(entry.durationMs).toBeGreaterThanOrEqual(0)
      })
    }

    it('prints a human report with a healthy verdict and nothing on stderr', () => {
      expect({code: stagingHuman.code, stderr: stagingHuman.stderr}).toEqual({code: 0, stderr: ''})
      expect(stagingHuman.stdout).toMatch(/staging \(us-east-1, account 123456789012\) is healthy/)
    })
  })

  describe('production (broken on purpose)', () => {
    it('exits 1 with pure JSON on stdout and nothing on stderr', () => {
      expect({code: production.code, stderr: production.stderr}).toEqual({code: 1, stderr: ''})
      parseReport(production)
    })

    it('fails exactly the checks the seed broke, and no check errors', () => {
      const report = parseReport(production)
      // Checks run: registered, and not left out for a moto gap.
      const registered = report.checks.map((c) => c.id)
      expect(report).toMatchObject({ok: false, environment: 'production', region: 'us-east-1'})
      expect(
        report.checks.filter((c) => c.status === 'error').map(brief),
        'checks that could not run against moto',
      ).toEqual([])
      expect(Object.keys(PRODUCTION_FINDINGS).sort(), "PRODUCTION_FINDINGS and the seed's BREAKAGES disagree").toEqual(
        failingChecks,
      )
      expect(
        Object.keys(PRODUCTION_WARNINGS).sort(),
        "PRODUCTION_WARNINGS and the warns of the seed's BREAKAGES disagree",
      ).toEqual(warningChecks)
      expect(
        report.checks
          .filter((c) => c.status === 'fail')
          .map((c) => c.id)
          .sort(),
      ).toEqual(failingChecks.filter((id) => registered.includes(id)))
      expect(report.counts.fail).toBe(failingChecks.filter((id) => registered.includes(id)).length)
    })

    for (const id of FULL_SET) {
      const fails = PRODUCTION_FINDINGS[id]
      const warns = PRODUCTION_WARNINGS[id]
      const skips = EXPECTED_SKIPS[id]
      const title = fails
        ? `${id} fails and names the broken resource`
        : warns
          ? `${id} warns about the consequence`
          : skips
            ? `${id} skips by design`
            : `${id} passes`
      it(title, ({skip}) => {
        const entry = entryOr(parseReport(production), id, skip)
        if (skips) return expectSkippedByDesign(entry)
        if (!fails && !warns) {
          expect(healthy(entry), JSON.stringify(brief(entry))).toBe(true)
          return
        }

        expect(brief(entry)).toMatchObject({status: fails ? 'fail' : 'warn'})
        for (const pattern of fails ?? warns) expect(text(entry)).toMatch(pattern)
        expect(entry.hint, `${id} gives no hint`).toBeTruthy()
      })
    }

    it('prints a human verdict naming the failed checks, and writes JUnit with one failure per failed check', () => {
      expect({code: productionHuman.code, stderr: productionHuman.stderr}).toEqual({code: 1, stderr: ''})
      const failed = parseReport(production)
        .checks.filter((c) => c.status === 'fail')
        .map((c) => c.id)
      expect(productionHuman.stdout).toContain(
        `production (us-east-1, account 123456789012) is NOT healthy — failed: ${failed.join(', ')}`,
      )
      expect(junit).toContain(`failures="${failed.length}"`)
      expect(junit.match(/<failure /g) ?? []).toHaveLength(failed.length)
    })
  })

  describe('served certificates and the CloudFront edge (what the environment serves, no guessed domains)', () => {
    type Served = {servedBy: string; result: string; daysLeft: number | null; names: string[]}
    type Data = {certificates: Served[]; domains: {name: string; source: string}[]}
    const servedOf = (report: Report, skip: (note?: string) => void) =>
      entryOr(report, 'certificates', skip).data as Data

    it('staging: judges the ALB default and SNI and the CloudFront viewer certificates, learning domains', ({skip}) => {
      const data = servedOf(parseReport(staging), skip)
      expect(data.certificates.map((c) => c.servedBy.replace(/CloudFront \w+/, 'CloudFront'))).toEqual([
        'ALB staging-allthrive-alb HTTPS:443 (default)',
        'ALB staging-allthrive-alb HTTPS:443 (SNI)',
        'CloudFront (viewer)',
      ])
      expect(data.certificates.every((c) => c.result === 'pass')).toBe(true)
      expect(data.domains).toEqual(
        expect.arrayContaining([
          {name: 'staging.allthrive.ai', source: 'cloudfront-alias'},
          {name: 'api.staging.allthrive.ai', source: 'certificate'},
        ]),
      )
      expect(data.domains.map((d) => d.name)).not.toContain('allthrive.ai')
    })

    it('production: fails the served CloudFront certificate (5 days); 200-day ones cover its names', ({skip}) => {
      const data = servedOf(parseReport(production), skip)
      const viewer = data.certificates.find((c) => c.servedBy.startsWith('CloudFront'))!
      expect(viewer).toMatchObject({result: 'fail', names: ['allthrive.ai', '*.allthrive.ai']})
      expect(viewer.daysLeft).toBeLessThanOrEqual(5)
      const alb = data.certificates.find((c) => c.servedBy.endsWith('(default)'))!
      expect(alb).toMatchObject({result: 'pass', names: ['*.allthrive.ai']})
      expect(alb.daysLeft).toBeGreaterThan(190)
    })

    it("cloudfront: finds each environment's distribution by its Environment tag, not the other's", ({skip}) => {
      for (const [env, run] of [
        ['staging', staging],
        ['production', production],
      ] as const) {
        const entry = entryOr(parseReport(run), 'cloudfront', skip)
        const {distributionId} = seeded.environments[env]
        expect(entry.data).toMatchObject({id: distributionId, foundBy: `tag Environment=${env}`})
      }
    })
  })

  describe('drift (staging --compare production)', () => {
    const entry = (skip: (note?: string) => void): ReportEntry => {
      if (!drift) skip('check "drift" is not registered in src/checks/index.ts yet')
      return entryOr(parseReport(drift), 'drift', skip)
    }

    it('exits 0 (drift only warns) with pure JSON on stdout and nothing on stderr', ({skip}) => {
      if (!drift) skip('check "drift" is not registered in src/checks/index.ts yet')
      expect({code: drift.code, stderr: drift.stderr}).toEqual({code: 0, stderr: ''})
      expect(parseReport(drift).checks.map((c) => c.id)).toEqual(['drift'])
    })

    it('warns about the one seeded difference: STRIPE_SECRET_KEY is a key of stripe/credentials in staging only', ({
      skip,
    }) => {
      const e = entry(skip)
      expect(brief(e)).toMatchObject({status: 'warn', summary: 'staging vs production: 1 difference (1 secret key)'})
      expect(e.details?.[0]).toBe('secret stripe/credentials: key STRIPE_SECRET_KEY only in staging')
      expect(e.data).toMatchObject({
        environment: 'staging',
        compare: 'production',
        differences: [
          {id: 'secret:stripe/credentials:STRIPE_SECRET_KEY', kind: 'secret-key', onlyIn: 'staging', status: 'warn'},
        ],
        allowed: [],
      })
      expect(e.hint).toMatch(/drift\.allow/)
      // Names the secret and how to list its keys, never how to print its values.
      expect(e.hint).toContain('--secret-id production/allthrive/stripe/credentials')
      expect(e.hint).toContain('jq keys')
    })
  })

  it('covers every registered check', ({skip}) => {
    if (uncovered.length > 0) skip(`registered, but the seed does not set them up, so not run: ${uncovered.join(', ')}`)
  })

  it('never prints a secret value, in any output', () => {
    const values = Object.values(seeded.environments).flatMap((e) => e.secretValues)
    const outputs = [staging, production, stagingHuman, productionHuman, drift]
      .filter(Boolean)
      .flatMap((r) => [r.stdout, r.stderr])
      .concat(junit)
      .join('\n')
    expect(values.length).toBeGreaterThan(0)
    expect(values.filter((v) => outputs.includes(v))).toEqual([])
  })
})

/**
 * Discovery against the seed's demo environment (seed.ts DEMO): found only in the account, cluster
 * `allthriveai-demo`, five services (the fifth down), one shared log group. Runs after the suite
 * above, which seeds the emulator and sets up the working directory.
 */
describe.skipIf(!ENDPOINT)('discovery against moto (e2e)', () => {
  // The suite above removed its working directory: a fresh one, with no configuration file.
  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'allthrive-e2e-discovery-'))
  })
  afterAll(() => {
    if (workDir) rmSync(workDir, {recursive: true, force: true})
  })

  const json = <T>(run: Run): T => {
    expect(run.code, run.stderr).toBe(0)
    return JSON.parse(run.stdout) as T
  }

  it('lists the demo environment as found by its cluster name and tags', async () => {
    const out = json<{environments: {name: string; foundBy: string[]; clusters: string[]}[]}>(
      await cli(['environments', '--json']),
    )
    expect(out.environments).toContainEqual({
      name: 'demo',
      foundBy: ['cluster name', 'tags'],
      clusters: ['allthriveai-demo'],
    })
    expect(out.environments.map((e) => e.name)).toEqual(['production', 'staging', 'demo'])
  })

  it('config show resolves the other cluster name, five services, their containers and the shared log group', async () => {
    const {DEMO} = await import('./seed.js')
    const out = json<{
      cluster: string
      services: {key: string; name: string; container: string; logGroup: string; logStreamPrefix?: string}[]
    }>(await cli(['config', 'show', '-e', 'demo', '--json']))
    expect(out.cluster).toBe(DEMO.cluster)
    expect(out.services.map((s) => [s.key, s.name, s.container, s.logGroup, s.logStreamPrefix])).toEqual(
      Object.entries(DEMO.services).map(([key, container]) => [
        key,
        `${DEMO.cluster}-${key}`,
        container,
        DEMO.logGroup,
        'ecs',
      ]),
    )
  })

  it('validate judges every service: the fifth, down, fails ecs-services alone; errors are read per stream prefix', async () => {
    const run = await cli(['validate', '-e', 'demo', '--only', 'ecs-services,cloudwatch-errors', '--json'])
    expect(run.code).toBe(1)
    const report = parseReport(run)
    const services = report.checks.find((c) => c.id === 'ecs-services')!
    expect(services).toMatchObject({status: 'fail', summary: '1 of 5 services failing: celery-ai'})
    expect(report.checks.find((c) => c.id === 'cloudwatch-errors')).toMatchObject({status: 'pass'})
  })

  it('logs tail reads the fifth service by its short name: only its own streams of the shared group', async () => {
    const {DEMO} = await import('./seed.js')
    const run = await cli(['logs', 'tail', 'celery-ai', '-e', 'demo', '--since', '1h', '--json'])
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {service: string; group: string; stream: string; message: string})
    expect(run.code, run.stderr).toBe(0)
    expect(lines.map((l) => [l.service, l.group, l.message])).toEqual([
      ['celery-ai', DEMO.logGroup, DEMO.line('celery-ai')],
    ])
    expect(lines[0].stream).toMatch(/^ecs\/worker\//)
  })

  it('refuses an environment the account does not have, listing those it has (exit 2)', async () => {
    const run = await cli(['config', 'show', '-e', 'demoo'])
    expect(run.code).toBe(2)
    expect(run.stderr.replaceAll(/\s*\n ›\s+/g, ' ')).toContain('Known environments: production, staging, demo.')
  })
})
