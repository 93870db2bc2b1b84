import {describe, expect, it} from 'vitest'

import {
  formatLine,
  type LogLine,
  normalizeTaskId,
  prefixWidthFor,
  taskIdFromStream,
  toJsonLine,
} from '../../../src/lib/logs/format.js'

const TASK = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
const line = (over: Partial<LogLine> = {}): LogLine => ({
  timestamp: Date.parse('2025-12-25T10:00:00.123Z'),
  service: 'web',
  group: '/ecs/staging-allthrive-web',
  stream: `ecs/web/${TASK}`,
  taskId: TASK,
  message: 'GET /api/health/ 200\n',
  ...over,
})

describe('log line format', () => {
  it('takes the task id from an awslogs stream name', () => {
    expect(taskIdFromStream(`ecs/web/${TASK}`)).toBe(TASK)
    expect(taskIdFromStream('web')).toBeUndefined()
    expect(normalizeTaskId(`arn:aws:ecs:us-east-1:123456789012:task/staging-allthrive-cluster/${TASK}`)).toBe(TASK)
    expect(normalizeTaskId(' 0f1e2d3c ')).toBe('0f1e2d3c')
  })

  it('prefixes the service and short task id, padded so messages line up', () => {
    const fmt = {color: false, prefixWidth: prefixWidthFor(['web', 'celery-beat'])}
    expect(formatLine(line(), fmt)).toBe('web/0f1e2d3c         | 2025-12-25T10:00:00.123Z GET /api/health/ 200')
    expect(formatLine(line({service: 'celery-beat'}), fmt)).toBe(
      'celery-beat/0f1e2d3c | 2025-12-25T10:00:00.123Z GET /api/health/ 200',
    )
    expect(formatLine(line({taskId: undefined, stream: 'other'}), fmt)).toBe(
      'web                  | 2025-12-25T10:00:00.123Z GET /api/health/ 200',
    )
  })

  it('prefixes every line of a multi-line message (a traceback)', () => {
    const text = formatLine(
      line({message: 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: boom\n'}),
      {color: false, prefixWidth: 12},
    )
    expect(text.split('\n')).toEqual([
      'web/0f1e2d3c | 2025-12-25T10:00:00.123Z Traceback (most recent call last):',
      'web/0f1e2d3c |                            File "x.py", line 1',
      'web/0f1e2d3c |                          ValueError: boom',
    ])
  })

  it('prints no escape codes without colour', () => {
    expect(formatLine(line(), {color: false, prefixWidth: 12})).not.toContain('\u001B[')
  })

  it('gives one JSON object with an ISO timestamp and the message without its newline', () => {
    expect(toJsonLine(line())).toEqual({
      timestamp: '2025-12-25T10:00:00.123Z',
      service: 'web',
      group: '/ecs/staging-allthrive-web',
      stream: `ecs/web/${TASK}`,
      taskId: TASK,
      message: 'GET /api/health/ 200',
    })
    expect(toJsonLine(line({taskId: undefined})).taskId).toBeNull()
  })
})
