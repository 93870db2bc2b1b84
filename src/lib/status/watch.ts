/** Screen refresh for `status --watch`: clear and redraw on a terminal, plain repeated blocks otherwise. */

/** Home + clear screen: the only control sequence written, never anything read from AWS. */
export const CLEAR = '\u001B[H\u001B[2J'

/** How to print one refresh: redraw in place on a terminal, a separator line between blocks elsewhere. */
export function frame(lines: string[], o: {tty: boolean; first: boolean}): string {
  if (o.tty) return `${CLEAR}${lines.join('\n')}\n`
  return `${o.first ? '' : '\n---\n'}${lines.join('\n')}\n`
}
