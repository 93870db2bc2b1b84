import type {Preflight, PreflightItem} from './preflight.js'

const MARK: Record<PreflightItem['status'], string> = {pass: '✔', fail: '✖', skip: '–'}

/** The human `exec --check` report: one line per item, the fix under each failure, a verdict. */
export function renderPreflight(p: Preflight, header: string): string[] {
  const lines = [header]
  for (const item of p.items) {
    lines.push(
      `  ${MARK[item.status]} ${item.title} — ${item.status === 'skip' ? `skipped: ${item.summary}` : item.summary}`,
    )
    if (item.status === 'fail' && item.fix)
      for (const [i, line] of item.fix.split('\n').entries()) lines.push(`      ${i === 0 ? 'fix: ' : '     '}${line}`)
  }

  lines.push(
    p.ready
      ? `✔ Ready: ECS Exec would connect to container ${p.target?.container} of task ${p.target?.taskId}.`
      : `✖ Not ready. The blocking cause: ${p.blocking?.summary}`,
  )
  return lines
}
