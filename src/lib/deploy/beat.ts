import type {DeploymentConfiguration, Service} from '@aws-sdk/client-ecs'

/** The scheduler: two of them running at once would send every periodic task twice. */
export const isBeat = (shortName: string, service: Service): boolean =>
  shortName === 'celery-beat' || /(^|-)celery-beat$/.test(service.serviceName ?? '')

export interface BeatPlan {
  /** The deployment configuration UpdateService sends (undefined: leave the service's own). */
  deploymentConfiguration?: DeploymentConfiguration
  /** What the user must know, one line each. */
  notes: string[]
}

/**
 * celery-beat must never run twice. A rolling deployment with maximumPercent > 100 starts the new beat
 * before stopping the old one; so for beat the deployment is sent with maximumPercent 100 and
 * minimumHealthyPercent 0 (the old task stops first, then the new one starts: a short gap, never two),
 * keeping the rest of the service's deployment configuration (circuit breaker, alarms).
 */
export function beatPlan(shortName: string, service: Service): BeatPlan {
  if (!isBeat(shortName, service)) return {notes: []}
  const current = service.deploymentConfiguration ?? {}
  const max = current.maximumPercent ?? 200
  const min = current.minimumHealthyPercent ?? 100
  const notes =
    max > 100
      ? [
          `celery-beat: the service's deployment configuration (maximumPercent ${max}) would start a second beat ` +
            'before the first stops, and every periodic task would run twice.',
        ]
      : []
  notes.push(
    `celery-beat: deploying with maximumPercent 100 and minimumHealthyPercent 0 (was ${max}/${min}): ` +
      'the old beat stops before the new one starts (a gap of under a minute, never two beats). ' +
      'The service keeps this setting afterwards.',
    'celery-beat: the other safe order, by hand: scale to 0 (aws ecs update-service --desired-count 0), ' +
      'wait for 0 running, deploy, then scale back to 1.',
  )
  return {deploymentConfiguration: {...current, maximumPercent: 100, minimumHealthyPercent: 0}, notes}
}
