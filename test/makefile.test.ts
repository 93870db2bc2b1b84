import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

/**
 * The Makefile's contract: ENVIRONMENT on make's command line becomes -e, the shell's ENVIRONMENT is ignored,
 * stdout carries only the CLI's output, and a failure prints the CLI's own exit code before make exits 2.
 * Runs make with the install and build targets taken as up to date (-o): needs `npm run build`.
 */
const root = join(import.meta.dirname, '..')

function make(
  args: string[],
  env: Record<string, string> = {},
): Promise<{code: number; stdout: string; stderr: string}> {
  const clean: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env))
    if (
      v !== undefined &&
      !k.startsWith('ALLTHRIVE_') &&
      !k.startsWith('AWS_') &&
      k !== 'ENVIRONMENT' &&
      !k.startsWith('MAKE')
    )
      clean[k] = v
  return new Promise((resolve) => {
    execFile(
      'make',
      ['-s', '-o', 'node_modules/.installed', '-o', 'dist/.built', ...args],
      {cwd: root, env: {...clean, NO_COLOR: '1', ...env}, timeout: 30_000},
      (error, stdout, stderr) => {
        resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr})
      },
    )
  })
}

describe.skipIf(!existsSync(join(root, 'dist', 'commands', 'validate.js')))('Makefile', () => {
  it("passes ENVIRONMENT from the command line as -e, and ignores the shell's ENVIRONMENT", async () => {
    const given = await make(['-n', 'aws-validate', 'ENVIRONMENT=staging', 'ARGS=--json'])
    expect(given.stdout).toMatch(/^node bin\/run\.js validate -e staging --json ;/m)
    const shell = await make(['-n', 'aws-validate'], {ENVIRONMENT: 'dev'})
    expect(shell.stdout).toMatch(/^node bin\/run\.js validate +;/m)
  })

  it("keeps stdout to the CLI's JSON, prints the CLI's exit code on stderr, and exits 2", async () => {
    const r = await make(['aws-validate', 'ENVIRONMENT=staging', 'ARGS=--only nosuch --json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toMatchObject({error: {code: 'UNKNOWN_CHECK'}})
    expect(r.stderr).toContain('allthrive exited 2 (make exits 2)')
  })
})
