import {expect} from 'vitest'

import {createAwsClients} from '../../src/aws/clients.js'
import {createMemo, runOne, type CheckRunBase} from '../../src/checks/run-checks.js'
import type {ReportEntry} from '../../src/checks/report.js'
import type {Check, CheckContext} from '../../src/checks/types.js'
import {conventionFor, type EnvConfig} from '../../src/config.js'

export const NOW = new Date('2026-11-26T12:00:00Z')

/** The naming-convention model of an environment, with overrides. */
export function envWith(overrides: Partial<EnvConfig> = {}, name = 'production'): EnvConfig {
  return {...conventionFor(name), source: 'test', ...overrides}
}

/** A check context over mocked clients (see helpers/aws.ts), a fixed clock and a live signal. */
export function ctxWith(
  overrides: Partial<EnvConfig> = {},
  opts: {name?: string; now?: Date; signal?: AbortSignal} = {},
): CheckContext {
  return {
    env: envWith(overrides, opts.name),
    aws: createAwsClients({region: 'us-east-1'}),
    now: opts.now ?? NOW,
    signal: opts.signal ?? new AbortController().signal,
    memo: createMemo(),
    accountId: '123456789012',
    region: 'us-east-1',
  }
}

/** A check context for a run with --probe. */
export const probing = (overrides: Partial<EnvConfig> = {}): CheckContext => ({...ctxWith(overrides), probe: true})

/** Every string in a value, joined: to assert that no canary leaks into any output. */
export const everything = (...values: unknown[]): string =>
  values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n')

/**
 * Runs a check as validate does (runOne, 5s timeout) and expects an error whose hint
 * names `what`: the IAM action AccessDenied names, or the remedy. Returns the entry.
 */
export async function expectErrorNaming(
  check: Check,
  what: string,
  ctx: CheckRunBase = ctxWith(),
): Promise<ReportEntry> {
  const r = await runOne(check, ctx, {timeoutMs: 5000})
  expect(r.status).toBe('error')
  expect(r.hint).toContain(what)
  return r
}
