import {describe, expect, it} from 'vitest'

import {toJUnit} from '../../src/report/junit.js'
import {plainLine, renderReport} from '../../src/report/terminal.js'
import type {Report, ReportEntry} from '../../src/checks/report.js'
import {reportOf} from '../helpers/report.js'

const entry = (e: Partial<ReportEntry> & Pick<ReportEntry, 'id' | 'status' | 'summary'>): ReportEntry => ({
  title: `title ${e.id}`,
  required: true,
  durationMs: 120,
  ...e,
})

const report = (checks: ReportEntry[]): Report =>
  reportOf(checks, {timestamp: '2026-11-26T12:00:00.000Z', apiCalls: 17})

const mixed = report([
  entry({id: 'rds', status: 'pass', summary: 'staging-allthrive-db available', details: ['engine postgres 16.4']}),
  entry({
    id: 'certificates',
    status: 'warn',
    summary: 'allthrive.ai expires in 20 days',
    details: ['allthrive.ai: 20 days left'],
    hint: 'Check DNS validation',
  }),
  entry({
    id: 'ecs-services',
    status: 'fail',
    summary: '1 service not running',
    details: ['celery: running 0 of 1'],
    hint: 'allthrive logs tail celery -e staging',
    durationMs: 2345,
  }),
  entry({id: 's3', status: 'error', summary: 'check could not run: AccessDenied', hint: 'Grant s3:ListBucket'}),
  entry({id: 'redis', status: 'skip', summary: 'not configured'}),
])

describe('plain lines', () => {
  it('shows mark, status word, id, summary and duration', () => {
    expect(mixed.checks.map((c) => plainLine(c))).toEqual([
      '✔ PASS  rds                staging-allthrive-db available (120ms)',
      '⚠ WARN  certificates       allthrive.ai expires in 20 days (120ms)',
      '✖ FAIL  ecs-services       1 service not running (2.3s)',
      '✖ ERROR s3                 check could not run: AccessDenied (120ms)',
      '↓ SKIP  redis              not configured (120ms)',
    ])
  })
})

describe('report rendering', () => {
  it('details non-passing checks, then counts and a verdict naming what is broken', () => {
    expect(renderReport(mixed).join('\n')).toMatchInlineSnapshot(`
      "
      ⚠ certificates: allthrive.ai expires in 20 days
          • allthrive.ai: 20 days left
          → Check DNS validation
      ✖ ecs-services: 1 service not running
          • celery: running 0 of 1
          → allthrive logs tail celery -e staging
      ✖ s3: check could not run: AccessDenied
          → Grant s3:ListBucket

      5 checks: 1 passed, 1 warning, 1 failed, 1 errored, 1 skipped (1.2s)
      ✖ staging (us-east-1, account 123456789012) is NOT healthy — failed: ecs-services; could not check: s3"
    `)
  })

  it('shows details of passing checks with --verbose', () => {
    expect(renderReport(mixed, {verbose: true})).toContain('    • engine postgres 16.4')
    expect(renderReport(mixed)).not.toContain('    • engine postgres 16.4')
  })

  it('says healthy, with warnings, when nothing failed', () => {
    const r = report([
      entry({id: 'rds', status: 'pass', summary: 'ok'}),
      entry({id: 'certificates', status: 'warn', summary: 'soon'}),
    ])
    expect(renderReport(r).at(-1)).toBe('⚠ staging (us-east-1, account 123456789012) is healthy, with warnings')
    expect(renderReport(report([entry({id: 'rds', status: 'pass', summary: 'ok'})])).at(-1)).toBe(
      '✔ staging (us-east-1, account 123456789012) is healthy',
    )
  })
})

describe('long lines', () => {
  const hint = 'See why: allthrive logs tail web -e staging --since 15m; allthrive validate --only secrets -e staging'
  const detail =
    'GET https://staging.allthrive.ai/api/health/: HTTP 502 in 120ms, the load balancer found no healthy target'
  const long = report([
    entry({
      id: 'health',
      status: 'fail',
      summary: 'HTTP 502',
      details: [detail],
      hint,
    }),
  ])

  it('wraps details and hints at the width, one step of a hint per line, commands whole', () => {
    const lines = renderReport(long, {width: 60})
    for (const line of lines.slice(0, -1)) expect(line.length).toBeLessThanOrEqual(60)
    expect(lines.join('\n')).toMatchInlineSnapshot(`
      "
      ✖ health: HTTP 502
          • GET https://staging.allthrive.ai/api/health/: HTTP 502
            in 120ms, the load balancer found no healthy target
          → See why:
            allthrive logs tail web -e staging --since 15m
          → allthrive validate --only secrets -e staging

      1 check: 0 passed, 1 failed (1.2s)
      ✖ staging (us-east-1, account 123456789012) is NOT healthy — failed: health"
    `)
  })

  it('lists the steps of a hint one per line without a width too, and keeps details whole', () => {
    const lines = renderReport(long)
    expect(lines).toContain(`    • ${detail}`)
    expect(lines).toContain('    → See why: allthrive logs tail web -e staging --since 15m')
    expect(lines).toContain('    → allthrive validate --only secrets -e staging')
  })

  it('leaves the report itself (what --json prints) with whole strings', () => {
    renderReport(long, {width: 40})
    expect(JSON.parse(JSON.stringify(long)).checks[0].hint).toBe(hint)
  })
})

describe('JUnit', () => {
  it('writes one testcase per check with failure, error and skipped elements', () => {
    const xml = toJUnit(mixed)
    expect(xml).toContain(
      '<testsuites name="allthrive validate" tests="5" failures="1" errors="1" skipped="1" time="1.234">',
    )
    expect(xml).toContain('<testcase classname="allthrive.validate.staging" name="rds: title rds" time="0.120"/>')
    expect(xml).toContain(
      '<failure message="1 service not running" type="fail">celery: running 0 of 1\nHint: allthrive logs tail celery -e staging</failure>',
    )
    expect(xml).toContain(
      '<error message="check could not run: AccessDenied" type="error">Hint: Grant s3:ListBucket</error>',
    )
    expect(xml).toContain('<skipped message="not configured"/>')
    expect(xml).toContain('<system-out>WARNING: allthrive.ai expires in 20 days')
    expect(xml.match(/<testcase /g)).toHaveLength(5)
  })

  it('escapes markup and drops characters XML cannot hold', () => {
    const xml = toJUnit(report([entry({id: 'x', status: 'fail', summary: 'a <b> & "c" \u0007', details: ["it's"]})]))
    expect(xml).toContain('message="a &lt;b&gt; &amp; &quot;c&quot; "')
    expect(xml).toContain('it&apos;s')
  })
})
