import {type EnvConfig, findService, type ServiceConfig, unknownServiceError} from '../../config.js'
import {UserError} from '../../errors.js'

/**
 * The services named on the command line (none = all, in config order), each once.
 * An unknown name is a usage error listing the valid ones, with a "did you mean".
 */
export function selectServices(env: EnvConfig, names: readonly string[]): ServiceConfig[] {
  if (names.length === 0) return env.services
  const picked: ServiceConfig[] = []
  for (const name of names) {
    if (name.startsWith('-')) {
      throw new UserError(`Unknown flag ${name}.`, {
        code: 'UNKNOWN_FLAG',
        suggestions: ['See the flags with: allthrive logs tail --help'],
      })
    }

    // A service's key (web, celery-ai) or its full ECS name: every service of the environment, not only the four roles.
    const service = findService(env, name)
    if (!service) throw unknownServiceError(env, name, ['Name no service to read them all.'])

    if (!picked.includes(service)) picked.push(service)
  }

  return picked
}
