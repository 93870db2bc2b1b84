import {BatchGetSecretValueCommand} from '@aws-sdk/client-secrets-manager'
import {captureOutput} from '@oclif/test'
import {chmodSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'

import type {Report} from '../../src/checks/report.js'
import Validate, {writeSideFile} from '../../src/commands/validate.js'
import {conventionFor} from '../../src/config.js'
import {givenAccount, mocks} from '../helpers/aws.js'
import {secretValue} from '../helpers/secrets.js'

const run = (argv: string[]) => captureOutput<Report>(() => Validate.run(argv, import.meta.url))
const healthy = () =>
  conventionFor('staging').secrets.map((s) =>
    secretValue(s.id, Object.fromEntries(s.keys.map((k) => [k, `value-of-${k}-0123456789`]))),
  )

describe('validate --junit to a path that cannot be written: the report first, then one line, exit 1', () => {
  beforeEach(() => {
    givenAccount()
    mocks.secrets.on(BatchGetSecretValueCommand).resolves({SecretValues: healthy()})
  })

  it('--json prints the whole report, and the error is one line on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allthrive-junit-'))
    const {stdout, stderr} = await run(['-e', 'staging', '--only', 'secrets', '--json', '--junit', dir])
    expect(JSON.parse(stdout)).toMatchObject({environment: 'staging', checks: [{id: 'secrets', status: 'pass'}]})
    expect(stderr.trimEnd().split('\n')).toEqual([
      `Error: could not write the JUnit report to ${dir}: it is a directory (EISDIR). The report above is complete.`,
    ])
    expect(process.exitCode).toBe(1)
  })

  it('--format markdown prints the document, then the error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allthrive-junit-'))
    const {stdout, stderr} = await run(['-e', 'staging', '--only', 'secrets', '--format', 'markdown', '--junit', dir])
    expect(stdout).toContain('secrets')
    expect(stdout.length).toBeGreaterThan(50)
    expect(stderr).toContain(`Error: could not write the JUnit report to ${dir}: it is a directory (EISDIR).`)
    expect(process.exitCode).toBe(1)
  })

  it('a path that can be written (its folder created) gives no error line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allthrive-junit-'))
    const {stdout, stderr} = await run(['-e', 'staging', '--only', 'secrets', '--junit', join(dir, 'x')])
    expect(stdout).toMatch(/staging \(us-east-1, account 123456789012\) is healthy/)
    expect(stderr).toBe('')
    expect(process.exitCode).toBe(0)
  })

  it('names a read-only place in plain words', () => {
    const dir = mkdtempSync(join(tmpdir(), 'allthrive-ro-'))
    chmodSync(dir, 0o500)
    const why = writeSideFile(join(dir, 'r.xml'), () => '<x/>')
    chmodSync(dir, 0o700)
    // root ignores permissions: then the file is simply written.
    if (process.getuid?.() !== 0) expect(why).toBe('permission denied (EACCES)')
    expect(writeSideFile(dir, () => '<x/>')).toBe('it is a directory (EISDIR)')
  })
})
