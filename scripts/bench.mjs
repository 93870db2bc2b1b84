#!/usr/bin/env node
/**
 * Times `allthrive validate` end to end against a local emulator (moto).
 *
 *   scripts/moto.sh start && npm run build
 *   AWS_ENDPOINT_URL=http://127.0.0.1:5055 npx tsx test/e2e/seed.ts
 *   AWS_ENDPOINT_URL=http://127.0.0.1:5055 node scripts/bench.mjs [--runs 7] [--environment staging]
 *
 * Runs `node bin/run.js validate -e <env> --json` N times (after one untimed warm-up run)
 * and prints the median/min/max wall time, the report's apiCalls and each check's median
 * durationMs. For comparison it times a sequential AWS CLI script that checks less (one
 * process per call, as the old `make aws-validate` did), when `aws` is installed.
 * Raw figures go to .bench/ (git-ignored). Figures, not assertions: nothing here fails on
 * a slow run.
 *
 * Options:
 *   --runs N          timed runs of validate (default 7)
 *   --environment E   environment (default $ENVIRONMENT, else staging); -e E also works
 *   --aws-runs N      timed runs of the AWS CLI script (default 3; 0 skips it)
 *   --no-aws          skip the AWS CLI comparison
 *   -- ARGS           more validate arguments, e.g. -- --skip rds
 */
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {cpus} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

function usageError(message) {
  console.error(`bench: ${message}`)
  process.exit(2)
}

let parsed
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      runs: {type: 'string', default: '7'},
      environment: {type: 'string', short: 'e'},
      'aws-runs': {type: 'string', default: '3'},
      'no-aws': {type: 'boolean', default: false},
      help: {type: 'boolean', short: 'h', default: false},
    },
  })
} catch (error) {
  usageError(`${error.message}\nUsage: node scripts/bench.mjs [--runs N] [--environment E] [--aws-runs N] [--no-aws] [-- validate args]`)
}

const args = parsed.values
/** Arguments after `--`, passed on to validate. */
const extra = parsed.positionals

if (args.help) {
  console.log('Usage: AWS_ENDPOINT_URL=http://127.0.0.1:5055 node scripts/bench.mjs [--runs N] [--environment E] [--aws-runs N] [--no-aws] [-- validate args]')
  process.exit(0)
}

const positiveInt = (value, name, min) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) usageError(`--${name} must be a whole number ≥ ${min}, got "${value}".`)
  return n
}

const runs = positiveInt(args.runs, 'runs', 1)
const awsRuns = args['no-aws'] ? 0 : positiveInt(args['aws-runs'], 'aws-runs', 0)
const environment = args.environment ?? process.env.ENVIRONMENT ?? 'staging'
const endpoint = process.env.AWS_ENDPOINT_URL

if (!endpoint) {
  usageError(
    'AWS_ENDPOINT_URL is not set. The bench runs against a local emulator only, never a real account:\n' +
      '  scripts/moto.sh start\n' +
      '  export AWS_ENDPOINT_URL=http://127.0.0.1:5055\n' +
      '  npx tsx test/e2e/seed.ts      # staging healthy, production broken\n' +
      '  node scripts/bench.mjs',
  )
}

if (!existsSync(join(ROOT, 'dist', 'commands', 'validate.js'))) usageError('dist/ is missing: run `npm run build` first.')

// The emulator's account; real keys are never needed (nor wanted) here.
const childEnv = {
  ...process.env,
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
  AWS_PAGER: '',
  NO_COLOR: '1',
}
delete childEnv.ALLTHRIVE_DEBUG

/** Runs a process to completion; resolves {code, stdout, stderr, ms}. */
function timed(command, argv) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(command, argv, {cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6}))
  })
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

const ms = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`)
const spread = (xs) => `median ${ms(median(xs))}  min ${ms(Math.min(...xs))}  max ${ms(Math.max(...xs))}`

async function validateOnce() {
  const r = await timed(process.execPath, [join(ROOT, 'bin', 'run.js'), 'validate', '-e', environment, '--json', ...extra])
  let report
  try {
    report = JSON.parse(r.stdout)
  } catch {
    console.error(`bench: validate exited ${r.code} without a JSON report.\n--- stdout\n${r.stdout.slice(0, 2000)}\n--- stderr\n${r.stderr.slice(0, 2000)}`)
    process.exit(1)
  }

  // 0 healthy, 1 unhealthy: both are a complete run worth timing. 2 means nothing was checked.
  if (r.code !== 0 && r.code !== 1) {
    console.error(`bench: validate exited ${r.code}:\n${r.stderr.slice(0, 2000)}`)
    process.exit(1)
  }

  if (r.stderr.trim()) console.error(`bench: note, validate wrote to stderr:\n${r.stderr.trim().slice(0, 1000)}`)
  return {ms: r.ms, code: r.code, report}
}

/** The sequential AWS CLI script: existence and a few settings only, one process per call. */
function awsScript(env) {
  const p = `${env}-allthrive`
  const since = String(Date.now() - 15 * 60_000)
  return [
    ['rds', 'describe-db-instances', '--db-instance-identifier', `${p}-db`],
    ['elasticache', 'describe-replication-groups', '--replication-group-id', `${p}-redis`],
    ...['frontend', 'media', 'backups'].map((b) => ['s3api', 'get-public-access-block', '--bucket', `${p}-${b}`]),
    ...['ai/api-keys', 'oauth/credentials', 'stripe/credentials', 'database', 'app'].map((s) => ['secretsmanager', 'describe-secret', '--secret-id', `${env}/allthrive/${s}`]),
    ['ecs', 'describe-services', '--cluster', `${p}-cluster`, '--services', ...['web', 'celery', 'celery-beat', 'weaviate'].map((s) => `${p}-${s}`)],
    ['acm', 'list-certificates'],
    ['logs', 'filter-log-events', '--log-group-name', `/ecs/${p}-web`, '--filter-pattern', 'ERROR', '--start-time', since],
  ]
}

async function awsOnce(calls) {
  const started = process.hrtime.bigint()
  let failed = 0
  for (const call of calls) {
    const r = await timed('aws', [...call, '--endpoint-url', endpoint, '--region', childEnv.AWS_REGION, '--output', 'json'])
    if (r.code !== 0) failed++
  }

  return {ms: Number(process.hrtime.bigint() - started) / 1e6, failed}
}

// ---------------------------------------------------------------- validate

console.log(`allthrive validate -e ${environment} --json${extra.length ? ` ${extra.join(' ')}` : ''} against ${endpoint}`)
console.log(`node ${process.version}, ${cpus().length} CPUs; 1 warm-up run, then ${runs} timed\n`)

await validateOnce()
const results = []
for (let i = 0; i < runs; i++) {
  const r = await validateOnce()
  results.push(r)
  process.stdout.write(`  run ${i + 1}/${runs}: ${ms(r.ms)} (exit ${r.code}, ${r.report.apiCalls ?? '?'} API calls, in-process ${ms(r.report.durationMs)})\n`)
}

const walls = results.map((r) => r.ms)
const inProcess = results.map((r) => r.report.durationMs)
const apiCalls = results.map((r) => r.report.apiCalls).filter((n) => typeof n === 'number')
console.log(`\nwall time        ${spread(walls)}`)
console.log(`report duration  ${spread(inProcess)}  (checks only, without node start-up)`)
console.log(`API calls        ${apiCalls.length ? (Math.min(...apiCalls) === Math.max(...apiCalls) ? apiCalls[0] : `${median(apiCalls)} median (${Math.min(...apiCalls)}-${Math.max(...apiCalls)})`) : 'not reported'}`)

const ids = results[0].report.checks.map((c) => c.id)
const perCheck = ids.map((id) => {
  const entries = results.map((r) => r.report.checks.find((c) => c.id === id)).filter(Boolean)
  const statuses = [...new Set(entries.map((e) => e.status))]
  return {id, medianMs: median(entries.map((e) => e.durationMs)), minMs: Math.min(...entries.map((e) => e.durationMs)), maxMs: Math.max(...entries.map((e) => e.durationMs)), statuses}
})
console.log('\nper check (durationMs, median of runs)')
const width = Math.max(...ids.map((id) => id.length))
for (const c of perCheck) console.log(`  ${c.id.padEnd(width)}  ${String(Math.round(c.medianMs)).padStart(6)} ms  (${c.minMs}-${c.maxMs})  ${c.statuses.join('/')}`)

// ---------------------------------------------------------------- AWS CLI comparison

let aws = {skipped: 'not run'}
if (awsRuns === 0) {
  console.log('\nAWS CLI comparison: skipped (--no-aws or --aws-runs 0)')
  aws = {skipped: 'disabled'}
} else {
  const probe = spawnSync('aws', ['--version'], {env: childEnv, encoding: 'utf8'})
  if (probe.error || probe.status !== 0) {
    console.log('\nAWS CLI comparison: skipped (`aws` is not installed)')
    aws = {skipped: 'aws not installed'}
  } else {
    const version = `${probe.stdout}${probe.stderr}`.trim().split(/\s+/)[0]
    const calls = awsScript(environment)
    console.log(`\nAWS CLI comparison: ${calls.length} sequential \`aws\` calls (${version}), fewer checks (existence and a few settings), ${awsRuns} run(s)`)
    const awsResults = []
    for (let i = 0; i < awsRuns; i++) {
      const r = await awsOnce(calls)
      awsResults.push(r)
      console.log(`  run ${i + 1}/${awsRuns}: ${ms(r.ms)}${r.failed ? ` (${r.failed} call(s) exited non-zero)` : ''}`)
    }

    const awsWalls = awsResults.map((r) => r.ms)
    console.log(`aws script       ${spread(awsWalls)}`)
    const ratio = median(awsWalls) / median(walls)
    const checks = `${ids.length} check${ids.length === 1 ? '' : 's'}`
    console.log(ratio >= 1
      ? `validate (${checks}) is ${ratio.toFixed(1)}x faster than the script (median wall time)`
      : `validate (${checks}) is ${(1 / ratio).toFixed(1)}x slower than the script (median wall time)`)
    aws = {version, calls: calls.length, runs: awsResults}
  }
}

// ---------------------------------------------------------------- raw figures

const outDir = join(ROOT, '.bench')
mkdirSync(outDir, {recursive: true})
const file = join(outDir, `validate-${environment}-${new Date().toISOString().replaceAll(':', '-')}.json`)
writeFileSync(file, `${JSON.stringify({environment, extraArgs: extra, endpoint, node: process.version, runs: results.map((r) => ({ms: r.ms, code: r.code, apiCalls: r.report.apiCalls, durationMs: r.report.durationMs, checks: r.report.checks.map((c) => ({id: c.id, status: c.status, durationMs: c.durationMs}))})), perCheck, aws}, null, 2)}\n`)
console.log(`\nraw figures: ${file}`)
