import {describe, expect, it} from 'vitest'

import {onsetsOf} from '../../../src/lib/status/error-onset.js'
import {buildTimeline, type TimelineEntry} from '../../../src/lib/status/timeline.js'
import {isUnsupported} from '../../../src/resources/deployments.js'
import {awsError} from '../../helpers/aws.js'

const e = (
  hhmm: string,
  kind: TimelineEntry['kind'],
  summary: string,
  extra: Partial<TimelineEntry> = {},
): TimelineEntry => ({at: `2026-11-26T${hhmm}:00.000Z`, kind, summary, ...extra})

describe('buildTimeline', () => {
  it('sorts newest first and marks only changes within 15 minutes before a breakage', () => {
    const t = buildTimeline([
      e('10:00', 'task-definition', 'old td', {service: 'web'}),
      e('11:50', 'secret', 'secret changed'),
      e('12:00', 'alarm', 'alarm X: OK → ALARM', {breakage: true}),
      e('12:01', 'deployment', 'after the alarm', {service: 'web'}),
    ])
    expect(t.map((x) => [x.summary, x.likelyTriggerOf])).toEqual([
      ['after the alarm', undefined],
      ['alarm X: OK → ALARM', undefined],
      ['secret changed', ['alarm X: OK → ALARM']],
      ['old td', undefined],
    ])
  })

  it("prefers the service's own changes (and shared secrets) for its error onset", () => {
    const t = buildTimeline([
      e('11:50', 'deployment', 'celery deployed', {service: 'celery'}),
      e('11:52', 'deployment', 'web deployed', {service: 'web'}),
      e('11:55', 'error-onset', 'web: errors begin', {service: 'web', breakage: true}),
    ])
    expect(t.find((x) => x.summary === 'web deployed')?.likelyTriggerOf).toEqual(['web: errors begin'])
    expect(t.find((x) => x.summary === 'celery deployed')?.likelyTriggerOf).toBeUndefined()
  })

  it('does not mark an alarm that recovered (ALARM → OK is not a breakage)', () => {
    const t = buildTimeline([e('11:55', 'secret', 's'), e('12:00', 'alarm', 'alarm X: ALARM → OK', {breakage: false})])
    expect(t.every((x) => !x.likelyTriggerOf)).toBe(true)
  })
})

describe('onsetsOf', () => {
  const ev = (hhmm: string, message = 'ERROR x') => ({at: new Date(`2026-11-26T${hhmm}:00Z`), message})
  it('starts a new onset after 30 quiet minutes and counts the burst', () => {
    expect(
      onsetsOf(
        [ev('03:00'), ev('03:10', 'Traceback'), ev('11:00', 'ERROR y'), ev('11:01')],
        new Date('2026-11-26T00:00:00Z'),
      ),
    ).toEqual([
      {at: new Date('2026-11-26T03:00:00Z'), message: 'ERROR x', count: 2},
      {at: new Date('2026-11-26T11:00:00Z'), message: 'ERROR y', count: 2},
    ])
  })

  it('does not call errors at the very start of the window an onset (they may have begun before it)', () => {
    expect(onsetsOf([ev('00:05'), ev('00:20')], new Date('2026-11-26T00:00:00Z'))).toEqual([])
  })
})

describe('isUnsupported', () => {
  it('knows an account or endpoint without the service-deployment APIs', () => {
    expect(isUnsupported(awsError('UnknownOperationException'))).toBe(true)
    expect(isUnsupported(awsError('InvalidParameterException', 'Invalid parameter'))).toBe(true)
    expect(
      isUnsupported(awsError('InternalFailure', 'The list_service_deployments action has not been implemented', 500)),
    ).toBe(true)
    expect(isUnsupported(Object.assign(new SyntaxError('Unexpected token'), {$metadata: {httpStatusCode: 500}}))).toBe(
      true,
    )
    expect(isUnsupported(awsError('AccessDeniedException', 'not authorized', 403))).toBe(false)
    expect(isUnsupported(awsError('ThrottlingException'))).toBe(false)
  })
})
