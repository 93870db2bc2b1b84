import {existsSync, mkdtempSync, readFileSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {delimiter, join} from 'node:path'

/** Stands in for session-manager-plugin: see the variables it reads in the script. */
const FAKE = join(import.meta.dirname, '..', 'fixtures', 'fake-session-manager-plugin')

export interface FakePlugin {
  /** A fresh directory holding only `session-manager-plugin`, a link to the fake. */
  dir: string
  /** The plugin's path in `dir`. */
  path: string
  /** Where the fake writes its arguments when FAKE_SMP_ARGS_FILE names it. */
  argsFile: string
  /** The arguments the fake was last run with. */
  args(): string[]
  /** The AWS_SSM_START_SESSION_RESPONSE the fake was last run with, if any. */
  sessionEnv(): string | undefined
}

export function fakePlugin(prefix = 'allthrive-smp-'): FakePlugin {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const path = join(dir, 'session-manager-plugin')
  symlinkSync(FAKE, path)
  const argsFile = join(dir, 'args')
  return {
    dir,
    path,
    argsFile,
    args: () => readFileSync(argsFile, 'utf8').split('\0').slice(0, -1),
    sessionEnv: () => (existsSync(`${argsFile}.env`) ? readFileSync(`${argsFile}.env`, 'utf8') : undefined),
  }
}

/** A fake plugin first on PATH, recording its arguments; the test restores process.env afterwards. */
export function fakePluginOnPath(prefix?: string): FakePlugin {
  const plugin = fakePlugin(prefix)
  Object.assign(process.env, {
    FAKE_SMP_ARGS_FILE: plugin.argsFile,
    PATH: `${plugin.dir}${delimiter}${process.env.PATH}`,
  })
  return plugin
}
