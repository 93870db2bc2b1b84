import {closest, UserError} from '../errors.js'
import {alarms} from './alarms.js'
import {alb} from './alb.js'
import {celeryBeat} from './celery-beat.js'
import {certificates} from './certificates.js'
import {cloudfront} from './cloudfront.js'
import {cloudwatchErrors} from './cloudwatch-errors.js'
import {drift} from './drift.js'
import {ecsEnv} from './ecs-env.js'
import {ecsServices} from './ecs-services.js'
import {execReady} from './exec-ready.js'
import {images} from './images.js'
import {health} from './health.js'
import {network} from './network.js'
import {postgresProbe} from './postgres-probe.js'
import {rds} from './rds.js'
import {redis} from './redis.js'
import {redisProbe} from './redis-probe.js'
import {s3} from './s3.js'
import {secrets} from './secrets.js'
import {weaviate} from './weaviate.js'
import type {Check} from './types.js'

/** Every check, in report order. Adding a check: one file in src/checks, one line here. */
export const ALL_CHECKS: Check[] = [
  rds,
  redis,
  s3,
  secrets,
  ecsServices,
  ecsEnv,
  celeryBeat,
  images,
  execReady,
  certificates,
  cloudfront,
  cloudwatchErrors,
  alb,
  network,
  alarms,
  weaviate,
  health,
  postgresProbe,
  redisProbe,
  drift,
]

export const CHECK_IDS = ALL_CHECKS.map((c) => c.id)

/** Applies --only / --skip; an unknown id is a usage error listing the valid ones. */
export function selectChecks(all: Check[], only: string[] = [], skipIds: string[] = []): Check[] {
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
  if (selected.length === 0) throw new UserError('No checks left to run: --skip removed every check selected by --only.', {code: 'NO_CHECKS'})
  return selected
}
