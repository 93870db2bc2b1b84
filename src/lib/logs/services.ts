import {type EnvConfig, SERVICE_KEYS, type ServiceConfig} from '../../config.js'
import {closest, UserError} from '../../errors.js'

/**
 * The services named on the command line (none = all, in config order), each once.
 * An unknown name is a usage error listing the valid ones, with a "did you mean".
 */
export function selectServices(env: EnvConfig, names: readonly string[]): ServiceConfig[] {
  if (names.length === 0) return env.services
  const picked: ServiceConfig[] = []
  for (const name of names) {
    if (name.startsWith('-')) {
      throw new UserError(`Unknown flag ${name}.`, {code: 'UNKNOWN_FLAG', suggestions: ['See the flags with: allthrive logs tail --help']})
    }

    const service = env.services.find((s) => s.key === name)
    if (!service) {
      const guess = closest(name, SERVICE_KEYS)
      throw new UserError(`Unknown service "${name}". Valid services: ${SERVICE_KEYS.join(', ')}.`, {
        code: 'UNKNOWN_SERVICE',
        suggestions: [...(guess ? [`Did you mean ${guess}?`] : []), 'Name no service to read all four.'],
      })
    }

    if (!picked.includes(service)) picked.push(service)
  }

  return picked
}
