import {describe, expect, it} from 'vitest'

import {
  distinctiveTerm,
  filterableWords,
  finalExceptionLine,
  maskVariables,
  SIGNATURE_MAX,
  signatureOf,
  stripPrefixes,
} from '../../../src/lib/logs/signatures.js'

/** A Django request failing on the database, as one multi-line event (awslogs with a multiline pattern). */
const djangoTraceback = (host: string, port: number): string =>
  [
    `[2026-11-26 11:58:0${port % 10},123] ERROR django.request: Internal Server Error: /api/v1/projects/${port}/`,
    'Traceback (most recent call last):',
    '  File "/usr/local/lib/python3.12/site-packages/django/db/backends/base/base.py", line 275, in ensure_connection',
    '    self.connect()',
    '  File "/usr/local/lib/python3.12/site-packages/psycopg2/__init__.py", line 122, in connect',
    '    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)',
    `psycopg2.OperationalError: could not connect to server: Connection refused`,
    `\tIs the server running on host "${host}" (10.0.1.${port % 200}) and accepting`,
    `\tTCP/IP connections on port ${port}?`,
    '',
  ].join('\n')

describe('signatureOf', () => {
  it('groups Django ERROR lines in several log formats that differ only in time, ids and numbers', () => {
    const variants = [
      '[2026-11-26 11:58:01,123] ERROR django.request: Internal Server Error: /api/v1/projects/42/',
      '[2026-11-26 11:59:47,908] ERROR django.request: Internal Server Error: /api/v1/projects/7/',
      '[2026-11-26T12:00:00.5Z] ERROR django.request: Internal Server Error: /api/v1/projects/1093/',
    ]
    expect(new Set(variants.map((v) => signatureOf(v)))).toEqual(
      new Set(['django.request: Internal Server Error: /api/v1/projects/<n>/']),
    )
    // Django's documented "verbose" format: level, time, module, process, thread.
    expect(signatureOf('ERROR 2026-11-26 11:58:01,123 log 7 139872 Internal Server Error: /api/v1/projects/42/')).toBe(
      signatureOf('ERROR 2026-11-26 11:58:02,555 log 9 140001 Internal Server Error: /api/v1/projects/8/'),
    )
    // Python's default format.
    expect(signatureOf('ERROR:django.request:Internal Server Error: /api/v1/users/ana@example.com/')).toBe(
      'django.request:Internal Server Error: /api/v1/users/<email>/',
    )
  })

  it('strips Daphne and gunicorn-style timestamps, levels, pids and thread names', () => {
    expect(
      signatureOf('2026-11-26 11:58:01,123 ERROR    Exception inside application: could not connect to server'),
    ).toBe('Exception inside application: could not connect to server')
    expect(signatureOf('[2026-11-26 11:58:01 +0000] [12] [ERROR] Exception in ASGI application')).toBe(
      'Exception in ASGI application',
    )
    expect(signatureOf('CRITICAL [MainThread] pid=31 worker exited')).toBe('worker exited')
    expect(stripPrefixes('2026-11-26T11:58:01Z [ERROR] (Thread-12) 4711 boom')).toBe('boom')
  })

  it('keeps a bracketed start that is part of the message', () => {
    expect(signatureOf('ERROR [SNAPSHOT NOT PUBLISHED] weekly digest')).toBe('[SNAPSHOT NOT PUBLISHED] weekly digest')
  })

  it('groups celery "Task x[uuid] raised unexpected" lines across task ids and quoted values', () => {
    const line = (id: string, host: string) =>
      `[2026-11-26 11:58:01,123: ERROR/ForkPoolWorker-${id.length % 7}] Task projects.tasks.sync_repo[${id}] raised unexpected: OperationalError('could not translate host name "${host}" to address')`
    const a = signatureOf(line('0c3f5a2e-8b1d-4c6e-9f7a-2d3b4c5d6e7f', 'db-1'))
    const b = signatureOf(line('9a8b7c6d-1e2f-4a5b-8c7d-0e1f2a3b4c5d', 'db-2.internal'))
    expect(a).toBe('Task projects.tasks.sync_repo[<uuid>] raised unexpected: OperationalError(<str>)')
    expect(b).toBe(a)
  })

  it('uses the final exception line of a traceback event, whatever the host, port and request', () => {
    const a = signatureOf(djangoTraceback('db', 5432))
    expect(a).toBe('psycopg2.OperationalError: could not connect to server: Connection refused')
    expect(signatureOf(djangoTraceback('db-replica', 6543))).toBe(a)
  })

  it('uses the last exception of chained tracebacks', () => {
    const chained = [
      'ERROR Exception inside application',
      'Traceback (most recent call last):',
      '  File "/app/a.py", line 1, in f',
      "KeyError: 'user_id'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/a.py", line 3, in f',
      'django.core.exceptions.ObjectDoesNotExist: User 42 not found',
    ].join('\n')
    expect(finalExceptionLine(chained)).toBe('django.core.exceptions.ObjectDoesNotExist: User 42 not found')
    expect(signatureOf(chained)).toBe('django.core.exceptions.ObjectDoesNotExist: User <n> not found')
  })

  it('keeps a lone traceback header (one event per line, no multiline pattern) as it is', () => {
    expect(signatureOf('Traceback (most recent call last):')).toBe('Traceback (most recent call last):')
    expect(finalExceptionLine('Traceback (most recent call last):')).toBeUndefined()
  })

  it('masks uuids, hex ids, IP addresses, numbers, quoted strings and e-mail addresses', () => {
    expect(
      maskVariables(
        'user 0c3f5a2e-8b1d-4c6e-9f7a-2d3b4c5d6e7f container 7f3a9b2c1d4e from 10.0.3.12:6379 took 350ms (attempt 3)',
      ),
    ).toBe('user <uuid> container <hex> from <ip> took <n>ms (attempt <n>)')
    expect(maskVariables("KeyError: 'user_id' for \"ana@example.com\"; can't reach bob@allthrive.ai")).toBe(
      "KeyError: <str> for <str>; can't reach <email>",
    )
    // Identifiers with digits are words, not numbers.
    expect(maskVariables('psycopg2.OperationalError on ForkPoolWorker-2 via /api/v1/')).toBe(
      'psycopg2.OperationalError on ForkPoolWorker-<n> via /api/v1/',
    )
  })

  it('never keeps credentials, tokens or keys', () => {
    const secrets = [
      'hunter2',
      'sk_live_51HxSECRETVALUEabcdEFGH123',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
      'AKIAIOSFODNN7EXAMPLE',
      'opaque-token-value',
    ]
    const lines = [
      'ERROR Cannot connect to redis://:hunter2@10.0.3.12:6379/0',
      'ERROR stripe rejected key sk_live_51HxSECRETVALUEabcdEFGH123',
      'ERROR auth failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
      'ERROR s3 signature mismatch for AKIAIOSFODNN7EXAMPLE',
      'ERROR callback failed ?token=opaque-token-value&password=hunter2',
    ]
    const out = lines.map((l) => signatureOf(l)).join('\n')
    for (const s of secrets) expect(out).not.toContain(s)
    expect(signatureOf(lines[0])).toBe('Cannot connect to redis://<credentials>@<ip>/<n>')
  })

  it('reads the message of a JSON log line (Weaviate)', () => {
    expect(
      signatureOf(
        '{"action":"startup","level":"error","msg":"ERROR shard 7f3a9b2c1d not ready","time":"2026-11-26T11:58:01Z"}',
      ),
    ).toBe('shard <hex> not ready')
  })

  it('cuts long messages to SIGNATURE_MAX characters with an ellipsis', () => {
    const s = signatureOf(`ERROR ${'very long message '.repeat(30)}`)
    expect(s).toHaveLength(SIGNATURE_MAX)
    expect(s.endsWith('…')).toBe(true)
    expect(signatureOf('ERROR')).toBe('ERROR')
  })
})

describe('distinctiveTerm', () => {
  it('prefers the exception name, a literal word of the event', () => {
    expect(distinctiveTerm('psycopg2.OperationalError: could not connect to server: Connection refused')).toBe(
      'OperationalError',
    )
    expect(distinctiveTerm('Task projects.tasks.sync_repo[<uuid>] raised unexpected: OperationalError(<str>)')).toBe(
      'OperationalError',
    )
  })

  it('avoids words that other signatures of the group share', () => {
    const traceback = 'psycopg2.OperationalError: could not connect to server: Connection refused'
    const celery = 'Task projects.tasks.sync_repo[<uuid>] raised unexpected: OperationalError(<str>)'
    expect(distinctiveTerm(traceback, [traceback, celery])).toBe('Connection')
    expect(distinctiveTerm(celery, [traceback, celery])).toBe('projects')
  })

  it('offers only words a filter pattern takes unquoted, never placeholders or a word cut by truncation', () => {
    expect(filterableWords('Task projects.tasks.sync_repo[<uuid>] took <n>ms on <ip>: Connecti…')).toEqual([
      'Task',
      'projects',
      'tasks',
      'took',
    ])
    expect(distinctiveTerm('<n> <uuid>')).toBeUndefined()
  })
})
