import {describe, expect, it} from 'vitest'

// @ts-expect-error: a build script in JavaScript, without type declarations
import {inlineKeys} from '../scripts/build.mjs'

describe('build: inlining the SDK schema keys (so the bundler can drop unused shapes)', () => {
  it('writes each computed key whose name is a top-level string constant as that string', () => {
    const source = [
      'const _xN = "xmlName";',
      'const _eQN = "ec2QueryName";',
      'export var Subnet$ = [3, n0, _S, 0, [_SI], [[0, {[_eQN]: `SubnetId`, [_xN]: _sI}]]];',
    ].join('\n')
    expect(inlineKeys(source)).toContain('[[0, {"ec2QueryName": `SubnetId`, "xmlName": _sI}]]')
  })

  it('leaves a computed key alone when its name is not such a constant', () => {
    const source = ['function f(_k) { return {[_k]: 1} }', 'let _m = "m";', 'const o = {[_m]: 2, [_z]: 3};'].join('\n')
    expect(inlineKeys(source)).toBe(source)
  })

  it('keeps escapes in the constant as written', () => {
    expect(inlineKeys('const _q = "a\\"b";\nvar s = {[_q]: 1};')).toContain('var s = {"a\\"b": 1};')
  })
})
