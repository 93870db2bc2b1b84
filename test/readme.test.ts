import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {loadAllChecks} from '../src/checks/index.js'

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8')
const ALL_CHECKS = await loadAllChecks()

describe('README stays true to the code', () => {
  it('opens with the two set-up commands in a code block', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    expect(firstBlock).toContain('make aws-validate')
    expect(firstBlock).toContain('bash .ci/run')
  })

  it('has a row in the checks table for every registered check', () => {
    for (const check of ALL_CHECKS) expect(readme, check.id).toContain(`| \`${check.id}\` |`)
  })

  it('lists every IAM action a check calls, in the table and in the policy', () => {
    const policy = /"Action": \[([\s\S]*?)\]/.exec(readme)?.[1] ?? ''
    for (const check of ALL_CHECKS) {
      for (const action of check.iam) {
        expect(policy, `${check.id} needs ${action}`).toContain(`"${action}"`)
        expect(readme, `${check.id} row names ${action}`).toContain(`\`${action}\``)
      }
    }
  })
})
