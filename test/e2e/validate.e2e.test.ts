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
 * FULL_SET, are reported as skipped tests with the reason, not as failures.
 *
 * moto is not AWS. Where moto lacks something AWS documents, the checks are coded to AWS
 * and MOTO_GAPS below names the gap: a check that errors because of one is left out of
 * the runs the other assertions look at (`--skip`), and its own tests are skipped with
 * the reason. Once moto or the check stops tripping on it, the tests are strict again.
 */
import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Report, ReportEntry} from '../../src/checks/run-checks.js'
// Type only: the seed (and every SDK client it loads) is imported when the suite runs,
// so a test run without an emulator pays nothing for this file.
import type {SeedResult} from './seed.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ENDPOINT = process.env.AWS_ENDPOINT_URL

/** The checks the seed sets up for (staging passes each, production fails some). */
const FULL_SET = ['rds', 'redis', 's3', 'secrets', 'ecs-services', 'ecs-env', 'certificates', 'cloudwatch-errors']

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
 * summary they show. The rds check reads the CA expiry with rds:DescribeCertificates when
 * DescribeDBInstances has no CertificateDetails; moto has neither, so it warns
 * "CA expiry unknown" and keeps its other findings (Multi-AZ, backups, storage) checked.
 */
const MOTO_WARNINGS: Record<string, RegExp> = {
  rds: /^[a-z-]+-allthrive-db: CA expiry unknown$/,
}

/** Passed, or warned only for a known moto difference. */
const healthy = (c: ReportEntry): boolean => c.status === 'pass' || (c.status === 'warn' && Boolean(MOTO_WARNINGS[c.id]?.test(c.summary)))

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

let workDir = ''

/** Runs the built CLI in an empty directory (no allthrive.config.json), against the emulator only. */
function cli(args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {...process.env}
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'ENVIRONMENT', 'ALLTHRIVE_DEBUG', 'ALLTHRIVE_VERBOSE']) delete env[name]
  Object.assign(env, {
    AWS_ENDPOINT_URL: ENDPOINT,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    // No profile files: the run must not depend on the developer's ~/.aws.
    AWS_CONFIG_FILE: join(workDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
  })
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/run.js'), ...args], {cwd: workDir, env, timeout: 60_000}, (error, stdout, stderr) => {
      const code = error ? ((error as {code?: unknown}).code as number | null) : 0
      resolve({code: typeof code === 'number' ? code : null, stdout, stderr})
    })
  })
}

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
  let staging: Run
  let production: Run
  let stagingHuman: Run
  let productionHuman: Run
  let junit = ''
  /** moto gaps hit by this run: check id → why. */
  const gaps = new Map<string, string>()
  /** Registered checks the seed does not set up for. */
  let uncovered: string[] = []

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/commands/validate.js'))) throw new Error('dist/ is missing: run `npm run build` before the e2e test.')
    workDir = mkdtempSync(join(tmpdir(), 'allthrive-e2e-'))
    const {seed, PRODUCTION_FAILING_CHECKS} = await import('./seed.js')
    failingChecks = [...PRODUCTION_FAILING_CHECKS]
    seeded = await seed({endpoint: ENDPOINT!, log: () => {}})
    // The checks the built CLI has (what it runs), not the sources'.
    const {CHECK_IDS} = (await import(pathToFileURL(join(ROOT, 'dist/checks/index.js')).href)) as {CHECK_IDS: string[]}
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

    await runAll([])
    const entries = (run: Run): ReportEntry[] => {
      try {
        return (JSON.parse(run.stdout) as Report).checks ?? []
      } catch {
        return []
      }
    }

    for (const gap of MOTO_GAPS) {
      const hit = (run: Run) => entries(run).find((c) => c.id === gap.check && c.status === 'error' && gap.shows.test(c.summary))
      if (hit(staging) || hit(production)) gaps.set(gap.check, gap.why)
    }

    if (gaps.size > 0) await runAll([...gaps.keys()])
  }, 180_000)

  afterAll(() => {
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

  describe('staging (healthy)', () => {
    it('exits 0 with pure JSON on stdout and nothing on stderr', () => {
      expect({code: staging.code, stderr: staging.stderr}).toEqual({code: 0, stderr: ''})
      parseReport(staging)
    })

    it('reports ok for staging in us-east-1, account 123456789012, every registered check passing', () => {
      const report = parseReport(staging)
      expect(report).toMatchObject({ok: true, environment: 'staging', region: 'us-east-1', accountId: '123456789012'})
      expect(report.checks.filter((c) => !healthy(c)).map(brief)).toEqual([])
      expect(report.apiCalls).toBeGreaterThan(0)
    })

    for (const id of FULL_SET) {
      it(`${id} passes`, ({skip}) => {
        const entry = entryOr(parseReport(staging), id, skip)
        expect(healthy(entry), JSON.stringify(brief(entry))).toBe(true)
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
      expect(report.checks.filter((c) => c.status === 'error').map(brief), 'checks that could not run against moto').toEqual([])
      expect(Object.keys(PRODUCTION_FINDINGS).sort(), 'PRODUCTION_FINDINGS and the seed\'s BREAKAGES disagree').toEqual(failingChecks)
      expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort()).toEqual(failingChecks.filter((id) => registered.includes(id)))
      expect(report.counts.fail).toBe(failingChecks.filter((id) => registered.includes(id)).length)
    })

    for (const id of FULL_SET) {
      const patterns = PRODUCTION_FINDINGS[id]
      it(patterns ? `${id} fails and names the broken resource` : `${id} passes`, ({skip}) => {
        const entry = entryOr(parseReport(production), id, skip)
        if (!patterns) {
          expect(healthy(entry), JSON.stringify(brief(entry))).toBe(true)
          return
        }

        expect(brief(entry)).toMatchObject({status: 'fail'})
        for (const pattern of patterns) expect(text(entry)).toMatch(pattern)
        expect(entry.hint, `${id} gives no hint`).toBeTruthy()
      })
    }

    it('prints a human verdict naming the failed checks, and writes JUnit with one failure per failed check', () => {
      expect({code: productionHuman.code, stderr: productionHuman.stderr}).toEqual({code: 1, stderr: ''})
      const failed = parseReport(production).checks.filter((c) => c.status === 'fail').map((c) => c.id)
      expect(productionHuman.stdout).toContain(`production (us-east-1, account 123456789012) is NOT healthy — failed: ${failed.join(', ')}`)
      expect(junit).toContain(`failures="${failed.length}"`)
      expect(junit.match(/<failure /g) ?? []).toHaveLength(failed.length)
    })
  })

  it('covers every registered check', ({skip}) => {
    if (uncovered.length > 0) skip(`registered, but the seed does not set them up, so not run: ${uncovered.join(', ')}`)
  })

  it('never prints a secret value, in any output', () => {
    const values = Object.values(seeded.environments).flatMap((e) => e.secretValues)
    const outputs = [staging, production, stagingHuman, productionHuman].flatMap((r) => [r.stdout, r.stderr]).concat(junit).join('\n')
    expect(values.length).toBeGreaterThan(0)
    expect(values.filter((v) => outputs.includes(v))).toEqual([])
  })
})
