import type {Report} from '../checks/report.js'

const escapeXml = (s: string): string =>
  s
    // Characters XML 1.0 cannot carry at all.
    // eslint-disable-next-line no-control-regex
    .replaceAll(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')

/**
 * JUnit XML: one testsuite for the environment, one testcase per check.
 * fail → <failure>, error → <error>, skip → <skipped>, warn → passes with <system-out>.
 */
export function toJUnit(report: Report): string {
  const secs = (ms: number) => (ms / 1000).toFixed(3)
  const cases = report.checks.map((c) => {
    const body = [...(c.details ?? []), ...(c.hint ? [`Hint: ${c.hint}`] : [])].join('\n')
    const open = `    <testcase classname="allthrive.validate.${escapeXml(report.environment)}" name="${escapeXml(c.id)}: ${escapeXml(c.title)}" time="${secs(c.durationMs)}"`
    switch (c.status) {
      case 'fail':
        return `${open}>\n      <failure message="${escapeXml(c.summary)}" type="fail">${escapeXml(body)}</failure>\n    </testcase>`
      case 'error':
        return `${open}>\n      <error message="${escapeXml(c.summary)}" type="error">${escapeXml(body)}</error>\n    </testcase>`
      case 'skip':
        return `${open}>\n      <skipped message="${escapeXml(c.summary)}"/>\n    </testcase>`
      case 'warn':
        return `${open}>\n      <system-out>${escapeXml(`WARNING: ${c.summary}${body ? `\n${body}` : ''}`)}</system-out>\n    </testcase>`
      default:
        return `${open}/>`
    }
  })
  const {counts} = report
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="allthrive validate" tests="${report.checks.length}" failures="${counts.fail}" errors="${counts.error}" skipped="${counts.skip}" time="${secs(report.durationMs)}">`,
    `  <testsuite name="${escapeXml(report.environment)}" tests="${report.checks.length}" failures="${counts.fail}" errors="${counts.error}" skipped="${counts.skip}" time="${secs(report.durationMs)}" timestamp="${report.timestamp}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}
