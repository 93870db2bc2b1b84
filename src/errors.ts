/**
 * Exit codes shared by every command. Documented in README.md and in each command's help.
 *   0  success (validate: every check passed; warnings allowed unless --fail-on warn)
 *   1  the job ran and found a problem (a check failed or errored), or an unexpected internal error
 *   2  usage, configuration or credentials error: nothing was checked; a confirmation declined or refused
 *   130 interrupted with Ctrl+C
 */
export const EXIT = {OK: 0, FAILED: 1, USAGE: 2, INTERRUPTED: 130} as const

export interface UserErrorOptions {
  /** What to do next, one command or action per entry. */
  suggestions?: string[]
  /** Process exit code; usage/config/credential problems default to 2. */
  exit?: number
  /** The underlying error (an AWS exception, a parse error). Never carries secret values. */
  cause?: unknown
  /** Stable machine-readable code for --json consumers ("UNKNOWN_ENVIRONMENT"). */
  code?: string
}

/**
 * An expected failure the user can fix: bad input, missing config, no credentials.
 * Everything that is not a UserError is treated as a bug and reported as such.
 */
export class UserError extends Error {
  override readonly name = 'UserError'
  readonly suggestions: string[]
  readonly exit: number
  readonly code: string | undefined

  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.suggestions = options.suggestions ?? []
    this.exit = options.exit ?? EXIT.USAGE
    this.code = options.code
  }
}

export const isUserError = (e: unknown): e is UserError => e instanceof UserError

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]
}

/** The closest candidate within a small distance, or undefined. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(input.length / 3)) + 1
  const lower = input.toLowerCase()
  const prefixed = candidates.filter((c) => lower.length >= 3 && c.toLowerCase().startsWith(lower))
  if (prefixed.length === 1) return prefixed[0]
  for (const c of candidates) {
    const d = editDistance(input.toLowerCase(), c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best
}
