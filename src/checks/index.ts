import {closest, UserError} from '../errors.js'
import type {Check} from './types.js'

/**
 * Every check, in report order, as an id, whether it needs discovery, and a loader. A check's module
 * (and the SDK client it imports) loads only when the check is selected, so `validate --only secrets`
 * never loads the EC2, ELB or CloudFront clients. Adding a check: one file in src/checks, one line here.
 */
export interface CheckEntry {
  id: string
  /**
   * The check reads ECS or the service logs, so it runs on the environment discovered in the account
   * (the cluster, its services, their containers and log groups). The others start while discovery
   * runs, on the environment as configured. Known before the module loads; a test keeps it true to the
   * check's `iam` (an `ecs:` or `logs:` action).
   */
  discovery: boolean
  load(): Promise<Check>
}

export const CHECKS: CheckEntry[] = [
  {id: 'rds', discovery: false, load: async () => (await import('./rds.js')).rds},
  {id: 'redis', discovery: false, load: async () => (await import('./redis.js')).redis},
  {id: 's3', discovery: false, load: async () => (await import('./s3.js')).s3},
  {id: 'secrets', discovery: false, load: async () => (await import('./secrets.js')).secrets},
  {id: 'ecs-services', discovery: true, load: async () => (await import('./ecs-services.js')).ecsServices},
  {id: 'ecs-env', discovery: true, load: async () => (await import('./ecs-env.js')).ecsEnv},
  {id: 'celery-beat', discovery: true, load: async () => (await import('./celery-beat.js')).celeryBeat},
  {id: 'images', discovery: true, load: async () => (await import('./images.js')).images},
  {id: 'exec-ready', discovery: true, load: async () => (await import('./exec-ready.js')).execReady},
  {id: 'certificates', discovery: false, load: async () => (await import('./certificates.js')).certificates},
  {id: 'cloudfront', discovery: false, load: async () => (await import('./cloudfront.js')).cloudfront},
  {
    id: 'cloudwatch-errors',
    discovery: true,
    load: async () => (await import('./cloudwatch-errors.js')).cloudwatchErrors,
  },
  {id: 'alb', discovery: false, load: async () => (await import('./alb.js')).alb},
  {id: 'network', discovery: true, load: async () => (await import('./network.js')).network},
  {id: 'alarms', discovery: false, load: async () => (await import('./alarms.js')).alarms},
  {id: 'weaviate', discovery: true, load: async () => (await import('./weaviate.js')).weaviate},
  {id: 'health', discovery: false, load: async () => (await import('./health.js')).health},
  {id: 'postgres-probe', discovery: false, load: async () => (await import('./postgres-probe.js')).postgresProbe},
  {id: 'redis-probe', discovery: false, load: async () => (await import('./redis-probe.js')).redisProbe},
  {id: 'drift', discovery: true, load: async () => (await import('./drift.js')).drift},
]

export const CHECK_IDS = CHECKS.map((c) => c.id)

/** Loads the checks of these entries (their modules and SDK clients), keeping their order. */
export async function loadChecks(entries: CheckEntry[]): Promise<Check[]> {
  const checks = await Promise.all(entries.map((e) => e.load()))
  for (const [i, check] of checks.entries()) {
    if (check.id !== entries[i].id)
      throw new Error(`src/checks/index.ts: entry "${entries[i].id}" loads check "${check.id}"`)
  }

  return checks
}

/** True when an IAM action list reads ECS or the service logs (what `discovery` says of a check). */
export const readsEcsOrLogs = (iam: string[]): boolean => iam.some((a) => a.startsWith('ecs:') || a.startsWith('logs:'))

/**
 * Whether the environment must be discovered for these checks: one of them needs it and will run (drift only with
 * --compare, the probes only with --probe).
 */
export function needsDiscovery(
  entries: Pick<CheckEntry, 'id' | 'discovery'>[],
  opts: {probe?: boolean; compare: boolean},
): boolean {
  const runs = (id: string): boolean =>
    (id !== 'drift' || opts.compare) && (!id.endsWith('-probe') || Boolean(opts.probe))
  return entries.some((e) => e.discovery && runs(e.id))
}

/** Every check, loaded (all SDK clients): for the README's tables and tests, not for a run. */
export const loadAllChecks = (): Promise<Check[]> => loadChecks(CHECKS)

/** Applies --only / --skip; an unknown id is a usage error listing the valid ones. */
export function selectChecks<T extends {id: string}>(all: T[], only: string[] = [], skipIds: string[] = []): T[] {
  const ids = all.map((c) => c.id)
  for (const id of [...only, ...skipIds]) {
    if (!ids.includes(id)) {
      const guess = closest(id, ids)
      throw new UserError(`Unknown check "${id}". Valid checks: ${ids.join(', ')}.`, {
        code: 'UNKNOWN_CHECK',
        suggestions: guess ? [`Did you mean ${guess}?`] : [],
      })
    }
  }

  const selected = all.filter((c) => (only.length === 0 || only.includes(c.id)) && !skipIds.includes(c.id))
  if (selected.length === 0)
    throw new UserError('No checks left to run: --skip removed every check selected by --only.', {code: 'NO_CHECKS'})
  return selected
}
