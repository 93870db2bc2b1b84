import {afterEach, beforeEach} from 'vitest'

import {setClock} from '../../../src/util/clock.js'
import {resetMocks} from '../../helpers/aws.js'
import {accountClusters} from '../../helpers/ecs.js'
import {at} from '../status/fixtures.js'

/**
 * What `rollback` and `restart` tests run in: fresh mocks, an account holding both environments' clusters (the
 * commands discover the environment first), no stray AWS variables, no terminal on stdin, the clock at 12:00;
 * the process's variables and stdin restored after each test.
 */
export function deployCommandEnvironment(): void {
  const saved = {...process.env}
  const savedTTY = process.stdin.isTTY
  beforeEach(() => {
    resetMocks()
    accountClusters([{name: 'production-allthrive-cluster'}, {name: 'staging-allthrive-cluster'}])
    for (const k of ['ENVIRONMENT', 'AWS_PROFILE', 'AWS_ENDPOINT_URL']) delete process.env[k]
    process.env.AWS_REGION = 'us-east-1'
    process.stdin.isTTY = false as true
    setClock(at('12:00'))
  })
  afterEach(() => {
    process.env = {...saved}
    process.stdin.isTTY = savedTTY
  })
}
