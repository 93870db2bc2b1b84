/**
 * Quoting for commands printed for the user to paste (hints, follow-ups, "re-run with"): every interpolated value
 * is one word for POSIX shells (sh, bash, zsh), so a name from the configuration file or AWS
 * (`staging;touch${IFS}x`, `*.example.com`) never runs as shell code or expands as a glob.
 */

const SAFE_WORD = /^[\w@%+=:,./-]+$/

/** One word, quoted so that sh reads it back unchanged: `it's` → `'it'\''s'`; safe words stay bare. */
export function shq(word: string | number | undefined): string {
  const s = String(word)
  if (s !== '' && SAFE_WORD.test(s)) return s
  return `'${s.replaceAll("'", String.raw`'\''`)}'`
}

/** Words joined into one command line, each quoted. */
export const shJoin = (words: readonly (string | number)[]): string => words.map((w) => shq(w)).join(' ')

/**
 * A template tag that quotes every interpolated value: sh`aws ecs stop-task --cluster ${cluster}`. The literal
 * parts are left alone (they are ours).
 */
export function sh(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, part, i) => out + part + (i < values.length ? shq(values[i]) : ''), '')
}
