import {existsSync, readFileSync} from 'node:fs'
import {type AddressInfo, createServer, type Server, type Socket} from 'node:net'

import {runOne} from '../../../src/checks/run-checks.js'
import type {ReportEntry} from '../../../src/checks/report.js'
import type {Check, CheckContext} from '../../../src/checks/types.js'
import {DEFAULT_THRESHOLDS} from '../../../src/config.js'
import {probing} from '../../helpers/context.js'

/**
 * The real servers scripts/test-services.sh starts, as URLs: from the environment, else
 * from the file the script writes. Unset when neither exists (the probe tests then skip).
 */
export interface TestServices {
  PGTEST_URL?: string
  PGTEST_CA_FILE?: string
  REDISTEST_URL?: string
  REDISTEST_PLAIN_URL?: string
}

const KEYS = ['PGTEST_URL', 'PGTEST_CA_FILE', 'REDISTEST_URL', 'REDISTEST_PLAIN_URL'] as const

export function testServices(): TestServices {
  const file = process.env.ALLTHRIVE_TEST_SERVICES_ENV ?? '/tmp/allthrive-test-services.env'
  const fromFile: Record<string, string> = {}
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^export (\w+)='([^']*)'$/.exec(line.trim())
      if (m) fromFile[m[1]] = m[2]
    }
  }

  return Object.fromEntries(KEYS.map((k) => [k, process.env[k] || fromFile[k]]).filter(([, v]) => v)) as TestServices
}

/** A TCP server on 127.0.0.1 that accepts connections and never says a word. */
export async function silentServer(): Promise<{port: number; close(): Promise<void>}> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A check context with --probe and thresholds.probes.timeoutMs. */
export const probeCtx = (timeoutMs = 3000): CheckContext =>
  probing({thresholds: {...DEFAULT_THRESHOLDS, probes: {timeoutMs}}})

/**
 * Runs `check` as validate does, with a 400ms probe timeout, after `point(port)` has pointed
 * its secret at a server that accepts and never answers: the entry and how long it took.
 */
export async function runAgainstSilentServer(
  check: Check,
  point: (port: number) => void,
): Promise<{entry: ReportEntry; elapsed: number}> {
  const silent = await silentServer()
  try {
    point(silent.port)
    const started = Date.now()
    const entry = await runOne(check, probeCtx(400), {timeoutMs: 10_000})
    return {entry, elapsed: Date.now() - started}
  } finally {
    await silent.close()
  }
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** URL with another password, port or path: `withUrl(url, {password: 'x'})`. */
export function withUrl(
  url: string,
  change: {password?: string; port?: number; pathname?: string; search?: string},
): string {
  const u = new URL(url)
  if (change.password !== undefined) u.password = change.password
  if (change.port !== undefined) u.port = String(change.port)
  if (change.pathname !== undefined) u.pathname = change.pathname
  if (change.search !== undefined) u.search = change.search
  return u.toString()
}
