import ansis from 'ansis'
import {describe, expect, it} from 'vitest'

import type {ReportEntry} from '../../src/checks/report.js'
import {formatLine, toJsonLine} from '../../src/lib/logs/format.js'
import {annotations} from '../../src/report/github.js'
import {toMarkdown} from '../../src/report/markdown.js'
import {plainLine, renderReport} from '../../src/report/terminal.js'
import {safeLine, safeText} from '../../src/util/safe-text.js'
import {reportOf} from '../helpers/report.js'

/** An OSC 52 clipboard write and a screen clear, as a hostile log event carries them. */
const HOSTILE = 'ok \u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007 then \u001b[2J\u001b[H cleared'

describe('safeText', () => {
  it('shows escape sequences instead of sending them', () => {
    expect(safeText(HOSTILE)).toBe(String.raw`ok \x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07 then \x1b[2J\x1b[H cleared`)
    // eslint-disable-next-line no-control-regex
    expect(safeText(HOSTILE)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/)
  })

  it('keeps tabs and line breaks in multi-line text, not in one-line fields; shows C1 and bidi overrides', () => {
    expect(safeText('a\tb\nc\rd\r\ne')).toBe('a\tb\nc\\x0dd\r\ne')
    expect(safeLine('a\tb\nc')).toBe(String.raw`a\x09b\x0ac`)
    expect(safeText('x\u009by\u202ez')).toBe(String.raw`x\x9by\u202ez`)
    expect(safeText('Grüße — ✔ 日本')).toBe('Grüße — ✔ 日本')
  })
})

describe('every human format shows control characters from AWS; --json keeps them exact', () => {
  const entry: ReportEntry = {
    id: 'cloudwatch-errors',
    title: 'No recent errors',
    required: true,
    status: 'fail',
    durationMs: 5,
    summary: `1 error ${HOSTILE}`,
    details: [`web: ${HOSTILE}`, 'second'],
    hint: `allthrive logs tail web ${HOSTILE}`,
  }
  const report = reportOf([entry])
  // eslint-disable-next-line no-control-regex
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f]/

  it('terminal report and plain lines', () => {
    const text = [...renderReport(report, {verbose: true}), plainLine(entry)].join('\n')
    expect(ansis.strip(text)).not.toMatch(raw)
    expect(text).toContain(String.raw`\x1b]52;c;`)
    expect(text).toContain(String.raw`\x1b[2J`)
  })

  it('Markdown', () => {
    const md = toMarkdown(report, {verbose: true})
    expect(md).not.toMatch(raw)
    expect(md).toContain('x1b]52;c;')
  })

  it('GitHub annotations', () => {
    const text = annotations(report).join('\n')
    expect(text).not.toMatch(raw)
    expect(text).toContain(String.raw`\x1b]52;c;`)
  })

  it('logs tail lines, and --json keeps the exact text', () => {
    const line = {
      timestamp: 0,
      group: '/ecs/production-allthrive-web',
      service: 'web',
      taskId: '0123456789abcdef',
      stream: 'ecs/web/0123456789abcdef',
      message: `${HOSTILE}\n`,
    }
    const human = formatLine(line, {color: false, prefixWidth: 14})
    expect(human).not.toMatch(raw)
    expect(human).toContain(String.raw`\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07`)
    expect(JSON.parse(JSON.stringify(toJsonLine(line))).message).toBe(HOSTILE)
  })
})
