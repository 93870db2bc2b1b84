#!/usr/bin/env node
/**
 * Start-up and end-to-end figures, side by side in one run:
 *   bare node (`node -e 0`), `allthrive --version`, loading validate (`validate --only <no such check>`:
 *   loads the command and all it imports, parses, exits 2 before any AWS call; an unknown environment is
 *   no longer a load-only measure, since it is looked for in the account), `validate --help`,
 *   then a full `validate` against a local emulator (moto), its critical path of API calls (--debug), and a
 *   sequential AWS CLI script that checks less (one process per call, as the old `make aws-validate` did).
 *
 *   bash scripts/moto.sh start && npm run build
 *   export AWS_ENDPOINT_URL=http://127.0.0.1:5055 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
 *   npm run seed:e2e && npm run bench [-- --runs 7]
 *
 * Without AWS_ENDPOINT_URL only the start-up figures are taken. validate's health check calls a server of
 * the bench on 127.0.0.1 (a configuration file passed with ALLTHRIVE_CONFIG): nothing leaves the machine.
 * Raw figures go to .bench/ (git-ignored). Figures, not assertions: nothing here fails on a slow run.
 *
 * Options:
 *   --runs N           timed runs of validate (default 7)
 *   --startup-runs N   timed runs of each start-up measure (default 15)
 *   --environment E    environment (default $ALLTHRIVE_ENVIRONMENT, else staging); -e E also works
 *   --aws-runs N       timed runs of the AWS CLI script (default 3; 0 skips it)
 *   --no-aws           skip the AWS CLI comparison
 *   -- ARGS            more validate arguments, e.g. -- --skip rds
 */
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {cpus, tmpdir} from 'node:os'
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
      'startup-runs': {type: 'string', default: '15'},
      environment: {type: 'string', short: 'e'},
      'aws-runs': {type: 'string', default: '3'},
      'no-aws': {type: 'boolean', default: false},
      help: {type: 'boolean', short: 'h', default: false},
    },
  })
} catch (error) {
  usageError(
    `${error.message}\nUsage: node scripts/bench.mjs [--runs N] [--startup-runs N] [--environment E] [--aws-runs N] [--no-aws] [-- validate args]`,
  )
}

const args = parsed.values
/** Arguments after `--`, passed on to validate. */
const extra = parsed.positionals

if (args.help) {
  console.log(
    'Usage: AWS_ENDPOINT_URL=http://127.0.0.1:5055 node scripts/bench.mjs [--runs N] [--startup-runs N] [--environment E] [--aws-runs N] [--no-aws] [-- validate args]',
  )
  process.exit(0)
}

const positiveInt = (value, name, min) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) usageError(`--${name} must be a whole number ≥ ${min}, got "${value}".`)
  return n
}

const runs = positiveInt(args.runs, 'runs', 1)
const startupRuns = positiveInt(args['startup-runs'], 'startup-runs', 1)
const awsRuns = args['no-aws'] ? 0 : positiveInt(args['aws-runs'], 'aws-runs', 0)
const environment = args.environment ?? process.env.ALLTHRIVE_ENVIRONMENT ?? 'staging'
const endpoint = process.env.AWS_ENDPOINT_URL

if (!existsSync(join(ROOT, 'dist', 'commands', 'validate.js')))
  usageError('dist/ is missing: run `npm run build` first.')

// The emulator's account; real keys are never needed (nor wanted) here.
const childEnv = {
  ...process.env,
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
  AWS_PAGER: '',
  NO_COLOR: '1',
}
for (const name of Object.keys(childEnv)) if (name.startsWith('ALLTHRIVE_')) delete childEnv[name]

/** Runs a process to completion; resolves {code, stdout, stderr, ms}. */
function timed(command, argv, env = childEnv) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(command, argv, {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
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

/** validate's environment: the emulator, and a configuration whose health URL is the bench's loopback server. */
let validateEnv = childEnv

async function validateOnce() {
  const r = await timed(
    process.execPath,
    [join(ROOT, 'bin', 'run.js'), 'validate', '-e', environment, '--json', ...extra],
    validateEnv,
  )
  let report
  try {
    report = JSON.parse(r.stdout)
  } catch {
    console.error(
      `bench: validate exited ${r.code} without a JSON report.\n--- stdout\n${r.stdout.slice(0, 2000)}\n--- stderr\n${r.stderr.slice(0, 2000)}`,
    )
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
    ...['ai/api-keys', 'oauth/credentials', 'stripe/credentials', 'database', 'app'].map((s) => [
      'secretsmanager',
      'describe-secret',
      '--secret-id',
      `${env}/allthrive/${s}`,
    ]),
    [
      'ecs',
      'describe-services',
      '--cluster',
      `${p}-cluster`,
      '--services',
      ...['web', 'celery', 'celery-beat', 'weaviate'].map((s) => `${p}-${s}`),
    ],
    ['acm', 'list-certificates'],
    [
      'logs',
      'filter-log-events',
      '--log-group-name',
      `/ecs/${p}-web`,
      '--filter-pattern',
      'ERROR',
      '--start-time',
      since,
    ],
  ]
}

async function awsOnce(calls) {
  const started = process.hrtime.bigint()
  let failed = 0
  for (const call of calls) {
    const r = await timed('aws', [
      ...call,
      '--endpoint-url',
      endpoint,
      '--region',
      childEnv.AWS_REGION,
      '--output',
      'json',
    ])
    if (r.code !== 0) failed++
  }

  return {ms: Number(process.hrtime.bigint() - started) / 1e6, failed}
}

// ---------------------------------------------------------------- start-up

const bin = join(ROOT, 'bin', 'run.js')
const configDir = mkdtempSync(join(tmpdir(), 'allthrive-bench-'))
const configFile = join(configDir, 'allthrive.config.json')
let healthServer
const healthPort = await new Promise((resolve) => {
  healthServer = createServer((req, res) =>
    res.writeHead(200, {'content-type': 'application/json'}).end('{"status":"ok"}'),
  )
  healthServer.listen(0, '127.0.0.1', () => resolve(healthServer.address().port))
})
const healthUrl = `http://127.0.0.1:${healthPort}/api/health/`
writeFileSync(
  configFile,
  `${JSON.stringify({environments: {staging: {healthUrl}, production: {healthUrl}}}, null, 2)}\n`,
)
validateEnv = {...childEnv, ALLTHRIVE_CONFIG: configFile}

const STARTUP = [
  {key: 'bare', label: 'bare node (node -e 0)', argv: ['-e', '0']},
  {key: 'version', label: 'allthrive --version', argv: [bin, '--version']},
  {
    key: 'load',
    label: 'load validate (--only no-such-check, exit 2)',
    argv: [bin, 'validate', '--only', 'no-such-check'],
    code: 2,
  },
  {
    key: 'loadConfig',
    label: '  the same, with a config file',
    argv: [bin, 'validate', '--only', 'no-such-check'],
    code: 2,
    env: validateEnv,
  },
  {key: 'help', label: 'validate --help', argv: [bin, 'validate', '--help']},
]

console.log(`node ${process.version}, ${cpus().length} CPUs`)
console.log(`start-up: ${startupRuns} runs of each, interleaved (after one untimed round)\n`)
const startup = Object.fromEntries(STARTUP.map((m) => [m.key, []]))
for (let round = -1; round < startupRuns; round++) {
  for (const m of STARTUP) {
    const r = await timed(process.execPath, m.argv, m.env)
    if (r.code !== (m.code ?? 0)) {
      console.error(`bench: ${m.label} exited ${r.code}, expected ${m.code ?? 0}:\n${r.stderr.slice(0, 1000)}`)
      process.exit(1)
    }

    if (round >= 0) startup[m.key].push(r.ms)
  }
}

const width0 = Math.max(...STARTUP.map((m) => m.label.length))
for (const m of STARTUP) console.log(`  ${m.label.padEnd(width0)}  ${spread(startup[m.key])}`)

// ---------------------------------------------------------------- validate

const results = []
let walls = []
let criticalPath = []
let perCheck = []
if (!endpoint) {
  console.log(
    '\nfull validate: skipped (AWS_ENDPOINT_URL is not set; the bench runs against a local emulator only, never a real account)',
  )
} else {
  console.log(
    `\nallthrive validate -e ${environment} --json${extra.length ? ` ${extra.join(' ')}` : ''} against ${endpoint}; 1 warm-up run, then ${runs} timed\n`,
  )
  await validateOnce()
  for (let i = 0; i < runs; i++) {
    const r = await validateOnce()
    results.push(r)
    process.stdout.write(
      `  run ${i + 1}/${runs}: ${ms(r.ms)} (exit ${r.code}, ${r.report.apiCalls ?? '?'} API calls, in-process ${ms(r.report.durationMs)})\n`,
    )
  }

  walls = results.map((r) => r.ms)
  const inProcess = results.map((r) => r.report.durationMs)
  const apiCalls = results.map((r) => r.report.apiCalls).filter((n) => typeof n === 'number')
  console.log(`\nwall time        ${spread(walls)}`)
  console.log(`report duration  ${spread(inProcess)}  (checks only, without node start-up)`)
  console.log(
    `API calls        ${apiCalls.length ? (Math.min(...apiCalls) === Math.max(...apiCalls) ? apiCalls[0] : `${median(apiCalls)} median (${Math.min(...apiCalls)}-${Math.max(...apiCalls)})`) : 'not reported'}`,
  )

  const ids = results[0].report.checks.map((c) => c.id)
  perCheck = ids.map((id) => {
    const entries = results.map((r) => r.report.checks.find((c) => c.id === id)).filter(Boolean)
    const statuses = [...new Set(entries.map((e) => e.status))]
    return {
      id,
      medianMs: median(entries.map((e) => e.durationMs)),
      minMs: Math.min(...entries.map((e) => e.durationMs)),
      maxMs: Math.max(...entries.map((e) => e.durationMs)),
      statuses,
    }
  })
  console.log('\nper check (durationMs, median of runs)')
  const width = Math.max(...ids.map((id) => id.length))
  for (const c of perCheck)
    console.log(
      `  ${c.id.padEnd(width)}  ${String(Math.round(c.medianMs)).padStart(6)} ms  (${c.minMs}-${c.maxMs})  ${c.statuses.join('/')}`,
    )

  // Without --json: oclif keeps stderr quiet in JSON mode.
  const debug = await timed(process.execPath, [bin, 'validate', '-e', environment, '--debug', ...extra], validateEnv)
  criticalPath = debug.stderr
    .split('\n')
    .filter((l) => /^\[debug\] (critical path| {2})/.test(l))
    .map((l) => l.replace(/^\[debug\] /, ''))
  console.log(`\ncritical path of API calls (one --debug run)\n${criticalPath.map((l) => `  ${l.trim()}`).join('\n')}`)
}

// ---------------------------------------------------------------- AWS CLI comparison

let aws
let awsWalls = []
if (!endpoint) {
  aws = {skipped: 'no emulator'}
} else if (awsRuns === 0) {
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
    console.log(
      `\nAWS CLI comparison: ${calls.length} sequential \`aws\` calls (${version}), fewer checks (existence and a few settings), ${awsRuns} run(s)`,
    )
    const awsResults = []
    for (let i = 0; i < awsRuns; i++) {
      const r = await awsOnce(calls)
      awsResults.push(r)
      console.log(`  run ${i + 1}/${awsRuns}: ${ms(r.ms)}${r.failed ? ` (${r.failed} call(s) exited non-zero)` : ''}`)
    }

    awsWalls = awsResults.map((r) => r.ms)
    console.log(`aws script       ${spread(awsWalls)}`)
    aws = {version, calls: calls.length, runs: awsResults}
  }
}

// ---------------------------------------------------------------- side by side

const bare = median(startup.bare)
const row = (label, value, note = '') => console.log(`  ${label.padEnd(40)} ${value.padStart(9)}  ${note}`)
console.log(`\nside by side (median wall time; node ${process.version})`)
row('bare node (node -e 0)', ms(bare))
row(
  'allthrive --version',
  ms(median(startup.version)),
  `${(median(startup.version) / bare).toFixed(1)}x bare node (target <= 2x)`,
)
row(
  'load validate',
  ms(median(startup.load)),
  `+${Math.round(median(startup.load) - bare)} ms over bare node (target <= +150 ms)`,
)
row(
  'load validate, with a config file',
  ms(median(startup.loadConfig)),
  `+${Math.round(median(startup.loadConfig) - bare)} ms over bare node`,
)
row('validate --help', ms(median(startup.help)), `+${Math.round(median(startup.help) - bare)} ms over bare node`)
if (walls.length > 0) {
  const n = results[0].report.checks.length
  row(`full validate -e ${environment} (${n} checks)`, ms(median(walls)), criticalPath[0] ?? '')
}

if (awsWalls.length > 0 && walls.length > 0) {
  const ratio = median(awsWalls) / median(walls)
  row(
    `AWS CLI script (${aws.calls} sequential calls)`,
    ms(median(awsWalls)),
    `validate is ${ratio.toFixed(1)}x faster (target >= 25x)`,
  )
} else {
  row('AWS CLI script', '-', `not run (${aws.skipped})`)
}

healthServer.close()

// ---------------------------------------------------------------- raw figures

const outDir = join(ROOT, '.bench')
mkdirSync(outDir, {recursive: true})
const file = join(outDir, `validate-${environment}-${new Date().toISOString().replaceAll(':', '-')}.json`)
writeFileSync(
  file,
  `${JSON.stringify({environment, extraArgs: extra, endpoint, node: process.version, startup, criticalPath, runs: results.map((r) => ({ms: r.ms, code: r.code, apiCalls: r.report.apiCalls, durationMs: r.report.durationMs, checks: r.report.checks.map((c) => ({id: c.id, status: c.status, durationMs: c.durationMs}))})), perCheck, aws}, null, 2)}\n`,
)
console.log(`\nraw figures: ${file}`)
