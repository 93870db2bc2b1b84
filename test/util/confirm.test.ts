import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'

import {UserError} from '../../src/errors.js'
import {askOnTerminal, confirmChange} from '../../src/util/confirm.js'

const production = {name: 'production', protected: true}
const staging = {name: 'staging', protected: false}
const base = {action: 'run database migrations', command: 'allthrive migrate -e production'}

describe('confirmChange (production guard)', () => {
  it('goes ahead on an unprotected environment without asking', async () => {
    let asked = false
    await confirmChange({
      ...base,
      env: staging,
      yes: false,
      interactive: true,
      ask: async () => {
        asked = true
        return ''
      },
    })
    expect(asked).toBe(false)
  })

  it('goes ahead with --yes without asking', async () => {
    await expect(confirmChange({...base, env: production, yes: true, interactive: false})).resolves.toBeUndefined()
  })

  it('refuses without a terminal and without --yes (exit 2), naming the command to repeat', async () => {
    const e = await confirmChange({...base, env: production, yes: false, interactive: false}).catch(
      (error: unknown) => error,
    )
    expect(e).toBeInstanceOf(UserError)
    expect((e as UserError).message).toBe(
      'Refusing to run database migrations on production without confirmation: standard input is not a terminal.',
    )
    expect((e as UserError).suggestions).toEqual([
      'Re-run with --yes to confirm from a script: allthrive migrate -e production --yes',
    ])
    expect((e as UserError).exit).toBe(2)
  })

  it('asks for the environment name on a terminal and goes ahead when it matches', async () => {
    const questions: string[] = []
    await confirmChange({
      ...base,
      env: production,
      yes: false,
      interactive: true,
      ask: async (q) => {
        questions.push(q)
        return 'production\n'
      },
    })
    expect(questions).toEqual(['This will run database migrations on production. Type "production" to continue: '])
  })

  it('aborts (exit 2) when the answer does not match', async () => {
    const e = await confirmChange({
      ...base,
      env: production,
      yes: false,
      interactive: true,
      ask: async () => 'y',
    }).catch((error: unknown) => error)
    expect((e as UserError).message).toBe('Aborted: the answer did not match "production". Nothing was changed.')
    expect((e as UserError).exit).toBe(2)
  })

  it('Ctrl+C at the prompt on a terminal is exit 130, nothing changed', async () => {
    const input = new PassThrough()
    const output = new PassThrough()
    const asked = askOnTerminal('Type "production" to continue: ', {input, output, terminal: true})
    setTimeout(() => input.write('prod\u0003'), 10)
    const e = await asked.catch((error: unknown) => error)
    expect(e).toBeInstanceOf(UserError)
    expect((e as UserError).exit).toBe(130)
    expect((e as UserError).code).toBe('INTERRUPTED')
    expect((e as UserError).message).toContain('Nothing was changed')
  })

  it('end of input at the prompt is a declined answer (exit 2)', async () => {
    const input = new PassThrough()
    const output = new PassThrough()
    const e = await confirmChange({
      ...base,
      env: production,
      yes: false,
      interactive: true,
      ask: (q) => {
        const p = askOnTerminal(q, {input, output, terminal: true})
        setTimeout(() => input.end(), 10)
        return p
      },
    }).catch((error: unknown) => error)
    expect((e as UserError).code).toBe('ABORTED')
    expect((e as UserError).exit).toBe(2)
  })
})
