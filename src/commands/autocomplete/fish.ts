import {Command} from '@oclif/core'

/** A fish completion word or description, single-quoted for fish (which escapes only \ and '). */
export const fishQuote = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`

interface Described {
  id: string
  summary?: string
  description?: string
  hidden?: boolean
  flags: Record<
    string,
    {
      name: string
      char?: string
      summary?: string
      description?: string
      type: string
      options?: readonly string[]
      hidden?: boolean
    }
  >
}

/** The first line of a summary or description, without control characters. */
const firstLine = (text: string): string =>
  text
    .split('\n')[0]
    // eslint-disable-next-line no-control-regex
    .replaceAll(/[\u0000-\u001F\u007F]/g, ' ')
    .trim()

/** fish `complete` lines for these commands (ids with ':' are topic commands: `cache:clear` is `cache clear`). */
export function fishCompletions(
  bin: string,
  commands: Described[],
  topics: {name: string; description?: string}[],
): string[] {
  const visible = commands
    .filter((c) => !c.hidden && /^[\w-]+(?::[\w-]+)*$/.test(c.id))
    .sort((a, b) => a.id.localeCompare(b.id))
  const oneLine = (text = ''): string => firstLine(text).replaceAll('<%= config.bin %>', bin)
  const lines = [
    `# fish completions for ${bin}: ${bin} autocomplete fish > ~/.config/fish/completions/${bin}.fish`,
    `complete -c ${bin} -f`,
  ]
  const firstWords = new Map<string, string>()
  for (const t of topics) if (!t.name.includes(':')) firstWords.set(t.name, oneLine(t.description))
  for (const c of visible) if (!c.id.includes(':')) firstWords.set(c.id, oneLine(c.summary ?? c.description))
  for (const [word, about] of firstWords)
    lines.push(`complete -c ${bin} -n __fish_use_subcommand -a ${fishQuote(word)} -d ${fishQuote(about)}`)
  for (const c of visible) {
    const words = c.id.split(':')
    // Command ids are letters, digits and hyphens: plain words inside the quoted condition.
    const seen = words.map((w) => `__fish_seen_subcommand_from ${w}`).join('; and ')
    if (words.length > 1) {
      const parent = words
        .slice(0, -1)
        .map((w) => `__fish_seen_subcommand_from ${w}`)
        .join('; and ')
      lines.push(
        `complete -c ${bin} -n ${fishQuote(parent)} -a ${fishQuote(words.at(-1)!)} -d ${fishQuote(oneLine(c.summary ?? c.description))}`,
      )
    }

    for (const f of Object.values(c.flags)
      .filter((x) => !x.hidden)
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const parts = [`complete -c ${bin} -n ${fishQuote(seen)}`, `-l ${f.name}`]
      if (f.char) parts.push(`-s ${f.char}`)
      if (f.type === 'option') parts.push(f.options?.length ? `-x -a ${fishQuote(f.options.join(' '))}` : '-r')
      parts.push(`-d ${fishQuote(oneLine(f.summary ?? f.description))}`)
      lines.push(parts.join(' '))
    }
  }

  return lines
}

export default class AutocompleteFish extends Command {
  static override summary = 'Print the fish completion script (bash and zsh: allthrive autocomplete bash|zsh)'
  static override description = `Install: allthrive autocomplete fish > ~/.config/fish/completions/allthrive.fish
New fish sessions then complete commands, topics and flags. Run it again after an upgrade.`

  static override examples = ['<%= config.bin %> <%= command.id %> > ~/.config/fish/completions/<%= config.bin %>.fish']

  public async run(): Promise<void> {
    const topics = this.config.topics.map((t) => ({name: t.name, description: t.description}))
    for (const line of fishCompletions(this.config.bin, this.config.commands as unknown as Described[], topics))
      this.log(line)
  }
}
