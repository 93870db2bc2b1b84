/** Control characters (ESC, CR, BEL, C1…) shown as \xNN, not sent: text read from AWS never drives the terminal. */
export const visible = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replaceAll(/[\u0000-\u001F\u007F-\u009F]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
