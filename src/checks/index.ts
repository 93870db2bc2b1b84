import {closest, UserError} from '../errors.js'
import type {Check} from './types.js'

/**
 * Every check, in report order, as an id and a loader. A check's module (and the SDK client it
 * imports) loads only when the check is selected, so `validate --only secrets` never loads the
 * EC2, ELB or CloudFront clients. Adding a check: one file in src/checks, one line here.
 */
export interface CheckEntry {
  id: string
  load(): Promise<Check>
}

export const CHECKS: CheckEntry[] = [
  {id: 'rds', load: async () => (await import('./rds.js')).rds},
  {id: 'redis', load: async () => (await import('./redis.js')).redis},
  {id: 's3', load: async () => (await import('./s3.js')).s3},
  {id: 'secrets', load: async () => (await import('./secrets.js')).secrets},
  {id: 'ecs-services', load: async () => (await import('./ecs-services.js')).ecsServices},
  {id: 'ecs-env', load: async () => (await import('./ecs-env.js')).ecsEnv},
  {id: 'celery-beat', load: async () => (await import('./celery-beat.js')).celeryBeat},
  {id: 'images', load: async () => (await import('./images.js')).images},
  {id: 'exec-ready', load: async () => (await import('./exec-ready.js')).execReady},
  {id: 'certificates', load: async () => (await import('./certificates.js')).certificates},
  {id: 'cloudfront', load: async () => (await import('./cloudfront.js')).cloudfront},
  {id: 'cloudwatch-errors', load: async () => (await import('./cloudwatch-errors.js')).cloudwatchErrors},
  {id: 'alb', load: async () => (await import('./alb.js')).alb},
  {id: 'network', load: async () => (await import('./network.js')).network},
  {id: 'alarms', load: async () => (await import('./alarms.js')).alarms},
  {id: 'weaviate', load: async () => (await import('./weaviate.js')).weaviate},
  {id: 'health', load: async () => (await import('./health.js')).health},
  {id: 'postgres-probe', load: async () => (await import('./postgres-probe.js')).postgresProbe},
  {id: 'redis-probe', load: async () => (await import('./redis-probe.js')).redisProbe},
  {id: 'drift', load: async () => (await import('./drift.js')).drift},
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
