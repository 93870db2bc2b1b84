import {UserError} from '../../errors.js'

/**
 * One value of `cache clear --paths`, checked at the flag: an empty or blank path (`--paths ''`, `--paths 'a,,b'`)
 * is a usage error, never a silent fall-back to '/*'.
 */
export function parsePathFlag(input: string): string {
  if (input.trim() === '') {
    throw new UserError(
      'Invalid --paths: an empty path. Give 1 to 3000 paths, each starting with / ' +
        "(such as /index.html or '/assets/*'), or leave out --paths to invalidate everything (/*).",
      {
        code: 'INVALID_PATHS',
      },
    )
  }

  return input
}
