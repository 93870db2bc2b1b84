/**
 * Turning raw log events into "signatures": one line per kind of message, with the
 * parts that vary between occurrences (ids, numbers, addresses, quoted values)
 * replaced by placeholders, so 37 variants of one error count as one.
 *
 * Signatures are what the CLI shows of a log line: they never carry quoted values,
 * e-mail addresses, URL credentials or long token-like strings.
 */

/** Longest signature kept, in characters (an ellipsis marks a cut). */
export const SIGNATURE_MAX = 160

const TRACEBACK = 'Traceback (most recent call last):'
const LEVEL = String.raw`(?:CRITICAL|FATAL|ERROR|WARNING|WARN|INFO|DEBUG)`
const TIMESTAMP = String.raw`(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?|\d{1,2}\/\w{3}\/\d{4}[: ]\d{2}:\d{2}:\d{2}(?:\s?[+-]\d{4})?)`
const THREAD = String.raw`(?:MainThread|MainProcess|(?:Thread|Dummy|ForkPoolWorker|PoolWorker|Worker|Process)-\d+)`

/** A bracketed prefix: "[2026-11-26 11:58:01,123: ERROR/ForkPoolWorker-2]", "[12]", "[ERROR]", "(MainThread)", "[pid 12]". */
const BRACKETED = /^[[(]([^\])\n]*)[\])]\s*[:|-]?\s*/
const PREFIX_CONTENT = new RegExp(String.raw`${TIMESTAMP}|\b${LEVEL}\b|\b${THREAD}\b|^\s*(?:pid\s*)?\d+\s*$`)

/** Other leading chunks, stripped one after another until none applies. */
const PREFIXES: RegExp[] = [
  new RegExp(String.raw`^${TIMESTAMP}\s*[:|-]?\s*`),
  new RegExp(String.raw`^${LEVEL}(?:\/[\w.-]+)?(?::\s*|\s+-\s+|\s+|$)`),
  new RegExp(String.raw`^${THREAD}\b[:\s]*`),
  /^(?:pid[=: ]?)?\d+(?::\s*|\s+)/,
  /^[-:|]\s+/,
]

/** API keys, access keys, JWT parts: long runs with digits and letters, unless they look like a snake_case name. */
const tokenLike = (run: string): boolean =>
  /\d/.test(run) && /[a-z]/i.test(run) && (!run.includes('_') || (/[a-z]/.test(run) && /[A-Z]/.test(run)))

/** Variable parts, replaced in this order. */
const REPLACEMENTS: [RegExp, string | ((m: string) => string)][] = [
  [/\b([a-z][\w+.-]*:\/\/)[^\s/@]+@/gi, '$1<credentials>@'],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/g, '$1 <credentials>'],
  [
    /\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|authorization)(\s*[=:]\s*)(?!<|Bearer |Basic )[^\s,;&]+/gi,
    '$1$2<credentials>',
  ],
  [/\beyJ[\w-]*\.[\w-]*(?:\.[\w-]*)?/g, '<token>'],
  [/(?<![\w"])"[^"\n]*"(?![\w"])|(?<![\w'])'[^'\n]*'(?![\w'])/g, '<str>'],
  [/[\w.+-]+@[a-z\d-]+(?:\.[a-z\d-]+)+/gi, '<email>'],
  [/\b[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}\b/gi, '<uuid>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>'],
  [/\b(?:0x)?(?=\d*[a-f])[\da-f]{8,}\b/gi, '<hex>'],
  [/(?<![\w-])[\w-]{20,}(?![\w-])/g, (m) => (tokenLike(m) ? '<token>' : m)],
  // Numbers, keeping a unit that follows ("<n>ms").
  [/(?<![\w.])-?\d+(?:\.\d+)?(?=(?:ms|s|m|h|d|[kmg]?b|%)?(?!\w))/gi, '<n>'],
]

const PLACEHOLDER = /<(?:credentials|str|email|uuid|ip|hex|token|n)>/g

/** The exception line that ends the last traceback of an event ("psycopg2.OperationalError: …"), if the event holds it. */
export function finalExceptionLine(message: string): string | undefined {
  const at = message.lastIndexOf(TRACEBACK)
  if (at < 0) return undefined
  const lines = message.slice(at + TRACEBACK.length).split(/\r?\n/)
  // Frames are indented; the first line back at the margin is the exception (its message may continue below).
  return lines.find((l) => /^[A-Za-z_][\w.]*(?::\s|:?$)/.test(l) && !l.startsWith(TRACEBACK))?.trim()
}

/** A JSON log line's message field ({"level":"error","msg":"…"}), if it is one. */
function jsonMessage(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined
  try {
    const o = JSON.parse(line) as Record<string, unknown>
    const m = o.msg ?? o.message ?? o.error
    return typeof m === 'string' ? m : undefined
  } catch {
    return undefined
  }
}

function stripPrefix(s: string): string {
  const bracket = BRACKETED.exec(s)
  if (bracket && PREFIX_CONTENT.test(bracket[1])) return s.slice(bracket[0].length)
  for (const re of PREFIXES) {
    const next = s.replace(re, '')
    if (next !== s) return next
  }

  return s
}

/** Strips leading timestamps, levels, pids and thread names, in any order. */
export function stripPrefixes(line: string): string {
  let s = line.trim()
  for (let next = stripPrefix(s).trim(); next !== s; next = stripPrefix(s).trim()) s = next
  return s
}

/** Replaces the variable parts of a line with placeholders. */
export function maskVariables(text: string): string {
  // Two calls because String#replace's overloads do not accept the union.
  return REPLACEMENTS.reduce((s, [re, to]) => (typeof to === 'string' ? s.replace(re, to) : s.replace(re, to)), text)
}

const truncate = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s)

/**
 * One event's signature: its first line (or, for a Python traceback, the final
 * exception line), without timestamp, level, pid or thread prefixes, variable parts
 * masked, whitespace collapsed, at most SIGNATURE_MAX characters.
 */
export function signatureOf(message: string, max = SIGNATURE_MAX): string {
  const first = message.split(/\r?\n/).find((l) => l.trim() !== '') ?? ''
  const line = finalExceptionLine(message) ?? first
  const body = stripPrefixes(line)
  const fromJson = jsonMessage(body)
  const text = fromJson === undefined ? body : stripPrefixes(fromJson)
  const masked = maskVariables(text || first.trim())
    .replace(/\s+/g, ' ')
    .trim()
  return truncate(masked || '(empty message)', max)
}

/** Words that appear in most error lines: useless as a filter. */
const GENERIC = new Set([
  'error',
  'errors',
  'exception',
  'exceptions',
  'critical',
  'traceback',
  'most',
  'recent',
  'call',
  'last',
  'task',
  'tasks',
  'raised',
  'unexpected',
  'failed',
  'failure',
  'with',
  'from',
  'that',
  'this',
  'none',
  'true',
  'false',
  'null',
  'could',
  'when',
  'while',
  'during',
  'into',
  'have',
  'been',
  'were',
  'will',
])

/**
 * The literal words of a signature a CloudWatch filter pattern can match without
 * quoting: letters and digits only (AWS requires double quotes around terms with
 * any other character), outside placeholders, at least 4 characters.
 */
export function filterableWords(signature: string): string[] {
  let s = signature.replace(PLACEHOLDER, ' ')
  if (s.endsWith('…')) s = s.slice(0, -1).replace(/[A-Za-z\d_]+$/, '') // a cut word is not in the event
  const words = s.split(/[^A-Za-z\d_]+/).filter((w) => /^[A-Za-z][A-Za-z\d]{3,}$/.test(w))
  return [...new Set(words)]
}

const score = (w: string): number =>
  (GENERIC.has(w.toLowerCase()) ? -5 : 0) +
  (/[a-z][A-Z]/.test(w) ? 2 : 0) +
  (/[A-Z]\w*(Error|Exception|Timeout|Refused|Denied)$/.test(w) ? 3 : 0)

/**
 * A word of `signature` to pass as a filter pattern so that its events show up:
 * preferring words no other signature (of the same log group) holds, then exception
 * names, then longer words. Undefined when the signature has no usable word.
 */
export function distinctiveTerm(signature: string, others: string[] = []): string | undefined {
  const otherWords = others.filter((o) => o !== signature).map((o) => new Set(filterableWords(o)))
  const ranked = filterableWords(signature)
    .map((w, i) => ({w, i, shared: otherWords.filter((set) => set.has(w)).length, score: score(w)}))
    .sort((a, b) => a.shared - b.shared || b.score - a.score || b.w.length - a.w.length || a.i - b.i)
  return ranked[0]?.w
}
