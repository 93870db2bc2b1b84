import {execFile} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js')

/**
 * The built CLI as a user runs it (needs `npm run build`): a child process in a fresh HOME with no AWS profile
 * files, no instance metadata, no colour and none of the caller's AWS_*, ALLTHRIVE_*, ENVIRONMENT or
 * XDG_CONFIG_HOME variables; `env` adds some back (`CWD` sets the working directory, default HOME). oclif's
 * 80-column wrapping of errors (" ›   ") is undone so tests assert on whole sentences.
 */
export interface Run {
  code: number
  stdout: string
  stderr: string
}

export function runBuiltCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  nodeArgs: string[] = [],
): Promise<Run & {home: string}> {
  env = {NODE_ENV: 'test', ...env}
  const home = mkdtempSync(join(tmpdir(), 'allthrive-home-'))
  const clean: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (
      v !== undefined &&
      !k.startsWith('AWS_') &&
      !k.startsWith('ALLTHRIVE_') &&
      k !== 'ENVIRONMENT' &&
      k !== 'XDG_CONFIG_HOME'
    )
      clean[k] = v
  }
  const merged: Record<string, string | undefined> = {
    ...clean,
    HOME: home,
    NO_COLOR: '1',
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env,
  }
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k]
  return new Promise((resolve) => {
    const cwd = (env.CWD as string | undefined) ?? home
    execFile(
      process.execPath,
      [...nodeArgs, bin, ...args],
      {env: merged as NodeJS.ProcessEnv, cwd, timeout: 30_000},
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr: stderr.replaceAll(/ ?\n ›\s+/g, ' '),
          home,
        })
      },
    )
  })
}
