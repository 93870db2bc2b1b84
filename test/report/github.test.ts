import {describe, expect, it} from 'vitest'

import {annotations, escapeData, escapeProperty, onGitHubActions, workflowCommand} from '../../src/report/github.js'
import {countStatuses} from '../../src/checks/run-checks.js'
import type {Report, ReportEntry} from '../../src/checks/report.js'

const entry = (e: Partial<ReportEntry> & Pick<ReportEntry, 'id' | 'status' | 'summary'>): ReportEntry => ({
  title: e.id,
  required: true,
  durationMs: 1,
  ...e,
})
const reportOf = (checks: ReportEntry[]): Report => ({
  ok: false,
  environment: 'production',
  region: 'us-east-1',
  timestamp: '2026-11-26T12:00:00.000Z',
  durationMs: 1,
  counts: countStatuses(checks),
  checks,
})

describe('workflow command escaping (as @actions/core)', () => {
  it('escapes %, CR and LF in messages, in that order', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b')
    expect(escapeData('%0A')).toBe('%250A') // a literal "%0A" stays literal
  })

  it('also escapes : and , in property values', () => {
    expect(escapeProperty('ecs:env, 50%\n')).toBe('ecs%3Aenv%2C 50%25%0A')
  })

  it('builds ::command props::message', () => {
    expect(workflowCommand('error', {title: 'a:b,c'}, 'line 1\nline 2: x, y')).toBe(
      '::error title=a%3Ab%2Cc::line 1%0Aline 2: x, y',
    )
    expect(workflowCommand('notice', {}, 'm')).toBe('::notice::m')
  })
})

describe('annotations', () => {
  it('prints one ::error per failing or erroring check and one ::warning per warning, nothing for pass or skip', () => {
    const out = annotations(
      reportOf([
        entry({id: 'rds', status: 'pass', summary: 'ok', details: ['note']}),
        entry({
          id: 'ecs-services',
          status: 'fail',
          summary: '1 of 4 services unhealthy: celery',
          details: [
            'celery (production-allthrive-celery): running 0 of 1',
            'task 5f0c: TaskFailedToStart — 100% broken',
          ],
          hint: 'allthrive logs tail celery -e production --since 30m',
        }),
        entry({
          id: 'redis',
          status: 'error',
          summary: 'check could not run: AccessDeniedException (HTTP 403)',
          hint: 'Grant elasticache:DescribeReplicationGroups',
        }),
        entry({
          id: 'certificates',
          status: 'warn',
          summary: '1 certificate expires in 20 days',
          details: ['allthrive.ai: expires 2026-12-16'],
        }),
        entry({id: 'drift', status: 'skip', summary: 'no --compare environment'}),
      ]),
    )
    expect(out).toEqual([
      '::error title=ecs-services::1 of 4 services unhealthy: celery%0A• celery (production-allthrive-celery): running 0 of 1%0A• task 5f0c: TaskFailedToStart — 100%25 broken%0ANext: allthrive logs tail celery -e production --since 30m',
      '::error title=redis::check could not run: AccessDeniedException (HTTP 403)%0ANext: Grant elasticache:DescribeReplicationGroups',
      '::warning title=certificates::1 certificate expires in 20 days — allthrive.ai: expires 2026-12-16',
    ])
    for (const line of out) expect(line).not.toMatch(/[\r\n]/)
  })

  it('caps the details of one annotation and points to the full report', () => {
    const details = Array.from({length: 25}, (_, i) => `finding ${i + 1}`)
    const [line] = annotations(reportOf([entry({id: 'alarms', status: 'fail', summary: '25 alarms', details})]))
    expect(line).toContain('%0A• finding 20%0A… 5 more (see the job summary or --json)')
    expect(line).not.toContain('finding 21')
  })
})

describe('onGitHubActions', () => {
  it('is true only when GITHUB_ACTIONS is "true"', () => {
    expect(onGitHubActions({GITHUB_ACTIONS: 'true'})).toBe(true)
    expect(onGitHubActions({CI: 'true'})).toBe(false)
    expect(onGitHubActions({GITHUB_ACTIONS: 'false'})).toBe(false)
  })
})
