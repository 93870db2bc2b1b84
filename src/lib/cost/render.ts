import ansis from 'ansis'

import {rate as price} from './estimate.js'
import {PRICE_TABLE} from './prices.js'
import {type ActualReport, COST_SERVICES, type CostReport, type CostService} from './types.js'

/** Human output. JSON is the CostReport itself. */

export const money = (n: number): string =>
  `${n < 0 ? '-' : ''}$${Math.abs(n).toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2})}`
const amount = (n: number): string => n.toLocaleString('en-US', {maximumFractionDigits: n < 10 ? 3 : n < 1000 ? 1 : 0})

function table(rows: string[][], align: ('l' | 'r')[]): string[] {
  const widths = align.map((_, i) => Math.max(...rows.map((r) => ansis.strip(r[i] ?? '').length)))
  return rows.map((r) =>
    r
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i] - ansis.strip(cell ?? '').length)
        return align[i] === 'r' ? pad + cell : cell + pad
      })
      .join('  ')
      .trimEnd(),
  )
}

function bullets(title: string, items: string[]): string[] {
  return items.length === 0 ? [] : ['', ansis.bold(title), ...items.map((i) => `  • ${i}`)]
}

export function renderCostReport(r: CostReport): string[] {
  const prices =
    r.pricesSource === 'live'
      ? `AWS Pricing API, ${r.region}, read ${r.asOf}`
      : `embedded table, ${r.region} on-demand, dated ${PRICE_TABLE.asOf}`
  const usage = r.usageWindow
    ? `CloudWatch ${r.usageWindow.start.slice(0, 10)} → ${r.usageWindow.end.slice(0, 10)} (${r.usageWindow.days} days), extrapolated to the month`
    : 'not read'
  const out = [
    ansis.bold(`${r.environment} (${r.region}) — estimated ${money(r.total)} a month`),
    ansis.gray(`Prices: ${prices}; ${r.hoursPerMonth} hours a month. Usage: ${usage}.`),
    '',
  ]

  const rows: string[][] = [['AWS service', 'Item', 'Quantity', 'Unit price', 'Monthly'].map((h) => ansis.bold(h))]
  for (const service of COST_SERVICES) {
    const lines = r.lines.filter((l) => l.service === service)
    if (lines.length === 0) continue
    for (const l of lines) {
      rows.push([
        l.service,
        l.item + (l.basis === 'usage' ? ansis.gray(' [usage]') : ''),
        `${amount(l.quantity)} ${l.unit}`,
        price(l.unitPrice),
        money(l.monthly),
      ])
    }

    if (lines.length > 1)
      rows.push(['', ansis.gray(`${service} subtotal`), '', '', ansis.bold(money(r.subtotals[service] ?? 0))])
  }

  rows.push([ansis.bold('Total'), '', '', '', ansis.bold(money(r.total))])
  out.push(...table(rows, ['l', 'l', 'r', 'r', 'r']))

  out.push(
    ...bullets(
      'Usage-based or unpriced, not in the total:',
      r.usageNotEstimated.map((n) => `${n.service} — ${n.item}: ${n.reason}`),
    ),
  )
  out.push(...bullets('Not found (no line):', r.notFound))
  const savings = r.savings.map((s) => {
    const figure =
      s.monthly >= 0 ? `${s.upperBound ? 'up to ' : ''}${money(s.monthly)}/month` : `${money(-s.monthly)}/month MORE`
    const pct = s.percent === undefined ? '' : ` (${s.percent}%)`
    return `${ansis.green(figure)}${pct} ${s.title}\n      ${s.detail}${s.caveat ? `\n      ${ansis.yellow('Check:')} ${s.caveat}` : ''}`
  })
  out.push(...bullets('Savings:', savings))
  out.push(...bullets('Notes:', r.notes))
  if (r.actual) out.push('', ...renderActual(r.actual, r))
  if (r.actualError)
    out.push(
      '',
      ansis.red(`--actual failed: ${r.actualError.message}`),
      ...(r.actualError.hint ? [`  → ${r.actualError.hint}`] : []),
    )
  return out
}

export function renderActual(a: ActualReport, r: Pick<CostReport, 'subtotals'>): string[] {
  const head = ansis.bold(
    `Actual spend (Cost Explorer, tag ${a.tag.key}=${a.tag.value}, ${a.period.start} → ${a.period.end}, ${a.days.elapsed} of ${a.days.inMonth} days):`,
  )
  const rows: string[][] = [['AWS service', 'Estimate', 'Month to date', 'MTD projected'].map((h) => ansis.bold(h))]
  const covered = new Set<string>()
  for (const service of COST_SERVICES) {
    const ce = a.services.filter((s) => s.service === service)
    const estimate = r.subtotals[service]
    if (ce.length === 0 && estimate === undefined) continue
    ce.forEach((s) => covered.add(s.ceService))
    const sum = (f: (s: (typeof ce)[number]) => number): number => ce.reduce((n, s) => n + f(s), 0)
    rows.push([
      service as CostService,
      money(estimate ?? 0),
      money(sum((s) => s.monthToDate)),
      money(sum((s) => s.projectedMonth)),
    ])
  }

  for (const s of a.services.filter((x) => !covered.has(x.ceService))) {
    rows.push([`${s.ceService} ${ansis.gray('(not estimated)')}`, '-', money(s.monthToDate), money(s.projectedMonth)])
  }

  const forecast = a.forecastMonth === undefined ? 'no forecast' : `forecast ${money(a.forecastMonth)}`
  rows.push([ansis.bold('Total'), ansis.bold(money(a.estimate)), ansis.bold(money(a.monthToDate)), forecast])
  const diff = a.unexplained
  const basis = a.forecastMonth === undefined ? 'month-to-date projected' : 'month-to-date + forecast'
  return [
    head,
    ...table(rows, ['l', 'r', 'r', 'r']),
    `Unexplained difference: ${diff >= 0 ? '+' : ''}${money(diff)} a month (${basis} − estimate).`,
    ...a.notes.map((n) => ansis.yellow(`  ! ${n}`)),
  ]
}

export interface EnvironmentOutcome {
  environment: string
  report?: CostReport
  error?: {message: string; suggestions: string[]}
}

/** --all-environments: one column per environment, one row per AWS service. */
export function renderComparison(outcomes: EnvironmentOutcome[]): string[] {
  const ok = outcomes.filter((o) => o.report)
  const rows: string[][] = [['AWS service', ...outcomes.map((o) => o.environment)].map((h) => ansis.bold(h))]
  for (const service of COST_SERVICES) {
    if (!ok.some((o) => o.report!.subtotals[service] !== undefined)) continue
    rows.push([service, ...outcomes.map((o) => (o.report ? money(o.report.subtotals[service] ?? 0) : '-'))])
  }

  rows.push([
    ansis.bold('Total'),
    ...outcomes.map((o) => (o.report ? ansis.bold(money(o.report.total)) : ansis.red('failed'))),
  ])
  rows.push([ansis.gray('region'), ...outcomes.map((o) => ansis.gray(o.report?.region ?? '-'))])
  rows.push([
    ansis.gray('not estimated'),
    ...outcomes.map((o) => ansis.gray(o.report ? String(o.report.usageNotEstimated.length) : '-')),
  ])
  rows.push([
    ansis.gray('not found'),
    ...outcomes.map((o) => ansis.gray(o.report ? String(o.report.notFound.length) : '-')),
  ])
  const out = [
    ansis.bold('Estimated monthly cost by environment'),
    '',
    ...table(rows, ['l', ...outcomes.map(() => 'r' as const)]),
  ]
  for (const o of outcomes) {
    if (o.error)
      out.push('', ansis.red(`${o.environment}: ${o.error.message}`), ...o.error.suggestions.map((s) => `  → ${s}`))
    else if (o.report && o.report.notFound.length > 0)
      out.push('', `${o.environment}: not found: ${o.report.notFound.join('; ')}`)
  }

  const shared = ok.filter((o) => (o.report!.subtotals['NAT Gateway'] ?? 0) > 0).length > 1
  out.push(
    '',
    ansis.gray(
      `Lines of one environment: allthrive cost --environment <name>.${shared ? ' NAT gateways are counted in each environment that shares their VPC.' : ''}`,
    ),
  )
  return out
}
