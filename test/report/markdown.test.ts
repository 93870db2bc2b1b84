import {describe, expect, it} from 'vitest'

import {cell, escapeMarkdown, toMarkdown} from '../../src/report/markdown.js'
import type {ReportEntry} from '../../src/checks/report.js'
import {reportOf} from '../helpers/report.js'

const entry = (e: Partial<ReportEntry> & Pick<ReportEntry, 'id' | 'status' | 'summary'>): ReportEntry => ({
  title: `${e.id} title`,
  required: true,
  durationMs: 10,
  ...e,
})

const mixed = reportOf([
  entry({id: 'rds', status: 'pass', summary: 'staging-allthrive-db available', details: ['note: 7-day backups']}),
  entry({
    id: 'secrets',
    status: 'fail',
    summary: '1 problem | in 5 secrets\nsecond line',
    title: 'Secrets exist',
    details: ['staging/allthrive/database: a placeholder DATABASE_URL', 'a line with ``` inside'],
    hint: 'aws secretsmanager put-secret-value --secret-id <id> --secret-string file://secret.json',
  }),
  entry({
    id: 'cloudwatch-errors',
    status: 'warn',
    summary: '3 errors in 15m',
    details: ['web: 3 × "Traceback"'],
    hint: 'allthrive logs tail web -e staging --since 15m',
  }),
  entry({
    id: 'redis',
    status: 'error',
    summary: 'check could not run: AccessDeniedException (HTTP 403)',
    hint: 'Grant elasticache:DescribeReplicationGroups',
  }),
  entry({id: 'drift', status: 'skip', summary: 'no --compare environment'}),
])

describe('escaping', () => {
  it('escapes Markdown and HTML so text renders as itself', () => {
    expect(escapeMarkdown('a|b *c* <id> [x](y) `z` ~s~ a&b \\')).toBe(
      String.raw`a\|b \*c\* \<id\> \[x\](y) \`z\` \~s\~ a\&b \\`,
    )
  })

  it('leaves underscores inside names alone but escapes those that could emphasise', () => {
    expect(escapeMarkdown('DJANGO_SETTINGS_MODULE _init_ __x__')).toBe(
      String.raw`DJANGO_SETTINGS_MODULE \_init\_ \_\_x\_\_`,
    )
  })

  it('keeps a table cell on one row', () => {
    expect(cell('a | b\nc\r\nd')).toBe(String.raw`a \| b<br>c<br>d`)
  })
})

describe('toMarkdown', () => {
  const md = toMarkdown(mixed)
  const lines = md.split('\n')

  it('opens with a heading, where and when, the verdict and the tally', () => {
    expect(lines.slice(0, 7)).toEqual([
      '## allthrive validate: staging',
      '',
      'Environment **staging** · region `us-east-1` · account `123456789012` · 2026-11-26T12:00:00Z · 5 checks in 1.2s',
      '',
      '**❌ staging is NOT healthy** — failed: `secrets`; could not check: `redis`',
      '',
      '1 passed · 1 warning · 1 failed · 1 errored · 1 skipped',
    ])
  })

  it('has one table row per check in report order, with escaped cells', () => {
    const start = lines.indexOf('| status | check | summary |')
    expect(lines.slice(start, start + 7)).toEqual([
      '| status | check | summary |',
      '| --- | --- | --- |',
      '| ✅ pass | `rds` | staging-allthrive-db available |',
      String.raw`| ❌ fail | ` + '`secrets`' + String.raw` | 1 problem \| in 5 secrets<br>second line |`,
      '| ⚠️ warn | `cloudwatch-errors` | 3 errors in 15m |',
      '| ❗ error | `redis` | check could not run: AccessDeniedException (HTTP 403) |',
      '| ⏭️ skip | `drift` | no --compare environment |',
    ])
  })

  it('details every check that needs attention, with its details in a fence that nothing closes, and its hint', () => {
    const details = md.slice(md.indexOf('### Details'))
    expect(details).toContain(
      [
        '#### ❌ `secrets` — Secrets exist',
        '',
        String.raw`1 problem \| in 5 secrets`,
        'second line',
        '',
        '````text',
        'staging/allthrive/database: a placeholder DATABASE_URL',
        'a line with ``` inside',
        '````',
        '',
        String.raw`**Next:** aws secretsmanager put-secret-value --secret-id \<id\> --secret-string file://secret.json`,
      ].join('\n'),
    )
    expect(details).toContain(
      '#### ⚠️ `cloudwatch-errors` — cloudwatch-errors title\n\n3 errors in 15m\n\n```text\nweb: 3 × "Traceback"\n```\n\n**Next:** allthrive logs tail web -e staging --since 15m',
    )
    expect(details).toContain(
      '#### ❗ `redis` — redis title\n\ncheck could not run: AccessDeniedException (HTTP 403)\n\n**Next:** Grant elasticache:DescribeReplicationGroups',
    )
    expect(details).not.toContain('`rds`')
    expect(details).not.toContain('`drift`')
    expect(md.endsWith('\n')).toBe(true)
  })

  it("shows passing checks' details with verbose", () => {
    expect(toMarkdown(mixed, {verbose: true})).toContain(
      '#### ✅ `rds` — rds title\n\nstaging-allthrive-db available\n\n```text\nnote: 7-day backups\n```',
    )
  })

  it('says healthy, with or without warnings, and has no details section when all pass', () => {
    const healthy = toMarkdown(reportOf([entry({id: 'rds', status: 'pass', summary: 'ok'})], {accountId: undefined}))
    expect(healthy).toContain('**✅ staging is healthy**')
    expect(healthy).toContain('Environment **staging** · region `us-east-1` · 2026-11-26T12:00:00Z · 1 check in 1.2s')
    expect(healthy).not.toContain('### Details')
    const warned = toMarkdown(
      reportOf([entry({id: 'rds', status: 'pass', summary: 'ok'}), entry({id: 'alb', status: 'warn', summary: 'w'})]),
    )
    expect(warned).toContain('**⚠️ staging is healthy, with warnings** — `alb`')
  })
})
