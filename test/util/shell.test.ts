import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'

import {hintFor} from '../../src/aws/errors.js'
import {followUp} from '../../src/lib/migrate/render.js'
import {sh, shJoin, shq} from '../../src/util/shell.js'

/** What sh reads back from a quoted word: printf each argument on its own line. */
const readBack = (line: string): string[] =>
  execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], {encoding: 'utf8'})
    .split('\0')
    .slice(0, -1)

describe('shq (POSIX shell quoting for printed commands)', () => {
  it.each(['staging;touch${IFS}x', '*.x.ai', "it's", '$(id)', '`id`', 'a b', 'new\nline', '', '-e', 'x|y&z>w'])(
    'reads %j back unchanged',
    (word) => {
      expect(readBack(shq(word))).toEqual([word])
    },
  )

  it('leaves plain names bare', () => {
    expect(shq('production-allthrive-cluster')).toBe('production-allthrive-cluster')
    expect(shq('arn:aws:ecs:us-east-1:123456789012:task/c/0abc')).toBe('arn:aws:ecs:us-east-1:123456789012:task/c/0abc')
    expect(shq(30)).toBe('30')
  })

  it('quotes every value of a template, not the literal parts', () => {
    expect(sh`aws ecs stop-task --cluster ${'staging;rm -rf ~'} --task ${'0abc'}`).toBe(
      "aws ecs stop-task --cluster 'staging;rm -rf ~' --task 0abc",
    )
    expect(shJoin(['allthrive', 'cache', 'clear', '--paths', '/*'])).toBe("allthrive cache clear --paths '/*'")
  })
})

describe('printed commands quote names from the configuration', () => {
  it('migrate follow-ups and the re-attach command', () => {
    const lines = followUp('staging;touch${IFS}x', '0abc', {group: '/ecs/web', stream: 'ecs/web/0abc'}, 'stag ing')
    expect(lines[0]).toBe("Wait for it: allthrive migrate --attach 0abc --environment 'stag ing'")
    expect(lines.join('\n')).toContain("aws ecs stop-task --cluster 'staging;touch${IFS}x' --task 0abc")
    for (const l of lines) expect(l).not.toMatch(/--cluster staging;/)
  })

  it('credential hints quote the profile', () => {
    const e = Object.assign(new Error('The SSO session has expired'), {name: 'CredentialsProviderError'})
    expect(hintFor(e, {profile: 'prod;id'})).toBe("Refresh the SSO session: aws sso login --profile 'prod;id'")
  })
})
