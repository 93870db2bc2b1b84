import {describe, expect, it} from 'vitest'

import {renderPreflight} from '../../../src/lib/exec/render.js'

describe('renderPreflight', () => {
  it('prints one line per item, the fix under a failure, and the blocking cause', () => {
    const lines = renderPreflight(
      {
        ready: false,
        blocking: {
          id: 'service-exec',
          title: 'enableExecuteCommand on the service',
          status: 'fail',
          summary: 'ECS Exec is turned off on web.',
          fix: 'aws ecs update-service ...\nthen wait',
        },
        items: [
          {
            id: 'plugin',
            title: 'session-manager-plugin installed',
            status: 'pass',
            summary: 'found at /usr/bin/session-manager-plugin',
          },
          {
            id: 'service-exec',
            title: 'enableExecuteCommand on the service',
            status: 'fail',
            summary: 'ECS Exec is turned off on web.',
            fix: 'aws ecs update-service ...\nthen wait',
          },
          {id: 'task-role', title: 'Task role for the SSM channels', status: 'skip', summary: 'no running task'},
        ],
      },
      'ECS Exec preflight: web',
    )
    expect(lines).toEqual([
      'ECS Exec preflight: web',
      '  ✔ session-manager-plugin installed — found at /usr/bin/session-manager-plugin',
      '  ✖ enableExecuteCommand on the service — ECS Exec is turned off on web.',
      '      fix: aws ecs update-service ...',
      '           then wait',
      '  – Task role for the SSM channels — skipped: no running task',
      '✖ Not ready. The blocking cause: ECS Exec is turned off on web.',
    ])
  })
})
